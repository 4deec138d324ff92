"""Runs flows for one person in their private chat: start, apply an input, show the replies.

This is the one generic dispatcher: handlers turn updates into engine events and call it; it
stores each outcome before showing it, and calls a flow's finish hook (e.g. create a meeting).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from telegram import InlineKeyboardMarkup

from bot.core import payloads
from bot.core.render import REUSE, Screen, button, shorten
from bot.core.send import send
from bot.core.services import Services
from flows import engine
from flows.engine import Event, Outcome, Prompt, QuestionList, Reply, Summary, TextInput
from flows.model import Flow
from storage.records import Person, Run

FinishHook = Callable[[Services, Person, Run], Awaitable[None]]
EditRule = Callable[[Services, Person, Run], Awaitable[str | None]]
"""The refusal text if a stored answer of `run` may no longer change, else None."""
Suggestion = Callable[[Services, Person, Run, str], Awaitable[str | None]]
"""An earlier answer worth offering as one tap for a step of `run` (e.g. last agreement's
long-term goal), or None."""
REUSE_LABEL_CHARS = 40


@dataclass(frozen=True)
class Applied:
    """What happened to an input: the refusal text if refused, else the stored run."""

    run: Run
    refusal: str | None = None


class FlowRunner:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._finish_hooks: dict[str, FinishHook] = {}
        self._edit_rules: list[EditRule] = []
        self._suggestions: dict[str, Suggestion] = {}

    def on_finish(self, flow_id: str, hook: FinishHook) -> None:
        """Run `hook` when a run of `flow_id` is finished (after its answers are stored)."""
        if flow_id in self._finish_hooks:
            raise ValueError(f"flow {flow_id} already has a finish hook")
        self._finish_hooks[flow_id] = hook

    def add_edit_rule(self, rule: EditRule) -> None:
        self._edit_rules.append(rule)

    def add_suggestion(self, flow_id: str, source: Suggestion) -> None:
        if flow_id in self._suggestions:
            raise ValueError(f"flow {flow_id} already has a suggestion source")
        self._suggestions[flow_id] = source

    async def suggestion(self, person: Person, run: Run, step_id: str) -> str | None:
        """The earlier answer offered for this step, if its flow has a source for them."""
        source = self._suggestions.get(run.flow_id)
        return await source(self.services, person, run, step_id) if source else None

    async def edit_refusal(self, person: Person, run: Run) -> str | None:
        """Why an answer of `run` may no longer change (a deadline passed, an agreement was
        confirmed), or None if it may."""
        for rule in self._edit_rules:
            refusal = await rule(self.services, person, run)
            if refusal is not None:
                return refusal
        return None

    async def start(
        self,
        person: Person,
        flow_id: str,
        *,
        meeting_id: int | None = None,
        replaces: Run | None = None,
        context: dict[str, int | str] | None = None,
    ) -> Run:
        """`context` is kept in the run for its finish hook (e.g. which action a note is on)."""
        flow = self.services.flows[flow_id]
        outcome = engine.start(flow)
        state = {**outcome.state, "context": context} if context else outcome.state
        run = await self.services.repos.runs.start(
            person.id,
            flow.id,
            flow.version,
            state,
            self.services.clock(),
            meeting_id=meeting_id,
            replaces=replaces,
        )
        await self.show(person, run, outcome.replies)
        return run

    async def start_afresh(
        self,
        person: Person,
        flow_id: str,
        *,
        meeting_id: int | None = None,
        context: dict[str, int | str] | None = None,
    ) -> Run:
        """Start `flow_id` again, replacing the person's unfinished run of it if there is one."""
        runs = await self.services.repos.runs.open_for(person.id)
        unfinished = next((run for run in runs if run.flow_id == flow_id), None)
        return await self.start(
            person, flow_id, meeting_id=meeting_id, replaces=unfinished, context=context
        )

    async def apply(
        self,
        person: Person,
        run: Run,
        event: Event,
        *,
        answered_message: int | None = None,
    ) -> Applied:
        """Store the input's outcome, then show it; a refused input changes nothing."""
        flow, run, renamed = await self._current(person, run)
        if not isinstance(event, TextInput) and event.step_id in renamed:
            event = replace(event, step_id=renamed[event.step_id])  # a button shown before
        now = self.services.clock()
        context = engine.StepContext(now=now, time_zone=person.time_zone)
        outcome = engine.advance(flow, run.state, event, context)
        if outcome.rejected is not None:
            return Applied(run, self.services.render.message(person, outcome.rejected))
        answer = (outcome.answer.step_id, outcome.answer.value) if outcome.answer else None
        stored = await self.services.repos.runs.record(run, outcome.state, now, answer)
        if answered_message is not None and outcome.answer is not None:
            await self._mark_answered(person, run, flow, outcome, answered_message)
        await self.show(person, stored, outcome.replies, redraw_message=answered_message)
        if outcome.finished and flow.id in self._finish_hooks:
            await self._finish_hooks[flow.id](self.services, person, stored)
        return Applied(stored)

    async def reopen(self, person: Person, run: Run, step_id: str) -> str | None:
        """Ask one answered question again; returns a refusal text if that is not possible."""
        flow, run, renamed = await self._current(person, run)
        outcome = engine.reopen(flow, run.state, renamed.get(step_id, step_id))
        if outcome.rejected is not None:
            return self.services.render.message(person, outcome.rejected)
        stored = await self.services.repos.runs.record(
            run, outcome.state, self.services.clock(), None
        )
        await self.show(person, stored, outcome.replies)
        return None

    async def resume(self, person: Person, run: Run, *, editable: bool) -> None:
        """Show where a run stands: its open question, or its answers when it is finished."""
        flow, run, _ = await self._current(person, run)
        prompt = engine.current_prompt(flow, run.state)
        replies: Sequence[Reply] = (prompt,) if prompt else (engine.summary(flow, run.state),)
        await self.show(person, run, replies, editable=editable)

    async def _current(self, person: Person, run: Run) -> tuple[Flow, Run, dict[str, str]]:
        """The run's flow, and the run moved to that flow's version if it started on an older
        one (with the step renames, so buttons shown before still find their step). A run the
        new version finds complete is finished, and its finish hook runs."""
        flow = self.services.flows[run.flow_id]
        if not engine.needs_migration(flow, run.state):
            return flow, run, {}
        migrated = engine.migrate(flow, run.state)
        moved = await self.services.repos.runs.migrate(
            run, migrated.state, flow.version, migrated.renamed
        )
        if moved.status != run.status and flow.id in self._finish_hooks:
            await self._finish_hooks[flow.id](self.services, person, moved)
        return flow, moved, migrated.renamed

    async def show(
        self,
        person: Person,
        run: Run,
        replies: Sequence[Reply],
        *,
        editable: bool = True,
        redraw_message: int | None = None,
    ) -> None:
        render = self.services.render
        for reply in replies:
            if isinstance(reply, Prompt):
                screen = await self._with_suggestion(
                    person, run, reply, render.prompt(person, run.id, reply)
                )
                if reply.redraw and redraw_message is not None:
                    await self.services.bot.edit_message_text(
                        screen.text,
                        chat_id=person.telegram_id,
                        message_id=redraw_message,
                        reply_markup=screen.markup,
                    )
                    continue
                sent = await send(self.services.bot, person, screen)
                self.services.repos.runs.note_prompt(run, sent.message_id)
            elif isinstance(reply, Summary):
                for screen in render.summary(person, run.id, reply, editable=editable):
                    await send(self.services.bot, person, screen)
            elif isinstance(reply, QuestionList):
                await send(self.services.bot, person, Screen(render.question_list(person, reply)))
            else:
                await send(self.services.bot, person, Screen(render.message(person, reply)))

    async def _with_suggestion(
        self, person: Person, run: Run, prompt: Prompt, screen: Screen
    ) -> Screen:
        """A typed question gets a one-tap button with the earlier answer, where there is one."""
        if prompt.options:
            return screen
        earlier = await self.suggestion(person, run, prompt.step_id)
        if earlier is None:
            return screen
        label = self.services.render.text(
            person, "common.reuse", value=shorten(earlier, REUSE_LABEL_CHARS)
        )
        row = [button(label, payloads.encode(REUSE, run.id, prompt.step_id))]
        rows = [*(screen.markup.inline_keyboard if screen.markup else ()), row]
        return Screen(screen.text, InlineKeyboardMarkup(rows))

    async def _mark_answered(
        self, person: Person, run: Run, flow: Flow, outcome: Outcome, message_id: int
    ) -> None:
        """Replace an answered prompt's buttons by the answer, so old buttons cannot be tapped."""
        assert outcome.answer is not None
        render = self.services.render
        prompt = render.prompt(
            person, run.id, engine.prompt_for(flow, outcome.answer.step_id, run.state)
        )
        item = engine.describe(flow, outcome.answer.step_id, outcome.answer.value)
        text = f"{prompt.text}\n\n✓ {render.answer_text(person, item)}"
        await self.services.bot.edit_message_text(
            text, chat_id=person.telegram_id, message_id=message_id
        )

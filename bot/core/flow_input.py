"""A person works on the flow they are in: typed text, answer buttons, and on a finished flow
"Change answer N" and "Start over". Capabilities add rules for when answers may not change."""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update

from bot.core import guard
from bot.core.capability import ButtonHandler
from bot.core.guard import Refused
from bot.core.payloads import Choice, Payload
from bot.core.people import person_of
from bot.core.render import ANSWER, EDIT, RESTART, REUSE, SKIP, SUBMIT
from bot.core.send import ask_first, say, settle_question
from bot.core.services import DDContext, Services, services
from flows import engine
from flows.engine import ButtonInput, Event, SkipInput, SubmitInput, TextInput
from storage.records import Person, Run


def pick_run(runs: list[Run], reply_to: Message | None) -> Run:
    """The run a text answers: the one whose prompt it replies to, else the latest prompt's."""
    if reply_to is not None:
        for run in runs:
            if run.prompt_message_id == reply_to.message_id:
                return run
    return runs[0]


async def on_private_text(update: Update, context: DDContext) -> None:
    """A person typed an answer to the step they are on."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    svc = services(context)
    person = await person_of(update, context)
    runs = await svc.repos.runs.open_for(person.id)
    if not runs:
        await say(svc, person, "common.nothing_open")
        return
    run = pick_run(runs, message.reply_to_message)
    if await _deadline_closed_edit(svc, person, run):
        return
    applied = await svc.runner.apply(person, run, TextInput(message.text))
    if applied.refusal is not None:
        await say(svc, person, "common.plain", value=applied.refusal)
        await svc.runner.resume(person, applied.run, editable=True)


async def on_non_text(update: Update, context: DDContext) -> None:
    """Stickers, photos, voice: we only read text here."""
    person = await person_of(update, context)
    await say(services(context), person, "error.text_only")


async def on_answer_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """a:<run>:<step>:<option>, d:<run>:<step> (multiple choice done), s:<run>:<step> (skip)."""
    svc = services(context)
    run = await guard.own_open_run(svc, person, payload.id_arg(0))
    guard.check(len(payload.args) >= 2)
    step_id = payload.args[1]
    event: Event
    if payload.action == ANSWER and len(payload.args) == 3:
        event = ButtonInput(step_id, payload.args[2])
    elif payload.action == SUBMIT:
        event = SubmitInput(step_id)
    elif payload.action == SKIP:
        event = SkipInput(step_id)
    else:
        raise Refused()
    if await _deadline_closed_edit(svc, person, run):
        return None
    message_id = query.message.message_id if query.message else None
    applied = await svc.runner.apply(person, run, event, answered_message=message_id)
    return applied.refusal


async def on_reuse_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """u:<run>:<step> — answer the open question with the earlier answer offered under it."""
    svc = services(context)
    run = await guard.own_open_run(svc, person, payload.id_arg(0))
    guard.check(len(payload.args) == 2 and run.state.get("step") == payload.args[1])
    earlier = await svc.runner.suggestion(person, run, payload.args[1])
    guard.check(earlier)
    assert earlier is not None
    message_id = query.message.message_id if query.message else None
    applied = await svc.runner.apply(person, run, TextInput(earlier), answered_message=message_id)
    return applied.refusal


async def on_edit_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """e:<run>:<step> — 'Change answer N' under a finished flow's answers."""
    svc = services(context)
    run = await guard.own_run(svc, person, payload.id_arg(0))
    guard.check(len(payload.args) == 2)
    await _refuse_closed(svc, person, run)
    return await svc.runner.reopen(person, run, payload.args[1])


async def on_restart_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """r:<run> asks first, because starting over throws the answers away; r:<run>:y does it."""
    svc = services(context)
    run = await guard.own_run(svc, person, payload.id_arg(0))
    choice = payload.choice()
    if choice is Choice.KEEP:
        await settle_question(query, svc.render.text(person, "prep.kept"))
        return None
    await _refuse_closed(svc, person, run)
    if choice is Choice.ASK:
        await ask_first(
            svc, person, svc.render.text(person, "prep.restart_confirm"), RESTART, run.id
        )
        return None
    await settle_question(query, svc.render.text(person, "prep.restarted"))
    await svc.runner.start(person, run.flow_id, meeting_id=run.meeting_id, replaces=run)
    return None


async def _refuse_closed(svc: Services, person: Person, run: Run) -> None:
    refusal = await svc.runner.edit_refusal(person, run)
    if refusal is not None:
        raise Refused("common.plain", value=refusal)


async def _deadline_closed_edit(svc: Services, person: Person, run: Run) -> bool:
    """Refuse a change to an answer that may no longer change (a preparation after its
    deadline, a confirmed agreement), and close the reopened question."""
    if run.meeting_id is None or not engine.is_editing(run.state):
        return False
    refusal = await svc.runner.edit_refusal(person, run)
    if refusal is None:
        return False
    await svc.repos.runs.record(run, engine.close_edit(run.state), svc.clock(), None)
    await say(svc, person, "common.plain", value=refusal)
    return True


BUTTONS: dict[str, ButtonHandler] = {
    ANSWER: on_answer_button,
    SUBMIT: on_answer_button,
    SKIP: on_answer_button,
    EDIT: on_edit_button,
    RESTART: on_restart_button,
    REUSE: on_reuse_button,
}

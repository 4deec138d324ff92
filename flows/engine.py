"""The pure flow engine: given a flow, a run's state and one input, say what happens next.

Nothing here awaits, reads the clock or knows about Telegram. The caller stores `Outcome.state`
(plain JSON) and `Outcome.answer` before it shows `Outcome.replies` to the person.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flows.identifying import find_identifying, refusal_key
from flows.model import FINISH, YES_NO_OPTIONS, Flow, Rule, Step, StepKind, option_label_key
from flows.parsing import parse_local_datetime, parse_number

State = dict[str, Any]
Value = str | int | float | bool | list[str] | None

_YES_WORDS = {"ja", "j", "yes", "y"}
_NO_WORDS = {"nej", "n", "no"}


@dataclass(frozen=True)
class StepContext:
    """What validation needs to know about the world: the time and the person's zone."""

    now: datetime
    time_zone: str


# Inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextInput:
    text: str


@dataclass(frozen=True)
class ButtonInput:
    """A tap on an option of `step_id` (a choice, a scale point, yes/no, or a multi toggle)."""

    step_id: str
    option: str


@dataclass(frozen=True)
class SubmitInput:
    """'Done' on a multiple-choice step."""

    step_id: str


@dataclass(frozen=True)
class SkipInput:
    step_id: str


Event = TextInput | ButtonInput | SubmitInput | SkipInput


# Replies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A catalogue text: `key` with named `params` (the renderer escapes and formats them)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Option:
    id: str
    label_key: str | None
    """None for options whose label is the id itself (scale points)."""


@dataclass(frozen=True)
class Prompt:
    """Ask the question of `step_id`; the renderer adds buttons for `options`."""

    step_id: str
    kind: StepKind
    prompt_key: str
    hint_key: str | None
    position: int
    total: int
    options: tuple[Option, ...] = ()
    selected: tuple[str, ...] = ()
    optional: bool = False
    redraw: bool = False
    """True when the prompt already on screen should be edited in place (a multi toggle)."""


@dataclass(frozen=True)
class SummaryItem:
    step_id: str
    position: int
    prompt_key: str
    kind: StepKind
    value: Value
    label_keys: tuple[str, ...] = ()
    scale_max: int | None = None


@dataclass(frozen=True)
class Summary:
    title_key: str
    items: tuple[SummaryItem, ...]


@dataclass(frozen=True)
class QuestionList:
    """The whole form at once (audits: read every question before answering)."""

    prompt_keys: tuple[str, ...]


Reply = Message | Prompt | Summary | QuestionList


@dataclass(frozen=True)
class Answer:
    step_id: str
    value: Value


@dataclass(frozen=True)
class Outcome:
    state: State
    replies: tuple[Reply, ...] = ()
    answer: Answer | None = None
    rejected: Message | None = None
    finished: bool = False


# Engine -------------------------------------------------------------------------------------


def start(flow: Flow) -> Outcome:
    """A fresh run: the intro (and for audits the whole question list), then the first step."""
    state: State = {
        "flow": flow.id,
        "version": flow.version,
        "step": flow.start,
        "answers": {},
        "selection": [],
        "status": "active",
    }
    replies: list[Reply] = []
    if flow.intro:
        replies.append(Message(flow.intro))
    if flow.show_all_first:
        replies.append(QuestionList(tuple(step.prompt for step in flow.steps)))
    replies.append(_prompt(flow, flow.step(flow.start), state))
    return Outcome(state=state, replies=tuple(replies))


def current_prompt(flow: Flow, state: State) -> Prompt | None:
    """The question the run waits for, or None when it is finished."""
    if state["status"] != "active":
        return None
    return _prompt(flow, flow.step(state["step"]), state)


def summary(flow: Flow, state: State) -> Summary:
    """Every answer on the path the run took, in the order the questions were asked."""
    path = answered_path(flow, state["answers"])
    return Summary(flow.title, tuple(describe(flow, s.id, state["answers"][s.id]) for s in path))


def describe(flow: Flow, step_id: str, value: Value) -> SummaryItem:
    """An answer with what the renderer needs to show it (labels, scale, position)."""
    step = flow.step(step_id)
    labels: tuple[str, ...] = ()
    if step.kind is StepKind.CHOICE and value is not None:
        labels = (option_label_key(step, str(value)),)
    elif step.kind is StepKind.MULTI and isinstance(value, list):
        labels = tuple(option_label_key(step, option) for option in value)
    scale_max = step.scale.max if step.kind is StepKind.SCALE else None
    position = flow.position(step.id)
    return SummaryItem(step.id, position, step.prompt, step.kind, value, labels, scale_max)


def prompt_for(flow: Flow, step_id: str, state: State) -> Prompt:
    """The question of `step_id` as it is shown (to redraw a prompt that was answered)."""
    return _prompt(flow, flow.step(step_id), state)


def reopen(flow: Flow, state: State, step_id: str) -> Outcome:
    """Let a finished run change one answer; the next input answers `step_id` again."""
    if not flow.has_step(step_id) or step_id not in state["answers"]:
        return Outcome(state=state, rejected=Message("error.button_expired"))
    new_state = _copy(state)
    new_state.update(step=step_id, status="active", selection=[])
    return Outcome(state=new_state, replies=(_prompt(flow, flow.step(step_id), new_state),))


@dataclass(frozen=True)
class Migrated:
    """A run's state moved to its flow's current version, and what happened to its answers."""

    state: State
    renamed: dict[str, str]
    """Step id the run started with -> the id it has now (only those that changed)."""
    removed: tuple[str, ...]


def needs_migration(flow: Flow, state: State) -> bool:
    """Older runs move forward; a run newer than the flow (a deploy rolled back) is left."""
    return state.get("version", flow.version) < flow.version


def migrate(flow: Flow, state: State) -> Migrated:
    """Apply the flow's migrations from the run's version up to the current one.

    An active run goes on at the first unanswered step on its path from the start (a question
    the new version added, or the one a removed step led to), or is finished when that path is
    complete; a run reopened to change an answer stays on that answer's step if it still exists.
    """
    new_state = _copy(state)
    renames: dict[str, str] = {}
    """Every step id a migration renamed -> the id it has now."""
    kept = {step_id: step_id for step_id in new_state["answers"]}
    removed: list[str] = []
    by_version = {m.from_version: m for m in flow.migrations}
    for version in range(state.get("version", flow.version), flow.version):
        migration = by_version[version]
        new_state["answers"] = {
            migration.renamed.get(step_id, step_id): value
            for step_id, value in new_state["answers"].items()
            if step_id not in migration.removed
        }
        for old, now in list(renames.items()):
            renames[old] = migration.renamed.get(now, now)
        for old, new in migration.renamed.items():
            renames.setdefault(old, new)
        for original, now in list(kept.items()):
            if now in migration.removed:
                removed.append(original)
                del kept[original]
        if new_state["step"] is not None:
            new_state["step"] = migration.renamed.get(new_state["step"], new_state["step"])
    if new_state["status"] == "active":
        _resume_on_path(flow, new_state, editing=is_editing(state))
    new_state["version"] = flow.version
    renamed = {old: new for old, new in renames.items() if old != new}
    return Migrated(new_state, renamed, tuple(removed))


def _resume_on_path(flow: Flow, state: State, *, editing: bool) -> None:
    step = state["step"]
    if editing and step is not None and flow.has_step(step):
        return
    next_id = flow.start
    seen: set[str] = set()
    while next_id != FINISH and next_id in state["answers"] and next_id not in seen:
        seen.add(next_id)
        next_id = _next_step_id(flow.step(next_id), state["answers"])
    if next_id != step:
        state["selection"] = []
    if next_id == FINISH:
        state.update(step=None, status="finished")
    else:
        state["step"] = next_id


def close_edit(state: State) -> State:
    """Leave a reopened answer as it was (the deadline passed while it was open)."""
    new_state = _copy(state)
    new_state.update(step=None, status="finished", selection=[])
    return new_state


def is_editing(state: State) -> bool:
    """True when a finished run was reopened to change an answer it already has."""
    return state["status"] == "active" and state["step"] in state["answers"]


def advance(flow: Flow, state: State, event: Event, ctx: StepContext) -> Outcome:
    """Apply one input to the run. A refused input leaves the state exactly as it was."""
    if state["status"] != "active":
        return Outcome(state=state, rejected=Message("error.flow_finished"))
    step = flow.step(state["step"])
    if not isinstance(event, TextInput) and event.step_id != step.id:
        return Outcome(state=state, rejected=Message("error.button_expired"))

    if isinstance(event, SkipInput):
        if not step.optional:
            return Outcome(state=state, rejected=Message("error.not_optional"))
        return _accept(flow, state, step, None)
    if isinstance(event, SubmitInput):
        if step.kind is not StepKind.MULTI:
            return Outcome(state=state, rejected=Message("error.button_expired"))
        if not state["selection"] and not step.optional:
            return Outcome(state=state, rejected=Message("error.pick_at_least_one"))
        selected = [o for o in step.options if o in state["selection"]]
        return _accept(flow, state, step, selected or None)
    if isinstance(event, ButtonInput):
        if event.option not in step.option_ids():
            return Outcome(state=state, rejected=Message("error.button_expired"))
        if step.kind is StepKind.MULTI:
            return _toggle(flow, state, step, event.option)
        return _accept(flow, state, step, _button_value(step, event.option))

    value, problem = _read_text(step, event.text, state["answers"], ctx)
    if problem is not None:
        return Outcome(state=state, rejected=problem)
    return _accept(flow, state, step, value)


def answered_path(flow: Flow, answers: dict[str, Value]) -> list[Step]:
    """The steps from the start that have answers, following the branches those answers chose."""
    path: list[Step] = []
    step_id = flow.start
    while step_id != FINISH and step_id in answers and len(path) <= len(flow.steps):
        step = flow.step(step_id)
        path.append(step)
        step_id = _next_step_id(step, answers)
    return path


# Internals ----------------------------------------------------------------------------------


def _copy(state: State) -> State:
    """A copy the engine may change. Answers are never mutated in place, so one level is enough
    (and much cheaper than deepcopy on the hot path)."""
    return {**state, "answers": dict(state["answers"]), "selection": list(state["selection"])}


def _accept(flow: Flow, state: State, step: Step, value: Value) -> Outcome:
    new_state = _copy(state)
    new_state["answers"][step.id] = value
    new_state["selection"] = []
    next_id = _next_step_id(step, new_state["answers"])
    # After an edit, answers further along the path still stand: skip ahead to the first gap.
    while next_id != FINISH and next_id in new_state["answers"]:
        next_id = _next_step_id(flow.step(next_id), new_state["answers"])
    answer = Answer(step.id, value)
    if next_id == FINISH:
        new_state.update(step=None, status="finished")
        replies: tuple[Reply, ...] = (Message(flow.on_finish),) if flow.on_finish else ()
        if flow.show_summary:
            replies += (summary(flow, new_state),)
        return Outcome(state=new_state, replies=replies, answer=answer, finished=True)
    new_state["step"] = next_id
    prompt = _prompt(flow, flow.step(next_id), new_state)
    return Outcome(state=new_state, replies=(prompt,), answer=answer)


def _toggle(flow: Flow, state: State, step: Step, option: str) -> Outcome:
    new_state = _copy(state)
    selection: list[str] = new_state["selection"]
    if option in selection:
        selection.remove(option)
    else:
        selection.append(option)
    prompt = _prompt(flow, step, new_state, redraw=True)
    return Outcome(state=new_state, replies=(prompt,))


def _next_step_id(step: Step, answers: dict[str, Value]) -> str:
    if isinstance(step.next, str):
        return step.next
    for rule in step.next:
        if _matches(rule, step, answers):
            return rule.goto
    raise AssertionError("the model guarantees a final rule without a condition")


def _matches(rule: Rule, step: Step, answers: dict[str, Value]) -> bool:
    if rule.when is None:
        return True
    answer = answers.get(rule.when.step or step.id)
    expected = rule.when.answer
    if isinstance(answer, list):
        return expected in answer
    return answer == expected


def _prompt(flow: Flow, step: Step, state: State, *, redraw: bool = False) -> Prompt:
    if step.kind in (StepKind.CHOICE, StepKind.MULTI):
        options = tuple(Option(o, option_label_key(step, o)) for o in step.options)
    elif step.kind is StepKind.YES_NO:
        options = tuple(Option(o, f"common.{o}") for o in YES_NO_OPTIONS)
    elif step.kind is StepKind.SCALE:
        options = tuple(Option(o, None) for o in step.option_ids())
    else:
        options = ()
    return Prompt(
        step_id=step.id,
        kind=step.kind,
        prompt_key=step.prompt,
        hint_key=step.hint,
        position=flow.position(step.id),
        total=len(flow.steps),
        options=options,
        selected=tuple(state["selection"]),
        optional=step.optional,
        redraw=redraw,
    )


def _button_value(step: Step, option: str) -> Value:
    if step.kind is StepKind.SCALE:
        return int(option)
    if step.kind is StepKind.YES_NO:
        return option == "yes"
    return option


def _visible(text: str) -> str:
    """The text without invisible format characters (zero-width spaces, direction marks), so
    a title made only of those does not count as written."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf").strip()


def _read_text(
    step: Step, text: str, answers: dict[str, Value], ctx: StepContext
) -> tuple[Value, Message | None]:
    """Turn typed text into the step's value, or say what is wrong with it."""
    cleaned = text.strip()
    match step.kind:
        case StepKind.TEXT:
            if len(_visible(cleaned)) < step.min_length:
                return None, Message("error.text_too_short", {"min": step.min_length})
            if len(cleaned) > step.max_length:
                limits = {"max": step.max_length, "length": len(cleaned)}
                return None, Message("error.text_too_long", limits)
            found = find_identifying(cleaned)
            if found:
                return None, Message(refusal_key(found))
            return cleaned, None
        case StepKind.NUMBER:
            number = parse_number(cleaned)
            if number is None:
                return None, Message("error.not_a_number")
            low, high = step.min_value, step.max_value
            if (low is not None and number < low) or (high is not None and number > high):
                return None, Message("error.number_out_of_range", {"min": low, "max": high})
            return number, None
        case StepKind.DATETIME:
            return _read_datetime(step, cleaned, answers, ctx)
        case StepKind.SCALE:
            number = parse_number(cleaned)
            if isinstance(number, int) and step.scale.min <= number <= step.scale.max:
                return number, None
            return None, Message(
                "error.scale_range", {"min": step.scale.min, "max": step.scale.max}
            )
        case StepKind.YES_NO:
            word = cleaned.lower().rstrip(".!")
            if word in _YES_WORDS or word in _NO_WORDS:
                return word in _YES_WORDS, None
            return None, Message("error.use_buttons")
        case _:
            return None, Message("error.use_buttons")


def _read_datetime(
    step: Step, text: str, answers: dict[str, Value], ctx: StepContext
) -> tuple[Value, Message | None]:
    moment = parse_local_datetime(text, ctx.time_zone, ctx.now)
    if moment is None:
        return None, Message("error.not_a_datetime")
    if step.future_only and moment <= ctx.now:
        return None, Message("error.datetime_in_past", {"when": moment})
    if step.within_days is not None and moment > ctx.now + timedelta(days=step.within_days):
        latest = ctx.now + timedelta(days=step.within_days)
        return None, Message("error.datetime_too_far", {"when": moment, "latest": latest})
    if step.before is not None and isinstance(answers.get(step.before), str):
        limit = datetime.fromisoformat(str(answers[step.before]))
        if moment >= limit:
            return None, Message("error.datetime_not_before", {"when": moment, "limit": limit})
    return moment.isoformat(), None

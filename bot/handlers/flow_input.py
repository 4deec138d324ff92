"""A person answers the question they are on: typed text, or a tap on an answer button."""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update

from bot import callbacks
from bot.context import DDContext, services
from bot.handlers.common import ButtonHandler, person_of, runner, say
from bot.handlers.meetings import edit_refusal
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
    """A participant typed an answer to the step they are on."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    person = await person_of(update, context)
    runs = await services(context).repos.runs.open_for(person.id)
    if not runs:
        await say(context, person, "common.nothing_open")
        return
    run = pick_run(runs, message.reply_to_message)
    if await _deadline_closed_edit(context, person, run):
        return
    applied = await runner(context).apply(context.bot, person, run, TextInput(message.text))
    if applied.refusal is not None:
        await say(context, person, "common.plain", value=applied.refusal)
        await runner(context).resume(context.bot, person, run, editable=True)


async def on_non_text(update: Update, context: DDContext) -> None:
    """Stickers, photos, voice: we only read text here."""
    person = await person_of(update, context)
    await say(context, person, "error.text_only")


async def on_answer_button(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    run = await _own_open_run(context, person, payload)
    if run is None or len(payload.args) < 2:
        return _expired(context, person)
    step_id = payload.args[1]
    event: Event
    if payload.action == callbacks.ANSWER and len(payload.args) == 3:
        event = ButtonInput(step_id, payload.args[2])
    elif payload.action == callbacks.SUBMIT:
        event = SubmitInput(step_id)
    elif payload.action == callbacks.SKIP:
        event = SkipInput(step_id)
    else:
        return _expired(context, person)
    if await _deadline_closed_edit(context, person, run):
        return None
    message_id = query.message.message_id if query.message else None
    applied = await runner(context).apply(
        context.bot, person, run, event, answered_message=message_id
    )
    return applied.refusal


async def _own_open_run(
    context: DDContext, person: Person, payload: callbacks.Payload
) -> Run | None:
    """The open run a button names, if it is this person's (a forged id finds nothing)."""
    try:
        run_id = payload.int_arg(0)
    except (ValueError, IndexError):
        return None
    runs = await services(context).repos.runs.open_for(person.id)
    return next((run for run in runs if run.id == run_id), None)


async def _deadline_closed_edit(context: DDContext, person: Person, run: Run) -> bool:
    """Refuse a change to an answer that may no longer change (a preparation after its
    deadline, a confirmed agreement), and close the reopened question."""
    if run.meeting_id is None or not engine.is_editing(run.state):
        return False
    svc = services(context)
    refusal = await edit_refusal(svc, person, run)
    if refusal is None:
        return False
    await svc.repos.runs.record(run, engine.close_edit(run.state), svc.clock(), None)
    await say(context, person, "common.plain", value=refusal)
    return True


def _expired(context: DDContext, person: Person) -> str:
    return services(context).render.text(person, "error.button_expired")


BUTTONS: dict[str, ButtonHandler] = {
    callbacks.ANSWER: on_answer_button,
    callbacks.SUBMIT: on_answer_button,
    callbacks.SKIP: on_answer_button,
}

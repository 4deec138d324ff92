"""What people do with follow-up: answer a nudge, add a note, postpone, escalate, reassign,
see their actions (/myactions), see and cancel what is scheduled (/reminders), cancel a
meeting (/cancelmeeting), and set their working hours (/workhours) and zone (/timezone)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import DDContext, Services, services
from bot.follow_up.notices import ANSWERS, answer_buttons
from bot.follow_up.planning import NOTE_GRACE
from bot.follow_up.sender import ReminderSender
from bot.handlers.common import ButtonHandler, Toast, person_of, runner, say, settle_question
from bot.render import Screen, button
from bot.runner import FinishHook, FlowRunner
from storage.records import Action, Person, Run

SENDER_KEY = "reminder_sender"
NOTE_FLOW, POSTPONE_FLOW, MESSAGE_FLOW = "followup_note", "postpone", "owner_message"
LISTED_REMINDERS = 20
HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def sender(context: DDContext) -> ReminderSender:
    return context.application.bot_data[SENDER_KEY]


async def _cadence(svc: Services, action: Action) -> int:
    agreement = await svc.repos.agreements.agreement_of(action.meeting_id)
    return agreement.cadence_days if agreement else 14


async def _agreed(
    svc: Services, person: Person, payload: callbacks.Payload, *, as_follow_up: bool = False
) -> Action | None:
    """The agreed action a button names, if this person owns it (or follows it up)."""
    action = await svc.repos.agreements.action(payload.id_arg(0))
    if action is None or action.status != "agreed":
        return None
    return (
        action if (action.follow_up_id if as_follow_up else action.owner_id) == person.id else None
    )


async def on_answer(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """fa:<action>:<d|i|b|p> — Done / In progress / Blocked / Postpone (nudge or /myactions)."""
    svc = services(context)
    action = await _agreed(svc, person, payload)
    status = ANSWERS.get(payload.args[1]) if len(payload.args) == 2 else None
    if action is None or status is None:
        return svc.render.text(person, "error.button_expired")
    label = svc.render.text(person, f"since.status.{status}")
    if query.message is not None and query.message.text:
        await query.edit_message_text(f"{query.message.text_html}\n\n✓ {label}")
    flow = runner(context)
    if status == "postponed":
        await flow.start(context.bot, person, POSTPONE_FLOW, context={"action": action.id})
        return None
    await svc.repos.agreements.record_update(action.id, status, None, person.id, svc.clock())
    await svc.repos.reminders.answered(action.id)
    if status == "blocked":
        await sender(context).planner.escalation(action, "escalation", after=NOTE_GRACE)
    await flow.start(context.bot, person, NOTE_FLOW, context={"action": action.id})
    return Toast(svc.render.text(person, "followup.recorded", status=label))


def note_written(send: ReminderSender) -> FinishHook:
    """The optional note after an answer; a blocked owner's note sends the escalation now."""

    async def hook(flow_runner: FlowRunner, bot: Bot, person: Person, run: Run) -> None:
        svc = flow_runner.services
        note = run.state["answers"].get("note")
        action = await svc.repos.agreements.action(run.state["context"]["action"])
        if not note or action is None:
            return
        await svc.repos.agreements.add_note(action.id, person.id, note)
        latest = await svc.repos.agreements.latest_update(action.id)
        if latest is not None and latest.status == "blocked":
            await send.planner.escalate_now(action)

    return hook


def postponed(send: ReminderSender) -> FinishHook:
    """A new deadline: stored as the answer, and the nudges planned again up to it."""

    async def hook(flow_runner: FlowRunner, bot: Bot, person: Person, run: Run) -> None:
        svc = flow_runner.services
        action = await svc.repos.agreements.action(run.state["context"]["action"])
        if action is None or action.owner_id != person.id:
            return
        deadline = datetime.fromisoformat(run.state["answers"]["deadline"])
        note = svc.render.text(person, "followup.new_deadline", deadline=deadline)
        await svc.repos.agreements.record_update(
            action.id, "postponed", note, person.id, svc.clock()
        )
        await svc.repos.reminders.answered(action.id)
        await svc.repos.agreements.change_agreed(action, deadline_at=deadline)
        moved = await svc.repos.agreements.action(action.id)
        assert moved is not None
        await send.planner.action(moved, await _cadence(svc, moved))

    return hook


# The follow-up person's side ----------------------------------------------------------------


async def on_write_owner(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """fw:<action> — write to the owner of an escalated action."""
    svc = services(context)
    action = await _agreed(svc, person, payload, as_follow_up=True)
    if action is None or action.owner_id is None:
        return svc.render.text(person, "error.button_expired")
    await runner(context).start(context.bot, person, MESSAGE_FLOW, context={"action": action.id})
    return None


async def message_written(flow_runner: FlowRunner, bot: Bot, person: Person, run: Run) -> None:
    """Finish hook of owner_message: the follow-up person's words go to the owner."""
    svc = flow_runner.services
    action = await svc.repos.agreements.action(run.state["context"]["action"])
    owner = await svc.repos.people.get(action.owner_id) if action and action.owner_id else None
    if action is None or owner is None:
        return
    text = svc.render.text(
        owner, "followup.message_to_owner", name=person.display_name,
        description=action.description, text=run.state["answers"]["text"],
    )  # fmt: skip
    await FlowRunner.send(bot, owner, Screen(text, answer_buttons(svc, owner, action.id)))


async def on_reassign(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """fr:<action> asks to whom; ft:<action>:<member> gives the action to that member."""
    svc = services(context)
    action = await _agreed(svc, person, payload, as_follow_up=True)
    if action is None:
        return svc.render.text(person, "error.button_expired")
    members = await svc.repos.dialogues.members(action.meeting_id)
    if payload.action == callbacks.REASSIGN:
        rows = [
            [button(m.display_name, callbacks.encode(callbacks.REASSIGN_TO, action.id, m.id))]
            for m, role in members
            if m.id != action.owner_id and role != "observer"
        ]
        text = svc.render.text(person, "followup.reassign_to", description=action.description)
        await FlowRunner.send(context.bot, person, Screen(text, InlineKeyboardMarkup(rows)))
        return None
    new_owner = next((m for m, _ in members if m.id == payload.id_arg(1)), None)
    if new_owner is None:
        return svc.render.text(person, "error.button_expired")
    previous = await svc.repos.people.get(action.owner_id) if action.owner_id else None
    await svc.repos.agreements.change_agreed(action, owner_id=new_owner.id, owner_name=None)
    moved = await svc.repos.agreements.action(action.id)
    assert moved is not None
    await sender(context).planner.action(moved, await _cadence(svc, moved))
    await say(context, new_owner, "agreement.you_own", description=moved.description,
              deadline=moved.deadline_at, owner=new_owner.display_name,
              follow_up=moved.follow_up_name or "–")  # fmt: skip
    if previous is not None and previous.is_reachable:
        await say(context, previous, "followup.taken_over", description=moved.description,
                  name=new_owner.display_name)  # fmt: skip
    await settle_question(
        query, svc.render.text(person, "followup.reassigned", name=new_owner.display_name)
    )
    return None


# Commands -----------------------------------------------------------------------------------


async def on_myactions(update: Update, context: DDContext) -> None:
    """/myactions — my open actions, each with its status buttons."""
    person = await person_of(update, context)
    svc = services(context)
    mine = await svc.repos.agreements.open_actions_of(person.id)
    if not mine:
        await say(context, person, "followup.no_actions")
        return
    await say(context, person, "followup.my_actions_header", count=len(mine))
    for action, latest in mine:
        status = (
            svc.render.text(person, f"since.status.{latest.status}")
            if latest else svc.render.text(person, "since.no_update")
        )  # fmt: skip
        text = svc.render.text(
            person, "followup.my_action", description=action.description,
            deadline=action.deadline_at, status=status, follow_up=action.follow_up_name or "–",
        )  # fmt: skip
        await FlowRunner.send(
            context.bot, person, Screen(text, answer_buttons(svc, person, action.id))
        )


async def _led_meeting_ids(svc: Services, person: Person) -> list[int]:
    return [m.id for m, _ in await svc.repos.meetings.of_person(person.id, role="leader")]


async def on_reminders(update: Update, context: DDContext) -> None:
    """/reminders — what is scheduled for the meetings I lead, each with a cancel button."""
    person = await person_of(update, context)
    svc = services(context)
    led = await _led_meeting_ids(svc, person)
    if not led:
        await say(context, person, "status.not_leader")
        return
    scheduled = await svc.repos.reminders.scheduled_for(led, LISTED_REMINDERS)
    if not scheduled:
        await say(context, person, "followup.nothing_scheduled")
        return
    lines, rows = [svc.render.text(person, "followup.scheduled_header")], []
    for number, reminder in enumerate(scheduled, start=1):
        target = await svc.repos.people.get(reminder.user_id)
        lines.append(svc.render.text(
            person, "followup.scheduled_line", number=number,
            kind=svc.render.text(person, f"followup.kind.{reminder.kind}"),
            name=target.display_name if target else "–", due=reminder.due_at,
        ))  # fmt: skip
        data = callbacks.encode(callbacks.REMINDER_CANCEL, reminder.id)
        rows.append(
            [button(svc.render.text(person, "followup.button.cancel", number=number), data)]
        )
    await FlowRunner.send(context.bot, person, Screen("\n".join(lines), InlineKeyboardMarkup(rows)))


async def on_cancel_reminder(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """rx:<id> asks first; rxc:<id> cancels; rxk:<id> keeps it."""
    svc = services(context)
    reminder = await svc.repos.reminders.get(payload.id_arg(0))
    if (
        reminder is None
        or reminder.status != "scheduled"
        or reminder.meeting_id not in await _led_meeting_ids(svc, person)
    ):
        return svc.render.text(person, "error.button_expired")
    if payload.action == callbacks.REMINDER_CANCEL:
        markup = svc.render.confirm(
            person,
            callbacks.encode(callbacks.REMINDER_CANCEL_CONFIRM, reminder.id),
            callbacks.encode(callbacks.REMINDER_CANCEL_KEEP, reminder.id),
        )
        text = svc.render.text(person, "followup.cancel_confirm", due=reminder.due_at)
        await FlowRunner.send(context.bot, person, Screen(text, markup))
        return None
    if payload.action == callbacks.REMINDER_CANCEL_CONFIRM:
        await svc.repos.reminders.cancel(reminder_id=reminder.id)
        outcome = svc.render.text(person, "followup.cancelled_one", due=reminder.due_at)
    else:
        outcome = svc.render.text(person, "common.cancelled")
    await settle_question(query, outcome)
    return None


async def on_cancelmeeting(update: Update, context: DDContext) -> None:
    """/cancelmeeting — a planned meeting I lead is called off (asks first)."""
    person = await person_of(update, context)
    svc = services(context)
    led = await svc.repos.meetings.of_person(person.id, role="leader", not_before=svc.clock())
    planned = [m for m, _ in led if m.status == "planned"]
    if not planned:
        await say(context, person, "invite.none")
        return
    rows = [
        [
            button(
                f"{m.title} ({m.starts_at:%d.%m.%Y})",
                callbacks.encode(callbacks.MEETING_CANCEL, m.id),
            )
        ]
        for m in planned
    ]
    text = svc.render.text(person, "followup.cancel_which")
    await FlowRunner.send(context.bot, person, Screen(text, InlineKeyboardMarkup(rows)))


async def on_cancel_meeting_button(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """cm:<meeting> asks; cmc:<meeting> cancels it and its reminders; cmk keeps it."""
    svc = services(context)
    meeting = await svc.repos.meetings.get(payload.id_arg(0))
    if meeting is None or meeting.status != "planned" or meeting.created_by != person.id:
        return svc.render.text(person, "error.button_expired")
    if payload.action == callbacks.MEETING_CANCEL:
        markup = svc.render.confirm(
            person,
            callbacks.encode(callbacks.MEETING_CANCEL_CONFIRM, meeting.id),
            callbacks.encode(callbacks.MEETING_CANCEL_KEEP, meeting.id),
        )
        text = svc.render.text(person, "followup.cancel_meeting_confirm", title=meeting.title,
                               starts=meeting.starts_at)  # fmt: skip
        await FlowRunner.send(context.bot, person, Screen(text, markup))
        return None
    if payload.action == callbacks.MEETING_CANCEL_KEEP:
        await settle_question(query, svc.render.text(person, "common.cancelled"))
        return None
    await svc.repos.meetings.set_status(meeting.id, "cancelled")
    cancelled = await svc.repos.reminders.cancel(meeting_id=meeting.id)
    done = svc.render.text(person, "followup.meeting_cancelled", title=meeting.title,
                           count=cancelled)  # fmt: skip
    await settle_question(query, done)
    for member, _ in await svc.repos.dialogues.members(meeting.id):
        if member.id != person.id and member.is_reachable:
            await say(context, member, "followup.meeting_called_off", title=meeting.title,
                      starts=meeting.starts_at)  # fmt: skip
    return None


async def on_timezone(update: Update, context: DDContext) -> None:
    """/timezone Europe/London — the zone my reminders and dates are shown in."""
    person = await person_of(update, context)
    svc = services(context)
    args = context.args or []
    if not args:
        await say(context, person, "followup.timezone_current", zone=person.time_zone)
        return
    try:
        ZoneInfo(args[0])
    except (ZoneInfoNotFoundError, ValueError):
        await say(context, person, "followup.timezone_usage")
        return
    changed = await svc.repos.people.set_time_zone(person, args[0])
    await say(context, changed, "followup.timezone_set", zone=args[0])


async def on_workhours(update: Update, context: DDContext) -> None:
    """/workhours 08:00 16:00 — when reminders may reach me on weekdays."""
    person = await person_of(update, context)
    svc = services(context)
    args = context.args or []
    if not args:
        await say(
            context,
            person,
            "followup.workhours_current",
            start=person.work_start,
            end=person.work_end,
        )
        return
    if len(args) != 2 or not all(HOURS.match(a) for a in args) or args[0] >= args[1]:
        await say(context, person, "followup.workhours_usage")
        return
    changed = await svc.repos.people.set_working_hours(person, args[0], args[1])
    await say(context, changed, "followup.workhours_set", start=args[0], end=args[1])


BUTTONS: dict[str, ButtonHandler] = {
    callbacks.FOLLOW_ANSWER: on_answer,
    callbacks.WRITE_OWNER: on_write_owner,
    callbacks.REASSIGN: on_reassign,
    callbacks.REASSIGN_TO: on_reassign,
    callbacks.REMINDER_CANCEL: on_cancel_reminder,
    callbacks.REMINDER_CANCEL_CONFIRM: on_cancel_reminder,
    callbacks.REMINDER_CANCEL_KEEP: on_cancel_reminder,
    callbacks.MEETING_CANCEL: on_cancel_meeting_button,
    callbacks.MEETING_CANCEL_CONFIRM: on_cancel_meeting_button,
    callbacks.MEETING_CANCEL_KEEP: on_cancel_meeting_button,
}

"""/myactions for owners; /reminders and /cancelmeeting for leaders (both ask before they
cancel anything)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Update

from bot.core import guard
from bot.core.payloads import Choice, Payload, encode
from bot.core.people import person_of
from bot.core.render import Screen, button
from bot.core.send import ask_first, edit_quietly, say, send, settle_question
from bot.core.services import DDContext, Services, services
from bot.follow_up.notices import answer_buttons
from storage.records import Meeting, Person

REMINDER_CANCEL = "rx"
REMINDERS_PAGE = "rp"
MEETING_CANCEL = "cm"
REMINDERS_PER_PAGE = 8
CANCELS_PER_ROW = 4


async def on_myactions(update: Update, context: DDContext) -> None:
    """/myactions — my open actions, each with its status buttons."""
    person = await person_of(update, context)
    svc = services(context)
    mine = await svc.repos.agreements.open_actions_of(person.id)
    if not mine:
        await say(svc, person, "followup.no_actions")
        return
    await say(svc, person, "followup.my_actions_header", count=len(mine))
    for action, latest in mine:
        status = (
            svc.render.text(person, f"since.status.{latest.status}")
            if latest else svc.render.text(person, "since.no_update")
        )  # fmt: skip
        text = svc.render.text(
            person, "followup.my_action", description=action.description,
            deadline=action.deadline_at, status=status, follow_up=action.follow_up_name or "–",
        )  # fmt: skip
        await send(svc.bot, person, Screen(text, answer_buttons(svc, person, action.id, latest)))


async def _led_meeting_ids(svc: Services, person: Person) -> list[int]:
    return [m.id for m, _ in await svc.repos.meetings.of_person(person.id, role="leader")]


async def on_reminders(update: Update, context: DDContext) -> None:
    """/reminders — what is scheduled for the meetings I lead, a page at a time, each with a
    cancel button."""
    person = await person_of(update, context)
    svc = services(context)
    led = await _led_meeting_ids(svc, person)
    if not led:
        await say(svc, person, "status.not_leader")
        return
    screen = await _reminders_page(svc, person, led, 0)
    if screen is None:
        await say(svc, person, "followup.nothing_scheduled")
        return
    await send(svc.bot, person, screen)


async def on_reminders_page(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """rp:<page> — another page of /reminders, in the same message."""
    svc = services(context)
    led = await _led_meeting_ids(svc, person)
    screen = await _reminders_page(svc, person, led, payload.id_arg(0)) if led else None
    guard.check(screen is not None and query.message is not None)
    assert screen is not None
    assert query.message is not None
    await edit_quietly(svc.bot, person.telegram_id, query.message.message_id, screen)
    return None


async def _reminders_page(
    svc: Services, person: Person, meeting_ids: list[int], page: int
) -> Screen | None:
    first = page * REMINDERS_PER_PAGE
    scheduled, total = await svc.repos.reminders.scheduled_for(
        meeting_ids, REMINDERS_PER_PAGE, offset=first
    )
    if not scheduled:
        return None
    header = svc.render.text(person, "followup.scheduled_header", first=first + 1,
                             last=first + len(scheduled), total=total)  # fmt: skip
    lines, cancels = [header], []
    for number, reminder in enumerate(scheduled, start=first + 1):
        target = await svc.repos.people.get(reminder.user_id)
        lines.append(svc.render.text(
            person, "followup.scheduled_line", number=number,
            kind=svc.render.text(person, f"followup.kind.{reminder.kind}"),
            name=target.display_name if target else "–", due=reminder.due_at,
        ))  # fmt: skip
        label = svc.render.text(person, "followup.button.cancel", number=number)
        cancels.append(button(label, encode(REMINDER_CANCEL, reminder.id)))
    rows = [cancels[i : i + CANCELS_PER_ROW] for i in range(0, len(cancels), CANCELS_PER_ROW)]
    turns = []
    if page > 0:
        turns.append(button(svc.render.text(person, "followup.button.newer"),
                            encode(REMINDERS_PAGE, page - 1)))  # fmt: skip
    if first + len(scheduled) < total:
        turns.append(button(svc.render.text(person, "followup.button.later"),
                            encode(REMINDERS_PAGE, page + 1)))  # fmt: skip
    if turns:
        rows.append(turns)
    return Screen("\n".join(lines), InlineKeyboardMarkup(rows))


async def on_cancel_reminder(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """rx:<id> asks first; rx:<id>:y cancels; rx:<id>:n keeps it."""
    svc = services(context)
    reminder = await svc.repos.reminders.get(payload.id_arg(0))
    guard.check(
        reminder is not None
        and reminder.status == "scheduled"
        and reminder.meeting_id in await _led_meeting_ids(svc, person)
    )
    assert reminder is not None
    choice = payload.choice()
    if choice is Choice.ASK:
        question = svc.render.text(person, "followup.cancel_confirm", due=reminder.due_at)
        await ask_first(svc, person, question, REMINDER_CANCEL, reminder.id)
        return None
    if choice is Choice.CONFIRM:
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
        await say(svc, person, "invite.none")
        return
    rows = [[button(f"{m.title} ({local_date(m)})", encode(MEETING_CANCEL, m.id))] for m in planned]
    text = svc.render.text(person, "followup.cancel_which")
    await send(svc.bot, person, Screen(text, InlineKeyboardMarkup(rows)))


def local_date(meeting: Meeting) -> str:
    return f"{meeting.starts_at.astimezone(ZoneInfo(meeting.time_zone)):%d.%m.%Y}"


async def on_cancel_meeting_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """cm:<meeting> asks; cm:<meeting>:y cancels it and its reminders; cm:<meeting>:n keeps it."""
    svc = services(context)
    meeting = await guard.meeting(svc, payload.id_arg(0))
    guard.check(meeting.status == "planned" and meeting.created_by == person.id)
    dialogue = await svc.repos.dialogues.get(meeting.id)
    guard.check(
        meeting.starts_at > svc.clock() and (dialogue is None or dialogue.started_at is None)
    )  # a meeting under way is ended in the group, not called off
    choice = payload.choice()
    if choice is Choice.ASK:
        question = svc.render.text(person, "followup.cancel_meeting_confirm",
                                   title=meeting.title, starts=meeting.starts_at)  # fmt: skip
        await ask_first(svc, person, question, MEETING_CANCEL, meeting.id)
        return None
    if choice is Choice.KEEP:
        await settle_question(query, svc.render.text(person, "common.cancelled"))
        return None
    await svc.repos.meetings.set_status(meeting.id, "cancelled")
    cancelled = await svc.repos.reminders.cancel(meeting_id=meeting.id)
    done = svc.render.text(person, "followup.meeting_cancelled", title=meeting.title,
                           count=cancelled)  # fmt: skip
    await settle_question(query, done)
    for member, _ in await svc.repos.dialogues.members(meeting.id):
        if member.id != person.id and member.is_reachable:
            await say(svc, member, "followup.meeting_called_off", title=meeting.title,
                      starts=meeting.starts_at)  # fmt: skip
    return None

"""Since last time: each action of the previous agreement, how it went, and what we decide.

The owner's newest follow-up answer is shown as it stands; the group records its own review
(achieved / partly / not achieved), a decision (continue / adjust / drop) and, by replying to
the message, what it learned.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup

from bot import callbacks
from bot.context import DDContext, Services
from bot.handlers.common import ButtonHandler, Toast
from bot.meeting.kit import Kit, kit
from bot.meeting.live import DRIVERS, Live, load
from bot.render import Screen, button
from storage.records import PastAction, Person

REPLY_KIND = "learning"
OUTCOMES = {"a": "achieved", "p": "partly", "n": "not_achieved"}
DECISIONS = {"c": "continue", "j": "adjust", "x": "drop"}
MAX_LEARNING_CHARS = 1000


async def post_actions(kit: Kit, live: Live) -> None:
    svc = kit.svc
    past = await svc.repos.agreements.past_actions(live.meeting.id)
    if not past:
        await kit.bot.send_message(live.chat_id, svc.render.text(live.audience, "since.none"))
        return
    header = svc.render.text(live.audience, "since.header", count=len(past))
    await kit.bot.send_message(live.chat_id, header)
    for number, item in enumerate(past, start=1):
        sent = await kit.post(live.chat_id, review_screen(svc, live, item, number))
        await svc.repos.dialogues.remember_reply_target(
            live.chat_id, sent.message_id, REPLY_KIND, item.action.id
        )


def review_screen(svc: Services, live: Live, item: PastAction, number: int) -> Screen:
    render, reader, action = svc.render, live.audience, item.action
    if item.latest_update is None:
        status = render.text(reader, "since.no_update")
    else:
        label = render.text(reader, f"since.status.{item.latest_update.status}")
        status = render.text(
            reader,
            "since.update",
            status=label,
            note=item.latest_update.note or "–",
            when=item.latest_update.reported_at,
        )
    review = item.review
    text = render.text(
        reader,
        "since.action",
        number=number,
        description=action.description,
        owner=action.owner_name or "–",
        follow_up=action.follow_up_name or "–",
        deadline=action.deadline_at,
        status=status,
        learning=(review.learning if review and review.learning else "–"),
    )
    chosen = {review.outcome, review.decision} if review else set()

    def choice(field: str, code: str, value: str) -> object:
        label = render.text(reader, f"since.choice.{value}")
        data = callbacks.encode(callbacks.REVIEW, action.id, field, code)
        return button(f"✓ {label}" if value in chosen else label, data)

    rows = [
        [choice("o", code, value) for code, value in OUTCOMES.items()],
        [choice("d", code, value) for code, value in DECISIONS.items()],
    ]
    return Screen(text, InlineKeyboardMarkup(rows))


async def _reviewing(
    tools: Kit, person: Person, action_id: int
) -> tuple[Live, PastAction, int] | str:
    """The meeting reviewing the action, the action, its number; or the refusal text."""
    svc = tools.svc
    action = await svc.repos.agreements.action(action_id)
    agreement = await svc.repos.agreements.agreement_of(action.meeting_id) if action else None
    live = (
        await load(svc, agreement.next_meeting_id)
        if agreement and agreement.next_meeting_id
        else None
    )
    if live is None:
        return svc.render.text(person, "error.button_expired")
    if await svc.repos.meetings.role_of(live.meeting.id, person.id) not in DRIVERS:
        return svc.render.text(person, "dialogue.only_drivers")
    past = await svc.repos.agreements.past_actions(live.meeting.id)
    for number, item in enumerate(past, start=1):
        if item.action.id == action_id:
            return live, item, number
    return svc.render.text(person, "error.button_expired")


async def on_review_button(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """rv:<action>:<o|d>:<code>"""
    tools = kit(context)
    svc = tools.svc
    try:
        action_id, field, code = payload.int_arg(0), payload.args[1], payload.args[2]
        value = {"o": OUTCOMES, "d": DECISIONS}[field][code]
    except (ValueError, IndexError, KeyError):
        return svc.render.text(person, "error.button_expired")
    found = await _reviewing(tools, person, action_id)
    if isinstance(found, str):
        return found
    live = found[0]
    column = "outcome" if field == "o" else "decision"
    await svc.repos.agreements.record_review(
        action_id, live.meeting.id, person.id, svc.clock(), **{column: value}
    )
    await _redraw(tools, person, action_id, query.message.message_id if query.message else None)
    return Toast(svc.render.text(person, "since.recorded"))


async def on_learning_reply(
    tools: Kit, person: Person, action_id: int, message_id: int, text: str
) -> str | None:
    """A reply to an action's message: what the group learned. Returns a refusal, or None."""
    svc = tools.svc
    found = await _reviewing(tools, person, action_id)
    if isinstance(found, str):
        return found
    if len(text) > MAX_LEARNING_CHARS:
        return svc.render.text(
            person, "error.text_too_long", max=MAX_LEARNING_CHARS, length=len(text)
        )
    await svc.repos.agreements.record_review(
        action_id, found[0].meeting.id, person.id, svc.clock(), learning=text
    )
    await _redraw(tools, person, action_id, message_id)
    return None


async def _redraw(tools: Kit, person: Person, action_id: int, message_id: int | None) -> None:
    found = await _reviewing(tools, person, action_id)
    if isinstance(found, str) or message_id is None:
        return
    live, item, number = found
    await tools.edit(live.chat_id, message_id, review_screen(tools.svc, live, item, number))


BUTTONS: dict[str, ButtonHandler] = {callbacks.REVIEW: on_review_button}

"""Since last time: each action of the previous agreement, how it went, and what we decide.

The owner's newest follow-up answer is shown as it stands; the group records its own review
(achieved / partly / not achieved), a decision (continue / adjust / drop) and, by replying to
the message, what it learned.
"""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup

from bot.core import guard
from bot.core.guard import DRIVERS, Toast
from bot.core.payloads import Payload, encode
from bot.core.render import Screen, button
from bot.core.send import edit_quietly, post
from bot.core.services import DDContext, Services, services
from bot.meeting.live import Live, load
from storage.records import PastAction, Person

REVIEW = "rv"

REPLY_KIND = "learning"
OUTCOMES = {"a": "achieved", "p": "partly", "n": "not_achieved"}
DECISIONS = {"c": "continue", "j": "adjust", "x": "drop"}
MAX_LEARNING_CHARS = 1000


async def post_actions(svc: Services, live: Live) -> None:
    past = await svc.repos.agreements.past_actions(live.meeting.id)
    if not past:
        await svc.bot.send_message(live.chat_id, svc.render.text(live.audience, "since.none"))
        return
    header = svc.render.text(live.audience, "since.header", count=len(past))
    await svc.bot.send_message(live.chat_id, header)
    for number, item in enumerate(past, start=1):
        sent = await post(svc.bot, live.chat_id, review_screen(svc, live, item, number))
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
        data = encode(REVIEW, action.id, field, code)
        return button(f"✓ {label}" if value in chosen else label, data)

    rows = [
        [choice("o", code, value) for code, value in OUTCOMES.items()],
        [choice("d", code, value) for code, value in DECISIONS.items()],
    ]
    return Screen(text, InlineKeyboardMarkup(rows))


async def _reviewing(svc: Services, person: Person, action_id: int) -> tuple[Live, PastAction, int]:
    """The meeting reviewing the action, the action, and its number there."""
    action = await svc.repos.agreements.action(action_id) if action_id else None
    agreement = await svc.repos.agreements.agreement_of(action.meeting_id) if action else None
    live = await load(svc, agreement.next_meeting_id or 0) if agreement else None
    guard.check(live is not None and live.dialogue.finished_at is None)
    assert live is not None
    await guard.role_in(svc, live.meeting.id, person, DRIVERS)
    past = await svc.repos.agreements.past_actions(live.meeting.id)
    for number, item in enumerate(past, start=1):
        if item.action.id == action_id:
            return live, item, number
    raise guard.Refused()


async def on_review_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """rv:<action>:<o|d>:<code>"""
    svc = services(context)
    guard.check(len(payload.args) == 3)
    field, code = payload.args[1], payload.args[2]
    value = {"o": OUTCOMES, "d": DECISIONS}.get(field, {}).get(code)
    guard.check(value)
    live = (await _reviewing(svc, person, payload.id_arg(0)))[0]
    column = "outcome" if field == "o" else "decision"
    await svc.repos.agreements.record_review(
        payload.id_arg(0), live.meeting.id, person.id, svc.clock(), **{column: value}
    )
    message_id = query.message.message_id if query.message else None
    await _redraw(svc, person, payload.id_arg(0), message_id)
    return Toast(svc.render.text(person, "since.recorded"))


async def on_learning_reply(
    svc: Services, person: Person, action_id: int, message_id: int, text: str
) -> str | None:
    """A reply to an action's message: what the group learned. Returns a refusal, or None."""
    live = (await _reviewing(svc, person, action_id))[0]
    if len(text) > MAX_LEARNING_CHARS:
        return svc.render.text(
            person, "error.text_too_long", max=MAX_LEARNING_CHARS, length=len(text)
        )
    await svc.repos.agreements.record_review(
        action_id, live.meeting.id, person.id, svc.clock(), learning=text
    )
    await _redraw(svc, person, action_id, message_id)
    return None


async def _redraw(svc: Services, person: Person, action_id: int, message_id: int | None) -> None:
    if message_id is None:
        return
    live, item, number = await _reviewing(svc, person, action_id)
    await edit_quietly(svc.bot, live.chat_id, message_id, review_screen(svc, live, item, number))

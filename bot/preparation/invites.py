"""/invites for the leader: the invitation links again; withdrawing one (asks first) issues a
fresh link at once, so people who should come can still join."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update

from bot.core import guard
from bot.core.links import start_link
from bot.core.payloads import Choice, Payload, encode
from bot.core.people import person_of
from bot.core.render import Screen, button
from bot.core.send import ask_first, say, send, settle_question
from bot.core.services import DDContext, Services, services
from storage.records import Invite, Meeting, Person

REVOKE = "iv"


async def on_invites(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    svc = services(context)
    now = svc.clock()
    led = await svc.repos.meetings.of_person(person.id, role="leader", not_before=now)
    if not led:
        await say(svc, person, "invite.none")
        return
    for meeting, _ in led:
        invites = await svc.repos.invites.usable_for_meeting(meeting.id, now)
        await _send_invites(svc, person, meeting, invites)


async def _send_invites(
    svc: Services, person: Person, meeting: Meeting, invites: list[Invite]
) -> None:
    render = svc.render
    lines = [render.text(person, "invite.list_header", title=meeting.title)]
    rows = []
    for invite in invites:
        role = render.text(person, f"role.{invite.role}")
        link = start_link(svc.bot, invite.token)
        lines.append(
            render.text(person, "invite.line", role=role, link=link, expires=invite.expires_at)
        )
        label = render.text(person, "invite.revoke_button", role=role)
        rows.append([button(label, encode(REVOKE, invite.id))])
    markup = InlineKeyboardMarkup(rows) if rows else None
    await send(svc.bot, person, Screen("\n\n".join(lines), markup))


async def on_revoke_button(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """iv:<invite> asks; iv:<invite>:y withdraws it and issues a fresh one; :n keeps it."""
    svc = services(context)
    invite = await svc.repos.invites.get(payload.id_arg(0)) if payload.id_arg(0) else None
    guard.check(invite is not None and invite.revoked_at is None)
    assert invite is not None
    await guard.role_in(svc, invite.meeting_id, person, ("leader",), refusal=guard.STALE)
    choice = payload.choice()
    if choice is Choice.KEEP:
        await settle_question(query, svc.render.text(person, "common.cancelled"))
        return None
    role = svc.render.text(person, f"role.{invite.role}")
    if choice is Choice.ASK:
        question = svc.render.text(person, "invite.revoke_confirm", role=role)
        await ask_first(svc, person, question, REVOKE, invite.id)
        return None
    now = svc.clock()
    await svc.repos.invites.revoke(invite, now)
    fresh = await svc.repos.invites.issue(
        invite.meeting_id, invite.role, expires_at=invite.expires_at, now=now,
        max_uses=invite.max_uses,
    )  # fmt: skip
    link = start_link(svc.bot, fresh.token)
    await settle_question(
        query, svc.render.text(person, "invite.revoked_done", role=role, link=link)
    )
    return None

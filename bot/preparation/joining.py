"""/start: a welcome, or joining a meeting from an invitation link; /meetings lists mine."""

from __future__ import annotations

from telegram import Update

from bot.core.people import person_of
from bot.core.render import Screen
from bot.core.send import say, send
from bot.core.services import DDContext, Services, services
from bot.follow_up.ownership import accept_part
from bot.follow_up.planning import FollowUpPlanner
from bot.preparation.prep import open_prep
from storage.records import Person
from storage.repositories.invites import Redemption

MAX_TOKEN_CHARS = 64
"""Telegram's limit on a deep link's payload."""
_REDEEM_REFUSALS = {
    "unknown": "invite.unknown",
    "expired": "invite.expired",
    "revoked": "invite.revoked",
    "used_up": "invite.used_up",
}


async def on_start(update: Update, context: DDContext) -> None:
    """/start, or /start <token> from an invitation link."""
    person = await person_of(update, context)
    svc = services(context)
    if not context.args:
        name = update.effective_user.first_name if update.effective_user else ""
        await say(svc, person, "start.welcome", name=name)
        return
    await join_by_token(svc, person, context.args[0])


async def join_by_token(svc: Services, person: Person, token: str) -> None:
    redemption = await svc.repos.invites.redeem(token[:MAX_TOKEN_CHARS], person, svc.clock())
    if redemption.status in _REDEEM_REFUSALS:
        await say(svc, person, _REDEEM_REFUSALS[redemption.status])
    elif redemption.action_id is not None:  # an owner or follow-up link from an agreement
        await accept_part(svc, person, redemption.action_id, redemption.status)
    else:
        await _join_meeting(svc, person, redemption)


async def _join_meeting(svc: Services, person: Person, redemption: Redemption) -> None:
    assert redemption.meeting_id is not None
    assert redemption.role is not None
    meeting = await svc.repos.meetings.get(redemption.meeting_id)
    assert meeting is not None
    role = svc.render.text(person, f"role.{redemption.role}")
    if redemption.status == "already_member":
        await say(svc, person, "start.already_member", title=meeting.title, role=role)
    else:
        await say(svc, person, "start.joined", title=meeting.title, team=meeting.team_name,
                  role=role, starts=meeting.starts_at,
                  deadline=meeting.prep_deadline_at)  # fmt: skip
        if redemption.role == "referent":
            await say(svc, person, "start.joined_referent")
        if redemption.role == "participant":
            await svc.part(FollowUpPlanner).preparation(meeting, person)
    await open_prep(svc, person, meeting, redemption.role)


async def on_meetings(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    svc = services(context)
    mine = await svc.repos.meetings.of_person(person.id)
    if not mine:
        await say(svc, person, "meetings.none")
        return
    lines = [svc.render.text(person, "meetings.header")]
    for meeting, role in mine:
        lines.append(
            svc.render.text(person, "meetings.line", title=meeting.title, team=meeting.team_name,
                            role=svc.render.text(person, f"role.{role}"), starts=meeting.starts_at,
                            number=meeting.id)
        )  # fmt: skip
    await send(svc.bot, person, Screen("\n".join(lines)))

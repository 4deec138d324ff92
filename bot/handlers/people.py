"""Commands about the person themselves: welcome and joining by link, help, meetings, language."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.context import DDContext, services
from bot.follow_up.answers import sender
from bot.handlers.common import RECENT, ButtonHandler, person_of, say
from bot.handlers.meetings import open_prep
from bot.render import Screen, button
from bot.runner import FlowRunner
from flows.i18n import LANGUAGES
from storage.records import Person

_REDEEM_REFUSALS = {
    "unknown": "invite.unknown",
    "expired": "invite.expired",
    "revoked": "invite.revoked",
    "used_up": "invite.used_up",
}


async def on_start(update: Update, context: DDContext) -> None:
    """/start, or /start <token> from an invitation link."""
    person = await person_of(update, context)
    if not context.args:
        name = update.effective_user.first_name if update.effective_user else ""
        await say(context, person, "start.welcome", name=name)
        return
    await join_by_token(context, person, context.args[0])


async def join_by_token(context: DDContext, person: Person, token: str) -> None:
    svc = services(context)
    redemption = await svc.repos.invites.redeem(token[:64], person, svc.clock())
    if redemption.status in _REDEEM_REFUSALS:
        await say(context, person, _REDEEM_REFUSALS[redemption.status])
        return
    assert redemption.meeting_id is not None
    assert redemption.role is not None
    if redemption.action_id is not None:
        await _accept_ownership(context, person, redemption.action_id, redemption.status)
        return
    meeting = await svc.repos.meetings.get(redemption.meeting_id)
    assert meeting is not None
    role = svc.render.text(person, f"role.{redemption.role}")
    if redemption.status == "already_member":
        await say(context, person, "start.already_member", title=meeting.title, role=role)
    else:
        await say(
            context,
            person,
            "start.joined",
            title=meeting.title,
            team=meeting.team_name,
            role=role,
            starts=meeting.starts_at,
            deadline=meeting.prep_deadline_at,
        )
        if redemption.role == "referent":
            await say(context, person, "start.joined_referent")
        if redemption.role == "participant":
            await sender(context).planner.preparation(meeting, person)
    await open_prep(context, person, meeting, redemption.role)


async def _accept_ownership(
    context: DDContext, person: Person, action_id: int, status: str
) -> None:
    """An owner link from an agreement: this person now owns the action and gets its nudges."""
    svc = services(context)
    action = await svc.repos.agreements.action(action_id)
    assert action is not None
    meeting = await svc.repos.meetings.get(action.meeting_id)
    assert meeting is not None
    key = "owner.accepted" if status == "owner" else "owner.already"
    await say(
        context,
        person,
        key,
        description=action.description,
        deadline=action.deadline_at,
        team=meeting.team_name,
        follow_up=action.follow_up_name or "–",
    )
    if status == "owner":
        agreement = await svc.repos.agreements.agreement_of(action.meeting_id)
        owned = await svc.repos.agreements.action(action_id)
        assert owned is not None
        await sender(context).planner.action(owned, agreement.cadence_days if agreement else 14)
    leader = await svc.repos.people.get(meeting.created_by)
    if status == "owner" and leader is not None:
        await say(
            context,
            leader,
            "owner.leader_told",
            name=person.display_name,
            description=action.description,
        )


async def on_help(update: Update, context: DDContext) -> None:
    """What this person can do, by the roles they hold in current meetings."""
    person = await person_of(update, context)
    svc = services(context)
    mine = await svc.repos.meetings.of_person(person.id, not_before=svc.clock() - RECENT)
    roles = {role for _, role in mine}
    blocks = [svc.render.text(person, "help.header"), svc.render.text(person, "help.everyone")]
    blocks += [
        svc.render.text(person, f"help.{r}")
        for r in ("leader", "referent", "participant")
        if r in roles
    ]
    if roles & {"leader", "referent"}:
        blocks.append(svc.render.text(person, "help.group"))
    await FlowRunner.send(context.bot, person, Screen("\n\n".join(blocks)))


async def on_meetings(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    svc = services(context)
    mine = await svc.repos.meetings.of_person(person.id)
    if not mine:
        await say(context, person, "meetings.none")
        return
    lines = [svc.render.text(person, "meetings.header")]
    for meeting, role in mine:
        lines.append(
            svc.render.text(
                person,
                "meetings.line",
                title=meeting.title,
                team=meeting.team_name,
                role=svc.render.text(person, f"role.{role}"),
                starts=meeting.starts_at,
            )
        )
    await FlowRunner.send(context.bot, person, Screen("\n".join(lines)))


async def on_language(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    render = services(context).render
    row = [
        button(render.text(person, f"language.{code}"), callbacks.encode(callbacks.LANGUAGE, code))
        for code in LANGUAGES
    ]
    text = render.text(person, "language.prompt")
    await FlowRunner.send(context.bot, person, Screen(text, InlineKeyboardMarkup([row])))


async def on_language_button(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    svc = services(context)
    if payload.args not in ((code,) for code in LANGUAGES):
        return svc.render.text(person, "error.button_expired")
    changed = await svc.repos.people.set_language(person, payload.args[0])
    await query.edit_message_text(svc.render.text(changed, "language.changed"))
    return None


async def on_cancel(update: Update, context: DDContext) -> None:
    """Stop a command flow such as /newmeeting. Preparation is never thrown away here."""
    person = await person_of(update, context)
    svc = services(context)
    runs = await svc.repos.runs.open_for(person.id)
    command_runs = [run for run in runs if run.meeting_id is None]
    for run in command_runs:
        await svc.repos.runs.close(run, svc.clock())
    await say(context, person, "common.cancelled" if command_runs else "common.nothing_to_cancel")


async def on_unknown_command(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    await say(context, person, "error.unknown_command")


BUTTONS: dict[str, ButtonHandler] = {callbacks.LANGUAGE: on_language_button}

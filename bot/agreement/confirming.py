"""Confirming the agreement: check the draft is whole, store it with the next meeting, then
share it: the owner links for people outside the group, the post in the group, a word to each
owner and follow-up person, follow-up planning, the closing round, and the panel."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import CallbackQuery
from telegram.error import Forbidden

from bot.agreement.draft import AGREEMENT_FLOW, drafting
from bot.agreement.next_meeting import plan_next_meeting
from bot.core import guard
from bot.core.guard import DRIVERS, Refused
from bot.core.links import start_link
from bot.core.payloads import Payload
from bot.core.render import Screen, split_blocks
from bot.core.send import send, settle_question
from bot.core.services import DDContext, Services, services
from bot.follow_up.planning import FollowUpPlanner
from bot.meeting.live import Live, linked, load
from bot.meeting.timers import timers
from storage.records import Action, Agreement, Person, Run
from storage.repositories.agreements import AgreementText

log = logging.getLogger(__name__)
TAKEAWAY_FLOW = "takeaway"
OWNER_LINK_VALID = timedelta(days=14)
CADENCE_DAYS = {"days_7": 7, "days_14": 14, "days_28": 28}
CLOSING_ROUND_ROLES = ("participant", "referent")
SHARING_TAKES = timedelta(minutes=1)
"""An agreement confirmed longer ago than this and still unshared was cut short by a stop."""


async def on_confirm(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """ac:<meeting> — check the draft is complete, then store and share it. Tapped again after
    a stop cut the sharing short, it finishes the sharing."""
    svc = services(context)
    stored = await svc.repos.agreements.agreement_of(payload.id_arg(0))
    if stored is not None and _left_unshared(stored, svc.clock()):
        live = await linked(svc, stored.meeting_id)
        await guard.role_in(svc, live.meeting.id, person, DRIVERS)
        await share_stored(svc, person, live, stored)
        return None
    live = await drafting(svc, person, payload.id_arg(0))
    run = await svc.repos.runs.latest_for(person.id, live.meeting.id, AGREEMENT_FLOW)
    actions = await svc.repos.agreements.actions_of(live.meeting.id, "draft")
    problem = _incomplete(run, actions, svc.clock())
    if problem:
        raise Refused(problem)
    assert run is not None
    text = agreement_text(run.state["answers"])
    now = svc.clock()
    agreement = await svc.repos.agreements.confirm(
        live.meeting, text, person.id, now,
        next_meeting=plan_next_meeting(live.meeting, text.next_meeting_at, now),
    )  # fmt: skip
    if agreement is None:
        raise Refused("agreement.already_confirmed")
    await settle_question(query, svc.render.text(person, "agreement.confirmed"))
    await share(svc, person, live, agreement, text)
    return None


def _left_unshared(agreement: Agreement, now: datetime) -> bool:
    """Confirmed but not shared, and not being shared right now by another tap."""
    return agreement.shared_at is None and now - agreement.confirmed_at > SHARING_TAKES


def agreement_text(answers: dict) -> AgreementText:
    return AgreementText(
        short_goal=answers["short_goal"],
        long_goal=answers["long_goal"],
        horizon_months=round(answers["horizon"]),
        data_signal=answers["data_signal"],
        next_meeting_at=datetime.fromisoformat(answers["next_meeting"]),
        cadence_days=CADENCE_DAYS[answers["cadence"]],
    )


def _incomplete(run: Run | None, actions: list[Action], now: datetime) -> str | None:
    if run is None or run.status != "finished":
        return "agreement.fields_missing"
    if not actions:
        return "agreement.no_actions_yet"
    if any(not a.owner_name or not a.follow_up_name for a in actions):
        return "agreement.incomplete"
    if datetime.fromisoformat(run.state["answers"]["next_meeting"]) <= now:
        return "agreement.next_meeting_past"
    return None


async def share(
    svc: Services, drafter: Person, live: Live, agreement: Agreement, text: AgreementText
) -> None:
    """Everything that follows a stored agreement: first what is stored (the follow-up plan),
    then the messages, so a group that can no longer be reached loses no reminder."""
    agreed = await svc.repos.agreements.actions_of(live.meeting.id, "agreed")
    await svc.part(FollowUpPlanner).agreement(agreement, agreed)
    await _hand_out_links(svc, drafter, live, agreed)
    try:
        for block in split_blocks(agreement_blocks(svc, live.audience, live, text, agreed)):
            await svc.bot.send_message(live.chat_id, block)
    except Forbidden:  # the bot was removed from the group; the people hear in private
        log.warning("meeting %s: the agreement could not be posted in its group", live.meeting.id)
    await _tell_owners(svc, agreed)
    await _closing_round(svc, live)
    await timers(svc).refresh(live.meeting.id, "panel")
    await svc.repos.agreements.mark_shared(live.meeting.id, svc.clock())


async def share_left_agreements(svc: Services) -> int:
    """At start-up: plan and post every agreement a stop left confirmed but unshared."""
    shared = 0
    for agreement in await svc.repos.agreements.unshared():
        live = await load(svc, agreement.meeting_id)
        drafter = await svc.repos.people.get(agreement.drafted_by or 0)
        if live is None or drafter is None:
            continue
        await share_stored(svc, drafter, live, agreement)
        shared += 1
    if shared:
        log.warning("shared %d agreements a stop had left half-done", shared)
    return shared


async def share_stored(svc: Services, drafter: Person, live: Live, agreement: Agreement) -> None:
    following = await svc.repos.meetings.get(agreement.next_meeting_id or 0)
    next_at = following.starts_at if following else agreement.confirmed_at
    await share(svc, drafter, live, agreement, stored_text(agreement, next_at))


def stored_text(agreement: Agreement, next_meeting_at: datetime) -> AgreementText:
    return AgreementText(
        short_goal=agreement.short_goal,
        long_goal=agreement.long_goal,
        horizon_months=agreement.horizon_months,
        data_signal=agreement.data_signal,
        next_meeting_at=next_meeting_at,
        cadence_days=agreement.cadence_days,
    )


def agreement_blocks(
    svc: Services, reader: Person, live: Live, text: AgreementText, actions: list[Action]
) -> list[str]:
    """The confirmed agreement as self-contained HTML blocks (split under Telegram's limit)."""
    render = svc.render
    blocks = [
        render.text(reader, "agreement.posted", title=live.meeting.title,
                    short_goal=text.short_goal, long_goal=text.long_goal,
                    horizon=text.horizon_months, data_signal=text.data_signal,
                    next_meeting=text.next_meeting_at),
        render.text(reader, "agreement.actions_header"),
    ]  # fmt: skip
    for number, action in enumerate(actions, start=1):
        blocks.append(
            render.text(reader, "agreement.action_line", number=number,
                        description=action.description, owner=action.owner_name or "–",
                        follow_up=action.follow_up_name or "–", deadline=action.deadline_at)
        )  # fmt: skip
    return blocks


async def _hand_out_links(
    svc: Services, drafter: Person, live: Live, actions: list[Action]
) -> None:
    """People outside the group (owners, follow-up persons) get a one-time link, valid 14 days,
    via the person who drafted the agreement."""
    now = svc.clock()
    lines = []
    for action in actions:
        for role, holder, name, key in (
            ("owner", action.owner_id, action.owner_name, "agreement.owner_link"),
            ("follow_up", action.follow_up_id, action.follow_up_name, "agreement.follow_up_link"),
        ):
            if holder is not None or not name:
                continue
            invite = await svc.repos.invites.issue(
                live.meeting.id, role, expires_at=now + OWNER_LINK_VALID, now=now, max_uses=1,
                action_id=action.id,
            )  # fmt: skip
            lines.append(svc.render.text(drafter, key, name=name, description=action.description,
                                         link=start_link(svc.bot, invite.token),
                                         expires=invite.expires_at))  # fmt: skip
    if lines:
        header = svc.render.text(drafter, "agreement.owner_links_header")
        for text in split_blocks([header, *lines]):
            await send(svc.bot, drafter, Screen(text))


async def _tell_owners(svc: Services, actions: list[Action]) -> None:
    for action in actions:
        for person_id, key in (
            (action.owner_id, "agreement.you_own"),
            (action.follow_up_id, "agreement.you_follow_up"),
        ):
            person = await svc.repos.people.get(person_id) if person_id else None
            if person is None:
                continue
            text = svc.render.text(person, key, description=action.description,
                                   deadline=action.deadline_at, owner=action.owner_name or "–",
                                   follow_up=action.follow_up_name or "–")  # fmt: skip
            try:
                await send(svc.bot, person, Screen(text))
            except Forbidden:
                continue  # marking unreachable people is the reminders' work


async def _closing_round(svc: Services, live: Live) -> None:
    """Ask each participant privately what they take with them (one short line)."""
    for member, role in await svc.repos.dialogues.members(live.meeting.id):
        if role not in CLOSING_ROUND_ROLES:
            continue
        if await svc.repos.runs.latest_for(member.id, live.meeting.id, TAKEAWAY_FLOW):
            continue  # asked already, before a stop cut the sharing short
        try:
            intro = svc.render.text(member, "takeaway.intro", title=live.meeting.title)
            await send(svc.bot, member, Screen(intro))
            await svc.runner.start(member, TAKEAWAY_FLOW, meeting_id=live.meeting.id)
        except Forbidden:
            continue

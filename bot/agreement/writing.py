"""Writing the agreement in private: the goals come from the `agreement` flow, each action from
`agreement_action`, then its owner and follow-up person are picked with buttons."""

from __future__ import annotations

from datetime import datetime

from telegram import CallbackQuery, InlineKeyboardMarkup
from telegram.error import Forbidden

from bot.agreement.deadlines import quick_deadline
from bot.agreement.draft import (
    ACTION_FLOW,
    ACTION_REMOVE,
    AGREEMENT,
    AGREEMENT_FLOW,
    FOLLOW_UP,
    OUTSIDE,
    OWNER,
    drafting,
    show_draft,
)
from bot.core import guard
from bot.core.guard import Refused, Toast
from bot.core.payloads import Choice, Payload, encode
from bot.core.render import Screen, button
from bot.core.send import ask_first, say, send, settle_question
from bot.core.services import DDContext, Services, services
from bot.meeting.events import PhaseEntered
from bot.meeting.live import CONTRIBUTORS, Live, load
from flows.dialogue import Phase
from storage.records import Action, Person, Run

INVITED_IN = (Phase.PREPARE, Phase.AGREEMENT)
OUTSIDE_FLOW = "outside_person"
OUTSIDE_PARTS = {"o": "owner", "f": "follow_up"}


async def post_invitation(svc: Services, entered: PhaseEntered) -> None:
    """In Prepare action and Agreement: the button that opens the draft in private."""
    if entered.phase not in INVITED_IN:
        return
    live, reader = entered.live, entered.live.audience
    if await svc.repos.agreements.agreement_of(live.meeting.id) is not None:
        text = svc.render.text(reader, "agreement.already_in_group")
        await svc.bot.send_message(live.chat_id, text)
        return
    label = svc.render.text(reader, "agreement.button.write")
    markup = InlineKeyboardMarkup([[button(label, encode(AGREEMENT, live.meeting.id))]])
    text = svc.render.text(reader, "agreement.invitation")
    await svc.bot.send_message(live.chat_id, text, reply_markup=markup)


async def on_write(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """ag:<meeting> — open (or continue) the agreement draft in private."""
    svc = services(context)
    live = await drafting(svc, person, payload.id_arg(0))
    run = await svc.repos.runs.latest_for(person.id, live.meeting.id, AGREEMENT_FLOW)
    try:
        if run is None:
            await svc.runner.start(person, AGREEMENT_FLOW, meeting_id=live.meeting.id)
        elif run.status == "active":
            await svc.runner.resume(person, run, editable=True)
        else:
            await show_draft(svc, person, live)
    except Forbidden:
        raise Refused("explore.open_private_first") from None
    return Toast(svc.render.text(person, "explore.check_private"))


async def fields_written(svc: Services, person: Person, run: Run) -> None:
    """Finish hook of `agreement` (also after an edit): the first action follows at once;
    afterwards, the whole draft again."""
    live = await load(svc, run.meeting_id or 0)
    if live is None:
        return
    if await svc.repos.agreements.actions_of(live.meeting.id, "draft"):
        await show_draft(svc, person, live)
        return
    await say(svc, person, "agreement.first_action")
    await svc.runner.start_afresh(person, ACTION_FLOW, meeting_id=live.meeting.id)


async def action_written(svc: Services, person: Person, run: Run) -> None:
    """Finish hook of `agreement_action`: store the draft action, then ask who owns it."""
    live = await load(svc, run.meeting_id or 0)
    if live is None:
        return
    answers = run.state["answers"]
    action = await svc.repos.agreements.draft_action(
        live.meeting.id,
        description=answers["description"],
        deadline_at=await _deadline(svc, person, live, answers),
        created_by=person.id,
        now=svc.clock(),
    )
    await _ask_person(svc, person, live, action, OWNER, "agreement.pick_owner")


async def _deadline(svc: Services, person: Person, live: Live, answers: dict) -> datetime:
    if answers["when"] == "other":
        return datetime.fromisoformat(answers["deadline"])
    fields = await svc.repos.runs.latest_for(person.id, live.meeting.id, AGREEMENT_FLOW)
    next_at = fields.state["answers"].get("next_meeting") if fields else None
    next_meeting_at = datetime.fromisoformat(next_at) if next_at else None
    return quick_deadline(answers["when"], svc.clock(), person.time_zone, next_meeting_at)


async def _ask_person(
    svc: Services,
    person: Person,
    live: Live,
    action: Action,
    prefix: str,
    key: str,
    *,
    skip: int | None = None,
) -> None:
    """Members to choose from, and someone outside the group (who gets a link)."""
    members = await svc.repos.dialogues.members(live.meeting.id)
    eligible = [m for m, role in members if prefix != OWNER or role in CONTRIBUTORS]
    rows = [
        [button(m.display_name, encode(prefix, action.id, m.id))] for m in eligible if m.id != skip
    ]
    part = "o" if prefix == OWNER else "f"
    outside = svc.render.text(person, "agreement.button.outside")
    rows.append([button(outside, encode(OUTSIDE, action.id, part))])
    text = svc.render.text(person, key, description=action.description)
    await send(svc.bot, person, Screen(text, InlineKeyboardMarkup(rows)))


async def _follow_up_by_default(svc: Services, person: Person, live: Live, action_id: int) -> None:
    """The leader follows up unless they own the action themselves; then the writer chooses."""
    action = await svc.repos.agreements.action(action_id)
    assert action is not None
    leader = await svc.repos.people.get(live.meeting.created_by)
    assert leader is not None
    if action.owner_id == leader.id:
        await _ask_person(svc, person, live, action, FOLLOW_UP, "agreement.pick_follow_up",
                          skip=leader.id)  # fmt: skip
        return
    await svc.repos.agreements.set_follow_up(action, leader.id)
    number = await _number_of(svc, action)
    await say(svc, person, "agreement.follow_up_default", name=leader.display_name, number=number)
    await show_draft(svc, person, live)


async def _number_of(svc: Services, action: Action) -> int:
    drafted = await svc.repos.agreements.actions_of(action.meeting_id, "draft")
    return next(n for n, each in enumerate(drafted, start=1) if each.id == action.id)


async def _draft_action(svc: Services, person: Person, action_id: int) -> tuple[Action, Live]:
    action = await svc.repos.agreements.action(action_id) if action_id else None
    guard.check(action is not None and action.status == "draft")
    assert action is not None
    return action, await drafting(svc, person, action.meeting_id)


async def _draft_and_member(
    svc: Services, person: Person, payload: Payload
) -> tuple[Action, Live, Person]:
    """<action>:<member> from an owner or follow-up button."""
    action, live = await _draft_action(svc, person, payload.id_arg(0))
    member_id = payload.id_arg(1)
    role = await svc.repos.meetings.role_of(live.meeting.id, member_id) if member_id else None
    member = await svc.repos.people.get(member_id) if role else None
    guard.check(member)
    assert member is not None
    return action, live, member


async def _settle(
    svc: Services, person: Person, query: CallbackQuery, key: str, **params: object
) -> None:
    await settle_question(query, svc.render.text(person, key, **params))


async def on_owner(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """ow:<action>:<member>"""
    svc = services(context)
    action, live, owner = await _draft_and_member(svc, person, payload)
    await svc.repos.agreements.set_owner(action, owner.id)
    await _settle(svc, person, query, "agreement.owner_set", name=owner.display_name)
    await _follow_up_by_default(svc, person, live, action.id)
    return None


async def on_change_follow_up(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """fc:<action> — someone else than the leader follows up (from the draft)."""
    svc = services(context)
    action, live = await _draft_action(svc, person, payload.id_arg(0))
    await _ask_person(svc, person, live, action, FOLLOW_UP, "agreement.pick_follow_up",
                      skip=action.owner_id)  # fmt: skip
    return None


async def on_outside(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """oo:<action>:<o|f> — the owner (o) or the follow-up person (f) is outside the group."""
    svc = services(context)
    action, live = await _draft_action(svc, person, payload.id_arg(0))
    guard.check(len(payload.args) == 2 and payload.args[1] in OUTSIDE_PARTS)
    await _settle(svc, person, query, "agreement.button.outside")
    await svc.runner.start_afresh(
        person, OUTSIDE_FLOW, meeting_id=live.meeting.id,
        context={"action": action.id, "part": OUTSIDE_PARTS[payload.args[1]]},
    )  # fmt: skip
    return None


async def outside_named(svc: Services, person: Person, run: Run) -> None:
    """Finish hook of `outside_person`: the named person owns or follows up the action; they
    get a link when the agreement is confirmed."""
    action = await svc.repos.agreements.action(run.state["context"]["action"])
    live = await load(svc, run.meeting_id or 0)
    if action is None or action.status != "draft" or live is None:
        await say(svc, person, "error.button_expired")
        return
    name = run.state["answers"]["name"]
    if run.state["context"]["part"] == "owner":
        await svc.repos.agreements.set_outside_owner(action, name)
        await say(svc, person, "agreement.owner_set", name=name)
        await _follow_up_by_default(svc, person, live, action.id)
        return
    await svc.repos.agreements.set_outside_follow_up(action, name)
    await say(svc, person, "agreement.follow_up_set", name=name)
    await show_draft(svc, person, live)


async def on_follow_up(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """fu:<action>:<member> — the member follows the action up (never its own owner: the
    owner is not offered)."""
    svc = services(context)
    action, live, chosen = await _draft_and_member(svc, person, payload)
    guard.check(chosen.id != action.owner_id)
    await svc.repos.agreements.set_follow_up(action, chosen.id)
    await _settle(svc, person, query, "agreement.follow_up_set", name=chosen.display_name)
    await show_draft(svc, person, live)
    return None


async def on_add_action(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """aa:<meeting>"""
    svc = services(context)
    live = await drafting(svc, person, payload.id_arg(0))
    await svc.runner.start_afresh(person, ACTION_FLOW, meeting_id=live.meeting.id)
    return None


async def on_remove_action(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """ax:<action> asks; ax:<action>:y removes it; ax:<action>:n keeps it."""
    svc = services(context)
    action, live = await _draft_action(svc, person, payload.id_arg(0))
    choice = payload.choice()
    if choice is Choice.ASK:
        question = svc.render.text(
            person, "agreement.remove_confirm", description=action.description
        )
        await ask_first(svc, person, question, ACTION_REMOVE, action.id)
        return None
    if choice is Choice.KEEP:
        await _settle(svc, person, query, "common.cancelled")
        return None
    await svc.repos.agreements.remove_draft(action)
    await _settle(svc, person, query, "agreement.removed", description=action.description)
    await show_draft(svc, person, live)
    return None

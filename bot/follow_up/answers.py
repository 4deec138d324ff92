"""An owner answers a nudge (Done / In progress / Blocked / Postpone, then an optional note);
the follow-up person of an escalated action writes to the owner or gives the action away."""

from __future__ import annotations

from datetime import datetime

from telegram import CallbackQuery, InlineKeyboardMarkup

from bot.core import guard
from bot.core.guard import Toast
from bot.core.payloads import Payload, encode
from bot.core.render import Screen, button
from bot.core.send import say, send, settle_question
from bot.core.services import DDContext, Services, services
from bot.follow_up.notices import ANSWERS, REASSIGN, REPEATABLE, UNCHANGED, answer_buttons
from bot.follow_up.planning import NOTE_GRACE, FollowUpPlanner
from storage.records import Action, Person, Run

NOTE_FLOW, POSTPONE_FLOW, MESSAGE_FLOW = "followup_note", "postpone", "owner_message"
DEFAULT_CADENCE_DAYS = 14


async def cadence_of(svc: Services, action: Action) -> int:
    agreement = await svc.repos.agreements.agreement_of(action.meeting_id)
    return agreement.cadence_days if agreement else DEFAULT_CADENCE_DAYS


async def agreed_action(
    svc: Services, person: Person, action_id: int, *, as_follow_up: bool = False
) -> Action:
    """The agreed action a button names, if this person owns it (or follows it up: the leader
    does while a follow-up person outside the group has not taken their link)."""
    action = await svc.repos.agreements.action(action_id) if action_id else None
    guard.check(action is not None and action.status == "agreed")
    assert action is not None
    if not as_follow_up:
        guard.check(action.owner_id == person.id)
    else:
        follow_up = await svc.part(FollowUpPlanner).follow_up_person(action)
        guard.check(follow_up is not None and follow_up.id == person.id)
    return action


async def on_answer(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """fa:<action>:<d|i|b|p> — Done / In progress / Blocked / Postpone (nudge or /myactions)."""
    svc = services(context)
    action = await agreed_action(svc, person, payload.id_arg(0))
    code = payload.args[1] if len(payload.args) == 2 else ""
    if code == UNCHANGED:
        return await _unchanged(svc, person, action, query)
    status = ANSWERS.get(code)
    guard.check(status)
    label = svc.render.text(person, f"since.status.{status}")
    if query.message is not None and query.message.text:
        await query.edit_message_text(f"{query.message.text_html}\n\n✓ {label}")
    if status == "postponed":
        await svc.runner.start(person, POSTPONE_FLOW, context={"action": action.id})
        return None
    await svc.repos.agreements.record_update(action.id, status, None, person.id, svc.clock())
    await svc.repos.reminders.answered(action.id)
    if status == "blocked":
        await svc.part(FollowUpPlanner).escalation(action, "escalation", after=NOTE_GRACE)
    await svc.runner.start(person, NOTE_FLOW, context={"action": action.id})
    return Toast(svc.render.text(person, "followup.recorded", status=label))


async def _unchanged(
    svc: Services, person: Person, action: Action, query: CallbackQuery
) -> str | None:
    """ "No change": the last answer stands again, in one tap and without a note."""
    latest = await svc.repos.agreements.latest_update(action.id)
    guard.check(latest is not None and latest.status in REPEATABLE)
    assert latest is not None
    status = svc.render.text(person, f"since.status.{latest.status}")
    answer = svc.render.text(person, "followup.unchanged", status=status)
    if query.message is not None and query.message.text:
        await query.edit_message_text(f"{query.message.text_html}\n\n✓ {answer}")
    await svc.repos.agreements.record_update(action.id, latest.status, None, person.id, svc.clock())
    await svc.repos.reminders.answered(action.id)
    return Toast(svc.render.text(person, "followup.recorded", status=answer))


async def note_written(svc: Services, person: Person, run: Run) -> None:
    """Finish hook of followup_note; a blocked owner's note sends the escalation now."""
    note = run.state["answers"].get("note")
    action = await svc.repos.agreements.action(run.state["context"]["action"])
    if not note or action is None:
        return
    await svc.repos.agreements.add_note(action.id, person.id, note)
    latest = await svc.repos.agreements.latest_update(action.id)
    if latest is not None and latest.status == "blocked":
        await svc.part(FollowUpPlanner).escalate_now(action)


async def postponed(svc: Services, person: Person, run: Run) -> None:
    """Finish hook of postpone: the new deadline is the answer; nudges are planned up to it."""
    action = await svc.repos.agreements.action(run.state["context"]["action"])
    if action is None or action.owner_id != person.id:
        return
    deadline = datetime.fromisoformat(run.state["answers"]["deadline"])
    note = svc.render.text(person, "followup.new_deadline", deadline=deadline)
    await svc.repos.agreements.record_update(action.id, "postponed", note, person.id, svc.clock())
    await svc.repos.reminders.answered(action.id)
    await svc.repos.agreements.change_agreed(action, deadline_at=deadline)
    moved = await svc.repos.agreements.action(action.id)
    assert moved is not None
    await svc.part(FollowUpPlanner).action(moved, await cadence_of(svc, moved))


# The follow-up person's side ----------------------------------------------------------------


async def on_write_owner(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """fw:<action> — write to the owner of an escalated action."""
    svc = services(context)
    action = await agreed_action(svc, person, payload.id_arg(0), as_follow_up=True)
    guard.check(action.owner_id is not None)
    await svc.runner.start(person, MESSAGE_FLOW, context={"action": action.id})
    return None


async def message_written(svc: Services, person: Person, run: Run) -> None:
    """Finish hook of owner_message: the follow-up person's words go to the owner."""
    action = await svc.repos.agreements.action(run.state["context"]["action"])
    owner = await svc.repos.people.get(action.owner_id) if action and action.owner_id else None
    if action is None or owner is None:
        return
    text = svc.render.text(
        owner, "followup.message_to_owner", name=person.display_name,
        description=action.description, text=run.state["answers"]["text"],
    )  # fmt: skip
    latest = await svc.repos.agreements.latest_update(action.id)
    await send(svc.bot, owner, Screen(text, answer_buttons(svc, owner, action.id, latest)))


async def on_reassign(
    context: DDContext, person: Person, payload: Payload, query: CallbackQuery
) -> str | None:
    """fr:<action> asks to whom; fr:<action>:<member> gives the action to that member."""
    svc = services(context)
    action = await agreed_action(svc, person, payload.id_arg(0), as_follow_up=True)
    members = await svc.repos.dialogues.members(action.meeting_id)
    if len(payload.args) == 1:
        rows = [
            [button(m.display_name, encode(REASSIGN, action.id, m.id))]
            for m, role in members
            if m.id != action.owner_id and role != "observer"
        ]
        text = svc.render.text(person, "followup.reassign_to", description=action.description)
        await send(svc.bot, person, Screen(text, InlineKeyboardMarkup(rows)))
        return None
    new_owner = next((m for m, _ in members if m.id == payload.id_arg(1)), None)
    guard.check(new_owner)
    assert new_owner is not None
    await _give_action(svc, action, new_owner)
    await settle_question(
        query, svc.render.text(person, "followup.reassigned", name=new_owner.display_name)
    )
    return None


async def _give_action(svc: Services, action: Action, new_owner: Person) -> None:
    """The nudges follow the new owner; both owners are told."""
    previous = await svc.repos.people.get(action.owner_id) if action.owner_id else None
    await svc.repos.agreements.change_agreed(action, owner_id=new_owner.id, owner_name=None)
    moved = await svc.repos.agreements.action(action.id)
    assert moved is not None
    await svc.part(FollowUpPlanner).action(moved, await cadence_of(svc, moved))
    await say(svc, new_owner, "agreement.you_own", description=moved.description,
              deadline=moved.deadline_at, owner=new_owner.display_name,
              follow_up=moved.follow_up_name or "–")  # fmt: skip
    if previous is not None and previous.is_reachable:
        await say(svc, previous, "followup.taken_over", description=moved.description,
                  name=new_owner.display_name)  # fmt: skip

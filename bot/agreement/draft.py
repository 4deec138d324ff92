"""The agreement draft as the person writing it sees it: the fields, the actions, and the
buttons that edit, add, remove and confirm."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardMarkup

from bot.core import guard
from bot.core.guard import DRIVERS, Refused
from bot.core.payloads import encode
from bot.core.render import EDIT, Screen, button, split_blocks
from bot.core.send import send
from bot.core.services import Services
from bot.meeting.live import Live, linked
from storage.records import Action, Person, Run

AGREEMENT_FLOW = "agreement"
ACTION_FLOW = "agreement_action"
FIELDS = ("short_goal", "long_goal", "horizon", "data_signal", "next_meeting", "cadence")
CARRIED_OVER = {"long_goal": "long_goal", "horizon": "horizon_months", "data_signal": "data_signal"}
"""Agreement steps whose answer last time is offered as one tap (step id -> stored field)."""
# Button prefixes of the draft.
AGREEMENT = "ag"
ACTION_ADD = "aa"
OWNER = "ow"
FOLLOW_UP = "fu"
ACTION_REMOVE = "ax"
AGREEMENT_CONFIRM = "ac"
CHANGE_FOLLOW_UP = "fc"
OUTSIDE = "oo"


async def drafting(svc: Services, person: Person, meeting_id: int) -> Live:
    """The meeting, if the person may write its agreement and it is not confirmed yet."""
    live = await linked(svc, meeting_id)
    await guard.role_in(svc, meeting_id, person, DRIVERS)
    if await svc.repos.agreements.agreement_of(meeting_id) is not None:
        raise Refused("agreement.already_confirmed")
    return live


async def show_draft(svc: Services, person: Person, live: Live) -> None:
    run = await svc.repos.runs.latest_for(person.id, live.meeting.id, AGREEMENT_FLOW)
    answers = run.state["answers"] if run else {}
    actions = await svc.repos.agreements.actions_of(live.meeting.id, "draft")
    blocks = [svc.render.text(person, "agreement.draft_header", title=live.meeting.title)]
    blocks.append(fields_text(svc, person, answers))
    blocks += actions_blocks(svc, person, actions)
    edit_run = run.id if run is not None and run.status == "finished" else None
    markup = _draft_buttons(svc, person, live, actions, edit_run)
    texts = split_blocks(blocks)
    for text in texts[:-1]:
        await send(svc.bot, person, Screen(text))
    await send(svc.bot, person, Screen(texts[-1], markup))


def _draft_buttons(
    svc: Services, person: Person, live: Live, actions: list[Action], edit_run: int | None
) -> InlineKeyboardMarkup:
    render, meeting_id = svc.render, live.meeting.id
    rows = []
    if edit_run is not None:
        edits = [
            button(render.text(person, "agreement.button.edit_field", position=n),
                   encode(EDIT, edit_run, step))
            for n, step in enumerate(FIELDS, start=1)
        ]  # fmt: skip
        rows += [edits[:3], edits[3:]]
    rows.append([button(render.text(person, "agreement.button.add_action"),
                        encode(ACTION_ADD, meeting_id))])  # fmt: skip
    rows += [
        [button(render.text(person, "agreement.button.remove_action", number=n),
                encode(ACTION_REMOVE, a.id)),
         button(render.text(person, "agreement.button.change_follow_up", number=n),
                encode(CHANGE_FOLLOW_UP, a.id))]
        for n, a in enumerate(actions, start=1)
    ]  # fmt: skip
    rows.append([button(render.text(person, "agreement.button.confirm"),
                        encode(AGREEMENT_CONFIRM, meeting_id))])  # fmt: skip
    return InlineKeyboardMarkup(rows)


def fields_text(svc: Services, reader: Person, answers: dict) -> str:
    missing = svc.render.text(reader, "agreement.missing")
    next_at = answers.get("next_meeting")
    return svc.render.text(
        reader,
        "agreement.fields",
        short_goal=answers.get("short_goal") or missing,
        long_goal=answers.get("long_goal") or missing,
        horizon=int(answers["horizon"]) if answers.get("horizon") else missing,
        data_signal=answers.get("data_signal") or missing,
        next_meeting=datetime.fromisoformat(next_at) if next_at else missing,
        cadence=(
            svc.render.text(reader, f"agreement.cadence.option.{answers['cadence']}")
            if answers.get("cadence")
            else missing
        ),
    )


def actions_blocks(svc: Services, reader: Person, actions: list[Action]) -> list[str]:
    render = svc.render
    if not actions:
        return [render.text(reader, "agreement.no_actions")]
    missing = render.text(reader, "agreement.missing")
    blocks = [render.text(reader, "agreement.actions_header")]
    for number, action in enumerate(actions, start=1):
        owner = action.owner_name or missing
        if action.owner_id is None and action.owner_name:
            owner = render.text(reader, "agreement.external_owner", name=action.owner_name)
        follow_up = action.follow_up_name or missing
        if action.follow_up_id is None and action.follow_up_name:
            follow_up = render.text(reader, "agreement.external_owner", name=action.follow_up_name)
        blocks.append(
            render.text(reader, "agreement.action_line", number=number,
                        description=action.description, owner=owner,
                        follow_up=follow_up, deadline=action.deadline_at)
        )  # fmt: skip
    return blocks


async def confirmed_refusal(svc: Services, person: Person, run: Run) -> str | None:
    """Edit rule: the agreement draft may change until the agreement is confirmed."""
    if run.flow_id != AGREEMENT_FLOW or run.meeting_id is None:
        return None
    if await svc.repos.agreements.agreement_of(run.meeting_id) is None:
        return None
    return svc.render.text(person, "agreement.already_confirmed")


async def last_agreements_answer(
    svc: Services, person: Person, run: Run, step_id: str
) -> str | None:
    """Suggestion for the `agreement` flow: the long-term goal, its horizon and the data signal
    of the agreement that planned this meeting, which often stand from one dialogue to the next."""
    if run.meeting_id is None or step_id not in CARRIED_OVER:
        return None
    previous = await svc.repos.agreements.previous_meeting_id(run.meeting_id)
    agreement = await svc.repos.agreements.agreement_of(previous) if previous else None
    if agreement is None:
        return None
    return str(getattr(agreement, CARRIED_OVER[step_id]))

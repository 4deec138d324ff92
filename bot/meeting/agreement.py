"""Prepare action and Agreement: the leader or referent writes the agreement in private.

The goals, data signal and next date come from the `agreement` flow; each action from
`agreement_action`, after which its owner and follow-up person are picked with buttons. The
draft is shown with edit buttons; confirming stores it, plans the next meeting, posts it in the
group, tells the owners, hands out one-time links for owners outside the group, and opens the
closing round ("what do you take with you?").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup
from telegram.error import Forbidden

from bot import callbacks
from bot.context import DDContext, Services
from bot.handlers.common import ButtonHandler, Toast, settle_question
from bot.handlers.meetings import AGREEMENT_FLOW, invite_link
from bot.meeting.kit import Kit, kit
from bot.meeting.live import CONTRIBUTORS, DRIVERS, Live, load
from bot.render import Screen, button, split_blocks
from bot.runner import FinishHook, FlowRunner
from storage.records import Action, Agreement, Person, Run
from storage.repositories.agreements import AgreementText

ACTION_FLOW = "agreement_action"
TAKEAWAY_FLOW = "takeaway"
OWNER_LINK_VALID = timedelta(days=14)
FIELDS = ("short_goal", "long_goal", "horizon", "data_signal", "next_meeting", "cadence")
CADENCE_DAYS = {"days_7": 7, "days_14": 14, "days_28": 28}
CLOSING_ROUND_ROLES = ("participant", "referent")


async def post_invitation(kit: Kit, live: Live) -> None:
    """In Prepare action and Agreement: the button that opens the draft in private."""
    svc, reader = kit.svc, live.audience
    if await svc.repos.agreements.agreement_of(live.meeting.id) is not None:
        await kit.bot.send_message(
            live.chat_id, svc.render.text(reader, "agreement.already_in_group")
        )
        return
    label = svc.render.text(reader, "agreement.button.write")
    markup = InlineKeyboardMarkup(
        [[button(label, callbacks.encode(callbacks.AGREEMENT, live.meeting.id))]]
    )
    await kit.post(live.chat_id, Screen(svc.render.text(reader, "agreement.invitation"), markup))


async def _driving(tools: Kit, person: Person, meeting_id: int) -> Live | str:
    """The meeting if the person may write its agreement and it is not confirmed yet."""
    svc = tools.svc
    live = await load(svc, meeting_id)
    if live is None:
        return svc.render.text(person, "error.button_expired")
    if await svc.repos.meetings.role_of(meeting_id, person.id) not in DRIVERS:
        return svc.render.text(person, "dialogue.only_drivers")
    if await svc.repos.agreements.agreement_of(meeting_id) is not None:
        return svc.render.text(person, "agreement.already_confirmed")
    return live


async def on_write(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """ag:<meeting> — open (or continue) the agreement draft in private."""
    tools = kit(context)
    live = await _driving(tools, person, payload.id_arg(0))
    if isinstance(live, str):
        return live
    run = await tools.svc.repos.runs.latest_for(person.id, live.meeting.id, AGREEMENT_FLOW)
    try:
        if run is None:
            await tools.runner.start(tools.bot, person, AGREEMENT_FLOW, meeting_id=live.meeting.id)
        elif run.status == "active":
            await tools.runner.resume(tools.bot, person, run, editable=True)
        else:
            await show_draft(tools, person, live)
    except Forbidden:
        return tools.svc.render.text(person, "explore.open_private_first")
    return Toast(tools.svc.render.text(person, "explore.check_private"))


async def show_draft(tools: Kit, person: Person, live: Live) -> None:
    svc = tools.svc
    render = svc.render
    run = await svc.repos.runs.latest_for(person.id, live.meeting.id, AGREEMENT_FLOW)
    answers = run.state["answers"] if run else {}
    actions = await svc.repos.agreements.actions_of(live.meeting.id, "draft")
    blocks = [render.text(person, "agreement.draft_header", title=live.meeting.title)]
    blocks.append(_fields_text(svc, person, answers))
    blocks += _actions_blocks(svc, person, actions)
    rows = []
    if run is not None and run.status == "finished":
        edits = [
            button(
                render.text(person, "agreement.button.edit_field", position=n),
                callbacks.encode(callbacks.EDIT, run.id, step),
            )
            for n, step in enumerate(FIELDS, start=1)
        ]
        rows += [edits[:3], edits[3:]]
    rows.append(
        [
            button(
                render.text(person, "agreement.button.add_action"),
                callbacks.encode(callbacks.ACTION_ADD, live.meeting.id),
            )
        ]
    )
    rows += [
        [
            button(
                render.text(person, "agreement.button.remove_action", number=n),
                callbacks.encode(callbacks.ACTION_REMOVE, a.id),
            )
        ]
        for n, a in enumerate(actions, start=1)
    ]
    rows.append(
        [
            button(
                render.text(person, "agreement.button.confirm"),
                callbacks.encode(callbacks.AGREEMENT_CONFIRM, live.meeting.id),
            )
        ]
    )
    texts = split_blocks(blocks)
    for text in texts[:-1]:
        await FlowRunner.send(tools.bot, person, Screen(text))
    await FlowRunner.send(tools.bot, person, Screen(texts[-1], InlineKeyboardMarkup(rows)))


def _fields_text(svc: Services, reader: Person, answers: dict) -> str:
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


def _actions_blocks(svc: Services, reader: Person, actions: list[Action]) -> list[str]:
    render = svc.render
    if not actions:
        return [render.text(reader, "agreement.no_actions")]
    missing = render.text(reader, "agreement.missing")
    blocks = [render.text(reader, "agreement.actions_header")]
    for number, action in enumerate(actions, start=1):
        owner = action.owner_name or missing
        if action.owner_id is None and action.owner_name:
            owner = render.text(reader, "agreement.external_owner", name=action.owner_name)
        blocks.append(
            render.text(
                reader,
                "agreement.action_line",
                number=number,
                description=action.description,
                owner=owner,
                follow_up=action.follow_up_name or missing,
                deadline=action.deadline_at,
            )
        )
    return blocks


def agreement_written(tools: Kit) -> FinishHook:
    """Finish hook of `agreement` (also after an edit): show the whole draft again."""

    async def hook(runner: FlowRunner, bot: Bot, person: Person, run: Run) -> None:
        live = await load(tools.svc, run.meeting_id) if run.meeting_id else None
        if live is not None:
            await show_draft(tools, person, live)

    return hook


def action_written(tools: Kit) -> FinishHook:
    """Finish hook of `agreement_action`: store the draft action, then ask who."""

    async def hook(runner: FlowRunner, bot: Bot, person: Person, run: Run) -> None:
        live = await load(tools.svc, run.meeting_id) if run.meeting_id else None
        if live is None:
            return
        answers = run.state["answers"]
        external = answers["external_name"] if answers["owner_kind"] == "external" else None
        action = await tools.svc.repos.agreements.draft_action(
            live.meeting.id,
            description=answers["description"],
            deadline_at=datetime.fromisoformat(answers["deadline"]),
            external_owner=external,
            created_by=person.id,
            now=tools.svc.clock(),
        )
        if external is None:
            await _ask_person(tools, person, live, action, callbacks.OWNER, "agreement.pick_owner")
        else:
            await _ask_person(
                tools, person, live, action, callbacks.FOLLOW_UP, "agreement.pick_follow_up"
            )

    return hook


async def _ask_person(
    tools: Kit,
    person: Person,
    live: Live,
    action: Action,
    prefix: str,
    key: str,
    *,
    skip: int | None = None,
) -> None:
    members = await tools.svc.repos.dialogues.members(live.meeting.id)
    eligible = [m for m, role in members if prefix != callbacks.OWNER or role in CONTRIBUTORS]
    rows = [
        [button(m.display_name, callbacks.encode(prefix, action.id, m.id))]
        for m in eligible
        if m.id != skip
    ]
    text = tools.svc.render.text(person, key, description=action.description)
    await FlowRunner.send(tools.bot, person, Screen(text, InlineKeyboardMarkup(rows)))


async def _draft_action(
    tools: Kit, person: Person, payload: callbacks.Payload
) -> tuple[Action, Live] | str:
    svc = tools.svc
    action = await svc.repos.agreements.action(payload.id_arg(0))
    if action is None or action.status != "draft":
        return svc.render.text(person, "error.button_expired")
    live = await _driving(tools, person, action.meeting_id)
    return live if isinstance(live, str) else (action, live)


async def _draft_and_member(
    tools: Kit, person: Person, payload: callbacks.Payload
) -> tuple[Action, Live, Person] | str:
    """<action>:<member> from an owner or follow-up button; or the refusal text."""
    found = await _draft_action(tools, person, payload)
    if isinstance(found, str):
        return found
    action, live = found
    member_id = payload.id_arg(1)
    role = await tools.svc.repos.meetings.role_of(live.meeting.id, member_id) if member_id else None
    member = await tools.svc.repos.people.get(member_id) if role and member_id else None
    if member is None:
        return tools.svc.render.text(person, "error.button_expired")
    return action, live, member


async def on_owner(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """ow:<action>:<member>"""
    tools = kit(context)
    found = await _draft_and_member(tools, person, payload)
    if isinstance(found, str):
        return found
    action, live, owner = found
    await tools.svc.repos.agreements.set_owner(action, owner.id)
    await _settle(tools, person, query, "agreement.owner_set", name=owner.display_name)
    await _ask_person(tools, person, live, action, callbacks.FOLLOW_UP, "agreement.pick_follow_up")
    return None


async def on_follow_up(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """fu:<action>:<member>, or fs:<action>:<member> to confirm the owner follows up too."""
    tools = kit(context)
    found = await _draft_and_member(tools, person, payload)
    if isinstance(found, str):
        return found
    action, live, chosen = found
    if payload.action == callbacks.FOLLOW_UP and chosen.id == action.owner_id:
        rows = [
            [
                button(
                    tools.svc.render.text(
                        person, "agreement.button.same_person", name=chosen.display_name
                    ),
                    callbacks.encode(callbacks.FOLLOW_UP_SAME, action.id, chosen.id),
                )
            ]
        ]
        text = tools.svc.render.text(person, "agreement.same_person")
        await _settle(tools, person, query, "agreement.same_person_asked")
        await FlowRunner.send(tools.bot, person, Screen(text, InlineKeyboardMarkup(rows)))
        await _ask_person(
            tools,
            person,
            live,
            action,
            callbacks.FOLLOW_UP,
            "agreement.pick_follow_up",
            skip=chosen.id,
        )
        return None
    await tools.svc.repos.agreements.set_follow_up(action, chosen.id)
    await _settle(tools, person, query, "agreement.follow_up_set", name=chosen.display_name)
    await show_draft(tools, person, live)
    return None


async def on_add_action(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """aa:<meeting>"""
    tools = kit(context)
    live = await _driving(tools, person, payload.id_arg(0))
    if isinstance(live, str):
        return live
    await tools.runner.start_afresh(tools.bot, person, ACTION_FLOW, meeting_id=live.meeting.id)
    return None


async def on_remove_action(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """ax:<action> asks; axc:<action> removes; axk:<action> keeps it."""
    tools = kit(context)
    render = tools.svc.render
    found = await _draft_action(tools, person, payload)
    if isinstance(found, str):
        return found
    action, live = found
    if payload.action == callbacks.ACTION_REMOVE:
        markup = render.confirm(
            person,
            callbacks.encode(callbacks.ACTION_REMOVE_CONFIRM, action.id),
            callbacks.encode(callbacks.ACTION_REMOVE_KEEP, action.id),
        )
        text = render.text(person, "agreement.remove_confirm", description=action.description)
        await FlowRunner.send(tools.bot, person, Screen(text, markup))
        return None
    if payload.action == callbacks.ACTION_REMOVE_KEEP:
        await _settle(tools, person, query, "common.cancelled")
        return None
    await tools.svc.repos.agreements.remove_draft(action)
    await _settle(tools, person, query, "agreement.removed", description=action.description)
    await show_draft(tools, person, live)
    return None


async def _settle(
    tools: Kit, person: Person, query: CallbackQuery, key: str, **params: object
) -> None:
    await settle_question(query, tools.svc.render.text(person, key, **params))


# Confirming ---------------------------------------------------------------------------------


async def on_confirm(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """ac:<meeting> — check the draft is complete, then store and share it."""
    tools = kit(context)
    svc = tools.svc
    live = await _driving(tools, person, payload.id_arg(0))
    if isinstance(live, str):
        return live
    run = await svc.repos.runs.latest_for(person.id, live.meeting.id, AGREEMENT_FLOW)
    actions = await svc.repos.agreements.actions_of(live.meeting.id, "draft")
    problem = _incomplete(run, actions, svc.clock())
    if problem:
        return svc.render.text(person, problem)
    assert run is not None
    answers = run.state["answers"]
    text = AgreementText(
        short_goal=answers["short_goal"],
        long_goal=answers["long_goal"],
        horizon_months=round(answers["horizon"]),
        data_signal=answers["data_signal"],
        next_meeting_at=datetime.fromisoformat(answers["next_meeting"]),
        cadence_days=CADENCE_DAYS[answers["cadence"]],
    )
    agreement = await svc.repos.agreements.confirm(live.meeting, text, person.id, svc.clock())
    if agreement is None:
        return svc.render.text(person, "agreement.already_confirmed")
    agreed = await svc.repos.agreements.actions_of(live.meeting.id, "agreed")
    await _settle(tools, person, query, "agreement.confirmed")
    await _hand_out_owner_links(tools, person, live, agreed)
    for block in split_blocks(agreement_blocks(svc, live.audience, live, text, agreed)):
        await tools.bot.send_message(live.chat_id, block)
    await _tell_owners(tools, live, agreed)
    await _plan_follow_up(tools, live, agreement, agreed)
    await _closing_round(tools, live)
    await tools.timers.refresh(live.meeting.id, "panel")
    return None


def _incomplete(run: Run | None, actions: list[Action], now: datetime) -> str | None:
    if run is None or run.status != "finished":
        return "agreement.fields_missing"
    if not actions:
        return "agreement.no_actions_yet"
    if any((a.owner_id is None and not a.owner_name) or a.follow_up_id is None for a in actions):
        return "agreement.incomplete"
    if datetime.fromisoformat(run.state["answers"]["next_meeting"]) <= now:
        return "agreement.next_meeting_past"
    return None


def agreement_blocks(
    svc: Services, reader: Person, live: Live, text: AgreementText, actions: list[Action]
) -> list[str]:
    """The confirmed agreement as self-contained HTML blocks (split under Telegram's limit)."""
    render = svc.render
    blocks = [
        render.text(
            reader,
            "agreement.posted",
            title=live.meeting.title,
            short_goal=text.short_goal,
            long_goal=text.long_goal,
            horizon=text.horizon_months,
            data_signal=text.data_signal,
            next_meeting=text.next_meeting_at,
        ),
        render.text(reader, "agreement.actions_header"),
    ]
    for number, action in enumerate(actions, start=1):
        blocks.append(
            render.text(
                reader,
                "agreement.action_line",
                number=number,
                description=action.description,
                owner=action.owner_name or "–",
                follow_up=action.follow_up_name or "–",
                deadline=action.deadline_at,
            )
        )
    return blocks


async def _hand_out_owner_links(
    tools: Kit, drafter: Person, live: Live, actions: list[Action]
) -> None:
    """Owners outside the group get a one-time link, valid 14 days, via the person who drafted."""
    svc = tools.svc
    now = svc.clock()
    lines = []
    for action in actions:
        if action.owner_id is not None:
            continue
        invite = await svc.repos.invites.issue(
            live.meeting.id,
            "owner",
            expires_at=now + OWNER_LINK_VALID,
            now=now,
            max_uses=1,
            action_id=action.id,
        )
        lines.append(
            svc.render.text(
                drafter,
                "agreement.owner_link",
                name=action.owner_name or "",
                description=action.description,
                link=invite_link(tools.bot, invite),
                expires=invite.expires_at,
            )
        )
    if lines:
        header = svc.render.text(drafter, "agreement.owner_links_header")
        for text in split_blocks([header, *lines]):
            await FlowRunner.send(tools.bot, drafter, Screen(text))


async def _tell_owners(tools: Kit, live: Live, actions: list[Action]) -> None:
    svc = tools.svc
    for action in actions:
        for person_id, key in (
            (action.owner_id, "agreement.you_own"),
            (action.follow_up_id, "agreement.you_follow_up"),
        ):
            person = await svc.repos.people.get(person_id) if person_id else None
            if person is None:
                continue
            text = svc.render.text(
                person,
                key,
                description=action.description,
                deadline=action.deadline_at,
                owner=action.owner_name or "–",
                follow_up=action.follow_up_name or "–",
            )
            try:
                await FlowRunner.send(tools.bot, person, Screen(text))
            except Forbidden:
                continue  # marking unreachable people is the reminders' work


async def _plan_follow_up(
    tools: Kit, live: Live, agreement: Agreement, actions: list[Action]
) -> None:
    """Nudges for every owner in the group (a check on the link for those outside), and the
    next meeting's reminders."""
    repos = tools.svc.repos
    for action in actions:
        if action.owner_id is None:
            await tools.follow_up.unaccepted_owner(action)
        else:
            await tools.follow_up.action(action, agreement.cadence_days)
    next_meeting = (
        await repos.meetings.get(agreement.next_meeting_id) if agreement.next_meeting_id else None
    )
    if next_meeting is None:
        return
    members = await repos.dialogues.members(next_meeting.id)
    for person, role in members:
        if role == "participant":
            await tools.follow_up.preparation(next_meeting, person)
        if role == "leader":
            await tools.follow_up.leader_summary(next_meeting, person)
    await tools.follow_up.meeting_notice(next_meeting, [person for person, _ in members])


async def _closing_round(tools: Kit, live: Live) -> None:
    """Ask each participant privately what they take with them (one short line)."""
    svc = tools.svc
    for member, role in await svc.repos.dialogues.members(live.meeting.id):
        if role not in CLOSING_ROUND_ROLES:
            continue
        try:
            await FlowRunner.send(
                tools.bot,
                member,
                Screen(svc.render.text(member, "takeaway.intro", title=live.meeting.title)),
            )
            await tools.runner.start(tools.bot, member, TAKEAWAY_FLOW, meeting_id=live.meeting.id)
        except Forbidden:
            continue


BUTTONS: dict[str, ButtonHandler] = {
    callbacks.AGREEMENT: on_write,
    callbacks.ACTION_ADD: on_add_action,
    callbacks.OWNER: on_owner,
    callbacks.FOLLOW_UP: on_follow_up,
    callbacks.FOLLOW_UP_SAME: on_follow_up,
    callbacks.ACTION_REMOVE: on_remove_action,
    callbacks.ACTION_REMOVE_CONFIRM: on_remove_action,
    callbacks.ACTION_REMOVE_KEEP: on_remove_action,
    callbacks.AGREEMENT_CONFIRM: on_confirm,
}

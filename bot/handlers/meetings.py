"""Meetings from the leader's and the participant's side: plan one, invite, prepare, see status."""

from __future__ import annotations

from datetime import datetime

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Update

from bot import callbacks
from bot.charts import status_chart
from bot.charts.pool import draw
from bot.charts.status_chart import PrepCounts
from bot.context import DDContext, Services, services
from bot.follow_up.planning import FollowUpPlanner
from bot.handlers.common import (
    RECENT,
    ButtonHandler,
    person_of,
    runner,
    say,
    settle_question,
)
from bot.handlers.data import send_pack
from bot.render import Screen, button
from bot.runner import FinishHook, FlowRunner
from storage.records import Invite, Meeting, Person, Role, Run

LEADER_FLOW = "leader_prep"
AGREEMENT_FLOW = "agreement"
NEW_MEETING_FLOW = "new_meeting"


def prep_flow_for(meeting: Meeting, role: Role) -> str | None:
    if role == "participant":
        return meeting.prep_flow_id
    if role == "leader":
        return LEADER_FLOW
    return None


def invite_link(bot: Bot, invite: Invite) -> str:
    return f"https://t.me/{bot.username}?start={invite.token}"


# /newmeeting ---------------------------------------------------------------------------------


async def on_newmeeting(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    await runner(context).start_afresh(context.bot, person, NEW_MEETING_FLOW)


def meeting_creator(planner: FollowUpPlanner) -> FinishHook:
    """Finish hook of new_meeting, which also plans the leader's '5/7 ready' at the deadline."""

    async def hook(flow_runner: FlowRunner, bot: Bot, person: Person, run: Run) -> None:
        meeting = await _create_meeting(flow_runner, bot, person, run)
        await planner.leader_summary(meeting, person)

    return hook


async def _create_meeting(flow_runner: FlowRunner, bot: Bot, person: Person, run: Run) -> Meeting:
    """Finish hook of new_meeting: create the meeting, hand out links, open the checklist."""
    svc = flow_runner.services
    answers = run.state["answers"]
    now = svc.clock()
    starts_at = datetime.fromisoformat(answers["starts_at"])
    meeting, team_existed = await svc.repos.meetings.create(
        person,
        title=answers["title"],
        team_name=answers["team"],
        starts_at=starts_at,
        prep_deadline_at=datetime.fromisoformat(answers["prep_deadline"]),
        time_zone=person.time_zone,
        prep_flow_id=answers["prep_form"],
        now=now,
    )
    participants = await svc.repos.invites.issue(
        meeting.id, "participant", expires_at=starts_at, now=now
    )
    referent = await svc.repos.invites.issue(
        meeting.id, "referent", expires_at=starts_at, now=now, max_uses=1
    )
    render = svc.render
    form = render.text(person, f"newmeeting.prep_form.option.{meeting.prep_flow_id}")
    created = render.text(
        person,
        "newmeeting.created",
        title=meeting.title,
        team=meeting.team_name,
        starts=meeting.starts_at,
        deadline=meeting.prep_deadline_at,
        form=form,
    )
    await flow_runner.send(bot, person, Screen(created))
    if team_existed:
        note = render.text(person, "newmeeting.existing_team", team=meeting.team_name)
        await flow_runner.send(bot, person, Screen(note))
    links = render.text(
        person,
        "newmeeting.links",
        participant_link=invite_link(bot, participants),
        referent_link=invite_link(bot, referent),
        group_link=f"https://t.me/{bot.username}?startgroup=link",
    )
    await flow_runner.send(bot, person, Screen(links))
    await flow_runner.start(bot, person, LEADER_FLOW, meeting_id=meeting.id)
    return meeting


# /prep ---------------------------------------------------------------------------------------


async def on_prep(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    svc = services(context)
    mine = await svc.repos.meetings.of_person(person.id, not_before=svc.clock() - RECENT)
    preparable = [(m, role) for m, role in mine if prep_flow_for(m, role)]
    if not preparable:
        await say(context, person, "prep.none")
    elif len(preparable) == 1:
        await open_prep(context, person, *preparable[0])
    else:
        await _choose_meeting(
            context, person, preparable, "prep.choose_meeting", callbacks.PICK_PREP
        )


async def open_prep(context: DDContext, person: Person, meeting: Meeting, role: Role) -> None:
    """Start the person's preparation for a meeting, or show where it stands."""
    svc = services(context)
    flow_id = prep_flow_for(meeting, role)
    if flow_id is None:
        return
    run = await svc.repos.runs.latest_for(person.id, meeting.id, flow_id)
    await say(
        context, person, "prep.for_meeting", title=meeting.title, deadline=meeting.prep_deadline_at
    )
    if run is None:
        if role == "participant":  # the charts come first: the questions are about them
            await send_pack(context, person, meeting)
        await runner(context).start(context.bot, person, flow_id, meeting_id=meeting.id)
    else:
        editable = svc.clock() < meeting.prep_deadline_at
        await runner(context).resume(context.bot, person, run, editable=editable)


async def on_pick_prep(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    found = await _member_meeting(context, person, payload)
    if found is None:
        return services(context).render.text(person, "error.button_expired")
    await open_prep(context, person, *found)
    return None


async def on_edit_button(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """'Change answer N' under a finished preparation."""
    svc = services(context)
    run = await _own_run(context, person, payload)
    if run is None or len(payload.args) != 2:
        return svc.render.text(person, "error.button_expired")
    closed = await edit_refusal(svc, person, run)
    if closed:
        return closed
    return await runner(context).reopen(context.bot, person, run, payload.args[1])


async def on_restart_button(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    """'Start over': ask first, because it throws the answers away."""
    svc = services(context)
    run = await _own_run(context, person, payload)
    if run is None:
        return svc.render.text(person, "error.button_expired")
    closed = await edit_refusal(svc, person, run)
    if closed:
        return closed
    markup = svc.render.confirm(
        person,
        callbacks.encode(callbacks.RESTART_CONFIRM, run.id),
        callbacks.encode(callbacks.RESTART_KEEP, run.id),
    )
    text = svc.render.text(person, "prep.restart_confirm")
    await FlowRunner.send(context.bot, person, Screen(text, markup))
    return None


async def on_restart_answer(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    svc = services(context)
    run = await _own_run(context, person, payload)
    if run is None:
        return svc.render.text(person, "error.button_expired")
    if payload.action == callbacks.RESTART_KEEP:
        await settle_question(query, svc.render.text(person, "prep.kept"))
        return None
    closed = await edit_refusal(svc, person, run)
    if closed:
        return closed
    await settle_question(query, svc.render.text(person, "prep.restarted"))
    await runner(context).start(
        context.bot, person, run.flow_id, meeting_id=run.meeting_id, replaces=run
    )
    return None


# /status -------------------------------------------------------------------------------------


async def on_status(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    svc = services(context)
    led = await svc.repos.meetings.of_person(
        person.id, role="leader", not_before=svc.clock() - RECENT
    )
    if not led:
        await say(context, person, "status.not_leader")
    elif len(led) == 1:
        await show_status(context, person, led[0][0])
    else:
        await _choose_meeting(context, person, led, "status.choose_meeting", callbacks.PICK_STATUS)


async def on_pick_status(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    found = await _member_meeting(context, person, payload)
    if found is None:
        return services(context).render.text(person, "error.button_expired")
    meeting, role = found
    if role != "leader":
        return services(context).render.text(person, "error.not_leader")
    await show_status(context, person, meeting)
    return None


async def show_status(context: DDContext, person: Person, meeting: Meeting) -> None:
    """'5/7 prepared', who is missing, the leader's open checklist items, and a chart."""
    svc = services(context)
    render = svc.render
    statuses = await svc.repos.meetings.prep_status(meeting)
    counts = PrepCounts(
        finished=sum(s.status == "finished" for s in statuses),
        in_progress=sum(s.status == "in_progress" for s in statuses),
        not_started=sum(s.status == "not_started" for s in statuses),
    )
    blocks = [
        render.text(
            person,
            "status.header",
            title=meeting.title,
            starts=meeting.starts_at,
            done=counts.finished,
            total=counts.total,
        )
    ]
    missing = [s.person.display_name for s in statuses if s.status != "finished"]
    if not statuses:
        blocks.append(render.text(person, "status.no_participants"))
    elif missing:
        blocks.append(render.text(person, "status.missing", names=", ".join(missing)))
    else:
        blocks.append(render.text(person, "status.everyone_done"))
    blocks.append(await _checklist(svc, person, meeting))
    await FlowRunner.send(context.bot, person, Screen("\n\n".join(blocks)))
    if statuses:
        await _send_status_chart(context, person, meeting, counts)


async def _send_status_chart(
    context: DDContext, person: Person, meeting: Meeting, counts: PrepCounts
) -> None:
    svc = services(context)
    render = svc.render
    await context.bot.send_chat_action(person.telegram_id, "upload_photo")
    labels = {
        key: render.text(person, f"chart.{key}")
        for key in ("finished", "in_progress", "not_started", "participants", "prep_title")
    }
    png = await draw(svc.chart_executor, status_chart.render_png, counts, labels)
    caption = render.text(
        person,
        "status.chart_caption",
        done=counts.finished,
        started=counts.in_progress,
        not_started=counts.not_started,
        deadline=meeting.prep_deadline_at,
    )
    await context.bot.send_photo(person.telegram_id, photo=png, caption=caption)


async def _checklist(svc: Services, person: Person, meeting: Meeting) -> str:
    run = await svc.repos.runs.latest_for(person.id, meeting.id, LEADER_FLOW)
    flow = svc.flows[LEADER_FLOW]
    answers = run.state["answers"] if run else {}
    open_items = [
        svc.render.text(
            person, "status.checklist_item", item=svc.render.text(person, f"leaderprep.item.{s.id}")
        )
        for s in flow.steps
        if answers.get(s.id) in (None, False)
    ]
    if not open_items:
        return svc.render.text(person, "status.checklist_done")
    return svc.render.text(person, "status.checklist_open", items="\n".join(open_items))


# /invites ------------------------------------------------------------------------------------


async def on_invites(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    svc = services(context)
    now = svc.clock()
    led = await svc.repos.meetings.of_person(person.id, role="leader", not_before=now)
    if not led:
        await say(context, person, "invite.none")
        return
    for meeting, _ in led:
        invites = await svc.repos.invites.usable_for_meeting(meeting.id, now)
        await _send_invites(context, person, meeting, invites)


async def _send_invites(
    context: DDContext, person: Person, meeting: Meeting, invites: list[Invite]
) -> None:
    render = services(context).render
    lines = [render.text(person, "invite.list_header", title=meeting.title)]
    rows = []
    for invite in invites:
        role = render.text(person, f"role.{invite.role}")
        link = invite_link(context.bot, invite)
        lines.append(
            render.text(person, "invite.line", role=role, link=link, expires=invite.expires_at)
        )
        label = render.text(person, "invite.revoke_button", role=role)
        rows.append([button(label, callbacks.encode(callbacks.REVOKE, invite.id))])
    markup = InlineKeyboardMarkup(rows) if rows else None
    await FlowRunner.send(context.bot, person, Screen("\n\n".join(lines), markup))


async def on_revoke_button(
    context: DDContext, person: Person, payload: callbacks.Payload, query: CallbackQuery
) -> str | None:
    svc = services(context)
    invite = await _led_invite(context, person, payload)
    if invite is None:
        return svc.render.text(person, "error.button_expired")
    if payload.action == callbacks.REVOKE_KEEP:
        await settle_question(query, svc.render.text(person, "common.cancelled"))
        return None
    role = svc.render.text(person, f"role.{invite.role}")
    if payload.action == callbacks.REVOKE:
        markup = svc.render.confirm(
            person,
            callbacks.encode(callbacks.REVOKE_CONFIRM, invite.id),
            callbacks.encode(callbacks.REVOKE_KEEP, invite.id),
        )
        text = svc.render.text(person, "invite.revoke_confirm", role=role)
        await FlowRunner.send(context.bot, person, Screen(text, markup))
        return None
    now = svc.clock()
    await svc.repos.invites.revoke(invite, now)
    fresh = await svc.repos.invites.issue(
        invite.meeting_id,
        invite.role,
        expires_at=invite.expires_at,
        now=now,
        max_uses=invite.max_uses,
    )
    done = svc.render.text(
        person, "invite.revoked_done", role=role, link=invite_link(context.bot, fresh)
    )
    await settle_question(query, done)
    return None


# Shared helpers ------------------------------------------------------------------------------


async def _choose_meeting(
    context: DDContext,
    person: Person,
    choices: list[tuple[Meeting, Role]],
    key: str,
    action: str,
) -> None:
    rows = [[button(m.title, callbacks.encode(action, m.id))] for m, _ in choices]
    text = services(context).render.text(person, key)
    await FlowRunner.send(context.bot, person, Screen(text, InlineKeyboardMarkup(rows)))


async def _member_meeting(
    context: DDContext, person: Person, payload: callbacks.Payload
) -> tuple[Meeting, Role] | None:
    svc = services(context)
    try:
        meeting_id = payload.int_arg(0)
    except (ValueError, IndexError):
        return None
    role = await svc.repos.meetings.role_of(meeting_id, person.id)
    meeting = await svc.repos.meetings.get(meeting_id) if role else None
    return (meeting, role) if meeting and role else None


async def _own_run(context: DDContext, person: Person, payload: callbacks.Payload) -> Run | None:
    """The current (open or finished) run a button names, if it is this person's."""
    try:
        run = await services(context).repos.runs.get(payload.int_arg(0))
    except (ValueError, IndexError):
        return None
    if run is None or run.user_id != person.id or run.status not in ("active", "finished"):
        return None
    return run


async def _led_invite(
    context: DDContext, person: Person, payload: callbacks.Payload
) -> Invite | None:
    svc = services(context)
    try:
        invite = await svc.repos.invites.get(payload.int_arg(0))
    except (ValueError, IndexError):
        return None
    if invite is None or invite.revoked_at is not None:
        return None
    role = await svc.repos.meetings.role_of(invite.meeting_id, person.id)
    return invite if role == "leader" else None


async def edit_refusal(svc: Services, person: Person, run: Run) -> str | None:
    """The refusal text if the run may no longer change: a preparation past its deadline, or
    a confirmed agreement."""
    if run.meeting_id is None:
        return None
    meeting = await svc.repos.meetings.get(run.meeting_id)
    if meeting is not None and run.flow_id == AGREEMENT_FLOW:  # a draft is open until confirmed
        if await svc.repos.agreements.agreement_of(meeting.id) is None:
            return None
        return svc.render.text(person, "agreement.already_confirmed")
    if meeting is None or run.flow_id not in (meeting.prep_flow_id, LEADER_FLOW):
        return None
    if svc.clock() < meeting.prep_deadline_at:
        return None
    return svc.render.text(person, "prep.edit_closed", deadline=meeting.prep_deadline_at)


BUTTONS: dict[str, ButtonHandler] = {
    callbacks.PICK_PREP: on_pick_prep,
    callbacks.PICK_STATUS: on_pick_status,
    callbacks.EDIT: on_edit_button,
    callbacks.RESTART: on_restart_button,
    callbacks.RESTART_CONFIRM: on_restart_answer,
    callbacks.RESTART_KEEP: on_restart_answer,
    callbacks.REVOKE: on_revoke_button,
    callbacks.REVOKE_CONFIRM: on_revoke_button,
    callbacks.REVOKE_KEEP: on_revoke_button,
}

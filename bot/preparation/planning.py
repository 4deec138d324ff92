"""/newmeeting: a leader plans a meeting; it is created when the planning flow is finished."""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot.core.links import group_link, start_link
from bot.core.people import person_of
from bot.core.send import say
from bot.core.services import DDContext, Services, services
from bot.follow_up.planning import FollowUpPlanner
from storage.records import Invite, Meeting, Person, Run

NEW_MEETING_FLOW = "new_meeting"
LEADER_FLOW = "leader_prep"


async def on_newmeeting(update: Update, context: DDContext) -> None:
    person = await person_of(update, context)
    await services(context).runner.start_afresh(person, NEW_MEETING_FLOW)


async def meeting_planned(svc: Services, person: Person, run: Run) -> None:
    """Finish hook of new_meeting: create the meeting, hand out its links, open the leader's
    checklist, and plan the leader's '5/7 ready' at the deadline."""
    meeting, team_existed = await _create_meeting(svc, person, run.state["answers"])
    participants, referent = await _issue_invites(svc, meeting)
    form = svc.render.text(person, f"newmeeting.prep_form.option.{meeting.prep_flow_id}")
    await say(svc, person, "newmeeting.created", title=meeting.title, team=meeting.team_name,
              starts=meeting.starts_at, deadline=meeting.prep_deadline_at, form=form,
              number=meeting.id)  # fmt: skip
    if team_existed:
        await say(svc, person, "newmeeting.existing_team", team=meeting.team_name)
    await say(
        svc,
        person,
        "newmeeting.links",
        participant_link=start_link(svc.bot, participants.token),
        referent_link=start_link(svc.bot, referent.token),
        group_link=group_link(svc.bot),
    )
    await svc.runner.start(person, LEADER_FLOW, meeting_id=meeting.id)
    await svc.part(FollowUpPlanner).leader_summary(meeting, person)


async def _create_meeting(svc: Services, leader: Person, answers: dict) -> tuple[Meeting, bool]:
    return await svc.repos.meetings.create(
        leader,
        title=answers["title"],
        team_name=answers["team"],
        starts_at=datetime.fromisoformat(answers["starts_at"]),
        prep_deadline_at=datetime.fromisoformat(answers["prep_deadline"]),
        time_zone=leader.time_zone,
        prep_flow_id=answers["prep_form"],
        now=svc.clock(),
    )


async def _issue_invites(svc: Services, meeting: Meeting) -> tuple[Invite, Invite]:
    """A link for the participants, and a one-time link for the referent; both end at the start."""
    now, ends = svc.clock(), meeting.starts_at
    participants = await svc.repos.invites.issue(
        meeting.id, "participant", expires_at=ends, now=now
    )
    referent = await svc.repos.invites.issue(
        meeting.id, "referent", expires_at=ends, now=now, max_uses=1
    )
    return participants, referent

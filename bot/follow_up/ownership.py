"""An owner or follow-up link from an agreement is opened: that person now owns the action
(their nudges start) or follows it up (they hear when its owner is blocked or silent), and the
leader hears of it."""

from __future__ import annotations

from bot.core.send import say
from bot.core.services import Services
from bot.follow_up.answers import cadence_of
from bot.follow_up.planning import FollowUpPlanner
from storage.records import Person


async def accept_part(svc: Services, person: Person, action_id: int, status: str) -> None:
    """`status` is "owner" or "follow_up" the first time the link is used, "already_..." after."""
    if status in ("follow_up", "already_follow_up"):
        await _accept_follow_up(svc, person, action_id, status)
    else:
        await _accept_ownership(svc, person, action_id, status)


async def _accept_follow_up(svc: Services, person: Person, action_id: int, status: str) -> None:
    action = await svc.repos.agreements.action(action_id)
    assert action is not None
    meeting = await svc.repos.meetings.get(action.meeting_id)
    assert meeting is not None
    key = "owner.follow_up_accepted" if status == "follow_up" else "owner.follow_up_already"
    await say(svc, person, key, description=action.description, deadline=action.deadline_at,
              team=meeting.team_name, owner=action.owner_name or "–")  # fmt: skip
    leader = await svc.repos.people.get(meeting.created_by)
    if status == "follow_up" and leader is not None:
        await say(svc, leader, "owner.follow_up_leader_told", name=person.display_name,
                  description=action.description)  # fmt: skip


async def _accept_ownership(svc: Services, person: Person, action_id: int, status: str) -> None:
    action = await svc.repos.agreements.action(action_id)
    assert action is not None
    meeting = await svc.repos.meetings.get(action.meeting_id)
    assert meeting is not None
    key = "owner.accepted" if status == "owner" else "owner.already"
    await say(svc, person, key, description=action.description, deadline=action.deadline_at,
              team=meeting.team_name, follow_up=action.follow_up_name or "–")  # fmt: skip
    if status != "owner":
        return
    await svc.part(FollowUpPlanner).action(action, await cadence_of(svc, action))
    leader = await svc.repos.people.get(meeting.created_by)
    if leader is not None:
        await say(svc, leader, "owner.leader_told", name=person.display_name,
                  description=action.description)  # fmt: skip

"""Teams, meetings and who takes part in them with which role."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.records import Meeting, NewMeeting, Person, PrepStatus, Role
from storage.repositories.people import person_from_row
from storage.schema import flow_runs, meetings, memberships, teams, users

_MEETING_COLUMNS = (meetings, teams.c.name.label("team_name"))


class MeetingRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(
        self,
        leader: Person,
        *,
        title: str,
        team_name: str,
        starts_at: datetime,
        prep_deadline_at: datetime,
        time_zone: str,
        prep_flow_id: str,
        now: datetime,
    ) -> tuple[Meeting, bool]:
        """Create a meeting with `leader` as its leader, in the leader's team of that name.

        Returns the meeting and whether the team already existed (so it continues a series).
        """
        async with self._engine.begin() as conn:
            team_id = (
                await conn.execute(
                    select(teams.c.id).where(
                        teams.c.created_by == leader.id,
                        func.lower(teams.c.name) == team_name.lower(),
                    )
                )
            ).scalar()
            existed = team_id is not None
            if team_id is None:
                result = await conn.execute(
                    teams.insert().values(name=team_name, created_by=leader.id, created_at=now)
                )
                team_id = result.inserted_primary_key[0]
            planned = NewMeeting(
                team_id=team_id,
                title=title,
                starts_at=starts_at,
                prep_deadline_at=prep_deadline_at,
                time_zone=time_zone,
                prep_flow_id=prep_flow_id,
                created_by=leader.id,
            )
            meeting_id = await insert_meeting(conn, planned, now)
            await conn.execute(
                memberships.insert().values(
                    meeting_id=meeting_id, user_id=leader.id, role="leader", joined_at=now
                )
            )
        meeting = await self.get(meeting_id)
        assert meeting is not None
        return meeting, existed

    async def get(self, meeting_id: int) -> Meeting | None:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(*_MEETING_COLUMNS)
                .join(teams, teams.c.id == meetings.c.team_id)
                .where(meetings.c.id == meeting_id)
            )
            row = result.mappings().first()
        return _meeting(row) if row else None

    async def set_status(self, meeting_id: int, status: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(meetings).where(meetings.c.id == meeting_id).values(status=status)
            )

    async def role_of(self, meeting_id: int, person_id: int) -> Role | None:
        async with self._engine.connect() as conn:
            return (
                await conn.execute(
                    select(memberships.c.role).where(
                        memberships.c.meeting_id == meeting_id, memberships.c.user_id == person_id
                    )
                )
            ).scalar()

    async def of_person(
        self, person_id: int, *, role: Role | None = None, not_before: datetime | None = None
    ) -> list[tuple[Meeting, Role]]:
        """The person's meetings (optionally one role, or starting after a time), soonest first."""
        query = (
            select(*_MEETING_COLUMNS, memberships.c.role)
            .join(teams, teams.c.id == meetings.c.team_id)
            .join(memberships, memberships.c.meeting_id == meetings.c.id)
            .where(memberships.c.user_id == person_id, meetings.c.status != "cancelled")
            .order_by(meetings.c.starts_at, meetings.c.id)
        )
        if role is not None:
            query = query.where(memberships.c.role == role)
        if not_before is not None:
            query = query.where(meetings.c.starts_at > not_before)
        async with self._engine.connect() as conn:
            result = await conn.execute(query)
            return [(_meeting(row), row["role"]) for row in result.mappings()]

    async def prep_status(self, meeting: Meeting) -> list[PrepStatus]:
        """Each participant's preparation: finished, in progress, or not started; by name."""
        latest_run = (
            select(flow_runs.c.user_id, func.max(flow_runs.c.id).label("run_id"))
            .where(
                flow_runs.c.meeting_id == meeting.id,
                flow_runs.c.flow_id == meeting.prep_flow_id,
                flow_runs.c.status.in_(("active", "finished")),
            )
            .group_by(flow_runs.c.user_id)
            .subquery()
        )
        query = (
            select(users, flow_runs.c.status.label("run_status"))
            .join(memberships, memberships.c.user_id == users.c.id)
            .outerjoin(latest_run, latest_run.c.user_id == users.c.id)
            .outerjoin(flow_runs, flow_runs.c.id == latest_run.c.run_id)
            .where(
                and_(memberships.c.meeting_id == meeting.id, memberships.c.role == "participant")
            )
            .order_by(users.c.display_name, users.c.id)
        )
        async with self._engine.connect() as conn:
            result = await conn.execute(query)
            return [
                PrepStatus(person_from_row(row), _prep_status(row["run_status"]))
                for row in result.mappings()
            ]


def _prep_status(run_status: str | None):
    if run_status == "finished":
        return "finished"
    return "in_progress" if run_status == "active" else "not_started"


def _meeting(row: RowMapping) -> Meeting:
    return Meeting(
        id=row["id"],
        team_id=row["team_id"],
        team_name=row["team_name"],
        title=row["title"],
        starts_at=row["starts_at"],
        prep_deadline_at=row["prep_deadline_at"],
        time_zone=row["time_zone"],
        status=row["status"],
        prep_flow_id=row["prep_flow_id"],
        created_by=row["created_by"],
    )


async def insert_meeting(conn: AsyncConnection, planned: NewMeeting, now: datetime) -> int:
    """Store a planned meeting (and, if asked, copy members from another); returns its id."""
    result = await conn.execute(
        meetings.insert().values(
            team_id=planned.team_id,
            title=planned.title,
            starts_at=planned.starts_at,
            prep_deadline_at=planned.prep_deadline_at,
            time_zone=planned.time_zone,
            status="planned",
            prep_flow_id=planned.prep_flow_id,
            created_by=planned.created_by,
            created_at=now,
        )
    )
    meeting_id = result.inserted_primary_key[0]
    if planned.members_from is not None:
        members = await conn.execute(
            select(memberships.c.user_id, memberships.c.role).where(
                memberships.c.meeting_id == planned.members_from
            )
        )
        rows = [
            {"meeting_id": meeting_id, "user_id": row.user_id, "role": row.role, "joined_at": now}
            for row in members
        ]
        if rows:
            await conn.execute(memberships.insert(), rows)
    return meeting_id

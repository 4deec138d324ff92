"""The agreement (aftalepapir): goals, data signal, actions with owners; and how they went.

Actions are drafted one by one, confirmed together with the agreement, and reviewed at the
next meeting. `action_updates` holds the owners' follow-up answers between meetings; the
Since last time query already reads the newest one, so follow-up slots in without changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased

from storage.records import (
    Action,
    ActionReview,
    ActionUpdate,
    Agreement,
    Meeting,
    NewMeeting,
    PastAction,
)
from storage.repositories.dialogues import copy_group
from storage.repositories.meetings import insert_meeting
from storage.schema import (
    action_reviews,
    action_updates,
    actions,
    agreements,
    users,
)

DEFAULT_CADENCE_DAYS = 14


@dataclass(frozen=True)
class AgreementText:
    short_goal: str
    long_goal: str
    horizon_months: int
    data_signal: str
    next_meeting_at: datetime
    cadence_days: int = DEFAULT_CADENCE_DAYS


@dataclass(frozen=True)
class ActionProgress:
    """An agreed action with its owner's newest answer and the newest answer with a note."""

    action: Action
    latest: ActionUpdate | None
    latest_note: ActionUpdate | None


_owner = aliased(users, name="owner")
_follow_up = aliased(users, name="follow_up")
_ACTION_COLUMNS = (
    actions,
    func.coalesce(_owner.c.display_name, actions.c.owner_name).label("owner_display"),
    func.coalesce(_follow_up.c.display_name, actions.c.follow_up_name).label("follow_up_display"),
)


def _actions_query():
    return (
        select(*_ACTION_COLUMNS)
        .outerjoin(_owner, _owner.c.id == actions.c.owner_id)
        .outerjoin(_follow_up, _follow_up.c.id == actions.c.follow_up_id)
        .order_by(actions.c.id)
    )


class AgreementRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    # Drafting actions ------------------------------------------------------------------------

    async def draft_action(
        self,
        meeting_id: int,
        *,
        description: str,
        deadline_at: datetime,
        created_by: int,
        now: datetime,
    ) -> Action:
        async with self._engine.begin() as conn:
            result = await conn.execute(
                actions.insert().values(
                    meeting_id=meeting_id,
                    description=description,
                    deadline_at=deadline_at,
                    status="draft",
                    created_by=created_by,
                    created_at=now,
                )
            )
        action = await self.action(result.inserted_primary_key[0])
        assert action is not None
        return action

    async def action(self, action_id: int) -> Action | None:
        async with self._engine.connect() as conn:
            row = (
                (await conn.execute(_actions_query().where(actions.c.id == action_id)))
                .mappings()
                .first()
            )
        return _action(row) if row else None

    async def actions_of(self, meeting_id: int, status: str) -> list[Action]:
        query = _actions_query().where(
            actions.c.meeting_id == meeting_id, actions.c.status == status
        )
        async with self._engine.connect() as conn:
            return [_action(row) for row in (await conn.execute(query)).mappings()]

    async def set_owner(self, action: Action, owner_id: int) -> None:
        await self._set_draft(action, owner_id=owner_id, owner_name=None)

    async def set_outside_owner(self, action: Action, name: str) -> None:
        """Someone outside the group, named until they accept their link."""
        await self._set_draft(action, owner_id=None, owner_name=name)

    async def set_follow_up(self, action: Action, person_id: int) -> None:
        await self._set_draft(action, follow_up_id=person_id, follow_up_name=None)

    async def set_outside_follow_up(self, action: Action, name: str) -> None:
        await self._set_draft(action, follow_up_id=None, follow_up_name=name)

    async def remove_draft(self, action: Action) -> bool:
        async with self._engine.begin() as conn:
            removed = await conn.execute(
                delete(actions).where(actions.c.id == action.id, actions.c.status == "draft")
            )
        return removed.rowcount == 1

    async def _set_draft(self, action: Action, **values: object) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(actions)
                .where(actions.c.id == action.id, actions.c.status == "draft")
                .values(**values)
            )

    # Confirming ------------------------------------------------------------------------------

    async def agreement_of(self, meeting_id: int) -> Agreement | None:
        async with self._engine.connect() as conn:
            row = (
                (
                    await conn.execute(
                        select(agreements).where(agreements.c.meeting_id == meeting_id)
                    )
                )
                .mappings()
                .first()
            )
        return _agreement(row) if row else None

    async def confirm(
        self,
        meeting: Meeting,
        text: AgreementText,
        drafted_by: int,
        now: datetime,
        *,
        next_meeting: NewMeeting,
    ) -> Agreement | None:
        """Store the agreement, agree its drafted actions and store the next meeting, in one
        transaction; None if the meeting already has an agreement."""
        async with self._engine.begin() as conn:
            exists = (
                await conn.execute(
                    select(agreements.c.meeting_id).where(agreements.c.meeting_id == meeting.id)
                )
            ).first()
            if exists:
                return None
            next_id = await insert_meeting(conn, next_meeting, now)
            if next_meeting.group_from is not None:
                await copy_group(conn, next_meeting.group_from, next_id, now)
            await conn.execute(
                agreements.insert().values(
                    meeting_id=meeting.id,
                    short_goal=text.short_goal,
                    long_goal=text.long_goal,
                    horizon_months=text.horizon_months,
                    data_signal=text.data_signal,
                    next_meeting_id=next_id,
                    cadence_days=text.cadence_days,
                    drafted_by=drafted_by,
                    confirmed_at=now,
                )
            )
            await conn.execute(
                update(actions)
                .where(actions.c.meeting_id == meeting.id, actions.c.status == "draft")
                .values(status="agreed")
            )
        return await self.agreement_of(meeting.id)

    async def mark_shared(self, meeting_id: int, now: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(agreements)
                .where(agreements.c.meeting_id == meeting_id)
                .values(shared_at=now)
            )

    async def unshared(self) -> list[Agreement]:
        """Agreements confirmed but not yet planned and posted whole (a crash in between)."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(agreements).where(agreements.c.shared_at.is_(None)))
            return [_agreement(row) for row in rows.mappings()]

    # Since last time -------------------------------------------------------------------------

    async def previous_meeting_id(self, meeting_id: int) -> int | None:
        """The meeting whose agreement planned this one."""
        async with self._engine.connect() as conn:
            return (
                await conn.execute(
                    select(agreements.c.meeting_id).where(
                        agreements.c.next_meeting_id == meeting_id
                    )
                )
            ).scalar()

    async def past_actions(self, meeting_id: int) -> list[PastAction]:
        """The previous agreement's actions with their newest follow-up and this review."""
        previous = await self.previous_meeting_id(meeting_id)
        if previous is None:
            return []
        latest = (
            select(action_updates.c.action_id, func.max(action_updates.c.id).label("update_id"))
            .group_by(action_updates.c.action_id)
            .subquery()
        )
        query = (
            _actions_query()
            .add_columns(
                action_updates.c.status.label("update_status"),
                action_updates.c.note.label("update_note"),
                action_updates.c.reported_at.label("update_at"),
                action_reviews.c.outcome,
                action_reviews.c.decision,
                action_reviews.c.learning,
                action_reviews.c.id.label("review_id"),
            )
            .outerjoin(latest, latest.c.action_id == actions.c.id)
            .outerjoin(action_updates, action_updates.c.id == latest.c.update_id)
            .outerjoin(
                action_reviews,
                and_(
                    action_reviews.c.action_id == actions.c.id,
                    action_reviews.c.meeting_id == meeting_id,
                ),
            )
            .where(actions.c.meeting_id == previous, actions.c.status == "agreed")
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_past_action(row) for row in rows]

    async def record_update(
        self, action_id: int, status: str, note: str | None, by: int | None, now: datetime
    ) -> None:
        """An owner's follow-up answer (written by the reminders; tests use it directly)."""
        async with self._engine.begin() as conn:
            await conn.execute(
                action_updates.insert().values(
                    action_id=action_id, status=status, note=note, reported_by=by, reported_at=now
                )
            )

    async def latest_update(self, action_id: int) -> ActionUpdate | None:
        async with self._engine.connect() as conn:
            row = (
                (
                    await conn.execute(
                        select(action_updates)
                        .where(action_updates.c.action_id == action_id)
                        .order_by(action_updates.c.id.desc())
                        .limit(1)
                    )
                )
                .mappings()
                .first()
            )
        return ActionUpdate(row["status"], row["note"], row["reported_at"]) if row else None

    async def progress_of(self, meeting_id: int) -> list[ActionProgress]:
        """The meeting's agreed actions, each with its newest answer and newest note."""
        answers = (
            select(action_updates)
            .join(actions, actions.c.id == action_updates.c.action_id)
            .where(actions.c.meeting_id == meeting_id, actions.c.status == "agreed")
            .order_by(action_updates.c.id)
        )
        agreed = _actions_query().where(
            actions.c.meeting_id == meeting_id, actions.c.status == "agreed"
        )
        async with self._engine.connect() as conn:
            found = [_action(row) for row in (await conn.execute(agreed)).mappings()]
            rows = (await conn.execute(answers)).mappings().all()
        latest: dict[int, ActionUpdate] = {}
        noted: dict[int, ActionUpdate] = {}
        for row in rows:  # oldest first, so the newest wins
            answer = ActionUpdate(row["status"], row["note"], row["reported_at"])
            latest[row["action_id"]] = answer
            if row["note"]:
                noted[row["action_id"]] = answer
        return [ActionProgress(a, latest.get(a.id), noted.get(a.id)) for a in found]

    async def add_note(self, action_id: int, by: int, note: str) -> bool:
        """Attach a note to this person's newest answer about the action (if it has none)."""
        newest = (
            select(func.max(action_updates.c.id))
            .where(action_updates.c.action_id == action_id, action_updates.c.reported_by == by)
            .scalar_subquery()
        )
        async with self._engine.begin() as conn:
            changed = await conn.execute(
                update(action_updates)
                .where(action_updates.c.id == newest, action_updates.c.note.is_(None))
                .values(note=note)
            )
        return changed.rowcount == 1

    async def change_agreed(self, action: Action, **values: object) -> None:
        """A new deadline (postponed) or a new owner (reassigned) for an agreed action."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(actions)
                .where(actions.c.id == action.id, actions.c.status == "agreed")
                .values(**values)
            )

    async def open_actions_of(self, owner_id: int) -> list[tuple[Action, ActionUpdate | None]]:
        """The person's agreed actions not reported done, soonest deadline first."""
        mine = _actions_query().where(actions.c.owner_id == owner_id, actions.c.status == "agreed")
        async with self._engine.connect() as conn:
            found = [_action(row) for row in (await conn.execute(mine)).mappings()]
        result = []
        for action in sorted(found, key=lambda a: a.deadline_at):
            latest = await self.latest_update(action.id)
            if latest is None or latest.status != "done":
                result.append((action, latest))
        return result

    async def record_review(
        self, action_id: int, meeting_id: int, by: int, now: datetime, **fields: str
    ) -> None:
        """Set the review's outcome, decision or learning, keeping the fields not given."""
        async with self._engine.begin() as conn:
            changed = await conn.execute(
                update(action_reviews)
                .where(
                    action_reviews.c.action_id == action_id,
                    action_reviews.c.meeting_id == meeting_id,
                )
                .values(reviewed_by=by, reviewed_at=now, **fields)
            )
            if changed.rowcount == 0:
                await conn.execute(
                    action_reviews.insert().values(
                        action_id=action_id,
                        meeting_id=meeting_id,
                        reviewed_by=by,
                        reviewed_at=now,
                        **fields,
                    )
                )


def _action(row: RowMapping) -> Action:
    return Action(
        id=row["id"],
        meeting_id=row["meeting_id"],
        description=row["description"],
        owner_id=row["owner_id"],
        owner_name=row["owner_display"],
        follow_up_id=row["follow_up_id"],
        follow_up_name=row["follow_up_display"],
        deadline_at=row["deadline_at"],
        status=row["status"],
    )


def _agreement(row: RowMapping) -> Agreement:
    return Agreement(
        meeting_id=row["meeting_id"],
        short_goal=row["short_goal"],
        long_goal=row["long_goal"],
        horizon_months=row["horizon_months"],
        data_signal=row["data_signal"],
        next_meeting_id=row["next_meeting_id"],
        cadence_days=row["cadence_days"],
        confirmed_at=row["confirmed_at"],
        drafted_by=row["drafted_by"],
        shared_at=row["shared_at"],
    )


def _past_action(row: RowMapping) -> PastAction:
    update_ = None
    if row["update_status"] is not None:
        update_ = ActionUpdate(row["update_status"], row["update_note"], row["update_at"])
    review = None
    if row["review_id"] is not None:
        review = ActionReview(row["outcome"], row["decision"], row["learning"])
    return PastAction(_action(row), update_, review)

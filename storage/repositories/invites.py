"""Invitation tokens for deep links: unguessable, expiring, revocable, optionally single-use."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast

from sqlalchemy import or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.records import Invite, InviteRole, Person
from storage.schema import actions, invites, memberships

TOKEN_BYTES = 24
"""24 random bytes give 32 URL-safe characters: within Telegram's 64 for a start payload."""

RedeemStatus = Literal[
    "joined", "already_member", "owner", "already_owner", "follow_up", "already_follow_up",
    "unknown", "expired", "revoked", "used_up",
]  # fmt: skip
ACTION_ROLES = {"owner": actions.c.owner_id, "follow_up": actions.c.follow_up_id}
"""Links that hand one person a part in one action: the column they fill."""


@dataclass(frozen=True)
class Redemption:
    status: RedeemStatus
    meeting_id: int | None = None
    role: InviteRole | None = None
    action_id: int | None = None


class InviteRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def issue(
        self,
        meeting_id: int,
        role: InviteRole,
        *,
        expires_at: datetime,
        now: datetime,
        max_uses: int | None = None,
        action_id: int | None = None,
    ) -> Invite:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        async with self._engine.begin() as conn:
            result = await conn.execute(
                invites.insert().values(
                    token=token,
                    meeting_id=meeting_id,
                    role=role,
                    expires_at=expires_at,
                    max_uses=max_uses,
                    uses=0,
                    created_at=now,
                    action_id=action_id,
                )
            )
            invite_id = result.inserted_primary_key[0]
        return Invite(invite_id, token, meeting_id, role, expires_at, max_uses, 0, None, action_id)

    async def get(self, invite_id: int) -> Invite | None:
        async with self._engine.connect() as conn:
            result = await conn.execute(select(invites).where(invites.c.id == invite_id))
            row = result.mappings().first()
        return _invite(row) if row else None

    async def usable_for_meeting(self, meeting_id: int, now: datetime) -> list[Invite]:
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(invites)
                .where(
                    invites.c.meeting_id == meeting_id,
                    invites.c.action_id.is_(None),
                    invites.c.revoked_at.is_(None),
                    invites.c.expires_at > now,
                    or_(invites.c.max_uses.is_(None), invites.c.uses < invites.c.max_uses),
                )
                .order_by(invites.c.id)
            )
            return [_invite(row) for row in result.mappings()]

    async def for_action(self, action_id: int, now: datetime) -> Invite | None:
        """The action's owner link if it can still be used."""
        async with self._engine.connect() as conn:
            result = await conn.execute(
                select(invites)
                .where(
                    invites.c.action_id == action_id,
                    invites.c.role == "owner",
                    invites.c.revoked_at.is_(None),
                    invites.c.expires_at > now,
                    invites.c.uses < invites.c.max_uses,
                )
                .order_by(invites.c.id.desc())
                .limit(1)
            )
            row = result.mappings().first()
        return _invite(row) if row else None

    async def revoke(self, invite: Invite, now: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(invites).where(invites.c.id == invite.id).values(revoked_at=now)
            )

    async def redeem(self, token: str, person: Person, now: datetime) -> Redemption:
        """Join the invite's meeting with its role, in one transaction; say why if not."""
        async with self._engine.begin() as conn:
            result = await conn.execute(select(invites).where(invites.c.token == token))
            row = result.mappings().first()
            if row is None:
                return Redemption("unknown")
            invite = _invite(row)
            if invite.action_id is not None:
                return await _redeem_action_role(conn, invite, person, now)
            role = (
                await conn.execute(
                    select(memberships.c.role).where(
                        memberships.c.meeting_id == invite.meeting_id,
                        memberships.c.user_id == person.id,
                    )
                )
            ).scalar()
            if role is not None:
                return Redemption("already_member", invite.meeting_id, role)
            refusal = _refusal(invite, now)
            if refusal is not None:
                return Redemption(refusal, invite.meeting_id)
            # The guard in WHERE makes the last use of a single-use link safe under races.
            claimed = await conn.execute(
                update(invites)
                .where(
                    invites.c.id == invite.id,
                    or_(invites.c.max_uses.is_(None), invites.c.uses < invites.c.max_uses),
                )
                .values(uses=invites.c.uses + 1)
            )
            if claimed.rowcount == 0:
                return Redemption("used_up", invite.meeting_id)
            await conn.execute(
                memberships.insert().values(
                    meeting_id=invite.meeting_id, user_id=person.id, role=invite.role, joined_at=now
                )
            )
        return Redemption("joined", invite.meeting_id, invite.role)


async def _redeem_action_role(
    conn: AsyncConnection, invite: Invite, person: Person, now: datetime
) -> Redemption:
    """An owner or follow-up link: the first person to open it takes that part in the action;
    nobody else can after, nor once someone else was given that part."""
    assert invite.action_id is not None
    column = ACTION_ROLES[invite.role]
    holder = (await conn.execute(select(column).where(actions.c.id == invite.action_id))).scalar()
    if holder == person.id:
        already = cast(RedeemStatus, f"already_{invite.role}")
        return Redemption(already, invite.meeting_id, invite.role, invite.action_id)
    if holder is not None:
        return Redemption("used_up", invite.meeting_id)
    refusal = _refusal(invite, now)
    if refusal is not None:
        return Redemption(refusal, invite.meeting_id)
    claimed = await conn.execute(
        update(invites)
        .where(invites.c.id == invite.id, invites.c.uses < invites.c.max_uses)
        .values(uses=invites.c.uses + 1)
    )
    if claimed.rowcount == 0:
        return Redemption("used_up", invite.meeting_id)
    await conn.execute(
        update(actions).where(actions.c.id == invite.action_id).values({column.name: person.id})
    )
    taken = cast(RedeemStatus, invite.role)
    return Redemption(taken, invite.meeting_id, invite.role, invite.action_id)


def _refusal(invite: Invite, now: datetime) -> RedeemStatus | None:
    if invite.revoked_at is not None:
        return "revoked"
    if now >= invite.expires_at:
        return "expired"
    return None


def _invite(row: RowMapping) -> Invite:
    return Invite(
        id=row["id"],
        token=row["token"],
        meeting_id=row["meeting_id"],
        role=row["role"],
        expires_at=row["expires_at"],
        max_uses=row["max_uses"],
        uses=row["uses"],
        revoked_at=row["revoked_at"],
        action_id=row["action_id"],
    )

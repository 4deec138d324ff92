"""Invitation tokens for deep links: unguessable, expiring, revocable, optionally single-use."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.records import Invite, Person, Role
from storage.schema import invites, memberships

TOKEN_BYTES = 24
"""24 random bytes give 32 URL-safe characters: within Telegram's 64 for a start payload."""

RedeemStatus = Literal["joined", "already_member", "unknown", "expired", "revoked", "used_up"]


@dataclass(frozen=True)
class Redemption:
    status: RedeemStatus
    meeting_id: int | None = None
    role: Role | None = None


class InviteRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def issue(
        self,
        meeting_id: int,
        role: Role,
        *,
        expires_at: datetime,
        now: datetime,
        max_uses: int | None = None,
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
                )
            )
            invite_id = result.inserted_primary_key[0]
        return Invite(invite_id, token, meeting_id, role, expires_at, max_uses, 0, None)

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
                    invites.c.revoked_at.is_(None),
                    invites.c.expires_at > now,
                    or_(invites.c.max_uses.is_(None), invites.c.uses < invites.c.max_uses),
                )
                .order_by(invites.c.id)
            )
            return [_invite(row) for row in result.mappings()]

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
            if invite.revoked_at is not None:
                return Redemption("revoked", invite.meeting_id)
            if now >= invite.expires_at:
                return Redemption("expired", invite.meeting_id)
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
    )

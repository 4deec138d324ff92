"""The database schema as SQLAlchemy Core tables: one MetaData, UTC everywhere, portable SQL.

Alembic migrations in storage/migrations must produce exactly these tables; a unit test compares
them. `SCHEMA_REVISION` is the newest migration, so start-up can skip Alembic when up to date.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
)

SCHEMA_REVISION = "0007"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and returns them aware, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("telegram_id", BigInteger, nullable=False, unique=True),
    Column("display_name", String(128), nullable=False),
    Column("language", String(5), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("is_reachable", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("work_start", String(5), nullable=False, server_default="08:00"),
    Column("work_end", String(5), nullable=False, server_default="16:00"),
)

teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(80), nullable=False),
    Column("group_chat_id", BigInteger, nullable=True, unique=True),
    Column("created_by", ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("created_by", "name", name="uq_teams_created_by_name"),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", ForeignKey("teams.id"), nullable=False, index=True),
    Column("title", String(120), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("prep_deadline_at", UTCDateTime, nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("prep_flow_id", String(20), nullable=False),
    Column("created_by", ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", ForeignKey("meetings.id"), nullable=False),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("joined_at", UTCDateTime, nullable=False),
    UniqueConstraint("meeting_id", "user_id", name="uq_memberships_meeting_user"),
)

invites = Table(
    "invites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("meeting_id", ForeignKey("meetings.id"), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("max_uses", Integer, nullable=True),
    Column("uses", Integer, nullable=False, default=0),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("action_id", ForeignKey("actions.id"), nullable=True),
)

flow_runs = Table(
    "flow_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("flow_id", String(20), nullable=False),
    Column("flow_version", Integer, nullable=False),
    Column("meeting_id", ForeignKey("meetings.id"), nullable=True, index=True),
    Column("current_step", String(20), nullable=True),
    Column("status", String(16), nullable=False),
    Column("state", JSON, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("prompted_at", UTCDateTime, nullable=True),
    Column("prompt_message_id", BigInteger, nullable=True),
    Index("ix_flow_runs_user_status", "user_id", "status"),
)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("flow_run_id", ForeignKey("flow_runs.id"), nullable=False),
    Column("step_id", String(20), nullable=False),
    Column("value", JSON, nullable=True),
    Column("answered_at", UTCDateTime, nullable=False),
    Column("revised_at", UTCDateTime, nullable=True),
    UniqueConstraint("flow_run_id", "step_id", name="uq_answers_run_step"),
)

data_points = Table(
    "data_points",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", ForeignKey("meetings.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("chart", String(20), nullable=False),
    Column("indicator", String(80), nullable=False),
    Column("group_name", String(60), nullable=False),
    Column("period", String(40), nullable=True),
    Column("category", String(24), nullable=True),
    Column("value", Float, nullable=False),
    Column("n", Integer, nullable=True),
    Column("imported_at", UTCDateTime, nullable=False),
)

# The dialogue (#4): a meeting run phase by phase from a linked group ----------------------------

dialogues = Table(
    "dialogues",
    metadata,
    Column("meeting_id", ForeignKey("meetings.id"), primary_key=True),
    Column("group_chat_id", BigInteger, nullable=False, index=True),
    Column("linked_by", ForeignKey("users.id"), nullable=False),
    Column("linked_at", UTCDateTime, nullable=False),
    Column("phase", String(16), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("paused", Boolean, nullable=False),
    Column("phase_started_at", UTCDateTime, nullable=True),
    Column("phase_elapsed_s", Integer, nullable=False),
    Column("timeboxes", JSON, nullable=False),
    Column("panel_message_id", BigInteger, nullable=True),
    Column("themes_message_id", BigInteger, nullable=True),
    Column("ballot_message_id", BigInteger, nullable=True),
    Column("leader_turn", Boolean, nullable=False),
    Column("dots_per_person", Integer, nullable=False),
    Column("vote_status", String(8), nullable=False),
    Column("chosen_theme_id", Integer, nullable=True),
    Column("area_note", String(2000), nullable=True),
    Column("started_at", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("results_posted_at", UTCDateTime, nullable=True),
)

themes = Table(
    "themes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", ForeignKey("meetings.id"), nullable=False, index=True),
    Column("author_id", ForeignKey("users.id"), nullable=False),
    Column("text", String(300), nullable=False),
    Column("merged_into", ForeignKey("themes.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

votes = Table(
    "votes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", ForeignKey("meetings.id"), nullable=False),
    Column("theme_id", ForeignKey("themes.id"), nullable=False),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("cast_at", UTCDateTime, nullable=False),
    Index("ix_votes_meeting_user", "meeting_id", "user_id"),
)

reply_targets = Table(
    "reply_targets",
    metadata,
    Column("chat_id", BigInteger, primary_key=True),
    Column("message_id", BigInteger, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("ref_id", Integer, nullable=False),
)

meeting_timers = Table(
    "meeting_timers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", ForeignKey("meetings.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("target", String(16), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("done_at", UTCDateTime, nullable=True),
)

agreements = Table(
    "agreements",
    metadata,
    Column("meeting_id", ForeignKey("meetings.id"), primary_key=True),
    Column("short_goal", String(500), nullable=False),
    Column("long_goal", String(500), nullable=False),
    Column("horizon_months", Integer, nullable=False),
    Column("data_signal", String(500), nullable=False),
    Column("next_meeting_id", ForeignKey("meetings.id"), nullable=True, unique=True),
    Column("cadence_days", Integer, nullable=False),
    Column("drafted_by", ForeignKey("users.id"), nullable=False),
    Column("confirmed_at", UTCDateTime, nullable=False),
    Column("shared_at", UTCDateTime, nullable=True),
)

actions = Table(
    "actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("meeting_id", ForeignKey("meetings.id"), nullable=False, index=True),
    Column("description", String(500), nullable=False),
    Column("owner_id", ForeignKey("users.id"), nullable=True),
    Column("owner_name", String(80), nullable=True),
    Column("follow_up_id", ForeignKey("users.id"), nullable=True),
    Column("follow_up_name", String(80), nullable=True),
    Column("deadline_at", UTCDateTime, nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_by", ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

action_updates = Table(
    "action_updates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("action_id", ForeignKey("actions.id"), nullable=False, index=True),
    Column("status", String(12), nullable=False),
    Column("note", String(500), nullable=True),
    Column("reported_by", ForeignKey("users.id"), nullable=True),
    Column("reported_at", UTCDateTime, nullable=False),
)

action_reviews = Table(
    "action_reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("action_id", ForeignKey("actions.id"), nullable=False),
    Column("meeting_id", ForeignKey("meetings.id"), nullable=False),
    Column("outcome", String(12), nullable=True),
    Column("decision", String(12), nullable=True),
    Column("learning", String(1000), nullable=True),
    Column("reviewed_by", ForeignKey("users.id"), nullable=False),
    Column("reviewed_at", UTCDateTime, nullable=False),
    UniqueConstraint("action_id", "meeting_id", name="uq_action_reviews_action_meeting"),
)

# Follow-up (#5): every reminder the bot will send, the only source of truth for the scheduler --

reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("meeting_id", ForeignKey("meetings.id"), nullable=True, index=True),
    Column("action_id", ForeignKey("actions.id"), nullable=True, index=True),
    Column("planned_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("message_id", BigInteger, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_reminders_status_due_at", "status", "due_at"),
)

inbox = Table(
    "inbox",
    metadata,
    Column("update_id", BigInteger, primary_key=True, autoincrement=False),
    Column("payload", JSON, nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("done_at", UTCDateTime, nullable=True, index=True),
)
"""Each update from Telegram, stored before it is acknowledged; its payload goes once done."""

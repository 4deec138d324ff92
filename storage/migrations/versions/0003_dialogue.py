"""dialogue: phases, themes, votes, agreement and actions

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_targets",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name=op.f("pk_reply_targets")),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=80), nullable=True),
        sa.Column("follow_up_id", sa.Integer(), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_actions_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"], ["users.id"], name=op.f("fk_actions_follow_up_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_actions_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_actions_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "agreements",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("short_goal", sa.String(length=500), nullable=False),
        sa.Column("long_goal", sa.String(length=500), nullable=False),
        sa.Column("horizon_months", sa.Integer(), nullable=False),
        sa.Column("data_signal", sa.String(length=500), nullable=False),
        sa.Column("next_meeting_id", sa.Integer(), nullable=True),
        sa.Column("cadence_days", sa.Integer(), nullable=False),
        sa.Column("drafted_by", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["drafted_by"], ["users.id"], name=op.f("fk_agreements_drafted_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_agreements_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["next_meeting_id"],
            ["meetings.id"],
            name=op.f("fk_agreements_next_meeting_id_meetings"),
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("next_meeting_id", name=op.f("uq_agreements_next_meeting_id")),
    )
    op.create_table(
        "dialogues",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("group_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("linked_by", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("phase_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("phase_elapsed_s", sa.Integer(), nullable=False),
        sa.Column("timeboxes", sa.JSON(), nullable=False),
        sa.Column("panel_message_id", sa.BigInteger(), nullable=True),
        sa.Column("themes_message_id", sa.BigInteger(), nullable=True),
        sa.Column("ballot_message_id", sa.BigInteger(), nullable=True),
        sa.Column("leader_turn", sa.Boolean(), nullable=False),
        sa.Column("dots_per_person", sa.Integer(), nullable=False),
        sa.Column("vote_status", sa.String(length=8), nullable=False),
        sa.Column("chosen_theme_id", sa.Integer(), nullable=True),
        sa.Column("area_note", sa.String(length=2000), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["linked_by"], ["users.id"], name=op.f("fk_dialogues_linked_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_dialogues_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_dialogues")),
    )
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dialogues_group_chat_id"), ["group_chat_id"], unique=False
        )

    op.create_table(
        "meeting_timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_timers_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_timers")),
    )
    with op.batch_alter_table("meeting_timers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_timers_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_themes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_themes_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["themes.id"], name=op.f("fk_themes_merged_into_themes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
    )
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_themes_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "action_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("decision", sa.String(length=12), nullable=True),
        sa.Column("learning", sa.String(length=1000), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_reviews_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_action_reviews_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["users.id"], name=op.f("fk_action_reviews_reviewed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_reviews")),
        sa.UniqueConstraint("action_id", "meeting_id", name="uq_action_reviews_action_meeting"),
    )
    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_updates_action_id_actions")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"], ["users.id"], name=op.f("fk_action_updates_reported_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_updates_action_id"), ["action_id"], unique=False
        )

    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_votes_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(["theme_id"], ["themes.id"], name=op.f("fk_votes_theme_id_themes")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_votes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index("ix_votes_meeting_user", ["meeting_id", "user_id"], unique=False)

    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invites_action_id_actions"), "actions", ["action_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_invites_action_id_actions"), type_="foreignkey")
        batch_op.drop_column("action_id")

    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index("ix_votes_meeting_user")

    op.drop_table("votes")
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_updates_action_id"))

    op.drop_table("action_updates")
    op.drop_table("action_reviews")
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_themes_meeting_id"))

    op.drop_table("themes")
    with op.batch_alter_table("meeting_timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_timers_meeting_id"))

    op.drop_table("meeting_timers")
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogues_group_chat_id"))

    op.drop_table("dialogues")
    op.drop_table("agreements")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_meeting_id"))

    op.drop_table("actions")
    op.drop_table("reply_targets")

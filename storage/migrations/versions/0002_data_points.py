"""data points: a meeting's imported indicators

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("chart", sa.String(length=20), nullable=False),
        sa.Column("indicator", sa.String(length=80), nullable=False),
        sa.Column("group_name", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=24), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_data_points_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_points")),
    )
    with op.batch_alter_table("data_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_points_meeting_id"), ["meeting_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("data_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_points_meeting_id"))
    op.drop_table("data_points")

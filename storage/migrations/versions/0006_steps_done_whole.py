"""markers that a meeting's step was carried out whole: results posted, agreement shared

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dialogues") as batch:
        batch.add_column(sa.Column("results_posted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("agreements") as batch:
        batch.add_column(sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True))
    # Agreements and vote results from before this revision were carried out whole.
    op.execute("UPDATE agreements SET shared_at = confirmed_at")
    op.execute("UPDATE dialogues SET results_posted_at = linked_at WHERE vote_status = 'closed'")


def downgrade() -> None:
    with op.batch_alter_table("agreements") as batch:
        batch.drop_column("shared_at")
    with op.batch_alter_table("dialogues") as batch:
        batch.drop_column("results_posted_at")

"""match run state: the fingerprint of the last completed match run's inputs and of the match table it left

Revision ID: 0012_matchstate
Revises: 0011_strategy

A match run whose inputs (calls as the matcher reads them, profiles, feedback, matcher code and settings)
and match table are unchanged since the last completed run skips ranking; the first run after this
revision has no state row and ranks everything.
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0012_matchstate"
down_revision = "0011_strategy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_state",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("inputs", sa.String(length=64), nullable=False),
        sa.Column("matches", sa.String(length=64), nullable=False),
        sa.Column("finished_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("match_state")

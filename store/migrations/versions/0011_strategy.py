"""strategy alignment: Agenda 2030 and child/youth tags per call, and the international activity register

Revision ID: 0011_strategy
Revises: 0010_webperf

The tags are filled by ``fundwatch match`` (and the matching after each scheduled scrape), which tags every
call not yet tagged: that is the backfill for calls stored before this revision.
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0011_strategy"
down_revision = "0010_webperf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=20), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["call.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("call_id", "tag", name="uq_call_tag_call_tag"),
    )
    with op.batch_alter_table("call_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_tag_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_tag_tag"), ["tag"], unique=False)

    op.create_table(
        "call_tagging",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("tagged_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["call.id"]),
        sa.PrimaryKeyConstraint("call_id"),
    )

    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("profile_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("partner", sa.String(length=200), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_held_on"), ["held_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_activity_profile_id"), ["profile_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_profile_id"))
        batch_op.drop_index(batch_op.f("ix_activity_held_on"))
    op.drop_table("activity")
    op.drop_table("call_tagging")
    with op.batch_alter_table("call_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_tag_tag"))
        batch_op.drop_index(batch_op.f("ix_call_tag_call_id"))
    op.drop_table("call_tag")

"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 17:29:48.406778
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("external_id", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("funder", sa.String(length=300), nullable=False),
        sa.Column("programme", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("opens_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("deadline_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("deadlines", sa.JSON(), nullable=False),
        sa.Column("budget", sa.Text(), nullable=False),
        sa.Column("applicant_types", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("first_seen_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "external_id", name="uq_call_source_external_id"),
    )
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_deadline_at"), ["deadline_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_status"), ["status"], unique=False)

    op.create_table(
        "scrape_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("started_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("parsed", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("scrape_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scrape_run_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_scrape_run_started_at"), ["started_at"], unique=False)

    op.create_table(
        "call_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=50), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["call.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("call_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_change_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_change_changed_at"), ["changed_at"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.String(length=100), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("user", sa.String(length=200), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["call.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("profile_id", "call_id", name="uq_feedback_profile_call"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_feedback_profile_id"), ["profile_id"], unique=False)

    op.create_table(
        "match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.String(length=100), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("profile_version", sa.String(length=64), nullable=False),
        sa.Column("matched_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["call.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("profile_id", "call_id", name="uq_match_profile_call"),
    )
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_match_profile_id"), ["profile_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_profile_id"))
        batch_op.drop_index(batch_op.f("ix_match_call_id"))

    op.drop_table("match")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_profile_id"))
        batch_op.drop_index(batch_op.f("ix_feedback_call_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("call_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_change_changed_at"))
        batch_op.drop_index(batch_op.f("ix_call_change_call_id"))

    op.drop_table("call_change")
    with op.batch_alter_table("scrape_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scrape_run_started_at"))
        batch_op.drop_index(batch_op.f("ix_scrape_run_source"))

    op.drop_table("scrape_run")
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_status"))
        batch_op.drop_index(batch_op.f("ix_call_source"))
        batch_op.drop_index(batch_op.f("ix_call_deadline_at"))

    op.drop_table("call")

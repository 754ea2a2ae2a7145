"""follow-up of calls (interest, application, decision) and their deadline reminders

Revision ID: 0008_followup
Revises: 0003_web_access
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0008_followup"
down_revision = "0003_web_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.String(length=100), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("eur_rate", sa.Float(), nullable=True),
        sa.Column("amount_applied", sa.BigInteger(), nullable=True),
        sa.Column("amount_granted", sa.BigInteger(), nullable=True),
        sa.Column("cofinancing", sa.BigInteger(), nullable=True),
        sa.Column("interested_on", sa.Date(), nullable=True),
        sa.Column("applying_on", sa.Date(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["call.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("profile_id", "call_id", name="uq_followup_profile_call"),
    )
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_followup_profile_id"), ["profile_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_followup_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_followup_status"), ["status"], unique=False)

    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("followup_id", sa.Integer(), nullable=False),
        sa.Column("deadline_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["followup_id"], ["followup.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("followup_id", "deadline_at", "days_before", name="uq_reminder_followup_deadline_days"),
    )
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_followup_id"), ["followup_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_followup_id"))
    op.drop_table("reminder")
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_followup_status"))
        batch_op.drop_index(batch_op.f("ix_followup_call_id"))
        batch_op.drop_index(batch_op.f("ix_followup_profile_id"))
    op.drop_table("followup")

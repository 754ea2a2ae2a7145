"""follow-up of calls (interest, application, decision) and their deadline reminders

The outbox also carries reminders: ``outbox.digest_id`` becomes nullable and ``outbox.reminder_id`` (with a
unique ``(reminder_id, recipient)``) is added, so reminders go through the same delivery ledger as digests.

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

    # reminders are queued in the digests' outbox; batch mode rebuilds the table on SQLite
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("digest_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("reminder_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_outbox_reminder_id_reminder", "reminder", ["reminder_id"], ["id"])
        batch_op.create_unique_constraint("uq_outbox_reminder_recipient", ["reminder_id", "recipient"])
        batch_op.create_index(batch_op.f("ix_outbox_reminder_id"), ["reminder_id"], unique=False)


def downgrade() -> None:
    # reminder messages cannot live in the older outbox (digest_id NOT NULL): they go with the reminders
    op.execute("DELETE FROM outbox WHERE digest_id IS NULL OR reminder_id IS NOT NULL")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_reminder_id"))
        batch_op.drop_constraint("uq_outbox_reminder_recipient", type_="unique")
        batch_op.drop_constraint("fk_outbox_reminder_id_reminder", type_="foreignkey")
        batch_op.drop_column("reminder_id")
        batch_op.alter_column("digest_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_followup_id"))
    op.drop_table("reminder")
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_followup_status"))
        batch_op.drop_index(batch_op.f("ix_followup_call_id"))
        batch_op.drop_index(batch_op.f("ix_followup_profile_id"))
    op.drop_table("followup")

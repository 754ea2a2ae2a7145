"""http validators: ETag / Last-Modified per source and URL, for conditional requests

Revision ID: 0002_scrapers_http
Revises: 0002_digest
"""

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0002_scrapers_http"
down_revision = "0002_digest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "http_validator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.Column("last_modified", sa.String(length=100), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "url_hash", name="uq_http_validator_source_url"),
    )
    with op.batch_alter_table("http_validator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_http_validator_source"), ["source"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("http_validator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_http_validator_source"))
    op.drop_table("http_validator")

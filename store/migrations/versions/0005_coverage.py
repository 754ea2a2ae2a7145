"""call.group_key: the same call found at several sources shares a key (duplicate groups)

Revision ID: 0002_coverage
Revises: 0002_scrapers_http
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_coverage"
down_revision = "0002_scrapers_http"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a nullable column added in place (no table copy on SQLite): every stored row is kept as it was
    op.add_column("call", sa.Column("group_key", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_call_group_key"), "call", ["group_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_call_group_key"), table_name="call")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; a batch copy of the table would trip the foreign keys
        # that point at call (call_change, match, digest_item, ...)
        op.execute("ALTER TABLE call DROP COLUMN group_key")
    else:
        op.drop_column("call", "group_key")

"""indexes for the web pages' listings, filter lists and login limit

- ``call (status, deadline_at)``, ``call (status, first_seen_at)``: a listing of open calls sorted by deadline
  or by first seen reads only the index, not every open call's row (PostgreSQL: ``id`` included so the
  scan is index-only);
- ``call (funder, deadline_at)``: a funder's calls within a deadline range, counted and found in the index;
- ``call (status, updated_at)``: the open calls' fingerprint (count, last change) that keeps the call page's
  similarity index fresh, read from the index;
- ``call (language)``, ``call (kind)``: the Sök page's filter lists (distinct values) from an index;
- ``audit_event (action, target, at)``: the login rate limit's count of recent failed logins per user name.

Revision ID: 0010_webperf
Revises: 0008_followup
"""

from alembic import op

revision = "0010_webperf"
down_revision = "0008_followup"
branch_labels = None
depends_on = None

#: name -> (table, columns, PostgreSQL INCLUDE columns)
INDEXES = {
    "ix_call_status_deadline_at": ("call", ["status", "deadline_at"], ["id"]),
    "ix_call_status_first_seen_at": ("call", ["status", "first_seen_at"], ["id"]),
    "ix_call_status_updated_at": ("call", ["status", "updated_at"], ["id"]),
    "ix_call_funder_deadline_at": ("call", ["funder", "deadline_at"], ["id"]),
    "ix_call_language": ("call", ["language"], []),
    "ix_call_kind": ("call", ["kind"], []),
    "ix_audit_event_action_target_at": ("audit_event", ["action", "target", "at"], []),
}


def upgrade() -> None:
    for name, (table, columns, include) in INDEXES.items():
        op.create_index(name, table, columns, postgresql_include=include)


def downgrade() -> None:
    for name, (table, _columns, _include) in reversed(INDEXES.items()):
        op.drop_index(name, table_name=table)

"""PostgreSQL: a full-text index over the open and forthcoming calls only

Revision ID: 0013_opensearch
Revises: 0012_matchstate

A filtered search for open calls ("vatten", open, Swedish, open to municipalities) read every open call's
row and tested its whole ``search_vector`` (about 3 kB, stored out of line): 30–45 ms over 100,000 calls,
the slowest page under load. With the word's matches among open and forthcoming calls in a small index of
their own, PostgreSQL reads only those rows (6–9 ms). The search names the statuses as constants so
that the planner can see the index applies (store/search.py). SQLite needs no such index: there a filtered
search reads the status index first (``drives_from_status``).
"""

from alembic import op

revision = "0013_opensearch"
down_revision = "0012_matchstate"
branch_labels = None
depends_on = None

#: must name the same statuses as store.search.FEW_STATUSES
INDEX = (
    "CREATE INDEX ix_call_open_search_vector ON call USING gin (search_vector) WHERE status IN ('open', 'forthcoming')"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_call_open_search_vector")

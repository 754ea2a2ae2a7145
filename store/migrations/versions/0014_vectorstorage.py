"""PostgreSQL: keep the ranking and title vectors inside the call's row

Revision ID: 0014_vectorstorage
Revises: 0013_opensearch

A call row with a long description is over PostgreSQL's 2 kB row threshold, and PostgreSQL then moved (or
compressed) its large values out of the row: the description and ``search_vector``, but often also
``rank_vector`` (title, summary, funder and programme; about 800 bytes). Ranking a search's matches reads
``rank_vector`` for each one: for "innovation", 2,227 rows and 5,666 buffer reads (9.4 ms), of which 3,400
were for the out-of-line parts. With storage ``MAIN`` these two vectors stay in the row (the description and
``search_vector`` still move out first): 2,266 buffer reads, 5.4 ms.

The setting applies to rows written from now on (new and changed calls). To apply it to the calls already
stored, run ``VACUUM FULL call`` once (README "Operations"): it rewrites the table, locking it for about
45 s per 100,000 calls.
"""

from alembic import op

revision = "0014_vectorstorage"
down_revision = "0013_opensearch"
branch_labels = None
depends_on = None

COLUMNS = ("rank_vector", "title_vector")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in COLUMNS:
            op.execute(f"ALTER TABLE call ALTER COLUMN {column} SET STORAGE MAIN")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in COLUMNS:
            op.execute(f"ALTER TABLE call ALTER COLUMN {column} SET STORAGE EXTENDED")

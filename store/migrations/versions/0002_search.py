"""full-text search index over calls

SQLite: an external-content FTS5 table ``call_fts`` (title, funder, programme, summary, description;
unicode61 tokenizer folding accents, prefix indexes) filled from ``call`` and kept in step by three
triggers. Any later migration that rebuilds the ``call`` table on SQLite (batch mode copies it) drops
these triggers and must create them again; ``tests/test_search.py`` checks they exist at the head.

PostgreSQL: two text search configurations, ``fundwatch_swedish`` and ``fundwatch_english``, copies of
the built-in Swedish and English ones whose words go to Snowball stemmers *without* stop-word lists
(so that "och" or "the" can be searched for and both databases match the same words), a stored
generated ``call.search_vector`` column (accents folded, weighted A title, B summary, C funder and
programme, D description) that queries must match, a smaller ``call.rank_vector`` (A-C only) that ranks
the matches, ``call.title_vector`` (the title alone: title matches are listed first), and GIN indexes on
all three.

Also indexes ``call.funder``, ``call.programme`` and ``call.first_seen_at`` for the filters and sorts.

Revision ID: 0002_search
Revises: 0001
"""

from alembic import op

revision = "0002_search"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = ("title", "funder", "programme", "summary", "description")

# accents folded on PostgreSQL the way SQLite's unicode61 tokenizer (remove_diacritics 2) folds them
_ACCENTED = "ÅÄÖÀÁÂÃÈÉÊËÌÍÎÏÒÓÔÕÙÚÛÜÝÑÇåäöàáâãèéêëìíîïòóôõùúûüýÿñç"
_PLAIN = "aaoaaaaeeeeiiiioooouuuuyncaaoaaaaeeeeiiiioooouuuuyync"


def _fold(expression: str) -> str:
    return f"translate(lower({expression}), '{_ACCENTED}', '{_PLAIN}')"


def _vector(expression: str, weight: str) -> str:
    folded = _fold(expression)
    return (
        f"setweight(to_tsvector('fundwatch_swedish'::regconfig, {folded}) || "
        f"to_tsvector('fundwatch_english'::regconfig, {folded}), '{weight}')"
    )


_RANK_PARTS = [_vector("title", "A"), _vector("summary", "B"), _vector("funder || ' ' || programme", "C")]
#: every indexed column: what a query must match
_SEARCH_VECTOR = " || ".join([*_RANK_PARTS, _vector("description", "D")])
#: the columns that rank a match (small, so ranking many matches stays fast)
_RANK_VECTOR = " || ".join(_RANK_PARTS)
#: the title alone: matches here come first (its own column so the GIN index needs no recheck)
_TITLE_VECTOR = _vector("title", "A")

_TOKEN_TYPES = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"


def _upgrade_sqlite() -> None:
    columns = ", ".join(_COLUMNS)
    new_values = ", ".join(f"new.{c}" for c in _COLUMNS)
    old_values = ", ".join(f"old.{c}" for c in _COLUMNS)
    op.execute(
        f"CREATE VIRTUAL TABLE call_fts USING fts5({columns}, content='call', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"
    )
    op.execute(
        f"CREATE TRIGGER call_fts_insert AFTER INSERT ON call BEGIN "
        f"INSERT INTO call_fts(rowid, {columns}) VALUES (new.id, {new_values}); END"
    )
    op.execute(
        f"CREATE TRIGGER call_fts_delete AFTER DELETE ON call BEGIN "
        f"INSERT INTO call_fts(call_fts, rowid, {columns}) VALUES ('delete', old.id, {old_values}); END"
    )
    op.execute(
        f"CREATE TRIGGER call_fts_update AFTER UPDATE OF {columns} ON call BEGIN "
        f"INSERT INTO call_fts(call_fts, rowid, {columns}) VALUES ('delete', old.id, {old_values}); "
        f"INSERT INTO call_fts(rowid, {columns}) VALUES (new.id, {new_values}); END"
    )
    op.execute("INSERT INTO call_fts(call_fts) VALUES ('rebuild')")


def _upgrade_postgresql() -> None:
    for language in ("swedish", "english"):
        op.execute(
            f"CREATE TEXT SEARCH DICTIONARY fundwatch_{language}_stem (TEMPLATE = snowball, Language = {language})"
        )
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION fundwatch_{language} (COPY = pg_catalog.{language})")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION fundwatch_{language} "
            f"ALTER MAPPING FOR {_TOKEN_TYPES} WITH fundwatch_{language}_stem"
        )
    op.execute(f"ALTER TABLE call ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({_SEARCH_VECTOR}) STORED")
    op.execute(f"ALTER TABLE call ADD COLUMN rank_vector tsvector GENERATED ALWAYS AS ({_RANK_VECTOR}) STORED")
    op.execute(f"ALTER TABLE call ADD COLUMN title_vector tsvector GENERATED ALWAYS AS ({_TITLE_VECTOR}) STORED")
    op.execute("CREATE INDEX ix_call_search_vector ON call USING gin (search_vector)")
    op.execute("CREATE INDEX ix_call_rank_vector ON call USING gin (rank_vector)")
    op.execute("CREATE INDEX ix_call_title_vector ON call USING gin (title_vector)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()
    op.create_index("ix_call_funder", "call", ["funder"])
    op.create_index("ix_call_programme", "call", ["programme"])
    op.create_index("ix_call_first_seen_at", "call", ["first_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_call_first_seen_at", table_name="call")
    op.drop_index("ix_call_programme", table_name="call")
    op.drop_index("ix_call_funder", table_name="call")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("call_fts_update", "call_fts_delete", "call_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS call_fts")
        return
    op.execute("DROP INDEX IF EXISTS ix_call_title_vector")
    op.execute("DROP INDEX IF EXISTS ix_call_rank_vector")
    op.execute("ALTER TABLE call DROP COLUMN IF EXISTS title_vector")
    op.execute("DROP INDEX IF EXISTS ix_call_search_vector")
    op.execute("ALTER TABLE call DROP COLUMN IF EXISTS rank_vector")
    op.execute("ALTER TABLE call DROP COLUMN IF EXISTS search_vector")
    for language in ("english", "swedish"):
        op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS fundwatch_{language}")
        op.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS fundwatch_{language}_stem")

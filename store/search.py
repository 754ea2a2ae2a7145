"""Full-text search over calls: SQLite FTS5 on the embedded database, PostgreSQL full-text search on the server.

Both engines sit behind :func:`search_calls`. The user's query is parsed here, never handed to the
database's query syntax (../shared/RELIABILITY.md I7, I8): it is split into words of letters and
digits, folded (lower case, å/ä/ö and other accents removed), and every term is quoted before it is
put into an FTS5 ``MATCH`` expression or a ``tsquery``; both are passed as bound parameters.

Matching is Swedish-aware in the same way on both databases:

- each word becomes a prefix of its Swedish and its English Snowball stem, so "vatten" finds
  "vattenvård" (compounds start with their first part) and "utlysningar" finds "utlysning";
- "å", "ä", "ö" and other accents are ignored on both sides, so "malardalen" finds "Mälardalen";
- "a quoted phrase" finds the words next to each other, in order;
- ``-word`` excludes calls containing the word; every other word must occur (AND).

The index: SQLite has an external-content FTS5 table ``call_fts`` kept in step by triggers;
PostgreSQL has a stored, generated ``call.search_vector`` column built with fundwatch's Swedish and
English text search configurations (Snowball stemmers without stop-word lists) and a GIN index. Both
come from migration ``0002_search``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import Stemmer
from sqlalchemy import (
    Float,
    String,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal_column,
    not_,
    or_,
    table,
)
from sqlalchemy import text as sql_text
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlmodel import Session, col, select

from store.models import Call, Match
from store.models_strategy import CallTag
from store.strategy import CHILD_YOUTH, sdg_tag

#: at most this many words (or phrases) of a query are used; the rest are ignored and reported
MAX_TERMS = 12
#: longest query text looked at (characters)
MAX_QUERY_CHARS = 500
#: words shorter than this match whole words only (a one-letter prefix would match almost everything)
MIN_PREFIX = 3
SORTS = ("relevance", "deadline", "first_seen")
#: a text search counts its matches up to this many (or to the end of the page asked for); past it the
#: result says "more than" (counting every call a common word is in would read them all)
COUNT_LIMIT = 1000
#: substrings of an applicant type that mean a municipality may apply (compared case-insensitively)
MUNICIPAL_MARKERS = (
    "kommun",
    "municipal",
    "local authorit",
    "local government",
    "offentlig",
    "public bod",
    "public authorit",
    "public sector",
)
#: common Swedish and English function words, dropped from a query when it has other words
STOP_WORDS = frozenset(
    """och att det som en ett i på av för med till den har de inte om ett är var vid från
    kan eller så men dem sig sin sitt sina hur vad när där alla under mot efter inom
    the and or of to in for on with at by from an a is are be as that this it into""".split()
)

# bm25 weights per column: title, funder, programme, summary, description (PostgreSQL: weights A, C, C, B);
# the description makes a call match but does not rank it (see _Engine)
_FTS_WEIGHTS = (10.0, 2.0, 2.0, 4.0, 0.0)
_SV = Stemmer.Stemmer("swedish")
_EN = Stemmer.Stemmer("english")


# --- query parsing ---------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents: "Vattenvården i Mälardalen" -> "vattenvarden i malardalen"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``: runs of letters and decimal digits; everything else separates."""
    out: list[str] = []
    current: list[str] = []
    for char in fold(text):
        category = unicodedata.category(char)
        if category[0] == "L" or category == "Nd":
            current.append(char)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


@lru_cache(maxsize=4096)
def prefixes(word: str) -> tuple[str, ...]:
    """The prefixes a folded word matches: its Swedish and English stems (distinct, shortest first), leaving
    out a stem that starts with the other ("vatt" already matches everything "vatten" matches, and an
    OR of both makes the database merge the same long lists twice).

    Words shorter than :data:`MIN_PREFIX` are matched whole and return an empty tuple.
    """
    if len(word) < MIN_PREFIX:
        return ()
    out: list[str] = []
    for stem in sorted({_stem_for(word, 0), _stem_for(word, 1)}, key=lambda s: (len(s), s)):
        if not any(stem.startswith(shorter) for shorter in out):
            out.append(stem)
    return tuple(out)


def _stem_for(word: str, index: int) -> str:
    """The Swedish (index 0) or English (index 1) stem of a folded word; the word itself if that is too short."""
    stem = (_SV, _EN)[index].stemWord(word)
    return stem if len(stem) >= MIN_PREFIX else word


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several words in order; ``negated`` terms must not occur."""

    words: tuple[str, ...]
    negated: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class ParsedQuery:
    """A query as understood: the terms used and what was left out (stop words, terms past the limit)."""

    text: str
    terms: tuple[Term, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def blank(self) -> bool:
        """No query text at all: the search lists every call (filters still apply)."""
        return not self.text.strip()

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negated)

    @property
    def searchable(self) -> bool:
        """Text was given and it has at least one word that must occur."""
        return bool(self.positive)


_PIECE = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


def parse_query(text: str) -> ParsedQuery:
    """Understand a search text: words, "phrases" and -exclusions. Never raises."""
    text = (text or "")[:MAX_QUERY_CHARS]
    terms: list[Term] = []
    ignored: list[str] = []
    seen: set[Term] = set()
    for match in _PIECE.finditer(text):
        if match.group(2) is not None:
            negated, found = match.group(1) == "-", words(match.group(2))
            candidates = [Term(tuple(found), negated)] if found else []
        else:
            negated, found = match.group(3) == "-", words(match.group(4))
            # punctuation inside a word ("e-post", "covid-19") makes it a phrase of its parts
            candidates = [Term(tuple(found), negated)] if found else []
        for term in candidates:
            if term in seen:
                continue
            seen.add(term)
            terms.append(term)
    positive_words = [t for t in terms if not t.negated and not t.is_phrase]
    content = [t for t in terms if not t.negated and (t.is_phrase or t.words[0] not in STOP_WORDS)]
    if content:
        dropped = [t for t in positive_words if t.words[0] in STOP_WORDS]
        ignored.extend(t.words[0] for t in dropped)
        terms = [t for t in terms if t not in dropped]
    if len(terms) > MAX_TERMS:
        ignored.extend(" ".join(t.words) for t in terms[MAX_TERMS:])
        terms = terms[:MAX_TERMS]
    return ParsedQuery(text=text, terms=tuple(terms), ignored=tuple(ignored))


# --- FTS5 and tsquery expressions (built only from parsed words) ------------------------------


def _fts5_word(word: str) -> list[str]:
    options = prefixes(word)
    return [f'"{p}"*' for p in options] if options else [f'"{word}"']


def _fts5_term(term: Term) -> str:
    if not term.is_phrase:
        options = _fts5_word(term.words[0])
    else:
        # one phrase per stemmer: every word a prefix of its Swedish (or English) stem
        options = []
        for index in (0, 1):
            parts = []
            for word in term.words:
                stems = prefixes(word)
                stem = _stem_for(word, index) if stems else None
                parts.append(f'"{stem}"*' if stem else f'"{word}"')
            options.append(" + ".join(parts))
        options = list(dict.fromkeys(options))
    return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"


def fts5_expression(query: ParsedQuery) -> str:
    """The FTS5 MATCH expression for a searchable query (every term quoted)."""
    positive = " AND ".join(_fts5_term(t) for t in query.positive)
    negative = "".join(f" NOT {_fts5_term(t)}" for t in query.negative)
    return positive + negative


def _ts_word(word: str) -> list[str]:
    options = prefixes(word)
    return [f"'{p}':*" for p in options] if options else [f"'{word}'"]


def _ts_term(term: Term) -> str:
    if not term.is_phrase:
        options = _ts_word(term.words[0])
    else:
        options = []
        for index in (0, 1):
            parts = [f"'{_stem_for(w, index)}':*" if prefixes(w) else f"'{w}'" for w in term.words]
            options.append(" <-> ".join(parts))
        options = list(dict.fromkeys(options))
    return options[0] if len(options) == 1 else "(" + " | ".join(options) + ")"


def tsquery_text(terms: Sequence[Term]) -> str:
    """``to_tsquery('simple', ...)`` input: the terms joined with AND, every lexeme quoted."""
    return " & ".join(_ts_term(t) for t in terms)


# --- the search ------------------------------------------------------------------------------


@dataclass
class SearchFilters:
    """What the Sök page and the API can filter on; empty means no filter."""

    funders: Sequence[str] = ()
    programmes: Sequence[str] = ()
    statuses: Sequence[str] = ()
    kinds: Sequence[str] = ()
    languages: Sequence[str] = ()
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    open_to_municipalities: bool = False
    #: only calls matched to this profile (administration)
    profile_id: str = ""
    #: only calls tagged with one of these Sustainable Development Goals (1–17)
    sdg_goals: Sequence[int] = ()
    #: only calls aimed at children and young people
    child_youth: bool = False


@dataclass
class SearchResult:
    query: ParsedQuery
    #: the number of matching calls; with ``total_exact`` False, a lower bound: more than this many match
    total: int
    #: the page of calls: rows of :data:`LISTED_COLUMNS` (attribute access like a ``Call``)
    calls: list[Any] = field(default_factory=list)
    #: relevance per call id (higher is better) when sorted by relevance
    scores: dict[int, float] = field(default_factory=dict)
    #: False when a text search stopped counting at :data:`COUNT_LIMIT` (or at the end of the page asked for)
    total_exact: bool = True


_fts = table("call_fts", column("rowid"))
#: statuses held by a small share of all calls (calls stay searchable for years after they close); PostgreSQL's
#: text index of open calls (migration 0013_opensearch) covers exactly these
FEW_STATUSES = frozenset({"open", "forthcoming"})


def _unindexed(column_: ColumnElement) -> ColumnElement:
    """``+column``: the same value, but SQLite will not look it up through the column's index."""
    return UnaryExpression(column_, operator=operators.custom_op("+"))


def drives_from_status(flt: SearchFilters, sqlite: bool) -> bool:
    """Should a filtered text search on SQLite read the status index first?

    Given "open" calls and a common word, SQLite's planner (which does not know how few calls are open) walks
    the word's matches and looks each one up in another filter's index: over 100,000 calls, "vatten" (35,000
    matches) with status, language and "open to municipalities" took 120 ms to count. Reading the few open calls
    from the status index and testing each against the word's matches took 18 ms, and never much more, as
    open and forthcoming calls are a small share of all calls. So, when only those statuses are asked for, the
    other conditions are written so that no other index can be chosen (``+column``)."""
    return sqlite and bool(flt.statuses) and set(flt.statuses) <= FEW_STATUSES


def _filters(flt: SearchFilters, by_status: bool = False, sqlite: bool = True) -> list[ColumnElement[bool]]:
    def indexed(column_: ColumnElement) -> ColumnElement:
        return _unindexed(column_) if by_status else column_

    where: list[ColumnElement[bool]] = []
    if flt.funders:
        where.append(indexed(col(Call.funder)).in_(list(flt.funders)))
    if flt.programmes:
        where.append(indexed(col(Call.programme)).in_(list(flt.programmes)))
    if flt.statuses:
        # PostgreSQL: the statuses are written into the statement as (quoted) constants, so that the planner can
        # see that "status IN ('open')" lies within the open calls' text index (migration 0013_opensearch)
        # even when the statement is prepared and planned once for any parameters
        statuses = bindparam("statuses", list(flt.statuses), expanding=True, literal_execute=not sqlite)
        where.append(col(Call.status).in_(statuses))
    if flt.kinds:
        where.append(indexed(col(Call.kind)).in_(list(flt.kinds)))
    if flt.languages:
        where.append(indexed(col(Call.language)).in_(list(flt.languages)))
    if flt.deadline_from is not None:
        where.append(indexed(col(Call.deadline_at)) >= flt.deadline_from)
    if flt.deadline_to is not None:
        where.append(indexed(col(Call.deadline_at)) <= flt.deadline_to)
    if flt.open_to_municipalities:
        applicants = func.lower(cast(Call.applicant_types, String))
        where.append(or_(*(applicants.contains(marker, autoescape=True) for marker in MUNICIPAL_MARKERS)))
    if flt.profile_id:
        matched = select(Match.call_id).where(Match.profile_id == flt.profile_id)
        where.append(col(Call.id).in_(matched))
    if flt.sdg_goals:
        tags = [sdg_tag(int(goal)) for goal in flt.sdg_goals]
        where.append(col(Call.id).in_(select(CallTag.call_id).where(col(CallTag.tag).in_(tags))))
    if flt.child_youth:
        where.append(col(Call.id).in_(select(CallTag.call_id).where(CallTag.tag == CHILD_YOUTH)))
    return where


_SIMPLE = literal_column("'simple'::regconfig")
# ts_rank weights for D, C, B, A: (unused), funder/programme, summary, title
_TS_WEIGHTS = literal_column("'{0.0, 0.2, 0.4, 1.0}'::float4[]")


#: FTS5 columns whose matches rank a call (the description only makes it match)
_RANKED_COLUMNS = "{title funder programme summary}"


def _fts5_columns_expression(query: ParsedQuery, columns: str) -> str:
    """The query's positive terms restricted to some columns; exclusions still apply to every column."""
    positive = " AND ".join(_fts5_term(t) for t in query.positive)
    negative = "".join(f" NOT {_fts5_term(t)}" for t in query.negative)
    return f"({columns} : ({positive})){negative}"


def _fts_ids(expression: str, name: str):
    return select(_fts.c.rowid).where(_fts_match(expression, name))


class _Engine:
    """The text conditions and relevance of one searchable query, on SQLite or on PostgreSQL.

    Matching calls come in three tiers, each ranked within itself:

    1. the query matches the title: ranked by relevance (bm25 on SQLite, ts_rank on PostgreSQL);
    2. it matches the summary, funder or programme but not the title: ranked the same way;
    3. it matches only the description: newest first.

    Relevance is computed only for the tiers a page needs, so a common word that matches a third of all
    calls still answers quickly. On SQLite the FTS table is used only in ``IN (SELECT rowid ...)``
    subqueries or a materialised CTE: joined directly with a filtered ``call``, SQLite's planner may run the
    MATCH once per call row (measured: 41 s instead of 40 ms over 100,000 calls).
    """

    def __init__(self, query: ParsedQuery, sqlite: bool, by_status: bool = False) -> None:
        self.sqlite = sqlite
        if sqlite:
            self._expressions = {
                "matched": fts5_expression(query),
                "ranked": _fts5_columns_expression(query, _RANKED_COLUMNS),
                "title": _fts5_columns_expression(query, "{title}"),
            }
            # by_status: the ids are tested against the word's matches, not looked up from them
            call_id = _unindexed(col(Call.id)) if by_status else col(Call.id)
            self.conditions = {
                name: call_id.in_(_fts_ids(text, f"fts_{name}")) for name, text in self._expressions.items()
            }
            return
        full, small = literal_column('"call".search_vector'), literal_column('"call".rank_vector')
        positive = func.to_tsquery(_SIMPLE, bindparam("ts_query", tsquery_text(query.positive)))
        self.conditions = {
            "matched": full.op("@@")(positive),
            "ranked": small.op("@@")(positive),
            "title": literal_column('"call".title_vector').op("@@")(positive),
        }
        if query.negative:
            # the exclusions go inside the full vector's query ("a & !(b | c)"), which the GIN index answers
            # by itself; a separate NOT (vector @@ ...) would read every candidate's whole vector
            negative = " | ".join(f"({_ts_term(t)})" for t in query.negative)
            allowed = func.to_tsquery(
                _SIMPLE, bindparam("ts_allowed", f"({tsquery_text(query.positive)}) & !({negative})")
            )
            matched = full.op("@@")(allowed)
            self.conditions = {
                "matched": matched,
                "ranked": and_(self.conditions["ranked"], matched),
                "title": and_(self.conditions["title"], matched),
            }
        # normalisation 1 divides by 1 + log(length), as bm25 favours short texts
        self.rank = func.ts_rank(_TS_WEIGHTS, small, positive, 1)

    def count(self, session: Session, where: list, tier: str, limit: int) -> int:
        """The number of calls in a tier, counted up to ``limit`` (the database stops reading there)."""
        if self.sqlite and not where:
            found = select(_fts.c.rowid).where(_fts_match(self._expressions[tier], f"fts_{tier}"))
        else:
            found = select(Call.id).where(self.conditions[tier], *where)
        return session.scalar(select(func.count()).select_from(found.limit(limit).subquery())) or 0

    def page(self, tier: int, where: list, offset: int, limit: int):
        """Rows (call id, relevance) of one tier: 0 title, 1 other ranked columns, 2 description only."""
        if tier == 2:
            matched = [self.conditions["matched"], not_(self.conditions["ranked"]), *where]
            statement = self.sorted_page(matched, "first_seen", None, literal_column("0.0").label("rank"))
            return statement.offset(offset).limit(limit)
        if tier == 1:
            where = [*where, not_(self.conditions["title"])]
        name = "title" if tier == 0 else "ranked"
        if self.sqlite:
            # lower bm25 is better; computed once per candidate inside the materialised CTE
            bm25 = func.bm25(literal_column("call_fts"), *_FTS_WEIGHTS)
            ranked = (
                select(_fts.c.rowid.label("rowid"), bm25.label("bm25"))
                .where(_fts_match(self._expressions[name], f"fts_{name}"))
                .cte(f"ranked_{name}")
                .prefix_with("MATERIALIZED")
            )
            if not where:  # the index alone answers: no call row is read
                statement = select(ranked.c.rowid, (-ranked.c.bm25).cast(Float).label("rank"))
                return statement.order_by(ranked.c.bm25, ranked.c.rowid).offset(offset).limit(limit)
            return (
                select(Call.id, (-ranked.c.bm25).cast(Float).label("rank"))
                .join(ranked, ranked.c.rowid == Call.id)
                .where(*where)
                .order_by(ranked.c.bm25, col(Call.id))
                .offset(offset)
                .limit(limit)
            )
        return (
            select(Call.id, self.rank.label("rank"))
            .where(self.conditions[name], *where)
            .order_by(self.rank.desc(), col(Call.id))
            .offset(offset)
            .limit(limit)
        )

    def sorted_page(self, where: list, sort: str, now: datetime | None, *extra):
        """Ids of matching calls in a sort order (see :func:`_order`; the rows are loaded for the page only:
        sorting whole rows makes the database carry every match's text through the sort). On PostgreSQL the
        matches are collected through the GIN index first, with the columns the order needs: otherwise the
        planner may walk the sort column's index and test every call's vector until it has a page (measured:
        1.5 s for a rare word over 100,000 calls), and looking each match up again for its sort columns cost
        a quarter of the time."""
        if self.sqlite:
            return select(Call.id, *extra).where(*where).order_by(*_order(sort, now))
        matched = (
            select(Call.id, Call.first_seen_at, Call.deadline_at)
            .where(*where)
            .cte("matched")
            .prefix_with("MATERIALIZED")
        )
        return select(matched.c.id, *extra).order_by(*_order(sort, now, matched.c))


def _fts_match(expression: str, name: str) -> ColumnElement[bool]:
    return literal_column("call_fts").op("MATCH")(bindparam(name, expression))


def _order(sort: str, now: datetime | None, columns: Any = Call.__table__.c) -> list:
    """ORDER BY for "deadline" or "first_seen" (newest first), over ``columns`` (``id``, ``first_seen_at`` and
    ``deadline_at``: the call table's, or those of a set of matches collected first)."""
    if sort == "deadline":
        # upcoming deadlines first (soonest first), then past ones (latest first), then calls without one
        deadline = columns.deadline_at
        group = case((deadline.is_(None), 2), (deadline < now, 1), else_=0)
        upcoming = case((deadline >= now, deadline), else_=None)
        return [group, upcoming.asc(), deadline.desc(), columns.id.desc()]
    return [columns.first_seen_at.desc(), columns.id.desc()]


def search_calls(
    session: Session,
    text: str = "",
    filters: SearchFilters | None = None,
    sort: str = "relevance",
    offset: int = 0,
    limit: int = 25,
    now: datetime | None = None,
) -> SearchResult:
    """Search calls: the query text (see the module notes), filters, a sort and a page.

    A blank query lists every call; a query without any usable word (e.g. only ``%``) finds nothing.
    ``sort="relevance"`` without a query falls back to newest first.
    """
    now = now or datetime.now(UTC)
    query = parse_query(text)
    sort = sort if sort in SORTS else "relevance"
    filters = filters or SearchFilters()
    sqlite = session.get_bind().dialect.name == "sqlite"
    by_status = drives_from_status(filters, sqlite) and query.searchable
    where = _filters(filters, by_status, sqlite)
    if not query.blank and not query.searchable:
        return SearchResult(query=query, total=0)
    if not query.searchable:
        total = session.scalar(select(func.count()).select_from(Call).where(*where)) or 0
        if offset >= total:
            return SearchResult(query=query, total=total)
        statement = select(Call.id).where(*where).order_by(*_order(sort, now)).offset(offset).limit(limit)
        return SearchResult(query=query, total=total, calls=calls_in_order(session, list(session.scalars(statement))))

    if sqlite:
        return _text_search(session, query, where, sort, offset, limit, now, sqlite, by_status)
    # PostgreSQL's planner does not count the cost of reading (de-TOASTing) each call's tsvector, so for a
    # common word it prefers a sequential scan testing every call (measured: 950 ms) over the GIN index
    # (110 ms); the index is always the better plan here, so sequential scans are off for this search only
    previous = session.execute(
        sql_text("SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)")
    ).scalar()
    try:
        return _text_search(session, query, where, sort, offset, limit, now, sqlite)
    finally:
        session.execute(sql_text("SELECT set_config('enable_seqscan', :value, true)"), {"value": previous})


def _text_search(
    session: Session,
    query: ParsedQuery,
    where: list,
    sort: str,
    offset: int,
    limit: int,
    now: datetime,
    sqlite: bool,
    by_status: bool = False,
) -> SearchResult:
    engine = _Engine(query, sqlite, by_status)
    # a common word matches tens of thousands of calls: counting them all would read every one, so the count
    # stops past COUNT_LIMIT (or past the page asked for) and the result says "more than"
    enough = max(COUNT_LIMIT, offset + limit)
    if sort != "relevance":
        # sorting visits every match anyway: the first ``enough + 1`` sorted ids give the count and the page
        statement = engine.sorted_page([engine.conditions["matched"], *where], sort, now)
        ids = list(session.scalars(statement.limit(enough + 1)))
        exact = len(ids) <= enough
        page = ids[offset : offset + limit]
        return SearchResult(
            query=query, total=min(len(ids), enough), calls=calls_in_order(session, page), total_exact=exact
        )
    # the title matches are a subset of all matches and their index is much smaller: when they alone pass the
    # cap, so do all matches (PostgreSQL: a common prefix's 35,000 matches cost a 15 ms GIN bitmap to count
    # against 1 ms for its 1,734 title matches)
    in_titles = engine.count(session, where, "title", enough + 1)
    total = in_titles if in_titles > enough else engine.count(session, where, "matched", enough + 1)
    exact = total <= enough
    total = min(total, enough)
    if total == 0 or offset >= total:
        return SearchResult(query=query, total=total, total_exact=exact)

    # the page may span tiers: a tier's count is needed only up to the end of the page (if it has fewer calls
    # than that, the capped count is its exact size, which is where the next tier starts)
    scores: dict[int, float] = {}
    start = 0
    for tier, name in enumerate(("title", "ranked", None)):
        if len(scores) >= limit:
            break
        if name == "title":  # counted above, exactly up to enough + 1 >= the end of the page
            end = min(in_titles, offset + limit)
        elif name:
            end = engine.count(session, where, name, offset + limit)
        else:
            end = offset + limit
        if offset + len(scores) < end:
            local = max(0, offset + len(scores) - start)
            for call_id, rank in session.execute(engine.page(tier, where, local, limit - len(scores))).all():
                scores[call_id] = float(rank)
        start = end
    calls = calls_in_order(session, list(scores))
    return SearchResult(query=query, total=total, calls=calls, scores=scores, total_exact=exact)


#: what a list of search results shows of each call (the Sök page, the API's search and the CSV download)
LISTED_COLUMNS = (
    Call.id,
    Call.source,
    Call.external_id,
    Call.kind,
    Call.title,
    Call.url,
    Call.funder,
    Call.programme,
    Call.language,
    Call.status,
    Call.opens_at,
    Call.deadline_at,
    Call.deadlines,
    Call.first_seen_at,
)

#: built once: building a statement per page costs more than running it
_LISTED = select(*LISTED_COLUMNS).where(col(Call.id).in_(bindparam("ids", expanding=True)))


def calls_in_order(session: Session, ids: Sequence[int]) -> list[Any]:
    """The listed columns (:data:`LISTED_COLUMNS`) of the calls with these ids, in the order given (one query).

    Rows, not ``Call`` objects: a page of results never needs a call's texts, and plain rows are several
    times cheaper to load than ORM objects carrying every column."""
    if not ids:
        return []
    rows = {row.id: row for row in session.execute(_LISTED, {"ids": list(ids)})}
    return [rows[i] for i in ids if i in rows]


#: the filter lists: name -> indexed column of ``call``
_FACETS = {"funders": "funder", "programmes": "programme", "languages": "language", "kinds": "kind"}


def facet_values(session: Session) -> dict[str, list[str]]:
    """The distinct funders, programmes, languages and kinds stored (for the filter lists).

    Each list is read by hopping through the column's index from one value to the next larger one (a
    recursive query: as many index look-ups as there are values), not by reading an entry per call.
    """
    out: dict[str, list[str]] = {}
    for name, column_name in _FACETS.items():
        statement = sql_text(
            # column names are the constants above, never input
            f"WITH RECURSIVE v(x) AS ("
            f"SELECT (SELECT min({column_name}) FROM call WHERE {column_name} > '') "
            f"UNION ALL SELECT (SELECT min({column_name}) FROM call WHERE {column_name} > v.x) "
            f"FROM v WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL"
        )
        out[name] = [row[0] for row in session.execute(statement)]
    return out

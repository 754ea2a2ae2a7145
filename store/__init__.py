"""Storage: tables, engine factory, migrations and query functions (each takes a session)."""

from store.calls import UpsertResult, get_call, list_calls, mark_unlisted, upsert_calls
from store.engine import check_connection, make_engine, read_session, write_session
from store.migrate import upgrade
from store.models import Call, CallChange, Feedback, Match, ScrapeRun
from store.records import CallRecord

__all__ = [
    "Call",
    "CallChange",
    "CallRecord",
    "Feedback",
    "Match",
    "ScrapeRun",
    "UpsertResult",
    "check_connection",
    "get_call",
    "list_calls",
    "make_engine",
    "mark_unlisted",
    "read_session",
    "upgrade",
    "upsert_calls",
    "write_session",
]

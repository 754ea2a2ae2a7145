"""Ingest benchmark: parse + upsert 10,000 calls, then re-upsert them unchanged (must be much cheaper).

Baseline in the same run: a bare INSERT of the same rows with SQLAlchemy Core (no change detection).
Usage: python -m bench.ingest [--calls N] [--database-url URL]  (PostgreSQL: a scratch database on that server)
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bench.common import timed, write_results
from bench.generate import calls
from store.calls import upsert_calls
from store.engine import make_engine, write_session
from store.interchange import parse_jsonl
from store.migrate import upgrade
from store.models import Call
from store.records import content_hash

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def to_jsonl(records) -> bytes:
    out = []
    for r in records:
        out.append(
            json.dumps(
                {
                    "source": r.source,
                    "external_id": r.external_id,
                    "title": r.title,
                    "url": r.url,
                    "funder": r.funder,
                    "summary": r.summary,
                    "description": r.description,
                    "language": r.language,
                    "status": r.status,
                    "opens_at": r.opens_at.isoformat(),
                    "deadline_at": [d.isoformat() for d in r.deadlines],
                    "budget": r.budget,
                    "applicant_types": r.applicant_types,
                },
                ensure_ascii=False,
            )
        )
    return ("\n".join(out) + "\n").encode()


def run(n: int, url: str | None) -> dict[str, object]:
    figures: dict[str, object] = {"calls": n}
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(url or f"sqlite:///{Path(tmp) / 'ingest.db'}")
        upgrade(engine)
        figures["database"] = engine.dialect.name
        data = to_jsonl(calls(n, seed=7))
        with timed(figures, "parse_s"):
            records = [r for _, r in parse_jsonl(io.BytesIO(data), now=NOW).records]
        with timed(figures, "first_upsert_s"):
            with write_session(engine) as s:
                upsert_calls(s, records, now=NOW)
        with timed(figures, "unchanged_upsert_s"):
            with write_session(engine) as s:
                result = upsert_calls(s, records, now=NOW)
        assert result.unchanged == n
        baseline = make_engine(f"sqlite:///{Path(tmp) / 'baseline.db'}") if not url else engine
        if not url:
            upgrade(baseline)
        rows = []
        for r in records:
            values = r.stored_values()
            rows.append(
                dict(
                    source=r.source + "-raw",
                    external_id=r.external_id,
                    first_seen_at=NOW,
                    last_seen_at=NOW,
                    updated_at=NOW,
                    content_hash=content_hash(values),
                    listed=True,
                    **values,
                )
            )
        with timed(figures, "baseline_bare_insert_s"):
            with baseline.begin() as conn:
                conn.execute(insert(Call), rows)
        figures["per_call_first_ms"] = round(1000 * figures["first_upsert_s"] / n, 3)
        figures["per_call_unchanged_ms"] = round(1000 * figures["unchanged_upsert_s"] / n, 3)
        figures["unchanged_vs_first"] = round(figures["unchanged_upsert_s"] / figures["first_upsert_s"], 3)
        engine.dispose()
        baseline.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if args.database_url:
        from bench.search import scratch_postgres

        with scratch_postgres(args.database_url) as url:  # a new database, dropped afterwards
            write_results("ingest-postgres", run(args.calls, url))
    else:
        write_results("ingest", run(args.calls, None))


if __name__ == "__main__":
    main()

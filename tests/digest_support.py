"""Shared data for the digest tests: hand-written calls and profiles, matches as the matcher stores them."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from settings import load_settings
from store.calls import upsert_calls
from store.engine import write_session
from store.interchange import parse_jsonl
from store.models import Match

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "digest"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
#: Monday of ISO week 48, 06:00 Swedish time
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=STOCKHOLM)
WEEK = "2026-W48"
SECRET = b"test-secret-for-digest-links-0123456789"
SECRET_ENV = "FUNDWATCH_TEST_DIGEST_SECRET"

#: profile id -> [(external id, score, priority, terms, reasons)]
MATCHES: dict[str, list[tuple[str, float, str, list[str], list[str]]]] = {
    "serviceforvaltningen": [
        (
            "2026-04512",
            0.82,
            "Energieffektiva fastigheter",
            ["energieffektivisering", "renovering", "solceller"],
            ["Nämner renovering och solceller", "Kommuner får söka"],
        ),
        ("LIFE-2027-CET-LOCAL", 0.64, "Energieffektiva fastigheter", ["renovation", "public buildings"], []),
        ("2026-lokala-satsningar", 0.58, "Energieffektiva fastigheter", ["energianvändning", "fastigheter"], []),
        ("matsvinn-offentliga-maltider-2027", 0.55, "Hållbara måltider", ["matsvinn", "måltider"], []),
        ("klimatklivet-2026-4", 0.41, "Energieffektiva fastigheter", ["fossilfri uppvärmning"], []),
        ("2026-00731", 0.31, "Energieffektiva fastigheter", ["offentliga fastigheter"], []),
        ("UIA-2025-CLOSED", 0.90, "Energieffektiva fastigheter", ["urban"], []),
        ("skapande-skola-2027", 0.10, "Hållbara måltider", ["skola"], []),
    ],
    "kultur-och-fritid": [
        ("skapande-skola-2027", 0.77, "Kultur för unga", ["kultur", "skola"], ["Riktar sig till skolor och kulturliv"]),
        ("2026-04512", 0.12, "Idrott och hälsa", ["kvarter"], []),
    ],
    "kalmar-vatten": [
        (
            "2026-00731",
            0.71,
            "Klimatanpassning",
            ["skyfall", "dagvatten", "klimatanpassning"],
            ["Nämner skyfall och dagvatten"],
        ),
        ("LIFE-2027-CET-LOCAL", 0.33, "Klimatanpassning", ["climate"], []),
    ],
}


def seed_calls(engine, now: datetime = NOW, path: Path | None = None) -> dict[str, int]:
    """Import the fixture calls; returns external id -> call id."""
    with open(path or FIXTURES / "calls.jsonl", "rb") as stream:
        report = parse_jsonl(stream)
    assert not report.problems, report.problems
    with write_session(engine) as session:
        upsert_calls(session, [record for _, record in report.records], now=now - timedelta(days=2))
        from store.calls import list_calls

        return {call.external_id: call.id for call in list_calls(session)}


def seed_matches(engine, ids: dict[str, int], now: datetime = NOW, matches=None) -> None:
    """Store matches as the matcher does (score 0..1 and the explanation shape)."""
    with write_session(engine) as session:
        for profile_id, rows in (matches or MATCHES).items():
            for external_id, score, priority, terms, reasons in rows:
                session.add(
                    Match(
                        profile_id=profile_id,
                        call_id=ids[external_id],
                        score=score,
                        explanation={
                            "priority": priority,
                            "reasons": reasons,
                            "terms": [
                                {"term": t, "call_term": t, "weight": round(1.0 - i * 0.1, 2)}
                                for i, t in enumerate(terms)
                            ],
                        },
                        profile_version="test",
                        matched_at=now - timedelta(hours=1),
                    )
                )


def seed(engine, now: datetime = NOW) -> dict[str, int]:
    ids = seed_calls(engine, now)
    seed_matches(engine, ids, now)
    return ids


def _toml(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_config(tmp_path: Path, db_url: str, email: dict | None = None, digest: dict | None = None) -> Path:
    """A config.toml for tests: the fixture profiles (copied), state under tmp_path/var."""
    profiles = tmp_path / "profiles"
    if not profiles.exists():
        shutil.copytree(FIXTURES / "profiles", profiles)
    sections = {
        "database": {"url": db_url},
        "paths": {"profiles_dir": str(profiles), "var_dir": str(tmp_path / "var")},
        "email": {"mode": "outbox", "outbox_dir": str(tmp_path / "outbox"), **(email or {})},
        "web": {"base_url": "https://fundwatch.kalmar.example", "secret_env": SECRET_ENV},
        "digest": {
            "min_score": 0.3,  # the fixture scores were written around this threshold
            "overview_recipients": ["klk@kalmar.example"],
            "dry_run_dir": str(tmp_path / "dry-run"),
            **(digest or {}),
        },
    }
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {_toml(value)}" for key, value in values.items()]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def settings_for(tmp_path: Path, db_url: str, **kwargs):
    return load_settings(write_config(tmp_path, db_url, **kwargs), env={})

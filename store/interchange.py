"""The call interchange format: JSON Lines, one call per line (import and export), and CSV export.

Required keys: ``source``, ``external_id``, ``title``, ``url``. Optional: ``funder``, ``programme``,
``summary``, ``description``, ``language``, ``status``, ``kind``, ``opens_at``, ``deadline_at`` (ISO 8601
date or datetime, or a list of them for several cut-offs), ``budget``, ``applicant_types`` (list of
strings), ``extra`` (object). A date without a time means the start of that day for ``opens_at`` and
the end of it for ``deadline_at``; a time without a zone is Swedish local time. Unknown keys are
ignored and reported. Export writes every key, so export → import → export is exact.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from store.models import KINDS, STATUSES, Call
from store.records import CallRecord

STOCKHOLM = ZoneInfo("Europe/Stockholm")
REQUIRED = ("source", "external_id", "title", "url")
TEXT_FIELDS = ("funder", "programme", "summary", "description", "language", "budget")
KNOWN = set(REQUIRED) | set(TEXT_FIELDS) | {"status", "kind", "opens_at", "deadline_at", "applicant_types", "extra"}
EXPORT_ORDER = (
    "source",
    "external_id",
    "title",
    "url",
    "funder",
    "programme",
    "summary",
    "description",
    "language",
    "status",
    "kind",
    "opens_at",
    "deadline_at",
    "budget",
    "applicant_types",
    "extra",
)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FieldError(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")


@dataclass
class ParseReport:
    records: list[tuple[int, CallRecord]] = field(default_factory=list)
    #: "line N: field: reason"
    problems: list[str] = field(default_factory=list)
    #: unknown key -> number of lines carrying it
    ignored_keys: dict[str, int] = field(default_factory=dict)


def parse_when(value: Any, name: str, end_of_day: bool) -> datetime:
    """An ISO 8601 date or datetime; no zone means Europe/Stockholm."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(name, f"expected an ISO 8601 date or datetime text, got {value!r}")
    text = value.strip()
    try:
        if _DATE_ONLY.match(text):
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time(23, 59, 59) if end_of_day else time(0, 0), STOCKHOLM)
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=STOCKHOLM)
    except ValueError:
        raise FieldError(name, f"not an ISO 8601 date or datetime: {value!r}") from None
    if not 1900 <= moment.year <= 2200:
        raise FieldError(name, f"year {moment.year} is out of range (1900-2200)")
    return moment


def derive_status(opens_at: datetime | None, deadlines: list[datetime], now: datetime) -> str:
    if opens_at and opens_at > now:
        return "forthcoming"
    if deadlines and max(deadlines) < now:
        return "closed"
    return "open"


def record_from_dict(obj: Any, now: datetime | None = None) -> CallRecord:
    """Validate one decoded JSON object into a CallRecord; raises FieldError naming the field."""
    if not isinstance(obj, dict):
        raise FieldError("line", f"expected a JSON object, got {type(obj).__name__}")
    for name in REQUIRED:
        value = obj.get(name)
        if not isinstance(value, str) or not value.strip():
            raise FieldError(name, "required, a non-empty text")
    url = obj["url"].strip()
    if not re.match(r"^https?://", url, re.IGNORECASE):
        raise FieldError("url", f"must be an http(s) address, got {url!r}")
    kwargs: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = obj.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise FieldError(name, f"expected text, got {type(value).__name__}")
        kwargs[name] = value
    opens_at = parse_when(obj["opens_at"], "opens_at", False) if obj.get("opens_at") is not None else None
    raw_deadlines = obj.get("deadline_at")
    if raw_deadlines is None:
        raw_deadlines = []
    elif not isinstance(raw_deadlines, list):
        raw_deadlines = [raw_deadlines]
    deadlines = [parse_when(v, "deadline_at", True) for v in raw_deadlines]
    applicant_types = obj.get("applicant_types") or []
    if not isinstance(applicant_types, list) or not all(isinstance(v, str) for v in applicant_types):
        raise FieldError("applicant_types", "expected a list of texts")
    extra = obj.get("extra") or {}
    if not isinstance(extra, dict):
        raise FieldError("extra", "expected an object")
    status = obj.get("status")
    if status is None:
        status = derive_status(opens_at, deadlines, now or datetime.now(UTC))
    elif status not in STATUSES:
        raise FieldError("status", f"must be one of {', '.join(STATUSES)}, got {status!r}")
    kind = obj.get("kind", "call")
    if kind not in KINDS:
        raise FieldError("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    return CallRecord(
        source=obj["source"].strip(),
        external_id=obj["external_id"].strip(),
        title=obj["title"].strip(),
        url=url,
        status=status,
        kind=kind,
        opens_at=opens_at,
        deadlines=deadlines,
        applicant_types=applicant_types,
        extra=extra,
        **kwargs,
    )


def parse_jsonl(stream: BinaryIO | Iterable[bytes], now: datetime | None = None) -> ParseReport:
    """Parse JSON Lines; every malformed line is reported with its number and reason."""
    report = ParseReport()
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as exc:
            report.problems.append(f"line {number}: not valid UTF-8 (byte {exc.start})")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            report.problems.append(f"line {number}: invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        try:
            record = record_from_dict(obj, now)
        except FieldError as exc:
            report.problems.append(f"line {number}: {exc}")
            continue
        except ValueError as exc:
            report.problems.append(f"line {number}: {exc}")
            continue
        key = (record.source, record.external_id)
        if key in seen:
            report.problems.append(f"line {number}: source/external_id {key[0]}/{key[1]} repeats line {seen[key]}")
            continue
        seen[key] = number
        for name in obj:
            if name not in KNOWN:
                report.ignored_keys[name] = report.ignored_keys.get(name, 0) + 1
        report.records.append((number, record))
    return report


def _local_iso(value: datetime | None) -> str | None:
    return value.astimezone(STOCKHOLM).isoformat() if value else None


def call_to_dict(call: Call) -> dict[str, Any]:
    """A stored call in the interchange format (keys in EXPORT_ORDER)."""
    deadlines = [_local_iso(datetime.fromisoformat(d)) for d in call.deadlines]
    values = {
        "source": call.source,
        "external_id": call.external_id,
        "title": call.title,
        "url": call.url,
        "funder": call.funder,
        "programme": call.programme,
        "summary": call.summary,
        "description": call.description,
        "language": call.language,
        "status": call.status,
        "kind": call.kind,
        "opens_at": _local_iso(call.opens_at),
        "deadline_at": (deadlines[0] if len(deadlines) == 1 else deadlines) if deadlines else None,
        "budget": call.budget,
        "applicant_types": list(call.applicant_types),
        "extra": dict(call.extra),
    }
    return {k: values[k] for k in EXPORT_ORDER}


def export_jsonl(calls: Iterable[Call]) -> Iterator[str]:
    for call in calls:
        yield json.dumps(call_to_dict(call), ensure_ascii=False, sort_keys=False) + "\n"


def export_csv(calls: Iterable[Call]) -> Iterator[str]:
    """CSV with the interchange columns; lists joined with '; ', extra as JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_ORDER)
    yield buffer.getvalue()
    for call in calls:
        buffer.seek(0)
        buffer.truncate()
        row = call_to_dict(call)
        deadline = row["deadline_at"]
        row["deadline_at"] = "; ".join(deadline) if isinstance(deadline, list) else (deadline or "")
        row["applicant_types"] = "; ".join(row["applicant_types"])
        row["extra"] = json.dumps(row["extra"], ensure_ascii=False, sort_keys=True) if row["extra"] else ""
        writer.writerow(["" if row[k] is None else row[k] for k in EXPORT_ORDER])
        yield buffer.getvalue()

"""What the digest job reads for many profiles at once: a few queries per batch of profiles instead of a dozen
per profile (on PostgreSQL each query is a round trip).

:func:`digest_reads` returns, per profile, exactly what the one-profile reads in ``store.digests``,
``store.matches``, ``store.followup`` and ``store.groups`` return (``tests/test_digest_reads.py`` builds every
digest both ways and compares). Reading only: the job records each profile's digest in its own write
transaction afterwards, where the ledger's unique constraint still decides whether it is the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, exists, func, or_, tuple_
from sqlmodel import Session, col, select

from store.digest_tables import Digest, DigestItem, Unsubscribe
from store.digests import _CALL_COLUMNS, NOT_READ, CallRow, MatchRow, changes_since
from store.groups import group_members
from store.models import Call, Feedback, Match
from store.models_followup import FollowUp

__all__ = ["ProfileReads", "digest_reads", "read_explanations"]


@dataclass
class ProfileReads:
    """One profile's share of the reads (what ``alerts.jobs`` builds its digest from)."""

    #: a digest of this profile for the week is recorded already
    recorded: bool = False
    #: lower-cased addresses that unsubscribed from the profile
    unsubscribed: set[str] = field(default_factory=set)
    #: calls listed as new in the profile's earlier digests (``store.digests.digested_calls``)
    earlier: list[CallRow] = field(default_factory=list)
    #: when the last mailed digest was made (``store.digests.last_mailed_digest``), or None
    last_mailed_at: datetime | None = None
    #: call id -> changes since the last mailed digest (``store.digests.changes_since``)
    changes: dict[int, list[Any]] = field(default_factory=dict)
    #: (match, call) never listed, best first (``store.digests.undigested_matches``)
    candidates: list[tuple[MatchRow, CallRow]] = field(default_factory=list)
    #: group key -> calls (``store.groups.group_members``) of the candidates' and earlier calls' groups
    groups: dict[str, list[Call]] = field(default_factory=dict)
    #: call id -> verdict (``store.matches.feedback_for_profile``)
    feedback: dict[int, str] = field(default_factory=dict)
    #: call id -> follow-up status (``store.followup.statuses_for_profile``)
    followups: dict[int, str] = field(default_factory=dict)


def digest_reads(session: Session, thresholds: Mapping[str, float | None], week: str) -> dict[str, ProfileReads]:
    """profile id -> its reads, for the profiles in ``thresholds`` (profile id -> digest threshold)."""
    ids = list(thresholds)
    out = {pid: ProfileReads() for pid in ids}
    if not ids:
        return out
    for pid in session.exec(select(Digest.profile_id).where(col(Digest.profile_id).in_(ids), Digest.week == week)):
        out[pid].recorded = True
    for pid, address in session.exec(
        select(Unsubscribe.profile_id, Unsubscribe.recipient).where(col(Unsubscribe.profile_id).in_(ids))
    ):
        out[pid].unsubscribed.add(address)
    for pid, call_id, verdict in session.exec(
        select(Feedback.profile_id, Feedback.call_id, Feedback.verdict).where(col(Feedback.profile_id).in_(ids))
    ):
        out[pid].feedback[call_id] = verdict
    for pid, call_id, status in session.exec(
        select(FollowUp.profile_id, FollowUp.call_id, FollowUp.status).where(col(FollowUp.profile_id).in_(ids))
    ):
        out[pid].followups[call_id] = status
    _earlier(session, ids, out)
    _changes(session, ids, out)
    _candidates(session, thresholds, out)
    _groups(session, out)
    return out


def _earlier(session: Session, ids: Sequence[str], out: dict[str, ProfileReads]) -> None:
    listed: dict[str, set[int]] = {}
    query = (
        select(Digest.profile_id, DigestItem.call_id)
        .join(Digest, Digest.id == DigestItem.digest_id)
        .where(col(Digest.profile_id).in_(ids), DigestItem.section == "new")
    )
    for pid, call_id in session.exec(query):
        listed.setdefault(pid, set()).add(call_id)
    calls = _call_rows(session, set().union(*listed.values()))
    for pid, call_ids in listed.items():
        out[pid].earlier = [calls[call_id] for call_id in sorted(call_ids) if call_id in calls]
    last = (
        select(Digest.profile_id, func.max(Digest.created_at).label("at"))
        .where(col(Digest.profile_id).in_(ids), Digest.outcome == "mail")
        .group_by(Digest.profile_id)
    )
    for pid, at in session.exec(last):
        out[pid].last_mailed_at = at


def _changes(session: Session, ids: Sequence[str], out: dict[str, ProfileReads]) -> None:
    """One read of the changes since the earliest last mailed digest, each profile keeping those after its own."""
    due = [out[pid] for pid in ids if out[pid].last_mailed_at is not None and out[pid].earlier]
    if not due:
        return
    since = min(reads.last_mailed_at for reads in due)
    every = changes_since(session, {c.id for reads in due for c in reads.earlier}, since)
    for reads in due:
        for call in reads.earlier:
            kept = [change for change in every.get(call.id, ()) if change.changed_at > reads.last_mailed_at]
            if kept:
                reads.changes[call.id] = kept


def _candidates(session: Session, thresholds: Mapping[str, float | None], out: dict[str, ProfileReads]) -> None:
    """``undigested_matches`` for every profile: the matches in one query per distinct threshold, and each call
    they name read once (a call is a candidate of many profiles; its row is shared, and only read). The
    explanations are left out (``NOT_READ``): only the few listed matches need one (:func:`read_explanations`)."""
    by_threshold: dict[float | None, list[str]] = {}
    for pid, value in thresholds.items():
        by_threshold.setdefault(value, []).append(pid)
    listed = exists().where(
        DigestItem.call_id == Match.call_id,
        Digest.id == DigestItem.digest_id,
        Digest.profile_id == Match.profile_id,
        col(DigestItem.section).in_(("new", "duplicate")),
    )
    for value, pids in by_threshold.items():
        wanted = [col(Match.profile_id).in_(pids), ~listed]
        if value is not None:
            wanted.append(or_(col(Match.score) >= value, col(Call.group_key).is_not(None)))
        matches = list(
            session.exec(
                select(Match.profile_id, Match.call_id, Match.score)
                .join(Call, Call.id == Match.call_id)
                .where(*wanted)
                .order_by(Match.profile_id, col(Match.score).desc(), Call.id)
            )
        )
        calls = _call_rows(session, {row[1] for row in matches})
        for pid, call_id, score in matches:
            if call_id in calls:  # else the call was removed since the matches were read
                out[pid].candidates.append((MatchRow(call_id, score, NOT_READ), calls[call_id]))


def _call_rows(session: Session, call_ids: Iterable[int]) -> dict[int, CallRow]:
    """call id -> its row, each call read once (a call is a candidate of many profiles; its row is only read)."""
    ids = sorted(call_ids)
    out: dict[int, CallRow] = {}
    for start in range(0, len(ids), 1000):
        query = select(*_CALL_COLUMNS).where(col(Call.id).in_(ids[start : start + 1000]))
        out.update((row[0], CallRow(row)) for row in session.exec(query))
    return out


def _groups(session: Session, out: dict[str, ProfileReads]) -> None:
    wanted = {
        pid: {c.group_key for _, c in reads.candidates if c.group_key}
        | {c.group_key for c in reads.earlier if c.group_key}
        for pid, reads in out.items()
    }
    every = group_members(session, set().union(*wanted.values()))
    for pid, keys in wanted.items():
        out[pid].groups = {key: members for key, members in every.items() if key in keys}


def read_explanations(session: Session, matches: Iterable[tuple[str, MatchRow]]) -> None:
    """Read the explanations of the given (profile id, match) that :func:`digest_reads` left out."""
    wanted: dict[tuple[str, int], list[MatchRow]] = {}
    for pid, match in matches:
        wanted.setdefault((pid, match.call_id), []).append(match)
    keys = sorted(wanted)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(Match.profile_id, Match.call_id, cast(Match.explanation, Text)).where(
            col(Match.profile_id).in_(sorted({pid for pid, _ in chunk})),  # the index (SQLite scans otherwise)
            tuple_(Match.profile_id, Match.call_id).in_(chunk),
        )
        for pid, call_id, text in session.exec(query):
            for match in wanted.pop((pid, call_id), ()):
                match.set_explanation_json(text)
    for match in (m for rows in wanted.values() for m in rows):
        match.set_explanation_json(None)  # the match was removed since it was read: no explanation

"""The digest job's narrow reads build the same digests, and record the same ledger, as full ORM rows did.

``store.digests.undigested_matches`` and ``digested_calls`` return plain rows with only the columns a digest
reads, and leave out the matches below the digest threshold that have no duplicate group. The reference
here is what the job read before: every undigested match with its full ``Call`` and ``Match`` rows, and the
full ``Call`` rows of the earlier digests. Both are built into a digest with the same pure
``alerts.digest.build_digest``, on SQLite and PostgreSQL, for a first week and a second one (with earlier
calls, a changed deadline and a call closing soon).

The job reads many profiles at once (``store.digest_reads``): those reads must equal each profile's own reads
with the one-profile functions, whatever each profile's threshold, earlier digests, feedback, follow-ups and
unsubscribes, and the digests built together must equal those built one at a time.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlmodel import col, select

from alerts.digest import build_digest, threshold
from alerts.jobs import (
    build_digests,
    build_for_profile,
    links_for,
    options_for,
    profiles_for,
    queue_due_digests,
    week_of,
)
from store.digest_reads import ProfileReads, digest_reads, read_explanations
from store.digest_tables import Digest, DigestItem
from store.digests import (
    CallRow,
    MatchRow,
    changes_since,
    digest_for_week,
    digested_calls,
    last_mailed_digest,
    undigested_matches,
    unsubscribe,
    unsubscribed,
)
from store.engine import read_session, write_session
from store.followup import save_followup, statuses_for_profile
from store.followup_rules import STATUS_SV
from store.groups import group_members
from store.matches import feedback_for_profile, set_feedback
from store.models import Call, CallChange, Match
from tests.digest_support import NOW, SECRET, SECRET_ENV, settings_for

PROFILE = "serviceforvaltningen"  # min_score 0.25, max_matches 5
LATER = NOW + timedelta(days=7)


def _call(external_id: str, **values) -> Call:
    deadline = values.pop("deadline", NOW + timedelta(days=60))
    fields = {
        "source": "vinnova",
        "title": f"Utlysning {external_id}",
        "url": f"https://example.org/{external_id}",
        "funder": "Vinnova",
        "programme": "Program",
        "summary": f"Sammanfattning av {external_id}.",
        "description": f"Beskrivning av {external_id}. " * 40,
        "status": "open",
        "deadline_at": deadline,
        "deadlines": [deadline.astimezone(UTC).isoformat()],
        "budget": "2 MSEK",
        "applicant_types": ["kommun", "region"],
        "first_seen_at": NOW - timedelta(days=3),
        "last_seen_at": NOW,
        "updated_at": NOW,
        "content_hash": external_id,
        "listed": True,
        **values,
    }
    return Call(external_id=external_id, **fields)


#: external id -> (call fields, score): duplicates above and below the threshold, below-threshold calls
#: without a group, a call with no summary, a closed one, one marked not relevant, two deadlines, a scheme
CALLS = {
    "grouped-shown": ({"group_key": "g1", "source": "euroaccess", "funder": "EuroAccess"}, 0.9),
    "grouped-copy-low": ({"group_key": "g1", "source": "interreg", "funder": "Interreg"}, 0.1),
    "low-alone": ({}, 0.1),
    "low-alone-2": ({"summary": ""}, 0.2),
    "no-summary": (
        {
            "summary": "",
            "kind": "scheme",
            "applicant_types": ["kommun", "ideell förening"],
            "deadline": NOW + timedelta(days=10),
        },
        0.8,
    ),
    "closed": ({"status": "closed"}, 0.85),
    "not-relevant": ({}, 0.7),
    "two-deadlines": (
        {
            "deadlines": [
                (NOW + timedelta(days=5)).astimezone(UTC).isoformat(),
                (NOW + timedelta(days=90)).isoformat(),
            ],
            "deadline": NOW + timedelta(days=90),
        },
        0.6,
    ),
    "same-score-a": ({"group_key": "g2"}, 0.5),
    "same-score-b": ({"group_key": "g2", "source": "eu"}, 0.5),
    "low-copy-only": ({"group_key": "g3"}, 0.05),
    "g3-not-matched": ({"group_key": "g3", "source": "eu"}, None),
    "fifth-best": ({}, 0.4),
    "sixth-best": ({}, 0.3),
    "past-deadline": ({"deadline": NOW - timedelta(days=1)}, 0.95),
}


def _seed(engine) -> dict[str, int]:
    with write_session(engine) as session:
        for external_id, (values, _) in CALLS.items():
            session.add(_call(external_id, **values))
        session.flush()
        ids = {c.external_id: c.id for c in session.exec(select(Call))}
        for external_id, (_, score) in CALLS.items():
            if score is None:
                continue
            session.add(
                Match(
                    profile_id=PROFILE,
                    call_id=ids[external_id],
                    score=score,
                    explanation={
                        "priority": "Energieffektiva fastigheter",
                        "reasons": [f"Nämner {external_id}"],
                        "terms": [{"term": "renovering", "call_term": "renovering", "weight": score}],
                    },
                    matched_at=NOW,
                )
            )
        set_feedback(session, PROFILE, ids["not-relevant"], "not_relevant", now=NOW)
    return ids


def _reference_build(session, profile, now, settings, links):
    """The digest as built from full ORM rows (what the job read before the narrow reads)."""
    earlier = list(
        session.exec(
            select(Call)
            .where(
                col(Call.id).in_(
                    select(DigestItem.call_id)
                    .join(Digest, Digest.id == DigestItem.digest_id)
                    .where(Digest.profile_id == profile.id, DigestItem.section == "new")
                )
            )
            .order_by(Call.id)
        )
    )
    seen = (
        select(DigestItem.call_id)
        .join(Digest, Digest.id == DigestItem.digest_id)
        .where(Digest.profile_id == profile.id, col(DigestItem.section).in_(("new", "duplicate")))
    )
    candidates = list(
        session.exec(
            select(Match, Call)
            .join(Call, Call.id == Match.call_id)
            .where(Match.profile_id == profile.id, col(Match.call_id).not_in(seen))
            .order_by(col(Match.score).desc(), Call.id)
        )
    )
    last = last_mailed_digest(session, profile.id)
    changes = changes_since(session, [c.id for c in earlier], last.created_at) if last else {}
    return build_digest(
        profile,
        candidates=candidates,
        earlier=earlier,
        changes=changes,
        feedback=feedback_for_profile(session, profile.id),
        now=now,
        week=week_of(now, None),
        links=links,
        options=options_for(settings),
        groups=group_members(session, [c.group_key for _, c in candidates] + [c.group_key for c in earlier]),
        followups={cid: STATUS_SV.get(s, s) for cid, s in statuses_for_profile(session, profile.id).items()},
    )


def _ledger(digest) -> list[tuple[int, str]]:
    return (
        [(e.call_id, "new") for e in digest.new]
        + [(e.call_id, "closing") for e in digest.closing]
        + [(e.call_id, "changed") for e in digest.changed]
        + [(call_id, "duplicate") for call_id in digest.absorbed]
    )


def _both(engine, settings, now):
    links = links_for(settings)
    (profile,) = profiles_for(settings, [PROFILE])
    with read_session(engine) as session:
        return (
            _reference_build(session, profile, now, settings, links),
            build_for_profile(session, profile, now, week_of(now, None), settings, links),
        )


def _recorded(engine, week: str) -> list[tuple[int, str]]:
    with read_session(engine) as session:
        rows = session.exec(
            select(DigestItem)
            .join(Digest, Digest.id == DigestItem.digest_id)
            .where(Digest.profile_id == PROFILE, Digest.week == week)
            .order_by(DigestItem.position)
        )
        return [(item.call_id, item.section) for item in rows]


def test_narrow_reads_build_and_record_the_same_digests_as_full_rows_over_two_weeks(engine, tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    settings = settings_for(tmp_path, engine.url.render_as_string(hide_password=False))
    ids = _seed(engine)

    reference, built = _both(engine, settings, NOW)
    assert built == reference
    # the fixture does exercise what the reads must keep: a below-threshold copy recorded as a duplicate,
    # the description standing in for an empty summary, and more candidates than max_matches
    assert ids["grouped-copy-low"] in built.absorbed
    shown = {e.call_id: e for e in built.new}
    assert len(shown) == 5 and ids["sixth-best"] not in shown
    assert shown[ids["no-summary"]].summary.startswith("Beskrivning av no-summary.")
    assert ids["past-deadline"] not in shown and ids["closed"] not in shown and ids["not-relevant"] not in shown

    week = week_of(NOW, None)
    assert queue_due_digests(settings, engine, NOW, profile_ids=[PROFILE]).outcomes[PROFILE].startswith("queued")
    assert _recorded(engine, week) == _ledger(reference)

    # week two: the earlier calls come back through digested_calls, with a change and a call closing soon
    with write_session(engine) as session:
        call = session.get(Call, ids["two-deadlines"])
        session.add(
            CallChange(
                call_id=call.id,
                field="budget",
                old_value="2 MSEK",
                new_value="3 MSEK",
                changed_at=NOW + timedelta(days=1),
            )
        )
        call.budget = "3 MSEK"
        session.add(call)
        session.add(
            Match(
                profile_id=PROFILE,
                call_id=ids["g3-not-matched"],
                score=0.9,
                explanation={"priority": "", "reasons": [], "terms": []},
                matched_at=LATER,
            )
        )
    reference, built = _both(engine, settings, LATER)
    assert built == reference
    assert built.closing and built.changed
    later_week = week_of(LATER, None)
    queue_due_digests(settings, engine, LATER, profile_ids=[PROFILE])
    assert _recorded(engine, later_week) == _ledger(reference)
    assert (ids["low-copy-only"], "duplicate") in _recorded(engine, later_week)


def test_below_threshold_matches_are_left_out_only_when_their_call_has_no_group(engine):
    ids = _seed(engine)
    with read_session(engine) as session:
        everything = undigested_matches(session, PROFILE)
        above = undigested_matches(session, PROFILE, min_score=0.25)
    assert [c.id for _, c in everything] == [
        ids[e] for e, (_, s) in sorted(CALLS.items(), key=lambda kv: (-(kv[1][1] or 0), ids[kv[0]])) if s is not None
    ]
    left_out = {c.id for _, c in everything} - {c.id for _, c in above}
    assert left_out == {ids["low-alone"], ids["low-alone-2"]}
    assert [c.id for _, c in above] == [c.id for _, c in everything if c.id not in left_out]


def test_the_rows_carry_the_stored_values_a_digest_reads(engine):
    ids = _seed(engine)
    with read_session(engine) as session:
        pairs = undigested_matches(session, PROFILE)
        full = {c.id: c for c in session.exec(select(Call))}
        stored = {m.call_id: m for m in session.exec(select(Match))}
    assert pairs and all(isinstance(m, MatchRow) and isinstance(c, CallRow) for m, c in pairs)
    for match, call in pairs:
        orm = full[call.id]
        for name in CallRow.__slots__:
            if name.startswith("_") or name == "description":
                continue
            assert getattr(call, name) == getattr(orm, name), name
        assert call.applicant_types == orm.applicant_types
        assert call.description == ("" if orm.summary else orm.description)
        assert match.call_id == call.id
        assert (match.score, match.explanation) == (stored[call.id].score, stored[call.id].explanation)
    assert ids["no-summary"] in {c.id for _, c in pairs}


def test_earlier_calls_are_read_as_rows_with_the_stored_values(engine, tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    settings = settings_for(tmp_path, engine.url.render_as_string(hide_password=False))
    _seed(engine)
    queue_due_digests(settings, engine, NOW, profile_ids=[PROFILE])
    with read_session(engine) as session:
        earlier = digested_calls(session, PROFILE)
        listed = [i.call_id for i in session.exec(select(DigestItem).where(DigestItem.section == "new"))]
        full = {c.id: c for c in session.exec(select(Call))}
    assert [c.id for c in earlier] == sorted(listed)
    for call in earlier:
        assert (call.title, call.deadlines, call.deadline_at, call.kind, call.applicant_types) == (
            full[call.id].title,
            full[call.id].deadlines,
            full[call.id].deadline_at,
            full[call.id].kind,
            full[call.id].applicant_types,
        )


# --- the job's batched reads (store.digest_reads) against each profile's own reads ----------------------

OTHERS = {"kalmar-vatten": 0.05, "kultur-och-fritid": -0.05}  # score shifts of the other fixture profiles


def _call_values(call) -> tuple:
    names = [n for n in CallRow.__slots__ if not n.startswith("_")]
    return tuple(getattr(call, n) for n in names) + (call.applicant_types,)


def _comparable(reads: ProfileReads) -> dict:
    return {
        "recorded": reads.recorded,
        "unsubscribed": reads.unsubscribed,
        "earlier": [_call_values(c) for c in reads.earlier],
        "last_mailed_at": reads.last_mailed_at,
        "changes": {cid: [ch.id for ch in changes] for cid, changes in reads.changes.items()},
        "candidates": [((m.call_id, m.score, m.explanation), _call_values(c)) for m, c in reads.candidates],
        "groups": {key: [c.id for c in members] for key, members in reads.groups.items()},
        "feedback": reads.feedback,
        "followups": reads.followups,
    }


def _alone(session, profile_id: str, threshold: float, week: str) -> ProfileReads:
    """The reads of one profile with the one-profile functions (what the job did before the batches)."""
    earlier = digested_calls(session, profile_id)
    last = last_mailed_digest(session, profile_id)
    candidates = undigested_matches(session, profile_id, min_score=threshold)
    return ProfileReads(
        recorded=digest_for_week(session, profile_id, week) is not None,
        unsubscribed=unsubscribed(session, profile_id),
        earlier=earlier,
        last_mailed_at=last.created_at if last else None,
        changes=changes_since(session, [c.id for c in earlier], last.created_at) if last else {},
        candidates=candidates,
        groups=group_members(session, [c.group_key for _, c in candidates] + [c.group_key for c in earlier]),
        feedback=feedback_for_profile(session, profile_id),
        followups=statuses_for_profile(session, profile_id),
    )


def test_batched_reads_of_many_profiles_equal_each_profile_read_alone(engine, tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    settings = settings_for(tmp_path, engine.url.render_as_string(hide_password=False))
    ids = _seed(engine)
    with write_session(engine) as session:
        for external_id, (_, score) in CALLS.items():
            for other, shift in OTHERS.items():
                if score is not None:
                    session.add(
                        Match(
                            profile_id=other,
                            call_id=ids[external_id],
                            score=round(max(0.0, score + shift), 3),
                            explanation={"priority": other, "reasons": [], "terms": []},
                            matched_at=NOW,
                        )
                    )
        set_feedback(session, "kalmar-vatten", ids["fifth-best"], "not_relevant", now=NOW)
        set_feedback(session, PROFILE, ids["sixth-best"], "relevant", now=NOW)
        save_followup(session, PROFILE, ids["two-deadlines"], {"status": "ansoker"}, actor="anna")
        unsubscribe(session, "kultur-och-fritid", "kultur@kalmar.example", NOW)
    # two profiles mailed at different times, so each keeps only the changes after its own last digest
    queue_due_digests(settings, engine, NOW, profile_ids=[PROFILE])
    queue_due_digests(settings, engine, NOW + timedelta(days=1), profile_ids=["kalmar-vatten"])
    with write_session(engine) as session:
        for call_id, at in ((ids["two-deadlines"], NOW + timedelta(hours=12)), (ids["fifth-best"], LATER)):
            session.add(CallChange(call_id=call_id, field="budget", old_value="2", new_value="3", changed_at=at))

    profiles = profiles_for(settings)
    options = options_for(settings)
    thresholds = {p.id: threshold(p, options) for p in profiles}
    assert len(set(thresholds.values())) == 3 and len(profiles) == 3
    for when in (NOW, LATER):
        week = week_of(when, None)
        with read_session(engine) as session:
            batched = digest_reads(session, thresholds, week)
            # the explanations are read for the listed matches only: an unread one is an error, never None
            with pytest.raises(LookupError, match="not read"):
                _ = batched[PROFILE].candidates[0][0].explanation
            read_explanations(session, [(pid, m) for pid, reads in batched.items() for m, _ in reads.candidates])
            for profile_id, value in thresholds.items():
                alone = _alone(session, profile_id, value, week)
                assert _comparable(batched[profile_id]) == _comparable(alone), (profile_id, week)
    # the fixture exercises what the batches must keep apart
    assert set(batched[PROFILE].changes) == {ids["two-deadlines"], ids["fifth-best"]}
    assert ids["two-deadlines"] in {c.id for c in batched["kalmar-vatten"].earlier}
    assert ids["two-deadlines"] not in batched["kalmar-vatten"].changes  # changed before its own last digest
    assert batched["kultur-och-fritid"].unsubscribed and not batched["kultur-och-fritid"].earlier
    assert batched[PROFILE].followups and batched["kalmar-vatten"].feedback
    assert {len(r.candidates) for r in batched.values()} != {0}


def test_the_job_builds_many_profiles_together_as_each_alone(engine, tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    settings = settings_for(tmp_path, engine.url.render_as_string(hide_password=False))
    _seed(engine)
    links = links_for(settings)
    profiles = profiles_for(settings)
    week = week_of(NOW, None)
    options = options_for(settings)
    with read_session(engine) as session:
        reads = digest_reads(session, {p.id: threshold(p, options) for p in profiles}, week)
        together = build_digests(session, [(p, reads[p.id]) for p in profiles], NOW, week, settings, links)
        for profile in profiles:
            assert together[profile.id] == build_for_profile(session, profile, NOW, week, settings, links)

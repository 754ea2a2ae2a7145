"""Pure text processing and TF-IDF ranking of calls against profiles, with explanations.

No database, no network: lists and dataclasses in, results out. The public API (used by the CLI,
the web UI and the digest):

``rank(profile, calls, feedback=None, *, limit=None, statuses=None, min_score=0.0) -> list[Scored]``
    Calls for one profile, best first. ``calls`` is a list of :class:`CallText` or a prebuilt
    :class:`CallIndex` (build one with ``CallIndex.build(calls)`` and reuse it for many profiles).
    ``feedback`` maps call ids to ``"relevant"``/``"not_relevant"``: rejected calls never come back and
    the profile moves towards the relevant ones (Rocchio). ``statuses`` keeps only calls with those
    statuses (``("open", "forthcoming")`` for digests).

``Scored``
    ``call_id``, ``score`` (0–1), ``priority`` (title of the priority the call serves best),
    ``reasons`` (short Swedish sentences, e.g. ``"Prioritering: God vattenstatus i kustvatten"``,
    ``"Termer: övergödning ↔ eutrophication, kustvatten"``) and ``terms``
    (``[{"term": profile's word, "call_term": call's word, "weight": share of the score}]``).
    ``Scored.explanation()`` is exactly what ``Match.explanation`` stores:
    ``{"priority": str, "reasons": [str], "terms": [{"term", "call_term", "weight"}]}``.

``rank_all(profiles, calls, feedback_by_profile=None, ...) -> {profile id: list[Scored]}``
    :func:`rank` for many profiles over one index.

``preview(saved_profile, edited_profile, calls, feedback=None, limit=20) -> Preview``
    ``Preview.before``/``after`` (the two top lists), ``entered``, ``left`` and ``moved``
    (``Moved(call_id, old_rank, new_rank, scored)``); ``feedback_effect(profile, calls, feedback)``
    gives the same comparison for the top list without and with feedback.

``similar(call_id, calls, k=5) -> list[(call_id, score)]``
    The calls most like one call (cosine of their vectors), for the call page.

``threshold(profile, default)``
    The score a match needs to be sent: the profile's ``min_score`` or the configured default.

Profiles: :func:`load_profiles`, :func:`load_profile`, :func:`resolve_profile`, :func:`parse_profile`
(errors name the file, line and field). Quality: :func:`load_eval_set`, :func:`evaluate`.
"""

from matcher.checks import english_equivalents, profile_notes
from matcher.evaluate import evaluate, load_eval_set
from matcher.index import CallIndex
from matcher.method import DEFAULT as DEFAULT_METHOD
from matcher.method import Method
from matcher.model import CallText, Moved, Preview, Scored
from matcher.preview import diff, feedback_effect, preview
from matcher.profiles import Priority, Profile, load_profile, load_profiles, parse_profile, resolve_profile
from matcher.ranking import rank, rank_all, similar, threshold

__all__ = [
    "DEFAULT_METHOD",
    "CallIndex",
    "CallText",
    "Method",
    "Moved",
    "Preview",
    "Priority",
    "Profile",
    "Scored",
    "diff",
    "english_equivalents",
    "evaluate",
    "feedback_effect",
    "load_eval_set",
    "load_profile",
    "load_profiles",
    "parse_profile",
    "preview",
    "profile_notes",
    "rank",
    "rank_all",
    "resolve_profile",
    "similar",
    "threshold",
]

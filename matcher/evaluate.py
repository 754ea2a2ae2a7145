"""Measured quality: the matcher against two baselines on a labelled set (``tests/eval/``).

The set is a folder with ``calls.jsonl`` (the call interchange format), ``profiles/*.toml`` and
``judgements.tsv`` (one row per call, one column per profile, grades 0–3). Metrics per profile:

- nDCG@10 with gains 2^grade − 1 (the ideal ordering uses every judged call);
- precision@5 and recall@20, counting grade ≥ 2 as relevant;
- recall@20 on the English calls only (grade ≥ 2), the cross-language test.

Baselines, computed in the same run: *keyword alert* (a call is retrieved when any profile keyword
occurs in its text, newest first) and *plain TF-IDF* (scikit-learn ``TfidfVectorizer`` with its
defaults over title, summary and description; the profile is all its text; cosine).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from errors import InputFormatError
from matcher.index import CallIndex, call_language
from matcher.method import LADDER
from matcher.model import CallText
from matcher.profiles import Profile, load_profiles
from matcher.ranking import rank

RELEVANT_GRADE = 2
METRICS = ("ndcg@10", "p@5", "r@20", "r@20 en")
Ranker = Callable[[Profile, Sequence[CallText]], list[str]]


@dataclass
class EvalSet:
    calls: list[CallText]
    profiles: dict[str, Profile]
    #: profile id -> call id -> grade
    grades: dict[str, dict[str, int]]
    #: file -> sha256, for pinning the labelled data
    digests: dict[str, str] = field(default_factory=dict)


def load_eval_set(folder: str | Path) -> EvalSet:
    base = Path(folder)
    calls_path, judgements_path = base / "calls.jsonl", base / "judgements.tsv"
    for path in (calls_path, judgements_path, base / "profiles"):
        if not path.exists():
            raise InputFormatError(f"{path}: missing; an eval set needs calls.jsonl, judgements.tsv and profiles/")
    calls = []
    for number, line in enumerate(calls_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputFormatError(f"{calls_path}, line {number}: not JSON: {exc.msg}") from None
        calls.append(CallText.from_record(obj))
    profiles = load_profiles(base / "profiles")
    known = {c.id for c in calls}
    grades: dict[str, dict[str, int]] = {}
    header: list[str] = []
    for number, line in enumerate(judgements_path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header:
            header = cells
            unknown = [p for p in header[1:] if p not in profiles]
            if header[0] != "call" or unknown:
                raise InputFormatError(f"{judgements_path}, line {number}: header must be 'call' and profile ids")
            grades = {p: {} for p in header[1:]}
            continue
        if len(cells) != len(header) or cells[0] not in known:
            raise InputFormatError(
                f"{judgements_path}, line {number}: expected a known call and {len(header) - 1} grades"
            )
        for profile_id, cell in zip(header[1:], cells[1:], strict=True):
            if cell not in ("0", "1", "2", "3"):
                raise InputFormatError(f"{judgements_path}, line {number}: grade {cell!r} is not 0-3")
            grades[profile_id][cells[0]] = int(cell)
    files = [calls_path, judgements_path, *sorted((base / "profiles").glob("*.toml"))]
    digests = {str(p.relative_to(base)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    return EvalSet(calls, {p: profiles[p] for p in grades}, grades, digests)


# --- metrics ---------------------------------------------------------------------------------


def ndcg(ranked: Sequence[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** grades.get(c, 0) - 1) / math.log2(i + 2) for i, c in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def precision(ranked: Sequence[str], grades: dict[str, int], k: int = 5) -> float:
    return sum(1 for c in ranked[:k] if grades.get(c, 0) >= RELEVANT_GRADE) / k


def recall(ranked: Sequence[str], grades: dict[str, int], k: int = 20, among: set[str] | None = None) -> float | None:
    relevant = {c for c, g in grades.items() if g >= RELEVANT_GRADE and (among is None or c in among)}
    if not relevant:
        return None
    return len(relevant & set(ranked[:k])) / len(relevant)


# --- rankers ---------------------------------------------------------------------------------


def evaluate_ladder(data: EvalSet) -> Report:
    """The baselines, then the matcher's means added one at a time (``matcher.method.LADDER``)."""
    rankers: dict[str, Ranker] = {"keyword alert": keyword_ranker, "plain TF-IDF": tfidf_ranker}
    for name, method in LADDER:
        rankers[name] = matcher_ranker(CallIndex.build(data.calls, method=method))
    return evaluate(data, rankers)


def matcher_ranker(index: CallIndex) -> Ranker:
    def ranker(profile: Profile, calls: Sequence[CallText]) -> list[str]:
        return [str(s.call_id) for s in rank(profile, index)]

    return ranker


def keyword_ranker(profile: Profile, calls: Sequence[CallText]) -> list[str]:
    """Keyword alert: calls containing any profile keyword (case-insensitive), newest first."""
    keywords = [k.casefold() for p in profile.priorities for k in p.keywords]
    hits = [
        (c.opens_at, -i, str(c.id))
        for i, c in enumerate(calls)
        if any(k in f"{c.title}\n{c.summary}\n{c.description}".casefold() for k in keywords)
    ]
    return [cid for _, _, cid in sorted(hits, reverse=True)]


def tfidf_ranker(profile: Profile, calls: Sequence[CallText]) -> list[str]:
    """Plain TF-IDF: scikit-learn TfidfVectorizer with its defaults; cosine to all the profile's text."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform([f"{c.title}\n{c.summary}\n{c.description}" for c in calls])
    query_text = "\n".join(f"{p.title}\n{p.text}\n{' '.join(p.keywords)}" for p in profile.priorities)
    sims = linear_kernel(vectorizer.transform([query_text]), matrix).ravel()
    order = sorted(range(len(calls)), key=lambda i: (-sims[i], i))
    return [str(calls[i].id) for i in order if sims[i] > 0]


# --- report ----------------------------------------------------------------------------------


@dataclass
class Report:
    #: method -> profile id -> metric -> value (None when a profile has no relevant English call)
    results: dict[str, dict[str, dict[str, float | None]]]
    digests: dict[str, str]
    calls: int
    english_calls: int

    def overall(self, method: str) -> dict[str, float]:
        out = {}
        for metric in METRICS:
            values = [m[metric] for m in self.results[method].values() if m[metric] is not None]
            out[metric] = sum(values) / len(values) if values else 0.0
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "english_calls": self.english_calls,
            "methods": {
                method: {"overall": self.overall(method), "profiles": profiles}
                for method, profiles in self.results.items()
            },
            "sha256": self.digests,
        }

    def summary_table(self) -> str:
        """One row per method: the means over profiles."""
        lines = [
            f"{self.calls} calls ({self.english_calls} in English), mean of "
            f"{len(next(iter(self.results.values())))} profiles; relevant = grade >= {RELEVANT_GRADE}",
            "",
            f"{'method':<40}{'nDCG@10':>9}{'P@5':>7}{'R@20':>7}{'R@20 en':>9}",
        ]
        for method in self.results:
            o = self.overall(method)
            lines.append(f"{method:<40}{o['ndcg@10']:>9.3f}{o['p@5']:>7.3f}{o['r@20']:>7.3f}{o['r@20 en']:>9.3f}")
        return "\n".join(lines)

    def table(self) -> str:
        if len(self.results) > 3:
            return self.summary_table()
        methods = list(self.results)
        lines = [
            f"{self.calls} calls ({self.english_calls} in English), {len(next(iter(self.results.values())))} profiles; "
            f"relevant = grade >= {RELEVANT_GRADE}",
            "",
        ]
        head = f"{'profile':<34}" + "".join(f"{m:>27}" for m in methods)
        sub = f"{'':<34}" + "".join(f"{'nDCG@10  P@5  R@20 R@20en':>27}" for _ in methods)
        lines += [head, sub]

        def cells(values: dict[str, float | None]) -> str:
            parts = [f"{values[m]:.2f}" if values[m] is not None else "  - " for m in METRICS]
            return f"{parts[0]:>11} {parts[1]:>4} {parts[2]:>5} {parts[3]:>5}"

        for profile in next(iter(self.results.values())):
            lines.append(f"{profile:<34}" + "".join(f"{cells(self.results[m][profile]):>27}" for m in methods))
        lines.append(f"{'overall (mean of profiles)':<34}" + "".join(f"{cells(self.overall(m)):>27}" for m in methods))
        return "\n".join(lines)


def evaluate(data: EvalSet, rankers: dict[str, Ranker] | None = None) -> Report:
    """Every ranker on every profile of the set."""
    if rankers is None:
        rankers = {
            "matcher": matcher_ranker(CallIndex.build(data.calls)),
            "keyword alert": keyword_ranker,
            "plain TF-IDF": tfidf_ranker,
        }
    english = {str(c.id) for c in data.calls if call_language(c) == "en"}
    results: dict[str, dict[str, dict[str, float | None]]] = {}
    for name, ranker in rankers.items():
        per_profile = {}
        for profile_id, grades in data.grades.items():
            ranked = ranker(data.profiles[profile_id], data.calls)
            per_profile[profile_id] = {
                "ndcg@10": ndcg(ranked, grades, 10),
                "p@5": precision(ranked, grades, 5),
                "r@20": recall(ranked, grades, 20),
                "r@20 en": recall(ranked, grades, 20, among=english),
            }
        results[name] = per_profile
    return Report(results, data.digests, len(data.calls), len(english))

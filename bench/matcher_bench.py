"""Matcher speed and memory on a seeded synthetic corpus.

    python -m bench.matcher_bench                    # 100,000 calls x 300 profiles, then 1,000 new calls
    python -m bench.matcher_bench --calls 2000 --profiles 20 --new 100   # a quick run

Targets (issue: Matcher): ranking 100,000 calls against 300 profiles from scratch in under 60 s and
2 GB; scoring 1,000 new calls against 300 profiles in under 2 s. The generator mixes glossary terms
(6% of the words, so concepts and cross-language matches happen), stop words (44%), call boilerplate
(10%) and a Zipf-distributed
vocabulary of made-up words (so the vocabulary is as large as a real corpus's), half Swedish and half
English, with descriptions of about 1.5 KB. Profiles are the shipped ones, varied.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import resource
import time
from pathlib import Path

from matcher import CallIndex, CallText, load_profiles, rank_all
from matcher.profiles import Profile
from matcher.resources import load_resources

ROOT = Path(__file__).resolve().parent.parent
SYLLABLES = "ka ri to me la no sa vi de ko ru pe li ma ne so ta ve ni du ba ge fo mi ra se".split()
APPLICANTS = (
    ("kommun", "region"),
    ("företag",),
    ("forskare",),
    ("public authorities", "NGOs"),
    ("municipalities",),
    (),
)
FUNDERS = ("Vinnova", "Formas", "Naturvårdsverket", "European Commission (CINEA)", "Interreg South Baltic", "Boverket")


class Generator:
    """Seeded, reproducible calls and profiles."""

    def __init__(self, seed: int, rare_words: int = 150_000) -> None:
        self.random = random.Random(seed)
        res = load_resources()
        self.terms = {"sv": [], "en": []}
        for sv_terms, en_terms in res.glossary.concepts.values():
            self.terms["sv"].extend(sv_terms)
            self.terms["en"].extend(en_terms)
        stop = sorted(res.stop)
        self.stop = {
            "sv": [w for w in stop if w in res.sv_markers] or stop,
            "en": [w for w in stop if w in res.en_markers] or stop,
        }
        self.boiler = sorted(res.boilerplate_words)
        rng = random.Random(seed + 1)
        self.rare = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 5))) for _ in range(rare_words)]
        # Zipf-like: cumulative weights 1/rank
        self.rare_weights = [1.0 / (i + 1) for i in range(rare_words)]
        self._cum = list(_accumulate(self.rare_weights))

    def _words(self, lang: str, n: int, topic: list[str]) -> str:
        r = self.random
        out = []
        rare = r.choices(self.rare, cum_weights=self._cum, k=n)
        for i in range(n):
            x = r.random()
            if x < 0.06:
                out.append(r.choice(topic))
            elif x < 0.50:
                out.append(r.choice(self.stop[lang]))
            elif x < 0.60:
                out.append(r.choice(self.boiler))
            else:
                out.append(rare[i])
        return " ".join(out)

    def call(self, number: int, prefix: str = "c") -> CallText:
        r = self.random
        lang = "sv" if r.random() < 0.5 else "en"
        topic = r.sample(self.terms[lang], 4)
        return CallText(
            id=f"{prefix}{number}",
            source="bench",
            external_id=f"{prefix}{number}",
            title=" ".join(topic[:2]) + " " + self._words(lang, 5, topic),
            summary=self._words(lang, 40, topic),
            description=self._words(lang, 220, topic),
            language=lang,
            funder=r.choice(FUNDERS),
            status=r.choice(("open", "open", "open", "forthcoming", "closed")),
            applicant_types=r.choice(APPLICANTS),
        )

    def profiles(self, n: int) -> list[Profile]:
        shipped = list(load_profiles(ROOT / "profiles").values())
        out = []
        for i in range(n):
            base = shipped[i % len(shipped)]
            priorities = tuple(
                dataclasses.replace(p, keywords=p.keywords + tuple(self.random.sample(self.terms["sv"], 3)))
                for p in base.priorities
            )
            out.append(dataclasses.replace(base, id=f"{base.id}-{i}", name=f"{base.name} {i}", priorities=priorities))
        return out


def _accumulate(values: list[float]):
    total = 0.0
    for v in values:
        total += v
        yield total


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.matcher_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--profiles", type=int, default=300)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--limit", type=int, default=20, help="explained results per profile (a digest's worth)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    t = time.perf_counter()
    gen = Generator(args.seed)
    calls = [gen.call(i) for i in range(args.calls)]
    profiles = gen.profiles(args.profiles)
    new_calls = [gen.call(i, prefix="n") for i in range(args.new)]
    text_mb = sum(len(c.title) + len(c.summary) + len(c.description) for c in calls) / 1e6
    print(
        f"generated {len(calls):,} calls ({text_mb:.0f} MB of text), {len(profiles)} profiles, "
        f"{len(new_calls):,} new calls in {time.perf_counter() - t:.1f} s; peak memory so far {peak_mb():,.0f} MB"
    )

    t0, c0 = time.perf_counter(), time.process_time()
    index = CallIndex.build(calls)
    t1, _c1 = time.perf_counter(), time.process_time()
    results = rank_all(profiles, index, limit=args.limit, statuses=("open", "forthcoming"))
    t2, c2 = time.perf_counter(), time.process_time()
    explained = sum(len(r) for r in results.values())
    print(
        f"from scratch: index {t1 - t0:.1f} s ({index.matrix.shape[0]:,} calls, {len(index.idf):,} features, "
        f"{index.matrix.nnz:,} non-zeros) + ranking {len(profiles)} profiles {t2 - t1:.1f} s "
        f"({explained:,} explained results) = {t2 - t0:.1f} s wall, {c2 - c0:.1f} s CPU; "
        f"peak memory {peak_mb():,.0f} MB"
    )

    t3, c3 = time.perf_counter(), time.process_time()
    fresh = index.transform(new_calls)
    new_results = rank_all(profiles, fresh, limit=args.limit, statuses=("open", "forthcoming"))
    t4, c4 = time.perf_counter(), time.process_time()
    print(
        f"new calls: {len(new_calls):,} calls x {len(profiles)} profiles in {t4 - t3:.2f} s wall, "
        f"{c4 - c3:.2f} s CPU ({sum(len(r) for r in new_results.values()):,} explained results); "
        f"peak memory {peak_mb():,.0f} MB"
    )
    print("targets: from scratch < 60 s and < 2,048 MB; new calls < 2 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

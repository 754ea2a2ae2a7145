"""The matcher's method as a set of switches, so that each means can be measured on its own.

:data:`DEFAULT` is what fundwatch uses. ``fundwatch eval --ablation`` adds the means one at a time
(:data:`LADDER`) and reports the figures of each step, which is how the README's table is made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Method:
    #: Snowball stemming (Swedish or English by the text's language); off: whole words
    stemming: bool = True
    #: split Swedish compounds into known parts
    compounds: bool = True
    #: bilingual glossary concepts: "off", "add" (next to the words) or "replace" (instead of the words)
    glossary: str = "replace"
    #: keep English and Swedish word stems apart (Swedish "arter" and English "arts" both stem to "art");
    #: the languages then meet through the glossary and similar spellings
    tag_language: bool = True
    #: drop call boilerplate ("ansökan", "projekt", "call", "proposal", ...)
    boilerplate: bool = True
    #: title ×3, summary ×2, other fields ×1 (calls); keywords ×3, title ×2, text ×1 (priorities)
    field_weights: bool = True
    #: demote calls the organisation cannot apply for or that are for another programme area
    eligibility: bool = True
    #: expand profile words to similarly spelled call words (cognates, inflections); weight, 0 = off
    fuzzy: float = 0.5
    #: pivoted length normalisation of call vectors: 1 = plain cosine; below 1 shortens the advantage of
    #: very short calls (a title alone) whose single matching word dominates their vector
    slope: float = 1.0
    #: coordination: a call sharing fewer than this many features with a priority gets
    #: sqrt(shared / coordination) of its cosine, so one matching word is weak evidence; 0 = off
    coordination: float = 3.0
    #: share of the score from character n-grams of title and summary; 0 = off
    char_ngrams: float = 0.0

    def but(self, **changes: object) -> Method:
        return replace(self, **changes)


DEFAULT = Method()

_WORDS = Method(
    stemming=False,
    compounds=False,
    glossary="off",
    tag_language=False,
    boilerplate=False,
    field_weights=False,
    eligibility=False,
    fuzzy=0.0,
    coordination=0.0,
    char_ngrams=0.0,
)

#: the means added one at a time, from plain words to the full method, then variants not used
LADDER: tuple[tuple[str, Method], ...] = (
    ("words (stop words removed)", _WORDS),
    ("+ boilerplate removed", _WORDS.but(boilerplate=True)),
    ("+ stemming", _WORDS.but(boilerplate=True, stemming=True)),
    ("+ compound splitting", _WORDS.but(boilerplate=True, stemming=True, compounds=True)),
    ("+ glossary (concepts added)", _WORDS.but(boilerplate=True, stemming=True, compounds=True, glossary="add")),
    (
        "+ glossary (concepts replace words)",
        _WORDS.but(boilerplate=True, stemming=True, compounds=True, glossary="replace"),
    ),
    ("+ languages kept apart", DEFAULT.but(field_weights=False, eligibility=False, fuzzy=0.0, coordination=0.0)),
    ("+ field weights", DEFAULT.but(eligibility=False, fuzzy=0.0, coordination=0.0)),
    ("+ eligibility", DEFAULT.but(fuzzy=0.0, coordination=0.0)),
    ("+ similar spellings", DEFAULT.but(coordination=0.0)),
    ("+ coordination (= default)", DEFAULT),
    ("default + character n-grams 0.2", DEFAULT.but(char_ngrams=0.2)),
    ("default + pivoted length 0.5", DEFAULT.but(slope=0.5)),
)

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
    #: drop call boilerplate ("ansökan", "projekt", "call", "proposal", ...)
    boilerplate: bool = True
    #: title ×3, summary ×2, other fields ×1 (calls); keywords ×3, title ×2, text ×1 (priorities)
    field_weights: bool = True
    #: demote calls the organisation cannot apply for or that are for another programme area
    eligibility: bool = True
    #: expand profile words to similarly spelled call words (cognates, inflections); weight, 0 = off
    fuzzy: float = 0.5
    #: share of the score from character n-grams of title and summary; 0 = off
    char_ngrams: float = 0.0

    def but(self, **changes: object) -> Method:
        return replace(self, **changes)


DEFAULT = Method()

_WORDS = Method(
    stemming=False,
    compounds=False,
    glossary="off",
    boilerplate=False,
    field_weights=False,
    eligibility=False,
    fuzzy=0.0,
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
    ("+ field weights", DEFAULT.but(eligibility=False, fuzzy=0.0)),
    ("+ eligibility", DEFAULT.but(fuzzy=0.0)),
    ("+ similar spellings (= default)", DEFAULT),
    ("default + character n-grams 0.2", DEFAULT.but(char_ngrams=0.2)),
)

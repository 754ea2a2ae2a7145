"""Who may apply, read from a call's text into a small normalised vocabulary. Pure.

Funders say it under a heading ("Vem kan söka?", "Vem får söka?", "Who can apply", "Eligible applicants")
or in a sentence ("Stödet kan sökas av kommuner och regioner", "Municipalities are not eligible").
:func:`find_eligibility` finds that text and maps what it names onto :data:`VOCABULARY`:

``kommun``, ``region``, ``kommunalförbund``, ``kommunalt bolag``, ``länsstyrelse``, ``myndighet``,
``offentlig aktör``, ``företag``, ``förening``, ``stiftelse``, ``lärosäte``, ``forskningsorganisation``,
``forskare``, ``skolhuvudman`` (schools and their organisers: municipal or independent),
``utbildningsanordnare`` (other education and training providers), ``fastighetsägare``,
``privatperson`` and ``alla organisationer`` (anyone).

``municipality_eligible`` says whether a municipality (kommun) may apply: True when the text names
kommuner (or public bodies, schools and their organisers, or anyone); False when it excludes them ("Kommuner kan inte söka", "Who cannot
apply: municipalities") or when an eligibility statement names applicants and kommuner are not among them;
None when the text says nothing about who may apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_S = r"[ \t\u00a0]+"

#: (term, pattern); earlier terms claim their words first ("kommunala bolag" is not also "företag")
_TERMS: tuple[tuple[str, str], ...] = (
    ("kommunalt bolag", r"kommunal[at]?\s+(?:ägda\s+)?(?:bolag|företag|aktiebolag|bostadsbolag|energibolag)\w*"
                        r"|kommunägd\w*\s+(?:bolag|företag)\w*|municipal(?:ly[- ]owned)?\s+(?:compan(?:y|ies)|enterprises?)"),
    ("kommunalförbund", r"kommunalförbund\w*|associations?\s+of\s+municipalities"),
    ("länsstyrelse", r"länsstyrelse\w*|county\s+administrative\s+boards?"),
    ("kommun", r"kommun(?:er|erna|en)?|primärkommun\w*|municipalit(?:y|ies)|local\s+authorit(?:y|ies)"
               r"|local(?=\s+(?:and|&)\s+regional\s+authorit)|local\s+governments?|local\s+public\s+authorit(?:y|ies)"),
    ("region", r"region(?:er|erna)?|landsting\w*|regional\s+authorit(?:y|ies)"
               r"|regional(?=\s+(?:and|&)\s+local\s+authorit)"),
    ("myndighet", r"(?:statlig\w*\s+)?myndighet(?:er|erna)?|government\s+agenc(?:y|ies)|state\s+agenc(?:y|ies)"
                  r"|national\s+authorit(?:y|ies)"),
    ("offentlig aktör", r"offentlig\w*\s+(?:aktör|organisation|sektor|verksamhet|huvudm[aä]n|förvaltning)\w*"
                        r"|public\s+(?:bod(?:y|ies)|authorit(?:y|ies)|sector\s+(?:bod(?:y|ies)|organi[sz]ations?)"
                        r"|organi[sz]ations?|entit(?:y|ies)|administrations?|services)"),
    ("företag", r"(?:små\s+och\s+medelstora\s+)?företag(?:et|en)?|företagare|\bsmf\b|smes?|aktiebolag\w*"
                r"|enskild\w*\s+firm\w*|handelsbolag\w*|compan(?:y|ies)|enterprises?|businesses|firms?"
                r"|private\s+(?:sector\s+)?(?:organi[sz]ations?|entit(?:y|ies)|actors?|institutions?)|start-ups?"),
    ("förening", r"(?:ideell\w*\s+)?förening(?:ar|en|arna)?|ideell\w*\s+organisation\w*|civilsamhälle\w*"
                 r"|organisationer\s+inom\s+civilsamhället|ngos?|non-?profit(?:\s+organi[sz]ations?)?"
                 r"|non-governmental\s+organi[sz]ations?|associations?|civil\s+society(?:\s+organi[sz]ations?)?"
                 r"|trossamfund\w*|folkrörelse\w*|organisation\w*\s+utan\s+vinstintresse|icke-vinstdrivande\s+organisation\w*"),
    ("stiftelse", r"stiftelse\w*|foundations?"),
    ("lärosäte", r"lärosäte\w*|universitet\w*|högskol(?:a|or|orna|an)|universit(?:y|ies)"
                 r"|higher\s+education\s+institutions?"),
    ("forskningsorganisation", r"forskningsinstitut\w*|forskningsorganisation\w*|research\s+organi[sz]ations?"
                               r"|research\s+(?:institutes?|institutions?|centres?|centers?)"),
    ("forskare", r"forskare|researchers?"),
    ("skolhuvudman", r"(?:för)?skol(?:or|orna)|skolhuvudm[aä]n\w*|schools?|school\s+education\s+institutions?"),
    ("utbildningsanordnare", r"utbildningsanordnare|education\s+and\s+training\s+(?:institutions?|providers?)"
                             r"|(?:vet|adult\s+education)\s+providers?|folkhögskol\w*|studieförbund\w*"),
    ("fastighetsägare", r"fastighetsägar\w*|property\s+owners?|bostadsrättsförening\w*|housing\s+associations?"),
    ("privatperson", r"privatperson\w*|enskild[a]?\s+personer|individer|fysiska\s+personer|individuals"
                     r"|natural\s+persons|private\s+(?:persons?|individuals)"),
    ("alla organisationer", r"alla\s+(?:typer\s+av\s+)?(?:juridiska\s+personer|organisationer|aktörer)|alla\s+kan\s+söka"
             r"|vem\s+som\s+helst|(?:any|all)\s+(?:types?\s+of\s+)?(?:legal\s+entit(?:y|ies)|organi[sz]ations?)"
             r"|open\s+to\s+all|any\s+legal\s+person"),
)  # fmt: skip
VOCABULARY: tuple[str, ...] = tuple(term for term, _ in _TERMS)
_TERM_RES = tuple(
    (term, re.compile(rf"(?<![^\W\d_])(?:{pattern})(?![^\W\d_])", re.IGNORECASE)) for term, pattern in _TERMS
)
#: terms under which a municipality may apply
MUNICIPAL = {"kommun", "offentlig aktör", "alla organisationer", "skolhuvudman"}

_POSITIVE_LABELS = (
    r"vem\s+kan\s+söka|vem\s+får\s+söka|vem\s+kan\s+ansöka|vem\s+får\s+ansöka|vilka\s+kan\s+söka|vilka\s+får\s+söka"
    r"|vem\s+kan\s+få\s+(?:stöd|bidrag|medel|finansiering)|vilka\s+kan\s+få\s+(?:stöd|bidrag)|vem\s+kan\s+delta"
    r"|vem\s+riktar\s+sig\s+(?:utlysningen|stödet)\s+till|behörig[a]?\s+sökande|stödberättigade\s+(?:sökande|aktörer)"
    r"|sökande|stödmottagare|who\s+can\s+apply|who\s+may\s+apply|who\s+is\s+eligible|eligible\s+applicants"
    r"|eligible\s+(?:organi[sz]ations|partners|beneficiaries|entities|participants)|eligibility(?:\s+criteria)?"
    r"|who\s+can\s+participate|target\s+applicants|applicants"
)
_NEGATIVE_LABELS = (
    r"vem\s+kan\s+inte\s+söka|vem\s+får\s+inte\s+söka|vilka\s+kan\s+inte\s+söka|vilka\s+får\s+inte\s+söka"
    r"|ej\s+stödberättigade|inte\s+stödberättigade|who\s+cannot\s+apply|who\s+can\s*not\s+apply|not\s+eligible"
    r"|ineligible(?:\s+applicants)?"
)
_LABEL_RE = re.compile(
    rf"(?im)^[ \t\-–•*]*(?:(?P<neg>{_NEGATIVE_LABELS})|(?P<pos>{_POSITIVE_LABELS}))(?![^\W\d_])[ \t]*[?:.]?"
)
#: sentences that state who may apply, when there is no heading
_STATEMENT_RE = re.compile(
    r"(?:kan|får)\s+(?:inte\s+|ej\s+)?(?:an)?sök(?:a|as)\b|är\s+(?:inte\s+)?öppen\s+för"
    r"|riktar\s+sig\s+(?:till|mot)|stödberättigade|kan\s+(?:beviljas|få)\s+(?:stöd|bidrag)"
    r"|(?:can|may)\s+(?:not\s+)?apply|cannot\s+apply|(?:are|is)\s+(?:not\s+)?eligible|ineligible|eligible\s+(?:applicants|to\s+apply)|(?:is|are)\s+open\s+to"
    r"|(?:can|may)\s+be\s+(?:submitted|awarded)\s+(?:by|to)|applicants?\s+must\s+be",
    re.IGNORECASE,
)
_NEGATION_AFTER = re.compile(
    r"^[^.;!?\n]{0,80}?\b(?:kan|får|är|are|is|may|can|could|should|omfattas)\s+(?:inte|ej|icke|not)\b"
    r"|^[^.;!?\n]{0,80}?\b(?:cannot|can't|ineligible|not\s+eligible|excluded|uteslutna|undantagna)\b",
    re.IGNORECASE,
)
_VERB = re.compile(r"\b(?:kan|får|är|are|is|may|can|could|should|omfattas|cannot|can't)\b", re.IGNORECASE)
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:inte|ej|icke|utom|exklusive|not|except|excluding|exkluderar|excludes?)\b"
    r"|med\s+undantag\s+(?:för|av)|undantag\s+för|other\s+than|with\s+the\s+exception\s+of"
    r"|(?:kan|får)\s+(?:inte|ej)\s+(?:\w+\s+){0,2}(?:sökas|beviljas|ges|lämnas)\s+(?:av|till)"
    r"|(?:not|never)\s+(?:be\s+)?(?:open|awarded|granted|given)\s+to)"
    r"[^.;!?\n]{0,40}$",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[.;!?\n]|,\s*(?:men|but|medan|while|whereas)\b|\b(?:men|but)\b", re.IGNORECASE)
_LOCATIVE = re.compile(r"(?:\bi|\binom|\bin|\bwithin|\bthe)\s+$", re.IGNORECASE)
SECTION_CHARS = 1200


@dataclass(frozen=True)
class Eligibility:
    """Who may apply, as found in a text."""

    #: allowed applicant types, in vocabulary order
    types: list[str] = field(default_factory=list)
    #: applicant types the text excludes
    excluded: list[str] = field(default_factory=list)
    municipality_eligible: bool | None = None
    #: the text the types were read from (the section under "Vem kan söka?", or the sentences)
    text: str = ""


def _heading_like(paragraph: str) -> bool:
    line = paragraph.strip()
    return bool(line) and len(line) <= 70 and not line.startswith("- ") and not re.search(r"[.,;]$", line)


def sections(text: str) -> list[tuple[bool, str]]:
    """``(negative, text)`` of every part under a "who may apply" heading, up to the next heading."""
    out: list[tuple[bool, str]] = []
    matches = list(_LABEL_RE.finditer(text))
    for number, m in enumerate(matches):
        stop = matches[number + 1].start() if number + 1 < len(matches) else len(text)
        body = text[m.end() : min(stop, m.end() + SECTION_CHARS)]
        paragraphs = body.split("\n\n")
        kept = [paragraphs[0]]
        for paragraph in paragraphs[1:]:
            if _heading_like(paragraph) and any(p.strip() for p in kept):
                break
            kept.append(paragraph)
        section = "\n\n".join(p for p in kept if p.strip()).strip()
        if section:
            out.append((m.group("neg") is not None, section))
    return out


def _statements(text: str) -> str:
    sentences = re.split(r"(?<=[.!?])\s+|\n+", text)
    return "\n".join(s.strip() for s in sentences if _STATEMENT_RE.search(s))


def _negated(text: str, start: int, end: int) -> bool:
    before = _CLAUSE_BREAK.split(text[max(0, start - 80) : start])[-1]
    if _NEGATION_BEFORE.search(before):
        return True
    after = _CLAUSE_BREAK.split(text[end : end + 120])[0]
    verb = _VERB.search(after)
    return bool(verb and _NEGATION_AFTER.match(after[verb.start() :]))


def _proper_name(text: str, start: int, end: int, word: str) -> bool:
    """ "Kalmar kommun", "Region Kalmar län", "i regionen": a place, not a kind of applicant."""
    lower = word.lower()
    if lower in ("kommun", "kommunen", "region", "regionen"):
        following = text[end : end + 2].lstrip()
        previous = text[max(0, start - 30) : start].rstrip().split()
        if lower.startswith("region") and following[:1].isupper():
            return True
        before = text[max(0, start - 40) : start].rstrip()
        name = re.search(r"(?:^|[^.!?:\n\s])\s+([A-ZÅÄÖ][\w-]+)$", before)
        if previous and name:  # a capitalised word that does not start a sentence: a place's name
            return True
        if lower.endswith("en") and _LOCATIVE.search(text[max(0, start - 10) : start]):
            return True
    return False


def terms_in(text: str) -> tuple[list[str], list[str]]:
    """``(allowed, excluded)`` applicant types named in ``text``, each in vocabulary order."""
    claimed: list[tuple[int, int]] = []
    allowed: set[str] = set()
    excluded: set[str] = set()
    for term, pattern in _TERM_RES:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in claimed):
                continue
            if _proper_name(text, m.start(), m.end(), m.group(0)):
                continue
            claimed.append((m.start(), m.end()))
            (excluded if _negated(text, m.start(), m.end()) else allowed).add(term)
    allowed -= excluded
    return [t for t in VOCABULARY if t in allowed], [t for t in VOCABULARY if t in excluded]


def normalise(types: list[str]) -> list[str]:
    """Applicant types given as free texts ("Kommuner", "SMEs") mapped onto the vocabulary; unknown ones kept."""
    out: list[str] = []
    for value in types:
        found, _ = terms_in(value)
        for term in found or [value.strip()]:
            if term and term not in out:
                out.append(term)
    return out


def municipality_flag(allowed: list[str], excluded: list[str]) -> bool | None:
    if any(t in MUNICIPAL for t in allowed) and "kommun" not in excluded:
        return True
    if "kommun" in excluded or allowed:
        return False
    return None


def find_eligibility(text: str) -> Eligibility:
    """Who may apply according to ``text`` (plain text, paragraphs separated by blank lines)."""
    text = text or ""
    allowed: list[str] = []
    excluded: list[str] = []
    found_text: list[str] = []
    for negative, section in sections(text):
        ok, no = terms_in(section)
        if negative:
            excluded += ok + no
        else:
            allowed += ok
            excluded += no
        if ok or no:
            found_text.append(section)
    if not allowed and not excluded:
        statements = _statements(text)
        if statements:
            allowed, excluded = terms_in(statements)
            found_text.append(statements)
    excluded = [t for t in VOCABULARY if t in excluded]
    allowed = [t for t in VOCABULARY if t in allowed and t not in excluded]
    if not allowed and not excluded:
        return Eligibility(text="\n\n".join(found_text)[:SECTION_CHARS] if found_text else "")
    return Eligibility(allowed, excluded, municipality_flag(allowed, excluded), "\n\n".join(found_text)[:SECTION_CHARS])

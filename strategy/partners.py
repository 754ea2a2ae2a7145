"""Partner hints: does a call ask for partners in other countries, which programme area does it admit, and
which of the municipality's own partners (twin towns, networks) could take part. Pure: no database, no network.

:func:`detect_requirement` reads a call's programme, funder, title and texts and finds

- a programme whose area is known (``strategy/programme_areas.toml``: Interreg South Baltic, Baltic Sea
  Region, Central Baltic, Erasmus+ partnerships, CERV town twinning), by its names;
- explicit partnership rules in English or Swedish: "at least three partners from three countries",
  "partners from at least two participating countries", "partner från minst tre länder";
- twinning ("town twinning", "vänortssamarbete") and wording such as "international partners" or
  "transnationella partner".

:func:`partner_hints` then places each of the municipality's twin towns in the admitted areas (by country
and NUTS region), and says why. A call without any such requirement gets no hints (``None``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strategy.countries import country_sv
from strategy.relations import Partner, ProgrammeArea, Relations

_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6}
_NUM = r"(\d{1,2}|two|three|four|five|six|två|tre|fyra|fem|sex)"
_W = r"(?:[\w+-]+\s+)"
_EN_WHO = r"(?:partners?|partner organi[sz]ations?|organi[sz]ations?|entities|beneficiaries|institutions|participants|applicants|municipalities|cities)"
_EN_WHERE = r"(?:countries|member states|states|programme countries|participating countries)"
_SV_WHO = r"(?:partners?|parter|partnerorganisationer|organisationer|aktörer|deltagare|kommuner|städer)"
_SV_WHERE = r"(?:\w+-)?(?:länder|medlemsstater|medlemsländer|deltagarländer|programländer)"
_AT_LEAST_EN = r"(?:at least|a minimum of|minimum(?: of)?|no fewer than|min\.)"
_AT_LEAST_SV = r"(?:minst|minimum|åtminstone)"

#: (pattern, index of the partners number or None, index of the countries number)
_RULES: tuple[tuple[re.Pattern[str], int | None, int], ...] = (
    (
        re.compile(
            rf"{_AT_LEAST_EN}\s+{_NUM}\s+{_W}{{0,3}}?{_EN_WHO}\s+{_W}{{0,3}}?(?:from|in|of)\s+"
            rf"(?:{_AT_LEAST_EN}\s+)?{_NUM}\s+(?:different\s+)?{_W}{{0,2}}?{_EN_WHERE}\b"
        ),
        1,
        2,
    ),
    (
        re.compile(
            rf"{_EN_WHO}\s+{_W}{{0,3}}?from\s+{_AT_LEAST_EN}\s+{_NUM}\s+(?:different\s+)?{_W}{{0,2}}?{_EN_WHERE}\b"
        ),
        None,
        1,
    ),
    (
        re.compile(
            rf"{_AT_LEAST_SV}\s+{_NUM}\s+{_W}{{0,2}}?{_SV_WHO}\s+{_W}{{0,2}}?från\s+(?:{_AT_LEAST_SV}\s+)?{_NUM}\s+"
            rf"(?:olika\s+)?{_W}{{0,1}}?{_SV_WHERE}\b"
        ),
        1,
        2,
    ),
    (
        re.compile(rf"{_SV_WHO}\s+{_W}{{0,2}}?från\s+{_AT_LEAST_SV}\s+{_NUM}\s+(?:olika\s+)?{_W}{{0,1}}?{_SV_WHERE}\b"),
        None,
        1,
    ),
    (re.compile(rf"{_AT_LEAST_EN}\s+{_NUM}\s+(?:different\s+)?(?:eligible\s+)?{_EN_WHERE}\b"), None, 1),
    (re.compile(rf"{_AT_LEAST_SV}\s+{_NUM}\s+(?:olika\s+)?{_SV_WHERE}\b"), None, 1),
)
_INTERNATIONAL = re.compile(
    r"\b(?:international|transnational|foreign|cross-border)\s+(?:project\s+)?"
    r"(?:partners?|partnerships?|consortium|consortia|cooperation partners?)\b"
    r"|\b(?:internationella?|utländska?|transnationella?)\s+(?:samarbets)?(?:partners?|parter|partnerskap)\b"
)
_TOWN_TWINNING = re.compile(r"\btown[\s-]twinning\b|\bvänorts\w*|\bvänorter\w*|\bvänstäder\w*|\bsister cit")
#: "twinning" alone is also the EU's name for pairing institutions (Horizon Europe, public administrations)
_TWINNING = re.compile(r"\btwinning\b")
_INTERREG = re.compile(r"\binterreg\b")


@dataclass(frozen=True)
class Requirement:
    """What a call asks for: the programme areas it admits and any partnership rule found in its text."""

    #: Swedish phrases, e.g. "Interreg Södra Östersjön", "partner från minst 3 länder"
    reasons: tuple[str, ...]
    #: the words of the call that show it (for transparency)
    evidence: tuple[str, ...] = ()
    areas: tuple[ProgrammeArea, ...] = ()
    min_countries: int | None = None
    min_partners: int | None = None


@dataclass(frozen=True)
class PartnerHint:
    partner: Partner
    #: "eligible" | "not_eligible" | "uncertain"
    status: str
    #: Swedish reason, e.g. "Trójmiejski (Gdańsk, Gdynia, Sopot) ingår i programområdet"
    reason: str


@dataclass(frozen=True)
class PartnerHints:
    requirement: Requirement
    eligible: tuple[PartnerHint, ...] = ()
    not_eligible: tuple[PartnerHint, ...] = ()
    uncertain: tuple[PartnerHint, ...] = ()
    #: (network, Swedish reason) for the networks where partners may be found
    networks: tuple[tuple[Partner, str], ...] = ()
    #: (area name, Swedish description of the countries and regions it admits)
    admitted: tuple[tuple[str, str], ...] = ()
    #: the municipality's own placement per area: (area name, "in" | "out" | "uncertain", Swedish reason)
    home: tuple[tuple[str, str, str], ...] = ()
    sources: tuple[tuple[str, str], ...] = ()

    def summary(self) -> str:
        """One Swedish line, e.g. "Partner: Gdańsk, Wismar kan delta (Interreg Södra Östersjön)"."""
        what = ", ".join(a.name for a in self.requirement.areas) or "; ".join(self.requirement.reasons)
        unsure = ", ".join(h.partner.name for h in self.uncertain)
        if self.eligible:
            names = ", ".join(h.partner.name for h in self.eligible)
            verb = "kan delta" if self.requirement.areas else "kan vara möjliga"
            return f"Partner: {names} {verb}{'; osäkert för ' + unsure if unsure else ''} ({what})"
        if unsure:
            return f"Partner: osäkert om {unsure} kan delta ({what})"
        return f"Partner: ingen av vänorterna kan delta ({what})"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value)
    return ""


def call_texts(call: Any) -> tuple[str, str]:
    """(programme and funder, everything) of a call-like object, lower-cased with spaces collapsed."""
    get = call.get if isinstance(call, dict) else lambda name, default=None: getattr(call, name, default)
    programme = " ".join(_text(get(name, "")) for name in ("programme", "funder"))
    body = " ".join(
        _text(get(name, ""))
        for name in ("title", "summary", "description", "applicant_types", "extra", "programme", "funder")
    )
    squash = lambda s: re.sub(r"\s+", " ", s).casefold()  # noqa: E731
    return squash(programme), squash(body)


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _NUMBERS[token]


def _snippet(text: str, match: re.Match[str], width: int = 40) -> str:
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def detect_requirement(call: Any, areas: Sequence[ProgrammeArea]) -> Requirement | None:
    """The call's partner requirement, or None when it neither names a known programme nor asks for partners
    in other countries."""
    programme, body = call_texts(call)
    reasons: list[str] = []
    evidence: list[str] = []
    found: list[ProgrammeArea] = []
    for area in areas:
        hit = next((a for a in area.aliases if a in body), None)
        if hit is None:
            hit = next((a for a in area.programme_aliases if re.search(rf"\b{re.escape(a)}", programme)), None)
        if hit is None:
            continue
        if area.require_any and not any(word in body for word in area.require_any):
            continue  # e.g. Erasmus+ mobility (key action 1) has no partnership rule
        found.append(area)
        reasons.append(area.name)
        evidence.append(hit)
    partners = countries = None
    for pattern, partners_group, countries_group in _RULES:
        match = pattern.search(body)
        if match is None:
            continue
        countries = _number(match.group(countries_group))
        partners = _number(match.group(partners_group)) if partners_group else None
        if countries < 2:
            countries = partners = None
            continue
        reasons.append(
            f"minst {partners} partner från {countries} länder"
            if partners
            else f"partner från minst {countries} länder"
        )
        evidence.append(_snippet(body, match))
        break
    if not found:
        for pattern, reason in (
            (_TOWN_TWINNING, "vänortssamarbete"),
            (_TWINNING, "twinning med organisationer i andra länder"),
        ):
            match = pattern.search(body)
            if match is not None:
                reasons.append(reason)
                evidence.append(_snippet(body, match))
                break
    if not reasons:
        match = _INTERNATIONAL.search(body)
        if match is None and _INTERREG.search(programme + " " + body):
            match = _INTERREG.search(body) or _INTERREG.search(programme)
            if match is not None:
                reasons.append("Interreg-program (programområdet okänt)")
                evidence.append("interreg")
                match = None
        if match is not None:
            reasons.append("internationella partner")
            evidence.append(_snippet(body, match))
    if not reasons:
        return None
    minimum = max([countries or 0, *[a.min_countries or 0 for a in found]]) or None
    return Requirement(tuple(reasons), tuple(evidence), tuple(found), minimum, partners)


def _describe(area: ProgrammeArea) -> str:
    """Swedish list of an area's countries and regions, grouped by country."""
    parts = [f"{country_sv(c)} (hela landet)" for c in area.countries]
    by_country: dict[str, list[str]] = {}
    for region in area.regions:
        by_country.setdefault(region.code[:2], []).append(region.name)
    parts.extend(f"{country_sv(c)} ({', '.join(names)})" for c, names in by_country.items())
    text = "; ".join(parts)
    if area.uncertain:
        text += "; osäkert: " + ", ".join(r.name for r in area.uncertain)
    return text


def _place(partner: Partner, areas: Sequence[ProgrammeArea], home_country: str) -> tuple[str, str]:
    if not areas:
        if partner.country == home_country:
            return "not_eligible", "samma land som kommunen"
        return "eligible", f"{country_sv(partner.country)}: utlysningen begränsar inte länderna i texten (kontrollera)"
    placed = [(area, *area.placement(partner.country, partner.region)) for area in areas]
    inside = [(a, reason) for a, status, reason in placed if status == "in"]
    if inside:
        area, reason = inside[0]
        return "eligible", f"{reason} ({area.name})"
    unsure = [(a, reason) for a, status, reason in placed if status == "uncertain"]
    if unsure:
        area, reason = unsure[0]
        return "uncertain", f"{reason} ({area.name})"
    area, _, reason = placed[0]
    return "not_eligible", f"{country_sv(partner.country)}: {reason} ({area.name})"


def partner_hints(call: Any, relations: Relations, areas: Sequence[ProgrammeArea]) -> PartnerHints | None:
    """Which of the municipality's partners could take part in this call; None when it asks for no partners."""
    requirement = detect_requirement(call, areas)
    if requirement is None:
        return None
    eligible: list[PartnerHint] = []
    not_eligible: list[PartnerHint] = []
    uncertain: list[PartnerHint] = []
    for partner in relations.twin_towns:
        if not partner.active:
            not_eligible.append(PartnerHint(partner, "not_eligible", "samarbetet är vilande"))
            continue
        status, reason = _place(partner, requirement.areas, relations.home.country)
        {"eligible": eligible, "not_eligible": not_eligible, "uncertain": uncertain}[status].append(
            PartnerHint(partner, status, reason)
        )
    admitted_countries = {c for a in requirement.areas for c in a.countries} | {
        r.code[:2] for a in requirement.areas for r in a.regions
    }
    networks: list[tuple[Partner, str]] = []
    for network in relations.networks:
        if not network.active:
            continue
        shared = sorted(set(network.countries) & admitted_countries) if requirement.areas else []
        if not requirement.areas:
            networks.append((network, "nätverket kan hjälpa till att hitta partner"))
        elif shared:
            networks.append((network, "medlemmar i " + ", ".join(country_sv(c) for c in shared)))
    home = tuple(
        (area.name, *area.placement(relations.home.country, relations.home.region)) for area in requirement.areas
    )
    return PartnerHints(
        requirement=requirement,
        eligible=tuple(eligible),
        not_eligible=tuple(not_eligible),
        uncertain=tuple(uncertain),
        networks=tuple(networks),
        admitted=tuple((a.name, _describe(a)) for a in requirement.areas),
        home=home,
        sources=tuple((a.name, a.source) for a in requirement.areas),
    )

"""Which kind of money a call is: EU funding, Swedish national or regional funding, or Nordic and other. Pure.

The rule, in order (the first that applies wins):

1. **EU** when the call's funder or programme names an EU body, fund or programme (``EU_MARKERS``: the
   European Union or Commission, Interreg, Horizon Europe, Erasmus+, Creative Europe, the Social and
   Regional Development Funds, URBACT, the European Urban Initiative, Digital Europe, ...; and the acronyms
   ``EU_ACRONYMS`` in capitals: EU, LIFE, CEF, ESF, ERDF, ERUF, CERV, EMFAF, JTF), or its title names one of the unmistakable funds (``EU_TITLE_MARKERS``: Tillväxtverket publishes
   the Regional Development Fund's calls as "Regionalfondsprogrammet för ..."), or it comes from a source
   that lists only EU programmes (``EU_SOURCES``: the EU Funding & Tenders Portal, EuroAccess and the
   Interreg programmes).
2. **Nordic and other** when the funder or programme is Nordic (the Nordic Council of Ministers,
   Nordplus, NordForsk, ...) or the source is ``norden``.
3. **Swedish national or regional** when the source is one of the Swedish funders in ``config.toml``
   (``NATIONAL_SOURCES``) or the funder's name is a Swedish public funder (``NATIONAL_MARKERS``: an agency
   ("-verket", "myndigheten"), Länsstyrelsen, a region, Vinnova, Formas, Forte, Vetenskapsrådet,
   Allmänna arvsfonden, Sida, ICLD, Svenska institutet, ...).
4. Otherwise **Nordic and other** (foundations and funders abroad, and anything unknown).

Sida and ICLD pay for international cooperation but are Swedish public money, so they are national; the
Swedish ESF Council and UHR's Erasmus+ hand out EU money, so they are EU (their programme says so).
"""

from __future__ import annotations

import re

EU, NATIONAL, OTHER = "eu", "national", "other"
#: categories in the order the report shows them
CATEGORIES = (EU, NATIONAL, OTHER)
LABELS = {
    EU: "EU-medel",
    NATIONAL: "Nationella och regionala medel",
    OTHER: "Nordiska och övriga medel",
}

#: names of EU bodies, funds and programmes, matched in the lower-cased funder and programme
EU_MARKERS = (
    r"european union",
    r"europeiska unionen",
    r"european commission",
    r"europeiska kommissionen",
    r"\binterreg\b",
    r"\bhorizon\b",
    r"horisont europa",
    r"\berasmus",
    r"connecting europe",
    r"creative europe",
    r"kreativa europa",
    r"social fund",
    r"socialfond",
    r"regionalfond",
    r"regional development fund",
    r"regionala utvecklingsfond",
    r"jordbruksfonden för landsbygdsutveckling",
    r"\burbact\b",
    r"european urban initiative",
    r"digital europe",
    r"digitala europa",
    r"citizens, equality, rights and values",
    r"europe for citizens",
    r"eu4health",
    r"havs-, fiske- och vattenbruksfond",
    r"just transition",
    r"rättvis omställning",
    r"single market programme",
)
#: EU acronyms, matched as whole words in capitals only ("LIFE" the programme, not "life science")
EU_ACRONYMS = (
    r"\bEU\b",
    r"\bLIFE\b",
    r"\bCEF\b",
    r"\bESF\b",
    r"\bERDF\b",
    r"\bERUF\b",
    r"\bCERV\b",
    r"\bEMFAF\b",
    r"\bJTF\b",
)
EU_TITLE_MARKERS = (
    r"regionalfond",
    r"\beruf\b",
    r"\berdf\b",
    r"\binterreg\b",
    r"horizon europe",
    r"horisont europa",
    r"erasmus\+",
    r"\besf\+",
    r"\burbact\b",
)
EU_SOURCES = frozenset({"eu-ftp", "euroaccess", "interreg-bsr", "interreg-south-baltic", "interreg-central-baltic"})
NORDIC_MARKERS = (
    r"\bnord",  # Nordiska ministerrådet, Nordic Council, Nordplus, NordForsk, Nordiska kulturfonden, Norden
    r"\bnopef\b",
)
NORDIC_SOURCES = frozenset({"norden"})
NATIONAL_SOURCES = frozenset(
    {
        "vinnova",
        "tillvaxtverket",
        "energimyndigheten",
        "formas",
        "havochvatten",
        "sida",
        "svenska-institutet",
        "icld",
        "arvsfonden",
        "boverket",
        "trafikverket",
        "naturvardsverket",
        "lansstyrelsen-kalmar",
        "region-kalmar",
        "vetenskapsradet",
        "forte",
        "uhr",
        "esf",
    }
)
NATIONAL_MARKERS = (
    r"verket\b",
    r"myndighet",
    r"länsstyrelse",
    r"\bregion\b",
    r"\bvinnova\b",
    r"\bformas\b",
    r"\bforte\b",
    r"vetenskapsrådet",
    r"arvsfonden",
    r"\bsida\b",
    r"\bicld\b",
    r"svenska institutet",
    r"universitets- och högskolerådet",
    r"\bstatens\b",
    r"regeringskansliet",
    r"skolverket",
    r"kulturrådet",
)


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_EU = _compile(EU_MARKERS)
_EU_ACRONYMS = _compile(EU_ACRONYMS)
_EU_TITLE = _compile(EU_TITLE_MARKERS)
_NORDIC = _compile(NORDIC_MARKERS)
_NATIONAL = _compile(NATIONAL_MARKERS)


def classify_funding(funder: str, programme: str, source: str, title: str = "") -> str:
    """``"eu"``, ``"national"`` or ``"other"`` for a call (see the module's text for the rule)."""
    original = f"{funder or ''} | {programme or ''}"
    names = original.casefold()
    source = (source or "").casefold()
    if (
        _EU.search(names)
        or _EU_ACRONYMS.search(original)
        or _EU_TITLE.search((title or "").casefold())
        or source in EU_SOURCES
    ):
        return EU
    if _NORDIC.search(names) or source in NORDIC_SOURCES:
        return OTHER
    if source in NATIONAL_SOURCES or _NATIONAL.search((funder or "").casefold()):
        return NATIONAL
    return OTHER

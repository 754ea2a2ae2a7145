"""Realistic calls for the strategy tests (partner hints, Agenda 2030 and child/youth tags), written for fundwatch
after the wording funders use."""

from __future__ import annotations

SOUTH_BALTIC = {
    "title": "Interreg South Baltic: call for regular projects 2027",
    "funder": "Interreg South Baltic Programme",
    "programme": "Interreg South Baltic 2021–2027",
    "language": "en",
    "summary": "Cross-border projects for a blue and green future of the South Baltic area.",
    "description": (
        "The Interreg South Baltic Programme opens its fourth call for regular projects. Projects must be "
        "implemented by partners from at least two participating countries (Denmark, Germany, Lithuania, Poland, "
        "Sweden). Priority 2 supports actions that reduce nutrient inflow and marine litter in the Baltic Sea, "
        "protect coastal biodiversity and adapt harbours to climate change. Local and regional authorities, "
        "NGOs and universities may apply."
    ),
    "applicant_types": ["Local authorities", "Regional authorities", "NGOs"],
}

ERASMUS = {
    "title": "Erasmus+ KA220-SCH: Cooperation partnerships in school education",
    "funder": "Universitets- och högskolerådet",
    "programme": "Erasmus+",
    "language": "en",
    "summary": "Partnerships between schools and school authorities to improve teaching and inclusion.",
    "description": (
        "A cooperation partnership must involve at least three organisations from three different EU Member "
        "States or third countries associated to the Programme. Projects help pupils and young people at risk "
        "of early school leaving and strengthen inclusive education for children with special needs."
    ),
    "applicant_types": ["Skolhuvudmän", "Kommuner"],
}

NATIONAL = {
    "title": "Lokala naturvårdssatsningen (LONA) 2027",
    "funder": "Naturvårdsverket",
    "programme": "LONA",
    "language": "sv",
    "summary": "Bidrag till kommunernas lokala naturvårdsprojekt.",
    "description": (
        "Kommuner kan söka bidrag för att restaurera våtmarker, gynna biologisk mångfald och göra naturen "
        "tillgänglig för friluftsliv. Ansökan görs hos länsstyrelsen. Stödet är ungefär hälften av kostnaden."
    ),
    "applicant_types": ["Kommuner"],
}

SWEDISH_PARTNERS = {
    "title": "Internationellt samarbete för hållbara städer",
    "funder": "Vinnova",
    "programme": "",
    "language": "sv",
    "summary": "Stöd till innovationsprojekt med utländska partner.",
    "description": "Projektet ska ha partner från minst tre länder, varav minst en svensk kommun.",
    "applicant_types": ["Kommuner", "Företag"],
}

YOUTH = {
    "title": "Fritid för barn och unga i utsatta områden",
    "funder": "Allmänna arvsfonden",
    "programme": "",
    "language": "sv",
    "summary": "Stöd till projekt som ger barn och ungdomar en meningsfull fritid.",
    "description": (
        "Arvsfonden stöder projekt där unga mellan 12 och 25 år är med och utvecklar verksamheten. "
        "Projekten ska minska utanförskap och öka jämställdhet mellan flickor och pojkar. "
        "Ungdomsverksamhet i skolans lokaler efter skoltid kan också få stöd."
    ),
    "applicant_types": ["Ideella föreningar", "Kommuner"],
}


def records():
    """The calls above as stored records (source "strategy-test", external ids by name)."""
    from datetime import UTC, datetime

    from store.records import CallRecord

    deadline = [datetime(2027, 3, 15, 15, 0, tzinfo=UTC)]
    out = []
    for external_id, call in (
        ("south-baltic", SOUTH_BALTIC),
        ("erasmus", ERASMUS),
        ("lona", NATIONAL),
        ("vinnova-int", SWEDISH_PARTNERS),
        ("arvsfonden", YOUTH),
    ):
        out.append(
            CallRecord(
                "strategy-test",
                external_id,
                call["title"],
                f"https://funder.example/{external_id}",
                funder=call["funder"],
                programme=call["programme"],
                summary=call["summary"],
                description=call["description"],
                language=call["language"],
                deadlines=deadline,
                applicant_types=call["applicant_types"],
            )
        )
    return out

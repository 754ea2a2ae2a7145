"""Hand-written calls and profiles for the web and search tests (not captured data; shaped like the
records the scrapers and the JSON Lines importer produce)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from store.records import CallRecord

#: the corpus is dated relative to today, so that "open" and "upcoming" stay true whenever the tests run
NOW = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)


def day(offset: int, hour: int = 15) -> datetime:
    return (NOW + timedelta(days=offset)).replace(hour=hour, minute=0)


def calls() -> list[CallRecord]:
    """Twenty calls in Swedish and English with known words, funders, statuses and dates."""
    c = CallRecord
    return [
        c(
            "vinnova",
            "v1",
            "Stöd till vattenvård i kommuner",
            "https://www.vinnova.se/v1",
            funder="Vinnova",
            programme="Hållbar samhällsbyggnad",
            summary="Bidrag för vattenvården i svenska kommuner.",
            description="Projekt som förbättrar vattenkvaliteten i sjöar och vattendrag.",
            language="sv",
            status="open",
            deadlines=[day(20)],
            applicant_types=["Kommuner", "Regioner"],
        ),
        c(
            "havs",
            "h1",
            "Lokala vattenvårdsprojekt (LOVA)",
            "https://www.havochvatten.se/lova",
            funder="Havs- och vattenmyndigheten",
            programme="LOVA",
            summary="Statligt stöd till lokala vattenvårdsprojekt för att minska övergödningen i Östersjön.",
            language="sv",
            status="open",
            deadlines=[day(40)],
            applicant_types=["kommun", "ideell förening"],
        ),
        c(
            "eu-ftp",
            "e1",
            "Climate adaptation in coastal regions",
            "https://ec.europa.eu/e1",
            funder="European Commission",
            programme="Horizon Europe",
            summary="Innovations for climate adaptation of coastal municipalities and water management.",
            language="en",
            status="open",
            deadlines=[day(10), day(60)],
            applicant_types=["Local authorities", "Universities"],
        ),
        c(
            "eu-ftp",
            "e2",
            "Digital innovation hubs for public administrations",
            "https://ec.europa.eu/e2",
            funder="European Commission",
            programme="Digital Europe",
            summary="Digitalisation of public services and digital skills.",
            language="en",
            status="forthcoming",
            deadlines=[day(90)],
            applicant_types=["Public bodies"],
        ),
        c(
            "tillvaxt",
            "t1",
            "Digitalisering i små företag",
            "https://tillvaxtverket.se/t1",
            funder="Tillväxtverket",
            programme="Regional utveckling",
            summary="Stöd för digitalisering och e-handel i småföretag.",
            language="sv",
            status="open",
            deadlines=[day(5)],
            applicant_types=["Företag"],
        ),
        c(
            "formas",
            "f1",
            "Social hållbarhet i städer",
            "https://formas.se/f1",
            funder="Formas",
            programme="Hållbart samhällsbyggande",
            summary="Forskning om social hållbarhet och segregation i Mälardalen och Kalmar län.",
            language="sv",
            status="closed",
            deadlines=[day(-30)],
            applicant_types=["Universitet"],
        ),
        c(
            "formas",
            "f2",
            "Hållbarhet och sociala frågor i skolan",
            "https://formas.se/f2",
            funder="Formas",
            programme="Utbildning",
            summary="Sociala frågor, hållbarhet och lärande i grundskolan.",
            language="sv",
            status="open",
            deadlines=[day(30)],
            applicant_types=["Kommuner", "Skolor"],
        ),
        c(
            "energi",
            "en1",
            "Energieffektivisering av offentliga byggnader",
            "https://energimyndigheten.se/en1",
            funder="Energimyndigheten",
            programme="Energi i bebyggelsen",
            summary="Bidrag för energieffektivisering av skolor, äldreboenden och andra kommunala lokaler.",
            language="sv",
            status="open",
            deadlines=[day(15)],
            applicant_types=["Kommuner", "Regioner", "Företag"],
        ),
        c(
            "arvs",
            "a1",
            "Barn och unga med funktionsnedsättning",
            "https://arvsfonden.se/a1",
            funder="Arvsfonden",
            programme="Projektstöd",
            summary="Utvecklingsprojekt för barn och unga.",
            language="sv",
            status="open",
            kind="scheme",
            applicant_types=["Ideella föreningar"],
        ),
        c(
            "sida",
            "s1",
            "Kommunalt partnerskap med Östafrika",
            "https://icld.se/s1",
            funder="ICLD",
            programme="Kommunala partnerskap",
            summary="Samarbete mellan svenska kommuner och kommuner i Östafrika om demokrati.",
            language="sv",
            status="open",
            kind="recurring",
            deadlines=[day(45)],
            applicant_types=["Kommuner"],
        ),
        c(
            "eu-ftp",
            "e3",
            "Water resilience and blue economy",
            "https://ec.europa.eu/e3",
            funder="European Commission",
            programme="LIFE",
            summary="Water, rivers and the Baltic Sea: nature-based solutions.",
            language="en",
            status="forthcoming",
            kind="planned",
            deadlines=[day(120)],
            applicant_types=["Public bodies", "NGOs"],
        ),
        c(
            "vinnova",
            "v2",
            "Innovationer för äldreomsorgen",
            "https://www.vinnova.se/v2",
            funder="Vinnova",
            programme="Hälsa",
            summary="Digitala och sociala innovationer i vård och omsorg för äldre.",
            language="sv",
            status="closed",
            deadlines=[day(-5)],
            applicant_types=["Kommuner", "Företag"],
        ),
        c(
            "kultur",
            "k1",
            "Kultur i hela länet",
            "https://kulturradet.se/k1",
            funder="Kulturrådet",
            programme="Regional kultur",
            summary="Stöd till kultur, bibliotek och läsfrämjande.",
            language="sv",
            status="open",
            deadlines=[day(25)],
            applicant_types=["Kommuner", "Föreningar"],
        ),
        c(
            "trafik",
            "tr1",
            "Cykelinfrastruktur och hållbara transporter",
            "https://trafikverket.se/tr1",
            funder="Trafikverket",
            programme="Stadsmiljöavtal",
            summary="Medfinansiering av cykelvägar och kollektivtrafik i städer.",
            language="sv",
            status="open",
            deadlines=[day(50)],
            applicant_types=["Kommuner", "Regioner"],
        ),
        c(
            "boverket",
            "b1",
            "Bostäder för äldre",
            "https://boverket.se/b1",
            funder="Boverket",
            programme="Bostadsstöd",
            summary="Investeringsstöd för trygghetsbostäder.",
            language="sv",
            status="open",
            deadlines=[day(35)],
            applicant_types=["Bostadsbolag"],
        ),
        c(
            "eu-ftp",
            "e4",
            "Erasmus+ school partnerships",
            "https://ec.europa.eu/e4",
            funder="European Commission",
            programme="Erasmus+",
            summary="Partnerships between schools for learning mobility.",
            language="en",
            status="open",
            deadlines=[day(12)],
            applicant_types=["Schools", "Municipalities"],
        ),
        c(
            "special",
            "x1",
            "100% finansiering ' OR 1=1 -- test",
            "https://example.org/x1",
            funder="Testfonden",
            summary="Text med tecknen % och _ och \\ i sig.",
            language="sv",
            status="open",
            deadlines=[day(70)],
        ),
        c(
            "natur",
            "n1",
            "Våtmarker och biologisk mångfald",
            "https://naturvardsverket.se/n1",
            funder="Naturvårdsverket",
            programme="Lokala naturvårdssatsningen",
            summary="Anlägga våtmarker som renar vatten och gynnar mångfald.",
            language="sv",
            status="open",
            deadlines=[day(22)],
            applicant_types=["Kommuner", "Föreningar"],
        ),
        c(
            "region",
            "r1",
            "Regionalt utvecklingsstöd Kalmar län",
            "https://regionkalmar.se/r1",
            funder="Region Kalmar län",
            programme="Regional utveckling",
            summary="Utvecklingsprojekt för tillväxt i Kalmar län.",
            language="sv",
            status="open",
            deadlines=[day(8)],
            applicant_types=["Kommuner", "Företag", "Organisationer"],
        ),
        c(
            "uhr",
            "u1",
            "Internationella praktikplatser",
            "https://uhr.se/u1",
            funder="UHR",
            programme="Atlas",
            summary="Stöd för lärares internationella utbyten.",
            language="sv",
            status="open",
            deadlines=[day(28)],
            applicant_types=["Skolor", "Kommuner"],
            extra={"hidden_note": "zqxhidden"},
            budget="zqxbudget",
        ),
    ]


PROFILES = {
    "miljo": """# Miljöförvaltningen (hand-written test profile)
name = "Miljöförvaltningen"
description = "Miljö, vatten och natur i Kalmar kommun"
recipients = ["miljo@kalmar.example"]
exclude = ["kärnkraft"]

[[priorities]]
title = "Vatten och hav"
text = "Vattenvård, övergödning, Östersjön, våtmarker och rena vattendrag."
keywords = ["vatten", "Östersjön", "våtmark"]
weight = 2.0

[[priorities]]
title = "Klimatanpassning"
text = "Anpassning till ett förändrat klimat i kustkommuner."
keywords = ["klimatanpassning", "climate adaptation"]
""",
    "skola": """name = "Barn- och ungdomsförvaltningen"
recipients = ["buf@kalmar.example"]

[[priorities]]
title = "Skolutveckling"
text = "Skolans utveckling, lärande, digitala verktyg och internationella utbyten."
keywords = ["skola", "lärande", "Erasmus"]
""",
    "kultur": """name = "Kultur- och fritidsförvaltningen"

[[priorities]]
title = "Kultur"
text = "Kultur, bibliotek och läsfrämjande för alla åldrar."
""",
}

"""The report's summary in words, and the definitions of its figures (Swedish, for the municipal board). Pure."""

from __future__ import annotations

from reporting.figures import YearReport
from reporting.formatting import STOCKHOLM, country_name, date_sv, join_sv, percent, sek
from reporting.funding import EU


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def summary_paragraphs(report: YearReport) -> list[str]:
    """A few sentences that say what the year's figures mean."""
    t = report.total
    whole = report.profile_id is None
    who = "kommunens förvaltningar" if whole else t.name
    eu = t.category(EU)
    out = []
    today = report.generated_at.astimezone(STOCKHOLM).date()
    if today.year < report.year:
        out.append(f"Året {report.year} har inte börjat ännu.")
    elif report.in_progress:
        out.append(f"Året pågår: siffrorna gäller till och med {date_sv(today)}.")
    if t.submitted:
        sentence = (
            f"Under {report.year} skickade {who} in {plural(t.submitted, 'ansökan', 'ansökningar')} om externa medel"
        )
        sentence += f", varav {eu.submitted} till EU-program." if eu.submitted else "."
    else:
        sentence = f"Under {report.year} skickade {who} inte in någon ansökan om externa medel."
    if t.decided:
        sentence += (
            f" {plural(t.granted, 'ansökan', 'ansökningar')} beviljades och {t.rejected} fick avslag,"
            f" en beviljandegrad på {percent(t.success_rate)}."
        )
    else:
        sentence += " Ingen ansökan avgjordes under året."
    out.append(sentence)
    if t.applied_sek or t.granted_sek:
        money = f"Sammanlagt söktes {sek(t.applied_sek)} och beviljades {sek(t.granted_sek)}."
        if t.cofinancing_sek:
            money += f" I de beviljade projekten går kommunen in med {sek(t.cofinancing_sek)} i egen medfinansiering."
        if eu.granted_sek:
            money += f" Av det beviljade beloppet är {sek(eu.granted_sek)} EU-medel."
        out.append(money)
    matched = "förvaltningarnas profiler" if whole else "förvaltningens profil"
    out.append(
        f"fundwatch tog fram {plural(t.matched, 'ny utlysning', 'nya utlysningar')} som matchade {matched}, och "
        f"{plural(t.interested, 'utlysning', 'utlysningar')} markerades som intressanta."
    )
    if t.partners:
        countries = join_sv(sorted(country_name(c) for c in t.partner_countries))
        out.append(
            f"Årets ansökningar hade {plural(t.partners, 'internationell partner', 'internationella partner')} från "
            f"{plural(len(t.partner_countries), 'land', 'länder')} ({countries})."
        )
    elif t.submitted:
        out.append("Ingen av årets ansökningar hade internationella partner.")
    return out


#: (term, definition) in the order the report lists them
DEFINITIONS = (
    (
        "Matchade utlysningar",
        "Utlysningar som för första gången fanns med i förvaltningens veckobrev från fundwatch under året (som ny, "
        "snart stängande eller ändrad utlysning). En förvaltning utan mottagare av veckobrev får inga. För hela "
        "kommunen räknas en utlysning en gång även om flera förvaltningar fick den, så summan kan vara mindre än "
        "förvaltningarnas tal tillsammans.",
    ),
    (
        "Markerade som intressanta",
        "Uppföljningar där förvaltningen markerade utlysningen som intressant under året (datum för intresse; "
        "saknas det räknas det första senare stegets datum).",
    ),
    (
        "Inskickade ansökningar",
        "Uppföljningar med datum för inskickad ansökan under året och status inskickad, beviljad, avslag eller avstår.",
    ),
    (
        "Beviljade och avslag",
        "Uppföljningar med status beviljad respektive avslag och beslutsdatum under året. En ansökan kan alltså "
        "räknas som inskickad ett år och som beviljad nästa.",
    ),
    (
        "Avstådda",
        "Uppföljningar med status avstår, räknade på beslutsdatum (saknas det, dagen uppföljningen senast ändrades).",
    ),
    (
        "Beviljandegrad",
        "Beviljade delat med beviljade och avslag tillsammans, bland årets beslut. Avstådda ansökningar och "
        "ansökningar som ännu inte är avgjorda ingår inte.",
    ),
    (
        "Sökt och beviljat belopp",
        "Sökt belopp är summan av de sökta beloppen i årets inskickade ansökningar; beviljat belopp summan av "
        "de beviljade beloppen i årets beviljade ansökningar.",
    ),
    (
        "Egen medfinansiering",
        "Kommunens egen medfinansiering i de ansökningar som beviljades under året.",
    ),
    (
        "Belopp i euro",
        "Räknas om till kronor med den kurs som angavs i uppföljningen, post för post, avrundat till hela kronor. "
        "Kurserna listas under Växelkurser. Belopp i euro utan kurs räknas inte in (se Att kontrollera).",
    ),
    (
        "Internationella partner",
        "Partner med ett annat land än Sverige i årets inskickade ansökningar. Samma partner (namn och land) räknas "
        "en gång per förvaltning och en gång för hela kommunen. Partner utan angivet land räknas inte.",
    ),
    (
        "EU-medel",
        "Utlysningar vars finansiär eller program är ett EU-organ, en EU-fond eller ett EU-program (till exempel "
        "Interreg, Horisont Europa, Erasmus+, LIFE, CEF, Kreativa Europa, ESF+ och Regionalfonden, också när en "
        "svensk myndighet förvaltar pengarna), eller som kommer från en källa med enbart EU-program (EU:s portal "
        "Funding & Tenders, EuroAccess och Interreg-programmen).",
    ),
    (
        "Nationella och regionala medel",
        "Svenska statliga och regionala finansiärer: myndigheter, länsstyrelsen, regionen, Vinnova, Formas, Forte, "
        "Vetenskapsrådet, Allmänna arvsfonden, Sida, ICLD, Svenska institutet med flera.",
    ),
    (
        "Nordiska och övriga medel",
        "Nordiska finansiärer (till exempel Nordiska ministerrådet och Nordplus) och alla andra: stiftelser, "
        "finansiärer i andra länder och finansiärer som fundwatch inte känner igen.",
    ),
    (
        "Vilket år ett steg räknas",
        "Varje steg räknas det år dess eget datum ligger: intresse på datum för intresse, inskickad på datum för "
        "inskickad ansökan och beslut på beslutsdatum, i svensk tid.",
    ),
)

"""Render the hand-written demo content (``demo/content/*.toml``) in each source's real response format.

One function per format, each returning the response body as bytes; the shapes follow the real captures
(``../shared/data/real/``: the EU search API page, the EuroAccess list and call pages), the Vinnova API
shape documented in API-NOTES.md, RSS 2.0 as WordPress writes it, and a Swedish agency page. Numbers the
real services invent (EU ``ccm2Id``, checksums) are derived from the identifiers so every build is the same.
"""

from __future__ import annotations

import hashlib
import json
from email.utils import format_datetime
from html import escape
from typing import Any

PORTAL = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities"
_STATUS = {"forthcoming": (31094501, "Forthcoming", "2"), "open": (31094502, "Open", "1")}
_PROCEDURE = {"single-stage": 31094504, "two-stage": 31094505, "multiple cut-off": 31094504}


def _number(text: str, digits: int = 8) -> int:
    """A stable made-up number for an identifier (the portal's internal ids are opaque)."""
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % 10 ** (digits - 1) + 10 ** (digits - 1)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


def _stamp(day: str) -> str:
    return f"{day}T00:00:00.000+0000"


# --- EU Funding & Tenders Portal search API ---------------------------------------------------------------


def eu_row(topic: dict[str, Any]) -> dict[str, Any]:
    """One ``results`` row as the search API sends it: every metadata value a list, JSON texts inside."""
    ident = topic["identifier"]
    legacy = topic.get("legacy", False)
    code, label, sort_status = _STATUS[topic["status"]]
    ccm2, call_ccm2 = _number(ident), _number(topic["call_identifier"])
    deadlines = list(topic["deadlines"])
    model = topic.get("deadline_model", "single-stage")
    action = topic["type_of_action"]
    mga = {"id": 43027846 if ident.startswith("HORIZON") else 43198411, "abbreviation": topic["mga"]}
    mga["description"] = topic["mga_description"]
    actions = [
        {
            "types": [{"typeOfAction": action, "typeOfMGA": [mga]}],
            "status": {"id": code, "abbreviation": label, "description": label},
            "plannedOpeningDate": topic["opens"],
            "submissionProcedure": {"id": _PROCEDURE[model], "abbreviation": model, "description": model},
            "deadlineDates": deadlines,
        }
    ]
    budget = topic["budget"]
    year = topic["opens"][:4]
    line = {
        "action": f"{ident} - {action}",
        "expectedGrants": budget["grants"],
        "minContribution": budget["min"],
        "maxContribution": budget["max"],
        "budgetYearMap": {year: str(budget["total"])},
        "plannedOpeningDate": topic["opens"],
        "deadlineModel": model,
        "deadlineDates": deadlines,
    }
    overview = {"budgetYearsColumns": [year], "budgetTopicActionMap": {str(_number(ident, 6)): [line]}}
    url = f"{PORTAL}/topic-details/{ident}"
    reference = f"{ccm2}TOPICSen"
    metadata: dict[str, Any] = {
        "es_SortDate": [_stamp(topic["opens"])],
        "keywords": [ident, topic["call_identifier"], *topic.get("keywords", [])],
        "sortStatus": [sort_status],
        "language": ["en"],
        "title": [topic["title"]],
        "type": ["1"],
        "focusArea": [],
        "typeOfMGAs": [str(mga["id"])],
        "callIdentifier": [topic["call_identifier"]],
        "ccm2Id": [str(ccm2)],
        "callccm2Id": [str(call_ccm2)],
        "DATASOURCE": ["SEDIA"],
        "REFERENCE": [reference],
        "callTitle": [topic["call_title"]],
        "frameworkProgramme": [topic["framework_programme"]],
        "descriptionByte": [topic["description"].strip()],
        "identifier": [ident],
        "programmeDivision": [topic["framework_programme"]],
        "crossCuttingPriorities": topic.get("cross_cutting", []),
        "programmePeriod": ["2021 - 2027"],
        "deadlineDate": [_stamp(d) for d in deadlines],
        "typesOfAction": [action.split(" ", 1)[1] if " " in action else action],
        "url": [url],
        "tags": topic.get("tags", []),
        "actions": [json.dumps(actions, ensure_ascii=False, separators=(",", ":"))],
        "allowPartnerSearch": ["true"],
        "budgetOverview": [json.dumps(overview, ensure_ascii=False, separators=(",", ":"))],
        "startDate": [_stamp(topic["opens"])],
        "deadlineModel": [model],
        "status": [str(code)],
    }
    return {
        "apiVersion": "2.151",
        "reference": reference,
        "url": f"{PORTAL}/topic-details/{ident.lower()}.json" if legacy else url,
        "contentType": "text/plain",
        "language": "en",
        "databaseLabel": "SEDIA",
        "database": "SEDIA",
        "summary": topic["title"],
        "weight": 4.0,
        "groupById": sort_status,
        "accessRestriction": False,
        "checksum": hashlib.sha256(json.dumps(metadata, sort_keys=True).encode()).hexdigest().upper(),
        "metadata": metadata,
    }


def eu_page(topics: list[dict[str, Any]], page_size: int) -> bytes:
    """A search page holding every topic, in ``identifier`` order (what ``sort`` asks for); repeats kept."""
    rows = []
    for topic in sorted(topics, key=lambda t: t["identifier"]):
        rows.extend([eu_row(topic)] * (2 if topic.get("repeated") else 1))
    return _json(
        {
            "apiVersion": "2.151",
            "terms": "***",
            "responseTime": 58,
            "totalResults": len(rows),
            "pageNumber": 1,
            "pageSize": page_size,
            "sort": "identifier:ASC",
            "groupByField": None,
            "queryLanguage": {"language": "en", "probability": 0.0},
            "results": rows,
            "bestBets": [],
            "warnings": [],
        }
    )


# --- Vinnova open data API -------------------------------------------------------------------------------


def _contact(name: str, email: str, number: int) -> dict[str, Any]:
    return {"Namn": name, "Telefon": "08-473 30 00", "Epost": email, "Roll": "Utlysningsansvarig", "KontaktID": number}


def vinnova_round(call: dict[str, Any], rnd: dict[str, Any]) -> dict[str, Any]:
    def when(key: str) -> str | None:
        return rnd.get(key)

    return {
        "Diarienummer": rnd["dnr"],
        "DiarienummerUtlysning": call["dnr"],
        "Titel": rnd["title"],
        "Beskrivning": rnd.get("text", ""),
        "TitelEngelska": rnd.get("title_en", "x"),
        "BeskrivningEngelska": "x",
        "Oppningsdatum": when("opens"),
        "Stangningsdatum": when("closes"),
        "UppskattatBeslutsdatum": when("decision"),
        "TidigastProjektstart": when("earliest_start"),
        "SenastProjektstart": when("latest_start"),
        "SenastProjektslut": when("latest_end"),
        "DokumentLista": [],
        "LankLista": [],
        "KontaktLista": [_contact(call["contact"], call["email"], _number(call["dnr"], 4))],
        "Publik": rnd.get("public", 1),
        "AnnonseringslägeÅr": rnd.get("planned_year"),
        "AnnonseringslägePeriod": rnd.get("planned_period"),
        "WebTextLista": [],
    }


def vinnova_call(call: dict[str, Any]) -> dict[str, Any]:
    number = _number(call["dnr"], 5)
    return {
        "Diarienummer": call["dnr"],
        "DiarienummerProgram": call.get("programme_dnr", ""),
        "Titel": call["title"],
        "Beskrivning": call["text"].strip(),
        "TitelEngelska": call.get("title_en", "x"),
        "BeskrivningEngelska": call.get("text_en", "x").strip(),
        "Publiceringsdatum": call["published"],
        "DokumentLista": [
            {
                "Titel": "Utlysningstext",
                "Beskrivning": "Fullständig utlysningstext",
                "FileName": "utlysningstext.pdf",
                "DokumentID": number,
                "fileURL": f"https://data.vinnova.se/api/file/{number}",
                "Lang": "sv",
                "Primary": 1,
            }
        ],
        "LankLista": [{"Beskrivning": "Utlysningen på vinnova.se", "URL": call["page"]}],
        "AnnonseringsomgangDnrLista": [],
        "AnsokningsomgangDnrLista": [{"DiarienummerAnsokningsomgang": r["dnr"]} for r in call["rounds"]],
        "KontaktLista": [_contact(call["contact"], call["email"], _number(call["dnr"], 4))],
        "Publik": call.get("public", 1),
    }


def vinnova_rounds(calls: list[dict[str, Any]]) -> bytes:
    return _json([vinnova_round(c, r) for c in calls for r in c["rounds"]])


def vinnova_calls(calls: list[dict[str, Any]], dnrs: list[str]) -> bytes:
    return _json([vinnova_call(c) for c in calls if c["dnr"] in dnrs])


# --- RSS 2.0 feeds -----------------------------------------------------------------------------------------


def rss_feed(feed: dict[str, Any], items: list[dict[str, Any]]) -> bytes:
    """RSS 2.0 as WordPress and Swedish agency sites write it (HTML escaped inside ``description``)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        "<channel>",
        f"<title>{escape(feed['title'])}</title>",
        f'<atom:link href="{escape(feed["self"])}" rel="self" type="application/rss+xml" />',
        f"<link>{escape(feed['link'])}</link>",
        f"<description>{escape(feed['description'])}</description>",
        f"<lastBuildDate>{feed['built']}</lastBuildDate>",
        f"<language>{feed['language']}</language>",
    ]
    for item in items:
        out += [
            "<item>",
            f"\t<title>{escape(item['title'])}</title>",
            f"\t<link>{escape(item['link'])}</link>",
            f"\t<dc:creator><![CDATA[{feed['creator']}]]></dc:creator>",
            f"\t<pubDate>{item['published']}</pubDate>",
            *(f"\t<category><![CDATA[{c}]]></category>" for c in item.get("categories", [])),
            f'\t<guid isPermaLink="false">{escape(item["guid"])}</guid>',
            f"\t<description>{escape(item['summary'].strip())}</description>",
            "</item>",
        ]
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out).encode("utf-8")


def _paragraphs(text: str) -> str:
    return "\n".join(f"<p>{escape(p.strip())}</p>" for p in text.strip().split("\n\n") if p.strip())


def agency_page(site: dict[str, Any], item: dict[str, Any]) -> bytes:
    """A call's page on a Swedish agency site: header and menu, the call in ``<main>``, a footer."""
    facts = "".join(f"<li>{escape(f)}</li>" for f in item.get("facts", []))
    html = f"""<!DOCTYPE html>
<html lang="sv">
<head><meta charset="utf-8"><title>{escape(item["title"])} - {escape(site["name"])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<div id="cookie-consent">Vi använder kakor för att förbättra webbplatsen. <button>Godkänn</button></div>
<header><a href="/">{escape(site["name"])}</a>
<nav><a href="/tillvaxtverket/sokfinansiering.html">Sök finansiering</a> <a href="/tillvaxtverket/omoss.html">Om oss</a></nav>
</header>
<main>
<h1>{escape(item["title"])}</h1>
<ul class="meta">{facts}</ul>
{_paragraphs(item["page"])}
</main>
<footer>{escape(site["footer"])}</footer>
</body>
</html>
"""
    return html.encode("utf-8")


def wordpress_page(site: dict[str, Any], item: dict[str, Any]) -> bytes:
    """A WordPress post: site header, the post in ``article .entry-content``, sidebar and footer."""
    html = f"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="UTF-8"><title>{escape(item["title"])} - {escape(site["name"])}</title>
<link rel="alternate" type="application/rss+xml" title="{escape(site["name"])} &raquo; Feed" href="{escape(site["feed"])}"></head>
<body class="post-template-default single single-post">
<header class="site-header"><a class="logo" href="/">{escape(site["name"])}</a>
<nav class="main-navigation"><a href="/calls/">Calls</a> <a href="/news/">News</a> <a href="/projects/">Projects</a></nav></header>
<main id="main" class="site-main">
<article class="post type-post status-publish">
<h1 class="entry-title">{escape(item["title"])}</h1>
<div class="entry-meta"><time datetime="{item["date"]}">{escape(item["date_text"])}</time></div>
<div class="entry-content">
{_paragraphs(item["page"])}
</div>
</article>
</main>
<aside class="sidebar"><h2>Newsletter</h2><p>Subscribe to our newsletter.</p></aside>
<footer class="site-footer">{escape(site["footer"])}</footer>
</body>
</html>
"""
    return html.encode("utf-8")


# --- EuroAccess ---------------------------------------------------------------------------------------------


def euroaccess_url(call: dict[str, Any]) -> str:
    return f"https://www.euro-access.eu/en/calls/{call['id']}/{call['slug']}"


def _page(title: str, body: str) -> bytes:
    html = f"""<!DOCTYPE html>
<html lang="en">
<head><meta content="text/html; charset=utf-8" http-equiv="Content-Type"/>
<title>{escape(title)} - EuroAccess</title>
<meta content="index, follow" name="robots"/></head>
<body>
<header id="header"><a class="logo" href="https://www.euro-access.eu/en">EuroAccess</a>
<nav id="mainnav"><a href="https://www.euro-access.eu/en/calls">Search for Funding</a> <a href="https://www.euro-access.eu/en/programs">Programs</a></nav></header>
<div id="content">
{body}
</div>
<footer id="footer">EuroAccess is a service of EuroVienna EU-consulting &amp; -management GmbH</footer>
</body>
</html>
"""
    return html.encode("utf-8")


def euroaccess_list(calls: list[dict[str, Any]]) -> bytes:
    """The call list: ``table#calls-overview``, one row per call (programme, linked title, deadline, arrow)."""
    rows = []
    for call in calls:
        title, url = escape(call["title"]), escape(euroaccess_url(call))
        link = f'<a aria-label="{title}" href="{url}" title="{title}">{title}</a>'
        arrow = f'<a aria-label="{title}" class="right-arrow" href="{url}" title="{title}"></a>'
        rows.append(
            f'<tr>\n<td class="title">{escape(call["programme"])}</td>\n<td>{link}</td>\n'
            f"<td>{escape(call['deadline'])}</td>\n<td>{arrow}</td>\n</tr>"
        )
    body = (
        "<h1>Search for Funding</h1>\n"
        f'<p class="results">{len(calls)} calls found</p>\n'
        '<table class="overview" id="calls-overview">\n<thead class="sticky-thead">\n'
        '<tr><th>Funding Program</th><th>Call</th><th id="sortbydate">CALL DEADLINE</th></tr>\n</thead>\n'
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
    )
    return _page("Search for Funding", body)


def _row(title: str, value: str, tag: str = "p") -> str:
    return f'<div class="tr flex">\n<p class="title td">{escape(title)}</p>\n<{tag} class="td">{value}</{tag}>\n</div>'


def euroaccess_call(call: dict[str, Any]) -> bytes:
    """A call's page: ``#calldata`` with key data (opening, deadline), content, eligibility, more information."""
    link = escape(call["call_link"])
    host = escape(call["call_link"].split("/")[2])
    key_data = "\n".join(
        [
            '<div class="subtable">',
            '<h4 class="table-head"><span id="subtable1"></span>Call key data</h4>',
            f"<h1>{escape(call['title'])}</h1>",
            _row("Funding Program", f"<strong>{escape(call['programme'])}</strong>"),
            _row("Call number", escape(call["call_number"])),
            '<div class="tr flex deadline">\n<p class="title td">deadlines</p>',
            f'<p id="call-opening td"><strong>Opening</strong><br/>{escape(call["opening"])}</p>',
            f'<p id="call-deadline td"><strong>Deadline</strong><br/>{escape(call["deadline"])}</p>\n</div>',
            _row("Link to the call", f'<a aria-label="Link to the call" href="{link}" target="_blank">{host}</a>'),
            "</div>",
        ]
    )
    objectives = (
        f'<div class="readmorewrap td">{_paragraphs(call["objectives"])}<p class="readmore center">read more</p></div>'
    )
    content = "\n".join(
        [
            '<div class="subtable">',
            '<h4 class="table-head"><span id="subtable2"></span>Call content</h4>',
            _row("short description", f"<p>{escape(call['short'].strip())}</p>", "div"),
            _row("Call objectives", objectives, "div"),
            "</div>",
        ]
    )
    eligibility = "\n".join(
        [
            '<div class="subtable">',
            '<h4 class="table-head"><span id="subtable3"></span>Eligibility Criteria</h4>',
            _row("Regions / countries for funding", escape(call["regions"]), "div"),
            _row("eligible entities", escape(call["entities"])),
            _row("Mandatory partnership", escape(call["partnership"])),
            "</div>",
        ]
    )
    more = "\n".join(
        [
            '<div class="subtable">',
            '<h4 class="table-head"><span id="subtable4"></span>Additional information</h4>',
            _row("Financial information", escape(call["finance"]), "div"),
            "</div>",
        ]
    )
    body = f'<div id="calldata">\n{key_data}\n{content}\n{eligibility}\n{more}\n</div>'
    return _page(call["title"], body)


def http_date(when) -> str:
    return format_datetime(when, usegmt=True)

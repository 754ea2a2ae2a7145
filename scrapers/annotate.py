"""What every kind adds to a call from its text: who may apply and which region it is for. Pure.

:func:`annotate` fills ``applicant_types`` from the "who may apply" text (:mod:`scrapers.eligibility`)
unless the source gave them, and sets in ``extra`` (only what the text tells; absent means unknown):

- ``municipality_eligible``: True / False (the matcher demotes False);
- ``applicants_text``: the text the applicant types were read from;
- ``regions``: the counties / programme areas the call is limited to (:mod:`scrapers.regions`);
- ``out_of_region``: True when those leave out Kalmar län (or the call is of an Interreg programme whose area
  does not include it), False when they include it or the call is national.

Keys a kind already set in ``extra`` are kept.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scrapers.eligibility import find_eligibility, municipality_flag, normalise
from scrapers.regions import find_regions
from store.records import CallRecord

APPLICANTS_TEXT_CHARS = 600


def annotate(record: CallRecord) -> CallRecord:
    """``record`` with applicant types, municipality eligibility and region marks found in its text."""
    text = record.description if len(record.description) >= len(record.summary) else record.summary
    found = find_eligibility(text)
    extra: dict[str, Any] = {}
    types = list(record.applicant_types)
    if types:
        normal = normalise(types)
        flag = municipality_flag([t for t in normal if t not in found.excluded], found.excluded)
    else:
        types, flag = found.types, found.municipality_eligible
    if flag is not None:
        extra["municipality_eligible"] = flag
    if found.text and (found.types or found.excluded):
        extra["applicants_text"] = found.text[:APPLICANTS_TEXT_CHARS]
    headline = "\n".join(p for p in (record.title, record.programme, record.funder) if p)
    regions = find_regions(headline, text, found.text, programme=f"{record.programme}\n{record.funder}")
    if regions.regions:
        extra["regions"] = regions.regions
    if regions.out_of_region is not None:
        extra["out_of_region"] = regions.out_of_region
    merged = {**extra, **record.extra}
    if types == record.applicant_types and merged == record.extra:
        return record
    return replace(record, applicant_types=types, extra=merged)

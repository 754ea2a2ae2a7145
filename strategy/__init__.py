"""Strategy alignment, pure: partner hints from the municipality's twin towns and networks, Agenda 2030 tags,
the child and youth tag, and the yearly indicators. No database, no network.

- :func:`load_relations` / :func:`load_programme_areas` read KLK's relations file and the programme areas;
- :func:`partner_hints` tells which partners could take part in a call that asks for international partners;
- :func:`tag_call` (``strategy.sdg``) gives the Sustainable Development Goals a call serves, with the terms
  that triggered each, and whether it is aimed at children and young people;
- ``strategy.indicators``: yearly sums for the report (activities, SDG amounts).
"""

from strategy.partners import PartnerHint, PartnerHints, Requirement, detect_requirement, partner_hints
from strategy.relations import Partner, ProgrammeArea, Relations, load_programme_areas, load_relations

__all__ = [
    "Partner",
    "PartnerHint",
    "PartnerHints",
    "ProgrammeArea",
    "Relations",
    "Requirement",
    "detect_requirement",
    "load_programme_areas",
    "load_relations",
    "partner_hints",
]

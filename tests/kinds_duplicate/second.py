from scrapers.base import SourceKind


class Second(SourceKind):
    name = "same-name"
    description = "test-only"

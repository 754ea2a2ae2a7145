from scrapers.base import SourceKind


class First(SourceKind):
    name = "same-name"
    description = "test-only"

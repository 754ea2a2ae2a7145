"""Source kinds, one module each; discovered by scrapers.registry."""

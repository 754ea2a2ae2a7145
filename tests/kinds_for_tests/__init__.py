"""Test-only source kinds (the real kinds live in scrapers/kinds); tests add this package to the registry."""

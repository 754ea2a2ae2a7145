"""Sources: one small module per source kind, plus the shared HTTP client, registry and runner."""

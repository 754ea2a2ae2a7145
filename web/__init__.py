"""The web UI: server-rendered pages in Swedish that work without JavaScript."""

"""The web UI: server-rendered pages in Swedish that work without JavaScript, a JSON API and feeds."""

from web.app import create_app

__all__ = ["create_app"]

"""Digests: pure building and rendering, templates, and delivery (SMTP or outbox folder).

- ``alerts.digest``: build a profile's weekly digest from plain data (pure)
- ``alerts.overview``: build KLK's weekly overview from plain data (pure)
- ``alerts.render``: text and HTML parts from the Jinja2 templates in ``alerts/templates`` (pure)
- ``alerts.message``: the MIME message with a deterministic Message-ID and List-Unsubscribe (pure)
- ``alerts.tokens``: signed unsubscribe and feedback tokens for the web UI (pure, plus ``load_web_secret``)
- ``alerts.links``: the web UI links a digest contains (pure)
- ``alerts.delivery``: the outbox relay: SMTP or .eml files, retries, crash recovery
- ``alerts.jobs``: ``send_due_digests``, ``send_overview``, ``deliver_pending``, ``preview_digest``
"""

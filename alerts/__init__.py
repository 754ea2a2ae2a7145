"""Digests: pure building and rendering, templates, and delivery (SMTP or outbox folder)."""

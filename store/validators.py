"""Queries on HTTP validators (ETag / Last-Modified remembered per source and URL)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session, col, select

from store.models import HttpValidator


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def load_validators(session: Session, source: str) -> dict[str, tuple[str, str]]:
    """URL -> (etag, last_modified) for every URL of ``source`` with a remembered validator."""
    rows = session.exec(select(HttpValidator).where(HttpValidator.source == source))
    return {row.url: (row.etag, row.last_modified) for row in rows}


def save_validators(session: Session, source: str, validators: Mapping[str, tuple[str, str]], now: datetime) -> None:
    """Remember (or forget, for an empty pair) the validators of ``source``'s URLs. The caller commits."""
    if not validators:
        return
    hashes = {url_hash(url): url for url in validators}
    existing = {
        row.url_hash: row
        for row in session.exec(
            select(HttpValidator).where(HttpValidator.source == source, col(HttpValidator.url_hash).in_(list(hashes)))
        )
    }
    for digest, url in hashes.items():
        etag, last_modified = validators[url]
        row = existing.get(digest)
        if not (etag or last_modified):
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = HttpValidator(source=source, url_hash=digest, url=url)
        row.etag, row.last_modified, row.updated_at = etag, last_modified[:100], now
        session.add(row)
    session.flush()

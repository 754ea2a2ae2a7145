"""Checks every changing request passes: a valid CSRF token, then a user allowed to do it."""

from __future__ import annotations

from fastapi import HTTPException, Request

from store.models_access import User
from web.accounts import can_edit_profiles
from web.app import LoginRequired, current_user, session_data
from web.security import tokens_equal


def check_csrf(request: Request, token: str | None) -> None:
    """403 unless the form's token equals this session's token (a token from another session fails)."""
    if not tokens_equal(session_data(request).get("csrf"), token):
        raise HTTPException(
            403, "Formuläret har gått ut eller kom inte från den här sidan. Ladda om sidan och försök igen."
        )


def require_klk(request: Request, next_path: str) -> User:
    user = current_user(request)
    if user is None:
        raise LoginRequired(next_path)
    if not can_edit_profiles(user):
        raise HTTPException(403, "Profilverkstaden är till för kommunledningskontoret (KLK).")
    return user

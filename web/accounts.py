"""Users, roles and passwords: argon2id hashes, the checks behind login, and who may change what."""

from __future__ import annotations

import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session

from errors import ConfigError
from store.accounts import add_user, get_user, record_audit, remove_user, set_password_hash
from store.models_access import ROLES, User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
MIN_PASSWORD = 10

_hasher = PasswordHasher()  # argon2id, memory-hard (64 MiB, 3 passes)
# verified against when the user name is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = _hasher.hash("fundwatch: no such user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user when the name and password are right; None otherwise (in about the same time)."""
    user = get_user(session, username.strip().lower())
    if user is None or not user.password_hash:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        set_password_hash(session, user, hash_password(password))
    return user


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"password: must be at least {MIN_PASSWORD} characters")


def create_user(
    session: Session,
    username: str,
    role: str,
    password: str,
    profiles: Iterable[str] = (),
    known_profiles: Iterable[str] | None = None,
    display_name: str = "",
    actor: str = "",
) -> User:
    """Validate and add a user (with an audit record); raises ConfigError naming the bad field."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ConfigError(
            f"user name {username!r}: use 2-100 lower-case letters, digits, '.', '_', '@' or '-', starting with a "
            "letter or digit"
        )
    if role not in ROLES:
        raise ConfigError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    profiles = sorted(set(profiles))
    if role == "staff" and not profiles:
        raise ConfigError("a staff user must be bound to at least one profile (--profile ID)")
    if role == "klk" and profiles:
        raise ConfigError("a klk user may act for every profile; do not give --profile")
    if known_profiles is not None:
        unknown = sorted(set(profiles) - set(known_profiles))
        if unknown:
            known = ", ".join(sorted(known_profiles)) or "none"
            raise ConfigError(f"unknown profile(s) {', '.join(unknown)}; known profiles: {known}")
    check_password_rules(password)
    if get_user(session, username) is not None:
        raise ConfigError(f"user {username!r} already exists")
    user = add_user(session, username, role, hash_password(password), profiles, display_name)
    record_audit(session, actor, "user.add", username, {"role": role, "profiles": profiles})
    return user


def delete_user(session: Session, username: str, actor: str = "") -> None:
    username = username.strip().lower()
    if not remove_user(session, username):
        raise ConfigError(f"no user {username!r}")
    record_audit(session, actor, "user.remove", username)


def change_password(session: Session, username: str, password: str, actor: str = "") -> None:
    user = get_user(session, username.strip().lower())
    if user is None:
        raise ConfigError(f"no user {username!r}")
    check_password_rules(password)
    set_password_hash(session, user, hash_password(password))
    record_audit(session, actor, "user.password", user.username)


def can_edit_profiles(user: User | None) -> bool:
    return user is not None and user.role == "klk"


def can_give_feedback(user: User | None, profile_id: str) -> bool:
    if user is None:
        return False
    return user.role == "klk" or profile_id in (user.profiles or [])


def feedback_profiles(user: User | None, profile_ids: Iterable[str]) -> list[str]:
    """The profiles this user may give feedback for, in the given order."""
    return [p for p in profile_ids if can_give_feedback(user, p)]

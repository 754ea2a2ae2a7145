"""E7 tokens: unsubscribe and feedback links are unguessable, bound to what they were made for, and the
development secret is created once when web.secret_env is unset."""

from __future__ import annotations

import base64
import json
import logging
import secrets
import stat

import pytest

from alerts.tokens import (
    load_web_secret,
    make_feedback_token,
    make_unsubscribe_token,
    verify_feedback_token,
    verify_unsubscribe_token,
)

SECRET = b"a-long-random-secret-for-the-tests-0123"


def reencode(token: str, values: list) -> str:
    """The token with its payload replaced (signature kept): what an attacker could try."""
    version, _, signature = token.split(".")
    payload = base64.urlsafe_b64encode(json.dumps(values).encode()).rstrip(b"=").decode()
    return f"{version}.{payload}.{signature}"


def test_an_unsubscribe_token_names_its_profile_and_recipient():
    token = make_unsubscribe_token(SECRET, "serviceforvaltningen", " Service@Kalmar.example ")
    request = verify_unsubscribe_token(SECRET, token)
    assert (request.profile_id, request.recipient) == ("serviceforvaltningen", "service@kalmar.example")
    assert token.isascii() and "/" not in token and "?" not in token


def test_an_unsubscribe_token_cannot_be_moved_to_another_recipient_or_profile():
    token = make_unsubscribe_token(SECRET, "serviceforvaltningen", "service@kalmar.example")
    assert verify_unsubscribe_token(SECRET, reencode(token, ["unsubscribe", "serviceforvaltningen", "x@y.se"])) is None
    assert (
        verify_unsubscribe_token(SECRET, reencode(token, ["unsubscribe", "kalmar-vatten", "service@kalmar.example"]))
        is None
    )
    other = make_unsubscribe_token(SECRET, "serviceforvaltningen", "annan@kalmar.example")
    assert other != token and other.split(".")[2] != token.split(".")[2]


def test_tokens_need_the_secret_and_are_not_guessable():
    token = make_unsubscribe_token(SECRET, "serviceforvaltningen", "service@kalmar.example")
    assert verify_unsubscribe_token(b"another-secret-entirely-0123456789", token) is None
    version, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert verify_unsubscribe_token(SECRET, f"{version}.{payload}.{flipped}") is None
    assert len(base64.urlsafe_b64decode(signature + "=")) == 32  # a 256-bit signature
    for junk in (
        "",
        "v1",
        "v1..",
        "v2." + payload + "." + signature,
        "v1.!!!.###",
        "x" * 5000,
        secrets.token_urlsafe(40),
    ):
        assert verify_unsubscribe_token(SECRET, junk) is None


def test_feedback_and_unsubscribe_tokens_cannot_stand_in_for_each_other():
    feedback = make_feedback_token(SECRET, "serviceforvaltningen", 42, "not_relevant")
    unsubscribe = make_unsubscribe_token(SECRET, "serviceforvaltningen", "service@kalmar.example")
    assert verify_unsubscribe_token(SECRET, feedback) is None
    assert verify_feedback_token(SECRET, unsubscribe) is None
    request = verify_feedback_token(SECRET, feedback)
    assert (request.profile_id, request.call_id, request.verdict) == ("serviceforvaltningen", 42, "not_relevant")
    assert (
        verify_feedback_token(SECRET, reencode(feedback, ["feedback", "serviceforvaltningen", 42, "relevant"])) is None
    )
    with pytest.raises(ValueError):
        make_feedback_token(SECRET, "serviceforvaltningen", 42, "maybe")


def test_the_secret_comes_from_the_named_environment_variable(tmp_path):
    assert load_web_secret("MY_SECRET", tmp_path, environ={"MY_SECRET": "s3cret-value-long-enough"}) == (
        b"s3cret-value-long-enough"
    )
    assert not (tmp_path / "dev-web-secret").exists()


def test_without_the_variable_a_development_secret_is_created_once_and_reused(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="alerts.tokens"):
        first = load_web_secret("UNSET_SECRET", tmp_path / "var", environ={})
        second = load_web_secret("UNSET_SECRET", tmp_path / "var", environ={})
    assert first == second and len(first) == 64
    path = tmp_path / "var" / "dev-web-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "UNSET_SECRET is not set" in caplog.text
    token = make_unsubscribe_token(first, "p", "a@b.se")
    assert verify_unsubscribe_token(second, token) is not None

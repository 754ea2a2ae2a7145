"""The links in a digest: to the web UI, feedback, the profile's calendar and list, and unsubscribing. Pure.

Routes the web UI serves for them (``{base}`` is ``web.base_url``):

- ``{base}/calls/{call_id}``: the call's page
- ``{base}/profiles/{profile_id}``: the profile's full list of matches
- ``{base}/profiles/{profile_id}/deadlines.ics``: the profile's deadlines as an ICS calendar
- ``{base}/feedback/{token}``: mark relevant / not relevant (``alerts.tokens.verify_feedback_token``)
- ``{base}/followup-link/{token}``: mark interest / move the follow-up on (``alerts.tokens.verify_followup_token``)
- ``{base}/unsubscribe/{token}``: unsubscribe (``alerts.tokens.verify_unsubscribe_token``); also the
  ``List-Unsubscribe`` header's URL, so a POST with ``List-Unsubscribe=One-Click`` must act at once (RFC 8058)
"""

from __future__ import annotations

from urllib.parse import quote

from alerts.text import safe_http_url
from alerts.tokens import make_feedback_token, make_followup_token, make_unsubscribe_token


class Links:
    def __init__(self, base_url: str, secret: bytes) -> None:
        if safe_http_url(base_url) is None:
            raise ValueError(f"web.base_url must be an http(s) URL, got {base_url!r}")
        self.base = base_url.rstrip("/")
        self._secret = secret

    def call(self, call_id: int) -> str:
        return f"{self.base}/calls/{int(call_id)}"

    def profile(self, profile_id: str) -> str:
        return f"{self.base}/profiles/{quote(profile_id, safe='')}"

    def calendar(self, profile_id: str) -> str:
        return f"{self.profile(profile_id)}/deadlines.ics"

    def feedback(self, profile_id: str, call_id: int, verdict: str) -> str:
        return f"{self.base}/feedback/{make_feedback_token(self._secret, profile_id, call_id, verdict)}"

    def followup(self, profile_id: str, call_id: int, recipient: str) -> str:
        return f"{self.base}/followup-link/{make_followup_token(self._secret, profile_id, call_id, recipient)}"

    def unsubscribe(self, profile_id: str, recipient: str) -> str:
        return f"{self.base}/unsubscribe/{make_unsubscribe_token(self._secret, profile_id, recipient)}"

"""The numbers identity runs by, and the password rules."""

from __future__ import annotations

import functools
import unicodedata
from datetime import timedelta
from importlib import resources

import msgspec

from chatcore.errors import InvalidInput


class IdentityPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Limits and lifetimes; the container builds it from settings."""

    session_ttl_minutes: int = 1440
    # last_seen_at is bookkeeping, not security: a write per minute per session is plenty.
    session_touch_seconds: int = 60
    otp_ttl_seconds: int = 600
    otp_max_attempts: int = 5
    # The gap and hourly cap apply to sign-in codes and to sign-up mails, each on its own.
    otp_resend_seconds: int = 60
    mails_per_hour: int = 10
    password_min_chars: int = 8
    password_max_chars: int = 128
    confirm_ttl_hours: int = 24
    public_url: str = "http://localhost:8000"
    login_free_failures: int = 5
    login_backoff_cap_seconds: int = 900
    anonymous_sessions_per_hour: int = 30

    @property
    def session_ttl(self) -> timedelta:
        """How long a session, and its token, lives."""
        return timedelta(minutes=self.session_ttl_minutes)

    def confirm_link(self, token: str) -> str:
        """The link a confirmation mail carries."""
        return f"{self.public_url.rstrip('/')}/v1/auth/confirm?token={token}"


def normalize_password(password: str) -> str:
    """The password in NFKC, so that one typed on another keyboard still matches."""
    return unicodedata.normalize("NFKC", password)


def validate_password(password: str, policy: IdentityPolicy) -> str:
    """The normalised password if it may be chosen; raises InvalidInput("password")."""
    password = normalize_password(password)
    if not policy.password_min_chars <= len(password) <= policy.password_max_chars:
        raise InvalidInput(
            "password",
            f"must be {policy.password_min_chars} to {policy.password_max_chars} characters",
        )
    if password.lower() in common_passwords():
        raise InvalidInput("password", "is one of the most common passwords")
    return password


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (lowercase), read once.

    The 1,000 most frequent passwords of at least 8 characters from the list Django
    ships (after Royce Williams' compilation of leaked passwords)."""
    text = resources.files("chatcore.identity").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.lower() for line in text.splitlines() if line)

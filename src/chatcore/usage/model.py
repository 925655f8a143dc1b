"""Usage: what model calls cost, counted per calendar month (UTC), and the rules that
limit chats: a sliding one-minute window of requests and a monthly token quota."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import msgspec

RATE_WINDOW = timedelta(minutes=1)
# Longer than any reply streams; a reservation outliving it belonged to a process
# that died before settling, and stops holding tokens.
RESERVATION_TTL = timedelta(hours=1)
# The share of the monthly quota at which a principal is warned, once a month.
WARNING_SHARE = Fraction(4, 5)


class Period(msgspec.Struct, frozen=True):
    """A calendar month in UTC, from ``start`` up to (not including) ``end``."""

    start: datetime
    end: datetime

    @classmethod
    def containing(cls, at: datetime) -> Period:
        """The month ``at`` falls in."""
        at = at.astimezone(UTC)
        start = datetime(at.year, at.month, 1, tzinfo=UTC)
        return cls(start, datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=UTC))


class UsageEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One model call in the ledger: whose, in which dialog (None: a stateless
    completion), by which model and API key (None: a session's), its cost."""

    id: uuid.UUID
    principal_id: uuid.UUID
    dialog_id: uuid.UUID | None
    model: str | None
    prompt_tokens: int
    completion_tokens: int
    at: datetime
    api_key_id: uuid.UUID | None = None


class UsageTotals(msgspec.Struct, frozen=True, kw_only=True):
    """The tokens settled in one period, by one principal or by a whole tenant."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt and completion tokens together."""
        return self.prompt_tokens + self.completion_tokens


class Reservation(msgspec.Struct, frozen=True, kw_only=True):
    """Tokens held for an admitted chat until its real cost is known."""

    id: uuid.UUID
    principal_id: uuid.UUID
    tokens: int
    expires_at: datetime


def in_window(hits: Sequence[datetime], window: timedelta, now: datetime) -> list[datetime]:
    """The hits less than ``window`` old, oldest first (a hit stamped ahead of ``now``
    by another process's clock still counts)."""
    return sorted(hit for hit in hits if now - hit < window)


def slot_wait(hits: Sequence[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Whole seconds until one more request fits among ``hits`` (0: it fits now)."""
    recent = in_window(hits, window, now)
    if len(recent) < limit:
        return 0
    if limit <= 0:
        return math.ceil(window.total_seconds())
    # The request fits once all but limit - 1 of the recent hits have aged out.
    frees_at = recent[len(recent) - limit] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))

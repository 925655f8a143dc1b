"""Background jobs: durable work any process may take, one at a time per job."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import NewType

import msgspec

JobId = NewType("JobId", uuid.UUID)


class Job(msgspec.Struct, frozen=True, kw_only=True):
    """A unit of background work: a ``kind`` (which handler runs it), a ``key``
    (at most one job of a kind per key is queued), and what the handler needs."""

    id: JobId
    kind: str
    key: str
    payload: dict[str, str]
    attempts: int  # how many times it was taken, this time included
    run_at: datetime
    last_error: str | None = None


class JobPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How a process works jobs: how many at once (0: none), how long a lease lasts
    before another process may take the job up, how often to look for new ones, and
    how failures are retried (exponential backoff, then given up)."""

    concurrency: int = 2
    lease_seconds: float = 30.0
    poll_seconds: float = 1.0
    max_attempts: int = 5
    first_retry_seconds: float = 2.0
    longest_retry_seconds: float = 600.0

    def retry_delay(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failure: doubling, up to a cap."""
        seconds = self.first_retry_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.longest_retry_seconds))

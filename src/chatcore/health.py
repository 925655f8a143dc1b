"""Health of the parts the core depends on."""

from __future__ import annotations

from typing import Protocol

import msgspec

__all__ = [
    "CheckDatabase",
    "DatabaseProbe",
    "DatabaseStatus",
]


class DatabaseStatus(msgspec.Struct, frozen=True):
    """A successful round trip to the database and the state of its pool."""

    latency_ms: float
    pool: dict[str, int]


class DatabaseProbe(Protocol):
    """Checks that the database answers."""

    async def check(self) -> DatabaseStatus:
        """Run a trivial query; raises Unavailable("database") when it fails."""
        ...


class CheckDatabase:
    """Report whether the database answers, and how fast."""

    def __init__(self, probe: DatabaseProbe) -> None:
        self._probe = probe

    async def __call__(self) -> DatabaseStatus:
        """The status; raises Unavailable("database")."""
        return await self._probe.check()

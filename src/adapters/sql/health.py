"""Database health: a trivial query timed, and the pool's counters."""

from __future__ import annotations

import asyncio
import time

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine

from chatcore.errors import Unavailable
from chatcore.health import DatabaseStatus

PROBE_TIMEOUT_SECONDS = 3.0


class SqlDatabaseProbe:
    """A DatabaseProbe running ``SELECT 1`` on the engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def check(self) -> DatabaseStatus:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                async with self._engine.connect() as connection:
                    await connection.execute(sa.text("SELECT 1"))
        except (sa_exc.SQLAlchemyError, OSError, TimeoutError) as exc:
            raise Unavailable("database") from exc
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        return DatabaseStatus(latency_ms=latency_ms, pool=self._pool_counters())

    def _pool_counters(self) -> dict[str, int]:
        pool = self._engine.pool
        counters = {}
        for name in ("size", "checkedin", "checkedout", "overflow"):
            method = getattr(pool, name, None)
            if callable(method):
                counters[name.replace("checked", "checked_")] = int(method())
        return counters

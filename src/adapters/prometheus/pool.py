"""The database pool's gauges, kept current by the pool's own events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.prometheus.metrics import DB_POOL_CHECKED_OUT, DB_POOL_OVERFLOW, DB_POOL_SIZE


def watch_pool(engine: AsyncEngine) -> None:
    """Set the pool gauges now and at every check-out and check-in, in the process
    that holds the pool (a scrape in multi-process mode adds the workers up)."""
    pool: Any = engine.sync_engine.pool
    if not all(callable(getattr(pool, name, None)) for name in ("size", "checkedout")):
        return  # a pool without counters (one connection shared, or none kept)

    def update(returning: int = 0) -> None:
        DB_POOL_SIZE.set(pool.size())
        DB_POOL_CHECKED_OUT.set(pool.checkedout() - returning)
        # Negative while the pool has not yet opened its first `size` connections.
        DB_POOL_OVERFLOW.set(max(pool.overflow(), 0))

    def checked_out(*_: object) -> None:
        update()

    def checked_in(*_: object) -> None:
        update(returning=1)  # the event comes before the pool takes the connection back

    event.listen(pool, "checkout", checked_out)
    event.listen(pool, "checkin", checked_in)
    update()

"""The server's periodic purge of expired rows, beside the requests it serves."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import msgspec

from chatcore.identity.use_cases.housekeeping import PurgeReport

log = logging.getLogger("chatcore.housekeeping")


async def purge_periodically(
    purge: Callable[[], Awaitable[PurgeReport]], interval_seconds: float
) -> None:
    """Purge every ``interval_seconds``, first one interval after start, until
    cancelled. A failed purge is logged and the next one runs on time: a database
    outage must not end housekeeping for the life of the process."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            report = await purge()
        except Exception:
            log.exception("purge of expired rows failed; retrying in %s s", interval_seconds)
            continue
        if report.total:
            removed = {kind: n for kind, n in msgspec.structs.asdict(report).items() if n}
            log.info("purged expired rows: %s", removed)


@contextlib.asynccontextmanager
async def purging(
    purge: Callable[[], Awaitable[PurgeReport]], interval_minutes: float
) -> AsyncIterator[None]:
    """Run ``purge_periodically`` for the block (not at all for an interval of 0), and
    stop it on the way out, a purge in flight included."""
    if interval_minutes == 0:
        yield
        return
    task = asyncio.create_task(purge_periodically(purge, interval_minutes * 60))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

"""Sweeping up after writes that a crash cut short."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from chatcore.kernel import Clock, UnfinishedWrites

# A write in flight touches its file with every piece; one untouched this long
# belongs to no live upload, in this process or another.
UNFINISHED_WRITE_IDLE = timedelta(hours=1)


class RemoveUnfinishedWrites:
    """Remove what interrupted writes left in the blob stores, once long idle."""

    def __init__(
        self,
        stores: Sequence[UnfinishedWrites],
        clock: Clock,
        idle: timedelta = UNFINISHED_WRITE_IDLE,
    ) -> None:
        self._stores, self._clock, self._idle = tuple(stores), clock, idle

    async def __call__(self) -> int:
        """How many leftovers were removed, all stores together."""
        idle_since = self._clock.now() - self._idle
        return sum([await store.remove_unfinished(idle_since) for store in self._stores])

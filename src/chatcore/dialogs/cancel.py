"""Stopping a reply on request, from another task, without a race per delta.

Waiting on "the next delta or a cancel request" with ``asyncio.wait`` would cost a
task per delta on the hot path. Instead, the task reading the model marks the
waits a cancel may interrupt; a request cancels that task while it waits there and
the wait turns the cancellation into ``CancelRequested`` and takes it back
(``Task.uncancel``), as ``asyncio.timeout`` does. A cancellation from anyone else
(a dropped client) still propagates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class CancelRequested(Exception):
    """The reply was asked to stop."""


class CancelSwitch:
    """A stop request for one reply, flipped by any task, felt by the reading task."""

    def __init__(self) -> None:
        self.requested = False
        self._waiting: asyncio.Task[object] | None = None

    def request(self) -> None:
        """Ask the reply to stop; an interruptible wait in progress ends at once."""
        if self.requested:
            return
        self.requested = True
        if self._waiting is not None:
            self._waiting.cancel()

    async def call(self, start: Callable[[], Awaitable[T]]) -> T:
        """Await ``start()``; raises CancelRequested if a stop was or is requested."""
        if self.requested:
            raise CancelRequested
        task = asyncio.current_task()
        self._waiting = task
        try:
            return await start()
        except asyncio.CancelledError:
            # Ours only if we asked and nobody else did too.
            if self.requested and task is not None and task.uncancel() == 0:
                raise CancelRequested from None
            raise
        finally:
            self._waiting = None

"""The text of one reply as it grows, and how it ended, shared by every listener.

The run (or, for a reply written elsewhere, its follower) appends; each listener
keeps its own offset and reads what lies beyond it. A listener that falls behind
costs no memory of its own: it reads the gap as one piece when it catches up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from chatcore.dialogs.events import ChatEvent


class ReplyBuffer:
    """A reply's text (Unicode code points, NUL-free: exactly what is stored), then the
    events that end it (citations?, usage, done; or an error)."""

    def __init__(self, text: str = "") -> None:
        self.pieces: list[str] = [text] if text else []
        self.length = len(text)
        self.ending: tuple[ChatEvent, ...] = ()
        self.ended = False
        self._changed = asyncio.Event()

    def append(self, text: str) -> None:
        """Add ``text`` to the reply and wake the listeners."""
        if text and not self.ended:
            self.pieces.append(text)
            self.length += len(text)
            self._wake()

    def end(self, ending: Sequence[ChatEvent]) -> None:
        """Close the text with these events and wake the listeners (once only)."""
        if not self.ended:
            self.ended = True
            self.ending = tuple(ending)
            self._wake()

    def text(self) -> str:
        """The reply so far."""
        return "".join(self.pieces)

    async def changed(self) -> None:
        """Return at the next append or end."""
        await self._changed.wait()

    def _wake(self) -> None:
        # Every waiter is woken by set(); clearing at once makes the next wait block.
        self._changed.set()
        self._changed.clear()

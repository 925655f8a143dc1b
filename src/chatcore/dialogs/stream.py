"""The stream of one reply's events, as ``ChatService.start`` hands it to the shell."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable

from chatcore.dialogs.cancel import CancelSwitch
from chatcore.dialogs.events import ChatEvent, Meta


class ChatStream:
    """The events of one reply, Meta first; iterate it once.

    ``cancel()`` stops the model and the stream still ends with Usage and
    Done("cancelled"). ``aclose()``, or cancelling the task iterating it (a dropped
    client), abandons it. Either way the reply so far is stored as ``cancelled``.
    """

    def __init__(
        self, meta: Meta, events: AsyncGenerator[ChatEvent, None], switch: CancelSwitch
    ) -> None:
        self.meta = meta
        self._events = events
        self._switch = switch
        self._started = False

    def __aiter__(self) -> ChatStream:
        return self

    def __anext__(self) -> Awaitable[ChatEvent]:
        # The generator's own awaitable: no extra coroutine per delta.
        self._started = True
        return self._events.__anext__()

    def cancel(self) -> None:
        """Stop the model now; the stream goes on to Usage and Done("cancelled")."""
        self._switch.request()

    async def aclose(self) -> None:
        """Abandon the stream: the model call stops and the reply so far is stored."""
        if not self._started:
            # A stream closed before it was read still answers the stored question.
            self._started = True
            await self._events.__anext__()
        await self._events.aclose()

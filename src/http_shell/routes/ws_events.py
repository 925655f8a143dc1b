"""``WS /v1/ws``: the caller's notifications, as JSON frames.

Authentication is as for chat: the session cookie (from an allowed origin only)
or a first frame ``{"type": "auth", "token"}``. After ``{"type": "ready"}`` every
event for the caller arrives as ``{"type": "avatar_changed", "avatar_url": ...}``
and so on; ``{"type": "heartbeat"}`` comes when nothing else has for a while, and
the session is re-checked then. A client may send ``{"type": "ping"}`` for a
``pong``. The socket closes with 1013 (try again later) when the stream has a gap
(the client fell behind, or the server lost its event bus): reconnect and re-read.
A client frame over 4096 bytes closes it with 1009 (see ``http_shell.sockets``).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

import msgspec
from litestar.types import ControllerRouterHandler

from chatcore.errors import Unavailable
from chatcore.events.ports import Subscription
from chatcore.events.use_cases import ListenForEvents
from chatcore.identity.principal import Principal
from http_shell.sockets import CLOSE_TRY_AGAIN, Socket, SocketClosed, socket_route
from http_shell.use_cases import UseCases

MAX_FRAME_BYTES = 4096


class Frame(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A client frame."""

    type: Literal["auth", "ping"]
    token: str | None = None


class NotificationSocket:
    """One connection: relays the principal's events, heartbeats, answers pings."""

    def __init__(self, socket: Socket, token: str, principal: Principal, heartbeat: float) -> None:
        self._socket, self._token, self._principal = socket, token, principal
        self._heartbeat = heartbeat
        self._checked_at = time.monotonic()

    async def serve(self, listen: ListenForEvents) -> None:
        """Relay events until the client leaves, the session ends or the stream breaks."""
        try:
            async with listen(self._principal) as events:
                await self._socket.send({"type": "ready"})
                reader = asyncio.create_task(self._read_until_gone())
                try:
                    await self._relay(events, reader)
                finally:
                    reader.cancel()
            await self._socket.close(CLOSE_TRY_AGAIN, "events interrupted; reconnect")
        except Unavailable as exc:
            await self._socket.fail(
                exc.code, "Notifications are unavailable; retry shortly.", CLOSE_TRY_AGAIN
            )
        except SocketClosed:
            pass

    async def _relay(self, events: Subscription, reader: asyncio.Task[None]) -> None:
        """Return when the subscription ends; raises SocketClosed when the client is gone."""
        iterator = aiter(events)
        # One pending read at a time, kept across heartbeats, never cancelled midway.
        pending: asyncio.Future[Any] | None = None
        try:
            while True:
                if pending is None:
                    pending = asyncio.ensure_future(anext(iterator))
                done, _ = await asyncio.wait(
                    {pending, reader}, timeout=self._heartbeat, return_when=asyncio.FIRST_COMPLETED
                )
                if reader in done:
                    raise SocketClosed
                if pending in done:
                    finished, pending = pending, None
                    try:
                        event = finished.result()
                    except StopAsyncIteration:
                        return
                    if time.monotonic() - self._checked_at >= self._heartbeat:
                        await self._check_session()  # a busy socket is re-checked too
                    await self._socket.send(event)
                else:
                    await self._check_session()
                    await self._socket.send({"type": "heartbeat"})
        finally:
            if pending is not None:
                pending.cancel()

    async def _read_until_gone(self) -> None:
        """Answer the client's frames; return when it disconnects."""
        while True:
            try:
                raw = await self._socket.receive()
            except SocketClosed:
                return
            if await self._socket.frame_of(raw, Frame, self._principal) is not None:
                await self._socket.send({"type": "pong"})  # the one frame left: ping

    async def _check_session(self) -> None:
        # Logout or account deletion must end the socket too.
        await self._socket.check_session(self._token)
        self._checked_at = time.monotonic()


async def serve_notifications(
    socket: Socket, token: str, principal: Principal, use_cases: UseCases
) -> None:
    """Notifications over an admitted socket."""
    heartbeat = use_cases.settings().ws_heartbeat_seconds
    connection = NotificationSocket(socket, token, principal, heartbeat)
    await connection.serve(use_cases.listen_for_events())


ROUTES: list[ControllerRouterHandler] = [
    socket_route("/v1/ws", "notifications", MAX_FRAME_BYTES, serve_notifications)
]

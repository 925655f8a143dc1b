"""``WS /v1/ws``: the caller's notifications, as JSON frames.

Authentication is as for chat: the session cookie (from an allowed origin only)
or a first frame ``{"type": "auth", "token"}``. After ``{"type": "ready"}`` every
event for the caller arrives as ``{"type": "avatar_changed", "avatar_url": ...}``
and so on; ``{"type": "heartbeat"}`` comes when nothing else has for a while, and
the session is re-checked then. A client may send ``{"type": "ping"}`` for a
``pong``. The socket closes with 1013 (try again later) when the stream has a gap
(the client fell behind, or the server lost its event bus): reconnect and re-read.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, Literal

import msgspec
from litestar import WebSocket, websocket
from litestar.di import NamedDependency
from litestar.types import ControllerRouterHandler

from chatcore.errors import ChatcoreError, NotAuthenticated, Unavailable
from chatcore.events.listening import ListenForEvents
from chatcore.events.ports import Subscription
from chatcore.identity.principal import Principal
from chatcore.identity.sessions import ResolvePrincipal
from http_shell.settings import Settings
from http_shell.sockets import CLOSE_POLICY, SocketClosed, admit

MAX_FRAME_BYTES = 4096
AUTH_TIMEOUT_SECONDS = 10.0
CLOSE_TOO_BIG, CLOSE_TRY_AGAIN = 1009, 1013


class Frame(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A client frame."""

    type: Literal["auth", "ping"]
    token: str | None = None


_decode_frame = msgspec.json.Decoder(Frame).decode
_encode = msgspec.json.Encoder().encode


class NotificationSocket:
    """One connection: relays the principal's events, heartbeats, answers pings."""

    def __init__(
        self, socket: WebSocket[Any, Any, Any], resolve: ResolvePrincipal, heartbeat: float
    ) -> None:
        self._socket, self._resolve, self._heartbeat = socket, resolve, heartbeat
        self._send_lock = asyncio.Lock()
        self._checked_at = time.monotonic()

    async def serve(self, listen: ListenForEvents, token: str, principal: Principal) -> None:
        """Relay events until the client leaves, the session ends or the stream breaks."""
        try:
            async with listen(principal) as events:
                await self._send({"type": "ready"})
                reader = asyncio.create_task(self._read_until_gone())
                try:
                    await self._relay(events, token, reader)
                finally:
                    reader.cancel()
            await self.close(CLOSE_TRY_AGAIN, "events interrupted; reconnect")
        except Unavailable as exc:
            await self.fail(
                exc.code, "Notifications are unavailable; retry shortly.", CLOSE_TRY_AGAIN
            )
        except SocketClosed:
            pass

    async def _relay(self, events: Subscription, token: str, reader: asyncio.Task[None]) -> None:
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
                        await self._check_session(token)  # a busy socket is re-checked too
                    await self._send(event)
                else:
                    await self._check_session(token)
                    await self._send({"type": "heartbeat"})
        finally:
            if pending is not None:
                pending.cancel()

    async def _read_until_gone(self) -> None:
        """Answer the client's frames; return when it disconnects."""
        while True:
            try:
                raw = await self._receive()
            except SocketClosed:
                return
            try:
                frame = _decode_frame(raw)
            except msgspec.DecodeError as exc:
                await self.send_error("validation_failed", str(exc))
                continue
            if frame.type == "ping":
                await self._send({"type": "pong"})
            else:
                await self.send_error("validation_failed", "Already authenticated.")

    async def _check_session(self, token: str) -> None:
        # Logout or account deletion must end the socket too.
        try:
            await self._resolve(token, None)
            self._checked_at = time.monotonic()
        except ChatcoreError as exc:
            await self.fail(exc.code, "The session has ended.", CLOSE_POLICY)
            raise SocketClosed from exc

    async def first_frame_token(self) -> str:
        """The token of the first frame, which must be ``auth``; raises NotAuthenticated."""
        try:
            async with asyncio.timeout(AUTH_TIMEOUT_SECONDS):
                raw = await self._receive()
            frame = _decode_frame(raw)
        except (TimeoutError, msgspec.DecodeError):
            frame = None
        if frame is None or frame.type != "auth" or not frame.token:
            raise NotAuthenticated('Send {"type": "auth", "token": ...} first.')
        return frame.token

    async def _receive(self) -> str:
        """The next frame's text; raises SocketClosed when the client leaves or sends too much."""
        message = await self._socket.receive()
        if message["type"] == "websocket.disconnect":
            raise SocketClosed
        text, data = message.get("text"), message.get("bytes")
        raw = text if isinstance(text, str) else ""
        if isinstance(data, bytes):
            raw = data.decode(errors="replace")
        if len(raw) > MAX_FRAME_BYTES:
            await self.close(CLOSE_TOO_BIG, "frame too large")
            raise SocketClosed
        return raw

    async def send_error(self, code: str, detail: str) -> None:
        """An ``error`` frame."""
        await self._send({"type": "error", "code": code, "detail": detail})

    async def fail(self, code: str, detail: str, close_code: int) -> None:
        """An ``error`` frame, then close the socket."""
        try:
            await self.send_error(code, detail)
        except SocketClosed:
            return
        await self.close(close_code, code)

    async def close(self, code: int, reason: str) -> None:
        """Close the socket, if the client has not already."""
        with contextlib.suppress(Exception):  # already closed by the peer
            await self._socket.close(code=code, reason=reason)

    async def _send(self, frame: object) -> None:
        async with self._send_lock:
            try:
                await self._socket.send_text(_encode(frame).decode())
            except Exception as exc:  # the peer is gone mid-send
                raise SocketClosed from exc


@websocket("/v1/ws", tags=["notifications"])
async def notifications_socket(
    socket: WebSocket[Any, Any, Any],
    resolve_principal: NamedDependency[ResolvePrincipal],
    listen_for_events: NamedDependency[ListenForEvents],
    app_config: NamedDependency[Settings],
) -> None:
    connection = NotificationSocket(socket, resolve_principal, app_config.ws_heartbeat_seconds)

    async def refuse(code: str, detail: str) -> None:
        await connection.fail(code, detail, CLOSE_POLICY)

    admitted = await admit(
        socket, resolve_principal, app_config, connection.first_frame_token, refuse
    )
    if admitted is None:
        return
    token, principal = admitted
    await connection.serve(listen_for_events, token, principal)


ROUTES: list[ControllerRouterHandler] = [notifications_socket]

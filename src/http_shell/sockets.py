"""What both WebSocket routes share: the route itself, admission, JSON frames in
and out, the frame limit, close codes, and the session behind the socket.

Admission refuses a cookie-authenticated socket from a foreign origin (cross-site
WebSocket hijacking), accepts, and finds the principal from the cookie or a first
``{"type": "auth", "token"}`` frame — never from the URL, where logs keep it. A
later ``auth`` frame is for clients that cannot tell whether their cookie got
through and send the token anyway: the same principal's is taken silently.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol, TypeVar

import msgspec
from litestar import WebSocket, websocket
from litestar.handlers import WebsocketRouteHandler

from chatcore.errors import ChatcoreError, Forbidden, NotAuthenticated
from chatcore.identity.principal import Principal
from chatcore.identity.use_cases.sessions import ResolvePrincipal
from http_shell.credentials import check_same_origin, credential_of
from http_shell.dependencies import Cases
from http_shell.settings import Settings
from http_shell.use_cases import UseCases

CLOSE_POLICY, CLOSE_TOO_BIG, CLOSE_TRY_AGAIN = 1008, 1009, 1013
AUTH_TIMEOUT_SECONDS = 10.0


class SocketClosed(Exception):
    """The socket is over: the client left, or the server closed it."""


class ClientFrame(Protocol):
    """What every client frame type has: its ``type``, and the token of an ``auth`` frame."""

    @property
    def type(self) -> str: ...

    @property
    def token(self) -> str | None: ...


F = TypeVar("F", bound=ClientFrame)


class _AuthFrame(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The frame that authenticates a socket the cookie did not."""

    type: Literal["auth"]
    token: str | None = None


class _Undecodable(Exception):
    """A frame that does not decode as the socket's frame type; the message says why."""


def _decode_frame(raw: str, frame_type: type[F]) -> F:
    """The frame ``raw`` encodes; raises _Undecodable."""
    try:
        return msgspec.json.decode(raw, type=frame_type)
    except msgspec.DecodeError as exc:
        raise _Undecodable(str(exc)) from exc


class Socket:
    """An accepted WebSocket carrying JSON frames, for one principal's session."""

    def __init__(
        self, socket: WebSocket[Any, Any, Any], resolve: ResolvePrincipal, *, max_frame_bytes: int
    ) -> None:
        self._socket, self._resolve, self._max_frame_bytes = socket, resolve, max_frame_bytes
        self._send_lock = asyncio.Lock()

    async def admit(self, app_config: Settings) -> tuple[str, Principal] | None:
        """Accept the socket; its token and principal, or None once it was refused
        (an ``error`` frame, where the socket was accepted, says why)."""
        token, via_cookie = credential_of(self._socket)
        if via_cookie:
            try:
                check_same_origin(self._socket, app_config)
            except ChatcoreError:
                await self.close(CLOSE_POLICY, "origin not allowed")
                return None
        await self._socket.accept()
        try:
            if token is None:
                token = await self._first_frame_token()
            return token, await self._resolve(token, None)
        except SocketClosed:
            return None
        except ChatcoreError as exc:
            await self.fail(exc.code, exc.detail, CLOSE_POLICY)
            return None

    async def _first_frame_token(self) -> str:
        try:
            async with asyncio.timeout(AUTH_TIMEOUT_SECONDS):
                frame = _decode_frame(await self.receive(), _AuthFrame)
        except (TimeoutError, _Undecodable):
            frame = None
        if frame is None or not frame.token:
            raise NotAuthenticated('Send {"type": "auth", "token": ...} first.')
        return frame.token

    async def check_session(self, token: str) -> Principal:
        """The principal of the socket's session; once the session has ended (logout,
        account deleted) says so, closes the socket and raises SocketClosed."""
        try:
            return await self._resolve(token, None)
        except ChatcoreError as exc:
            await self.fail(exc.code, "The session has ended.", CLOSE_POLICY)
            raise SocketClosed from exc

    async def frame_of(self, raw: str, frame_type: type[F], principal: Principal) -> F | None:
        """The client's frame for the route to act on, or None once answered here: a
        frame that does not decode gets an ``error`` frame, an ``auth`` frame is checked
        against the socket's ``principal``."""
        try:
            frame = _decode_frame(raw, frame_type)
        except _Undecodable as exc:
            await self.send_error("validation_failed", str(exc))
            return None
        if frame.type != "auth":
            return frame
        try:
            if not frame.token:
                raise NotAuthenticated('An auth frame is {"type": "auth", "token": ...}.')
            if not _same_principal(await self._resolve(frame.token, None), principal):
                raise Forbidden("This socket is another principal's; open a new one to switch.")
        except ChatcoreError as exc:
            # The socket stays its first principal's: a wrong token changes nothing.
            await self.send_error(exc.code, exc.detail)
        return None

    async def receive(self) -> str:
        """The next frame's text; raises SocketClosed when the client leaves or sends a
        frame over the limit (counted in bytes, as UTF-8 for a text frame)."""
        message = await self._socket.receive()
        if message["type"] == "websocket.disconnect":
            raise SocketClosed
        text, data = message.get("text"), message.get("bytes")
        if isinstance(text, str):
            data = text.encode()
        elif not isinstance(data, bytes):
            data = b""
        if len(data) > self._max_frame_bytes:
            await self.close(CLOSE_TOO_BIG, "frame too large")
            raise SocketClosed
        return text if isinstance(text, str) else data.decode(errors="replace")

    async def send(self, frame: object) -> None:
        """Send ``frame`` as JSON; raises SocketClosed when the client is gone."""
        async with self._send_lock:
            try:
                await self._socket.send_text(msgspec.json.encode(frame).decode())
            except Exception as exc:  # the peer is gone mid-send
                raise SocketClosed from exc

    async def send_error(self, code: str, detail: str) -> None:
        """An ``error`` frame."""
        await self.send({"type": "error", "code": code, "detail": detail})

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


def _same_principal(one: Principal, other: Principal) -> bool:
    # Another session of the same user is still the same principal.
    return (one.tenant_id, one.id, one.kind) == (other.tenant_id, other.id, other.kind)


Serve = Callable[[Socket, str, Principal, UseCases], Awaitable[None]]


def socket_route(path: str, tag: str, max_frame_bytes: int, serve: Serve) -> WebsocketRouteHandler:
    """A WebSocket route that admits each socket, then hands it, with its token and
    principal, to ``serve``; frames over ``max_frame_bytes`` close the socket."""

    async def admit_then_serve(socket: WebSocket[Any, Any, Any], use_cases: Cases) -> None:
        connection = Socket(socket, use_cases.resolve_principal(), max_frame_bytes=max_frame_bytes)
        admitted = await connection.admit(use_cases.settings())
        if admitted is not None:
            await serve(connection, *admitted, use_cases)

    return websocket(path, tags=[tag])(admit_then_serve)

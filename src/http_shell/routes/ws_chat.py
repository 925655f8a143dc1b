"""``WS /v1/ws/chat``: chat over a WebSocket, with cancel.

Authentication is the session cookie (from an allowed origin only, against
cross-site WebSocket hijacking) or a first frame ``{"type": "auth", "token"}``;
never a token in the URL, where logs would keep it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Literal

import msgspec
from litestar import WebSocket, websocket
from litestar.di import NamedDependency
from litestar.types import ControllerRouterHandler

from chatcore.dialogs.model import DialogId
from chatcore.dialogs.service import ChatRequest, ChatService
from chatcore.errors import ChatcoreError, NotAuthenticated
from chatcore.identity.principal import Principal
from chatcore.identity.sessions import ResolvePrincipal
from chatcore.tenants.directory import TenantDirectory
from http_shell.settings import Settings
from http_shell.sockets import CLOSE_POLICY, SocketClosed, admit
from http_shell.streaming import StreamRelay

MAX_FRAME_BYTES = 64 * 1024
AUTH_TIMEOUT_SECONDS = 10.0
RECHECK_SECONDS = 30.0
FRAMES_PER_WINDOW, WINDOW_SECONDS = 20, 10.0

CLOSE_TOO_BIG = 1009


class Frame(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A client frame."""

    type: Literal["auth", "message", "cancel"]
    token: str | None = None
    message: str | None = None
    dialog_id: uuid.UUID | None = None
    use_documents: bool = True


_decode_frame = msgspec.json.Decoder(Frame).decode
_encode = msgspec.json.Encoder().encode


class ChatSocket:
    """One connection: reads frames, runs at most one reply at a time, writes events."""

    def __init__(
        self,
        socket: WebSocket[Any, Any, Any],
        resolve: ResolvePrincipal,
        directory: TenantDirectory,
        service: ChatService,
    ) -> None:
        self._socket, self._resolve, self._directory = socket, resolve, directory
        self._service = service
        self._relay: StreamRelay | None = None
        self._pump: asyncio.Task[None] | None = None
        self._frames: list[float] = []
        self._send_lock = asyncio.Lock()

    async def serve(self, token: str, principal: Principal) -> None:
        """Handle frames until the client leaves or the session ends."""
        try:
            while True:
                raw = await self._receive(wait=RECHECK_SECONDS)
                # Re-check the session on every frame and when idle: logout or
                # deletion must end the socket too.
                principal = await self._reauthenticate(token)
                if raw is not None:
                    await self._handle(raw, principal)
        except SocketClosed:
            pass
        finally:
            if self._relay is not None:
                self._relay.stop()
            if self._pump is not None:
                self._pump.cancel()

    async def _handle(self, raw: str, principal: Principal) -> None:
        if not self._within_rate():
            await self.send_error("rate_limited", "Too many frames; slow down.")
            return
        try:
            frame = _decode_frame(raw)
        except msgspec.DecodeError as exc:
            await self.send_error("validation_failed", str(exc))
            return
        if frame.type == "cancel":
            if self._relay is not None:
                self._relay.cancel()
        elif frame.type == "message":
            await self._start(frame, principal)
        else:
            await self.send_error("validation_failed", "Already authenticated.")

    async def _start(self, frame: Frame, principal: Principal) -> None:
        if self._pump is not None and not self._pump.done():
            await self.send_error("busy", "A reply is in progress; cancel it or wait.")
            return
        if not frame.message:
            await self.send_error("validation_failed", "message: must not be empty")
            return
        try:
            tenant = await self._directory(str(principal.tenant_id))
            stream = await self._service.start(
                principal,
                tenant,
                ChatRequest(
                    message=frame.message,
                    dialog_id=DialogId(frame.dialog_id) if frame.dialog_id else None,
                    use_documents=frame.use_documents,
                ),
            )
        except ChatcoreError as exc:
            await self.send_error(exc.code, exc.detail)
            return
        self._relay = StreamRelay(stream)
        self._pump = asyncio.create_task(self._forward(self._relay))

    async def _forward(self, relay: StreamRelay) -> None:
        try:
            async for batch in relay.batches():
                for event in batch or ():  # None, a silence, needs no frame here
                    await self._send(_encode(event).decode())
        except SocketClosed:
            relay.stop()

    async def _reauthenticate(self, token: str) -> Principal:
        try:
            return await self._resolve(token, None)
        except ChatcoreError as exc:
            await self.send_error(exc.code, "The session has ended.")
            await self._socket.close(code=CLOSE_POLICY, reason="session ended")
            raise SocketClosed from exc

    async def _receive(self, wait: float) -> str | None:
        try:
            async with asyncio.timeout(wait):
                message = await self._socket.receive()
        except TimeoutError:
            return None
        if message["type"] == "websocket.disconnect":
            raise SocketClosed
        text = message.get("text")
        raw = message.get("bytes")
        if isinstance(text, str):
            data = text
        elif isinstance(raw, bytes):
            data = raw.decode(errors="replace")
        else:
            data = ""
        if len(data.encode()) > MAX_FRAME_BYTES:
            await self._socket.close(code=CLOSE_TOO_BIG, reason="frame too large")
            raise SocketClosed
        return data

    def _within_rate(self) -> bool:
        now = time.monotonic()
        self._frames = [t for t in self._frames if now - t < WINDOW_SECONDS]
        self._frames.append(now)
        return len(self._frames) <= FRAMES_PER_WINDOW

    async def send_error(self, code: str, detail: str) -> None:
        """An ``error`` frame."""
        await self._send(_encode({"type": "error", "code": code, "detail": detail}).decode())

    async def _send(self, text: str) -> None:
        async with self._send_lock:
            try:
                await self._socket.send_text(text)
            except Exception as exc:  # the peer is gone mid-send
                raise SocketClosed from exc

    async def first_frame_token(self) -> str:
        """The token of the first frame, which must be ``auth``; raises NotAuthenticated."""
        raw = await self._receive(wait=AUTH_TIMEOUT_SECONDS)
        try:
            frame = _decode_frame(raw) if raw is not None else None
        except msgspec.DecodeError:
            frame = None
        if frame is None or frame.type != "auth" or not frame.token:
            raise NotAuthenticated('Send {"type": "auth", "token": ...} first.')
        return frame.token


@websocket("/v1/ws/chat", tags=["chat"])
async def chat_socket(
    socket: WebSocket[Any, Any, Any],
    resolve_principal: NamedDependency[ResolvePrincipal],
    tenant_directory: NamedDependency[TenantDirectory],
    chat_service: NamedDependency[ChatService],
    app_config: NamedDependency[Settings],
) -> None:
    connection = ChatSocket(socket, resolve_principal, tenant_directory, chat_service)

    async def refuse(code: str, detail: str) -> None:
        await connection.send_error(code, detail)
        await socket.close(code=CLOSE_POLICY, reason=code)

    admitted = await admit(
        socket, resolve_principal, app_config, connection.first_frame_token, refuse
    )
    if admitted is None:
        return
    token, principal = admitted
    await connection.serve(token, principal)


ROUTES: list[ControllerRouterHandler] = [chat_socket]

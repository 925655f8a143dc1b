"""``WS /v1/ws/chat``: chat over a WebSocket, with cancel.

Authentication is the session cookie (from an allowed origin only, against
cross-site WebSocket hijacking) or a first frame ``{"type": "auth", "token"}``;
never a token in the URL, where logs would keep it. Admission, frames and their
limit (64 KiB, in bytes) are ``http_shell.sockets``'s, shared with ``WS /v1/ws``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Literal

import msgspec
from litestar.types import ControllerRouterHandler

from chatcore.dialogs.use_cases.chat import ChatRequest, ChatService
from chatcore.errors import ChatcoreError
from chatcore.identity.principal import Principal
from chatcore.kernel import DialogId
from chatcore.tenants.use_cases import TenantDirectory
from http_shell.sockets import Socket, SocketClosed, socket_route
from http_shell.streaming import StreamRelay
from http_shell.use_cases import UseCases

MAX_FRAME_BYTES = 64 * 1024
RECHECK_SECONDS = 30.0
FRAMES_PER_WINDOW, WINDOW_SECONDS = 20, 10.0


class Frame(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A client frame."""

    type: Literal["auth", "message", "cancel"]
    token: str | None = None
    message: str | None = None
    dialog_id: uuid.UUID | None = None
    use_documents: bool = True


class ChatSocket:
    """One connection: reads frames, runs at most one reply at a time, writes events."""

    def __init__(self, socket: Socket, directory: TenantDirectory, service: ChatService) -> None:
        self._socket, self._directory, self._service = socket, directory, service
        self._relay: StreamRelay | None = None
        self._pump: asyncio.Task[None] | None = None
        self._frames: list[float] = []

    async def serve(self, token: str) -> None:
        """Handle frames until the client leaves or the session ends."""
        try:
            while True:
                raw = await self._receive()
                # Re-check the session on every frame and when idle: logout or
                # deletion must end the socket too.
                principal = await self._socket.check_session(token)
                if raw is not None:
                    await self._handle(raw, principal)
        except SocketClosed:
            pass
        finally:
            if self._relay is not None:
                self._relay.stop()
            if self._pump is not None:
                self._pump.cancel()

    async def _receive(self) -> str | None:
        """The next frame's text, or None after a while of silence."""
        try:
            async with asyncio.timeout(RECHECK_SECONDS):
                return await self._socket.receive()
        except TimeoutError:
            return None

    async def _handle(self, raw: str, principal: Principal) -> None:
        if not self._within_rate():
            await self._socket.send_error("rate_limited", "Too many frames; slow down.")
            return
        frame = await self._socket.frame_of(raw, Frame, principal)
        if frame is None:
            return
        if frame.type == "cancel":
            if self._relay is not None:
                self._relay.cancel()
        else:
            await self._start(frame, principal)

    async def _start(self, frame: Frame, principal: Principal) -> None:
        if self._pump is not None and not self._pump.done():
            await self._socket.send_error("busy", "A reply is in progress; cancel it or wait.")
            return
        if not frame.message:
            await self._socket.send_error("validation_failed", "message: must not be empty")
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
            await self._socket.send_error(exc.code, exc.detail)
            return
        self._relay = StreamRelay(stream)
        self._pump = asyncio.create_task(self._forward(self._relay))

    async def _forward(self, relay: StreamRelay) -> None:
        try:
            async for batch in relay.batches():
                for event in batch or ():  # None, a silence, needs no frame here
                    await self._socket.send(event)
        except SocketClosed:
            relay.stop()

    def _within_rate(self) -> bool:
        now = time.monotonic()
        self._frames = [t for t in self._frames if now - t < WINDOW_SECONDS]
        self._frames.append(now)
        return len(self._frames) <= FRAMES_PER_WINDOW


async def serve_chat(
    socket: Socket, token: str, _principal: Principal, use_cases: UseCases
) -> None:
    """Chat over an admitted socket."""
    await ChatSocket(socket, use_cases.tenant_directory(), use_cases.chat_service()).serve(token)


ROUTES: list[ControllerRouterHandler] = [
    socket_route("/v1/ws/chat", "chat", MAX_FRAME_BYTES, serve_chat)
]

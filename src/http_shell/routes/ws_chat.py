"""``WS /v1/ws/chat``: chat over a WebSocket, with resume and cancel.

Authentication is the session cookie (from an allowed origin only, against
cross-site WebSocket hijacking) or a first frame ``{"type": "auth", "token"}``;
never a token in the URL, where logs would keep it. Admission, frames and their
limit (64 KiB, in bytes) are ``http_shell.sockets``'s, shared with ``WS /v1/ws``.

A socket follows one reply at a time, started by a ``message`` frame or picked up
by a ``resume`` frame; ``cancel`` stops it (as ``POST /v1/chat/{id}/stop`` does),
and a socket that closes only stops listening.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Coroutine
from typing import Annotated, Literal, TypeVar

import msgspec
from litestar.types import ControllerRouterHandler

from chatcore.dialogs.model import MessageId
from chatcore.dialogs.stream import ChatStream
from chatcore.dialogs.use_cases.chat import ChatRequest
from chatcore.errors import ChatcoreError, InvalidInput
from chatcore.identity.principal import Principal
from chatcore.kernel import DialogId
from http_shell.routes.chat import MAX_OFFSET
from http_shell.sockets import Socket, SocketClosed, socket_route
from http_shell.use_cases import UseCases

MAX_FRAME_BYTES = 64 * 1024
RECHECK_SECONDS = 30.0
FRAMES_PER_WINDOW, WINDOW_SECONDS = 20, 10.0
T = TypeVar("T")


class Frame(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A client frame."""

    type: Literal["auth", "message", "cancel", "resume"]
    token: str | None = None
    message: str | None = None
    dialog_id: uuid.UUID | None = None
    use_documents: bool = True
    message_id: uuid.UUID | None = None
    offset: Annotated[int, msgspec.Meta(ge=0, le=MAX_OFFSET)] = 0


class ChatSocket:
    """One connection: reads frames, follows at most one reply at a time, writes events."""

    def __init__(self, socket: Socket, use_cases: UseCases) -> None:
        self._socket, self._use_cases = socket, use_cases
        self._stream: ChatStream | None = None
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
            if self._pump is not None:
                self._pump.cancel()
            if self._stream is not None:
                await self._stream.aclose()

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
            if self._following():
                assert self._stream is not None
                await self._answer(
                    self._use_cases.stop_reply()(principal, self._stream.meta.assistant_message_id)
                )
            return
        if self._following():
            await self._socket.send_error("busy", "A reply is in progress; cancel it or wait.")
            return
        self._follow(await self._answer(self._open(frame, principal)))

    async def _open(self, frame: Frame, principal: Principal) -> ChatStream:
        if frame.type == "resume":
            if frame.message_id is None:
                raise InvalidInput("message_id", "required to resume")
            return await self._use_cases.resume_reply()(
                principal, MessageId(frame.message_id), frame.offset
            )
        if not frame.message:
            raise InvalidInput("message", "must not be empty")
        tenant = await self._use_cases.tenant_directory()(str(principal.tenant_id))
        return await self._use_cases.chat_service().start(
            principal,
            tenant,
            ChatRequest(
                message=frame.message,
                dialog_id=DialogId(frame.dialog_id) if frame.dialog_id else None,
                use_documents=frame.use_documents,
            ),
        )

    async def _answer(self, work: Coroutine[None, None, T]) -> T | None:
        """What ``work`` returns, or None once its error is sent as an ``error`` frame."""
        try:
            return await work
        except ChatcoreError as exc:
            await self._socket.send_error(exc.code, exc.detail)
            return None

    def _following(self) -> bool:
        return self._pump is not None and not self._pump.done()

    def _follow(self, stream: ChatStream | None) -> None:
        if stream is not None:
            self._stream = stream
            self._pump = asyncio.create_task(self._forward(stream))

    async def _forward(self, stream: ChatStream) -> None:
        try:
            async for event in stream:
                await self._socket.send(event)
        except SocketClosed:
            pass
        finally:
            await stream.aclose()

    def _within_rate(self) -> bool:
        now = time.monotonic()
        self._frames = [t for t in self._frames if now - t < WINDOW_SECONDS]
        self._frames.append(now)
        return len(self._frames) <= FRAMES_PER_WINDOW


async def serve_chat(
    socket: Socket, token: str, _principal: Principal, use_cases: UseCases
) -> None:
    """Chat over an admitted socket."""
    await ChatSocket(socket, use_cases).serve(token)


ROUTES: list[ControllerRouterHandler] = [
    socket_route("/v1/ws/chat", "chat", MAX_FRAME_BYTES, serve_chat)
]

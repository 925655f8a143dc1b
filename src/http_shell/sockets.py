"""What every WebSocket route does before its own protocol starts: refuse a
cookie-authenticated socket from a foreign origin (cross-site WebSocket
hijacking), accept, and find the principal from the cookie or a first
``{"type": "auth", "token"}`` frame — never from the URL, where logs keep it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import WebSocket

from chatcore.errors import ChatcoreError
from chatcore.identity.principal import Principal
from chatcore.identity.sessions import ResolvePrincipal
from http_shell.credentials import check_same_origin, credential_of
from http_shell.settings import Settings

CLOSE_POLICY = 1008


class SocketClosed(Exception):
    """The socket is over: the client left, or the server closed it."""


async def admit(
    socket: WebSocket[Any, Any, Any],
    resolve: ResolvePrincipal,
    app_config: Settings,
    first_frame_token: Callable[[], Awaitable[str]],
    refuse: Callable[[str, str], Awaitable[None]],
) -> tuple[str, Principal] | None:
    """The token and principal of a newly accepted socket, or None once it was refused
    (``refuse(code, detail)`` tells the client why and closes)."""
    token, via_cookie = credential_of(socket)
    if via_cookie:
        try:
            check_same_origin(socket, app_config)
        except ChatcoreError:
            await socket.close(code=CLOSE_POLICY, reason="origin not allowed")
            return None
    await socket.accept()
    try:
        if token is None:
            token = await first_frame_token()
        return token, await resolve(token, None)
    except SocketClosed:
        return None
    except ChatcoreError as exc:
        await refuse(exc.code, exc.detail)
        return None

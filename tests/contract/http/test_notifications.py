"""``WS /v1/ws``: authentication, delivery to every tab of the user and no one else,
heartbeats, and the end of the socket with the session. Served by uvicorn in the
test's loop, on SQLite (so on the in-process event bus)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from websockets.exceptions import ConnectionClosed, InvalidStatus

from adapters.security.argon2 import Argon2PasswordHasher
from http_shell.app import create_app
from http_shell.container import build_container
from tests.support.app import app_settings
from tests.support.images import image_bytes
from tests.support.live_server import LiveServer
from tests.support.notifications import next_frame, notifications
from tests.support.signing_in import bearer, sign_in_by_code
from tests.support.smtp_server import CapturingSmtpServer

Live = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def live(sqlite_url: str, tmp_path: Path, smtp: CapturingSmtpServer) -> Live:
    """Open an HTTP client on the app served for real, with these setting overrides."""

    @asynccontextmanager
    async def open_live(**overrides: str) -> AsyncIterator[httpx.AsyncClient]:
        settings = app_settings(
            sqlite_url, tmp_path, smtp_host=smtp.host, smtp_port=str(smtp.port),
            smtp_starttls="false", **overrides,
        )  # fmt: skip
        container = build_container(settings)
        container.adapters.password_hasher.override(
            providers.Singleton(Argon2PasswordHasher, time_cost=1, memory_cost=8, parallelism=1)
        )
        async with LiveServer(create_app(settings, container), container) as server:
            yield server.client

    return open_live


async def token_of(client: httpx.AsyncClient, smtp: CapturingSmtpServer, email: str) -> str:
    token: str = (await sign_in_by_code(client, smtp, email))["access_token"]  # type: ignore[arg-type]
    client.cookies.clear()  # keep each user's session apart from the next sign-in
    return token


async def set_avatar(client: httpx.AsyncClient, token: str) -> str:
    response = await client.post(
        "/v1/profile/avatar",
        files={"file": ("me.png", image_bytes("PNG", (64, 64)), "image/png")},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    url: str = response.json()["avatar_url"]
    return url


async def closed_with(socket: Any) -> int | None:
    """The close code the server sent, once the socket ends."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await next_frame(socket, heartbeats=True)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_every_tab_of_the_user_gets_avatar_changed_and_nobody_else_does(
    live: Live, smtp: CapturingSmtpServer
) -> None:
    async with live() as client:
        ada = await token_of(client, smtp, "ada@example.com")
        bob = await token_of(client, smtp, "bob@example.com")
        base = str(client.base_url)
        async with (
            notifications(base, ada) as tab,
            notifications(base, ada) as other_tab,
            notifications(base, bob) as bobs_tab,
        ):
            url = await set_avatar(client, ada)
            assert await next_frame(tab) == {"type": "avatar_changed", "avatar_url": url}
            assert await next_frame(other_tab) == {"type": "avatar_changed", "avatar_url": url}
            # Bob's first event is his own: Ada's never reached him.
            bobs_url = await set_avatar(client, bob)
            assert await next_frame(bobs_tab) == {"type": "avatar_changed", "avatar_url": bobs_url}
            removed = await client.delete("/v1/profile/avatar", headers=bearer(ada))
            assert removed.status_code == 204
            assert await next_frame(tab) == {"type": "avatar_changed", "avatar_url": None}


async def test_idle_sockets_get_heartbeats_and_pings_get_pongs(
    live: Live, smtp: CapturingSmtpServer
) -> None:
    async with live(ws_heartbeat_seconds="0.2") as client:
        token = await token_of(client, smtp, "ada@example.com")
        async with notifications(str(client.base_url), token) as socket:
            assert await next_frame(socket, heartbeats=True) == {"type": "heartbeat"}
            await socket.send(json.dumps({"type": "ping"}))
            frame = await next_frame(socket)
            assert frame == {"type": "pong"}
            await socket.send("not json")
            assert (await next_frame(socket))["code"] == "validation_failed"


async def test_a_deeply_nested_frame_is_an_error_frame(
    live: Live, smtp: CapturingSmtpServer
) -> None:
    deep = "[" * 1_000 + "]" * 1_000  # past msgspec's recursion limit, within 4 KiB
    async with live() as client:
        token = await token_of(client, smtp, "ada@example.com")
        async with notifications(str(client.base_url), token) as socket:
            for frame in (deep, f'{{"type": "ping", "token": {deep}}}'):
                await socket.send(frame)
                assert (await next_frame(socket))["code"] == "validation_failed"
            await socket.send(json.dumps({"type": "ping"}))
            assert await next_frame(socket) == {"type": "pong"}


async def test_the_socket_ends_with_the_session(live: Live, smtp: CapturingSmtpServer) -> None:
    async with live(ws_heartbeat_seconds="0.2") as client:
        token = await token_of(client, smtp, "ada@example.com")
        async with notifications(str(client.base_url), token) as socket:
            assert (await client.post("/v1/auth/logout", headers=bearer(token))).status_code == 204
            assert await next_frame(socket) == {
                "type": "error",
                "code": "not_authenticated",
                "detail": "The session has ended.",
            }
            assert await closed_with(socket) == 1008


async def test_a_socket_without_a_valid_first_frame_is_closed(live: Live) -> None:
    async with live() as client:
        base = str(client.base_url)
        for first in ({"type": "ping"}, {"type": "auth", "token": "forged"}, "garbage"):
            async with notifications(base) as socket:
                await socket.send(first if isinstance(first, str) else json.dumps(first))
                frame = await next_frame(socket)
                assert (frame["type"], frame["code"]) == ("error", "not_authenticated")
                assert await closed_with(socket) == 1008


async def test_the_cookie_authenticates_from_an_allowed_origin_only(
    live: Live, smtp: CapturingSmtpServer
) -> None:
    async with live(allow_origins="https://app.example.com") as client:
        token = await token_of(client, smtp, "ada@example.com")
        base = str(client.base_url)
        cookie = {"Cookie": f"chatcore_session={token}"}
        async with notifications(
            base, additional_headers=cookie, origin="https://app.example.com"
        ) as socket:
            assert await next_frame(socket) == {"type": "ready"}
            url = await set_avatar(client, token)
            assert await next_frame(socket) == {"type": "avatar_changed", "avatar_url": url}
        with pytest.raises(InvalidStatus) as refused:
            async with notifications(
                base, additional_headers=cookie, origin="https://evil.example"
            ):
                pass
        assert refused.value.response.status_code == 403


async def test_a_cookie_socket_takes_an_auth_frame_of_its_own_principal_silently(
    live: Live, smtp: CapturingSmtpServer
) -> None:
    async with live(otp_resend_seconds="0") as client:
        token = await token_of(client, smtp, "ada@example.com")
        another_session = await token_of(client, smtp, "ada@example.com")
        cookie = {"Cookie": f"chatcore_session={token}"}
        async with notifications(str(client.base_url), additional_headers=cookie) as socket:
            assert await next_frame(socket) == {"type": "ready"}
            # A page that cannot tell whether its cookie got through sends the token too.
            for same_user in (token, another_session):
                await socket.send(json.dumps({"type": "auth", "token": same_user}))
            await socket.send(json.dumps({"type": "ping"}))
            assert await next_frame(socket) == {"type": "pong"}


async def test_an_auth_frame_of_another_principal_is_an_error_and_the_socket_stays_the_firsts(
    live: Live, smtp: CapturingSmtpServer
) -> None:
    async with live() as client:
        ada = await token_of(client, smtp, "ada@example.com")
        bob = await token_of(client, smtp, "bob@example.com")
        cookie = {"Cookie": f"chatcore_session={ada}"}
        async with notifications(str(client.base_url), additional_headers=cookie) as socket:
            assert await next_frame(socket) == {"type": "ready"}
            await socket.send(json.dumps({"type": "auth", "token": bob}))
            frame = await next_frame(socket)
            assert (frame["type"], frame["code"]) == ("error", "forbidden")
            await set_avatar(client, bob)
            url = await set_avatar(client, ada)
            assert await next_frame(socket) == {"type": "avatar_changed", "avatar_url": url}


async def test_the_frame_limit_counts_bytes_not_characters(
    live: Live, smtp: CapturingSmtpServer
) -> None:
    async with live() as client:
        token = await token_of(client, smtp, "ada@example.com")
        async with notifications(str(client.base_url), token) as socket:
            # Under 4096 characters, over 4096 bytes once encoded as UTF-8.
            await socket.send(json.dumps({"type": "ping", "token": "é" * 2100}, ensure_ascii=False))
            assert await closed_with(socket) == 1009

"""An app per test on a fresh database, driven in-process through its ASGI interface."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.security.argon2 import Argon2PasswordHasher
from http_shell.container import build_container
from tests.support.app import app_on, app_settings
from tests.support.live_server import LiveServer
from tests.support.openai_stub import OpenAIStub
from tests.support.smtp_server import CapturingSmtpServer

ClientFactory = Callable[..., AbstractAsyncContextManager[AsyncTestClient[Litestar]]]
ServerFactory = Callable[..., AbstractAsyncContextManager[LiveServer]]


@pytest.fixture
def make_client(sqlite_url: str, tmp_path: Path) -> ClientFactory:
    """Open a client on an app with these setting overrides (default: a fresh SQLite);
    ``clock=``, ``password_hasher=`` and ``tracer_provider=`` replace the app's."""

    @asynccontextmanager
    async def open_client(**overrides: Any) -> AsyncIterator[AsyncTestClient[Litestar]]:
        database_url = overrides.pop("database_url", sqlite_url)
        clock = overrides.pop("clock", None)
        hasher = overrides.pop("password_hasher", None)
        tracer_provider = overrides.pop("tracer_provider", None)
        settings = app_settings(database_url, tmp_path, **overrides)
        container = build_container(settings)
        if clock is not None:
            container.adapters.clock.override(providers.Object(clock))
        if tracer_provider is not None:
            container.adapters.tracer_provider.override(providers.Object(tracer_provider))
        # Real argon2id, with the smallest cost it allows: tests check behaviour, not cost.
        container.adapters.password_hasher.override(
            providers.Singleton(Argon2PasswordHasher, time_cost=1, memory_cost=8, parallelism=1)
            if hasher is None
            else providers.Object(hasher)
        )
        app = app_on(settings, container)
        async with AsyncTestClient(app, base_url="http://testserver.local") as client:
            yield client

    return open_client


@pytest_asyncio.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client on an app with the test defaults."""
    async with make_client() as opened:
        yield opened


@pytest.fixture
def make_server(sqlite_url: str, tmp_path: Path) -> ServerFactory:
    """Serve an app with these setting overrides over real HTTP and WebSocket on
    loopback, for tests that stream, interleave or hang up (``live.client`` talks to it);
    ``password_hasher=`` and ``tracer_provider=`` replace the app's."""

    @asynccontextmanager
    async def open_server(**overrides: Any) -> AsyncIterator[LiveServer]:
        database_url = overrides.pop("database_url", sqlite_url)
        hasher = overrides.pop("password_hasher", None)
        tracer_provider = overrides.pop("tracer_provider", None)
        settings = app_settings(database_url, tmp_path, **overrides)
        container = build_container(settings)
        if hasher is not None:
            container.adapters.password_hasher.override(providers.Object(hasher))
        if tracer_provider is not None:
            container.adapters.tracer_provider.override(providers.Object(tracer_provider))
        async with LiveServer(app_on(settings, container), container) as live:
            yield live

    return open_server


@pytest_asyncio.fixture
async def openai_stub() -> AsyncIterator[OpenAIStub]:
    """An OpenAI-compatible server on loopback, for apps with ``llm_provider="openai"``."""
    async with OpenAIStub() as stub:
        yield stub


@pytest.fixture
def smtp() -> Iterator[CapturingSmtpServer]:
    """A capturing SMTP server on loopback for one test."""
    with CapturingSmtpServer() as server:
        yield server


@pytest.fixture
def make_mail_client(make_client: ClientFactory, smtp: CapturingSmtpServer) -> ClientFactory:
    """Like ``make_client``, on an app that mails through ``smtp``."""

    def open_client(**overrides: Any) -> AbstractAsyncContextManager[AsyncTestClient[Litestar]]:
        return make_client(
            smtp_host=smtp.host, smtp_port=str(smtp.port), smtp_starttls="false", **overrides
        )

    return open_client


@pytest.fixture
def make_mail_server(make_server: ServerFactory, smtp: CapturingSmtpServer) -> ServerFactory:
    """Like ``make_server``, on an app that mails through ``smtp``."""

    def open_server(**overrides: Any) -> AbstractAsyncContextManager[LiveServer]:
        return make_server(
            smtp_host=smtp.host, smtp_port=str(smtp.port), smtp_starttls="false", **overrides
        )

    return open_server


@pytest_asyncio.fixture
async def mail_client(make_mail_client: ClientFactory) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client on an app with the test defaults that mails through ``smtp``."""
    async with make_mail_client() as opened:
        yield opened

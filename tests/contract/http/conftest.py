"""An app per test on a fresh database, driven in-process through its ASGI interface."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.security.argon2 import Argon2PasswordHasher
from http_shell.app import create_app
from http_shell.container import build_container
from tests.support.app import test_settings

ClientFactory = Callable[..., AbstractAsyncContextManager[AsyncTestClient[Litestar]]]


@pytest.fixture
def make_client(sqlite_url: str, tmp_path: Path) -> ClientFactory:
    """Open a client on an app with these setting overrides (default: a fresh SQLite)."""

    @asynccontextmanager
    async def open_client(**overrides: Any) -> AsyncIterator[AsyncTestClient[Litestar]]:
        database_url = overrides.pop("database_url", sqlite_url)
        settings = test_settings(database_url, tmp_path, **overrides)
        container = build_container(settings)
        # Real argon2id, with the smallest cost it allows: tests check behaviour, not cost.
        container.password_hasher.override(
            providers.Singleton(Argon2PasswordHasher, time_cost=1, memory_cost=8, parallelism=1)
        )
        app = create_app(settings, container)
        async with AsyncTestClient(app, base_url="http://testserver.local") as client:
            yield client

    return open_client


@pytest_asyncio.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client on an app with the test defaults."""
    async with make_client() as opened:
        yield opened

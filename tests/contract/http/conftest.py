"""An app per test on a fresh database, driven in-process through its ASGI interface."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from litestar import Litestar
from litestar.testing import AsyncTestClient

from http_shell.app import create_app
from tests.support.app import test_settings

ClientFactory = Callable[..., AbstractAsyncContextManager[AsyncTestClient[Litestar]]]


@pytest.fixture
def make_client(sqlite_url: str, tmp_path: Path) -> ClientFactory:
    """Open a client on an app with these setting overrides (default: a fresh SQLite)."""

    @asynccontextmanager
    async def open_client(**overrides: Any) -> AsyncIterator[AsyncTestClient[Litestar]]:
        database_url = overrides.pop("database_url", sqlite_url)
        settings = test_settings(database_url, tmp_path, **overrides)
        app = create_app(settings)
        async with AsyncTestClient(app, base_url="http://testserver.local") as client:
            yield client

    return open_client


@pytest_asyncio.fixture
async def client(make_client: ClientFactory) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client on an app with the test defaults."""
    async with make_client() as opened:
        yield opened

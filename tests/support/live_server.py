"""The app served by a real uvicorn on loopback, in the test's own event loop.

Litestar's test client runs the app in another thread and blocks the caller until
a response is complete, so it cannot interleave requests, read a stream as it comes
or hang up halfway. A real server can do all three, and shares the test's loop, so
the test can look at the app's tasks and pools directly.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

import httpx
import uvicorn
from litestar import Litestar

from http_shell.container import Container


class LiveServer:
    """``async with LiveServer(app, container) as live:`` serves ``app`` at ``live.url``."""

    def __init__(self, app: Litestar, container: Container) -> None:
        self.app, self.container = app, container
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            lifespan="on",
            log_level="warning",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None
        self.url = ""
        self.client = httpx.AsyncClient()

    @property
    def ws_url(self) -> str:
        """The server's URL with the ``ws`` scheme."""
        return "ws" + self.url.removeprefix("http")

    async def __aenter__(self) -> LiveServer:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():  # failed to start: show why
                self._task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.client = httpx.AsyncClient(base_url=self.url, timeout=30, trust_env=False)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.client.aclose()
        self._server.should_exit = True
        if self._task is not None:
            await self._task

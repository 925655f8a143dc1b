"""Two real ``chatcore serve`` processes on one Postgres: an avatar uploaded through
one reaches a WebSocket held by the other (the Postgres LISTEN/NOTIFY bus)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.app import ADMIN_TOKEN, SECRET_KEY
from tests.support.images import image_bytes, opened
from tests.support.notifications import next_frame, notifications
from tests.support.signing_in import bearer, sign_in_by_code
from tests.support.smtp_server import CapturingSmtpServer

START_SECONDS = 60.0  # generous: a cold interpreter importing everything, never a bound


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server_process(name: str, environ: dict[str, str], workdir: Path) -> Iterator[str]:
    """``chatcore serve`` in a subprocess for the block (killed however it ends)."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("chatcore")), "serve", "--host", "127.0.0.1",
               "--port", str(port), "--no-migrate"]  # fmt: skip
    log = (workdir / f"{name}.log").open("wb")
    process = subprocess.Popen(  # the working folder has no .env to read
        command, env=environ, cwd=workdir, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@asynccontextmanager
async def client_of(base_url: str, log: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a server that is up (its /health answers)."""
    async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=30) as client:
        try:
            async with asyncio.timeout(START_SECONDS):
                while True:
                    try:
                        if (await client.get("/health")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.2)
        except TimeoutError:
            output = await asyncio.to_thread(log.read_text)
            raise AssertionError(f"{base_url} did not start:\n{output}") from None
        yield client


async def test_an_event_caused_in_one_process_reaches_a_socket_of_another_over_postgres(
    postgres_url: str,
    postgres_engine: AsyncEngine,  # a migrated database, emptied afterwards
    smtp: CapturingSmtpServer,
    tmp_path: Path,
) -> None:
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CHATCORE_")},
        "CHATCORE_DATABASE_URL": postgres_url,
        "CHATCORE_AUTO_MIGRATE": "false",  # migrated once, by the fixture
        "CHATCORE_SECRET_KEY": SECRET_KEY,
        "CHATCORE_ADMIN_TOKEN": ADMIN_TOKEN,
        "CHATCORE_DATA_DIR": str(tmp_path / "data"),
        "CHATCORE_STORAGE_DIR": str(tmp_path / "files"),  # shared, as a volume would be
        "CHATCORE_SMTP_HOST": smtp.host,
        "CHATCORE_SMTP_PORT": str(smtp.port),
        "CHATCORE_SMTP_STARTTLS": "false",
    }
    with (
        server_process("a", environ, tmp_path) as url_a,
        server_process("b", environ, tmp_path) as url_b,
    ):
        async with (
            client_of(url_a, tmp_path / "a.log") as a,
            client_of(url_b, tmp_path / "b.log") as b,
        ):
            token = (await sign_in_by_code(b, smtp, "ada@example.com"))["access_token"]
            async with notifications(url_a, token) as socket_on_a:
                uploaded = await b.post(
                    "/v1/profile/avatar",
                    files={"file": ("me.webp", image_bytes("WEBP", (800, 600)), "image/webp")},
                    headers=bearer(token),
                )
                assert uploaded.status_code == 200, uploaded.text
                avatar_url = uploaded.json()["avatar_url"]
                assert await next_frame(socket_on_a) == {
                    "type": "avatar_changed", "avatar_url": avatar_url}  # fmt: skip
            served = await a.get(urlsplit(avatar_url).path)
            assert served.status_code == 200
            assert opened(served.content).size == (512, 384)

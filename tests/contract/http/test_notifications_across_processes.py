"""Two real ``chatcore serve`` processes on one Postgres: an avatar uploaded through
one reaches a WebSocket held by the other (the Postgres LISTEN/NOTIFY bus)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.app import ADMIN_TOKEN, SECRET_KEY
from tests.support.images import image_bytes, opened
from tests.support.notifications import next_frame, notifications
from tests.support.server_process import serving, wait_until_all_up
from tests.support.signing_in import bearer, sign_in_by_code
from tests.support.smtp_server import CapturingSmtpServer


async def test_an_event_caused_in_one_process_reaches_a_socket_of_another_over_postgres(
    postgres_url: str,
    postgres_engine: AsyncEngine,  # a migrated database, emptied afterwards
    smtp: CapturingSmtpServer,
    tmp_path: Path,
) -> None:
    settings = {
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
        serving(tmp_path / "a", settings, "--no-migrate") as server_a,
        serving(tmp_path / "b", settings, "--no-migrate") as server_b,
    ):
        await wait_until_all_up(server_a, server_b)
        async with (
            httpx.AsyncClient(base_url=server_a.url, trust_env=False, timeout=30) as a,
            httpx.AsyncClient(base_url=server_b.url, trust_env=False, timeout=30) as b,
        ):
            token = (await sign_in_by_code(b, smtp, "ada@example.com"))["access_token"]
            async with notifications(server_a.url, token) as socket_on_a:
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

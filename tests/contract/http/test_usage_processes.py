"""Two real ``chatcore serve`` processes on one Postgres: the rate limit holds between
them, because admission is decided under a row lock in the shared database."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from chatcore.kernel import TenantId
from chatcore.tenants.model import Tenant, TenantSettings
from tests.contract.http.chat_support import parse_sse
from tests.support.app import SECRET_KEY
from tests.support.server_process import serving, wait_until_all_up

LIMIT, CHATS = 5, 40


@pytest_asyncio.fixture
async def servers(
    postgres_engine: AsyncEngine, postgres_url: str, tmp_path: Path
) -> AsyncIterator[list[str]]:
    """Two processes serving the default tenant, which allows 5 chats a minute."""
    uow = SqlUnitOfWorkFactory(postgres_engine)
    async with uow() as tx:
        await tx.tenants.add(Tenant(
            id=TenantId(uuid.uuid4()), slug="default", name="Default",
            settings=TenantSettings(rate_limit_per_minute=LIMIT), created_at=datetime.now(UTC),
        ))  # fmt: skip
        await tx.commit()
    settings = {
        "CHATCORE_DATABASE_URL": postgres_url,
        "CHATCORE_SECRET_KEY": SECRET_KEY,
        "CHATCORE_LOCAL_MODEL_WPS": "0",
        "CHATCORE_DB_POOL_SIZE": "5",
        "CHATCORE_DB_MAX_OVERFLOW": "5",
    }
    with ExitStack() as stack:
        started = []
        for name in ("a", "b"):
            folder = tmp_path / name
            own = {"CHATCORE_DATA_DIR": str(folder), "CHATCORE_STORAGE_DIR": str(folder / "files")}
            started.append(stack.enter_context(serving(folder, settings | own, "--no-migrate")))
        await wait_until_all_up(*started)
        yield [server.url for server in started]


async def test_two_processes_on_one_postgres_admit_exactly_the_limit_between_them(
    servers: list[str],
) -> None:
    async with httpx.AsyncClient(timeout=60, trust_env=False) as http:
        session = await http.post(f"{servers[0]}/v1/sessions")
        assert session.status_code == 201, session.text
        headers = {
            "Authorization": f"Bearer {session.json()['access_token']}",
            "Accept": "text/event-stream",
        }
        responses = await asyncio.gather(*(
            http.post(f"{servers[i % 2]}/v1/chat", json={"message": f"q{i}"}, headers=headers)
            for i in range(CHATS)
        ))  # fmt: skip
        reports = [(await http.get(f"{url}/v1/usage", headers=headers)).json()
                   for url in servers]  # fmt: skip
    assert Counter(r.status_code for r in responses) == {200: LIMIT, 429: CHATS - LIMIT}
    for response in responses:
        if response.status_code == 200:
            assert parse_sse(response.text)[-1] == ("done", {"finish_reason": "stop"})
        else:
            assert response.json()["code"] == "rate_limited"
            assert 1 <= int(response.headers["retry-after"]) <= 60
    assert [r["requests_this_minute"] for r in reports] == [LIMIT, LIMIT]
    assert reports[0]["total_tokens"] == reports[1]["total_tokens"] > 0

"""``chatcore serve --workers 2``: one scrape adds up both workers, and with
CHATCORE_LOG_FORMAT=json every line the server writes is a JSON object."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from tests.support.app import SECRET_KEY
from tests.support.scrape import parse, value
from tests.support.server_process import serving

REQUESTS = 60
POOL = 3


async def test_one_scrape_shows_both_workers(tmp_path: Path) -> None:
    settings = {
        "CHATCORE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/chatcore.db",
        "CHATCORE_SECRET_KEY": SECRET_KEY,
        "CHATCORE_DATA_DIR": str(tmp_path),
        "CHATCORE_STORAGE_DIR": str(tmp_path / "files"),
        "CHATCORE_DB_POOL_SIZE": str(POOL),
        "CHATCORE_LOG_FORMAT": "json",
    }
    with serving(tmp_path / "run", settings, "--workers", "2") as server:
        await asyncio.to_thread(server.wait_until_up)
        async with httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=30) as http:
            # Each worker opens its pool at start: both are up once the pool sizes add up.
            for _ in range(300):
                series = parse((await http.get("/metrics")).text)
                if value(series, "chatcore_db_pool_size") == 2 * POOL:
                    break
                await asyncio.sleep(0.1)
            assert value(series, "chatcore_db_pool_size") == 2 * POOL
            sent = await asyncio.gather(
                *(http.get("/health", headers={"Connection": "close"}) for _ in range(REQUESTS))
            )
            assert all(r.status_code == 200 for r in sent)
            after = parse((await http.get("/metrics")).text)
    counted = value(
        after,
        "chatcore_http_request_duration_seconds_count",
        route="/health",
        method="GET",
        status="200",
    )
    # wait_until_up's own /health calls are in the count as well.
    assert counted >= REQUESTS
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line]
    served = [e for e in lines if e.get("route") == "/health" and e["status"] == 200]
    assert len(served) == counted
    assert {e["logger"] for e in lines} >= {"chatcore.access", "uvicorn.error"}
    assert all(e["request_id"] for e in served)

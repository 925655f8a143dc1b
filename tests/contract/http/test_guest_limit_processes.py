"""Guest sessions per client address, against real ``chatcore serve`` processes: the
count holds across processes sharing one database, and X-Forwarded-For counts only
when a trusted proxy added it."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import httpx

from tests.support.app import SECRET_KEY
from tests.support.server_process import serving, wait_until_all_up

LIMIT = 4


def settings_in(folder: Path, database_url: str, **more: str) -> dict[str, str]:
    return {
        "CHATCORE_DATABASE_URL": database_url,
        "CHATCORE_SECRET_KEY": SECRET_KEY,
        "CHATCORE_DATA_DIR": str(folder),
        "CHATCORE_STORAGE_DIR": str(folder / "files"),
        **{f"CHATCORE_{k.upper()}": v for k, v in more.items()},
    }


async def test_guests_minted_from_one_address_across_two_processes_stop_at_the_limit(
    postgres_url: str, postgres_engine: object, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        servers = [
            stack.enter_context(
                serving(
                    tmp_path / name,
                    settings_in(
                        tmp_path / name, postgres_url, anonymous_sessions_per_hour=str(LIMIT)
                    ),
                    "--no-migrate",
                )
            )
            for name in ("a", "b")
        ]
        await wait_until_all_up(*servers)
        async with httpx.AsyncClient(timeout=60, trust_env=False) as http:
            answers = [
                # Each claims another address: no proxy is trusted, so none is believed.
                await http.post(
                    f"{servers[n % 2].url}/v1/sessions",
                    headers={"X-Forwarded-For": f"198.51.100.{n}"},
                )
                for n in range(10)
            ]
    assert [a.status_code for a in answers] == [201] * LIMIT + [429] * (10 - LIMIT)
    refused = answers[-1]
    assert refused.json()["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600


async def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_apart(
    sqlite_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "server"
    settings = settings_in(
        folder, sqlite_url, anonymous_sessions_per_hour="1", trusted_proxies="127.0.0.1"
    )
    with serving(folder, settings) as server:
        await wait_until_all_up(server)
        async with httpx.AsyncClient(base_url=server.url, timeout=60, trust_env=False) as http:

            async def start(forwarded_for: str) -> int:
                answer = await http.post("/v1/sessions", headers={"X-Forwarded-For": forwarded_for})
                return answer.status_code

            assert await start("203.0.113.1") == 201
            assert await start("203.0.113.1") == 429
            assert await start("203.0.113.2") == 201
            # What the client wrote left of the proxy's entry changes nothing.
            assert await start("192.0.2.77, 203.0.113.2") == 429

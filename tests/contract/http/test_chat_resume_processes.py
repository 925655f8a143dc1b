"""Two real ``chatcore serve`` processes on one Postgres: a reply started on one is
resumed exactly and stopped from the other; a reply whose process is killed is
finished by the other as ``interrupted``, and billed."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.contract.http.chat_support import SSE, bearer
from tests.contract.http.test_chat_resume import read_events, text_of, with_ids
from tests.support.app import ADMIN_TOKEN, SECRET_KEY
from tests.support.server_process import serving, wait_until_all_up


async def test_a_reply_started_on_one_process_is_resumed_and_stopped_on_another(
    postgres_url: str,
    postgres_engine: AsyncEngine,  # a migrated database, emptied afterwards
    tmp_path: Path,
) -> None:
    settings = {
        "CHATCORE_DATABASE_URL": postgres_url,
        "CHATCORE_AUTO_MIGRATE": "false",  # migrated once, by the fixture
        "CHATCORE_SECRET_KEY": SECRET_KEY,
        "CHATCORE_ADMIN_TOKEN": ADMIN_TOKEN,
        "CHATCORE_DATA_DIR": str(tmp_path / "data"),
        "CHATCORE_STORAGE_DIR": str(tmp_path / "files"),
        "CHATCORE_LOCAL_MODEL_WPS": "20",  # about two and a half seconds a reply
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
            token = (await a.post("/v1/sessions")).json()["access_token"]
            auth = {**bearer(token), **SSE}

            async def start_on_a() -> list[tuple[int, str, dict[str, object]]]:
                body = {"message": "Tell me everything you know"}
                async with a.stream("POST", "/v1/chat", json=body, headers=auth) as response:
                    return await read_events(response, 4)

            # Resumed on B while A writes it: the rest, exactly.
            seen = await start_on_a()
            meta, last_id = seen[0][2], seen[-1][0]
            reply_id = meta["assistant_message_id"]
            rest = with_ids(
                (
                    await b.get(
                        f"/v1/chat/{reply_id}/stream",
                        headers={**auth, "Last-Event-ID": str(last_id)},
                    )
                ).text
            )
            assert rest[0][1:] == ("meta", meta)
            assert rest[-1][1:] == ("done", {"finish_reason": "stop"})
            stored = (await b.get(f"/v1/dialogs/{meta['dialog_id']}", headers=auth)).json()
            assert text_of(seen) + text_of(rest) == stored["messages"][-1]["content"]

            # Stopped from B while A writes it: every listener ends with cancelled.
            seen = await start_on_a()
            reply_id = seen[0][2]["assistant_message_id"]
            stopped = await b.post(f"/v1/chat/{reply_id}/stop", headers=bearer(token))
            assert stopped.status_code == 204
            ending = with_ids((await b.get(f"/v1/chat/{reply_id}/stream", headers=auth)).text)
            assert ending[-1][1:] == ("done", {"finish_reason": "cancelled"})
            dialog = (await a.get(f"/v1/dialogs/{seen[0][2]['dialog_id']}", headers=auth)).json()
            assert dialog["messages"][-1]["finish_reason"] == "cancelled"
            assert dialog["messages"][-1]["content"] == text_of(ending)


async def test_the_reply_of_a_killed_process_ends_interrupted_within_a_minute_and_is_billed(
    postgres_url: str,
    postgres_engine: AsyncEngine,
    tmp_path: Path,
) -> None:
    settings = {
        "CHATCORE_DATABASE_URL": postgres_url,
        "CHATCORE_AUTO_MIGRATE": "false",
        "CHATCORE_SECRET_KEY": SECRET_KEY,
        "CHATCORE_ADMIN_TOKEN": ADMIN_TOKEN,
        "CHATCORE_DATA_DIR": str(tmp_path / "data"),
        "CHATCORE_STORAGE_DIR": str(tmp_path / "files"),
        "CHATCORE_LOCAL_MODEL_WPS": "2",  # far from done when its process dies
    }
    with (
        serving(tmp_path / "a", settings, "--no-migrate") as server_a,
        serving(tmp_path / "b", settings, "--no-migrate") as server_b,
    ):
        await wait_until_all_up(server_a, server_b)
        async with (
            httpx.AsyncClient(base_url=server_a.url, trust_env=False, timeout=30) as a,
            httpx.AsyncClient(base_url=server_b.url, trust_env=False, timeout=90) as b,
        ):
            token = (await a.post("/v1/sessions")).json()["access_token"]
            auth = {**bearer(token), **SSE}
            body = {"message": "Tell me everything you know"}
            async with a.stream("POST", "/v1/chat", json=body, headers=auth) as response:
                seen = await read_events(response, 4)
            meta = seen[0][2]
            await asyncio.sleep(1.5)  # its text so far is stored (once a second)
            server_a.process.kill()  # SIGKILL: no shutdown, no last write
            started = time.monotonic()
            # A resumer on B follows what A stored, and ends when B finishes it.
            resumed = with_ids(
                (
                    await b.get(
                        f"/v1/chat/{meta['assistant_message_id']}/stream",
                        headers={**auth, "Last-Event-ID": "0"},
                    )
                ).text
            )
            assert time.monotonic() - started < 60
            assert resumed[-1][1:] == ("done", {"finish_reason": "interrupted"})
            dialog = (await b.get(f"/v1/dialogs/{meta['dialog_id']}", headers=auth)).json()
            reply = dialog["messages"][-1]
            assert reply["finish_reason"] == "interrupted"
            assert reply["content"] == text_of(resumed)
            assert reply["content"].startswith(text_of(seen))
            usage = (await b.get("/v1/usage", headers=bearer(token))).json()
            assert usage["completion_tokens"] == reply["completion_tokens"] > 0

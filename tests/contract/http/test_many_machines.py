"""Several machines on one Postgres: two ``chatcore serve`` processes, each in its own
folder (no shared disk), storing files in an S3-compatible server on loopback and
sharing background work through the database's job queue."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.tables import document_chunks, documents, jobs
from chatcore.dialogs.use_cases.abandoned import SWEEP
from tests.support.app import ADMIN_TOKEN, SECRET_KEY
from tests.support.images import image_bytes, opened
from tests.support.s3_server import S3Server
from tests.support.server_process import ServerProcess, free_port, serving, wait_until_all_up
from tests.support.signing_in import bearer, sign_in_by_code
from tests.support.smtp_server import CapturingSmtpServer

DOCUMENTS = 200
# Generous bounds on waiting, never what a test measures.
READY_SECONDS = 240.0
TAKE_UP_SECONDS = 90.0


def machine_settings(postgres_url: str, s3: S3Server, bucket: str) -> dict[str, str]:
    """What every machine is configured with; no folder of theirs is shared."""
    return {
        "CHATCORE_DATABASE_URL": postgres_url,
        "CHATCORE_AUTO_MIGRATE": "false",  # migrated once, by the fixture
        "CHATCORE_SECRET_KEY": SECRET_KEY,
        "CHATCORE_ADMIN_TOKEN": ADMIN_TOKEN,
        "CHATCORE_JOB_POLL_SECONDS": "0.2",
        "CHATCORE_JOB_LEASE_SECONDS": "6",
        "CHATCORE_ANONYMOUS_SESSIONS_PER_HOUR": "1000",
        **s3.environ(bucket, "chatcore"),
    }


async def until_ready(client: httpx.AsyncClient, token: str, document_id: str) -> dict[str, Any]:
    for _ in range(int(READY_SECONDS / 0.2)):
        response = await client.get(f"/v1/documents/{document_id}", headers=bearer(token))
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        if document["status"] != "processing":
            return document
        await asyncio.sleep(0.2)
    raise AssertionError(f"document {document_id} is still processing")


async def anonymous(client: httpx.AsyncClient) -> str:
    response = await client.post("/v1/sessions")
    assert response.status_code == 201, response.text
    token: str = response.json()["access_token"]
    return token


async def upload(client: httpx.AsyncClient, token: str, data: bytes, name: str) -> str:
    response = await client.post(
        "/v1/documents", files={"file": (name, data, "text/plain")}, headers=bearer(token)
    )
    assert response.status_code == 202, response.text  # accepted, to be ingested
    document_id: str = response.json()["id"]
    return document_id


@contextlib.asynccontextmanager
async def clients(*servers: ServerProcess) -> AsyncIterator[list[httpx.AsyncClient]]:
    async with contextlib.AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=server.url, trust_env=False, timeout=60)
            )
            for server in servers
        ]


def files_on_disk(*folders: Path) -> list[Path]:
    """Files the machines wrote beside their logs and secrets (none: all went to S3)."""
    return [p for f in folders for p in (f / "data" / "files").rglob("*") if p.is_file()]


async def test_two_machines_share_files_and_index_every_document_once(
    postgres_url: str,
    postgres_engine: AsyncEngine,  # a migrated database, emptied afterwards
    s3_server: S3Server,
    smtp: CapturingSmtpServer,
    tmp_path: Path,
) -> None:
    settings = {
        **machine_settings(postgres_url, s3_server, s3_server.new_bucket()),
        "CHATCORE_SMTP_HOST": smtp.host,
        "CHATCORE_SMTP_PORT": str(smtp.port),
        "CHATCORE_SMTP_STARTTLS": "false",
    }
    with (
        serving(tmp_path / "a", settings, "--no-migrate") as server_a,
        serving(tmp_path / "b", settings, "--no-migrate") as server_b,
    ):
        await wait_until_all_up(server_a, server_b)
        async with clients(server_a, server_b) as (a, b):
            # A file uploaded on A is served by B; so is an avatar.
            token = (await sign_in_by_code(a, smtp, "ada@example.com"))["access_token"]
            data = b"Gannets dive into the sea from thirty metres.\n" * 30_000  # 1.4 MB
            document_id = await upload(a, token, data, "gannets.txt")
            assert (await until_ready(b, token, document_id))["status"] == "ready"
            served = await b.get(f"/v1/documents/{document_id}/file", headers=bearer(token))
            assert served.status_code == 200 and served.content == data

            avatar = await a.post(
                "/v1/profile/avatar",
                files={"file": ("me.webp", image_bytes("WEBP", (800, 600)), "image/webp")},
                headers=bearer(token),
            )
            assert avatar.status_code == 200, avatar.text
            seen = await b.get(urlsplit(avatar.json()["avatar_url"]).path)
            assert seen.status_code == 200 and opened(seen.content).size == (512, 384)

            # Many documents at once, half through each machine: each ends ready, once.
            tokens = [await anonymous(a), await anonymous(b)]
            limit = asyncio.Semaphore(16)

            async def one(n: int) -> tuple[int, str]:
                machine = n % 2
                async with limit:
                    text = f"Note {n}: the puffin colony {uuid.uuid4().hex} grew.\n".encode()
                    return machine, await upload((a, b)[machine], tokens[machine], text, f"{n}.txt")

            uploaded = await asyncio.gather(*(one(n) for n in range(DOCUMENTS)))
            for machine, document_id in uploaded:
                ready = await until_ready((b, a)[machine], tokens[machine], document_id)
                assert ready["status"] == "ready", ready
    assert files_on_disk(tmp_path / "a", tmp_path / "b") == []
    assert await indexed_once(postgres_engine) == DOCUMENTS + 1


async def indexed_once(engine: AsyncEngine) -> int:
    """How many documents are ready with exactly the chunks they count, none twice;
    and no job is left."""
    async with engine.connect() as db:
        periodic = ("purge", SWEEP)  # always scheduled, never finished
        assert await db.scalar(sa.select(sa.func.count()).select_from(jobs).where(
            jobs.c.kind.not_in(periodic))) == 0  # fmt: skip
        duplicated = (
            sa.select(document_chunks.c.document_id, document_chunks.c.ordinal)
            .group_by(document_chunks.c.document_id, document_chunks.c.ordinal)
            .having(sa.func.count() > 1)
        )
        assert (await db.execute(duplicated)).all() == []
        counted = (
            sa.select(documents.c.id, documents.c.chunks, sa.func.count(document_chunks.c.id))
            .join(document_chunks, document_chunks.c.document_id == documents.c.id)
            .where(documents.c.status == "ready")
            .group_by(documents.c.id, documents.c.chunks)
        )
        rows = (await db.execute(counted)).all()
    assert all(chunks == found for _, chunks, found in rows)
    return len(rows)


@contextlib.asynccontextmanager
async def silent_embedding_service() -> AsyncIterator[str]:
    """An OpenAI-compatible base URL whose server takes requests and never answers:
    an ingestion that reaches its embedding hangs there."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        await reader.read()  # until the client goes away

    server = await asyncio.start_server(hold, "127.0.0.1", free_port())
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        for writer in held:
            writer.close()
        server.close()


async def test_an_ingestion_of_a_machine_killed_mid_way_is_finished_by_another(
    postgres_url: str,
    postgres_engine: AsyncEngine,
    s3_server: S3Server,
    tmp_path: Path,
) -> None:
    settings = machine_settings(postgres_url, s3_server, s3_server.new_bucket())
    async with silent_embedding_service() as hanging:
        stuck: Mapping[str, str] = {
            **settings,
            "CHATCORE_EMBEDDER": "openai",
            "CHATCORE_OPENAI_BASE_URL": hanging,
            "OPENAI_API_KEY": "unused",
        }
        with serving(tmp_path / "a", stuck, "--no-migrate") as server_a:
            await wait_until_all_up(server_a)
            async with clients(server_a) as (a,):
                token = await anonymous(a)
                text = b"Kittiwakes nest on narrow ledges of sea cliffs.\n" * 50
                document_id = await upload(a, token, text, "kittiwakes.txt")
            owner = await leased_to_a_worker(postgres_engine, document_id)

            # B starts once A holds the job, and looks for jobs a few times: A's live
            # lease keeps it off (nor does B's start-up take up what is unfinished).
            with serving(tmp_path / "b", settings, "--no-migrate") as server_b:
                await wait_until_all_up(server_b)
                await asyncio.sleep(1.0)
                assert await leased_to_a_worker(postgres_engine, document_id) == owner

                server_a.process.kill()  # kill -9: no goodbye, the lease stays
                server_a.process.wait()
                async with clients(server_b) as (b,):
                    document = await until_ready(b, token, document_id)
    assert document["status"] == "ready" and document["chunks"] >= 1
    assert owner.startswith("worker-")
    assert await indexed_once(postgres_engine) == 1


async def leased_to_a_worker(engine: AsyncEngine, document_id: str) -> str:
    """The worker holding the document's ingestion, once one does (it is then stuck
    on the embedding, the document still processing)."""
    for _ in range(int(TAKE_UP_SECONDS / 0.1)):
        async with engine.connect() as db:
            owner = await db.scalar(sa.select(jobs.c.lease_owner).where(jobs.c.key == document_id))
            status = await db.scalar(
                sa.select(documents.c.status).where(documents.c.id == uuid.UUID(document_id))
            )
        if owner is not None:
            assert status == "processing"
            return str(owner)
        await asyncio.sleep(0.1)
    raise AssertionError("no worker took the ingestion")

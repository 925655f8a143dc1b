"""The abuse limits over HTTP: a small PDF that inflates to a flood of text, a guest
filling the database, and guests minted by the dozen from one address."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.contract.http.chat_support import Client, anonymous, bearer, container_of
from tests.contract.http.conftest import ClientFactory
from tests.contract.http.test_documents import stored_files, until_done, upload
from tests.support.app import ADMIN_TOKEN
from tests.support.pdfs import text_bomb


async def chunk_rows(client: Client) -> int:
    async with container_of(client).adapters.engine().connect() as connection:
        counted = await connection.execute(sa.text("SELECT count(*) FROM document_chunks"))
        return int(counted.scalar_one())


async def test_a_small_pdf_inflating_to_a_flood_of_text_ends_failed_and_indexes_nothing(
    make_client: ClientFactory,
) -> None:
    async with make_client(max_document_chars="100000") as client:
        token = await anonymous(client)
        bomb = text_bomb(2_000_000)
        assert len(bomb) < 20_000

        response = await upload(client, token, bomb, "bomb.pdf")
        assert response.status_code == 202, response.text
        document = await until_done(client, token, response.json()["id"])

        assert document["status"] == "failed"
        assert document["error"] == "The document has more than 100,000 characters of text."
        assert document["chunks"] == 0
        assert await chunk_rows(client) == 0


async def test_a_guest_past_its_storage_quota_gets_413_and_nothing_is_kept(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    async with make_client(anonymous_storage_quota_mb="1") as client:
        token = await anonymous(client)
        text = b"lighthouse keeper " * 35_000  # 630,000 bytes, and as much text

        first = await upload(client, token, text, "first.txt")
        assert first.status_code == 202, first.text
        document = await until_done(client, token, first.json()["id"])
        # The file fits; with its text it would not.
        assert document["status"] == "failed" and "at most 1 MB" in document["error"]
        assert await chunk_rows(client) == 0

        second = await upload(client, token, text + b"more", "second.txt")
        assert second.status_code == 413
        problem = second.json()
        assert (problem["code"], problem["status"]) == ("storage_quota_exceeded", 413)
        assert len(stored_files(tmp_path)) == 1
        listed = (await client.get("/v1/documents", headers=bearer(token))).json()["items"]
        assert [d["filename"] for d in listed] == ["first.txt"]


async def test_a_tenant_sets_its_own_storage_quota(make_client: ClientFactory) -> None:
    async with make_client() as client:
        created = await client.post(
            "/v1/tenants",
            json={"slug": "tight", "name": "Tight", "settings": {"storage_quota_mb": 0}},
            headers={"X-Admin-Token": ADMIN_TOKEN},
        )
        assert created.status_code == 201, created.text
        assert created.json()["settings"]["storage_quota_mb"] == 0
        token = await anonymous(client, "tight")
        refused = await upload(client, token, b"a few words", "a.txt")
        assert refused.status_code == 413
        assert refused.json()["code"] == "storage_quota_exceeded"


async def test_guests_minted_from_one_address_are_429_with_retry_after(
    make_client: ClientFactory,
) -> None:
    async with make_client(anonymous_sessions_per_hour="3") as client:
        answers = [
            # Claiming other addresses changes nothing: no proxy is trusted.
            await client.post("/v1/sessions", headers={"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(5)
        ]
        assert [a.status_code for a in answers] == [201, 201, 201, 429, 429]
        refused = answers[-1]
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "rate_limited"
        assert 3590 <= int(refused.headers["Retry-After"]) <= 3600

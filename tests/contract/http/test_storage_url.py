"""CHATCORE_STORAGE_URL=database: the app keeps uploaded files in its database, and
nothing on disk."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from adapters.sql.tables import blobs
from tests.contract.http.chat_support import Client, anonymous, bearer, container_of
from tests.contract.http.conftest import ClientFactory
from tests.contract.http.test_documents import until_done, upload


async def test_files_kept_in_the_database_are_ingested_served_and_deleted(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    data = b"Puffins nest in burrows on grassy cliffs.\n" * 20_000  # 860 kB: two pieces
    async with make_client(storage_url="database") as client:
        token = await anonymous(client)
        document = (await upload(client, token, data, "puffins.txt")).json()
        assert (await until_done(client, token, document["id"]))["status"] == "ready"

        served = await client.get(f"/v1/documents/{document['id']}/file", headers=bearer(token))
        assert served.status_code == 200
        assert served.content == data
        assert await stored_blobs(client) == 1

        deleted = await client.delete(f"/v1/documents/{document['id']}", headers=bearer(token))
        assert deleted.status_code == 204
        assert await stored_blobs(client) == 0
    assert not (tmp_path / "files").exists()


async def stored_blobs(client: Client) -> int:
    engine = container_of(client).adapters.engine()
    async with engine.connect() as db:
        count: int = await db.scalar(sa.select(sa.func.count()).select_from(blobs))
    return count

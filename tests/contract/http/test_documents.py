"""The documents and search contract: upload, ingestion, search, citations, deletion."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.contract.http.chat_support import Client, anonymous, bearer, chat, container_of
from tests.contract.http.conftest import ClientFactory
from tests.support.office import docx_bomb, docx_file, html_file
from tests.support.pdfs import make_pdf

PAGES = [
    "Welcome to the field guide. It covers coastal birds and their habits.",
    "The puffin nests in burrows on grassy cliffs. Puffins return to the same burrow "
    "every spring and raise a single chick, called a puffling.",
    "Gannets dive into the sea from thirty metres to catch fish.",
]


async def upload(
    client: Client, token: str, data: bytes, filename: str = "guide.pdf", field: str = "file"
) -> Any:
    return await client.post(
        "/v1/documents",
        files={field: (filename, data, "application/octet-stream")},
        headers=bearer(token),
    )


async def until_done(client: Client, token: str, document_id: str) -> dict[str, Any]:
    for _ in range(400):
        response = await client.get(f"/v1/documents/{document_id}", headers=bearer(token))
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        if document["status"] != "processing":
            return document
        await asyncio.sleep(0.05)
    raise AssertionError("the document is still processing")


async def search(client: Client, token: str, query: str, **body: Any) -> list[dict[str, Any]]:
    response = await client.post("/v1/search", json={"query": query, **body}, headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def stored_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "files" / "documents").rglob("*") if p.is_file()]


async def test_upload_search_and_a_chat_that_cites_the_page(client: Client) -> None:
    token = await anonymous(client)
    response = await upload(client, token, make_pdf(PAGES))
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] == "processing" and accepted["filename"] == "guide.pdf"
    assert accepted["content_type"] == "application/pdf"

    document = await until_done(client, token, accepted["id"])
    assert (document["status"], document["pages"]) == ("ready", 3)
    assert document["chunks"] >= 3 and "error" not in document

    items = await search(client, token, "Where do puffins nest?", k=2)
    assert len(items) <= 2
    best = items[0]
    assert (best["document_id"], best["filename"], best["page"]) == (accepted["id"], "guide.pdf", 2)
    assert "burrows on grassy cliffs" in best["text"]
    assert set(best) == {"chunk_id", "document_id", "filename", "page", "text", "score"}

    events = await chat(client, token, "Where do puffins nest?", use_documents=True)
    names = [name for name, _ in events]
    assert names[-3:] == ["citations", "usage", "done"]
    citations = dict(events)["citations"]["items"]
    assert {
        "document_id": accepted["id"],
        "filename": "guide.pdf",
        "page": 2,
        "chunk_id": best["chunk_id"],
    }.items() <= citations[0].items()
    reply = "".join(data["text"] for name, data in events if name == "delta")
    assert "burrows" in reply

    without = await chat(client, token, "Where do puffins nest?", use_documents=False)
    assert "citations" not in [name for name, _ in without]


async def test_the_file_comes_back_as_an_attachment(client: Client) -> None:
    token = await anonymous(client)
    data = "Notes about Zürich.\n".encode()
    document = (await upload(client, token, data, filename="naïve notes.txt")).json()

    response = await client.get(f"/v1/documents/{document['id']}/file", headers=bearer(token))
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="na?ve notes.txt"' in disposition
    assert "filename*=UTF-8''na%C3%AFve%20notes.txt" in disposition


async def test_documents_are_listed_newest_first_a_page_at_a_time(client: Client) -> None:
    token = await anonymous(client)
    ids = [
        (await upload(client, token, f"Note {n}.".encode(), f"{n}.txt")).json()["id"]
        for n in range(3)
    ]
    first = (await client.get("/v1/documents?limit=2", headers=bearer(token))).json()
    assert [d["id"] for d in first["items"]] == ids[:0:-1]
    second = (
        await client.get(
            f"/v1/documents?limit=2&cursor={first['next_cursor']}", headers=bearer(token)
        )
    ).json()
    assert [d["id"] for d in second["items"]] == ids[:1]
    assert second["next_cursor"] is None


async def test_identical_bytes_are_recognised(client: Client) -> None:
    token = await anonymous(client)
    first = (await upload(client, token, b"Same bytes.", "a.txt")).json()
    await until_done(client, token, first["id"])
    again = await upload(client, token, b"Same bytes.", "b.txt")
    assert again.status_code == 200 and again.json()["id"] == first["id"]


async def test_unreadable_pdfs_end_failed_with_an_error(client: Client) -> None:
    token = await anonymous(client)
    for data, reason in [
        (b"%PDF-1.4\nnot really a pdf", "damaged"),
        (make_pdf(["Secret."], password="pw"), "password-protected"),
    ]:
        accepted = (await upload(client, token, data)).json()
        document = await until_done(client, token, accepted["id"])
        assert document["status"] == "failed" and reason in document["error"]


async def test_oversize_uploads_are_413_and_leave_nothing(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    async with make_client(max_upload_mb="1") as client:
        token = await anonymous(client)
        response = await upload(client, token, b"word " * 220_000, "big.txt")
        assert response.status_code == 413
        assert response.json()["code"] == "file_too_large"
        assert stored_files(tmp_path) == []
        assert (await client.get("/v1/documents", headers=bearer(token))).json()["items"] == []


async def test_word_documents_and_web_pages_are_read_by_their_bytes(client: Client) -> None:
    token = await anonymous(client)
    word = docx_file([PAGES[1]], headings=[(1, "Field guide"), (2, "Puffins")])
    for data, name, content_type in (
        (
            word,
            "notes.bin",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (html_file([PAGES[2]]), "page.txt", "text/html"),
    ):
        response = await upload(client, token, data, name)
        assert response.status_code == 202, response.text
        assert response.json()["content_type"] == content_type
        assert (await until_done(client, token, response.json()["id"]))["status"] == "ready"

    (puffins,) = await search(client, token, "Where do puffins nest?", k=1)
    assert puffins["filename"] == "notes.bin"
    assert puffins["text"].startswith("# Field guide\n\n## Puffins\n\nThe puffin nests")
    (gannets,) = await search(client, token, "gannets dive", k=1)
    assert gannets["filename"] == "page.txt" and "Home" not in gannets["text"]
    assert all("tracking" not in item["text"] for item in await search(client, token, "tracking"))


async def test_a_word_zip_bomb_ends_failed(client: Client) -> None:
    token = await anonymous(client)
    response = await upload(client, token, docx_bomb(400 * 1024 * 1024), "bomb.docx")
    assert response.status_code == 202, response.text
    document = await until_done(client, token, response.json()["id"])
    assert document["status"] == "failed" and "too large" in document["error"]


async def test_wrong_types_are_415(client: Client, tmp_path: Path) -> None:
    token = await anonymous(client)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    response = await upload(client, token, png, "photo.pdf")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    raw = await client.post(
        "/v1/documents",
        content=b"%PDF-1.4",
        headers={**bearer(token), "Content-Type": "application/pdf"},
    )
    assert raw.status_code == 415
    assert stored_files(tmp_path) == []


async def test_a_missing_file_field_is_422(client: Client) -> None:
    token = await anonymous(client)
    response = await upload(client, token, b"text", field="attachment")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


async def test_another_owners_documents_are_404_and_unsearchable(client: Client) -> None:
    owner, stranger = await anonymous(client), await anonymous(client)
    document = (await upload(client, owner, make_pdf(PAGES))).json()
    await until_done(client, owner, document["id"])

    for method, path in [
        ("GET", f"/v1/documents/{document['id']}"),
        ("GET", f"/v1/documents/{document['id']}/file"),
        ("DELETE", f"/v1/documents/{document['id']}"),
    ]:
        response = await client.request(method, path, headers=bearer(stranger))
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert await search(client, stranger, "puffins nest in burrows") == []
    assert (await client.get("/v1/documents", headers=bearer(stranger))).json()["items"] == []
    assert (await until_done(client, owner, document["id"]))["status"] == "ready"


async def test_delete_removes_it_from_search_and_its_file_from_disk(
    client: Client, tmp_path: Path
) -> None:
    token = await anonymous(client)
    document = (await upload(client, token, make_pdf(PAGES))).json()
    await until_done(client, token, document["id"])
    assert len(stored_files(tmp_path)) == 1

    response = await client.delete(f"/v1/documents/{document['id']}", headers=bearer(token))
    assert response.status_code == 204
    assert await search(client, token, "puffins nest in burrows") == []
    assert stored_files(tmp_path) == []
    gone = await client.get(f"/v1/documents/{document['id']}", headers=bearer(token))
    assert gone.status_code == 404


async def test_ending_an_anonymous_session_erases_its_documents_and_files(
    client: Client, tmp_path: Path
) -> None:
    response = await client.post("/v1/sessions")
    session, token = response.json()["session_id"], response.json()["access_token"]
    document = (await upload(client, token, make_pdf(PAGES))).json()
    await until_done(client, token, document["id"])

    deleted = await client.delete(f"/v1/sessions/{session}", headers=bearer(token))
    assert deleted.status_code == 204
    assert stored_files(tmp_path) == []


async def test_a_bad_search_is_422(client: Client) -> None:
    token = await anonymous(client)
    for body in ({"query": ""}, {"query": "ok", "k": 0}, {"query": "ok", "k": 51}, {"k": 3}):
        response = await client.post("/v1/search", json=body, headers=bearer(token))
        assert response.status_code == 422, body


async def test_openapi_shows_the_upload_form(client: Client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    upload_body = schema["paths"]["/v1/documents"]["post"]["requestBody"]
    form = upload_body["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["file"] == {"type": "string", "format": "binary"}
    assert "/v1/search" in schema["paths"]


async def test_an_interrupted_ingestion_is_finished_at_the_next_start(
    make_client: ClientFactory,
) -> None:
    async with make_client() as client:
        token = await anonymous(client)
        document = (await upload(client, token, make_pdf(PAGES))).json()
        await until_done(client, token, document["id"])
        # Back to how a process killed mid-ingestion leaves it.
        async with container_of(client).adapters.engine().begin() as connection:
            await connection.execute(sa.text("DELETE FROM document_chunks"))
            await connection.execute(sa.text("UPDATE documents SET status = 'processing'"))
        assert await search(client, token, "puffins nest in burrows") == []

    async with make_client() as client:
        assert (await until_done(client, token, document["id"]))["status"] == "ready"
        assert (await search(client, token, "puffins nest in burrows"))[0]["page"] == 2


async def test_the_whole_flow_on_postgres(
    make_client: ClientFactory, postgres_url: str, postgres_engine: object, tmp_path: Path
) -> None:
    async with make_client(database_url=postgres_url) as client:
        token = await anonymous(client)
        document = (await upload(client, token, make_pdf(PAGES))).json()
        assert (await until_done(client, token, document["id"]))["status"] == "ready"
        best = (await search(client, token, "Where do puffins nest?"))[0]
        assert (best["document_id"], best["page"]) == (document["id"], 2)
        events = await chat(client, token, "Where do puffins nest?", use_documents=True)
        assert dict(events)["citations"]["items"][0]["chunk_id"] == best["chunk_id"]

        response = await client.delete(f"/v1/documents/{document['id']}", headers=bearer(token))
        assert response.status_code == 204
        assert await search(client, token, "Where do puffins nest?") == []
        assert stored_files(tmp_path) == []

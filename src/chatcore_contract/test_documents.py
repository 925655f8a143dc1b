"""Documents: upload, ingestion, the original bytes, search, citations in chat, delete.

One document per module run, uploaded by one principal; both are deleted at the end.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chatcore_contract._accounts import Accounts, Principal
from chatcore_contract._support import (
    chat_over_sse,
    expect,
    expect_fields,
    expect_problem,
    expect_status,
    payload,
)

READY_SECONDS = 60.0
DOCUMENT_FIELDS = {"id", "filename", "content_type", "size", "status", "pages", "chunks"}
HIT_FIELDS = {"chunk_id", "document_id", "filename", "page", "text", "score"}


class Upload:
    """The check's document: what was sent and what the server answered."""

    def __init__(self, owner: Principal, content: bytes, marker: str, body: dict[str, Any]):
        self.owner, self.content, self.marker, self.body = owner, content, marker, body

    @property
    def id(self) -> str:
        """The document's id."""
        return str(self.body["id"])


@pytest.fixture(scope="module")
def owner(accounts: Accounts) -> Iterator[Principal]:
    """The principal owning the module's document."""
    with accounts.signed_in("any") as principal:
        yield principal


@pytest.fixture(scope="module")
def upload(api: httpx.Client, owner: Principal) -> Iterator[Upload]:
    """A small text document with a word no other document has, removed at the end."""
    marker = f"zephyrine{secrets.token_hex(4)}"
    content = (
        f"Contract check document.\n\nThe {marker} lighthouse stands on the northern cape. "
        f"Its keeper paints the {marker} lighthouse white every spring.\n"
    ).encode()
    response = api.post(
        "/v1/documents",
        files={"file": ("contract-check.txt", content, "text/plain")},
        headers=owner.headers,
    )
    assert response.status_code in (201, 202), f"{response.status_code} {response.text[:300]}"
    uploaded = Upload(owner, content, marker, response.json())
    yield uploaded
    gone = api.delete(f"/v1/documents/{uploaded.id}", headers=owner.headers)
    assert gone.status_code in (204, 404), gone.text


@pytest.fixture(scope="module")
def ready(api: httpx.Client, upload: Upload) -> Upload:
    """The document once ingested; fails if it fails or takes too long."""
    deadline = time.monotonic() + READY_SECONDS
    while True:
        body = expect(api.get(f"/v1/documents/{upload.id}", headers=upload.owner.headers), 200)
        assert body["status"] != "failed", f"ingestion failed: {body}"
        if body["status"] == "ready":
            upload.body = body
            return upload
        assert time.monotonic() < deadline, f"not ready after {READY_SECONDS:g} s: {body}"
        time.sleep(0.1)


def test_an_upload_is_ingested(upload: Upload, ready: Upload) -> None:
    """POST /v1/documents is 201/202 {id, filename, …}; the document becomes ready."""
    expect_fields(upload.body, DOCUMENT_FIELDS, "the document")
    assert ready.body["filename"] == "contract-check.txt", ready.body
    assert ready.body["size"] == len(upload.content), ready.body
    assert ready.body["chunks"] >= 1, ready.body


def test_the_document_is_listed(api: httpx.Client, ready: Upload) -> None:
    """GET /v1/documents pages {items, next_cursor} and lists it."""
    page = expect(api.get("/v1/documents", headers=ready.owner.headers), 200)
    expect_fields(page, {"items", "next_cursor"}, "the page")
    assert ready.id in [item["id"] for item in page["items"]], page


def test_the_original_bytes_come_back(api: httpx.Client, ready: Upload) -> None:
    """GET /v1/documents/{id}/file returns the bytes uploaded."""
    response = api.get(f"/v1/documents/{ready.id}/file", headers=ready.owner.headers)
    expect_status(response, 200)
    assert response.content == ready.content


def test_search_finds_the_document(api: httpx.Client, ready: Upload) -> None:
    """POST /v1/search {query, k} finds it, with the hit's fields."""
    query = {"query": f"Where is the {ready.marker} lighthouse?", "k": 5}
    hits = expect(api.post("/v1/search", json=query, headers=ready.owner.headers), 200)["items"]
    assert hits, "no hit"
    for hit in hits:
        expect_fields(hit, HIT_FIELDS, "a search hit")
    assert hits[0]["document_id"] == ready.id, hits
    assert ready.marker in hits[0]["text"], hits[0]


def test_chat_with_documents_cites_it(api: httpx.Client, ready: Upload) -> None:
    """Chat with use_documents sends a citations event naming the document."""
    question = f"Where does the {ready.marker} lighthouse stand?"
    events = chat_over_sse(api, ready.owner.token, question, use_documents=True)
    cited = [item["document_id"] for item in payload(events, "citations")["items"]]
    assert ready.id in cited, cited


def test_a_deleted_document_is_gone(api: httpx.Client, ready: Upload) -> None:
    """DELETE /v1/documents/{id} is 204; it is 404 after, and its file too."""
    auth = ready.owner.headers
    expect_status(api.delete(f"/v1/documents/{ready.id}", headers=auth), 204)
    expect_problem(api.get(f"/v1/documents/{ready.id}", headers=auth), 404, "not_found")
    expect_problem(api.get(f"/v1/documents/{ready.id}/file", headers=auth), 404, "not_found")

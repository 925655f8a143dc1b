"""Dialogs: create, list by pages (newest first), read, rename, delete."""

from __future__ import annotations

import httpx

from chatcore_contract._accounts import Principal
from chatcore_contract._support import expect, expect_fields, expect_problem, expect_status

DIALOG_FIELDS = {"id", "title", "created_at", "updated_at"}


def test_dialogs_are_created_listed_by_pages_renamed_and_deleted(
    api: httpx.Client, principal: Principal
) -> None:
    """POST /v1/dialogs 201; GET pages {items, next_cursor}; GET, PATCH, DELETE 204 → 404."""
    auth = principal.headers
    first = expect(api.post("/v1/dialogs", json={"title": "Contract one"}, headers=auth), 201)
    second = expect(api.post("/v1/dialogs", json={"title": "Contract two"}, headers=auth), 201)
    expect_fields(first, DIALOG_FIELDS, "the dialog")
    page = expect(api.get("/v1/dialogs", params={"limit": 1}, headers=auth), 200)
    assert [item["id"] for item in page["items"]] == [second["id"]], page
    assert isinstance(page["next_cursor"], str), page
    rest = api.get("/v1/dialogs", params={"limit": 1, "cursor": page["next_cursor"]}, headers=auth)
    assert [item["id"] for item in expect(rest, 200)["items"]] == [first["id"]]
    detail = expect(api.get(f"/v1/dialogs/{first['id']}", headers=auth), 200)
    expect_fields(detail, DIALOG_FIELDS | {"messages"}, "the dialog")
    assert detail["messages"] == [], detail
    renamed = api.patch(f"/v1/dialogs/{first['id']}", json={"title": "Renamed"}, headers=auth)
    assert expect(renamed, 200)["title"] == "Renamed"
    for dialog in (first, second):
        expect_status(api.delete(f"/v1/dialogs/{dialog['id']}", headers=auth), 204)
    expect_problem(api.get(f"/v1/dialogs/{first['id']}", headers=auth), 404, "not_found")


def test_a_bad_page_size_is_422(api: httpx.Client, principal: Principal) -> None:
    """?limit= above 200 is 422 validation_failed."""
    response = api.get("/v1/dialogs", params={"limit": 201}, headers=principal.headers)
    expect_problem(response, 422, "validation_failed")

"""Every list route refuses a cursor the server did not issue: 422 naming ``cursor``,
on SQLite and on Postgres, never a 500 from the database layer."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from tests.contract.http.chat_support import anonymous
from tests.contract.http.conftest import ClientFactory
from tests.contract.http.test_foundation import ADMIN, assert_problem
from tests.support.signing_in import bearer


def unsigned(at: str) -> str:
    """A cursor as a client could forge it: a position, base64-encoded, and no signature."""
    raw = json.dumps([at, str(uuid.uuid4())]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED = {
    "naive datetime": unsigned("2024-05-01T12:00:00"),
    "before year 1 in UTC": unsigned("0001-01-01T00:00:00+05:00"),
    "after year 9999 in UTC": unsigned("9999-12-31T23:59:59-05:00"),
    "well-formed but unsigned": unsigned("2024-05-01T12:00:00Z"),
    "not base64": "%%%",
    "empty signature": unsigned("2024-05-01T12:00:00Z") + ".",
}
LIST_ROUTES = ["/v1/dialogs", "/v1/documents", "/v1/saved", "/v1/tenants"]


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    request.getfixturevalue("postgres_engine")  # empties the tables after the test
    url: str = request.getfixturevalue("postgres_url")
    return url


async def test_every_list_route_refuses_a_forged_cursor(
    make_client: ClientFactory, database_url: str
) -> None:
    async with make_client(database_url=database_url) as client:
        headers = {**bearer(await anonymous(client)), **ADMIN}
        for route in LIST_ROUTES:
            for what, cursor in FORGED.items():
                response = await client.get(route, params={"cursor": cursor}, headers=headers)
                body = assert_problem(response, 422, "validation_failed")
                assert [e["field"] for e in body["errors"]] == ["cursor"], (route, what)


async def test_a_cursor_is_refused_by_a_server_with_another_secret(
    make_client: ClientFactory,
) -> None:
    async with make_client() as client:
        for i in range(2):
            await client.post("/v1/tenants", json={"slug": f"t{i}", "name": "T"}, headers=ADMIN)
        issued = (await client.get("/v1/tenants?limit=1", headers=ADMIN)).json()["next_cursor"]
        assert (await client.get(f"/v1/tenants?cursor={issued}", headers=ADMIN)).status_code == 200
    async with make_client(secret_key="another-secret-key-that-is-long-enough-987") as client:
        response = await client.get(f"/v1/tenants?cursor={issued}", headers=ADMIN)
        assert_problem(response, 422, "validation_failed")

"""The web client's routes, in process: where pages are, what is not a page, and
that none of them appears in the API's OpenAPI document."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from http_shell.routes.web import CONTENT_SECURITY_POLICY
from tests.contract.http.conftest import ClientFactory

Client = AsyncTestClient[Litestar]


async def test_a_tenants_pages_are_html_under_the_policy(client: Client) -> None:
    for path in ("/default/login", "/default/chat", "/default/my", "/default/my/usage"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "<body data-page=" in response.text


async def test_the_root_redirects_to_the_configured_default_tenant(
    make_client: ClientFactory,
) -> None:
    # The default tenant is created on first start.
    async with make_client(default_tenant="acme") as client:
        response = await client.get("/", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/acme/chat"
        assert (await client.get("/acme/chat")).status_code == 200


async def test_unknown_tenants_sections_and_pages_are_not_found(client: Client) -> None:
    for path in ("/nobody/chat", "/default/admin", "/default/my/secrets", "/assets/nothing.js"):
        assert (await client.get(path)).status_code == 404, path


async def test_asset_paths_with_odd_bytes_are_not_found(client: Client) -> None:
    odd = ("%00", "app.css%00.js", "app.css/inner", "a" * 4096, "%ff", "..%2fpages%2fchat.html")
    for name in odd:
        response = await client.get(f"/assets/{name}")
        assert response.status_code == 404, name
        assert response.json()["code"] == "not_found", name
    assert (await client.get("/assets/app.css")).status_code == 200


async def test_pages_stay_out_of_the_openapi_document(client: Client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert all(path.startswith(("/v1/", "/health")) for path in paths), sorted(paths)

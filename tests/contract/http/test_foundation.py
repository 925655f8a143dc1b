"""The foundation's HTTP contract: health, problems, tenants, tenancy, CORS, OpenAPI."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.contract.http.conftest import ClientFactory
from tests.support.app import ADMIN_TOKEN
from tests.support.server_process import free_port

ADMIN = {"X-Admin-Token": ADMIN_TOKEN}
Client = AsyncTestClient[Litestar]


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert {"type", "title", "detail"} <= body.keys()
    return body


async def test_health_answers_without_the_database(client: Client) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["version"]


async def test_database_health_reports_latency_and_pool(client: Client) -> None:
    body = (await client.get("/health/db")).json()
    assert body["status"] == "healthy"
    assert body["database"] == "connected"
    assert body["latency_ms"] >= 0
    assert "size" in body["pool"]


async def test_database_health_on_postgres(make_client: ClientFactory, postgres_url: str) -> None:
    async with make_client(database_url=postgres_url) as client:
        response = await client.get("/health/db")
    assert response.status_code == 200
    assert response.json()["database"] == "connected"


async def test_unreachable_database_is_503_unhealthy_while_health_stays_ok(
    make_client: ClientFactory,
) -> None:
    dead = f"postgresql+asyncpg://chatcore:x@127.0.0.1:{free_port()}/chatcore"
    async with make_client(database_url=dead) as client:
        assert (await client.get("/health")).status_code == 200
        response = await client.get("/health/db")
        assert response.status_code == 503
        assert response.json() == {"status": "unhealthy", "database": "unreachable"}
        assert_problem(await client.get("/v1/tenants/by-slug/default"), 503, "unavailable")


async def test_unknown_route_is_a_not_found_problem(client: Client) -> None:
    assert_problem(await client.get("/v1/nowhere"), 404, "not_found")


async def test_wrong_method_is_a_problem(client: Client) -> None:
    assert_problem(await client.delete("/health"), 405, "method_not_allowed")


async def test_malformed_json_is_400_malformed_body(client: Client) -> None:
    response = await client.post(
        "/v1/tenants", content=b'{"slug": ', headers={**ADMIN, "Content-Type": "application/json"}
    )
    assert_problem(response, 400, "malformed_body")


async def test_invalid_body_is_422_with_field_errors(client: Client) -> None:
    response = await client.post("/v1/tenants", json={"slug": "ok"}, headers=ADMIN)
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"] == [{"field": "name", "message": body["errors"][0]["message"]}]

    response = await client.post(
        "/v1/tenants", json={"slug": "ok", "name": "Ok", "surprise": 1}, headers=ADMIN
    )
    assert assert_problem(response, 422, "validation_failed")["errors"][0]["field"] == "surprise"

    response = await client.post(
        "/v1/tenants", json={"slug": "Not A Slug", "name": "x"}, headers=ADMIN
    )
    assert assert_problem(response, 422, "validation_failed")["errors"][0]["field"] == "slug"


async def test_admin_routes_need_the_admin_token(client: Client) -> None:
    body = {"slug": "acme", "name": "Acme"}
    assert_problem(await client.post("/v1/tenants", json=body), 401, "admin_required")
    assert_problem(
        await client.post("/v1/tenants", json=body, headers={"X-Admin-Token": "wrong"}),
        401,
        "admin_required",
    )


async def test_admin_routes_are_off_without_a_configured_token(
    make_client: ClientFactory,
) -> None:
    async with make_client(admin_token="") as client:
        response = await client.post(
            "/v1/tenants", json={"slug": "a", "name": "A"}, headers={"X-Admin-Token": ""}
        )
    assert_problem(response, 401, "admin_required")


async def test_tenant_lifecycle(client: Client) -> None:
    created = await client.post(
        "/v1/tenants",
        json={
            "slug": "acme",
            "name": "Acme",
            "settings": {"auth_methods": ["otp"], "system_prompt": "Be brief."},
        },
        headers=ADMIN,
    )
    assert created.status_code == 201
    tenant = created.json()
    assert tenant["slug"] == "acme"
    assert tenant["settings"]["auth_methods"] == ["otp"]
    assert tenant["settings"]["rate_limit_per_minute"] == 30  # the deployment default

    public = (await client.get("/v1/tenants/by-slug/acme")).json()
    assert public == {"id": tenant["id"], "slug": "acme", "name": "Acme", "auth_methods": ["otp"]}

    again = await client.post("/v1/tenants", json={"slug": "acme", "name": "Other"}, headers=ADMIN)
    assert_problem(again, 409, "conflict")

    patched = await client.patch(
        f"/v1/tenants/{tenant['id']}",
        json={"name": "Acme Inc", "settings": {"auth_methods": ["otp", "password"]}},
        headers=ADMIN,
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "Acme Inc"
    assert patched.json()["settings"]["system_prompt"] == "Be brief."  # untouched
    public = (await client.get("/v1/tenants/by-slug/acme")).json()
    assert public["auth_methods"] == ["otp", "password"]

    missing = await client.patch(f"/v1/tenants/{_UNKNOWN}", json={"name": "x"}, headers=ADMIN)
    assert_problem(missing, 404, "tenant_not_found")


async def test_unknown_slug_is_tenant_not_found(client: Client) -> None:
    assert_problem(await client.get("/v1/tenants/by-slug/nobody"), 404, "tenant_not_found")


async def test_a_tenant_reference_that_cannot_be_one_is_not_echoed(client: Client) -> None:
    for odd in ("a" * 5000, "b" * 64, "%00", "-leading-hyphen", "has space", "<script>"):
        by_header = await client.post("/v1/sessions", headers={"X-Tenant-ID": odd})
        by_path = await client.get(f"/v1/tenants/by-slug/{odd}")
        for response in (by_header, by_path):
            body = assert_problem(response, 404, "tenant_not_found")
            assert odd not in body["detail"], odd
    named = await client.get("/v1/tenants/by-slug/nobody")
    assert "nobody" in assert_problem(named, 404, "tenant_not_found")["detail"]


async def test_the_default_tenant_exists_from_the_first_start(client: Client) -> None:
    response = await client.get("/v1/tenants/by-slug/default")
    assert response.status_code == 200
    assert response.json()["auth_methods"] == ["otp", "password", "anonymous"]


async def test_tenants_list_pages(client: Client) -> None:
    for i in range(3):
        await client.post("/v1/tenants", json={"slug": f"t{i}", "name": f"T{i}"}, headers=ADMIN)
    first = (await client.get("/v1/tenants?limit=2", headers=ADMIN)).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = (
        await client.get(f"/v1/tenants?limit=2&cursor={first['next_cursor']}", headers=ADMIN)
    ).json()
    slugs = [t["slug"] for t in first["items"] + rest["items"]]
    assert slugs == ["default", "t0", "t1", "t2"]
    assert rest["next_cursor"] is None
    assert_problem(
        await client.get("/v1/tenants?cursor=garbage", headers=ADMIN), 422, "validation_failed"
    )
    assert_problem(
        await client.get("/v1/tenants?limit=500", headers=ADMIN), 422, "validation_failed"
    )


ORIGIN = "https://app.example.test"


async def test_cors_preflight_from_a_listed_origin(make_client: ClientFactory) -> None:
    async with make_client(allow_origins=ORIGIN) as client:
        response = await client.options(
            "/v1/tenants",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, x-tenant-id",
            },
        )
    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"


async def test_cors_headers_on_responses_and_errors_for_a_listed_origin(
    make_client: ClientFactory,
) -> None:
    async with make_client(allow_origins=f"{ORIGIN},https://other.test") as client:
        for response in (
            await client.get("/health", headers={"Origin": ORIGIN}),
            await client.get("/v1/nowhere", headers={"Origin": ORIGIN}),
            await client.post("/v1/tenants", json={}, headers={"Origin": ORIGIN}),
        ):
            assert response.headers["access-control-allow-origin"] == ORIGIN
            assert response.headers["access-control-allow-credentials"] == "true"


async def test_an_unlisted_origin_gets_no_cors_headers(make_client: ClientFactory) -> None:
    evil = "https://evil.test"
    async with make_client(allow_origins=ORIGIN) as client:
        preflight = await client.options(
            "/v1/tenants", headers={"Origin": evil, "Access-Control-Request-Method": "POST"}
        )
        simple = await client.get("/health", headers={"Origin": evil})
    for response in (preflight, simple):
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]


async def test_openapi_declares_bearer_auth_and_swagger_is_served(client: Client) -> None:
    spec = (await client.get("/schema/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "/v1/tenants" in spec["paths"]
    chat_answer = spec["paths"]["/v1/chat"]["post"]["responses"]["200"]
    assert list(chat_answer["content"]) == ["text/event-stream"]
    swagger = await client.get("/schema/swagger")
    assert swagger.status_code == 200 and "swagger" in swagger.text.lower()


_UNKNOWN = "00000000-0000-4000-8000-000000000000"


async def test_a_body_field_of_the_wrong_type_is_422_not_500(client: Client) -> None:
    # "settings" is also the name of a configuration object inside the app; a client's
    # field of that name must still be validated as the client's.
    response = await client.post(
        "/v1/tenants", json={"slug": "acme", "name": "Acme", "settings": "fast"}, headers=ADMIN
    )
    assert assert_problem(response, 422, "validation_failed")["errors"][0]["field"] == "settings"

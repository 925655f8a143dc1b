"""The public tenant lookup and tenant administration.

Tenants cannot be deleted through the API, so the administration check leaves one
tenant behind, named ``contract-check-<random>``.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from chatcore_contract._accounts import Deployment, Principal
from chatcore_contract._support import (
    could_not_run,
    expect,
    expect_fields,
    expect_problem,
)

AUTH_METHODS = {"otp", "password", "anonymous"}
TENANT_FIELDS = {"id", "slug", "name", "settings"}


def test_a_tenant_is_found_by_its_slug(api: httpx.Client, deployment: Deployment) -> None:
    """GET /v1/tenants/by-slug/{slug} is {id, slug, name, auth_methods}."""
    slug = deployment.tenant or "default"
    response = api.get(f"/v1/tenants/by-slug/{slug}")
    if response.status_code == 404 and deployment.tenant is None:
        could_not_run("the default tenant is not called 'default'; name it with --tenant")
    body = expect(response, 200)
    expect_fields(body, {"id", "slug", "name", "auth_methods"}, "the tenant")
    assert body["slug"] == slug, body
    assert set(body["auth_methods"]) <= AUTH_METHODS, body


def test_an_unknown_slug_is_404_tenant_not_found(api: httpx.Client) -> None:
    """An unknown slug is 404 tenant_not_found."""
    response = api.get(f"/v1/tenants/by-slug/contract-no-such-tenant-{secrets.token_hex(4)}")
    expect_problem(response, 404, "tenant_not_found")


def test_administration_needs_the_admin_token(api: httpx.Client) -> None:
    """Tenant administration without the token, or with a wrong one, is 401 admin_required."""
    body = {"slug": f"contract-refused-{secrets.token_hex(4)}", "name": "Refused"}
    expect_problem(api.post("/v1/tenants", json=body), 401, "admin_required")
    wrong = {"X-Admin-Token": f"contract-wrong-{secrets.token_hex(8)}"}
    expect_problem(api.post("/v1/tenants", json=body, headers=wrong), 401, "admin_required")


@pytest.fixture(scope="module")
def other_tenant(api: httpx.Client, deployment: Deployment) -> dict[str, Any]:
    """A new tenant allowing only sign-in by code, as its creation answered."""
    if deployment.admin_token is None:
        could_not_run("no --admin-token given")
    slug = f"contract-check-{secrets.token_hex(4)}"
    body = {"slug": slug, "name": "Contract check", "settings": {"auth_methods": ["otp"]}}
    response = api.post("/v1/tenants", json=body, headers=admin_headers(deployment))
    created: dict[str, Any] = expect(response, 201)
    return created


def test_an_admin_creates_reads_and_changes_a_tenant(
    api: httpx.Client, deployment: Deployment, other_tenant: dict[str, Any]
) -> None:
    """POST /v1/tenants is 201; the tenant reads back, changes, and its slug is taken."""
    admin = admin_headers(deployment)
    expect_fields(other_tenant, TENANT_FIELDS, "the created tenant")
    slug, tenant_id = other_tenant["slug"], other_tenant["id"]
    assert other_tenant["name"] == "Contract check", other_tenant
    assert expect(api.get(f"/v1/tenants/{tenant_id}", headers=admin), 200) == other_tenant
    renamed = api.patch(
        f"/v1/tenants/{tenant_id}", json={"name": "Contract check (renamed)"}, headers=admin
    )
    assert expect(renamed, 200)["name"] == "Contract check (renamed)"
    public = expect(api.get(f"/v1/tenants/by-slug/{slug}"), 200)
    assert public["auth_methods"] == ["otp"], public
    again = {"slug": slug, "name": "Contract check, again"}
    expect_problem(api.post("/v1/tenants", json=again, headers=admin), 409, "conflict")


def test_a_tenant_refuses_the_sign_in_it_does_not_offer(
    api: httpx.Client, other_tenant: dict[str, Any]
) -> None:
    """An anonymous session in a tenant allowing only codes is 403 auth_method_disabled."""
    response = api.post("/v1/sessions", headers={"X-Tenant-ID": other_tenant["slug"]})
    expect_problem(response, 403, "auth_method_disabled")


def test_a_credential_is_refused_in_another_tenant(
    api: httpx.Client, principal: Principal, other_tenant: dict[str, Any]
) -> None:
    """A credential used with another tenant's X-Tenant-ID is 403 tenant_mismatch."""
    elsewhere = {**principal.headers, "X-Tenant-ID": other_tenant["id"]}
    expect_problem(api.get("/v1/dialogs", headers=elsewhere), 403, "tenant_mismatch")


def admin_headers(deployment: Deployment) -> dict[str, str]:
    """Headers carrying the admin token."""
    assert deployment.admin_token is not None
    return {"X-Admin-Token": deployment.admin_token}

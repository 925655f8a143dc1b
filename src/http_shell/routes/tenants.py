"""Tenant administration (``X-Admin-Token``) and the public tenant lookup."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Router, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.types import ControllerRouterHandler

from chatcore.errors import Conflict
from chatcore.kernel import TenantId
from chatcore.tenants.model import TenantSettings
from http_shell.dependencies import Admin, Cases
from http_shell.openapi import raises
from http_shell.schemas import (
    CreateTenantBody,
    PublicTenantOut,
    TenantOut,
    TenantPage,
    UpdateTenantBody,
)


@post("/", status_code=201, summary="Create a tenant (admin)", opt=raises(Conflict))
async def create_tenant_route(
    data: JSONBody[CreateTenantBody], admin: Admin, use_cases: Cases
) -> TenantOut:
    settings = msgspec.convert(data.settings.given(), TenantSettings)
    return TenantOut.of(await use_cases.create_tenant()(data.slug, data.name, settings))


@get("/", summary="List tenants (admin)")
async def list_tenants_route(
    admin: Admin,
    use_cases: Cases,
    limit: Annotated[int | None, Parameter(ge=1, le=200)] = None,
    cursor: FromQuery[str | None] = None,
) -> TenantPage:
    page = await use_cases.list_tenants()(use_cases.cursor_codec().page_request(limit, cursor))
    return TenantPage(
        [TenantOut.of(t) for t in page.items], use_cases.cursor_codec().encode(page.next_after)
    )


@get("/{tenant_id:uuid}", summary="One tenant (admin)")
async def get_tenant_route(
    tenant_id: FromPath[uuid.UUID], admin: Admin, use_cases: Cases
) -> TenantOut:
    return TenantOut.of(await use_cases.find_tenant()(str(tenant_id)))


@patch("/{tenant_id:uuid}", summary="Change a tenant (admin)")
async def update_tenant_route(
    tenant_id: FromPath[uuid.UUID], data: JSONBody[UpdateTenantBody], admin: Admin, use_cases: Cases
) -> TenantOut:
    settings = data.settings.given() if data.settings is not msgspec.UNSET else None
    name = data.name if data.name is not msgspec.UNSET else None
    tenant = await use_cases.update_tenant()(TenantId(tenant_id), name, settings)
    use_cases.tenant_directory().forget(tenant)
    return TenantOut.of(tenant)


@get("/v1/tenants/by-slug/{slug:str}", tags=["tenants"], summary="Public tenant info")
async def tenant_by_slug_route(slug: FromPath[str], use_cases: Cases) -> PublicTenantOut:
    return PublicTenantOut.of(await use_cases.find_tenant()(slug))


admin_router = Router(
    path="/v1/tenants",
    route_handlers=[create_tenant_route, list_tenants_route, get_tenant_route, update_tenant_route],
    tags=["tenants"],
    security=[{"admin": []}],
)

ROUTES: list[ControllerRouterHandler] = [admin_router, tenant_by_slug_route]

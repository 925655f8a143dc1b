"""Tenant administration (``X-Admin-Token``) and the public tenant lookup."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Router, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.types import ControllerRouterHandler

from chatcore.kernel import TenantId
from chatcore.pagination import CursorCodec
from chatcore.tenants.model import TenantSettings
from chatcore.tenants.use_cases import (
    CreateTenant,
    FindTenant,
    ListTenants,
    TenantDirectory,
    UpdateTenant,
)
from http_shell.dependencies import admin_guard
from http_shell.schemas import (
    CreateTenantBody,
    PublicTenantOut,
    TenantOut,
    TenantPage,
    UpdateTenantBody,
)


@post("/", status_code=201, summary="Create a tenant (admin)")
async def create_tenant_route(
    data: JSONBody[CreateTenantBody], create_tenant: NamedDependency[CreateTenant]
) -> TenantOut:
    settings = msgspec.convert(data.settings.given(), TenantSettings)
    return TenantOut.of(await create_tenant(data.slug, data.name, settings))


@get("/", summary="List tenants (admin)")
async def list_tenants_route(
    list_tenants: NamedDependency[ListTenants],
    cursor_codec: NamedDependency[CursorCodec],
    limit: Annotated[int | None, Parameter(ge=1, le=200)] = None,
    cursor: FromQuery[str | None] = None,
) -> TenantPage:
    page = await list_tenants(cursor_codec.page_request(limit, cursor))
    return TenantPage([TenantOut.of(t) for t in page.items], cursor_codec.encode(page.next_after))


@get("/{tenant_id:uuid}", summary="One tenant (admin)")
async def get_tenant_route(
    tenant_id: FromPath[uuid.UUID], find_tenant: NamedDependency[FindTenant]
) -> TenantOut:
    return TenantOut.of(await find_tenant(str(tenant_id)))


@patch("/{tenant_id:uuid}", summary="Change a tenant (admin)")
async def update_tenant_route(
    tenant_id: FromPath[uuid.UUID],
    data: JSONBody[UpdateTenantBody],
    update_tenant: NamedDependency[UpdateTenant],
    tenant_directory: NamedDependency[TenantDirectory],
) -> TenantOut:
    settings = data.settings.given() if data.settings is not msgspec.UNSET else None
    name = data.name if data.name is not msgspec.UNSET else None
    tenant = await update_tenant(TenantId(tenant_id), name, settings)
    tenant_directory.forget(tenant)
    return TenantOut.of(tenant)


@get("/v1/tenants/by-slug/{slug:str}", tags=["tenants"], summary="Public tenant info")
async def tenant_by_slug_route(
    slug: FromPath[str], find_tenant: NamedDependency[FindTenant]
) -> PublicTenantOut:
    return PublicTenantOut.of(await find_tenant(slug))


admin_router = Router(
    path="/v1/tenants",
    route_handlers=[create_tenant_route, list_tenants_route, get_tenant_route, update_tenant_route],
    guards=[admin_guard],
    tags=["tenants"],
    security=[{"admin": []}],
)

ROUTES: list[ControllerRouterHandler] = [admin_router, tenant_by_slug_route]

"""Request and response bodies at the HTTP edge. Unknown fields are refused."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

from chatcore.tenants.model import AuthMethod, Tenant, TenantSettings
from http_shell.constraints import Count, Slug, SystemPrompt, TenantName


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body."""


class TenantSettingsBody(Body):
    """Tenant settings as a client sends them; every field is optional."""

    system_prompt: SystemPrompt | msgspec.UnsetType | None = msgspec.UNSET
    model: str | msgspec.UnsetType | None = msgspec.UNSET
    auth_methods: (
        Annotated[list[AuthMethod], msgspec.Meta(extra_json_schema={"uniqueItems": True})]
        | msgspec.UnsetType
    ) = msgspec.UNSET
    monthly_token_quota: Count | msgspec.UnsetType | None = msgspec.UNSET
    tenant_monthly_token_cap: Count | msgspec.UnsetType | None = msgspec.UNSET
    rate_limit_per_minute: Count | msgspec.UnsetType | None = msgspec.UNSET
    storage_quota_mb: Count | msgspec.UnsetType | None = msgspec.UNSET

    def given(self) -> dict[str, object]:
        """Only the fields the client sent."""
        return {
            f: getattr(self, f)
            for f in self.__struct_fields__
            if getattr(self, f) is not msgspec.UNSET
        }


class CreateTenantBody(Body):
    """``POST /v1/tenants``."""

    slug: Slug
    name: TenantName
    settings: TenantSettingsBody = msgspec.field(default_factory=TenantSettingsBody)


class UpdateTenantBody(Body):
    """``PATCH /v1/tenants/{id}``."""

    name: TenantName | msgspec.UnsetType = msgspec.UNSET
    settings: TenantSettingsBody | msgspec.UnsetType = msgspec.UNSET


class TenantOut(msgspec.Struct):
    """A tenant, as its administrator sees it."""

    id: uuid.UUID
    slug: str
    name: str
    settings: TenantSettings

    @classmethod
    def of(cls, tenant: Tenant) -> TenantOut:
        return cls(id=tenant.id, slug=tenant.slug, name=tenant.name, settings=tenant.settings)


class PublicTenantOut(msgspec.Struct):
    """A tenant, as anyone may see it: enough for a login page."""

    id: uuid.UUID
    slug: str
    name: str
    auth_methods: tuple[AuthMethod, ...]

    @classmethod
    def of(cls, tenant: Tenant) -> PublicTenantOut:
        return cls(
            id=tenant.id,
            slug=tenant.slug,
            name=tenant.name,
            auth_methods=tenant.settings.auth_methods,
        )


class TenantPage(msgspec.Struct):
    """A page of tenants."""

    items: list[TenantOut]
    next_cursor: str | None


class HealthOut(msgspec.Struct):
    """``GET /health``."""

    status: Literal["ok"]
    version: str


class DatabaseHealthOut(msgspec.Struct, omit_defaults=True):
    """``GET /health/db``."""

    status: Literal["healthy", "unhealthy"]
    database: Literal["connected", "unreachable"]
    latency_ms: float | None = None
    pool: dict[str, int] | None = None

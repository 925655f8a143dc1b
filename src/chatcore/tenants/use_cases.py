"""Tenant use cases: create, change, find (through a short-lived cache, because every
request names one), list, and the default tenant at start."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import msgspec

from chatcore.errors import Conflict, InvalidInput, TenantNotFound
from chatcore.kernel import Clock, IdFactory, TenantDefaults, TenantId
from chatcore.pagination import Page, PageRequest
from chatcore.tenants.model import Tenant, TenantSettings, is_slug, validate_name, validate_slug
from chatcore.unit_of_work import UnitOfWorkFactory

__all__ = [
    "CreateTenant",
    "EnsureTenant",
    "FindTenant",
    "ListTenants",
    "TenantDirectory",
    "UpdateTenant",
]


class CreateTenant:
    """Create a tenant with a unique slug."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdFactory, defaults: TenantDefaults
    ) -> None:
        self._uow, self._clock, self._ids, self._defaults = uow, clock, ids, defaults

    async def __call__(
        self, slug: str, name: str, settings: TenantSettings | None = None
    ) -> Tenant:
        """The new tenant; raises InvalidInput or Conflict (slug taken)."""
        settings = settings or TenantSettings()
        settings = msgspec.structs.replace(
            settings,
            monthly_token_quota=_or(
                settings.monthly_token_quota, self._defaults.monthly_token_quota
            ),
            rate_limit_per_minute=_or(
                settings.rate_limit_per_minute, self._defaults.rate_limit_per_minute
            ),
        )
        tenant = Tenant(
            id=TenantId(self._ids.new_id()),
            slug=validate_slug(slug),
            name=validate_name(name),
            settings=settings.validated(),
            created_at=self._clock.now(),
        )
        async with self._uow() as uow:
            if await uow.tenants.get_by_slug(tenant.slug) is not None:
                raise Conflict(f"The slug {tenant.slug!r} is taken.")
            await uow.tenants.add(tenant)
            await uow.commit()
        return tenant


class UpdateTenant:
    """Rename a tenant or change some of its settings."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self,
        tenant_id: TenantId,
        name: str | None = None,
        settings_changes: Mapping[str, Any] | None = None,
    ) -> Tenant:
        """The changed tenant; raises TenantNotFound or InvalidInput."""
        async with self._uow() as uow:
            tenant = await uow.tenants.get(tenant_id)
            if tenant is None:
                raise TenantNotFound("No such tenant.")
            settings = tenant.settings
            if settings_changes:
                settings = _merge_settings(settings, settings_changes)
            tenant = msgspec.structs.replace(
                tenant,
                name=validate_name(name) if name is not None else tenant.name,
                settings=settings.validated(),
            )
            await uow.tenants.update(tenant)
            await uow.commit()
        return tenant


class FindTenant:
    """Find a tenant by id or by slug, as clients address them."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, reference: str) -> Tenant:
        """The tenant whose id or slug is ``reference``; raises TenantNotFound, naming
        the reference only if it has the shape of one (a client's header or path could
        be of any length or content)."""
        tenant_id, slug = _as_uuid(reference), reference.lower()
        if tenant_id is None and not is_slug(slug):
            raise TenantNotFound("No tenant has that id or slug.")
        async with self._uow() as uow:
            if tenant_id is not None:
                tenant = await uow.tenants.get(TenantId(tenant_id))
            else:
                tenant = await uow.tenants.get_by_slug(slug)
        if tenant is None:
            raise TenantNotFound(f"No tenant is called {reference!r}.")
        return tenant


class ListTenants:
    """Tenants, oldest first, a page at a time."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, page: PageRequest) -> Page[Tenant]:
        """One page of tenants."""
        async with self._uow() as uow:
            return await uow.tenants.list(page)


class EnsureTenant:
    """Create the tenant with this slug unless it exists (the default tenant at start)."""

    def __init__(self, find: FindTenant, create: CreateTenant) -> None:
        self._find, self._create = find, create

    async def __call__(self, slug: str, name: str) -> Tenant:
        """The tenant, old or new; safe when several processes start at once."""
        try:
            return await self._find(slug)
        except TenantNotFound:
            pass
        try:
            return await self._create(slug, name)
        except Conflict:
            return await self._find(slug)


def _merge_settings(settings: TenantSettings, changes: Mapping[str, Any]) -> TenantSettings:
    merged = msgspec.to_builtins(settings) | dict(changes)
    try:
        return msgspec.convert(merged, TenantSettings)
    except msgspec.ValidationError as exc:
        raise InvalidInput("settings", str(exc)) from exc


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


class TenantDirectory:
    """Finds tenants by id or slug, remembering each answer for ``ttl`` so the hot
    path does not read the database; changes made elsewhere show within ``ttl``."""

    def __init__(self, find: FindTenant, clock: Clock, ttl: timedelta = timedelta(seconds=30)):
        self._find, self._clock, self._ttl = find, clock, ttl
        self._cache: dict[str, tuple[datetime, Tenant]] = {}

    async def __call__(self, reference: str) -> Tenant:
        """The tenant whose id or slug is ``reference``; raises TenantNotFound."""
        now = self._clock.now()
        hit = self._cache.get(reference)
        if hit is not None and hit[0] > now:
            return hit[1]
        tenant = await self._find(reference)
        expires = now + self._ttl
        self._cache[reference] = (expires, tenant)
        return tenant

    def forget(self, tenant: Tenant) -> None:
        """Drop a changed tenant, so this process sees the change at once."""
        for key in (str(tenant.id), tenant.slug):
            self._cache.pop(key, None)

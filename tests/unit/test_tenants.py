"""Tenant use cases on the in-memory adapters."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory import MemoryDatabase
from chatcore.errors import Conflict, InvalidInput, TenantNotFound
from chatcore.kernel import RandomIdFactory, TenantDefaults
from chatcore.tenants.model import TenantSettings
from chatcore.tenants.use_cases import (
    CreateTenant,
    EnsureTenant,
    FindTenant,
    TenantDirectory,
    UpdateTenant,
)


class FixedClock:
    def __init__(self) -> None:
        self.at = datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def db() -> MemoryDatabase:
    return MemoryDatabase()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def create(db: MemoryDatabase, clock: FixedClock) -> CreateTenant:
    return CreateTenant(db.unit_of_work, clock, RandomIdFactory(), TenantDefaults(77, 7))


async def test_a_new_tenant_gets_the_deployment_limits_unless_given(create: CreateTenant) -> None:
    plain = await create("plain", "Plain")
    assert plain.settings.monthly_token_quota == 77
    assert plain.settings.rate_limit_per_minute == 7
    tuned = await create("tuned", "Tuned", TenantSettings(rate_limit_per_minute=0))
    assert tuned.settings.rate_limit_per_minute == 0


@pytest.mark.parametrize("slug", ["", "UPPER", "-dash", "dash-", "a b", "a" * 64, "é"])
async def test_bad_slugs_are_refused(create: CreateTenant, slug: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await create(slug, "Name")
    assert caught.value.field == "slug"


@pytest.mark.parametrize("slug", ["v1", "health", "schema", "assets"])
async def test_slugs_that_name_the_servers_own_paths_are_refused(
    create: CreateTenant, slug: str
) -> None:
    # /{slug}/chat must never collide with /v1/..., /health, /schema or /assets.
    with pytest.raises(InvalidInput, match="reserved") as caught:
        await create(slug, "Name")
    assert caught.value.field == "slug"


async def test_names_are_trimmed_and_must_not_be_empty(create: CreateTenant) -> None:
    assert (await create("acme", "  Acme  ")).name == "Acme"
    with pytest.raises(InvalidInput):
        await create("blank", "   ")


async def test_update_merges_settings_and_validates(
    db: MemoryDatabase, create: CreateTenant
) -> None:
    tenant = await create("acme", "Acme", TenantSettings(system_prompt="Hi"))
    update = UpdateTenant(db.unit_of_work)
    changed = await update(tenant.id, settings_changes={"auth_methods": ["otp"]})
    assert changed.settings.system_prompt == "Hi"
    assert changed.settings.auth_methods == ("otp",)
    with pytest.raises(InvalidInput):
        await update(tenant.id, settings_changes={"rate_limit_per_minute": -1})
    with pytest.raises(InvalidInput):
        await update(tenant.id, settings_changes={"auth_methods": ["otp", "otp"]})
    with pytest.raises(InvalidInput):
        await update(tenant.id, settings_changes={"storage_quota_mb": -1})
    assert (await FindTenant(db.unit_of_work)("acme")).settings == changed.settings


async def test_find_by_id_or_slug(db: MemoryDatabase, create: CreateTenant) -> None:
    tenant = await create("acme", "Acme")
    find = FindTenant(db.unit_of_work)
    assert await find(str(tenant.id)) == tenant
    assert await find("ACME") == tenant
    with pytest.raises(TenantNotFound):
        await find("nobody")


async def test_ensure_is_idempotent_even_when_racing(
    db: MemoryDatabase, create: CreateTenant
) -> None:
    ensure = EnsureTenant(FindTenant(db.unit_of_work), create)
    results = await asyncio.gather(*(ensure("default", "Default") for _ in range(10)))
    assert len({t.id for t in results}) == 1
    with pytest.raises(Conflict):
        await create("default", "Again")


async def test_directory_caches_for_its_ttl_and_forgets_on_demand(
    db: MemoryDatabase, create: CreateTenant, clock: FixedClock
) -> None:
    tenant = await create("acme", "Acme")
    directory = TenantDirectory(FindTenant(db.unit_of_work), clock, ttl=timedelta(seconds=30))
    assert (await directory("acme")).name == "Acme"
    await UpdateTenant(db.unit_of_work)(tenant.id, name="Renamed")
    assert (await directory("acme")).name == "Acme"  # cached
    clock.at += timedelta(seconds=31)
    assert (await directory("acme")).name == "Renamed"
    await UpdateTenant(db.unit_of_work)(tenant.id, name="Again")
    directory.forget(tenant)
    assert (await directory("acme")).name == "Again"

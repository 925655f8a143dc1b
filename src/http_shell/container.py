"""The composition root: the one place that picks adapters and wires use cases.

It needs no web framework: another Python service builds it from settings and
calls the use cases directly (see ``chatcore_system``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dependency_injector import containers, providers

from adapters.sql.engine import create_engine
from adapters.sql.health import SqlDatabaseProbe
from adapters.sql.migrate import migrate
from adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from chatcore.health import CheckDatabase
from chatcore.kernel import RandomIdFactory, SystemClock
from chatcore.tenants.directory import TenantDirectory
from chatcore.tenants.use_cases import (
    CreateTenant,
    EnsureTenant,
    FindTenant,
    ListTenants,
    TenantDefaults,
    UpdateTenant,
)
from http_shell.settings import Settings, ensure_secret_key


class Container(containers.DeclarativeContainer):
    """Adapters as singletons, use cases built on them."""

    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(RandomIdFactory)

    engine = providers.Singleton(
        create_engine,
        settings.provided.database_url,
        pool_size=settings.provided.db_pool_size,
        max_overflow=settings.provided.db_max_overflow,
    )
    uow = providers.Singleton(SqlUnitOfWorkFactory, engine)
    database_probe = providers.Singleton(SqlDatabaseProbe, engine)

    tenant_defaults = providers.Singleton(
        TenantDefaults,
        monthly_token_quota=settings.provided.monthly_token_quota,
        rate_limit_per_minute=settings.provided.rate_limit_per_minute,
    )
    create_tenant = providers.Singleton(CreateTenant, uow, clock, ids, tenant_defaults)
    update_tenant = providers.Singleton(UpdateTenant, uow)
    find_tenant = providers.Singleton(FindTenant, uow)
    list_tenants = providers.Singleton(ListTenants, uow)
    ensure_tenant = providers.Singleton(EnsureTenant, find_tenant, create_tenant)
    tenant_directory = providers.Singleton(TenantDirectory, find_tenant, clock)

    check_database = providers.Singleton(CheckDatabase, database_probe)


def build_container(settings: Settings) -> Container:
    """A container for these settings; nothing is opened until first used."""
    return Container(settings=ensure_secret_key(settings))


async def start(container: Container, *, run_migrations: bool | None = None) -> None:
    """Prepare storage: migrate when asked (default: the setting) and make sure the
    default tenant exists."""
    settings: Settings = container.settings()
    if run_migrations if run_migrations is not None else settings.auto_migrate:
        await migrate(container.engine())
    await container.ensure_tenant()(settings.default_tenant, "Default")


async def stop(container: Container) -> None:
    """Release every pool the container opened."""
    await container.engine().dispose()


@asynccontextmanager
async def chatcore_system(
    settings: Settings, *, run_migrations: bool | None = None
) -> AsyncIterator[Container]:
    """The whole system for use inside another Python service, open for the block."""
    container = build_container(settings)
    await start(container, run_migrations=run_migrations)
    try:
        yield container
    finally:
        await stop(container)

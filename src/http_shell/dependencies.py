"""Bridges from the container into Litestar: each provider becomes a dependency
named like it, resolved once per app (the use cases are singletons), and the
container itself is the dependency ``container``.

Litestar resolves the dependencies of one level that do not depend on each other
concurrently, in a task group created for every request. The request-scoped
providers here (tenant, principal) therefore depend on ``container`` alone, and a
hot route takes its use case from it: each level then holds one dependency and is
resolved inline.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any, TypeAlias

from dependency_injector import providers
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers import BaseRouteHandler

from chatcore.errors import AdminRequired
from chatcore.tenants.model import Tenant
from http_shell.container import Container
from http_shell.settings import Settings

if TYPE_CHECKING:
    AppContainer: TypeAlias = Container
else:
    # Litestar checks each dependency's value against its annotation, and an instance
    # of a DeclarativeContainer is a DynamicContainer: at run time, routes say Any.
    AppContainer = Any

TENANT_HEADER = "x-tenant-id"
ADMIN_HEADER = "x-admin-token"


# Litestar reports a bad request-body field as a server error when the field shares
# its name with a dependency, and bodies have "settings" fields (tenants, profile).
_DEPENDENCY_NAMES = {"settings": "app_config"}


def container_dependencies(container: Container) -> dict[str, Provide]:
    """A dependency per provider of the container (``create_tenant``, ``app_config``, ...),
    ``container`` and ``tenant``."""
    dependencies: dict[str, Provide] = {
        "container": Provide(lambda: container, use_cache=True, sync_to_thread=False)
    }
    for name, provider in container.providers.items():
        if isinstance(provider, providers.Singleton | providers.Dependency):
            dependencies[_DEPENDENCY_NAMES.get(name, name)] = Provide(
                _constant(provider), use_cache=True, sync_to_thread=False
            )
    dependencies["tenant"] = Provide(provide_tenant)
    return dependencies


def _constant(provider: Any) -> Any:
    def resolve() -> Any:
        return provider()

    return resolve


async def provide_tenant(
    request: Request[Any, Any, Any], container: NamedDependency[AppContainer]
) -> Tenant:
    """The tenant a request is served in: ``X-Tenant-ID`` (id or slug), else the default."""
    reference = request.headers.get(TENANT_HEADER) or container.settings().default_tenant
    return await container.tenant_directory()(reference)


async def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Let a request through only with the configured ``X-Admin-Token``; else AdminRequired."""
    app_config: Settings = connection.app.state.settings
    expected = app_config.admin_token
    if not expected:
        raise AdminRequired("Administration is disabled: CHATCORE_ADMIN_TOKEN is not set.")
    given = connection.headers.get(ADMIN_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise AdminRequired("A valid X-Admin-Token header is required.")

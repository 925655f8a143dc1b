"""The bridge from the container into Litestar, and the one way a route reaches the
core: the dependency ``use_cases`` (``http_shell.use_cases.UseCases``), from which a
route takes its use case (``use_cases.list_dialogs()``). Adapters are not reachable
from routes; the request-scoped values (tenant, principal) are dependencies built
from ``use_cases`` too.

Litestar resolves the dependencies of one level that do not depend on each other
concurrently, in a task group created for every request, which costs more than the
work on a hot route. So every dependency here hangs off the previous one in a chain
(``use_cases`` → ``tenant`` or ``principal`` → ``principal_tenant``): a route that
takes ``use_cases`` and ``principal`` resolves each level inline.
"""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import SkipValidation

from chatcore.errors import AdminRequired
from chatcore.tenants.model import Tenant
from http_shell.use_cases import UseCases

# A container instance is a DynamicContainer, not a UseCases, so Litestar must not
# check the value against the annotation; the annotation is for the type checker.
Cases = NamedDependency[SkipValidation[UseCases]]

TENANT_HEADER = "x-tenant-id"
ADMIN_HEADER = "x-admin-token"


class Administrator:
    """Proof that a request carried the configured ``X-Admin-Token``."""


ADMINISTRATOR = Administrator()
Admin = NamedDependency[Administrator]


async def provide_tenant(request: Request[Any, Any, Any], use_cases: Cases) -> Tenant:
    """The tenant a request is served in: ``X-Tenant-ID`` (id or slug), else the default."""
    reference = request.headers.get(TENANT_HEADER) or use_cases.settings().default_tenant
    return await use_cases.tenant_directory()(reference)


def provide_admin(request: Request[Any, Any, Any], use_cases: Cases) -> Administrator:
    """Let a request through only with the configured ``X-Admin-Token``; else AdminRequired."""
    expected = use_cases.settings().admin_token
    if not expected:
        raise AdminRequired("Administration is disabled: CHATCORE_ADMIN_TOKEN is not set.")
    given = request.headers.get(ADMIN_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise AdminRequired("A valid X-Admin-Token header is required.")
    return ADMINISTRATOR

"""Credentials at the edge: the bearer header or the session cookie, the cookie's
attributes, the cross-site check for cookie-authenticated changes and for the routes
that set the cookie, and the principal dependency every protected route uses (taking
what it needs from the container: see ``http_shell.dependencies``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency

from chatcore.errors import CsrfRejected, Forbidden, NotAuthenticated
from chatcore.identity.principal import Principal
from chatcore.identity.use_cases.sessions import ResolvePrincipal
from chatcore.kernel import TenantId
from chatcore.tenants.model import Tenant
from chatcore.tenants.use_cases import TenantDirectory
from http_shell.dependencies import TENANT_HEADER, Cases, provide_tenant
from http_shell.settings import Settings

COOKIE_NAME = "chatcore_session"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def credential_of(connection: ASGIConnection[Any, Any, Any, Any]) -> tuple[str | None, bool]:
    """The presented token and whether it came from the cookie (bearer wins)."""
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip(), False
    cookie = connection.cookies.get(COOKIE_NAME)
    return (cookie, True) if cookie else (None, False)


def session_cookie(token: str, app_config: Settings) -> Cookie:
    """The httpOnly cookie carrying a fresh credential."""
    return Cookie(
        key=COOKIE_NAME,
        value=token,
        max_age=app_config.session_ttl_minutes * 60,
        path="/",
        httponly=True,
        secure=app_config.secure_cookie,
        samesite=app_config.cookie_samesite,
    )


def cleared_cookie(app_config: Settings) -> Cookie:
    """A cookie that makes the browser forget the session cookie."""
    return Cookie(
        key=COOKIE_NAME,
        value="",
        max_age=0,
        expires=0,
        path="/",
        httponly=True,
        secure=app_config.secure_cookie,
        samesite=app_config.cookie_samesite,
    )


def check_same_origin(connection: ASGIConnection[Any, Any, Any, Any], app_config: Settings) -> None:
    """Refuse a request whose ``Origin`` is neither this server's nor a listed one.

    Browsers send ``Origin`` on every cross-origin request and on unsafe same-origin
    ones; without it, ``Sec-Fetch-Site`` still tells a cross-site request apart.
    """
    origin = connection.headers.get("origin")
    if origin is None:
        if connection.headers.get("sec-fetch-site") == "cross-site":
            raise CsrfRejected("Cross-site requests may not use the session cookie.")
        return
    if origin in app_config.allow_origins or origin in _own_origins(connection, app_config):
        return
    raise CsrfRejected("Requests from this origin may not use the session cookie.")


def _own_origins(connection: ASGIConnection[Any, Any, Any, Any], app_config: Settings) -> set[str]:
    # The origin of CHATCORE_PUBLIC_URL (what a browser sees behind a TLS-ending
    # proxy), and the request's own scheme and Host (the built-in web client, served
    # by this server, on whatever address it was reached).
    public = urlsplit(app_config.public_url)
    host = connection.headers.get("host", "")
    scheme = connection.url.scheme.replace("ws", "http")
    return {f"{public.scheme}://{public.netloc}", f"{scheme}://{host}"}


async def requested_tenant_id(
    connection: ASGIConnection[Any, Any, Any, Any], directory: TenantDirectory
) -> TenantId | None:
    """The tenant the ``X-Tenant-ID`` header names, if it names one."""
    reference = connection.headers.get(TENANT_HEADER)
    return (await directory(reference)).id if reference else None


async def authenticate(
    connection: ASGIConnection[Any, Any, Any, Any],
    resolve: ResolvePrincipal,
    directory: TenantDirectory,
    app_config: Settings,
    *,
    unsafe: bool,
) -> Principal:
    """The verified caller; raises NotAuthenticated, TenantMismatch or CsrfRejected."""
    token, via_cookie = credential_of(connection)
    if token is None:
        raise NotAuthenticated("Sign in first: send a bearer token or the session cookie.")
    if via_cookie and unsafe:
        check_same_origin(connection, app_config)
    return await resolve(token, await requested_tenant_id(connection, directory))


async def provide_principal(request: Request[Any, Any, Any], use_cases: Cases) -> Principal:
    """The principal of a protected route."""
    return await authenticate(
        request,
        use_cases.resolve_principal(),
        use_cases.tenant_directory(),
        use_cases.settings(),
        unsafe=request.method not in _SAFE_METHODS,
    )


async def provide_optional_principal(
    request: Request[Any, Any, Any], use_cases: Cases
) -> Principal | None:
    """The caller if a valid credential came with the request (sign-in routes use it
    to retire an anonymous session), else None."""
    if credential_of(request)[0] is None:
        return None
    try:
        return await provide_principal(request, use_cases)
    except (NotAuthenticated, Forbidden):
        # A stale or foreign credential must not stand in the way of signing in.
        return None


async def provide_principal_tenant(
    principal: NamedDependency[Principal], use_cases: Cases
) -> Tenant:
    """The tenant a principal belongs to: the one in its credential."""
    return await use_cases.tenant_directory()(str(principal.tenant_id))


async def provide_sign_in_tenant(request: Request[Any, Any, Any], use_cases: Cases) -> Tenant:
    """The tenant of a route that sets the session cookie, once its ``Origin`` passed.

    Against login CSRF: a page of another site must not sign its visitor into the
    attacker's account (whose chats and uploads the attacker would then read).
    """
    check_same_origin(request, use_cases.settings())
    return await provide_tenant(request, use_cases)

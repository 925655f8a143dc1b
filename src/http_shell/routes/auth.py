"""``/v1/auth/*`` and ``/v1/sessions``: sign-in, sign-up, sign-out, deletion."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, Router, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect
from litestar.types import ControllerRouterHandler

from chatcore.identity.model import Credential
from chatcore.identity.principal import Principal
from chatcore.identity.use_cases.accounts import DeleteAccount
from chatcore.identity.use_cases.login import Login
from chatcore.identity.use_cases.otp import RequestOtp, VerifyOtp
from chatcore.identity.use_cases.registration import ConfirmEmail, Register
from chatcore.identity.use_cases.sessions import CreateAnonymousSession, DeleteSession, Logout
from chatcore.profile.use_cases.profile import GetProfile
from chatcore.tenants.model import Tenant
from http_shell.client_address import TrustedProxies
from http_shell.credentials import cleared_cookie, session_cookie, sign_in_guard
from http_shell.schemas_auth import (
    Accepted,
    AnonymousSessionOut,
    ConfirmedOut,
    CredentialOut,
    EmailBody,
    OtpVerifyBody,
    PasswordBody,
    UserOut,
    anonymous_me,
)
from http_shell.settings import Settings

MAX_AUTH_BODY = 1024 * 1024
_CODE_SENT = Accepted("accepted", "If the address can receive mail, a code is on its way.")
_LINK_SENT = Accepted("accepted", "If the address can receive mail, a link is on its way.")

Me = NamedDependency[Principal]
CurrentTenant = NamedDependency[Tenant]
Config = NamedDependency[Settings]
MaybeMe = NamedDependency[Principal | None]
# What OpenAPI declares for protected routes (the session cookie works as well).
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


def _user_agent(request: Request[Any, Any, Any]) -> str | None:
    return request.headers.get("user-agent")


def _signed_in(credential: Credential, app_config: Settings) -> Response[CredentialOut]:
    return Response(
        CredentialOut.of(credential), cookies=[session_cookie(credential.access_token, app_config)]
    )


@post(
    "/otp/request",
    status_code=202,
    summary="Mail a sign-in code",
    request_max_body_size=MAX_AUTH_BODY,
)
async def request_otp_route(
    data: JSONBody[EmailBody], tenant: CurrentTenant, request_otp: NamedDependency[RequestOtp]
) -> Accepted:
    await request_otp(tenant, data.email)
    return _CODE_SENT


@post(
    "/otp/verify",
    status_code=200,
    summary="Sign in with the mailed code",
    guards=[sign_in_guard],
    request_max_body_size=MAX_AUTH_BODY,
)
async def verify_otp_route(
    request: Request[Any, Any, Any],
    data: JSONBody[OtpVerifyBody],
    tenant: CurrentTenant,
    optional_principal: MaybeMe,
    verify_otp: NamedDependency[VerifyOtp],
    app_config: Config,
) -> Response[CredentialOut]:
    credential = await verify_otp(
        tenant, data.email, data.code, _user_agent(request), optional_principal
    )
    return _signed_in(credential, app_config)


@post(
    "/register",
    status_code=202,
    summary="Sign up; mails a confirmation link",
    request_max_body_size=MAX_AUTH_BODY,
)
async def register_route(
    data: JSONBody[PasswordBody], tenant: CurrentTenant, register: NamedDependency[Register]
) -> Accepted:
    await register(tenant, data.email, data.password)
    return _LINK_SENT


@get("/confirm", summary="Confirm an email address (the mailed link)")
async def confirm_route(
    token: FromQuery[str], confirm_email: NamedDependency[ConfirmEmail], app_config: Config
) -> Response[ConfirmedOut] | Redirect:
    user = await confirm_email(token)
    if app_config.confirm_redirect:
        return Redirect(app_config.confirm_redirect, status_code=303)
    return Response(ConfirmedOut("confirmed", user.email))


@post(
    "/login",
    status_code=200,
    summary="Sign in with email and password",
    guards=[sign_in_guard],
    request_max_body_size=MAX_AUTH_BODY,
)
async def login_route(
    request: Request[Any, Any, Any],
    data: JSONBody[PasswordBody],
    tenant: CurrentTenant,
    optional_principal: MaybeMe,
    login: NamedDependency[Login],
    app_config: Config,
) -> Response[CredentialOut]:
    credential = await login(
        tenant, data.email, data.password, _user_agent(request), optional_principal
    )
    return _signed_in(credential, app_config)


@post("/logout", status_code=204, summary="End this session", security=BEARER)
async def logout_route(
    principal: Me, logout: NamedDependency[Logout], app_config: Config
) -> Response[None]:
    await logout(principal)
    return Response(None, status_code=204, cookies=[cleared_cookie(app_config)])


@get("/me", summary="Who is signed in", security=BEARER)
async def me_route(principal: Me, get_profile: NamedDependency[GetProfile]) -> UserOut:
    if principal.kind == "anonymous":
        return anonymous_me(principal)
    profile = await get_profile(principal)
    return UserOut.of(profile.user, profile.avatar_url)


@delete(
    "/me",
    status_code=204,
    summary="Delete the account and everything it owns",
    security=BEARER,
)
async def delete_me_route(
    principal: Me, delete_account: NamedDependency[DeleteAccount], app_config: Config
) -> Response[None]:
    await delete_account(principal)
    return Response(None, status_code=204, cookies=[cleared_cookie(app_config)])


@post("/", status_code=201, summary="Start an anonymous session", guards=[sign_in_guard])
async def create_session_route(
    request: Request[Any, Any, Any],
    tenant: CurrentTenant,
    create_anonymous_session: NamedDependency[CreateAnonymousSession],
    trusted_proxies: NamedDependency[TrustedProxies],
    app_config: Config,
) -> Response[AnonymousSessionOut]:
    peer = request.client.host if request.client is not None else None
    address = trusted_proxies.client_of(peer, request.headers.getall("x-forwarded-for", []))
    credential = await create_anonymous_session(tenant, _user_agent(request), address)
    return Response(
        AnonymousSessionOut.of(credential),
        status_code=201,
        cookies=[session_cookie(credential.access_token, app_config)],
    )


@delete(
    "/{session_id:uuid}",
    status_code=204,
    summary="Delete a session and its data",
    security=BEARER,
)
async def delete_session_route(
    session_id: FromPath[uuid.UUID],
    principal: Me,
    delete_session: NamedDependency[DeleteSession],
    app_config: Config,
) -> Response[None]:
    await delete_session(principal, session_id)
    cookies = [cleared_cookie(app_config)] if session_id == principal.session_id else []
    return Response(None, status_code=204, cookies=cookies)


ROUTES: list[ControllerRouterHandler] = [
    Router(
        path="/v1/auth",
        route_handlers=[
            request_otp_route,
            verify_otp_route,
            register_route,
            confirm_route,
            login_route,
            logout_route,
            me_route,
            delete_me_route,
        ],
        tags=["auth"],
    ),
    Router(
        path="/v1/sessions",
        route_handlers=[create_session_route, delete_session_route],
        tags=["sessions"],
    ),
]

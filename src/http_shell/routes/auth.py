"""``/v1/auth/*`` and ``/v1/sessions``: sign-in, sign-up, sign-out, deletion."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, Router, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect
from litestar.types import ControllerRouterHandler

from chatcore.errors import (
    AuthMethodDisabled,
    CsrfRejected,
    EmailNotConfirmed,
    InvalidCredentials,
    OtpExpired,
    OtpInvalid,
    RateLimited,
    TokenInvalid,
)
from chatcore.identity.model import Credential
from chatcore.identity.principal import Principal
from chatcore.tenants.model import Tenant
from http_shell.credentials import cleared_cookie, session_cookie
from http_shell.dependencies import Cases
from http_shell.openapi import raises
from http_shell.schemas_auth import (
    Accepted,
    AnonymousSessionOut,
    ConfirmedOut,
    CredentialOut,
    EmailBody,
    LoginBody,
    OtpVerifyBody,
    RegisterBody,
    UserOut,
    anonymous_me,
)
from http_shell.settings import Settings

MAX_AUTH_BODY = 1024 * 1024
_CODE_SENT = Accepted("accepted", "If the address can receive mail, a code is on its way.")
_LINK_SENT = Accepted("accepted", "If the address can receive mail, a link is on its way.")

Me = NamedDependency[Principal]
CurrentTenant = NamedDependency[Tenant]
# The tenant of a route that sets the session cookie, its Origin checked (login CSRF).
SignInTenant = NamedDependency[Tenant]
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
    opt=raises(AuthMethodDisabled, RateLimited),
)
async def request_otp_route(
    data: JSONBody[EmailBody], tenant: CurrentTenant, use_cases: Cases
) -> Accepted:
    await use_cases.request_otp()(tenant, data.email)
    return _CODE_SENT


@post(
    "/otp/verify",
    status_code=200,
    summary="Sign in with the mailed code",
    request_max_body_size=MAX_AUTH_BODY,
    opt=raises(OtpInvalid, OtpExpired, AuthMethodDisabled, CsrfRejected),
)
async def verify_otp_route(
    request: Request[Any, Any, Any],
    data: JSONBody[OtpVerifyBody],
    sign_in_tenant: SignInTenant,
    optional_principal: MaybeMe,
    use_cases: Cases,
) -> Response[CredentialOut]:
    credential = await use_cases.verify_otp()(
        sign_in_tenant, data.email, data.code, _user_agent(request), optional_principal
    )
    return _signed_in(credential, use_cases.settings())


@post(
    "/register",
    status_code=202,
    summary="Sign up; mails a confirmation link",
    request_max_body_size=MAX_AUTH_BODY,
    opt=raises(AuthMethodDisabled, RateLimited),
)
async def register_route(
    data: JSONBody[RegisterBody], tenant: CurrentTenant, use_cases: Cases
) -> Accepted:
    await use_cases.register()(tenant, data.email, data.password)
    return _LINK_SENT


@get(
    "/confirm",
    summary="Confirm an email address (the mailed link)",
    responses={303: ResponseSpec(None, description="To CHATCORE_CONFIRM_REDIRECT, when set")},
    opt=raises(TokenInvalid, CsrfRejected),
)
async def confirm_route(
    token: FromQuery[str], use_cases: Cases
) -> Response[ConfirmedOut] | Redirect:
    user = await use_cases.confirm_email()(token)
    if redirect := use_cases.settings().confirm_redirect:
        return Redirect(redirect, status_code=303)
    return Response(ConfirmedOut("confirmed", user.email))


@post(
    "/login",
    status_code=200,
    summary="Sign in with email and password",
    request_max_body_size=MAX_AUTH_BODY,
    opt=raises(
        InvalidCredentials, EmailNotConfirmed, AuthMethodDisabled, CsrfRejected, RateLimited
    ),
)
async def login_route(
    request: Request[Any, Any, Any],
    data: JSONBody[LoginBody],
    sign_in_tenant: SignInTenant,
    optional_principal: MaybeMe,
    use_cases: Cases,
) -> Response[CredentialOut]:
    credential = await use_cases.login()(
        sign_in_tenant, data.email, data.password, _user_agent(request), optional_principal
    )
    return _signed_in(credential, use_cases.settings())


@post("/logout", status_code=204, summary="End this session", security=BEARER)
async def logout_route(principal: Me, use_cases: Cases) -> Response[None]:
    await use_cases.logout()(principal)
    return Response(None, status_code=204, cookies=[cleared_cookie(use_cases.settings())])


@get("/me", summary="Who is signed in", security=BEARER)
async def me_route(principal: Me, use_cases: Cases) -> UserOut:
    if principal.kind == "anonymous":
        return anonymous_me(principal)
    profile = await use_cases.get_profile()(principal)
    return UserOut.of(profile.user, profile.avatar_url)


@delete(
    "/me",
    status_code=204,
    summary="Delete the account and everything it owns",
    security=BEARER,
)
async def delete_me_route(principal: Me, use_cases: Cases) -> Response[None]:
    await use_cases.delete_account()(principal)
    return Response(None, status_code=204, cookies=[cleared_cookie(use_cases.settings())])


@post(
    "/",
    status_code=201,
    summary="Start an anonymous session",
    opt=raises(AuthMethodDisabled, CsrfRejected, RateLimited),
)
async def create_session_route(
    request: Request[Any, Any, Any], sign_in_tenant: SignInTenant, use_cases: Cases
) -> Response[AnonymousSessionOut]:
    peer = request.client.host if request.client is not None else None
    address = use_cases.trusted_proxies().client_of(
        peer, request.headers.getall("x-forwarded-for", [])
    )
    credential = await use_cases.create_anonymous_session()(
        sign_in_tenant, _user_agent(request), address
    )
    return Response(
        AnonymousSessionOut.of(credential),
        status_code=201,
        cookies=[session_cookie(credential.access_token, use_cases.settings())],
    )


@delete(
    "/{session_id:uuid}",
    status_code=204,
    summary="Delete a session and its data",
    security=BEARER,
)
async def delete_session_route(
    session_id: FromPath[uuid.UUID], principal: Me, use_cases: Cases
) -> Response[None]:
    await use_cases.delete_session()(principal, session_id)
    cookies = [cleared_cookie(use_cases.settings())] if session_id == principal.session_id else []
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

"""CORS: Litestar's middleware, configured for credentials, plus one correction.

Litestar adds ``Access-Control-Allow-Credentials`` and the exposed headers to every
response that has an ``Origin``, listed or not; the contract is that an unlisted
origin gets no CORS headers at all, so a send hook removes them.
"""

from __future__ import annotations

from litestar.config.cors import CORSConfig
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from http_shell.settings import Settings

_EXPOSED_HEADERS = ["Retry-After", "Content-Disposition"]


def cors_config(settings: Settings) -> CORSConfig | None:
    """Credentials-enabled CORS for the listed origins, or None when none are listed."""
    if not settings.allow_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.allow_origins),
        allow_credentials=True,
        allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "X-Tenant-ID",
            "X-Admin-Token",
            "Last-Event-ID",
        ],
        expose_headers=_EXPOSED_HEADERS,
        max_age=600,
    )


def unlisted_origin_filter(config: CORSConfig) -> BeforeMessageSendHookHandler:
    """A send hook removing CORS headers from responses to origins not listed."""

    async def remove_cors_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        origin = Headers.from_scope(scope).get("origin")
        if origin is None or config.is_origin_allowed(origin):
            return
        headers = MutableScopeHeaders.from_message(message)
        for name in [n for n in headers if n.lower().startswith("access-control-")]:
            del headers[name]

    return remove_cors_headers

"""A span per request, from Litestar's OpenTelemetry middleware: named by the route
template once routing has found it (``GET /v1/dialogs/{dialog_id}``; just the
method when no route took the path), with the request id, without the query string."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.plugins.opentelemetry import (
    OpenTelemetryConfig,
    OpenTelemetryInstrumentationMiddleware,
)
from opentelemetry import trace
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE
from opentelemetry.util.http import sanitize_method

from http_shell.telemetry.request_ids import REQUEST_ID

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send
    from opentelemetry.trace import Span, TracerProvider

REQUEST_ID_ATTRIBUTE = "chatcore.request_id"
# Where the copy of the scope the middleware sees keeps the real one for the app.
_REAL_SCOPE = "chatcore.scope"
# The first messages of a response: routing is done by then, and the span still open.
_ANSWERS = frozenset({"http.response.start", "websocket.accept", "websocket.close"})


class TracedRequests:
    """Wraps the app (around routing, so that a 404 has its span too) in Litestar's
    OpenTelemetry middleware, exporting through ``tracer_provider``."""

    def __init__(self, app: ASGIApp, tracer_provider: TracerProvider) -> None:
        self._app = app
        config = OpenTelemetryConfig(
            tracer_provider=tracer_provider,
            scope_span_details_extractor=_first_name,
            server_request_hook_handler=_add_request_id,
            # A span per message sent would be one per streamed delta.
            exclude_spans=["receive", "send"],
        )
        self._traced = OpenTelemetryInstrumentationMiddleware(self._named, config)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The middleware records the URL with its query string, and a query can hold a
        # secret (a sign-up confirmation's token): it is given a copy without one.
        seen: Any = {**scope, "query_string": b"", _REAL_SCOPE: scope}
        await self._traced(seen, receive, send)

    async def _named(self, seen: Any, receive: Receive, send: Send) -> None:
        scope: Scope = seen[_REAL_SCOPE]
        span = trace.get_current_span()  # the request's, which the middleware made current

        async def send_naming(message: Message) -> None:
            if message["type"] in _ANSWERS:
                _name_by_route(span, scope)
            await send(message)

        try:
            await self._app(scope, receive, send_naming)
        finally:
            _name_by_route(span, scope)  # the app failed before it answered


def _method(scope: Scope | dict[str, Any]) -> str:
    if scope["type"] == "websocket":
        return "WEBSOCKET"
    method = sanitize_method(str(scope.get("method", "")))
    # OpenTelemetry's name for a span of a method outside the standard ones.
    return "HTTP" if method == "_OTHER" else method


def _first_name(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The name a request's span starts with, which stays when no route takes it."""
    return _method(scope), {}


def _name_by_route(span: Span, scope: Scope) -> None:
    route = scope.get("path_template")
    if route and span.is_recording():
        span.update_name(f"{_method(scope)} {route}")
        span.set_attribute(HTTP_ROUTE, route)


def _add_request_id(span: Span, _: dict[str, Any]) -> None:
    request_id = REQUEST_ID.get()
    if request_id is not None:
        span.set_attribute(REQUEST_ID_ATTRIBUTE, request_id)

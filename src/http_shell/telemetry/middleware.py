"""The outermost layer of the app, around routing itself, so that 404s and 405s are
seen too: the request id (kept in context, sent back in ``X-Request-ID``), the one
log line per request, and the HTTP metrics."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, cast

from litestar.enums import ScopeType

from http_shell.telemetry.http_metrics import HttpMetrics
from http_shell.telemetry.logs import ACCESS_LOGGER
from http_shell.telemetry.request_ids import HEADER, REQUEST_ID, request_id_of

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

ACCESS = logging.getLogger(ACCESS_LOGGER)
UNMATCHED = "unmatched"  # the route label of a request no route took
_SSE = b"text/event-stream"
LINE = "%s %s %d %.1fms"


class ObservedRequests:
    """Wraps the app: request ids, request lines and (``metrics``) HTTP metrics."""

    def __init__(self, app: ASGIApp, *, metrics: bool) -> None:
        self._app = app
        self._metrics = HttpMetrics() if metrics else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_of(scope["headers"])
        reset = REQUEST_ID.set(request_id)
        id_header = (HEADER, request_id.encode())
        metrics = self._metrics
        websocket = scope["type"] == ScopeType.WEBSOCKET
        status = 500  # if the app fails before it answers, the server says so
        stream = None
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, stream
            event = cast("dict[str, Any]", message)  # which keys it has depends on its type
            kind = event["type"]
            if kind == "http.response.start":
                headers = event["headers"] = [*event.get("headers", ()), id_header]
                status = event["status"]
                if metrics is not None and any(
                    n == b"content-type" and v.startswith(_SSE) for n, v in headers
                ):
                    stream = metrics.sse_open
                    stream.inc()
            elif kind == "websocket.accept":
                event["headers"] = [*event.get("headers", ()), id_header]
                status = 101
                if metrics is not None:
                    stream = metrics.websockets_open
                    stream.inc()
            elif kind == "websocket.close" and status == 500:
                status = 403  # refused before the handshake ended
            await send(message)

        try:
            await self._app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            if stream is not None:
                stream.dec()
            route = scope.get("path_template") or UNMATCHED
            method: str = "WEBSOCKET" if websocket else cast("Any", scope)["method"]
            if metrics is not None:
                metrics.observe(route, method, status, seconds)
            if ACCESS.isEnabledFor(logging.INFO):
                # Made and handled directly: Logger.info would also walk the stack to
                # find its caller, a third of the line's cost, for a caller known here.
                fields = {"method": method, "route": route, "status": status, "duration": seconds}
                args = (method, route, status, seconds * 1000)
                ACCESS.handle(
                    ACCESS.makeRecord(
                        ACCESS_LOGGER, logging.INFO, __file__, 0, LINE, args, None, extra=fields
                    )
                )
            REQUEST_ID.reset(reset)

"""``GET /metrics``: Litestar's Prometheus controller (which adds up the workers'
files in multi-process mode), behind a bearer token when one is configured."""

from __future__ import annotations

import hmac

from litestar import Router
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusController
from litestar.types import Guard


class MetricsController(PrometheusController):
    """The scrape target; an operator's endpoint, left out of the API's OpenAPI."""

    include_in_schema = False


def metrics_router(token: str | None) -> Router:
    """``/metrics``, open to anyone who reaches it unless ``token`` is set."""
    return Router("/", route_handlers=[MetricsController], guards=[bearer(token)] if token else [])


def bearer(token: str) -> Guard:
    """A guard that lets through ``Authorization: Bearer <token>`` and nothing else."""
    expected = f"Bearer {token}".encode()

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:  # type: ignore[type-arg]
        given = connection.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            raise NotAuthorizedException(
                "Metrics need the configured bearer token.",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )

    return guard

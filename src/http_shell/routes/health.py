"""``/health`` (no I/O) and ``/health/db``."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from litestar import Response, get
from litestar.openapi import ResponseSpec
from litestar.types import ControllerRouterHandler

from chatcore.errors import Unavailable
from http_shell.dependencies import Cases
from http_shell.schemas import DatabaseHealthOut, HealthOut

try:
    VERSION = version("chatcore")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0+unknown"

_OK = HealthOut(status="ok", version=VERSION)


@get("/health", tags=["health"], summary="Liveness: the process answers", cache=False)
async def health() -> HealthOut:
    return _OK


@get(
    "/health/db",
    tags=["health"],
    summary="Readiness: the database answers",
    cache=False,
    responses={503: ResponseSpec(DatabaseHealthOut, description="The database does not answer")},
)
async def database_health(use_cases: Cases) -> Response[DatabaseHealthOut]:
    try:
        status = await use_cases.check_database()()
    except Unavailable:
        return Response(
            DatabaseHealthOut(status="unhealthy", database="unreachable"), status_code=503
        )
    return Response(
        DatabaseHealthOut(
            status="healthy", database="connected", latency_ms=status.latency_ms, pool=status.pool
        )
    )


ROUTES: list[ControllerRouterHandler] = [health, database_health]

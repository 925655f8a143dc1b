"""``GET /v1/usage``: the caller's usage and limits this month."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.types import ControllerRouterHandler

from chatcore.identity.principal import Principal
from chatcore.tenants.model import Tenant
from chatcore.usage.use_cases import UsageReport
from http_shell.dependencies import Cases


class UsageOut(msgspec.Struct):
    """The current calendar month (UTC, ``period_end`` excluded): settled tokens, the
    quota and what is left of it, and the chat rate limit with this minute's count."""

    period_start: datetime
    period_end: datetime
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    quota_tokens: int
    remaining_tokens: int
    rate_limit_per_minute: int
    requests_this_minute: int

    @classmethod
    def of(cls, report: UsageReport) -> UsageOut:
        return cls(**msgspec.structs.asdict(report))


@get(
    "/v1/usage",
    tags=["usage"],
    security=[{"bearer": []}],
    summary="The caller's token usage and limits this month",
)
async def usage_route(
    principal: NamedDependency[Principal],
    principal_tenant: NamedDependency[Tenant],
    use_cases: Cases,
) -> UsageOut:
    return UsageOut.of(await use_cases.get_usage()(principal, principal_tenant))


ROUTES: list[ControllerRouterHandler] = [usage_route]

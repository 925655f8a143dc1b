"""``/v1/api-keys``: a signed-in user's API keys (a guest or a key itself: 403)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Router, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.types import ControllerRouterHandler

from chatcore.identity.api_keys import ApiKeyId
from chatcore.identity.principal import Principal
from http_shell.dependencies import Cases
from http_shell.schemas_api_keys import ApiKeyOut, ApiKeyPage, CreateApiKeyBody, NewApiKeyOut

Me = NamedDependency[Principal]


@post(
    "/api-keys",
    status_code=201,
    summary="Make an API key (shown once)",
    description="Send it as `Authorization: Bearer ck_...`; only its hash is kept.",
)
async def create_api_key_route(
    data: JSONBody[CreateApiKeyBody], principal: Me, use_cases: Cases
) -> NewApiKeyOut:
    made = await use_cases.create_api_key()(principal, data.name, data.expires_at)
    return NewApiKeyOut.of(made)


@get("/api-keys", summary="The caller's API keys, newest first, with this month's tokens")
async def list_api_keys_route(
    principal: Me,
    use_cases: Cases,
    limit: Annotated[int | None, Parameter(ge=1, le=200)] = None,
    cursor: FromQuery[str | None] = None,
) -> ApiKeyPage:
    codec = use_cases.cursor_codec()
    page = await use_cases.list_api_keys()(principal, codec.page_request(limit, cursor))
    return ApiKeyPage([ApiKeyOut.of(key) for key in page.items], codec.encode(page.next_after))


@delete("/api-keys/{key_id:uuid}", status_code=204, summary="Revoke an API key at once")
async def revoke_api_key_route(
    key_id: FromPath[uuid.UUID], principal: Me, use_cases: Cases
) -> None:
    await use_cases.revoke_api_key()(principal, ApiKeyId(key_id))


ROUTES: list[ControllerRouterHandler] = [
    Router(
        path="/v1",
        route_handlers=[create_api_key_route, list_api_keys_route, revoke_api_key_route],
        tags=["api keys"],
        security=[{"bearer": []}],
    )
]

"""The bare reference on plain Litestar: the same three routes, written the way the
framework's documentation writes them, with none of chatcore's layers.

    uvicorn bench.reference.plain_litestar:app
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Litestar, Request, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from bench.reference.work import ChatBody, DialogPage, Unauthorized, caller, dialog_page
from bench.reference.work import relay as model_relay


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok", "version": "0.1.0"}


@get("/v1/dialogs")
async def dialogs(
    request: Request[Any, Any, Any],
    limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
) -> DialogPage:
    try:
        who = await caller(request.headers.get("authorization"))
    except Unauthorized as exc:
        raise NotAuthorizedException from exc
    return await dialog_page(who, limit)


@post("/v1/chat", status_code=200)
async def chat(request: Request[Any, Any, Any], data: ChatBody) -> ServerSentEvent:
    try:
        await caller(request.headers.get("authorization"))
    except Unauthorized as exc:
        raise NotAuthorizedException from exc
    return ServerSentEvent(_messages(data.message), headers={"Cache-Control": "no-cache"})


async def _messages(message: str) -> AsyncIterator[ServerSentEventMessage]:
    async for name, data in model_relay(message):
        yield ServerSentEventMessage(event=name, data=data.decode())


app = Litestar(route_handlers=[health, dialogs, chat], openapi_config=None)

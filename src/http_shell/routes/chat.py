"""``POST /v1/chat``: a reply streamed as server-sent events."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
from litestar import post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.types import ControllerRouterHandler

from chatcore.dialogs.model import DialogId
from chatcore.dialogs.service import ChatRequest, ChatService
from chatcore.identity.principal import Principal
from chatcore.tenants.model import Tenant
from http_shell.schemas_dialogs import ChatBody
from http_shell.streaming import StreamRelay

STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@post(
    "/v1/chat",
    status_code=200,
    tags=["chat"],
    security=[{"bearer": []}],
    summary="Ask, and receive the reply as server-sent events",
    description="Events: meta, delta*, citations?, usage, done — or error, then the end.",
)
async def chat_route(
    data: JSONBody[ChatBody],
    principal: NamedDependency[Principal],
    principal_tenant: NamedDependency[Tenant],
    chat_service: NamedDependency[ChatService],
) -> ServerSentEvent:
    request = ChatRequest(
        message=data.message,
        dialog_id=DialogId(data.dialog_id) if data.dialog_id else None,
        use_documents=data.use_documents,
    )
    relay = StreamRelay(await chat_service.start(principal, principal_tenant, request))
    return ServerSentEvent(
        _messages(relay),
        headers=STREAM_HEADERS,
        # Runs once the response is over, also when the client left mid-stream.
        background=BackgroundTask(relay.abandon),
    )


async def _messages(relay: StreamRelay) -> AsyncIterator[ServerSentEventMessage]:
    async for event in relay.events():
        if event is None:
            # data=None: an empty data line would make browsers dispatch an empty event.
            yield ServerSentEventMessage(comment="keep-alive", data=None)
        else:
            payload = msgspec.json.encode(msgspec.structs.asdict(event)).decode()
            yield ServerSentEventMessage(event=event.name, data=payload)


ROUTES: list[ControllerRouterHandler] = [chat_route]

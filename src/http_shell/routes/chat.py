"""``POST /v1/chat``: a reply streamed as server-sent events."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
from litestar import post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.response import Stream
from litestar.types import ControllerRouterHandler

from chatcore.dialogs.events import ChatEvent
from chatcore.dialogs.use_cases.chat import ChatRequest
from chatcore.errors import QuotaExceeded, RateLimited
from chatcore.identity.principal import Principal
from chatcore.kernel import DialogId
from chatcore.tenants.model import Tenant
from http_shell.dependencies import Cases
from http_shell.openapi import raises
from http_shell.schemas_dialogs import ChatBody
from http_shell.streaming import StreamRelay

# The headers Litestar's ServerSentEvent sets. That response is not used: it hops to a
# worker thread once per response and encodes each event in several steps, where a
# plain Stream of frames built here sends the same bytes.
STREAM_HEADERS = {
    "Cache-Control": "no-cache",
    "Connection": "keep-alive",
    "X-Accel-Buffering": "no",
}
# A bare comment: a data line, even empty, would make browsers dispatch an empty event.
KEEP_ALIVE = b": keep-alive\r\n\r\n"
_encode_json = msgspec.json.Encoder().encode


@post(
    "/v1/chat",
    status_code=200,
    tags=["chat"],
    security=[{"bearer": []}],
    summary="Ask, and receive the reply as server-sent events",
    description="Events: meta, delta*, citations?, usage, done — or error, then the end.",
    media_type="text/event-stream",
    response_description="The reply, as server-sent events",
    opt=raises(RateLimited, QuotaExceeded),
)
async def chat_route(
    data: JSONBody[ChatBody],
    principal: NamedDependency[Principal],
    principal_tenant: NamedDependency[Tenant],
    use_cases: Cases,
) -> Stream:
    request = ChatRequest(
        message=data.message,
        dialog_id=DialogId(data.dialog_id) if data.dialog_id else None,
        use_documents=data.use_documents,
    )
    stream = await use_cases.chat_service().start(principal, principal_tenant, request)
    relay = StreamRelay(stream)
    return Stream(
        _frames(relay),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
        # Runs once the response is over, also when the client left mid-stream.
        background=BackgroundTask(relay.abandon),
    )


def sse_frame(event: ChatEvent) -> bytes:
    """The event as SSE: its name, and its fields as the JSON of one ``data`` line."""
    payload = _encode_json(msgspec.structs.asdict(event))  # JSON has no raw line breaks
    return b"event: %s\r\ndata: %s\r\n\r\n" % (event.name.encode(), payload)


async def _frames(relay: StreamRelay) -> AsyncIterator[bytes]:
    async for batch in relay.batches():
        yield KEEP_ALIVE if batch is None else b"".join(map(sse_frame, batch))


ROUTES: list[ControllerRouterHandler] = [chat_route]

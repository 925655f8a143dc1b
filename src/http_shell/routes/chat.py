"""``POST /v1/chat``: a reply streamed as server-sent events; ``GET
/v1/chat/{id}/stream`` resumes one from an offset, ``POST /v1/chat/{id}/stop`` stops it."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody, Parameter
from litestar.response import Stream
from litestar.types import ControllerRouterHandler

from chatcore.dialogs.model import MessageId
from chatcore.dialogs.stream import ChatStream
from chatcore.dialogs.use_cases.chat import ChatRequest
from chatcore.errors import QuotaExceeded, RateLimited
from chatcore.identity.principal import Principal
from chatcore.kernel import DialogId
from chatcore.tenants.model import Tenant
from http_shell.dependencies import Cases
from http_shell.openapi import raises
from http_shell.schemas_dialogs import ChatBody
from http_shell.streaming import STREAM_HEADERS, sse_frames

MAX_OFFSET = 10**9  # far past any reply; keeps a forged header a small number
EVENT_ID = r"^([0-9]{1,9})?$"  # an offset below MAX_OFFSET in ASCII digits, or none
_EVENTS = "Events, each with an id (the reply's length so far in characters): "


@post(
    "/v1/chat",
    status_code=200,
    tags=["chat"],
    security=[{"bearer": []}],
    summary="Ask, and receive the reply as server-sent events",
    description=_EVENTS + "meta, delta*, citations?, usage, done — or error, then the end. "
    "The reply goes on if the client leaves: resume it from /v1/chat/{id}/stream.",
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
    return _sse(await use_cases.chat_service().start(principal, principal_tenant, request))


@get(
    "/v1/chat/{reply_id:uuid}/stream",
    tags=["chat"],
    security=[{"bearer": []}],
    summary="Resume a reply from an offset, as server-sent events",
    description=_EVENTS + "meta, one delta with the text after the offset (if any), then "
    "as the first stream went on. The offset is Last-Event-ID, else ?offset=, else 0.",
    media_type="text/event-stream",
    response_description="The rest of the reply, as server-sent events",
)
async def resume_route(
    reply_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    use_cases: Cases,
    # Digits, not an integer with ge=0 (Litestar leaves a bound of 0 out of the schema),
    # nor optional (a header is never null): empty is "none".
    last_event_id: Annotated[
        str, HeaderParameter(name="Last-Event-ID", pattern=EVENT_ID, required=False)
    ] = "",
    offset: Annotated[int, Parameter(ge=0, le=MAX_OFFSET)] = 0,
) -> Stream:
    # What a browser's EventSource sends on reconnecting wins over the URL's offset.
    start = int(last_event_id) if last_event_id else offset
    stream = await use_cases.resume_reply()(principal, MessageId(reply_id), start)
    return _sse(stream)


@post(
    "/v1/chat/{reply_id:uuid}/stop",
    status_code=204,
    tags=["chat"],
    security=[{"bearer": []}],
    summary="Stop a reply, for every listener, from any server process",
    description="Its streams end with usage, then done (cancelled). A finished reply "
    "stays as it is.",
)
async def stop_route(
    reply_id: FromPath[uuid.UUID], principal: NamedDependency[Principal], use_cases: Cases
) -> None:
    await use_cases.stop_reply()(principal, MessageId(reply_id))


def _sse(stream: ChatStream) -> Stream:
    return Stream(
        sse_frames(stream),
        media_type="text/event-stream",
        headers=STREAM_HEADERS,
        # Runs once the response is over, also when the client left before the body.
        background=BackgroundTask(stream.aclose),
    )


ROUTES: list[ControllerRouterHandler] = [chat_route, resume_route, stop_route]

"""The OpenAI-compatible routes: ``GET /v1/models`` and ``POST /v1/chat/completions``,
a thin translation to the core's stateless completion, so every OpenAI client is a
chatcore client (``OpenAI(base_url=".../v1", api_key="ck_...")``). Errors here are
in OpenAI's shape (``http_shell.openai_errors``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody
from litestar.response import Stream
from litestar.types import ControllerRouterHandler

from chatcore.dialogs.events import Citations, Delta, Done, Error, Usage
from chatcore.dialogs.ports import ModelError
from chatcore.dialogs.use_cases.completion import CompletionStream
from chatcore.errors import ModelNotFound, QuotaExceeded, RateLimited, Unsupported
from chatcore.identity.principal import Principal
from chatcore.tenants.model import Tenant
from http_shell.dependencies import Cases
from http_shell.openai_errors import OPENAI_EXCEPTION_HANDLERS, error_detail
from http_shell.openai_wire import (
    DONE,
    ChatCompletionBody,
    ChatCompletionOut,
    ChoiceOut,
    ChunkWriter,
    MessageOut,
    ModelList,
    ModelOut,
    UsageOut,
    error_frame,
    finish_reason,
)
from http_shell.openapi import raises
from http_shell.openapi_openai import CompletionOperation, OpenAIOperation, openai_shaped
from http_shell.problems import status_of
from http_shell.streaming import STREAM_HEADERS


@get(
    "/v1/models",
    tags=["openai"],
    security=[{"bearer": []}],
    summary="The models a completion may name (OpenAI's format)",
    exception_handlers=OPENAI_EXCEPTION_HANDLERS,
    operation_class=OpenAIOperation,
    opt=openai_shaped(),
)
async def models_route(
    principal: NamedDependency[Principal],
    principal_tenant: NamedDependency[Tenant],
    use_cases: Cases,
) -> ModelList:
    cards = await use_cases.list_models()(principal, principal_tenant)
    return ModelList(data=[ModelOut.of(card) for card in cards])


@post(
    "/v1/chat/completions",
    status_code=200,
    tags=["openai"],
    security=[{"bearer": []}],
    summary="Complete a conversation (OpenAI's Chat Completions)",
    description=(
        "Stateless: nothing is stored but the usage. `chatcore-documents` answers from "
        "the caller's documents and adds `citations`. With `stream: true` the reply is "
        "`chat.completion.chunk` server-sent events ending `data: [DONE]`."
    ),
    exception_handlers=OPENAI_EXCEPTION_HANDLERS,
    operation_class=CompletionOperation,
    responses={
        200: ResponseSpec(
            ChatCompletionOut,
            description="The completion, whole or streamed",
            generate_examples=False,
        )
    },
    opt={**raises(RateLimited, QuotaExceeded, ModelNotFound, Unsupported), **openai_shaped()},
)
async def chat_completions_route(
    data: JSONBody[ChatCompletionBody],
    principal: NamedDependency[Principal],
    principal_tenant: NamedDependency[Tenant],
    use_cases: Cases,
) -> Response[Any]:
    stream = await use_cases.complete_chat().start(principal, principal_tenant, data.request())
    if data.stream:
        writer = ChunkWriter(stream.id, stream.created, stream.model, data.include_usage)
        return Stream(
            _chunks(stream, writer),
            media_type="text/event-stream",
            headers=STREAM_HEADERS,
            # Runs once the response is over, also when the client left mid-stream.
            background=BackgroundTask(stream.aclose),
        )
    return Response(await _whole(stream))


async def _whole(stream: CompletionStream) -> ChatCompletionOut:
    pieces: list[str] = []
    citations, usage, reason = None, UsageOut.of(0, 0), "stop"
    try:
        async for event in stream:
            if isinstance(event, Delta):
                pieces.append(event.text)
            elif isinstance(event, Citations):
                citations = event.items
            elif isinstance(event, Usage):
                usage = UsageOut.of(event.prompt_tokens, event.completion_tokens)
            elif isinstance(event, Done):
                reason = event.finish_reason
            elif isinstance(event, Error):
                raise ModelError(event.code, event.detail)
    finally:
        await stream.aclose()
    message = MessageOut(content="".join(pieces))
    return ChatCompletionOut(
        id=stream.id,
        created=int(stream.created.timestamp()),
        model=stream.model,
        choices=[ChoiceOut(message=message, finish_reason=finish_reason(reason))],
        usage=usage,
        citations=msgspec.UNSET if citations is None else citations,
    )


async def _chunks(stream: CompletionStream, writer: ChunkWriter) -> AsyncIterator[bytes]:
    yield writer.role()
    citations, usage = None, UsageOut.of(0, 0)
    async for event in stream:
        if isinstance(event, Delta):
            yield writer.text(event.text)
        elif isinstance(event, Citations):
            citations = event.items
        elif isinstance(event, Usage) and writer.include_usage:
            usage = UsageOut.of(event.prompt_tokens, event.completion_tokens)
        elif isinstance(event, Done):
            yield writer.finish(event.finish_reason, citations)
            if writer.include_usage:
                yield writer.usage(usage, citations)
        elif isinstance(event, Error):
            failure = ModelError(event.code, event.detail)
            detail = error_detail(status_of(failure), event.code, event.detail)
            yield error_frame(detail)
            return
    yield DONE


ROUTES: list[ControllerRouterHandler] = [models_route, chat_completions_route]

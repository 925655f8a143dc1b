"""How the OpenAPI document tells the OpenAI-compatible routes: their errors are
OpenAI's ``{"error": {...}}`` (422 answered as 400), and a completion is JSON or,
with ``stream: true``, server-sent events."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Schema

from http_shell.openai_errors import OpenAIError
from http_shell.openapi import ERROR_SPECS, DeclaredOperation

JSON = "application/json"


def openai_error_specs(codes: dict[int, set[str]]) -> dict[int, ResponseSpec]:
    """The OpenAI-shaped error responses for the codes an operation answers."""
    folded: dict[int, set[str]] = {}
    for status, named in codes.items():
        folded.setdefault(400 if status == 422 else status, set()).update(named)
    return {
        status: ResponseSpec(
            data_container=OpenAIError,
            generate_examples=False,
            description=f"{HTTPStatus(status).phrase}: {', '.join(sorted(folded[status]))}",
            media_type=JSON,
        )
        for status in sorted(folded)
    }


def openai_shaped() -> dict[str, Any]:
    """A route's ``opt`` for errors in OpenAI's shape."""
    return {ERROR_SPECS: openai_error_specs}


@dataclass
class OpenAIOperation(DeclaredOperation):
    """An operation whose errors are OpenAI's JSON documents."""

    error_media_type = JSON


@dataclass
class CompletionOperation(OpenAIOperation):
    """``POST /v1/chat/completions``: its 200 is also a stream of chunks."""

    def __post_init__(self) -> None:
        super().__post_init__()
        success = (self.responses or {}).get("200")
        if isinstance(success, OpenAPIResponse):
            events = OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.STRING,
                    description="`data: {chat.completion.chunk}` lines, then `data: [DONE]`.",
                )
            )
            success.content = {**(success.content or {}), "text/event-stream": events}

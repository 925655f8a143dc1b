"""Errors in OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``, on
the OpenAI-compatible routes only, with the statuses OpenAI uses (422 is 400 there),
so that the official SDKs raise their own classes (401 AuthenticationError, 429
RateLimitError, ...). Every failure is first the problem document the rest of the API
answers (one table, ``http_shell.problems``), then told in OpenAI's words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.types import ExceptionHandlersMap

from http_shell.problems import EXCEPTION_HANDLERS

_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


class ErrorDetail(msgspec.Struct):
    """What went wrong; ``code`` is chatcore's stable code, ``param`` the field at fault."""

    message: str
    type: str
    param: str | None
    code: str


class OpenAIError(msgspec.Struct):
    """An error as OpenAI's API answers one."""

    error: ErrorDetail


def error_detail(status: int, code: str, message: str, param: str | None = None) -> ErrorDetail:
    """The error body's fields for a status and a chatcore code."""
    if code == "quota_exceeded":
        kind = "insufficient_quota"  # OpenAI's own type for a used-up budget
    elif status >= 500:
        kind = "server_error"
    else:
        kind = _TYPES.get(status, "invalid_request_error")
    return ErrorDetail(message=message, type=kind, param=param, code=code)


Handler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def _in_openai_shape(problem_handler: Handler) -> Handler:
    def handle(request: Request[Any, Any, Any], exc: Any) -> Response[OpenAIError]:
        problem = problem_handler(request, exc)
        body: dict[str, Any] = problem.content
        status = 400 if problem.status_code == 422 else problem.status_code or 500
        errors = body.get("errors") or []
        param = errors[0]["field"] if errors else None
        message = f"{param}: {errors[0]['message']}" if errors else body["detail"]
        retry_after = problem.headers.get("Retry-After")
        return Response(
            OpenAIError(error_detail(status, body["code"], message, param)),
            status_code=status,
            media_type="application/json",
            headers={"Retry-After": retry_after} if retry_after else None,
        )

    return handle


OPENAI_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    kind: _in_openai_shape(handler) for kind, handler in EXCEPTION_HANDLERS.items()
}

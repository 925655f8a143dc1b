"""RFC 9457 problem documents: the one table from the core's errors to HTTP, and the
handlers that turn every failure (framework ones included) into a problem."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    ClientException,
    HTTPException,
    InternalServerException,
    SerializationException,
    ValidationException,
)
from litestar.types import ExceptionHandlersMap

from chatcore.errors import ChatcoreError, InvalidInput, RateLimited
from http_shell.constraints import plain_message
from http_shell.request_bodies import invalid_body_fields

log = logging.getLogger("chatcore.http")

PROBLEM_JSON = "application/problem+json"

# Status per stable code; a subclass without an entry takes its base class's status.
STATUS_BY_CODE: dict[str, int] = {
    "validation_failed": 422,
    "not_found": 404,
    "tenant_not_found": 404,
    "model_not_found": 404,
    "unsupported": 400,
    "conflict": 409,
    "not_authenticated": 401,
    "invalid_credentials": 401,
    "admin_required": 401,
    "forbidden": 403,
    "tenant_mismatch": 403,
    "email_not_confirmed": 403,
    "auth_method_disabled": 403,
    "csrf_rejected": 403,
    "otp_invalid": 400,
    "otp_expired": 400,
    "token_invalid": 400,
    "rate_limited": 429,
    "quota_exceeded": 429,
    "file_too_large": 413,
    "storage_quota_exceeded": 413,
    "unsupported_media_type": 415,
    "unavailable": 503,
    # A model that failed before a reply began (a whole completion waits for it).
    "llm_unavailable": 502,
    "llm_auth_failed": 502,
    "llm_rate_limited": 503,
}

# Codes for what the framework itself rejects, by status.
_FRAMEWORK_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    """A problem+json response."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_of(error: ChatcoreError) -> int:
    """The HTTP status for a core error: by its code, else by its nearest base's code."""
    return STATUS_BY_CODE.get(error.code) or status_for(type(error))


def status_for(error_class: type[ChatcoreError]) -> int:
    """The HTTP status for a class of core errors (what OpenAPI declares)."""
    for cls in error_class.__mro__:
        if (code := vars(cls).get("code")) in STATUS_BY_CODE:
            return STATUS_BY_CODE[code]
    return 400


def _core_error(_: Request[Any, Any, Any], exc: ChatcoreError) -> Response[dict[str, Any]]:
    status = status_of(exc)
    if isinstance(exc, InvalidInput):
        return problem(
            status,
            exc.code,
            "The request is not valid.",
            errors=[{"field": exc.field, "message": exc.message}],
        )
    if isinstance(exc, RateLimited):
        return problem(status, exc.code, exc.detail, headers={"Retry-After": str(exc.retry_after)})
    if status >= 500:
        log.warning("%s: %s", exc.code, exc.detail)
    return problem(status, exc.code, exc.detail or HTTPStatus(status).phrase)


def _validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    reported = [
        e for e in (exc.extra if isinstance(exc.extra, list) else []) if isinstance(e, dict)
    ]
    in_body = [e for e in reported if e.get("source") == "body"]
    errors = [_field_error(e) for e in reported if e not in in_body]
    if in_body:
        # msgspec names only the first invalid field of a body; a form needs them all.
        errors += invalid_body_fields(request) or [_field_error(e) for e in in_body]
    missing = _MISSING_PARAMETER.match(exc.detail)
    if not errors and missing:
        # Litestar names a missing query, header or cookie parameter only in its detail.
        errors = [{"field": missing.group(1), "message": "is required"}]
    errors = [{**error, "message": plain_message(error["message"])} for error in errors]
    return problem(422, "validation_failed", "The request is not valid.", errors=errors)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if isinstance(exc, ClientException) and isinstance(exc.__cause__, SerializationException):
        log.info("malformed body on %s %s: %s", request.method, request.url.path, exc.detail)
        return problem(400, "malformed_body", "The request body is not valid JSON.")
    if isinstance(exc, InternalServerException) and exc.detail == _CLIENT_HUNG_UP:
        log.info("client hung up during %s %s", request.method, request.url.path)
        return problem(400, "bad_request", "The request body ended early.")
    if status >= 500:
        return _internal_error(request, exc)
    code = _FRAMEWORK_CODES.get(status, "bad_request")
    detail = exc.detail if status != 404 else "No such resource."
    return problem(status, code, detail, headers=exc.headers)


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "internal_error", "An unexpected error occurred.")


def _field_error(reported: dict[str, Any]) -> dict[str, str]:
    message = str(reported.get("message", "invalid"))
    return {"field": _field_name(reported.get("key"), message), "message": message}


def _field_name(key: object, message: str) -> str:
    # Litestar names body fields "data.<path>", or just "data" when msgspec reports a
    # missing or unknown field, which it then names in the message.
    path = str(key or "data").removeprefix("data.").removeprefix("$.")
    if path == "data":
        named = _NAMED_FIELD.search(message)
        return named.group(1) if named else "body"
    return path


# How Litestar reports a client that hung up before its request body ended: a server
# error in name only, and nobody is left to read the answer.
_CLIENT_HUNG_UP = "client disconnected prematurely"
_NAMED_FIELD = re.compile(r"field `([^`]+)`")
_MISSING_PARAMETER = re.compile(r"Missing required \w+ parameter '([^']+)'")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ChatcoreError: _core_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _internal_error,
}

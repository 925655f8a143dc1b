"""JSON request bodies: the one request class through which every route that declares a
JSON body reads it (Litestar calls ``json()`` for those routes, and only when a body
was sent, so an optional body may be left out with no content type)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import SerializationException, ValidationException

from chatcore.errors import UnsupportedMediaType
from http_shell.body_errors import FieldError, body_errors

# Where the decoded body is kept for the 422 handler, which names every invalid
# field from it (the handler cannot await the body again).
_DECODED_BODY = "chatcore.json_body"


def is_json_media_type(media_type: str) -> bool:
    """``application/json`` or a ``+json`` kind (``application/merge-patch+json``)."""
    return media_type == "application/json" or media_type.endswith("+json")


class JsonBodyRequest(Request[Any, Any, Any]):
    """A request whose JSON body must be declared JSON, is read strictly as the type
    the route declares, and whose malformed body is always the client's fault."""

    async def json(self) -> Any:
        """The body as the route's declared type; raises UnsupportedMediaType,
        SerializationException or ValidationException."""
        # An HTML form on another site can post text/plain (or form-encoded) bodies
        # without a CORS preflight, but never application/json: requiring the
        # declared type keeps cross-site forms out of every JSON route.
        if not is_json_media_type(self.content_type[0]):
            raise UnsupportedMediaType("The request body must be sent as application/json.")
        try:
            value = await super().json()
        except RecursionError as exc:
            # msgspec reports a body nested past its recursion limit with a bare
            # RecursionError rather than a DecodeError, which Litestar would have
            # turned into a client error like any other malformed body.
            raise SerializationException("The request body is nested too deeply.") from exc
        self.state[_DECODED_BODY] = value
        declared = self.route_handler.parsed_data_field
        if declared is None:
            return value
        try:
            # Strictly: the schema promises an integer, so "5" is refused, not read
            # as 5 (Litestar's own conversion of the body is lenient).
            return msgspec.convert(_whole_numbers(value), declared.annotation, strict=True)
        except msgspec.ValidationError as exc:
            raise ValidationException(
                "The request body is not valid.",
                extra=[{"message": str(exc), "key": "data", "source": "body"}],
            ) from exc


def _whole_numbers(value: Any) -> Any:
    """``value`` with each float that is a whole number as an int: JSON does not tell
    ``30`` from ``30.0`` apart, and JSON Schema's integer takes both."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


def invalid_body_fields(request: Request[Any, Any, Any]) -> list[FieldError]:
    """Every invalid field of the JSON body the route read, checked against the body
    type it declares; [] when it read none."""
    declared = request.route_handler.parsed_data_field
    if declared is None or _DECODED_BODY not in request.state:
        return []
    return body_errors(_whole_numbers(request.state[_DECODED_BODY]), declared.annotation)

"""JSON request bodies: the one request class through which every route that declares a
JSON body reads it (Litestar calls ``json()`` for those routes, and only when a body
was sent, so an optional body may be left out with no content type)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException

from chatcore.errors import UnsupportedMediaType


def is_json_media_type(media_type: str) -> bool:
    """``application/json`` or a ``+json`` kind (``application/merge-patch+json``)."""
    return media_type == "application/json" or media_type.endswith("+json")


class JsonBodyRequest(Request[Any, Any, Any]):
    """A request whose JSON body must be declared JSON, and whose malformed body is
    always the client's fault."""

    async def json(self) -> Any:
        """The decoded body; raises UnsupportedMediaType or SerializationException."""
        # An HTML form on another site can post text/plain (or form-encoded) bodies
        # without a CORS preflight, but never application/json: requiring the
        # declared type keeps cross-site forms out of every JSON route.
        if not is_json_media_type(self.content_type[0]):
            raise UnsupportedMediaType("The request body must be sent as application/json.")
        try:
            return await super().json()
        except RecursionError as exc:
            # msgspec reports a body nested past its recursion limit with a bare
            # RecursionError rather than a DecodeError, which Litestar would have
            # turned into a client error like any other malformed body.
            raise SerializationException("The request body is nested too deeply.") from exc

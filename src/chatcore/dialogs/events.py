"""The events of a chat reply, as the API names them; the shell only encodes them.

Each event is tagged with its API name in a ``type`` field, so
``msgspec.json.encode(event)`` is already a WebSocket frame
(``{"type": "delta", "text": "..."}``); ``event.name`` gives the SSE event name and
``msgspec.structs.asdict(event)`` the SSE payload.
"""

from __future__ import annotations

from typing import cast

import msgspec

from chatcore.dialogs.model import FinishReason, MessageId
from chatcore.kernel import DialogId


class ChatEvent(msgspec.Struct, frozen=True, tag_field="type", tag=str.lower):
    """One event of a reply stream; its tag is its class name in lower case."""

    @property
    def name(self) -> str:
        """The API's name of this event (``meta``, ``delta``, ...)."""
        return cast(str, self.__struct_config__.tag)


class Meta(ChatEvent, frozen=True, kw_only=True):
    """First: where the question and the reply are stored."""

    dialog_id: DialogId
    user_message_id: MessageId
    assistant_message_id: MessageId


class Delta(ChatEvent, frozen=True):
    """The next piece of the reply."""

    text: str


class CitationItem(msgspec.Struct, frozen=True, kw_only=True):
    """A passage of the principal's documents the reply was given."""

    document_id: str
    filename: str
    page: int
    chunk_id: str
    score: float


class Citations(ChatEvent, frozen=True):
    """The passages retrieved for the question, after the reply's text."""

    items: list[CitationItem]


class Usage(ChatEvent, frozen=True):
    """What the reply cost: the provider's counts, or estimates when it never said."""

    prompt_tokens: int
    completion_tokens: int


class Done(ChatEvent, frozen=True):
    """Last: why the reply ended (``stop``, ``length`` or ``cancelled``)."""

    finish_reason: FinishReason


class Error(ChatEvent, frozen=True):
    """The reply failed; the stream ends here. ``detail`` is safe to show a client."""

    code: str
    detail: str

"""Dialogs and chat: stored conversations, the events a chat streams, and the
language-model port.

This package exports the context's types: its model and its ports; its use cases
are exported by ``chatcore.dialogs.use_cases``."""

from chatcore.dialogs.events import (
    ChatEvent,
    CitationItem,
    Citations,
    Delta,
    Done,
    Error,
    Meta,
    Usage,
)
from chatcore.dialogs.model import Dialog, FinishReason, Message, MessageId, MessageRole
from chatcore.dialogs.ports import (
    ChatModel,
    Completion,
    DialogRepository,
    MessageRepository,
    ModelError,
    ModelEvent,
    ModelRequest,
    Passage,
    PromptSource,
    RetrievedPassage,
    Retriever,
    Role,
    TextDelta,
    Turn,
    UsageRecorder,
)
from chatcore.dialogs.stream import ChatStream
from chatcore.dialogs.tokens import estimate_tokens

__all__ = [
    "ChatEvent",
    "ChatModel",
    "ChatStream",
    "CitationItem",
    "Citations",
    "Completion",
    "Delta",
    "Dialog",
    "DialogRepository",
    "Done",
    "Error",
    "FinishReason",
    "Message",
    "MessageId",
    "MessageRepository",
    "MessageRole",
    "Meta",
    "ModelError",
    "ModelEvent",
    "ModelRequest",
    "Passage",
    "PromptSource",
    "RetrievedPassage",
    "Retriever",
    "Role",
    "TextDelta",
    "Turn",
    "Usage",
    "UsageRecorder",
    "estimate_tokens",
]

"""Bodies of the dialog and chat routes."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from chatcore.dialogs.model import Dialog, Message
from chatcore.dialogs.use_cases.dialogs import DialogDetail
from http_shell.constraints import Question, Title
from http_shell.schemas import Body


class CreateDialogBody(Body):
    """``POST /v1/dialogs``."""

    title: Title | None = None


class RenameDialogBody(Body):
    """``PATCH /v1/dialogs/{id}``."""

    title: Title


class ChatBody(Body):
    """``POST /v1/chat`` and the WebSocket ``message`` frame's fields."""

    message: Question
    dialog_id: uuid.UUID | None = None
    use_documents: bool = True


class DialogOut(msgspec.Struct):
    """A dialog without its messages."""

    id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, dialog: Dialog) -> DialogOut:
        return cls(dialog.id, dialog.title, dialog.created_at, dialog.updated_at)


class MessageOut(msgspec.Struct):
    """One turn of a dialog."""

    id: uuid.UUID
    role: str
    content: str
    created_at: datetime
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls(
            message.id,
            message.role,
            message.content,
            message.created_at,
            message.finish_reason,
            message.prompt_tokens,
            message.completion_tokens,
        )


class DialogDetailOut(msgspec.Struct):
    """A dialog with its messages, oldest first."""

    id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime
    messages: list[MessageOut]

    @classmethod
    def of(cls, detail: DialogDetail) -> DialogDetailOut:
        d = detail.dialog
        return cls(
            d.id, d.title, d.created_at, d.updated_at, [MessageOut.of(m) for m in detail.messages]
        )


class DialogPage(msgspec.Struct):
    """A page of dialogs, newest first."""

    items: list[DialogOut]
    next_cursor: str | None

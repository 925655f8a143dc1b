"""Dialogs and their messages, and the rules their text follows."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Literal, NewType

import msgspec

from chatcore.errors import InvalidInput
from chatcore.kernel import DialogId, TenantId
from chatcore.text import display_text, is_display_text

MessageId = NewType("MessageId", uuid.UUID)
MessageRole = Literal["user", "assistant"]
FinishReason = Literal["stop", "length", "cancelled", "error"]

MAX_TITLE = 200
TITLE_FROM_MESSAGE = 60
DEFAULT_TITLE = "New dialog"
MAX_MESSAGE = 32_000


class Dialog(msgspec.Struct, frozen=True, kw_only=True):
    """A conversation of one owner (a user, or an anonymous session) in one tenant."""

    id: DialogId
    tenant_id: TenantId
    owner_id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """One turn of a dialog. Only assistant turns have a finish reason and a model;
    their token counts are the provider's, or estimates when it never reported."""

    id: MessageId
    tenant_id: TenantId
    dialog_id: DialogId
    owner_id: uuid.UUID
    role: MessageRole
    content: str
    created_at: datetime
    finish_reason: FinishReason | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str | None = None


def validate_title(title: str) -> str:
    """A title: trimmed, 1-200 printable characters; raises InvalidInput otherwise."""
    title = title.strip()
    if not title or len(title) > MAX_TITLE or not is_display_text(title):
        raise InvalidInput("title", f"1-{MAX_TITLE} printable characters")
    return title


def validate_message(message: str, max_chars: int = MAX_MESSAGE) -> str:
    """A question to the model, unchanged if not blank and at most ``max_chars`` long;
    raises InvalidInput otherwise."""
    if not message.strip():
        raise InvalidInput("message", "must not be empty")
    if len(message) > max_chars:
        raise InvalidInput("message", f"at most {max_chars} characters")
    if "\x00" in message:  # Postgres text cannot hold NUL
        raise InvalidInput("message", "must not contain NUL characters")
    return message


def title_from_message(message: str) -> str:
    """A dialog's title from its first message: the first non-blank line as display
    text (see ``chatcore.text``), cut at a word boundary to about 60 characters."""
    line = next((line for line in message.splitlines() if line.strip()), "")
    title = display_text(line)
    if len(title) <= TITLE_FROM_MESSAGE:
        return title or DEFAULT_TITLE
    cut = title[: TITLE_FROM_MESSAGE + 1].rsplit(" ", 1)[0]
    if len(cut) > TITLE_FROM_MESSAGE:  # one long word: no boundary to cut at
        cut = title[:TITLE_FROM_MESSAGE]
    return (cut.rstrip(" ,.;:-") or cut) + "…"


def after(now: datetime, previous: datetime) -> datetime:
    """``now``, or just after ``previous`` when a coarse or fixed clock would tie:
    a dialog's messages are ordered by time, so each must be later than the last."""
    return now if now > previous else previous + timedelta(microseconds=1)

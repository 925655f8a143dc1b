"""Keyset pagination: a page request, a page, and the signed cursor between them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

import msgspec

from chatcore.errors import InvalidInput

__all__ = [
    "CursorCodec",
    "Page",
    "PageRequest",
    "Position",
    "page_of",
]

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_SIGNATURE_BYTES = 16


class Position(msgspec.Struct, frozen=True, array_like=True):
    """Where a page ended: the sort key and id of its last item."""

    at: datetime
    id: uuid.UUID


class PageRequest(msgspec.Struct, frozen=True):
    """How many items to return (1 to ``MAX_LIMIT``), and after which position."""

    limit: int = DEFAULT_LIMIT
    after: Position | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput("limit", f"must be between 1 and {MAX_LIMIT}")


class Page(msgspec.Struct, Generic[T], frozen=True):
    """One page of items and, if more follow, the position the next page starts after."""

    items: list[T]
    next_after: Position | None = None


def page_of(rows: list[T], limit: int, position_of: Callable[[T], Position]) -> Page[T]:
    """A page from up to ``limit + 1`` fetched rows; the extra row proves a next page."""
    if len(rows) <= limit:
        return Page(items=rows)
    items = rows[:limit]
    return Page(items=items, next_after=position_of(items[-1]))


class CursorCodec:
    """Positions to opaque cursors and back, signed with a key: a cursor this
    server did not issue never reaches a repository."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encode(self, position: Position | None) -> str | None:
        """The cursor a client sends back for the page after ``position`` (None: no more)."""
        if position is None:
            return None
        payload = msgspec.json.encode(position)
        return f"{_b64encode(payload)}.{_b64encode(self._sign(payload))}"

    def decode(self, cursor: str) -> Position:
        """The position behind a cursor; raises InvalidInput unless this server issued it."""
        try:
            encoded_payload, _, encoded_signature = cursor.partition(".")
            payload = _b64decode(encoded_payload)
            if not hmac.compare_digest(self._sign(payload), _b64decode(encoded_signature)):
                raise ValueError("bad signature")
            return msgspec.json.decode(payload, type=Position)
        except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
            raise InvalidInput("cursor", "is not a cursor this server issued") from exc

    def page_request(self, limit: int | None, cursor: str | None) -> PageRequest:
        """A client's ``limit`` and ``cursor`` as a request; raises InvalidInput."""
        after = self.decode(cursor) if cursor else None
        return PageRequest(limit=DEFAULT_LIMIT if limit is None else limit, after=after)

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

"""Keyset pagination: a page request, a page, and the opaque cursor between them."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

import msgspec

from chatcore.errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Position(msgspec.Struct, frozen=True, array_like=True):
    """Where a page ended: the sort key and id of its last item."""

    at: datetime
    id: uuid.UUID


class PageRequest(msgspec.Struct, frozen=True):
    """How many items to return, and after which position."""

    limit: int = DEFAULT_LIMIT
    after: Position | None = None

    @classmethod
    def parse(cls, limit: int | None, cursor: str | None) -> PageRequest:
        """Validate a client's ``limit`` and ``cursor``; raises InvalidInput."""
        if limit is None:
            limit = DEFAULT_LIMIT
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput("limit", f"must be between 1 and {MAX_LIMIT}")
        return cls(limit=limit, after=decode_cursor(cursor) if cursor else None)


class Page(msgspec.Struct, Generic[T], frozen=True):
    """One page of items and the cursor of the next, if there is one."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(position: Position) -> str:
    """The opaque string a client sends back to get the following page."""
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position behind a cursor; raises InvalidInput if it was not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=Position)
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidInput("cursor", "is not a cursor this server issued") from exc


def page_of(rows: list[T], limit: int, position_of: Callable[[T], Position]) -> Page[T]:
    """A page from up to ``limit + 1`` fetched rows; the extra row proves a next page."""
    if len(rows) <= limit:
        return Page(items=rows)
    items = rows[:limit]
    return Page(items=items, next_cursor=encode_cursor(position_of(items[-1])))

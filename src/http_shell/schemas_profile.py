"""Bodies of the profile, avatar and saved-item routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from chatcore.profile.model import ProfileChanges, ProfileView, SavedItem
from http_shell.constraints import DisplayName, Locale, Note, SavedText
from http_shell.schemas import Body


class ProfilePatchBody(Body):
    """``PATCH /v1/profile``: a field left out is unchanged, ``null`` clears it."""

    display_name: DisplayName | msgspec.UnsetType | None = msgspec.UNSET
    locale: Locale | msgspec.UnsetType | None = msgspec.UNSET
    # Typed loosely on purpose: Litestar reports a body field that shares a
    # dependency's name ("settings") as a server error, so the core checks the type.
    settings: Annotated[
        Any,
        msgspec.Meta(
            description="A JSON object of at most 16 KiB; null empties it.",
            extra_json_schema={"type": ["object", "null"]},
        ),
    ] = msgspec.UNSET

    def changes(self) -> ProfileChanges:
        """The change the core applies."""
        return ProfileChanges(
            display_name=self.display_name, locale=self.locale, settings=self.settings
        )


class ProfileOut(msgspec.Struct):
    """``GET /v1/profile``."""

    id: uuid.UUID
    email: str
    display_name: str | None
    locale: str | None
    settings: dict[str, Any]
    avatar_url: str | None

    @classmethod
    def of(cls, view: ProfileView) -> ProfileOut:
        user, profile = view.user, view.profile
        return cls(
            user.id, user.email, user.display_name, profile.locale, profile.settings,
            view.avatar_url,
        )  # fmt: skip


class AvatarOut(msgspec.Struct):
    """``POST /v1/profile/avatar``."""

    avatar_url: str


class SaveItemBody(Body):
    """``POST /v1/saved``."""

    text: SavedText
    note: Note | None = None
    message_id: uuid.UUID | None = None


class SavedItemOut(msgspec.Struct):
    """A saved item."""

    id: uuid.UUID
    message_id: uuid.UUID | None
    text: str
    note: str | None
    created_at: datetime

    @classmethod
    def of(cls, item: SavedItem) -> SavedItemOut:
        return cls(item.id, item.message_id, item.text, item.note, item.created_at)


class SavedItemPage(msgspec.Struct):
    """One page of saved items."""

    items: list[SavedItemOut]
    next_cursor: str | None

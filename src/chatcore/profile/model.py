"""Profiles and saved items, and the rules their fields follow."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, NewType

import msgspec

from chatcore.errors import InvalidInput
from chatcore.identity.model import User
from chatcore.kernel import TenantId, UserId
from chatcore.text import is_display_text

SavedItemId = NewType("SavedItemId", uuid.UUID)

MAX_DISPLAY_NAME = 100
MAX_LOCALE = 35  # the longest BCP 47 tag registrars recommend supporting
MAX_SETTINGS_BYTES = 16 * 1024
MAX_SAVED_TEXT = 32_000
MAX_NOTE = 2_000
MAX_AVATAR_BYTES = 5 * 1024 * 1024
LOCALE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
_LOCALE = re.compile(LOCALE_PATTERN)


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    """A user's preferences and avatar; the display name lives on the account."""

    tenant_id: TenantId
    user_id: UserId
    locale: str | None = None
    settings: dict[str, Any] = msgspec.field(default_factory=dict)
    avatar: str | None = None
    updated_at: datetime


class ProfileView(msgspec.Struct, frozen=True, kw_only=True):
    """What a user sees of their profile: the account, the profile, the avatar's URL."""

    user: User
    profile: Profile
    avatar_url: str | None


class ProfileChanges(msgspec.Struct, frozen=True, kw_only=True):
    """A partial update: UNSET leaves a field alone, None clears it."""

    display_name: str | msgspec.UnsetType | None = msgspec.UNSET
    locale: str | msgspec.UnsetType | None = msgspec.UNSET
    settings: dict[str, Any] | msgspec.UnsetType | None = msgspec.UNSET


class SavedItem(msgspec.Struct, frozen=True, kw_only=True):
    """A text the owner kept, optionally with the message it came from and a note."""

    id: SavedItemId
    tenant_id: TenantId
    owner_id: uuid.UUID
    message_id: uuid.UUID | None
    text: str
    note: str | None
    created_at: datetime


class ProfilePolicy(msgspec.Struct, frozen=True, kw_only=True):
    """The profile context's numbers, and where avatars are served from."""

    avatar_url_prefix: str
    max_avatar_bytes: int = MAX_AVATAR_BYTES
    avatar_side: int = 512
    # Enough for a 48-megapixel phone photo; decoding more is a memory attack.
    max_avatar_pixels: int = 50_000_000

    def avatar_url(self, name: str) -> str:
        """The public URL of a stored avatar."""
        return self.avatar_url_prefix + name


def validate_display_name(name: str) -> str:
    """A display name: trimmed, 1-100 printable characters; raises InvalidInput."""
    name = name.strip()
    if not name or len(name) > MAX_DISPLAY_NAME or not is_display_text(name):
        raise InvalidInput("display_name", f"1-{MAX_DISPLAY_NAME} printable characters")
    return name


def validate_locale(locale: str) -> str:
    """A BCP 47 language tag such as ``en`` or ``pt-BR``; raises InvalidInput."""
    if len(locale) > MAX_LOCALE or not _LOCALE.fullmatch(locale):
        raise InvalidInput("locale", "must be a language tag such as 'en' or 'pt-BR'")
    return locale


def validate_settings(settings: object) -> dict[str, Any]:
    """Free-form settings: a JSON object of at most 16 KiB; raises InvalidInput."""
    if not isinstance(settings, dict):
        raise InvalidInput("settings", "must be a JSON object")
    encoded = msgspec.json.encode(settings)
    if len(encoded) > MAX_SETTINGS_BYTES:
        raise InvalidInput("settings", f"at most {MAX_SETTINGS_BYTES} bytes of JSON")
    if b"\\u0000" in encoded:  # Postgres JSONB cannot hold NUL
        raise InvalidInput("settings", "must not contain NUL characters")
    return settings


def validate_saved_text(text: str) -> str:
    """The kept text, unchanged if not blank and at most 32 000 characters."""
    if not text.strip():
        raise InvalidInput("text", "must not be empty")
    if len(text) > MAX_SAVED_TEXT or "\x00" in text:
        raise InvalidInput("text", f"at most {MAX_SAVED_TEXT} characters, no NUL")
    return text


def validate_note(note: str | None) -> str | None:
    """A note: None when blank, else at most 2 000 characters."""
    if note is None or not note.strip():
        return None
    if len(note) > MAX_NOTE or "\x00" in note:
        raise InvalidInput("note", f"at most {MAX_NOTE} characters, no NUL")
    return note

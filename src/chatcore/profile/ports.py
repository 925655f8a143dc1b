"""What the profile context needs from the outside world: storage for profiles and
saved items, and an image codec that makes avatars safe to serve. Avatar files go
to a ``BlobStore`` (the documents context's port)."""

from __future__ import annotations

import uuid
from typing import Literal, Protocol

import msgspec

from chatcore.kernel import TenantId, UserId
from chatcore.pagination import Page, PageRequest
from chatcore.profile.model import Profile, SavedItem, SavedItemId

ImageKind = Literal["png", "jpeg", "webp", "gif"]


class ProfileRepository(Protocol):
    """Stored profiles, one per user."""

    async def get(self, tenant_id: TenantId, user_id: UserId) -> Profile | None:
        """The user's profile, or None if it was never written."""
        ...

    async def lock(self, tenant_id: TenantId, profile: Profile) -> Profile:
        """The stored profile of ``profile.user_id``, first stored as ``profile`` if it
        has none, locked until the transaction ends."""
        ...

    async def update(self, tenant_id: TenantId, profile: Profile) -> None:
        """Replace a profile found by ``lock`` in this transaction."""
        ...

    async def delete(self, tenant_id: TenantId, user_id: UserId) -> None:
        """Remove the user's profile, if any."""
        ...


class SavedItemRepository(Protocol):
    """Stored saved items, each visible to its owner only."""

    async def add(self, tenant_id: TenantId, item: SavedItem) -> None:
        """Store a new item of this tenant."""
        ...

    async def list(
        self, tenant_id: TenantId, owner_id: uuid.UUID, page: PageRequest
    ) -> Page[SavedItem]:
        """The owner's items, newest first."""
        ...

    async def delete(self, tenant_id: TenantId, owner_id: uuid.UUID, item_id: SavedItemId) -> bool:
        """Delete one item; False if it is not this owner's."""
        ...

    async def delete_owned(self, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        """Delete every item of the owner."""
        ...


class NormalizedImage(msgspec.Struct, frozen=True, kw_only=True):
    """An image decoded and encoded afresh: pixels only, no metadata."""

    data: bytes
    kind: ImageKind
    width: int
    height: int


class ImageNormalizer(Protocol):
    """Decodes untrusted images and encodes them again, smaller and stripped."""

    async def normalize(
        self, data: bytes, kind: ImageKind, max_side: int, max_pixels: int
    ) -> NormalizedImage:
        """The image fitted within ``max_side`` square, metadata dropped. Raises
        InvalidInput("file") over ``max_pixels``, UnsupportedMediaType if undecodable."""
        ...

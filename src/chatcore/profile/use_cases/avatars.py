"""Avatars: an upload checked by its bytes, re-encoded by the image codec, stored
under a fresh name, and the replaced file removed once the change is committed."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator

import msgspec

from chatcore.errors import FileTooLarge, NotFound, UnsupportedMediaType
from chatcore.events.model import AvatarChanged
from chatcore.events.ports import EventBus
from chatcore.identity.principal import Principal
from chatcore.kernel import BlobStore, Clock, IdFactory, UserId
from chatcore.profile.model import ProfilePolicy
from chatcore.profile.ports import ImageKind, ImageNormalizer
from chatcore.profile.use_cases.profile import locked_profile, user_id_of
from chatcore.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("chatcore.profile")

_EXTENSIONS: dict[ImageKind, str] = {"png": "png", "jpeg": "jpg", "webp": "webp", "gif": "gif"}
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "gif": "image/gif"}
# A name is its blob's key and an extension. The key is half content hash (the URL
# changes with the picture, so it can be cached for ever) and half random (two users
# uploading one picture never share, or delete, a file; nobody guesses a name).
SNIFF_IMAGE_BYTES = 12  # enough for every format sniff_image knows
_NAME = re.compile(r"([0-9a-f]{32})\.(png|jpg|webp|gif)")


class AvatarFile(msgspec.Struct, frozen=True, kw_only=True):
    """A stored avatar, ready to serve: its bytes as a stream, opened."""

    content: AsyncIterator[bytes]
    media_type: str

    async def read(self) -> bytes:
        """The whole file (the stream is used up)."""
        return b"".join([piece async for piece in self.content])


def sniff_image(data: bytes) -> ImageKind:
    """The image format the bytes begin with; raises UnsupportedMediaType otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    raise UnsupportedMediaType("An avatar must be a PNG, JPEG, WebP or GIF image.")


def blob_key(name: str) -> str | None:
    """The blob key of an avatar name, or None if it is not a name we give."""
    match = _NAME.fullmatch(name)
    return match.group(1) if match else None


async def discard_avatar(store: BlobStore, name: str) -> None:
    """Remove a file nothing refers to any more; a failure only leaves it behind."""
    key = blob_key(name)
    try:
        if key is not None:
            await store.delete(key)
    except Exception as exc:  # the change it follows is committed: never undo it
        log.warning("could not remove avatar %s: %s", name, exc)


class SetAvatar:
    """Replace the user's avatar with an uploaded image."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        store: BlobStore,
        images: ImageNormalizer,
        events: EventBus,
        clock: Clock,
        ids: IdFactory,
        policy: ProfilePolicy,
    ) -> None:
        self._uow, self._store, self._images, self._events = uow, store, images, events
        self._clock, self._ids, self._policy = clock, ids, policy

    async def __call__(self, principal: Principal, data: bytes) -> str:
        """The new avatar's URL. Raises FileTooLarge, UnsupportedMediaType, InvalidInput
        (too many pixels), Forbidden for an anonymous caller."""
        user_id = user_id_of(principal)
        if len(data) > self._policy.max_avatar_bytes:
            raise FileTooLarge(f"An avatar may be at most {self._policy.max_avatar_bytes} bytes.")
        image = await self._images.normalize(
            data, sniff_image(data), self._policy.avatar_side, self._policy.max_avatar_pixels
        )
        key = hashlib.sha256(image.data).hexdigest()[:16] + self._ids.new_id().hex[:16]
        name = f"{key}.{_EXTENSIONS[image.kind]}"
        await self._store.put(key, _chunks(image.data))
        try:
            old = await self._swap(principal, user_id, name)
        except BaseException:
            await discard_avatar(self._store, name)
            raise
        if old is not None:
            await discard_avatar(self._store, old)
        url = self._policy.avatar_url(name)
        await self._events.publish(principal.tenant_id, principal.id, AvatarChanged(avatar_url=url))
        return url

    async def _swap(self, principal: Principal, user_id: UserId, name: str) -> str | None:
        """Point the profile at ``name``; the name it pointed at before, if any."""
        now = self._clock.now()
        async with self._uow() as uow:
            # The profile refers to the account; one deleted meanwhile gets no avatar.
            if await uow.users.get(principal.tenant_id, user_id) is None:
                raise NotFound("No such account.")
            profile = await locked_profile(uow, principal.tenant_id, user_id, now)
            await uow.profiles.update(
                principal.tenant_id, msgspec.structs.replace(profile, avatar=name, updated_at=now)
            )
            await uow.commit()
        return profile.avatar


class RemoveAvatar:
    """Remove the user's avatar, if they have one."""

    def __init__(
        self, uow: UnitOfWorkFactory, store: BlobStore, events: EventBus, clock: Clock
    ) -> None:
        self._uow, self._store, self._events, self._clock = uow, store, events, clock

    async def __call__(self, principal: Principal) -> None:
        """Clear the avatar and delete its file; raises Forbidden for an anonymous caller."""
        user_id = user_id_of(principal)
        now = self._clock.now()
        async with self._uow() as uow:
            profile = await locked_profile(uow, principal.tenant_id, user_id, now)
            if profile.avatar is None:
                return  # leaving uncommitted drops the blank profile lock may have added
            await uow.profiles.update(
                principal.tenant_id, msgspec.structs.replace(profile, avatar=None, updated_at=now)
            )
            await uow.commit()
        await discard_avatar(self._store, profile.avatar)
        removed = AvatarChanged(avatar_url=None)
        await self._events.publish(principal.tenant_id, principal.id, removed)


class GetAvatarFile:
    """A stored avatar by its public name."""

    def __init__(self, store: BlobStore) -> None:
        self._store = store

    async def __call__(self, name: str) -> AvatarFile:
        """The file and its media type; raises NotFound, also for the right key under
        another format's extension (the bytes, not the name, decide the type)."""
        key = blob_key(name)
        if key is None:
            raise NotFound("No such avatar.")
        # Streamed, not read whole: the format is in the first bytes.
        pieces = aiter(await self._store.open(key))
        head = b""
        async for piece in pieces:
            head += piece
            if len(head) >= SNIFF_IMAGE_BYTES:
                break
        kind = _sniffed_or_none(head)
        if kind is None or name != f"{key}.{_EXTENSIONS[kind]}":
            await _close(pieces)
            raise NotFound("No such avatar.")
        media_type = MEDIA_TYPES[_EXTENSIONS[kind]]
        return AvatarFile(content=_chained(head, pieces), media_type=media_type)


def _sniffed_or_none(head: bytes) -> ImageKind | None:
    try:
        return sniff_image(head)
    except UnsupportedMediaType:
        return None


async def _chained(head: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield head
    async for piece in rest:
        yield piece


async def _close(pieces: AsyncIterator[bytes]) -> None:
    close = getattr(pieces, "aclose", None)
    if close is not None:
        await close()


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data

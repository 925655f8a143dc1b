"""The profile use cases wired to in-memory adapters, on top of the identity kit."""

from __future__ import annotations

from adapters.events import InProcessEventBus
from adapters.images import PillowImageNormalizer
from adapters.memory import MemoryDatabase
from adapters.memory.blobs import MemoryBlobStore
from chatcore.identity.principal import Principal
from chatcore.profile.model import ProfilePolicy
from chatcore.profile.use_cases.avatars import GetAvatarFile, RemoveAvatar, SetAvatar
from chatcore.profile.use_cases.erasure import ProfileEraser
from chatcore.profile.use_cases.profile import GetProfile, UpdateProfile
from chatcore.profile.use_cases.saved import DeleteSavedItem, ListSavedItems, SaveItem
from chatcore.tenants.model import Tenant
from tests.unit.fakes import IdentityKit

PREFIX = "https://chat.example.com/v1/avatars/"


class ProfileKit:
    """Every profile use case, with identity's, over one in-memory database."""

    def __init__(self) -> None:
        self.database = MemoryDatabase()
        self.blobs = MemoryBlobStore()
        self.events = InProcessEventBus()
        self.identity = IdentityKit(
            self.database.unit_of_work, erasers=(ProfileEraser(self.blobs),)
        )
        uow, clock, ids = self.database.unit_of_work, self.identity.clock, self.identity.ids
        self.policy = ProfilePolicy(avatar_url_prefix=PREFIX)
        images = PillowImageNormalizer()
        self.get_profile = GetProfile(uow, self.policy)
        self.update_profile = UpdateProfile(uow, clock, self.policy)
        self.set_avatar = SetAvatar(uow, self.blobs, images, self.events, clock, ids, self.policy)
        self.remove_avatar = RemoveAvatar(uow, self.blobs, self.events, clock)
        self.get_avatar_file = GetAvatarFile(self.blobs)
        self.save_item = SaveItem(uow, clock, ids)
        self.list_saved = ListSavedItems(uow)
        self.delete_saved = DeleteSavedItem(uow)

    async def tenant(self, slug: str = "acme") -> Tenant:
        """A new tenant."""
        return await self.identity.add_tenant(slug)

    async def user(self, tenant: Tenant, email: str = "ada@example.com") -> Principal:
        """A signed-in user (created on first sign-in)."""
        token = await self.identity.sign_in_by_code(tenant, email)
        return await self.identity.resolve(token, None)

    async def anonymous(self, tenant: Tenant) -> Principal:
        """An anonymous session."""
        credential = await self.identity.create_anonymous(tenant, "test-agent")
        return await self.identity.resolve(credential.access_token, None)

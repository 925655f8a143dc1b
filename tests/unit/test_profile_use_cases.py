"""Profile, avatar and saved-item use cases on in-memory adapters."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from adapters.memory.profile import PROFILES, SAVED_ITEMS
from chatcore.errors import FileTooLarge, Forbidden, InvalidInput, NotFound, UnsupportedMediaType
from chatcore.events import AvatarChanged, Event, Subscription
from chatcore.identity.use_cases.accounts import DeleteAccount
from chatcore.kernel import TenantId
from chatcore.pagination import PageRequest
from chatcore.profile.model import MAX_SETTINGS_BYTES, ProfileChanges, SavedItemId
from chatcore.profile.use_cases.erasure import ProfileEraser
from chatcore.unit_of_work import UnitOfWork
from tests.support.images import image_bytes, opened
from tests.unit.fakes_profile import PREFIX, ProfileKit


async def next_event(subscription: Subscription) -> Event:
    async with asyncio.timeout(5):
        return await anext(aiter(subscription))


class FailingEraser:
    """Another context's eraser that fails, after the profile's has run."""

    async def erase_owned(self, uow: UnitOfWork, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        raise RuntimeError("another context failed")


@pytest.fixture
def kit() -> ProfileKit:
    return ProfileKit()


async def test_a_new_user_has_a_blank_profile(kit: ProfileKit) -> None:
    me = await kit.user(await kit.tenant())
    view = await kit.get_profile(me)
    assert view.user.id == me.id
    assert (view.user.display_name, view.profile.locale, view.profile.settings) == (None, None, {})
    assert view.avatar_url is None


async def test_an_anonymous_session_has_no_profile(kit: ProfileKit) -> None:
    anonymous = await kit.anonymous(await kit.tenant())
    with pytest.raises(Forbidden):
        await kit.get_profile(anonymous)
    with pytest.raises(Forbidden):
        await kit.update_profile(anonymous, ProfileChanges(locale="en"))
    with pytest.raises(Forbidden):
        await kit.set_avatar(anonymous, image_bytes("PNG"))
    with pytest.raises(Forbidden):
        await kit.remove_avatar(anonymous)


async def test_an_update_changes_only_the_fields_given_and_null_clears(kit: ProfileKit) -> None:
    me = await kit.user(await kit.tenant())
    await kit.update_profile(
        me, ProfileChanges(display_name="  Ada L. ", locale="pt-BR", settings={"theme": "dark"})
    )
    view = await kit.update_profile(me, ProfileChanges(locale="en"))
    assert (view.user.display_name, view.profile.locale) == ("Ada L.", "en")
    assert view.profile.settings == {"theme": "dark"}
    cleared = await kit.update_profile(
        me, ProfileChanges(display_name=None, locale=None, settings=None)
    )
    assert (cleared.user.display_name, cleared.profile.locale, cleared.profile.settings) == (
        None, None, {})  # fmt: skip
    assert await kit.get_profile(me) == cleared


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (ProfileChanges(display_name="   "), "display_name"),
        (ProfileChanges(display_name="x" * 101), "display_name"),
        (ProfileChanges(display_name="bell\x07"), "display_name"),
        (ProfileChanges(locale="english please"), "locale"),
        (ProfileChanges(locale="e"), "locale"),
        (ProfileChanges(settings={"big": "x" * MAX_SETTINGS_BYTES}), "settings"),
        (ProfileChanges(settings={"nul": "a\x00b"}), "settings"),
    ],
)
async def test_invalid_changes_are_refused_and_nothing_changes(
    kit: ProfileKit, changes: ProfileChanges, field: str
) -> None:
    me = await kit.user(await kit.tenant())
    before = await kit.get_profile(me)
    with pytest.raises(InvalidInput) as refused:
        await kit.update_profile(me, changes)
    assert refused.value.field == field
    assert await kit.get_profile(me) == before


async def test_setting_an_avatar_stores_it_and_tells_every_open_tab(kit: ProfileKit) -> None:
    me = await kit.user(await kit.tenant())
    async with (
        kit.events.subscribe(me.tenant_id, me.id) as tab,
        kit.events.subscribe(me.tenant_id, me.id) as other_tab,
    ):
        url = await kit.set_avatar(me, image_bytes("JPEG", (2000, 1000)))
        assert await next_event(tab) == AvatarChanged(avatar_url=url)
        assert await next_event(other_tab) == AvatarChanged(avatar_url=url)
    assert url.startswith(PREFIX) and url.endswith(".jpg")
    assert (await kit.get_profile(me)).avatar_url == url
    avatar = await kit.get_avatar_file(url.removeprefix(PREFIX))
    assert avatar.media_type == "image/jpeg"
    assert opened(await avatar.read()).size == (512, 256)


async def test_replacing_an_avatar_removes_the_old_file(kit: ProfileKit) -> None:
    me = await kit.user(await kit.tenant())
    first = await kit.set_avatar(me, image_bytes("PNG"))
    second = await kit.set_avatar(me, image_bytes("WEBP"))
    assert first != second
    assert len(kit.blobs.files) == 1
    with pytest.raises(NotFound):
        await kit.get_avatar_file(first.removeprefix(PREFIX))
    assert (await kit.get_avatar_file(second.removeprefix(PREFIX))).media_type == "image/webp"


async def test_the_same_picture_for_two_users_is_two_files(kit: ProfileKit) -> None:
    tenant = await kit.tenant()
    ada, bob = await kit.user(tenant), await kit.user(tenant, "bob@example.com")
    picture = image_bytes("PNG")
    ada_url, bob_url = await kit.set_avatar(ada, picture), await kit.set_avatar(bob, picture)
    assert ada_url != bob_url
    await kit.remove_avatar(ada)
    assert await (await kit.get_avatar_file(bob_url.removeprefix(PREFIX))).read()


async def test_a_refused_upload_stores_nothing_and_keeps_the_avatar(kit: ProfileKit) -> None:
    me = await kit.user(await kit.tenant())
    url = await kit.set_avatar(me, image_bytes("PNG"))
    with pytest.raises(FileTooLarge):
        await kit.set_avatar(me, b"\x89PNG\r\n\x1a\n" + b"\x00" * kit.policy.max_avatar_bytes)
    with pytest.raises(UnsupportedMediaType):
        await kit.set_avatar(me, b"hello, I am a text file called avatar.png")
    assert (await kit.get_profile(me)).avatar_url == url
    assert len(kit.blobs.files) == 1


async def test_a_failed_commit_discards_the_new_file(kit: ProfileKit) -> None:
    me = await kit.user(await kit.tenant())
    async with kit.database.unit_of_work() as tx:  # the account goes, the session stays
        await tx.users.delete(me.tenant_id, me.id)  # type: ignore[arg-type]
        await tx.commit()
    with pytest.raises(NotFound):
        await kit.set_avatar(me, image_bytes("PNG"))
    assert kit.blobs.files == {}


async def test_removing_the_avatar_deletes_the_file_and_tells_the_tabs(kit: ProfileKit) -> None:
    me = await kit.user(await kit.tenant())
    await kit.set_avatar(me, image_bytes("GIF"))
    async with kit.events.subscribe(me.tenant_id, me.id) as tab:
        await kit.remove_avatar(me)
        assert await next_event(tab) == AvatarChanged(avatar_url=None)
        await kit.remove_avatar(me)  # nothing left to remove: no event, no error
        await kit.events.publish(me.tenant_id, me.id, AvatarChanged(avatar_url="marker"))
        assert await next_event(tab) == AvatarChanged(avatar_url="marker")
    assert kit.blobs.files == {}
    assert (await kit.get_profile(me)).avatar_url is None


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "a" * 32 + ".svg", "A" * 32 + ".png", "a" * 32, "x.png", ""]
)
async def test_only_names_we_give_are_served(kit: ProfileKit, name: str) -> None:
    with pytest.raises(NotFound):
        await kit.get_avatar_file(name)


async def test_saved_items_belong_to_their_owner(kit: ProfileKit) -> None:
    tenant = await kit.tenant()
    me, other, guest = (
        await kit.user(tenant), await kit.user(tenant, "eve@example.com"),
        await kit.anonymous(tenant),
    )  # fmt: skip
    message_id = uuid.uuid4()
    item = await kit.save_item(me, "  Paris is the capital.\n", " source ", message_id)
    assert (item.text, item.note, item.message_id) == (
        "  Paris is the capital.\n",
        " source ",
        message_id,
    )
    guest_item = await kit.save_item(guest, "anonymous sessions keep things too", "  ")
    assert guest_item.note is None
    assert (await kit.list_saved(me, PageRequest())).items == [item]
    assert (await kit.list_saved(other, PageRequest())).items == []
    with pytest.raises(NotFound):
        await kit.delete_saved(other, item.id)
    with pytest.raises(NotFound):
        await kit.delete_saved(me, SavedItemId(uuid.uuid4()))
    await kit.delete_saved(me, item.id)
    assert (await kit.list_saved(me, PageRequest())).items == []


@pytest.mark.parametrize(
    ("text", "note", "field"),
    [
        ("   ", None, "text"),
        ("x" * 32_001, None, "text"),
        ("ok", "n" * 2_001, "note"),
        ("nul\x00", None, "text"),
    ],
)
async def test_invalid_saved_items_are_refused(
    kit: ProfileKit, text: str, note: str | None, field: str
) -> None:
    me = await kit.user(await kit.tenant())
    with pytest.raises(InvalidInput) as refused:
        await kit.save_item(me, text, note)
    assert refused.value.field == field


async def test_deleting_the_account_erases_profile_items_and_avatar_file(kit: ProfileKit) -> None:
    tenant = await kit.tenant()
    me, other = await kit.user(tenant), await kit.user(tenant, "eve@example.com")
    await kit.update_profile(me, ProfileChanges(locale="fr"))
    await kit.set_avatar(me, image_bytes("PNG"))
    theirs = await kit.set_avatar(other, image_bytes("PNG"))
    await kit.save_item(me, "mine")
    kept = await kit.save_item(other, "theirs")
    await kit.identity.delete_account(me)
    tables = kit.database.tables
    assert list(tables[PROFILES]) == [(tenant.id, other.id)]
    assert list(tables[SAVED_ITEMS]) == [kept.id]
    assert list(kit.blobs.files) == [theirs.removeprefix(PREFIX).split(".")[0]]


async def test_an_erasure_that_rolls_back_keeps_the_avatar_file(kit: ProfileKit) -> None:
    me = await kit.user(await kit.tenant())
    await kit.set_avatar(me, image_bytes("PNG"))

    delete = DeleteAccount(kit.database.unit_of_work, [ProfileEraser(kit.blobs), FailingEraser()])
    with pytest.raises(RuntimeError):
        await delete(me)
    assert len(kit.blobs.files) == 1
    assert (await kit.get_profile(me)).avatar_url is not None

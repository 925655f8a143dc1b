"""Sessions behind credentials: anonymous ones, resolution, logout and deletion."""

from __future__ import annotations

import uuid

import pytest

from chatcore.errors import (
    AuthMethodDisabled,
    NotAuthenticated,
    NotFound,
    TenantMismatch,
)
from chatcore.identity.model import SessionId
from chatcore.kernel import TenantId
from chatcore.unit_of_work import UnitOfWork
from tests.unit.fakes import IdentityKit


class RecordingEraser:
    """Another context's eraser: remembers whose data it was asked to erase."""

    def __init__(self) -> None:
        self.erased: list[uuid.UUID] = []

    async def erase_owned(self, uow: UnitOfWork, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        self.erased.append(owner_id)


async def test_an_anonymous_session_is_its_own_principal() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    credential = await kit.create_anonymous(tenant, "Safari")
    assert credential.user is None
    principal = await kit.resolve(credential.access_token, None)
    assert principal.kind == "anonymous"
    assert principal.id == principal.session_id == credential.session.id
    assert principal.tenant_id == tenant.id


async def test_a_tenant_may_refuse_anonymous_sessions() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant(auth_methods=("otp", "password"))
    with pytest.raises(AuthMethodDisabled) as caught:
        await kit.create_anonymous(tenant, None)
    assert caught.value.code == "auth_method_disabled"


async def test_logout_revokes_the_token_at_once() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    token = await kit.sign_in_by_code(tenant, "a@example.com")
    principal = await kit.resolve(token, tenant.id)
    await kit.logout(principal)
    with pytest.raises(NotAuthenticated):
        await kit.resolve(token, tenant.id)


async def test_logout_ends_only_its_own_session() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    laptop = await kit.sign_in_by_code(tenant, "a@example.com")
    kit.clock.advance(60)
    phone = await kit.sign_in_by_code(tenant, "a@example.com")
    await kit.logout(await kit.resolve(laptop, None))
    assert (await kit.resolve(phone, None)).kind == "user"


async def test_a_session_expires_with_its_time() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    token = (await kit.create_anonymous(tenant, None)).access_token
    kit.clock.advance(kit.policy.session_ttl_minutes * 60 - 1)
    await kit.resolve(token, None)
    kit.clock.advance(1)
    with pytest.raises(NotAuthenticated):
        await kit.resolve(token, None)


async def test_a_token_from_another_tenant_is_a_mismatch() -> None:
    kit = IdentityKit()
    acme, other = await kit.add_tenant("acme"), await kit.add_tenant("other")
    token = await kit.sign_in_by_code(acme, "a@example.com")
    with pytest.raises(TenantMismatch):
        await kit.resolve(token, other.id)
    assert (await kit.resolve(token, acme.id)).tenant_id == acme.id


async def test_a_forged_token_is_refused() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    token = (await kit.create_anonymous(tenant, None)).access_token
    with pytest.raises(NotAuthenticated):
        await kit.resolve(token + "0", None)


async def test_last_seen_moves_at_most_once_a_minute() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    credential = await kit.create_anonymous(tenant, None)
    started = credential.session.last_seen_at

    async def last_seen() -> object:
        async with kit.uow(read_only=True) as tx:
            session = await tx.sessions.get(tenant.id, credential.session.id)
        assert session is not None
        return session.last_seen_at

    kit.clock.advance(30)
    await kit.resolve(credential.access_token, None)
    assert await last_seen() == started
    kit.clock.advance(30)
    await kit.resolve(credential.access_token, None)
    assert await last_seen() == kit.clock.now()


async def test_signing_in_from_an_anonymous_session_replaces_it() -> None:
    eraser = RecordingEraser()
    kit = IdentityKit(erasers=(eraser,))
    tenant = await kit.add_tenant()
    anonymous = await kit.create_anonymous(tenant, None)
    before = await kit.resolve(anonymous.access_token, None)
    await kit.request_otp(tenant, "a@example.com")
    code = kit.mailer.last_code("a@example.com")

    credential = await kit.verify_otp(tenant, "a@example.com", code, None, before)

    assert credential.session.id != before.session_id
    with pytest.raises(NotAuthenticated):
        await kit.resolve(anonymous.access_token, None)
    assert eraser.erased == [before.id]
    assert (await kit.resolve(credential.access_token, None)).kind == "user"


async def test_a_user_deletes_one_of_their_sessions() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    laptop = await kit.sign_in_by_code(tenant, "a@example.com")
    kit.clock.advance(60)
    phone = await kit.sign_in_by_code(tenant, "a@example.com")
    me = await kit.resolve(phone, None)
    await kit.delete_session(me, (await kit.resolve(laptop, None)).session_id)
    with pytest.raises(NotAuthenticated):
        await kit.resolve(laptop, None)
    assert await kit.resolve(phone, None) == me


async def test_nobody_deletes_a_session_that_is_not_theirs() -> None:
    kit = IdentityKit()
    acme, other = await kit.add_tenant("acme"), await kit.add_tenant("other")
    alice = await kit.sign_in_by_code(acme, "alice@example.com")
    bob = await kit.resolve(await kit.sign_in_by_code(acme, "bob@example.com"), None)
    stranger = await kit.resolve((await kit.create_anonymous(other, None)).access_token, None)
    alice_session = (await kit.resolve(alice, None)).session_id
    for intruder in (bob, stranger):
        with pytest.raises(NotFound):
            await kit.delete_session(intruder, alice_session)
    with pytest.raises(NotFound):
        await kit.delete_session(bob, SessionId(uuid.uuid4()))
    await kit.resolve(alice, None)


async def test_deleting_an_anonymous_session_erases_the_principal_and_its_data() -> None:
    eraser = RecordingEraser()
    kit = IdentityKit(erasers=(eraser,))
    tenant = await kit.add_tenant()
    credential = await kit.create_anonymous(tenant, None)
    principal = await kit.resolve(credential.access_token, None)
    await kit.delete_session(principal, credential.session.id)
    assert eraser.erased == [principal.id]
    with pytest.raises(NotAuthenticated):
        await kit.resolve(credential.access_token, None)


async def test_deleting_the_account_erases_everything_and_revokes_every_session() -> None:
    eraser = RecordingEraser()
    kit = IdentityKit(erasers=(eraser,))
    tenant = await kit.add_tenant()
    first = await kit.sign_in_by_code(tenant, "a@example.com")
    kit.clock.advance(60)
    second = await kit.sign_in_by_code(tenant, "a@example.com")
    me = await kit.resolve(second, None)
    assert (await kit.get_account(me)).email == "a@example.com"

    await kit.delete_account(me)

    assert eraser.erased == [me.id]
    for token in (first, second):
        with pytest.raises(NotAuthenticated):
            await kit.resolve(token, None)
    async with kit.uow(read_only=True) as tx:
        assert await tx.users.get(tenant.id, me.id) is None  # type: ignore[arg-type]
        assert await tx.otp_challenges.get_for_update(tenant.id, "a@example.com") is None
    # The address is free again: the next code makes a new account.
    kit.clock.advance(60)
    again = await kit.resolve(await kit.sign_in_by_code(tenant, "a@example.com"), None)
    assert again.id != me.id


async def test_an_anonymous_principal_has_no_account_to_read() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    principal = await kit.resolve((await kit.create_anonymous(tenant, None)).access_token, None)
    with pytest.raises(NotFound):
        await kit.get_account(principal)

"""API keys on the in-memory adapters: who may manage them, and the invariants of
authenticating by one (hypothesis): never after revocation, expiry or account
deletion, and keys that share a prefix never stand in for each other."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.memory import MemoryDatabase
from chatcore.errors import Forbidden, InvalidInput, NotAuthenticated
from chatcore.identity.api_keys import ApiKey, ApiKeyId, hash_key, prefix_of
from chatcore.identity.model import User
from chatcore.identity.principal import Principal
from chatcore.identity.use_cases.accounts import DeleteAccount
from chatcore.identity.use_cases.api_keys import (
    AuthenticateApiKey,
    CreateApiKey,
    ListApiKeys,
    RevokeApiKey,
)
from chatcore.kernel import RandomIdFactory, TenantId, UserId
from chatcore.pagination import PageRequest
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.unit_of_work import UnitOfWorkFactory
from tests.unit.fakes import T0, FakeClock

SECRET = b"k" * 32
URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


async def a_user(uow: UnitOfWorkFactory) -> Principal:
    """A signed-in user of a new tenant."""
    tenant = Tenant(
        id=TenantId(uuid.uuid4()), slug="t", name="T", settings=TenantSettings(), created_at=T0
    )
    user = User(
        id=UserId(uuid.uuid4()),
        tenant_id=tenant.id,
        email="u@example.com",
        password_hash=None,
        email_confirmed_at=T0,
        display_name=None,
        created_at=T0,
    )
    async with uow() as tx:
        await tx.tenants.add(tenant)
        await tx.users.add(tenant.id, user)
        await tx.commit()
    return Principal(tenant_id=tenant.id, id=user.id, kind="user", session_id=uuid.uuid4())


class Keys:
    """Every API-key use case on one in-memory database and clock."""

    def __init__(self) -> None:
        self.uow = MemoryDatabase().unit_of_work
        self.clock = FakeClock(T0)
        self.create = CreateApiKey(self.uow, self.clock, RandomIdFactory(), SECRET)
        self.list = ListApiKeys(self.uow, self.clock)
        self.revoke = RevokeApiKey(self.uow)
        self.authenticate = AuthenticateApiKey(self.uow, self.clock, SECRET)


async def test_only_a_signed_in_user_manages_keys() -> None:
    keys = Keys()
    user = await a_user(keys.uow)
    made = await keys.create(user, "  ci  ")
    assert made.record.name == "ci"
    by_key = await keys.authenticate(made.key, None)
    guest = Principal(
        tenant_id=user.tenant_id, id=uuid.uuid4(), kind="anonymous", session_id=uuid.uuid4()
    )
    for caller in (by_key, guest):
        with pytest.raises(Forbidden):
            await keys.create(caller, "more")
        with pytest.raises(Forbidden):
            await keys.list(caller, PageRequest())
        with pytest.raises(Forbidden):
            await keys.revoke(caller, made.record.id)
    with pytest.raises(Forbidden):
        await DeleteAccount(keys.uow)(by_key)


async def test_a_key_expiring_in_the_past_or_with_a_blank_name_is_refused() -> None:
    keys = Keys()
    user = await a_user(keys.uow)
    with pytest.raises(InvalidInput):
        await keys.create(user, "ci", T0)
    for name in ("", "   ", "x" * 101, "tab\there"):
        with pytest.raises(InvalidInput):
            await keys.create(user, name)


async def test_last_use_is_written_at_most_once_a_minute() -> None:
    keys = Keys()
    user = await a_user(keys.uow)
    made = await keys.create(user, "ci")

    async def last_used() -> object:
        (listed,) = (await keys.list(user, PageRequest())).items
        return listed.record.last_used_at

    await keys.authenticate(made.key, None)
    assert await last_used() == T0
    keys.clock.advance(59)
    await keys.authenticate(made.key, None)
    assert await last_used() == T0
    keys.clock.advance(1)
    await keys.authenticate(made.key, None)
    assert await last_used() == T0 + timedelta(seconds=60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fates=st.lists(st.sampled_from(["kept", "revoked", "expired"]), min_size=1, max_size=6),
    account_deleted=st.booleans(),
)
async def test_a_key_never_authenticates_after_revocation_expiry_or_its_accounts_end(
    fates: list[str], account_deleted: bool
) -> None:
    keys = Keys()
    user = await a_user(keys.uow)
    made = [
        await keys.create(user, f"k{n}", T0 + timedelta(minutes=1) if fate == "expired" else None)
        for n, fate in enumerate(fates)
    ]
    for key, fate in zip(made, fates, strict=True):
        assert await keys.authenticate(key.key, None) == key.record.principal()
        if fate == "revoked":
            await keys.revoke(user, key.record.id)
    keys.clock.advance(60)
    if account_deleted:
        await DeleteAccount(keys.uow)(user)
    for key, fate in zip(made, fates, strict=True):
        if fate == "kept" and not account_deleted:
            assert (await keys.authenticate(key.key, user.tenant_id)).api_key_id == key.record.id
        else:
            with pytest.raises(NotAuthenticated):
                await keys.authenticate(key.key, None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tails=st.lists(
        st.text(alphabet=URL_SAFE, min_size=35, max_size=43), min_size=2, max_size=5, unique=True
    ),
    stranger=st.text(alphabet=URL_SAFE, min_size=35, max_size=43),
)
async def test_keys_sharing_a_prefix_each_authenticate_as_themselves_only(
    tails: list[str], stranger: str
) -> None:
    keys = Keys()
    user = await a_user(keys.uow)
    secrets = [f"ck_SAMEPREF{tail}" for tail in tails]
    records = [
        ApiKey(
            id=ApiKeyId(uuid.uuid4()),
            tenant_id=user.tenant_id,
            owner_id=UserId(user.id),
            name=f"k{n}",
            prefix=prefix_of(secret),
            key_hash=hash_key(SECRET, secret),
            created_at=T0,
        )
        for n, secret in enumerate(secrets)
    ]
    async with keys.uow() as tx:
        for record in records:
            await tx.api_keys.add(user.tenant_id, record)
        await tx.commit()
    for secret, record in zip(secrets, records, strict=True):
        assert (await keys.authenticate(secret, None)).api_key_id == record.id
    if f"ck_SAMEPREF{stranger}" not in secrets:
        with pytest.raises(NotAuthenticated):
            await keys.authenticate(f"ck_SAMEPREF{stranger}", None)

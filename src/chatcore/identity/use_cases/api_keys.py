"""API keys: a signed-in user makes, lists and revokes them; every request that
presents one is authenticated by it, with no cache, so a revoked key is refused at
once by every process."""

from __future__ import annotations

from datetime import datetime

import msgspec

from chatcore.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, TenantMismatch
from chatcore.identity.api_keys import (
    ApiKey,
    ApiKeyId,
    hash_key,
    matches,
    new_key,
    prefix_of,
    validate_key_name,
)
from chatcore.identity.principal import Principal
from chatcore.kernel import Clock, IdFactory, TenantId, UserId
from chatcore.pagination import Page, PageRequest
from chatcore.unit_of_work import UnitOfWorkFactory
from chatcore.usage.model import Period

# last_used_at is bookkeeping: one write a minute per key, not one per request.
TOUCH_SECONDS = 60


class NewApiKey(msgspec.Struct, frozen=True, kw_only=True):
    """A key just made: the stored record and the secret, which is never shown again."""

    record: ApiKey
    key: str


class ApiKeyUsage(msgspec.Struct, frozen=True, kw_only=True):
    """A key and the tokens spent with it this calendar month."""

    record: ApiKey
    total_tokens_this_month: int


def _require_signed_in(principal: Principal) -> UserId:
    if not principal.signed_in:
        raise Forbidden("Only a signed-in user, not a guest or an API key, manages API keys.")
    return UserId(principal.id)


class CreateApiKey:
    """Make an API key for the signed-in user."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, ids: IdFactory, secret: bytes) -> None:
        self._uow, self._clock, self._ids, self._secret = uow, clock, ids, secret

    async def __call__(
        self, principal: Principal, name: str, expires_at: datetime | None = None
    ) -> NewApiKey:
        """The new key; raises Forbidden (a guest or a key asking) or InvalidInput."""
        owner_id = _require_signed_in(principal)
        name = validate_key_name(name)
        now = self._clock.now()
        if expires_at is not None and expires_at <= now:
            raise InvalidInput("expires_at", "must be in the future")
        key = new_key()
        record = ApiKey(
            id=ApiKeyId(self._ids.new_id()),
            tenant_id=principal.tenant_id,
            owner_id=owner_id,
            name=name,
            prefix=prefix_of(key),
            key_hash=hash_key(self._secret, key),
            created_at=now,
            expires_at=expires_at,
        )
        async with self._uow() as uow:
            await uow.api_keys.add(principal.tenant_id, record)
            await uow.commit()
        return NewApiKey(record=record, key=key)


class ListApiKeys:
    """The signed-in user's keys, newest first, with this month's tokens of each."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self, principal: Principal, page: PageRequest) -> Page[ApiKeyUsage]:
        """One page; raises Forbidden for a guest or a key."""
        owner_id = _require_signed_in(principal)
        period = Period.containing(self._clock.now())
        async with self._uow(read_only=True) as uow:
            keys = await uow.api_keys.list(principal.tenant_id, owner_id, page)
            spent = await uow.usage.key_totals(principal.tenant_id, owner_id, period)
        items = [
            ApiKeyUsage(record=key, total_tokens_this_month=spent.get(key.id, 0))
            for key in keys.items
        ]
        return Page(items=items, next_after=keys.next_after)


class RevokeApiKey:
    """Revoke one of the signed-in user's keys."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, key_id: ApiKeyId) -> None:
        """Delete it; raises Forbidden for a guest or a key, NotFound for a key that is
        not the caller's."""
        owner_id = _require_signed_in(principal)
        async with self._uow() as uow:
            if not await uow.api_keys.delete(principal.tenant_id, owner_id, key_id):
                raise NotFound("No such API key.")
            await uow.commit()


class AuthenticateApiKey:
    """Turn a presented API key into its user, in the key's tenant."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        secret: bytes,
        touch_seconds: int = TOUCH_SECONDS,
    ) -> None:
        self._uow, self._clock, self._secret = uow, clock, secret
        self._touch_seconds = touch_seconds

    async def __call__(self, key: str, request_tenant_id: TenantId | None) -> Principal:
        """The key's principal; raises NotAuthenticated for a key that is unknown,
        revoked or expired, TenantMismatch when the request names another tenant."""
        key_hash = hash_key(self._secret, key)
        async with self._uow(read_only=True) as uow:
            candidates = await uow.api_keys.with_prefix(prefix_of(key))
        # Keys that share a prefix are told apart by their whole hash, each compared.
        found = [candidate for candidate in candidates if matches(candidate, key_hash)]
        now = self._clock.now()
        if not found or not found[0].is_live(now):
            raise NotAuthenticated("The API key is unknown, revoked or expired.")
        record = found[0]
        if request_tenant_id is not None and request_tenant_id != record.tenant_id:
            raise TenantMismatch("This API key belongs to another tenant.")
        last = record.last_used_at
        if last is None or (now - last).total_seconds() >= self._touch_seconds:
            async with self._uow() as uow:
                await uow.api_keys.touch(record.tenant_id, record.id, now)
                await uow.commit()
        return record.principal()

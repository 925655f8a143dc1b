"""Usage use cases: admit a chat, settle it with what it cost, report the month, erase
a principal's usage."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from chatcore.errors import QuotaExceeded, RateLimited, TenantMismatch
from chatcore.events.model import QuotaWarning
from chatcore.events.ports import EventBus
from chatcore.identity.principal import Principal
from chatcore.kernel import Clock, IdFactory, TenantDefaults, TenantId, UsageRecord
from chatcore.tenants.model import Tenant
from chatcore.unit_of_work import UnitOfWork, UnitOfWorkFactory
from chatcore.usage.model import (
    RATE_WINDOW,
    RESERVATION_TTL,
    WARNING_SHARE,
    Period,
    Reservation,
    UsageEntry,
)

__all__ = [
    "AdmitChat",
    "GetUsage",
    "SettleChat",
    "UsageEraser",
    "UsageLimits",
    "UsageReport",
]


class UsageLimits(msgspec.Struct, frozen=True, kw_only=True):
    """A tenant's limits, the deployment's defaults filled in. A limit of 0 allows
    nothing: ``rate_limit_per_minute=0`` turns chat off."""

    monthly_token_quota: int
    tenant_monthly_token_cap: int | None
    rate_limit_per_minute: int

    @classmethod
    def of(cls, tenant: Tenant, defaults: TenantDefaults) -> UsageLimits:
        """The limits ``tenant`` sets, with ``defaults`` where it sets none."""
        settings = tenant.settings
        return cls(
            monthly_token_quota=_or(settings.monthly_token_quota, defaults.monthly_token_quota),
            tenant_monthly_token_cap=settings.tenant_monthly_token_cap,
            rate_limit_per_minute=_or(
                settings.rate_limit_per_minute, defaults.rate_limit_per_minute
            ),
        )


class AdmitChat:
    """Admit a chat (a ChatAdmission): the rate limit first, then the quotas.

    A chat is admitted while its principal, and its tenant if capped, have tokens
    left after what is settled and held; it then holds ``estimate`` tokens. So a
    month's usage passes a quota by at most one estimate, if no chat costs more."""

    def __init__(self, clock: Clock, ids: IdFactory, defaults: TenantDefaults) -> None:
        self._clock, self._ids, self._defaults = clock, ids, defaults

    async def __call__(
        self, uow: UnitOfWork, principal: Principal, tenant: Tenant, estimate: int
    ) -> uuid.UUID:
        """Count the chat and hold ``estimate`` tokens inside ``uow`` (not committing);
        the reservation's id. Raises RateLimited or QuotaExceeded."""
        now = self._clock.now()
        limits = UsageLimits.of(tenant, self._defaults)
        wait = await uow.rate_limiter.acquire(
            tenant.id, principal.id, limits.rate_limit_per_minute, RATE_WINDOW, now
        )
        if wait:
            raise RateLimited(wait, "Too many chat requests this minute.")
        if not await _has_room(uow, tenant, principal.id, limits.monthly_token_quota, now):
            raise QuotaExceeded("The monthly token quota is used up.")
        cap = limits.tenant_monthly_token_cap
        if cap is not None and not await _has_room(uow, tenant, None, cap, now):
            raise QuotaExceeded("The organisation's monthly token quota is used up.")
        reservation = Reservation(
            id=self._ids.new_id(),
            principal_id=principal.id,
            tokens=estimate,
            expires_at=now + RESERVATION_TTL,
        )
        await uow.usage.reserve(tenant.id, reservation, now)
        return reservation.id


async def _has_room(
    uow: UnitOfWork, tenant: Tenant, principal_id: uuid.UUID | None, quota: int, now: datetime
) -> bool:
    # Locking the totals first makes concurrent admissions read the holds one by one.
    settled = await uow.usage.lock_totals(tenant.id, principal_id, Period.containing(now))
    held = await uow.usage.reserved(tenant.id, principal_id, now)
    return settled.total_tokens + held < quota


class SettleChat:
    """Record what a chat's model call cost and release what its admission held (a
    UsageRecorder); ChatService calls it however the reply ended.

    The settle that brings its principal's month to ``WARNING_SHARE`` of the quota
    publishes a QuotaWarning. It reads the totals it adds to under their lock, so of
    concurrent settles (in any process) exactly one sees the month cross the line:
    the warning needs no stored flag, and comes once a period while the quota holds."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        ids: IdFactory,
        defaults: TenantDefaults,
        events: EventBus,
    ) -> None:
        self._uow, self._ids, self._defaults, self._events = uow, ids, defaults, events

    async def record(self, record: UsageRecord) -> None:
        """Append the call to the ledger, in the month it ended, and drop its hold;
        then warn the principal if this call took the month past the warning line."""
        period = Period.containing(record.at)
        async with self._uow() as uow:
            # The principal's totals are locked first, the order admissions lock in.
            before = await uow.usage.lock_totals(record.tenant_id, record.principal_id, period)
            if record.reservation_id is not None:
                await uow.usage.release(record.tenant_id, record.reservation_id)
            await uow.usage.record(
                record.tenant_id,
                UsageEntry(
                    id=self._ids.new_id(),
                    principal_id=record.principal_id,
                    dialog_id=record.dialog_id,
                    model=record.model,
                    prompt_tokens=record.prompt_tokens,
                    completion_tokens=record.completion_tokens,
                    at=record.at,
                    api_key_id=record.api_key_id,
                ),
            )
            tenant = await uow.tenants.get(record.tenant_id)
            await uow.commit()
        if tenant is None:
            return
        quota = UsageLimits.of(tenant, self._defaults).monthly_token_quota
        after = before.total_tokens + record.prompt_tokens + record.completion_tokens
        if crosses_warning(before.total_tokens, after, quota):
            warning = QuotaWarning(total_tokens=after, quota_tokens=quota, period_end=period.end)
            await self._events.publish(record.tenant_id, record.principal_id, warning)


def crosses_warning(before: int, after: int, quota: int) -> bool:
    """Whether going from ``before`` to ``after`` tokens reaches the warning share of
    ``quota`` for the first time (never for a quota of 0, which allows nothing)."""
    line = quota * WARNING_SHARE
    return quota > 0 and before < line <= after


class UsageReport(msgspec.Struct, frozen=True, kw_only=True):
    """A principal's usage of the current month and the limits it runs under."""

    period_start: datetime
    period_end: datetime
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    quota_tokens: int
    remaining_tokens: int
    rate_limit_per_minute: int
    requests_this_minute: int


class GetUsage:
    """Report a principal's settled usage this month, and what is left of it."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, defaults: TenantDefaults) -> None:
        self._uow, self._clock, self._defaults = uow, clock, defaults

    async def __call__(self, principal: Principal, tenant: Tenant) -> UsageReport:
        """The report; ``remaining_tokens`` is also bounded by the tenant's cap, if
        any. Raises TenantMismatch."""
        if tenant.id != principal.tenant_id:
            raise TenantMismatch("The principal is not of this tenant.")
        now = self._clock.now()
        period = Period.containing(now)
        limits = UsageLimits.of(tenant, self._defaults)
        async with self._uow(read_only=True) as uow:
            mine = await uow.usage.totals(tenant.id, principal.id, period)
            remaining = max(0, limits.monthly_token_quota - mine.total_tokens)
            if limits.tenant_monthly_token_cap is not None:
                everyone = await uow.usage.totals(tenant.id, None, period)
                left = max(0, limits.tenant_monthly_token_cap - everyone.total_tokens)
                remaining = min(remaining, left)
            requests = await uow.rate_limiter.count(tenant.id, principal.id, RATE_WINDOW, now)
        return UsageReport(
            period_start=period.start,
            period_end=period.end,
            prompt_tokens=mine.prompt_tokens,
            completion_tokens=mine.completion_tokens,
            total_tokens=mine.total_tokens,
            quota_tokens=limits.monthly_token_quota,
            remaining_tokens=remaining,
            rate_limit_per_minute=limits.rate_limit_per_minute,
            requests_this_minute=requests,
        )


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


class UsageEraser:
    """An OwnedDataEraser for the ledger and the rate-limit counter of a principal;
    the tenant's totals keep the tokens, so erasing an account frees no tenant cap."""

    async def erase_owned(self, uow: UnitOfWork, tenant_id: TenantId, owner_id: uuid.UUID) -> None:
        """Delete, inside ``uow`` (not committing), the owner's usage rows."""
        await uow.rate_limiter.forget(tenant_id, owner_id)
        await uow.usage.delete_owned(tenant_id, owner_id)

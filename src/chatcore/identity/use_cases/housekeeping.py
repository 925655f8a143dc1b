"""Purging what has expired: sessions, sign-in codes, confirmation links, idle
throttles (per email, and per client address), sign-ups nobody confirmed, and what
crashed uploads left in the blob stores. Nothing else ever removes these rows.

Each batch is its own short transaction, so a purge never holds SQLite's write lock
or a Postgres transaction for long, and a purge that stops half-way has still done
its batches. Every step only deletes what is already gone for good, so purges may
run at once in several processes, and again after a failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import msgspec

from chatcore.documents.use_cases.leftovers import RemoveUnfinishedWrites
from chatcore.erasure import OwnedDataEraser
from chatcore.identity.use_cases.erasure import erase_principal
from chatcore.kernel import Clock, TenantId
from chatcore.pagination import PageRequest
from chatcore.unit_of_work import UnitOfWork, UnitOfWorkFactory

# Longer than every throttle's own window (an hour of mails or of guest sessions per
# address, a 15-minute login back-off), so forgetting an idle counter lets nothing
# through sooner.
THROTTLE_RETENTION = timedelta(days=1)
SIGN_UP_RETENTION = timedelta(days=7)
BATCH = 500
# Erasing a principal runs every context's eraser, a dozen statements or more.
ERASE_BATCH = 50
_TENANT_PAGE = 200


class PurgeReport(msgspec.Struct, frozen=True, kw_only=True):
    """How many rows (and leftover files) of each kind one purge removed."""

    user_sessions: int = 0
    anonymous_sessions: int = 0
    otp_challenges: int = 0
    email_confirmations: int = 0
    auth_throttles: int = 0
    unconfirmed_accounts: int = 0
    unfinished_writes: int = 0

    @property
    def total(self) -> int:
        """Everything removed, all kinds together."""
        return sum(msgspec.structs.astuple(self))


_Step = Callable[[UnitOfWork], Awaitable[int]]


class PurgeExpired:
    """Delete, in every tenant, the rows whose time is up. An expired anonymous
    session and a lapsed sign-up go with everything they own, as on deletion."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        erasers: Sequence[OwnedDataEraser] = (),
        *,
        sign_up_retention: timedelta = SIGN_UP_RETENTION,
        throttle_retention: timedelta = THROTTLE_RETENTION,
        batch: int = BATCH,
        erase_batch: int = ERASE_BATCH,
        remove_unfinished_writes: RemoveUnfinishedWrites | None = None,
    ) -> None:
        """``erasers``: every other context's, as for account deletion;
        ``sign_up_retention``: the age past which an account registered with a
        password and never confirmed goes, once no link of its is live."""
        self._uow, self._clock, self._erasers = uow, clock, tuple(erasers)
        self._remove_unfinished_writes = remove_unfinished_writes
        self._sign_up_retention, self._throttle_retention = sign_up_retention, throttle_retention
        self._batch, self._erase_batch = batch, erase_batch

    async def __call__(self) -> PurgeReport:
        """Purge every tenant as of now; raises Unavailable if the database is down."""
        now = self._clock.now()
        reports = [await self._purge_tenant(t, now) for t in await self._tenant_ids()]
        if self._remove_unfinished_writes is not None:
            reports.append(PurgeReport(unfinished_writes=await self._remove_unfinished_writes()))
        return PurgeReport(
            **{
                kind: sum(getattr(report, kind) for report in reports)
                for kind in PurgeReport.__struct_fields__
            }
        )

    async def _purge_tenant(self, tenant_id: TenantId, now: datetime) -> PurgeReport:
        batch, erase_batch = self._batch, self._erase_batch
        idle_before = now - self._throttle_retention
        return PurgeReport(
            user_sessions=await self._drain(
                lambda uow: uow.sessions.delete_expired_of_users(tenant_id, now, batch), batch
            ),
            anonymous_sessions=await self._drain(
                lambda uow: self._erase_anonymous(uow, tenant_id, now), erase_batch
            ),
            otp_challenges=await self._drain(
                lambda uow: uow.otp_challenges.delete_spent(tenant_id, now, batch), batch
            ),
            email_confirmations=await self._drain(
                lambda uow: uow.email_confirmations.delete_expired(tenant_id, now, batch), batch
            ),
            auth_throttles=await self._drain(
                lambda uow: uow.auth_throttles.delete_idle(tenant_id, idle_before, batch), batch
            ),
            unconfirmed_accounts=await self._drain(
                lambda uow: self._erase_lapsed_sign_ups(uow, tenant_id, now), erase_batch
            ),
        )

    async def _drain(self, step: _Step, limit: int) -> int:
        """Run ``step`` in one transaction after another until a batch comes up short."""
        removed = 0
        while True:
            async with self._uow() as uow:
                count = await step(uow)
                await uow.commit()
            removed += count
            if count < limit:
                return removed

    async def _erase_anonymous(self, uow: UnitOfWork, tenant_id: TenantId, now: datetime) -> int:
        # An anonymous principal is its session: the same id.
        expired = await uow.sessions.expired_anonymous(tenant_id, now, self._erase_batch)
        return await self._erase(uow, tenant_id, expired)

    async def _erase_lapsed_sign_ups(
        self, uow: UnitOfWork, tenant_id: TenantId, now: datetime
    ) -> int:
        created_before = now - self._sign_up_retention
        lapsed = await uow.users.lapsed_sign_ups(tenant_id, created_before, now, self._erase_batch)
        return await self._erase(uow, tenant_id, lapsed)

    async def _erase(
        self, uow: UnitOfWork, tenant_id: TenantId, owners: Sequence[uuid.UUID]
    ) -> int:
        for owner_id in owners:
            await erase_principal(uow, tenant_id, owner_id, self._erasers)
        return len(owners)

    async def _tenant_ids(self) -> list[TenantId]:
        tenant_ids: list[TenantId] = []
        page = PageRequest(limit=_TENANT_PAGE)
        while True:
            async with self._uow(read_only=True) as uow:
                result = await uow.tenants.list(page)
            tenant_ids.extend(tenant.id for tenant in result.items)
            if result.next_after is None:
                return tenant_ids
            page = PageRequest(limit=_TENANT_PAGE, after=result.next_after)

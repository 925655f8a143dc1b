"""Small helpers the unit-of-work suites share: a tenant to own rows, a clock, ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from chatcore.kernel import TenantId
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.unit_of_work import UnitOfWorkFactory

# A second before a month ends, with microseconds: rounding and period edges show.
T0 = datetime(2026, 3, 31, 23, 59, 30, 250000, tzinfo=UTC)


async def add_tenant(
    uow: UnitOfWorkFactory, slug: str = "acme", settings: TenantSettings | None = None
) -> Tenant:
    """A committed tenant with these settings (the defaults if None)."""
    tenant = Tenant(
        id=TenantId(uuid.uuid4()),
        slug=slug,
        name=slug,
        settings=settings or TenantSettings(),
        created_at=T0,
    )
    async with uow() as tx:
        await tx.tenants.add(tenant)
        await tx.commit()
    return tenant


class FixedClock:
    """A clock that says what the test tells it."""

    def __init__(self, now: datetime = T0) -> None:
        self.current = now

    def now(self) -> datetime:
        """The time the test set."""
        return self.current


class RandomIds:
    """Fresh random ids."""

    def new_id(self) -> uuid.UUID:
        """A new UUID4."""
        return uuid.uuid4()

"""The TenantRepository contract, and the unit of work's commit and rollback."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chatcore.errors import Conflict
from chatcore.kernel import TenantId
from chatcore.pagination import PageRequest
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.unit_of_work import UnitOfWorkFactory

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def make_tenant(slug: str, minutes: int = 0, settings: TenantSettings | None = None) -> Tenant:
    """A tenant created ``minutes`` after T0."""
    return Tenant(
        id=TenantId(uuid.uuid4()),
        slug=slug,
        name=f"Tenant {slug}",
        settings=settings or TenantSettings(),
        created_at=T0 + timedelta(minutes=minutes),
    )


class TenantRepositoryContract:
    """What every TenantRepository does, and the unit of work around it: commit, rollback
    on exit or error, conflicts that leave the transaction usable.

    Needs a fixture ``uow`` returning a UnitOfWorkFactory over an empty schema.
    """

    async def test_added_tenant_reads_back_equal_by_id_and_slug(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant = make_tenant(
            "acme",
            settings=TenantSettings(
                system_prompt="Be brief.", auth_methods=("otp",), monthly_token_quota=5
            ),
        )
        async with uow() as tx:
            await tx.tenants.add(tenant)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.tenants.get(tenant.id) == tenant
            assert await tx.tenants.get_by_slug("acme") == tenant
            assert await tx.tenants.get_by_slug("other") is None
            assert await tx.tenants.get(TenantId(uuid.uuid4())) is None

    async def test_without_commit_nothing_is_kept(self, uow: UnitOfWorkFactory) -> None:
        async with uow() as tx:
            await tx.tenants.add(make_tenant("ghost"))
        async with uow() as tx:
            assert await tx.tenants.get_by_slug("ghost") is None

    async def test_an_error_inside_rolls_back(self, uow: UnitOfWorkFactory) -> None:
        with pytest.raises(RuntimeError):
            async with uow() as tx:
                await tx.tenants.add(make_tenant("half"))
                raise RuntimeError("boom")
        async with uow() as tx:
            assert await tx.tenants.get_by_slug("half") is None

    async def test_a_taken_slug_is_a_conflict_and_the_transaction_goes_on(
        self,
        uow: UnitOfWorkFactory,
    ) -> None:
        async with uow() as tx:
            await tx.tenants.add(make_tenant("taken"))
            await tx.commit()
        async with uow() as tx:
            with pytest.raises(Conflict):
                await tx.tenants.add(make_tenant("taken"))
            await tx.tenants.add(make_tenant("free"))
            await tx.commit()
        async with uow() as tx:
            assert await tx.tenants.get_by_slug("free") is not None

    async def test_update_changes_name_and_settings(self, uow: UnitOfWorkFactory) -> None:
        tenant = make_tenant("acme")
        async with uow() as tx:
            await tx.tenants.add(tenant)
            await tx.commit()
        changed = Tenant(
            id=tenant.id,
            slug="acme",
            name="Renamed",
            settings=TenantSettings(model="gpt-x"),
            created_at=tenant.created_at,
        )
        async with uow() as tx:
            await tx.tenants.update(changed)
            await tx.commit()
        async with uow() as tx:
            assert await tx.tenants.get(tenant.id) == changed

    async def test_list_pages_oldest_first_without_gaps_or_repeats(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenants = [make_tenant(f"t{i}", minutes=i % 3) for i in range(7)]
        async with uow() as tx:
            for tenant in tenants:
                await tx.tenants.add(tenant)
            await tx.commit()
        seen: list[Tenant] = []
        page = PageRequest(limit=3)
        while True:
            async with uow(read_only=True) as tx:
                result = await tx.tenants.list(page)
            seen.extend(result.items)
            if result.next_after is None:
                break
            page = PageRequest(limit=3, after=result.next_after)
        assert seen == sorted(tenants, key=lambda t: (t.created_at, t.id))

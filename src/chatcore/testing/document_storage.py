"""The DocumentRepository's part in the storage quota: what an owner's documents
take, counted under a lock that orders concurrent checks."""

from __future__ import annotations

import asyncio
import uuid

import msgspec

from chatcore.documents.use_cases.quota import admit_storage
from chatcore.errors import StorageQuotaExceeded
from chatcore.kernel import TenantId
from chatcore.testing.document_repository import T0, add_tenants, make_document, store
from chatcore.unit_of_work import UnitOfWorkFactory


async def used(uow: UnitOfWorkFactory, tenant_id: TenantId, owner_id: uuid.UUID) -> int:
    """The owner's storage, read in a transaction of its own."""
    async with uow() as tx:
        return await tx.documents.lock_storage(tenant_id, owner_id)


class DocumentStorageContract:
    """What every DocumentRepository does for the storage quota.

    Needs a fixture ``uow`` returning a UnitOfWorkFactory over an empty schema.
    """

    async def test_storage_is_the_files_and_texts_of_the_owners_documents_only(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        owner = uuid.uuid4()
        assert await used(uow, tenant, owner) == 0
        first = msgspec.structs.replace(make_document(tenant, owner), size=100)
        second = msgspec.structs.replace(make_document(tenant, owner), size=20)
        await store(
            uow,
            first,
            second,
            make_document(tenant, uuid.uuid4()),
            make_document(other_tenant, owner),
        )
        assert await used(uow, tenant, owner) == 120

        async with uow() as tx:
            assert await tx.documents.set_status(
                tenant, first.id, expected="processing", status="ready", at=T0, text_size=5
            )
            await tx.commit()
        async with uow(read_only=True) as tx:
            stored = await tx.documents.get(tenant, owner, first.id)
        assert stored is not None and stored.text_size == 5
        assert await used(uow, tenant, owner) == 125

        async with uow() as tx:  # a failed ingestion holds no text
            await tx.documents.set_status(
                tenant, first.id, expected="ready", status="failed", at=T0, error="x"
            )
            assert await tx.documents.delete(tenant, owner, second.id)
            await tx.commit()
        assert await used(uow, tenant, owner) == 100

    async def test_the_storage_of_an_owner_whose_documents_are_erased_is_empty(
        self, uow: UnitOfWorkFactory
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()
        await store(uow, make_document(tenant, owner))
        assert await used(uow, tenant, owner) > 0
        async with uow() as tx:
            await tx.documents.lock_storage(tenant, owner)
            await tx.documents.delete_owned(tenant, owner)
            await tx.commit()
        assert await used(uow, tenant, owner) == 0
        await store(uow, make_document(tenant, owner))
        assert await used(uow, tenant, owner) == 1234

    async def test_concurrent_uploads_checked_against_a_quota_never_jointly_pass_it(
        self, uow: UnitOfWorkFactory
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()

        async def upload() -> bool:
            document = make_document(tenant, owner)  # 1234 bytes
            async with uow() as tx:
                try:
                    await admit_storage(tx, tenant, owner, document.size, 5 * 1234)
                except StorageQuotaExceeded:
                    return False
                await asyncio.sleep(0)  # let the others try while this one holds the lock
                await tx.documents.add(tenant, document)
                await tx.commit()
            return True

        admitted = await asyncio.gather(*(upload() for _ in range(12)))
        assert admitted.count(True) == 5
        assert await used(uow, tenant, owner) == 5 * 1234

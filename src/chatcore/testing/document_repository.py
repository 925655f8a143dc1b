"""The DocumentRepository contract."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from chatcore.documents.model import Document, DocumentId
from chatcore.errors import Conflict
from chatcore.kernel import TenantId
from chatcore.pagination import PageRequest
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.unit_of_work import UnitOfWorkFactory

T0 = datetime(2026, 1, 1, tzinfo=UTC)


async def add_tenants(uow: UnitOfWorkFactory, count: int = 2) -> list[TenantId]:
    """``count`` committed tenants, created at T0."""
    tenants = [
        Tenant(id=TenantId(uuid.uuid4()), slug=f"t{n}", name=f"T{n}",
               settings=TenantSettings(), created_at=T0)
        for n in range(count)
    ]  # fmt: skip
    async with uow() as tx:
        for tenant in tenants:
            await tx.tenants.add(tenant)
        await tx.commit()
    return [t.id for t in tenants]


def make_document(
    tenant_id: TenantId, owner_id: uuid.UUID, minutes: int = 0, sha256: str | None = None
) -> Document:
    """A processing document of the owner, created ``minutes`` after T0."""
    at = T0 + timedelta(minutes=minutes)
    return Document(
        id=DocumentId(uuid.uuid4()),
        tenant_id=tenant_id,
        owner_id=owner_id,
        filename=f"file {minutes}.pdf",
        content_type="application/pdf",
        size=1234,
        sha256=sha256 or uuid.uuid4().hex * 2,
        blob_key=uuid.uuid4().hex,
        status="processing",
        created_at=at,
        updated_at=at,
    )


async def store(uow: UnitOfWorkFactory, *documents: Document) -> None:
    """Add the documents in one committed transaction."""
    async with uow() as tx:
        for document in documents:
            await tx.documents.add(document.tenant_id, document)
        await tx.commit()


class DocumentRepositoryContract:
    """What every DocumentRepository does: owner-scoped reads, duplicate bytes,
    status moves, pages, deletion.

    Needs a fixture ``uow`` returning a UnitOfWorkFactory over an empty schema.
    """

    async def test_a_document_reads_back_equal_for_its_owner_only(
        self, uow: UnitOfWorkFactory
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        owner = uuid.uuid4()
        document = make_document(tenant, owner)
        await store(uow, document)

        async with uow(read_only=True) as tx:
            assert await tx.documents.get(tenant, owner, document.id) == document
            assert await tx.documents.find_by_sha256(tenant, owner, document.sha256) == document
            assert await tx.documents.get(tenant, uuid.uuid4(), document.id) is None
            assert await tx.documents.get(other_tenant, owner, document.id) is None
            assert await tx.documents.find_by_sha256(other_tenant, owner, document.sha256) is None
            assert await tx.documents.owned(tenant, owner) == [document]

    async def test_the_same_bytes_twice_for_one_owner_conflict(
        self, uow: UnitOfWorkFactory
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()
        await store(uow, make_document(tenant, owner, sha256="a" * 64))
        await store(uow, make_document(tenant, uuid.uuid4(), sha256="a" * 64))  # another owner
        with pytest.raises(Conflict):
            await store(uow, make_document(tenant, owner, sha256="a" * 64))
        async with uow(read_only=True) as tx:
            assert len(await tx.documents.owned(tenant, owner)) == 1

    async def test_status_moves_only_from_the_expected_one(self, uow: UnitOfWorkFactory) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()
        document = make_document(tenant, owner)
        await store(uow, document)
        later = T0 + timedelta(hours=1)

        async with uow() as tx:
            assert await tx.documents.set_status(
                tenant,
                document.id,
                expected="processing",
                status="ready",
                at=later,
                pages=3,
                chunks=7,
            )
            assert not await tx.documents.set_status(
                tenant, document.id, expected="processing", status="failed", at=later, error="x"
            )
            assert not await tx.documents.set_status(
                TenantId(uuid.uuid4()), document.id, expected="ready", status="failed", at=later
            )
            await tx.commit()
        async with uow(read_only=True) as tx:
            stored = await tx.documents.get(tenant, owner, document.id)
        assert stored is not None
        assert (stored.status, stored.pages, stored.chunks, stored.error, stored.updated_at) == (
            "ready",
            3,
            7,
            None,
            later,
        )

    async def test_pages_are_newest_first(self, uow: UnitOfWorkFactory) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()
        documents = [make_document(tenant, owner, minutes=n) for n in range(5)]
        await store(uow, *documents, make_document(tenant, uuid.uuid4()))

        seen: list[Document] = []
        page = PageRequest(limit=2)
        while True:
            async with uow(read_only=True) as tx:
                result = await tx.documents.list(tenant, owner, page)
            seen += result.items
            if result.next_after is None:
                break
            page = PageRequest(limit=2, after=result.next_after)
        assert seen == documents[::-1]

    async def test_processing_lists_unfinished_documents_of_every_tenant(
        self,
        uow: UnitOfWorkFactory,
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        waiting = [
            make_document(tenant, uuid.uuid4(), 1),
            make_document(other_tenant, uuid.uuid4(), 2),
        ]
        done = make_document(tenant, uuid.uuid4(), 3)
        await store(uow, *waiting, done)
        async with uow() as tx:
            await tx.documents.set_status(
                tenant, done.id, expected="processing", status="failed", at=T0, error="broken"
            )
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.documents.processing(10) == waiting
            assert await tx.documents.processing(1) == waiting[:1]

    async def test_delete_is_scoped_to_the_owner(self, uow: UnitOfWorkFactory) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner, other = uuid.uuid4(), uuid.uuid4()
        mine, theirs = make_document(tenant, owner), make_document(tenant, other)
        await store(uow, mine, theirs)
        async with uow() as tx:
            assert not await tx.documents.delete(tenant, other, mine.id)
            assert await tx.documents.delete(tenant, owner, mine.id)
            await tx.documents.delete_owned(tenant, owner)
            await tx.commit()
        async with uow(read_only=True) as tx:
            assert await tx.documents.get(tenant, owner, mine.id) is None
            assert await tx.documents.get(tenant, other, theirs.id) == theirs

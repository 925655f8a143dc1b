"""The documents' abuse limits on the in-memory adapters: characters per document,
and the storage quota of each principal (files plus extracted text)."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.memory.documents import CHUNKS, DOCUMENTS
from chatcore.documents.model import DocumentId
from chatcore.documents.use_cases.ingestion import IngestSettings
from chatcore.documents.use_cases.quota import StorageQuotas
from chatcore.errors import StorageQuotaExceeded
from chatcore.identity.principal import Principal
from chatcore.pagination import PageRequest
from chatcore.tenants.model import TenantSettings
from tests.unit.test_documents_use_cases import Kit, stream

MB = 1024 * 1024


def text_of(size: int, seed: int = 0) -> bytes:
    """``size`` bytes of plain text, different for each seed."""
    words = f"word{seed} lighthouse keeper ".encode()
    return (words * (size // len(words) + 1))[:size]


async def storage(kit: Kit, principal: Principal) -> int:
    """What the principal's documents take, files and texts."""
    async with kit.database.unit_of_work() as uow:
        return await uow.documents.lock_storage(principal.tenant_id, principal.id)


async def chunk_count(kit: Kit, principal: Principal) -> int:
    async with kit.database.unit_of_work() as uow:
        documents = await uow.documents.owned(principal.tenant_id, principal.id)
        return sum(document.chunks for document in documents)


async def test_a_document_with_more_characters_than_allowed_fails_and_nothing_is_indexed() -> None:
    kit = Kit(settings=IngestSettings(max_chars=1_000))
    me = await kit.principal()

    document = await kit.ready(me, text_of(1_001))

    assert document.status == "failed"
    assert document.error == "The document has more than 1,000 characters of text."
    assert (document.chunks, document.text_size) == (0, 0)
    assert not kit.database.tables[CHUNKS]
    assert (await kit.ready(me, text_of(1_000, seed=1))).status == "ready"


async def test_an_upload_that_would_pass_the_quota_is_refused_and_nothing_kept() -> None:
    kit = Kit(quotas=StorageQuotas(user_bytes=3_000))
    me = await kit.principal()
    first = await kit.ready(me, text_of(1_000))
    held = await storage(kit, me)
    assert held == 1_000 + first.text_size == 2_000

    with pytest.raises(StorageQuotaExceeded) as refused:
        await kit.upload(me, "more.txt", stream(text_of(1_001, seed=1)))

    assert "MB" in refused.value.detail
    assert len(kit.blobs.files) == 1, "the refused file is not kept"
    assert len((await kit.list(me, PageRequest(limit=10))).items) == 1
    assert await storage(kit, me) == held
    assert (await kit.ready(me, text_of(500, seed=2))).status == "ready"  # what fits


async def test_a_document_whose_text_passes_the_quota_once_extracted_fails() -> None:
    kit = Kit(quotas=StorageQuotas(user_bytes=1_500))
    me = await kit.principal()

    document = await kit.ready(me, text_of(1_000))  # fits as a file, not with its text

    assert document.status == "failed"
    assert document.error is not None and "delete some" in document.error
    assert await storage(kit, me) == 1_000, "only the file is held"
    assert await chunk_count(kit, me) == 0


async def test_deleting_a_document_gives_its_room_back() -> None:
    kit = Kit(quotas=StorageQuotas(user_bytes=4_000))
    me = await kit.principal()
    first = await kit.ready(me, text_of(1_000))
    await kit.ready(me, text_of(1_000, seed=1))
    with pytest.raises(StorageQuotaExceeded):
        await kit.upload(me, "third.txt", stream(text_of(1_000, seed=2)))

    await kit.delete(me, first.id)

    assert (await kit.ready(me, text_of(1_000, seed=2))).status == "ready"


async def test_anonymous_sessions_get_the_smaller_quota_unless_the_tenant_sets_one() -> None:
    kit = Kit(quotas=StorageQuotas(user_bytes=10 * MB, anonymous_bytes=1_000))
    tenant = await kit.tenant()
    guest = await kit.principal(tenant, "anonymous")
    user = await kit.principal(tenant, "user")
    with pytest.raises(StorageQuotaExceeded):
        await kit.upload(guest, "a.txt", stream(text_of(1_001)))
    assert (await kit.ready(user, text_of(1_001))).status == "ready"

    generous = await kit.tenant(TenantSettings(storage_quota_mb=1))
    guest = await kit.principal(generous, "anonymous")
    assert (await kit.ready(guest, text_of(100_000))).status == "ready"
    stingy = await kit.tenant(TenantSettings(storage_quota_mb=0))
    user = await kit.principal(stingy, "user")
    with pytest.raises(StorageQuotaExceeded):
        await kit.upload(user, "a.txt", stream(text_of(10)))


async def test_a_guest_whose_text_passes_its_quota_once_extracted_fails() -> None:
    # The ingestion knows no principal: it tells an anonymous owner from a user.
    kit = Kit(quotas=StorageQuotas(user_bytes=10 * MB, anonymous_bytes=1_500))
    guest = await kit.principal(kind="anonymous")
    assert (await kit.ready(guest, text_of(1_000))).status == "failed"


async def test_concurrent_uploads_never_jointly_pass_the_quota() -> None:
    kit = Kit(quotas=StorageQuotas(user_bytes=5_000))
    me = await kit.principal()
    outcomes = await asyncio.gather(
        *(kit.upload(me, f"{n}.txt", stream(text_of(1_000, seed=n))) for n in range(10)),
        return_exceptions=True,
    )
    await kit.worker.work_until_idle()
    assert sum(not isinstance(o, BaseException) for o in outcomes) == 5
    assert all(isinstance(o, StorageQuotaExceeded) for o in outcomes if isinstance(o, Exception))
    assert await storage(kit, me) <= 5_000


Action = tuple[str, int]
actions = st.lists(
    st.one_of(
        st.tuples(st.just("upload"), st.integers(min_value=1, max_value=1_500)),
        st.tuples(st.just("delete"), st.integers(min_value=0, max_value=20)),
    ),
    max_size=15,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quota=st.integers(min_value=0, max_value=6_000), steps=actions)
def test_no_sequence_of_uploads_and_deletions_passes_the_quota(
    quota: int, steps: list[Action]
) -> None:
    async def run() -> None:
        kit = Kit(quotas=StorageQuotas(user_bytes=quota))
        me = await kit.principal()
        kept: list[DocumentId] = []
        for seed, (action, amount) in enumerate(steps):
            if action == "upload":
                try:
                    upload = await kit.upload(me, "f.txt", stream(text_of(amount, seed)))
                except StorageQuotaExceeded:
                    assert await storage(kit, me) + amount > quota
                else:
                    if upload.created:
                        kept.append(upload.document.id)
            elif kept:
                await kit.delete(me, kept.pop(amount % len(kept)))
            await kit.worker.work_until_idle()
            assert await storage(kit, me) <= quota
            files = sum(d.size for d in kit.database.tables[DOCUMENTS].values())
            assert len(kit.blobs.files) == len(kit.database.tables[DOCUMENTS])
            assert files <= quota

    asyncio.run(run())

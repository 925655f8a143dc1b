"""Document use cases on the in-memory adapters: upload, ingest, search, delete, erase."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence

import pytest

from adapters.embed import LocalEmbedder
from adapters.events import InProcessEventBus
from adapters.extract import PlainTextExtractor
from adapters.memory import MemoryDatabase
from adapters.memory.blobs import MemoryBlobStore
from adapters.memory.documents import CHUNKS
from chatcore.documents.model import (
    MARKDOWN,
    PLAIN_TEXT,
    Document,
    DocumentId,
    IngestOutcome,
    Vector,
)
from chatcore.documents.use_cases.documents import DeleteDocument, GetDocument, ListDocuments
from chatcore.documents.use_cases.erasure import DocumentEraser
from chatcore.documents.use_cases.ingestion import IngestDocument, IngestSettings
from chatcore.documents.use_cases.ingestion_jobs import (
    INGEST,
    IngestionJobs,
    QueueUnfinishedIngestions,
)
from chatcore.documents.use_cases.quota import StorageQuotas
from chatcore.documents.use_cases.search import DocumentRetriever, SearchDocuments
from chatcore.documents.use_cases.uploads import UploadDocument
from chatcore.errors import (
    FileTooLarge,
    InvalidInput,
    NotFound,
    Unavailable,
    UnsupportedMediaType,
)
from chatcore.events.model import DocumentFailed, DocumentReady
from chatcore.identity.model import User
from chatcore.identity.principal import Principal, PrincipalKind
from chatcore.jobs.model import JobPolicy
from chatcore.jobs.use_cases import JobWorker
from chatcore.kernel import RandomIdFactory, TenantId, UserId
from chatcore.pagination import PageRequest
from chatcore.tenants.model import Tenant, TenantSettings
from tests.unit.fakes import T0, FakeClock

FACTS = (
    "Lighthouses guide ships along rocky coasts. The keeper of the Skarven light is "
    "Ingrid Holm, who has kept it since 1998.\n\nThe lamp turns twice a minute."
)


class FlakyEmbedder(LocalEmbedder):
    """The local embedder, unavailable for the first ``failures`` calls."""

    def __init__(self, failures: int = 0, dimension: int = 384) -> None:
        super().__init__(dimension)
        self.failures = failures

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        if self.failures:
            self.failures -= 1
            raise Unavailable("embeddings")
        return await super().embed(texts)


class Kit:
    """Every document use case over one memory database."""

    def __init__(
        self,
        max_bytes: int = 1024 * 1024,
        failures: int = 0,
        *,
        settings: IngestSettings | None = None,
        quotas: StorageQuotas | None = None,
    ) -> None:
        self.database = MemoryDatabase()
        uow = self.database.unit_of_work
        self.blobs = MemoryBlobStore()
        self.clock, ids = FakeClock(), RandomIdFactory()
        self.events = InProcessEventBus()
        embedder = FlakyEmbedder(failures)
        text = PlainTextExtractor()
        self.ingest = IngestDocument(
            uow,
            self.blobs,
            {PLAIN_TEXT: text, MARKDOWN: text},
            embedder,
            self.events,
            self.clock,
            ids,
            settings,
            quotas,
        )
        self.meter = RecordingMeter()
        # Two attempts; the clock stands still, so a retry waits until a test moves it.
        policy = JobPolicy(poll_seconds=0.001, max_attempts=2)
        ingestion = IngestionJobs(uow, self.ingest, self.meter)
        self.worker = JobWorker(uow, self.clock, {INGEST: ingestion}, policy)
        self.upload = UploadDocument(
            uow, self.blobs, self.worker, self.clock, ids, max_bytes, quotas
        )
        self.get = GetDocument(uow)
        self.list = ListDocuments(uow)
        self.delete = DeleteDocument(uow, self.blobs)
        self.search = SearchDocuments(uow, embedder)
        self.retriever = DocumentRetriever(self.search)
        self.eraser = DocumentEraser(self.blobs)

    async def tenant(self, settings: TenantSettings | None = None) -> TenantId:
        tenant = Tenant(
            id=TenantId(uuid.uuid4()),
            slug=f"t{uuid.uuid4().hex[:6]}",
            name="T",
            settings=settings or TenantSettings(),
            created_at=T0,
        )
        async with self.database.unit_of_work() as uow:
            await uow.tenants.add(tenant)
            await uow.commit()
        return tenant.id

    async def principal(
        self, tenant_id: TenantId | None = None, kind: PrincipalKind = "user"
    ) -> Principal:
        """A principal; a user has a row, as the ingestion's quota tells them apart by it."""
        tenant_id = tenant_id or await self.tenant()
        principal_id = uuid.uuid4()
        if kind == "user":
            user = User(
                id=UserId(principal_id),
                tenant_id=tenant_id,
                email=f"{principal_id.hex[:8]}@example.com",
                password_hash=None,
                email_confirmed_at=T0,
                display_name=None,
                created_at=T0,
            )
            async with self.database.unit_of_work() as uow:
                await uow.users.add(tenant_id, user)
                await uow.commit()
        session_id = principal_id if kind == "anonymous" else uuid.uuid4()
        return Principal(tenant_id=tenant_id, id=principal_id, kind=kind, session_id=session_id)

    async def ready(self, principal: Principal, data: bytes, name: str = "notes.txt") -> Document:
        upload = await self.upload(principal, name, stream(data))
        await self.worker.work_until_idle()
        return await self.get(principal, upload.document.id)


class RecordingMeter:
    """An IngestionMeter that keeps what it is told."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.outcomes: list[IngestOutcome] = []

    def submitted(self) -> None:
        self.in_flight += 1

    def ended(self, outcome: IngestOutcome) -> None:
        self.in_flight -= 1
        self.outcomes.append(outcome)


async def stream(data: bytes, piece: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), piece):
        yield data[start : start + piece]


async def test_an_upload_is_ingested_and_its_sentence_found_by_search() -> None:
    kit = Kit()
    me = await kit.principal()

    upload = await kit.upload(me, "facts.txt", stream(FACTS.encode()))
    assert upload.created and upload.document.status == "processing"
    assert upload.document.content_type == PLAIN_TEXT
    assert upload.document.size == len(FACTS.encode())
    await kit.worker.work_until_idle()
    document = await kit.get(me, upload.document.id)
    assert (document.status, document.pages, document.chunks) == ("ready", 1, 1)

    hits = await kit.search(me, "Who keeps the Skarven lighthouse?", 3)
    assert hits[0].document_id == document.id and "Ingrid Holm" in hits[0].text
    assert (hits[0].filename, hits[0].page) == ("facts.txt", 1)
    assert 0 < hits[0].score <= 1
    passages = await kit.retriever.retrieve(me, "Skarven keeper", 2)
    assert passages[0].passage.document_id == str(document.id)
    assert passages[0].chunk_id == str(hits[0].chunk_id)


async def test_a_markdown_documents_chunks_are_its_sections_under_their_headings() -> None:
    kit = Kit()
    me = await kit.principal()
    guide = (
        "# Field guide\n\n## Puffins\n\n"
        + "They nest in burrows on grassy cliffs. " * 30
        + "\n\n## Gannets\n\nThey plunge-dive from thirty metres."
    )
    await kit.ready(me, guide.encode(), "guide.md")

    hits = await kit.search(me, "plunge-dive", 1)
    # The section's own chunk, nothing of the one before it; the headings above it
    # come first, so that keywords and vectors see what it is about.
    assert hits[0].text == "Field guide\n\n## Gannets\n\nThey plunge-dive from thirty metres."
    hits = await kit.search(me, "burrows", 2)
    assert hits[0].text.startswith("# Field guide\n\n## Puffins\n\nThey nest")
    assert hits[1].text.startswith("Field guide \u203a Puffins\n\nThey nest")


async def test_the_owner_is_told_when_a_document_is_ready_or_failed() -> None:
    kit = Kit()
    me = await kit.principal()
    async with kit.events.subscribe(me.tenant_id, me.id) as subscription:
        ready = await kit.ready(me, FACTS.encode())
        failed = await kit.ready(me, b"   \n")
        events = subscription.__aiter__()
        told = [await anext(events), await anext(events)]
    assert told == [
        DocumentReady(document_id=ready.id),
        DocumentFailed(document_id=failed.id, error="The file contains no text."),
    ]


async def test_the_meter_hears_every_ingestion_end_with_its_outcome() -> None:
    kit = Kit()
    me = await kit.principal()
    await kit.ready(me, FACTS.encode())
    await kit.ready(me, b"   \n")
    assert kit.meter.outcomes == [
        IngestOutcome(status="ready", pages=1),
        IngestOutcome(status="failed", failure="unreadable"),
    ]
    assert kit.meter.in_flight == 0


async def test_an_ingestion_cut_short_by_a_stop_ends_interrupted() -> None:
    kit = Kit()
    me = await kit.principal()
    await kit.upload(me, "facts.txt", stream(FACTS.encode()))
    meter, started = RecordingMeter(), asyncio.Event()

    async def hang(document: Document) -> IngestOutcome:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("never ends")

    uow = kit.database.unit_of_work
    handler = IngestionJobs(uow, hang, meter)  # type: ignore[arg-type]
    worker = JobWorker(uow, kit.clock, {INGEST: handler}, JobPolicy(poll_seconds=0.001))
    worker.start()
    await asyncio.wait_for(started.wait(), 5)
    assert meter.in_flight == 1
    await worker.stop()
    assert meter.outcomes == [IngestOutcome(status="interrupted")]
    assert meter.in_flight == 0


async def test_an_oversize_upload_is_refused_and_leaves_nothing() -> None:
    kit = Kit(max_bytes=10_000)
    me = await kit.principal()
    with pytest.raises(FileTooLarge):
        await kit.upload(me, "big.txt", stream(b"word " * 2_001))
    assert kit.blobs.files == {}
    assert (await kit.list(me, PageRequest())).items == []


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"PK\x03\x04zip\x00\x00", b"MZ\x90\x00binary"],
    ids=["png", "zip", "exe"],
)
async def test_a_file_that_is_not_text_or_pdf_is_refused(data: bytes) -> None:
    kit = Kit()
    with pytest.raises(UnsupportedMediaType):
        await kit.upload(await kit.principal(), "looks-like.txt", stream(data))
    assert kit.blobs.files == {}


async def test_an_empty_file_is_invalid() -> None:
    kit = Kit()
    with pytest.raises(InvalidInput):
        await kit.upload(await kit.principal(), "empty.txt", stream(b""))


async def test_the_type_comes_from_the_bytes_and_the_name_is_only_display_text() -> None:
    kit = Kit()
    me = await kit.principal()
    upload = await kit.upload(me, "../../etc/\x00pass\u202ewd.pdf", stream(b"# Title\n\nText."))
    assert upload.document.content_type == MARKDOWN
    assert upload.document.filename == "passwd.pdf"
    assert upload.document.blob_key != upload.document.filename
    assert list(kit.blobs.files) == [upload.document.blob_key]


async def test_identical_bytes_are_recognised_per_owner() -> None:
    kit = Kit()
    me = await kit.principal()
    first = await kit.ready(me, FACTS.encode())
    again = await kit.upload(me, "copy.txt", stream(FACTS.encode()))
    assert not again.created and again.document.id == first.id
    assert len(kit.blobs.files) == 1

    someone = await kit.principal(me.tenant_id)
    theirs = await kit.upload(someone, "copy.txt", stream(FACTS.encode()))
    assert theirs.created and theirs.document.id != first.id


async def test_an_unavailable_embedder_is_retried_after_a_backoff() -> None:
    kit = Kit(failures=1)
    me = await kit.principal()
    waiting = await kit.ready(me, FACTS.encode())
    assert waiting.status == "processing"  # the retry is not due yet

    kit.clock.advance(1)
    await kit.worker.work_until_idle()
    assert (await kit.get(me, waiting.id)).status == "processing"  # backoff: 2 s
    kit.clock.advance(1)
    await kit.worker.work_until_idle()
    assert (await kit.get(me, waiting.id)).status == "ready"


async def test_a_failed_document_fails_with_a_reason_and_a_reupload_retries_it() -> None:
    kit = Kit(failures=2)
    me = await kit.principal()
    await kit.ready(me, FACTS.encode())
    kit.clock.advance(60)
    await kit.worker.work_until_idle()
    (failed,) = (await kit.list(me, PageRequest())).items
    assert failed.status == "failed"
    assert failed.error == "The embeddings stayed unavailable; upload the file again later."

    retried = await kit.upload(me, "again.txt", stream(FACTS.encode()))
    assert not retried.created and retried.document.status == "processing"
    await kit.worker.work_until_idle()
    document = await kit.get(me, failed.id)
    assert (document.status, document.error) == ("ready", None)


async def test_a_file_without_text_fails() -> None:
    kit = Kit()
    document = await kit.ready(await kit.principal(), b"  \n\n\t  \n")
    assert document.status == "failed" and document.error == "The file contains no text."


async def test_another_owners_documents_cannot_be_seen_found_or_deleted() -> None:
    kit = Kit()
    me = await kit.principal()
    mine = await kit.ready(me, FACTS.encode())
    neighbour = await kit.principal(me.tenant_id)
    stranger = await kit.principal()

    for other in (neighbour, stranger):
        with pytest.raises(NotFound):
            await kit.get(other, mine.id)
        with pytest.raises(NotFound):
            await kit.delete(other, mine.id)
        assert await kit.search(other, "Ingrid Holm lighthouse", 5) == []
        assert (await kit.list(other, PageRequest())).items == []
    assert (await kit.get(me, mine.id)).status == "ready"


async def test_delete_removes_the_document_its_chunks_and_its_file() -> None:
    kit = Kit()
    me = await kit.principal()
    document = await kit.ready(me, FACTS.encode())

    await kit.delete(me, document.id)

    with pytest.raises(NotFound):
        await kit.get(me, document.id)
    assert await kit.search(me, "Ingrid Holm", 5) == []
    assert kit.blobs.files == {}
    assert kit.database.tables[CHUNKS] == {}


async def test_erasure_removes_files_only_once_committed() -> None:
    kit = Kit()
    me = await kit.principal()
    await kit.ready(me, FACTS.encode())
    await kit.ready(me, b"Another file entirely.")

    async with kit.database.unit_of_work() as uow:
        await kit.eraser.erase_owned(uow, me.tenant_id, me.id)  # rolled back
    assert len(kit.blobs.files) == 2

    async with kit.database.unit_of_work() as uow:
        await kit.eraser.erase_owned(uow, me.tenant_id, me.id)
        await uow.commit()
    assert kit.blobs.files == {}
    assert (await kit.list(me, PageRequest())).items == []
    assert kit.database.tables[CHUNKS] == {}


async def test_an_interrupted_ingestion_is_taken_up_again() -> None:
    kit = Kit()
    me = await kit.principal()
    key = uuid.uuid4().hex
    await kit.blobs.put(key, stream(FACTS.encode()))
    stuck = Document(
        id=DocumentId(uuid.uuid4()),
        tenant_id=me.tenant_id,
        owner_id=me.id,
        filename="stuck.txt",
        content_type=PLAIN_TEXT,
        size=len(FACTS),
        sha256="0" * 64,
        blob_key=key,
        status="processing",
        created_at=T0,
        updated_at=T0,
    )
    async with kit.database.unit_of_work() as uow:
        await uow.documents.add(me.tenant_id, stuck)
        await uow.commit()

    assert await QueueUnfinishedIngestions(kit.database.unit_of_work, kit.clock)() == 1
    await kit.worker.work_until_idle()
    assert (await kit.get(me, stuck.id)).status == "ready"


async def test_two_workers_on_one_document_index_it_once() -> None:
    kit = Kit()
    me = await kit.principal()
    upload = await kit.upload(me, "facts.txt", stream(FACTS.encode()))
    await asyncio.gather(kit.ingest(upload.document), kit.ingest(upload.document))
    await kit.worker.work_until_idle()
    assert (await kit.get(me, upload.document.id)).chunks == len(kit.database.tables[CHUNKS])


@pytest.mark.parametrize(
    ("query", "k"), [("", 5), ("   ", 5), ("x" * 2001, 5), ("ok", 0), ("ok", 51)]
)
async def test_a_bad_search_is_invalid(query: str, k: int) -> None:
    kit = Kit()
    with pytest.raises(InvalidInput):
        await kit.search(await kit.principal(), query, k)

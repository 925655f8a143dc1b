"""The ChunkIndex contract: rankings, isolation and deletion."""

from __future__ import annotations

import uuid

from chatcore.documents.model import Chunk, ChunkId, Document, DocumentId, DocumentStatus
from chatcore.documents.ports import Embedder
from chatcore.documents.use_cases.search import keywords
from chatcore.kernel import TenantId
from chatcore.testing.document_repository import T0, add_tenants
from chatcore.unit_of_work import UnitOfWorkFactory

TEXTS = [
    "Lighthouses guide ships along rocky coasts at night.",
    "The keeper of the Skarven light is Ingrid Holm, since 1998.",
    "Sourdough bread needs flour, water, salt and a lively starter.",
    "The Skarven lamp turns twice a minute and can be seen for twenty miles.",
    "Tomatoes ripen faster next to bananas in a paper bag.",
]
QUERIES = [
    ("Who is the keeper of the Skarven light?", 1),
    ("how do I make sourdough bread", 2),
    ("ripen tomatoes quickly", 4),
    ("how often does the lamp turn", 3),
]


async def add_document(
    uow: UnitOfWorkFactory,
    embedder: Embedder,
    tenant_id: TenantId,
    owner_id: uuid.UUID,
    texts: list[str],
    status: DocumentStatus = "ready",
) -> tuple[Document, list[Chunk]]:
    """A committed document of the owner with one embedded chunk per text."""
    document = Document(
        id=DocumentId(uuid.uuid4()),
        tenant_id=tenant_id,
        owner_id=owner_id,
        filename="facts.txt",
        content_type="text/plain",
        size=1,
        sha256=uuid.uuid4().hex * 2,
        blob_key=uuid.uuid4().hex,
        status=status,
        created_at=T0,
        updated_at=T0,
    )
    chunks = [
        Chunk(
            id=ChunkId(uuid.uuid4()),
            tenant_id=tenant_id,
            owner_id=owner_id,
            document_id=document.id,
            ordinal=n,
            page=n + 1,
            text=text,
            embedder=embedder.name,
            dimension=embedder.dimension,
        )
        for n, text in enumerate(texts)
    ]
    vectors = await embedder.embed(texts)
    async with uow() as tx:
        await tx.documents.add(tenant_id, document)
        await tx.chunks.add(tenant_id, chunks, vectors)
        await tx.commit()
    return document, chunks


async def search(
    uow: UnitOfWorkFactory,
    embedder: Embedder,
    tenant_id: TenantId,
    owner_id: uuid.UUID,
    query: str,
    k: int = 5,
) -> tuple[list[str], list[str]]:
    """The texts found by vector and by keywords, best first."""
    (vector,) = await embedder.embed([query])
    async with uow(read_only=True) as tx:
        by_vector = await tx.chunks.search_vector(tenant_id, owner_id, vector, embedder.name, k)
        by_words = await tx.chunks.search_keywords(tenant_id, owner_id, keywords(query), k)
    return [h.text for h in by_vector], [h.text for h in by_words]


async def found(
    uow: UnitOfWorkFactory, embedder: Embedder, tenant_id: TenantId, owner_id: uuid.UUID, query: str
) -> set[str]:
    """Every text either search finds."""
    by_vector, by_words = await search(uow, embedder, tenant_id, owner_id, query)
    return {*by_vector, *by_words}


class ChunkIndexContract:
    """What every ChunkIndex does: the same rankings, owner and tenant isolation, and
    deletion, on vectors and on keywords.

    Needs fixtures ``uow`` (a UnitOfWorkFactory over an empty schema),
    ``chunk_embedder`` (an Embedder that ranks these texts as chatcore's LocalEmbedder
    does) and ``other_embedder`` (one with another name and dimension).
    """

    async def test_the_same_queries_rank_the_same_chunk_first(
        self, uow: UnitOfWorkFactory, chunk_embedder: Embedder
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()
        await add_document(uow, chunk_embedder, tenant, owner, TEXTS)

        for query, expected in QUERIES:
            by_vector, by_words = await search(uow, chunk_embedder, tenant, owner, query)
            assert by_vector[0] == TEXTS[expected], query
            assert by_words[0] == TEXTS[expected], query

    async def test_hits_carry_their_document_page_and_a_score(
        self, uow: UnitOfWorkFactory, chunk_embedder: Embedder
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()
        document, chunks = await add_document(uow, chunk_embedder, tenant, owner, TEXTS)
        (vector,) = await chunk_embedder.embed([TEXTS[1]])
        async with uow(read_only=True) as tx:
            (best, *_) = await tx.chunks.search_vector(
                tenant, owner, vector, chunk_embedder.name, 2
            )
            (word_hit,) = await tx.chunks.search_keywords(tenant, owner, ["sourdough"], 5)
        assert (best.chunk_id, best.document_id, best.filename, best.page) == (
            chunks[1].id,
            document.id,
            "facts.txt",
            2,
        )
        assert abs(best.score - 1.0) < 1e-4  # cosine similarity of a vector with itself
        assert word_hit.chunk_id == chunks[2].id and word_hit.score > 0

    async def test_k_limits_and_unknown_words_find_nothing(
        self, uow: UnitOfWorkFactory, chunk_embedder: Embedder
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()
        await add_document(uow, chunk_embedder, tenant, owner, TEXTS)
        by_vector, by_words = await search(
            uow, chunk_embedder, tenant, owner, "Skarven keeper lamp", k=2
        )
        assert len(by_vector) == 2 and len(by_words) == 2
        assert (await search(uow, chunk_embedder, tenant, owner, "xylophone quartz"))[1] == []

    async def test_owners_and_tenants_never_see_each_others_chunks(
        self, uow: UnitOfWorkFactory, chunk_embedder: Embedder
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        owner, neighbour = uuid.uuid4(), uuid.uuid4()
        await add_document(uow, chunk_embedder, tenant, owner, TEXTS[:2])
        await add_document(uow, chunk_embedder, tenant, neighbour, TEXTS[2:])
        await add_document(
            uow, chunk_embedder, other_tenant, owner, ["The Skarven keeper retired in 2020."]
        )

        mine = await found(uow, chunk_embedder, tenant, owner, "Skarven keeper sourdough tomatoes")
        assert mine <= set(TEXTS[:2]) and mine
        theirs = await found(uow, chunk_embedder, tenant, neighbour, "Skarven keeper sourdough")
        assert theirs <= set(TEXTS[2:]) and theirs
        elsewhere = await found(uow, chunk_embedder, other_tenant, owner, "Skarven keeper")
        assert elsewhere == {"The Skarven keeper retired in 2020."}
        assert await search(uow, chunk_embedder, other_tenant, neighbour, "Skarven keeper") == (
            [],
            [],
        )

    async def test_only_ready_documents_and_the_same_embedder_are_searched(
        self,
        uow: UnitOfWorkFactory,
        chunk_embedder: Embedder,
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()
        await add_document(
            uow, chunk_embedder, tenant, owner, ["Skarven keeper, still processing."], "processing"
        )
        await add_document(
            uow, chunk_embedder, tenant, owner, ["Skarven keeper, failed."], "failed"
        )
        assert await search(uow, chunk_embedder, tenant, owner, "Skarven keeper") == ([], [])
        await add_document(uow, chunk_embedder, tenant, owner, ["Skarven keeper, ready."])
        (vector,) = await chunk_embedder.embed(["Skarven keeper"])
        async with uow(read_only=True) as tx:
            assert await tx.chunks.search_vector(tenant, owner, vector, "another-model", 5) == []

    async def test_deleting_documents_removes_their_vectors_and_keywords(
        self,
        uow: UnitOfWorkFactory,
        chunk_embedder: Embedder,
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()
        kept, _ = await add_document(uow, chunk_embedder, tenant, owner, TEXTS[:2])
        gone, _ = await add_document(uow, chunk_embedder, tenant, owner, TEXTS[2:])

        async with uow() as tx:
            assert await tx.documents.delete(tenant, owner, gone.id)
            await tx.commit()
        by_vector, by_words = await search(
            uow, chunk_embedder, tenant, owner, "sourdough bread tomatoes Skarven"
        )
        assert set(by_vector) | set(by_words) <= set(TEXTS[:2])
        assert TEXTS[2] not in by_vector + by_words

        async with uow() as tx:
            await tx.documents.delete_owned(tenant, owner)
            await tx.commit()
        assert await search(uow, chunk_embedder, tenant, owner, "Skarven keeper lighthouses") == (
            [],
            [],
        )
        async with uow(read_only=True) as tx:
            assert await tx.documents.get(tenant, owner, kept.id) is None

    async def test_a_rolled_back_add_leaves_no_chunks(
        self, uow: UnitOfWorkFactory, chunk_embedder: Embedder
    ) -> None:
        (tenant,) = await add_tenants(uow, 1)
        owner = uuid.uuid4()
        document, _ = await add_document(uow, chunk_embedder, tenant, owner, [], status="ready")
        chunk = Chunk(
            id=ChunkId(uuid.uuid4()),
            tenant_id=tenant,
            owner_id=owner,
            document_id=document.id,
            ordinal=0,
            page=1,
            text="Skarven keeper",
            embedder=chunk_embedder.name,
            dimension=chunk_embedder.dimension,
        )
        async with uow() as tx:
            await tx.chunks.add(tenant, [chunk], await chunk_embedder.embed([chunk.text]))
        assert await search(uow, chunk_embedder, tenant, owner, "Skarven keeper") == ([], [])

    async def test_stale_chunks_get_new_vectors(
        self, uow: UnitOfWorkFactory, chunk_embedder: Embedder, other_embedder: Embedder
    ) -> None:
        tenant, other_tenant = await add_tenants(uow)
        owner = uuid.uuid4()
        _, chunks = await add_document(uow, chunk_embedder, tenant, owner, TEXTS[:2])
        _, theirs = await add_document(uow, chunk_embedder, other_tenant, owner, TEXTS[2:3])
        small = other_embedder

        async with uow(read_only=True) as tx:
            stale = await tx.chunks.stale(small.name, 10)
            assert await tx.chunks.stale(chunk_embedder.name, 10) == []
        assert {c.id for c in stale} == {c.id for c in chunks + theirs}

        async with uow() as tx:
            await tx.chunks.set_vectors(tenant, chunks, await small.embed(TEXTS[:2]), small.name)
            await tx.chunks.set_vectors(tenant, theirs, await small.embed(TEXTS[2:3]), small.name)
            await tx.commit()
        async with uow(read_only=True) as tx:
            left = await tx.chunks.stale(small.name, 10)
            (vector,) = await small.embed(["Who is the keeper of the Skarven light?"])
            hits = await tx.chunks.search_vector(tenant, owner, vector, small.name, 1)
        assert left == theirs  # another tenant's chunks are not changed through this one
        assert hits[0].chunk_id == chunks[1].id

"""Hybrid search over a principal's documents: matching keywords and nearest vectors,
merged by weighted reciprocal rank fusion; and the chat's retriever built on it.

How much the vectors weigh depends on the embedder: the offline feature-hashing one
is weaker than BM25 on prose, so it only nudges the keyword ranking (and adds chunks
no keyword found); a semantic embedder weighs as much as the keywords. The retrieval
evaluation (``make eval``) measured the offline weight."""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec

from chatcore.dialogs.ports import Passage, RetrievedPassage
from chatcore.documents.model import ChunkHit, ChunkId
from chatcore.documents.ports import Embedder
from chatcore.errors import InvalidInput
from chatcore.identity.principal import Principal
from chatcore.unit_of_work import UnitOfWorkFactory

MAX_QUERY = 2_000
MAX_K = 50
MAX_TERMS = 32
RRF_C = 60  # the constant of Cormack et al.; damps the weight of the very top ranks
OFFLINE_VECTOR_WEIGHT = 0.05  # against 1 for keywords; `make eval` chose it
CANDIDATES = 4  # each ranking contributes this many times k candidates

_WORD = re.compile(r"\w+")
# Lucene's English stop words: only words that never carry a question's meaning
# (a longer list dropped "same", "off", "down", which do).
_STOP_WORDS_TEXT = (
    "a an and are as at be but by for if in into is it no not of on or such that the "
    "their then there these they this to was will with"
)
_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


class SearchDocuments:
    """The chunks of the principal's ready documents that best answer a query."""

    def __init__(
        self, uow: UnitOfWorkFactory, embedder: Embedder, vector_weight: float = 1.0
    ) -> None:
        self._uow, self._embedder, self._vector_weight = uow, embedder, vector_weight

    async def __call__(self, principal: Principal, query: str, k: int = 5) -> list[ChunkHit]:
        """Up to ``k`` chunks, best first, scored from 0 to 1; raises InvalidInput."""
        if not query.strip() or len(query) > MAX_QUERY:
            raise InvalidInput("query", f"1-{MAX_QUERY} characters, not only spaces")
        if not 1 <= k <= MAX_K:
            raise InvalidInput("k", f"must be between 1 and {MAX_K}")
        (vector,) = await self._embedder.embed([query])  # before the unit of work opens
        wanted = max(k * CANDIDATES, 20)
        tenant_id, owner_id = principal.tenant_id, principal.id
        async with self._uow(read_only=True) as uow:
            by_vector = await uow.chunks.search_vector(
                tenant_id, owner_id, vector, self._embedder.name, wanted
            )
            by_keywords = await uow.chunks.search_keywords(
                tenant_id, owner_id, keywords(query), wanted
            )
        return fuse([(by_keywords, 1.0), (by_vector, self._vector_weight)], k)


class DocumentRetriever:
    """A Retriever for the chat: search results as passages to quote and cite."""

    def __init__(self, search: SearchDocuments) -> None:
        self._search = search

    async def retrieve(self, principal: Principal, query: str, k: int) -> list[RetrievedPassage]:
        """Up to ``k`` passages of the principal's documents, most relevant first."""
        hits = await self._search(principal, query[:MAX_QUERY], min(k, MAX_K))
        return [
            RetrievedPassage(
                passage=Passage(
                    text=hit.text,
                    document_id=str(hit.document_id),
                    filename=hit.filename,
                    page=hit.page,
                ),
                chunk_id=str(hit.chunk_id),
                score=hit.score,
            )
            for hit in hits
        ]


def keywords(query: str) -> list[str]:
    """The query's distinct lower-case words worth matching: stop words and single
    letters are left out, unless nothing else is left."""
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(query)))
    telling = [w for w in words if w not in _STOP_WORDS and (len(w) > 1 or w.isdigit())]
    return (telling or words)[:MAX_TERMS]


def fuse(rankings: Sequence[tuple[Sequence[ChunkHit], float]], k: int) -> list[ChunkHit]:
    """The top ``k`` of several weighted rankings by reciprocal rank fusion, each score
    scaled so that a chunk ranked first everywhere scores 1."""
    scores: dict[ChunkId, float] = {}
    hits: dict[ChunkId, ChunkHit] = {}
    for ranking, weight in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + weight / (RRF_C + rank)
            hits.setdefault(hit.chunk_id, hit)
    best = sum(weight for _, weight in rankings) / (RRF_C + 1) or 1.0
    # Ties keep the order of first appearance (dicts keep insertion order; sort is stable).
    ordered = sorted(scores, key=lambda chunk_id: -scores[chunk_id])[:k]
    return [msgspec.structs.replace(hits[c], score=round(scores[c] / best, 6)) for c in ordered]

"""Synthetic chunks for the search scenario, written straight into the database.

Embeddings are either clustered around topics (how real documents fall: many
passages near each subject, which is the hard case for an approximate index) or
spread at random. Queries are texts the server embeds with its own offline embedder;
the benchmark embeds them the same way to find the exact answer. Chunk texts share
no word with the queries, so the keyword half of the hybrid search finds nothing
and the ranking returned is the vector one, comparable with exact search.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

CHUNKS_PER_DOCUMENT = 1000
CHUNKS_PER_TOPIC = 500
NOISE = 0.05  # per dimension: a passage's cosine to its topic is about 0.7
_VOCABULARY = [f"qz{i:04d}" for i in range(5000)]


@dataclass
class Corpus:
    """Chunk vectors (unit length) with their ids, and queries with their vectors."""

    kind: str  # "clustered" or "random"
    embedder: str
    ids: list[uuid.UUID]
    vectors: np.ndarray
    queries: list[str]
    query_vectors: np.ndarray

    def exact(self, k: int) -> list[set[uuid.UUID]]:
        """The ids of each query's ``k`` nearest chunks by cosine similarity."""
        scores = self.vectors @ self.query_vectors.T
        best = np.argpartition(-scores, k, axis=0)[:k]
        return [{self.ids[row] for row in best[:, column]} for column in range(best.shape[1])]


def make(kind: str, count: int, queries: int, seed: int) -> Corpus:
    """A corpus of ``count`` chunks and ``queries`` queries."""
    from adapters.embed import LocalEmbedder

    embedder = LocalEmbedder()
    rng = np.random.default_rng(seed)

    def embed(texts: list[str]) -> np.ndarray:
        vectors = asyncio.run(embedder.embed(texts))
        return np.array([np.asarray(v, dtype=np.float32) for v in vectors])

    def words(n: int) -> list[str]:
        return [str(w) for w in rng.choice(_VOCABULARY, n, replace=False)]

    if kind == "clustered":
        topics = [words(6) for _ in range(max(10, count // CHUNKS_PER_TOPIC))]
        centers = embed([" ".join(topic) for topic in topics])
        labels = rng.integers(len(topics), size=count)
        vectors = centers[labels] + rng.normal(0.0, NOISE, (count, embedder.dimension))
        texts = []
        for _ in range(queries):
            topic = topics[int(rng.integers(len(topics)))]
            texts.append(" ".join([*rng.permutation(topic)[:4], *words(2)]))
    else:
        vectors = rng.normal(0.0, 1.0, (count, embedder.dimension))
        texts = [" ".join(words(6)) for _ in range(queries)]
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    ids = [uuid.UUID(bytes=rng.bytes(16), version=4) for _ in range(count)]
    return Corpus(kind, embedder.name, ids, vectors, texts, embed(texts))


def documents(corpus: Corpus, tenant: uuid.UUID, owner: uuid.UUID) -> list[dict[str, Any]]:
    """One ready document row per ``CHUNKS_PER_DOCUMENT`` chunks."""
    now = datetime.now(UTC)
    count = -(-len(corpus.ids) // CHUNKS_PER_DOCUMENT)
    return [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant,
            "owner_id": owner,
            "filename": f"synthetic-{corpus.kind}-{n}.txt",
            "content_type": "text/plain",
            "size": 0,
            "sha256": uuid.uuid4().hex * 2,
            "blob_key": uuid.uuid4().hex,
            "status": "ready",
            "pages": 1,
            "chunks": CHUNKS_PER_DOCUMENT,
            "error": None,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]


def chunk_rows(
    corpus: Corpus, tenant: uuid.UUID, owner: uuid.UUID, document_ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    """One row per chunk; ``embedding`` is the float32 vector."""
    dimension = corpus.vectors.shape[1]
    return [
        {
            "id": chunk_id,
            "tenant_id": tenant,
            "owner_id": owner,
            "document_id": document_ids[n // CHUNKS_PER_DOCUMENT],
            "ordinal": n % CHUNKS_PER_DOCUMENT,
            "page": 1,
            "text": f"passage{n}",
            "embedder": corpus.embedder,
            "dimension": dimension,
            "embedding": corpus.vectors[n],
        }
        for n, chunk_id in enumerate(corpus.ids)
    ]

"""Documents and retrieval: upload, extraction, chunking, embeddings, hybrid search.

This package exports the context's types: its model and its ports; its use cases
are exported by ``chatcore.documents.use_cases``."""

from chatcore.documents.model import (
    MARKDOWN,
    PDF,
    PLAIN_TEXT,
    Chunk,
    ChunkHit,
    ChunkId,
    Document,
    DocumentId,
    DocumentStatus,
    ExtractionFailed,
    IngestFailure,
    IngestOutcome,
    PageText,
    TextTooLong,
    Vector,
)
from chatcore.documents.ports import (
    ChunkIndex,
    DocumentRepository,
    Embedder,
    IngestionMeter,
    TextExtractor,
)

__all__ = [
    "MARKDOWN",
    "PDF",
    "PLAIN_TEXT",
    "Chunk",
    "ChunkHit",
    "ChunkId",
    "ChunkIndex",
    "Document",
    "DocumentId",
    "DocumentRepository",
    "DocumentStatus",
    "Embedder",
    "ExtractionFailed",
    "IngestFailure",
    "IngestOutcome",
    "IngestionMeter",
    "PageText",
    "TextExtractor",
    "TextTooLong",
    "Vector",
]

"""Documents, their chunks, and what a search finds."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Literal, NewType

import msgspec

from chatcore.errors import ChatcoreError
from chatcore.kernel import TenantId

DocumentId = NewType("DocumentId", uuid.UUID)
ChunkId = NewType("ChunkId", uuid.UUID)
DocumentStatus = Literal["processing", "ready", "failed"]

Vector = Sequence[float]
"""An embedding; embedders return compact ``array('f')`` values."""

PDF = "application/pdf"
PLAIN_TEXT = "text/plain"
MARKDOWN = "text/markdown"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"


class Document(msgspec.Struct, frozen=True, kw_only=True):
    """An uploaded file of one owner: what the client called it, what it is, where
    its bytes are kept (``blob_key``, a generated name) and how far ingestion got."""

    id: DocumentId
    tenant_id: TenantId
    owner_id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    blob_key: str
    status: DocumentStatus
    created_at: datetime
    updated_at: datetime
    pages: int = 0
    chunks: int = 0
    error: str | None = None
    text_size: int = 0
    """Bytes of its extracted text (UTF-8), once it is ready; with ``size``, what
    it takes of its owner's storage quota."""


class Chunk(msgspec.Struct, frozen=True, kw_only=True):
    """A window of a document's text on one page, and the embedder that embedded it."""

    id: ChunkId
    tenant_id: TenantId
    owner_id: uuid.UUID
    document_id: DocumentId
    ordinal: int
    page: int
    text: str
    embedder: str
    dimension: int


class ChunkHit(msgspec.Struct, frozen=True, kw_only=True):
    """A chunk a search found, with its document's filename and a relevance score
    (higher is better; its scale depends on who ranked it)."""

    chunk_id: ChunkId
    document_id: DocumentId
    filename: str
    page: int
    text: str
    score: float


class PageText(msgspec.Struct, frozen=True):
    """The text of one page, numbered from 1."""

    number: int
    text: str


IngestFailure = Literal["unreadable", "quota_exceeded", "file_missing", "unavailable", "error"]


class IngestOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """How one ingestion ended: ``ready`` (with its pages), ``failed`` (with the kind
    of failure), ``skipped`` (the document went, or another worker finished it), or
    ``interrupted`` (the process stopped first; the next start takes it up again)."""

    status: Literal["ready", "failed", "skipped", "interrupted"]
    pages: int = 0
    failure: IngestFailure | None = None


class ExtractionFailed(ChatcoreError):
    """A file's text could not be read; ``detail`` says why in words for its owner."""

    code = "extraction_failed"


class TextTooLong(ExtractionFailed):
    """A file's text passes the characters one document may have; reading stopped
    there."""

    def __init__(self, max_chars: int) -> None:
        super().__init__(f"The document has more than {max_chars:,} characters of text.")
        self.max_chars = max_chars

"""Bodies of the document and search routes."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from chatcore.documents.model import ChunkHit, Document, DocumentStatus
from http_shell.constraints import SearchK, SearchQuery
from http_shell.schemas import Body


class SearchBody(Body):
    """``POST /v1/search``."""

    query: SearchQuery
    k: SearchK = 5


class DocumentOut(msgspec.Struct, omit_defaults=True, kw_only=True):
    """A document as its owner sees it; ``error`` only when it failed."""

    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    status: DocumentStatus
    pages: int
    chunks: int
    created_at: datetime
    updated_at: datetime
    error: str | None = None

    @classmethod
    def of(cls, document: Document) -> DocumentOut:
        return cls(
            id=document.id,
            filename=document.filename,
            content_type=document.content_type,
            size=document.size,
            status=document.status,
            pages=document.pages,
            chunks=document.chunks,
            created_at=document.created_at,
            updated_at=document.updated_at,
            error=document.error,
        )


class DocumentPage(msgspec.Struct):
    """A page of documents, newest first."""

    items: list[DocumentOut]
    next_cursor: str | None


class SearchHitOut(msgspec.Struct, kw_only=True):
    """A passage found by a search."""

    chunk_id: uuid.UUID
    document_id: uuid.UUID
    filename: str
    page: int
    text: str
    score: float

    @classmethod
    def of(cls, hit: ChunkHit) -> SearchHitOut:
        return cls(
            chunk_id=hit.chunk_id,
            document_id=hit.document_id,
            filename=hit.filename,
            page=hit.page,
            text=hit.text,
            score=hit.score,
        )


class SearchOut(msgspec.Struct):
    """``POST /v1/search``: the best passages first."""

    items: list[SearchHitOut]

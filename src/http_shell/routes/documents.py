"""Documents of the calling principal, and search over them."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Request, Response, Router, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, Parameter
from litestar.response import Stream
from litestar.types import ControllerRouterHandler

from chatcore.documents.model import DocumentId
from chatcore.errors import FileTooLarge, InvalidInput, StorageQuotaExceeded, UnsupportedMediaType
from chatcore.identity.principal import Principal
from http_shell.dependencies import Cases
from http_shell.openapi import FileUploadOperation, raises
from http_shell.schemas_documents import (
    DocumentOut,
    DocumentPage,
    SearchBody,
    SearchHitOut,
    SearchOut,
)
from http_shell.uploads import multipart_file

Me = NamedDependency[Principal]


@post(
    "/",
    summary="Upload a PDF, DOCX, HTML, plain text or Markdown file (multipart field 'file')",
    description="202 while it is processed, 201 when it was processed at once, "
    "200 when the caller had uploaded these bytes.",
    status_code=202,
    responses={
        201: ResponseSpec(DocumentOut, description="Stored and processed"),
        200: ResponseSpec(DocumentOut, description="The caller's document with these bytes"),
    },
    # The body is streamed and limited by the upload itself, not buffered by Litestar.
    request_max_body_size=None,
    operation_class=FileUploadOperation,
    opt=raises(FileTooLarge, UnsupportedMediaType, InvalidInput, StorageQuotaExceeded),
)
async def upload_document_route(
    request: Request[Any, Any, Any], principal: Me, use_cases: Cases
) -> Response[DocumentOut]:
    filename, content = await multipart_file(
        request, "file", use_cases.settings().max_upload_mb * 1024**2
    )
    upload = await use_cases.upload_document()(principal, filename, content)
    status = 202 if upload.document.status == "processing" else 201 if upload.created else 200
    return Response(DocumentOut.of(upload.document), status_code=status)


@get("/", summary="The caller's documents, newest first")
async def list_documents_route(
    principal: Me,
    use_cases: Cases,
    limit: Annotated[int | None, Parameter(ge=1, le=200)] = None,
    cursor: Annotated[str | None, Parameter()] = None,
) -> DocumentPage:
    page = await use_cases.list_documents()(
        principal, use_cases.cursor_codec().page_request(limit, cursor)
    )
    return DocumentPage(
        [DocumentOut.of(d) for d in page.items], use_cases.cursor_codec().encode(page.next_after)
    )


@get("/{document_id:uuid}", summary="A document and its processing status")
async def get_document_route(
    document_id: FromPath[uuid.UUID], principal: Me, use_cases: Cases
) -> DocumentOut:
    return DocumentOut.of(await use_cases.get_document()(principal, DocumentId(document_id)))


@get(
    "/{document_id:uuid}/file",
    summary="The original file, as a download",
    responses={200: ResponseSpec(bytes, media_type="*/*", description="The bytes, as uploaded")},
)
async def document_file_route(
    document_id: FromPath[uuid.UUID], principal: Me, use_cases: Cases
) -> Stream:
    document, content = await use_cases.get_document_file()(principal, DocumentId(document_id))
    return Stream(
        content,
        media_type=document.content_type,
        headers={
            "Content-Disposition": _attachment(document.filename),
            "Content-Length": str(document.size),
            "X-Content-Type-Options": "nosniff",
        },
    )


@delete("/{document_id:uuid}", status_code=204, summary="Delete a document, its chunks and file")
async def delete_document_route(
    document_id: FromPath[uuid.UUID], principal: Me, use_cases: Cases
) -> None:
    await use_cases.delete_document()(principal, DocumentId(document_id))


@post(
    "/v1/search",
    status_code=200,
    tags=["documents"],
    security=[{"bearer": []}],
    summary="Search the caller's documents",
)
async def search_route(data: JSONBody[SearchBody], principal: Me, use_cases: Cases) -> SearchOut:
    hits = await use_cases.search_documents()(principal, data.query, data.k)
    return SearchOut([SearchHitOut.of(hit) for hit in hits])


def _attachment(filename: str) -> str:
    """A Content-Disposition for a download: an ASCII fallback name, and the real one
    percent-encoded (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode().replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


ROUTES: list[ControllerRouterHandler] = [
    Router(
        path="/v1/documents",
        route_handlers=[
            upload_document_route,
            list_documents_route,
            get_document_route,
            document_file_route,
            delete_document_route,
        ],
        tags=["documents"],
        security=[{"bearer": []}],
    ),
    search_route,
]

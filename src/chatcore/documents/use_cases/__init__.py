"""What the outside world asks of documents: upload, ingest, search, list, delete,
re-embed (both as jobs of the queue), take up what an older version left, sweep
unfinished writes, erase an owner's."""

from chatcore.documents.use_cases.documents import (
    DeleteDocument,
    GetDocument,
    GetDocumentFile,
    ListDocuments,
)
from chatcore.documents.use_cases.erasure import DocumentEraser
from chatcore.documents.use_cases.ingestion import IngestDocument, IngestSettings
from chatcore.documents.use_cases.ingestion_jobs import (
    IngestionJobs,
    QueueReindex,
    QueueUnfinishedIngestions,
    ReindexJobs,
)
from chatcore.documents.use_cases.leftovers import RemoveUnfinishedWrites
from chatcore.documents.use_cases.quota import StorageQuotas
from chatcore.documents.use_cases.reindex import ReindexDocuments
from chatcore.documents.use_cases.search import DocumentRetriever, SearchDocuments
from chatcore.documents.use_cases.uploads import Upload, UploadDocument

__all__ = [
    "DeleteDocument",
    "DocumentEraser",
    "DocumentRetriever",
    "GetDocument",
    "GetDocumentFile",
    "IngestDocument",
    "IngestSettings",
    "IngestionJobs",
    "ListDocuments",
    "QueueReindex",
    "QueueUnfinishedIngestions",
    "ReindexDocuments",
    "ReindexJobs",
    "RemoveUnfinishedWrites",
    "SearchDocuments",
    "StorageQuotas",
    "Upload",
    "UploadDocument",
]

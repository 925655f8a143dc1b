"""DocumentRepository: the public contract on memory, SQLite and Postgres (the ``uow`` fixture
of ``tests/contract/conftest.py``)."""

from __future__ import annotations

from chatcore.testing import DocumentRepositoryContract, DocumentStorageContract


class TestDocumentRepository(DocumentRepositoryContract):
    pass


class TestDocumentStorage(DocumentStorageContract):
    pass

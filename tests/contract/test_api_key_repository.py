"""ApiKeyRepository: the public contract on memory, SQLite and Postgres (the ``uow``
fixture of ``tests/contract/conftest.py``)."""

from __future__ import annotations

from chatcore.testing import ApiKeyRepositoryContract


class TestApiKeyRepository(ApiKeyRepositoryContract):
    pass

"""Identity's repositories and its use cases under concurrency: the public contract on
memory, SQLite and Postgres (the ``uow`` fixture of ``tests/contract/conftest.py``)."""

from __future__ import annotations

from chatcore.testing import IdentityRepositoriesContract


class TestIdentityRepositories(IdentityRepositoriesContract):
    pass

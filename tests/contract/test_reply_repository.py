"""ReplyRepository: the public contract on memory, SQLite and Postgres (the ``uow``
fixture of ``tests/contract/conftest.py``)."""

from __future__ import annotations

from chatcore.testing import ReplyRepositoryContract


class TestReplyRepository(ReplyRepositoryContract):
    pass

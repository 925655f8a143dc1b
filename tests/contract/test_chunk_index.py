"""ChunkIndex: the public contract on memory, SQLite and Postgres (the ``uow`` fixture
of ``tests/contract/conftest.py``), with the local embedder."""

from __future__ import annotations

import pytest

from adapters.embed import LocalEmbedder
from chatcore.documents.ports import Embedder
from chatcore.testing import ChunkIndexContract


class TestChunkIndex(ChunkIndexContract):
    @pytest.fixture
    def chunk_embedder(self) -> Embedder:
        return LocalEmbedder()

    @pytest.fixture
    def other_embedder(self) -> Embedder:
        return LocalEmbedder(16)

"""Re-embedding the chunks of another embedder, after the configured one changed."""

from __future__ import annotations

from collections import defaultdict

from chatcore.documents.model import Chunk, Vector
from chatcore.documents.ports import Embedder
from chatcore.kernel import TenantId
from chatcore.unit_of_work import UnitOfWorkFactory

BATCH = 128


class ReindexDocuments:
    """Give every chunk a vector by the configured embedder, a batch at a time."""

    def __init__(self, uow: UnitOfWorkFactory, embedder: Embedder, batch: int = BATCH) -> None:
        self._uow, self._embedder, self._batch = uow, embedder, batch

    async def __call__(self) -> int:
        """How many chunks were re-embedded; raises Unavailable (what is done stays
        done, and running it again goes on from there)."""
        done = 0
        while True:
            async with self._uow(read_only=True) as uow:
                stale = await uow.chunks.stale(self._embedder.name, self._batch)
            if not stale:
                return done
            # No unit of work is open while the embedder works.
            vectors = await self._embedder.embed([chunk.text for chunk in stale])
            by_tenant: defaultdict[TenantId, list[tuple[Chunk, Vector]]] = defaultdict(list)
            for chunk, vector in zip(stale, vectors, strict=True):
                by_tenant[chunk.tenant_id].append((chunk, vector))
            async with self._uow() as uow:
                for tenant_id, pairs in by_tenant.items():
                    await uow.chunks.set_vectors(
                        tenant_id,
                        [c for c, _ in pairs],
                        [v for _, v in pairs],
                        self._embedder.name,
                    )
                await uow.commit()
            done += len(stale)

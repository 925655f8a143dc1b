"""The Embedder contract: unit vectors of a fixed size, deterministic, with related
texts nearer than unrelated ones."""

from __future__ import annotations

import math

from chatcore.documents.model import Vector
from chatcore.documents.ports import Embedder

TEXTS = [
    "The keeper of the Skarven lighthouse is Ingrid Holm.",
    "Who keeps the Skarven lighthouse?",
    "Sourdough needs flour, water and salt.",
]


def cosine(a: Vector, b: Vector) -> float:
    """The cosine similarity of two unit vectors."""
    return sum(x * y for x, y in zip(a, b, strict=True))


class EmbedderContract:
    """What every Embedder does.

    Needs a fixture ``embedder`` returning an embedder ready to answer.
    """

    async def test_vectors_are_unit_length_fixed_size_and_deterministic(
        self, embedder: Embedder
    ) -> None:
        first = await embedder.embed(TEXTS)
        again = await embedder.embed(TEXTS)

        assert len(first) == len(TEXTS)
        assert all(len(v) == embedder.dimension for v in first)
        assert all(math.isclose(math.sqrt(cosine(v, v)), 1.0, rel_tol=1e-5) for v in first)
        assert [list(v) for v in first] == [list(v) for v in again]

    async def test_related_texts_are_nearer_than_unrelated_ones(self, embedder: Embedder) -> None:
        fact, question, other = await embedder.embed(TEXTS)
        assert cosine(fact, question) > cosine(other, question)

    async def test_no_text_no_vectors(self, embedder: Embedder) -> None:
        assert await embedder.embed([]) == []

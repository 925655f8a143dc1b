"""An offline embedder: feature hashing of words and word pairs, no model download.

Text is normalised (NFKC, case-folded, accents dropped) and split into words; each
word and each pair of neighbouring words is hashed into one of ``dimension`` slots
with a hashed sign, weighted by ``1 + log(count)``, and the vector is L2-normalised.
Texts that share words and phrases get similar vectors; the same text always gets
the same vector, in every process (the hash is BLAKE2b, not Python's salted one).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import itertools
import math
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Sequence

import numpy as np

from chatcore.documents.model import Vector

DEFAULT_DIMENSION = 384
_WORD = re.compile(r"\w+")


class LocalEmbedder:
    """Deterministic hashed bag-of-words-and-pairs vectors."""

    def __init__(self, dimension: int = DEFAULT_DIMENSION) -> None:
        if dimension < 2:
            raise ValueError("dimension must be at least 2")
        self._dimension = dimension

    @property
    def name(self) -> str:
        return f"local-hashing-v1-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        return await asyncio.to_thread(lambda: [self._vector(text) for text in texts])

    def _vector(self, text: str) -> Vector:
        words = _words(text)
        features = Counter(words + [f"{a} {b}" for a, b in itertools.pairwise(words)])
        vector = np.zeros(self._dimension, dtype=np.float32)
        if features:
            slots = [_slot(feature, self._dimension) for feature in features]
            indices = np.fromiter((index for index, _ in slots), dtype=np.int64)
            weights = np.fromiter(
                (
                    sign * (1 + math.log(count))
                    for (_, sign), count in zip(slots, features.values(), strict=True)
                ),
                dtype=np.float32,
            )
            np.add.at(vector, indices, weights)
            norm = float(np.linalg.norm(vector))
            if norm > 0:
                vector /= norm
        return array("f", vector.tobytes())


def _words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(plain)


@functools.lru_cache(maxsize=200_000)
def _slot(feature: str, dimension: int) -> tuple[int, float]:
    """The slot and sign of a feature."""
    value = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
    return value % dimension, 1.0 if value >> 63 else -1.0

"""Plain Okapi BM25 over chunks, the reference the issue measured against: lower-case
words, no stemming, no stop words, k1 = 1.2 and b = 0.75."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"\w+")
K1, B = 1.2, 0.75


class PlainBm25:
    """Ranks texts for a query by BM25."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._counts = [Counter(_WORD.findall(text.lower())) for text in texts]
        self._lengths = [sum(count.values()) for count in self._counts]
        self._average = sum(self._lengths) / max(1, len(self._lengths))
        frequency: Counter[str] = Counter()
        for count in self._counts:
            frequency.update(count.keys())
        total = len(self._counts)
        self._idf = {
            term: math.log(1 + (total - n + 0.5) / (n + 0.5)) for term, n in frequency.items()
        }

    def rank(self, query: str, k: int) -> list[int]:
        """The indexes of the ``k`` best texts, best first (ties by index)."""
        terms = _WORD.findall(query.lower())
        scores = []
        for index, (count, length) in enumerate(zip(self._counts, self._lengths, strict=True)):
            norm = K1 * (1 - B + B * length / self._average)
            score = sum(
                self._idf[t] * count[t] * (K1 + 1) / (count[t] + norm) for t in terms if t in count
            )
            if score > 0:
                scores.append((-score, index))
        return [index for _, index in sorted(scores)[:k]]

"""An embedder on the official ``openai`` SDK: OpenAI or any compatible server.

Texts go in batches; the SDK retries transient failures. Provider errors are logged
and raised as ``Unavailable("embeddings")``, never shown to a client as they are.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Sequence

import openai

from chatcore.documents.model import Vector
from chatcore.errors import Unavailable

_log = logging.getLogger("chatcore.embed")

DEFAULT_MODEL = "text-embedding-3-small"
DEFAULT_DIMENSION = 1536
MAX_BATCH = 128  # texts per request; OpenAI accepts up to 2,048


class OpenAIEmbedder:
    """Embeds texts with an OpenAI-compatible ``/embeddings`` endpoint."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str = DEFAULT_MODEL,
        dimension: int = DEFAULT_DIMENSION,
        base_url: str | None = None,
        batch_size: int = MAX_BATCH,
        timeout: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        self._client = openai.AsyncOpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries
        )
        self._model, self._dimension = model, dimension
        self._batch = max(1, min(batch_size, MAX_BATCH))

    @property
    def name(self) -> str:
        return f"openai-{self._model}-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    async def embed(self, texts: Sequence[str]) -> list[Vector]:
        vectors: list[Vector] = []
        for start in range(0, len(texts), self._batch):
            vectors.extend(await self._embed_batch(list(texts[start : start + self._batch])))
        return vectors

    async def close(self) -> None:
        """Close the client's connections."""
        await self._client.close()

    async def _embed_batch(self, texts: list[str]) -> list[Vector]:
        # Only the text-embedding-3 models can shorten their vectors.
        dimensions = self._dimension if "embedding-3" in self._model else openai.omit
        try:
            response = await self._client.embeddings.create(
                model=self._model, input=texts, dimensions=dimensions
            )
        except openai.OpenAIError as exc:
            _log.warning("Embedding %d texts with %s failed: %s", len(texts), self._model, exc)
            raise Unavailable("embeddings") from exc
        ordered = sorted(response.data, key=lambda item: item.index)
        if len(ordered) != len(texts) or any(
            len(item.embedding) != self._dimension for item in ordered
        ):
            _log.warning("The embeddings of %s are not %d per text", self._model, self._dimension)
            raise Unavailable("embeddings")
        return [array("f", item.embedding) for item in ordered]

"""Embedder: the local one and OpenAI's, through the real SDK against the stub server."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Sequence

import pytest
import pytest_asyncio

from adapters.embed import LocalEmbedder, OpenAIEmbedder
from chatcore.documents.model import Vector
from chatcore.documents.ports import Embedder
from chatcore.errors import Unavailable
from tests.support.openai_stub import PROVIDER_SECRET, OpenAIStub

TEXTS = [
    "The keeper of the Skarven lighthouse is Ingrid Holm.",
    "Who keeps the Skarven lighthouse?",
    "Sourdough needs flour, water and salt.",
]


@pytest.fixture
def local_embedder() -> Embedder:
    return LocalEmbedder()


@pytest_asyncio.fixture
async def stub() -> AsyncIterator[OpenAIStub]:
    async with OpenAIStub() as server:
        yield server


@pytest_asyncio.fixture
async def openai_embedder(stub: OpenAIStub) -> AsyncIterator[Embedder]:
    embedder = OpenAIEmbedder(api_key="k", base_url=stub.base_url, batch_size=2, max_retries=0)
    yield embedder
    await embedder.close()


@pytest.fixture(params=["local", "openai"])
def embedder(request: pytest.FixtureRequest) -> Embedder:
    return request.getfixturevalue(f"{request.param}_embedder")


def cosine(a: Vector, b: Vector) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


async def test_vectors_are_unit_length_fixed_size_and_deterministic(embedder: Embedder) -> None:
    first = await embedder.embed(TEXTS)
    again = await embedder.embed(TEXTS)

    assert len(first) == len(TEXTS)
    assert all(len(v) == embedder.dimension for v in first)
    assert all(math.isclose(math.sqrt(cosine(v, v)), 1.0, rel_tol=1e-5) for v in first)
    assert [list(v) for v in first] == [list(v) for v in again]


async def test_related_texts_are_nearer_than_unrelated_ones(embedder: Embedder) -> None:
    fact, question, other = await embedder.embed(TEXTS)
    assert cosine(fact, question) > cosine(other, question)


async def test_no_text_no_vectors(embedder: Embedder) -> None:
    assert await embedder.embed([]) == []


def test_the_local_embedder_is_named_by_its_method_and_size() -> None:
    assert LocalEmbedder(64).name != LocalEmbedder().name
    assert LocalEmbedder().dimension == 384


async def test_openai_requests_are_batched_with_the_model_and_dimension(
    stub: OpenAIStub, openai_embedder: Embedder
) -> None:
    await openai_embedder.embed([f"text {n}" for n in range(5)])
    batches: list[Sequence[str]] = [e.body["input"] for e in stub.exchanges]
    assert [len(b) for b in batches] == [2, 2, 1]
    assert {e.path for e in stub.exchanges} == {"/v1/embeddings"}
    assert {e.body["model"] for e in stub.exchanges} == {"text-embedding-3-small"}
    assert {e.body["dimensions"] for e in stub.exchanges} == {1536}
    assert {e.headers["authorization"] for e in stub.exchanges} == {"Bearer k"}


async def test_provider_errors_are_unavailable_without_the_providers_words(
    stub: OpenAIStub, openai_embedder: Embedder
) -> None:
    stub.configure(errors=[500])
    with pytest.raises(Unavailable) as failure:
        await openai_embedder.embed(["hello"])
    assert failure.value.dependency == "embeddings"
    assert PROVIDER_SECRET not in str(failure.value)

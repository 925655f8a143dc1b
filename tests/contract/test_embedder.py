"""Embedder: the public contract on the local one and OpenAI's (the real SDK against the
stub server), then what only each does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest
import pytest_asyncio

from adapters.embed import LocalEmbedder, OpenAIEmbedder
from chatcore.documents.ports import Embedder
from chatcore.errors import Unavailable
from chatcore.testing import EmbedderContract
from tests.support.openai_stub import PROVIDER_SECRET, OpenAIStub


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


class TestEmbedder(EmbedderContract):
    @pytest.fixture(params=["local", "openai"])
    def embedder(self, request: pytest.FixtureRequest) -> Embedder:
        """Each embedder in turn."""
        chosen: Embedder = request.getfixturevalue(f"{request.param}_embedder")
        return chosen


# What only one adapter does.


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

"""ChatModel: the public streaming contract on the offline model and the OpenAI adapter
(the real SDK, talking to the OpenAI-compatible stub)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from adapters.llm import LocalChatModel, OpenAIChatModel
from chatcore.dialogs.ports import ChatModel
from chatcore.testing import ChatModelContract
from tests.support.openai_stub import OpenAIStub


@pytest.fixture
def local_model() -> ChatModel:
    return LocalChatModel(words_per_second=0)


@pytest_asyncio.fixture
async def openai_model() -> AsyncIterator[ChatModel]:
    async with OpenAIStub() as stub:
        model = OpenAIChatModel(
            api_key="test-key", model="stub-model", base_url=stub.base_url, max_retries=0, timeout=5
        )
        yield model
        await model.close()


class TestChatModel(ChatModelContract):
    @pytest.fixture(params=["local", "openai"])
    def chat_model(self, request: pytest.FixtureRequest) -> ChatModel:
        """Each ChatModel in turn, ready to answer."""
        chosen: ChatModel = request.getfixturevalue(f"{request.param}_model")
        return chosen

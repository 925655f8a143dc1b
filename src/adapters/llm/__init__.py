"""Language-model adapters: the offline ``LocalChatModel`` and ``OpenAIChatModel`` for
OpenAI, DeepSeek and any OpenAI-compatible server."""

from adapters.llm.local import LocalChatModel
from adapters.llm.openai import DEEPSEEK_BASE_URL, OpenAIChatModel

__all__ = ["DEEPSEEK_BASE_URL", "LocalChatModel", "OpenAIChatModel"]

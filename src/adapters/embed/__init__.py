"""Embedders: the offline ``LocalEmbedder`` and ``OpenAIEmbedder``."""

from adapters.embed.local import LocalEmbedder
from adapters.embed.openai import OpenAIEmbedder

__all__ = ["LocalEmbedder", "OpenAIEmbedder"]

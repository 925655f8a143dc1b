"""Where system prompts come from: the tenant's own, a deployment file, or a default."""

from adapters.prompts.file import DEFAULT_SYSTEM_PROMPT, FilePromptSource

__all__ = ["DEFAULT_SYSTEM_PROMPT", "FilePromptSource"]

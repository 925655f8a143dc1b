"""A PromptSource reading the deployment's default prompt from a file, once, at start-up."""

from __future__ import annotations

from pathlib import Path

from chatcore.tenants.model import Tenant

DEFAULT_SYSTEM_PROMPT = (
    "You are a helpful assistant. Answer clearly and concisely, in the language of the "
    "question. When passages from the user's documents are provided, base the answer on "
    "them and say so when they do not contain it. If you do not know, say so."
)


class FilePromptSource:
    """A PromptSource: the tenant's own prompt, else the file's (``CHATCORE_PROMPT_FILE``),
    else a built-in default."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.default = _read(Path(path)) if path else DEFAULT_SYSTEM_PROMPT

    def system_prompt(self, tenant: Tenant) -> str:
        return tenant.settings.system_prompt or self.default


def _read(path: Path) -> str:
    """The file's prompt; raises ValueError (naming the file) if it cannot be used, so
    that a misconfigured deployment fails at start-up, not on its first chat."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the prompt file {path}: {exc}") from exc
    if not text:
        raise ValueError(f"the prompt file {path} is empty")
    return text

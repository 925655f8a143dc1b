"""Label values a deployment's configuration chooses (model names), kept bounded."""

from __future__ import annotations

import re

OTHER = "other"
_SAFE = re.compile(r"[A-Za-z0-9._:/@+-]{1,64}")


class CappedLabel:
    """Passes the first ``limit`` distinct well-formed values through and calls every
    later or malformed one ``other``: a tenant setting naming models one by one cannot
    grow the series without end."""

    def __init__(self, limit: int = 32) -> None:
        self._limit = limit
        self._seen: set[str] = set()

    def __call__(self, value: str) -> str:
        if value in self._seen:
            return value
        if len(self._seen) >= self._limit or not _SAFE.fullmatch(value):
            return OTHER
        self._seen.add(value)
        return value


def error_code(code: str) -> str:
    """A model error's code, which the ChatModel port keeps to the llm_* family."""
    return code if re.fullmatch(r"llm_[a-z_]{1,40}", code) else OTHER

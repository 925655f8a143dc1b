"""A deterministic token estimate, the same for every model and every run.

Providers report their own counts for what they bill; this estimate is used where
no provider speaks: budgeting a context before the call, and the offline model.
"""

from __future__ import annotations

import re

_PIECES = re.compile(r"\w{1,4}|[^\w\s]", re.UNICODE)


def estimate_tokens(text: str) -> int:
    """Roughly the number of BPE tokens: one per punctuation mark, one per 4 word characters."""
    return len(_PIECES.findall(text))

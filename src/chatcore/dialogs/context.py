"""The context a model is given: the system prompt, as many recent turns as fit a
token budget, the question, and the retrieved passages that fit beside them.

Pure functions over the deterministic ``estimate_tokens``, so a budget holds the
same way on every run and for every provider.
"""

from __future__ import annotations

from collections.abc import Sequence

from chatcore.dialogs.events import CitationItem, Citations
from chatcore.dialogs.ports import RetrievedPassage, Turn
from chatcore.dialogs.tokens import estimate_tokens

TURN_OVERHEAD = 4
"""Tokens a provider spends framing each message or passage (role, separators)."""

MIN_BUDGET = 32
"""Below this, the overheads alone may not fit."""


def turn_tokens(turn: Turn) -> int:
    """What one turn costs in a context."""
    return estimate_tokens(turn.content) + TURN_OVERHEAD


def context_tokens(turns: Sequence[Turn]) -> int:
    """What a whole context costs."""
    return sum(turn_tokens(turn) for turn in turns)


def passage_tokens(found: RetrievedPassage) -> int:
    """What one retrieved passage costs beside the context."""
    return estimate_tokens(found.passage.text) + TURN_OVERHEAD


def build_context(
    system_prompt: str, history: Sequence[Turn], question: str, budget: int
) -> tuple[Turn, ...]:
    """The system prompt, the newest turns of ``history`` that fit, then the question,
    costing at most ``budget`` tokens.

    The question and the system prompt are always there: when both cannot fit whole,
    the question is cut to what is left, but never to less than half the budget.
    History is kept as one unbroken run of the newest turns.
    """
    if budget < MIN_BUDGET:
        raise ValueError(f"a context budget must be at least {MIN_BUDGET} tokens")
    system = [Turn("system", system_prompt)] if system_prompt else []
    newest = Turn("user", question)
    system_cost, newest_cost = context_tokens(system), turn_tokens(newest)
    if system_cost + newest_cost > budget:
        if system:
            allowance = min(system_cost, max(budget - newest_cost, budget // 2))
            system = [_cut(system[0], allowance)]
            system_cost = turn_tokens(system[0])
        newest = _cut(newest, budget - system_cost)
        newest_cost = turn_tokens(newest)
    room = budget - system_cost - newest_cost
    kept: list[Turn] = []
    for turn in reversed(history):
        cost = turn_tokens(turn)
        if cost > room:
            break
        kept.append(turn)
        room -= cost
    return (*system, *reversed(kept), newest)


def fit_passages(
    found: Sequence[RetrievedPassage], budget: int
) -> tuple[list[RetrievedPassage], int]:
    """The most relevant passages (given best first) that fit in ``budget`` tokens,
    and what they cost."""
    kept: list[RetrievedPassage] = []
    used = 0
    for item in found:
        cost = passage_tokens(item)
        if used + cost > budget:
            break
        kept.append(item)
        used += cost
    return kept, used


def citations_of(kept: Sequence[RetrievedPassage]) -> Citations:
    """The ``citations`` event naming the passages a reply was given."""
    return Citations(
        [
            CitationItem(
                document_id=item.passage.document_id,
                filename=item.passage.filename,
                page=item.passage.page,
                chunk_id=item.chunk_id,
                score=item.score,
            )
            for item in kept
        ]
    )


def truncate_to_tokens(text: str, max_tokens: int) -> str:
    """The longest beginning of ``text`` estimated at no more than ``max_tokens``."""
    if estimate_tokens(text) <= max_tokens:
        return text
    # A prefix never estimates higher than a longer one, so bisect on its length.
    fits, too_long = 0, len(text)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if estimate_tokens(text[:middle]) <= max_tokens:
            fits = middle
        else:
            too_long = middle
    return text[:fits]


def _cut(turn: Turn, allowance: int) -> Turn:
    return Turn(turn.role, truncate_to_tokens(turn.content, allowance - TURN_OVERHEAD))

"""The offline default ChatModel: deterministic, no network, paced like a real model.

Without passages it says plainly that no language model is configured; with
passages it answers extractively, quoting the sentences that share the most words
with the question, each with its filename and page.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from chatcore.dialogs.model import FinishReason
from chatcore.dialogs.ports import Completion, ModelEvent, ModelRequest, Passage, TextDelta
from chatcore.dialogs.tokens import estimate_tokens

_PIECES = re.compile(r"\S+\s*")  # a word with the whitespace after it
_WORDS = re.compile(r"\w+")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
# Words too common to tell one sentence from another.
_COMMON_WORDS = (
    "about also and are but can could did does for from had has have how into its "
    "not one our she that the their them then there these they this was were what "
    "when where which who why will with would you your"
)
_STOPWORDS = frozenset(_COMMON_WORDS.split())
_QUESTION_WORDS = 24
_QUOTE_WORDS = 60
_QUOTES = 3
_NOT_CONFIGURED = (
    "No language model is configured, so chatcore's offline model is answering and "
    "cannot reason about it. Set CHATCORE_LLM_PROVIDER=openai or deepseek, with an API "
    "key, for real answers. Offline I still stream replies, keep the dialog and quote "
    "the documents you upload when they match your question."
)


class LocalChatModel:
    """A deterministic offline model: the same request always gets the same reply."""

    name = "local"

    def __init__(self, *, words_per_second: float = 40.0) -> None:
        self._interval = 1.0 / words_per_second if words_per_second > 0 else 0.0

    async def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        """Word-by-word deltas, then one Completion; stops with "length" at max_tokens."""
        prompt_tokens = sum(estimate_tokens(turn.content) for turn in request.turns)
        loop = asyncio.get_running_loop()
        start = loop.time()
        spent = 0
        finish_reason: FinishReason = "stop"
        for index, word in enumerate(_PIECES.findall(compose_reply(request))):
            cost = estimate_tokens(word)  # no token spans whitespace, so counts add up
            if request.max_tokens is not None and spent + cost > request.max_tokens:
                finish_reason = "length"
                break
            if self._interval and index:
                # Pace against the start, so the loop's own overhead does not add up.
                await asyncio.sleep(max(0.0, start + index * self._interval - loop.time()))
            spent += cost
            yield TextDelta(word)
        yield Completion(
            finish_reason=finish_reason,
            prompt_tokens=prompt_tokens,
            completion_tokens=spent,
            model=self.name,
        )


def compose_reply(request: ModelRequest) -> str:
    """The whole reply to a request, before pacing."""
    question = next((t.content for t in reversed(request.turns) if t.role == "user"), "")
    if request.passages:
        return _extract(question, request.passages)
    return f"You asked: “{_shorten(question, _QUESTION_WORDS) or '(nothing)'}”. {_NOT_CONFIGURED}"


def _extract(question: str, passages: tuple[Passage, ...]) -> str:
    """The passages' sentences that best match the question, quoted with their source."""
    wanted = _keywords(question)
    ranked: list[tuple[int, int, str, Passage]] = []
    for passage in passages:
        for sentence in _SENTENCE_BREAK.split(passage.text):
            if sentence.strip():
                score = len(wanted & _keywords(sentence))
                # Ties keep retrieval order: the position is the second sort key.
                ranked.append((-score, len(ranked), sentence, passage))
    if not ranked:
        return "The retrieved passages are empty, so there is nothing to quote."
    ranked.sort(key=lambda item: item[:2])
    best = [item for item in ranked[:_QUOTES] if item[0] < 0]
    if best:
        lead = "From your documents:"
    else:
        lead = "None of your documents seems to answer that directly; the closest passage says:"
        best = [min(ranked, key=lambda item: item[1])]
    quotes = [
        f"“{_shorten(sentence, _QUOTE_WORDS)}” ({passage.filename}, page {passage.page})"
        for _, _, sentence, passage in best
    ]
    return "\n".join([lead, *quotes])


def _keywords(text: str) -> set[str]:
    """The telling words of a text; a plural's "s" is dropped so "refunds" meets "refund"."""
    words = (w for w in _WORDS.findall(text.lower()) if len(w) > 2 and w not in _STOPWORDS)
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}


def _shorten(text: str, limit: int) -> str:
    words = text.split()
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")

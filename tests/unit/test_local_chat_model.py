"""LocalChatModel: what the offline model says, how it counts, and how it paces."""

from __future__ import annotations

import asyncio
import re
import time

from adapters.llm.local import LocalChatModel, compose_reply
from chatcore.dialogs.ports import Completion, ModelEvent, ModelRequest, Passage, TextDelta, Turn
from chatcore.dialogs.tokens import estimate_tokens

PASSAGES = (
    Passage(
        text="The warranty lasts two years. Returns are accepted within 30 days.",
        document_id="d1",
        filename="terms.pdf",
        page=3,
    ),
    Passage(
        text="Shipping takes five days.\nThe warranty covers parts and labour.",
        document_id="d2",
        filename="faq.md",
        page=1,
    ),
)


def ask(question: str, **options: object) -> ModelRequest:
    turns = (
        Turn("system", "You are helpful."),
        Turn("user", "Hi"),
        Turn("assistant", "Hello."),
        Turn("user", question),
    )
    return ModelRequest(turns=turns, **options)  # type: ignore[arg-type]


async def run(request: ModelRequest, words_per_second: float = 0) -> tuple[str, Completion]:
    events: list[ModelEvent] = [
        e async for e in LocalChatModel(words_per_second=words_per_second).stream(request)
    ]
    *deltas, completion = events
    assert isinstance(completion, Completion)
    return "".join(d.text for d in deltas if isinstance(d, TextDelta)), completion


async def test_without_passages_it_says_no_model_is_configured_and_echoes_the_question() -> None:
    text, completion = await run(ask("What is   the capital of France?"))
    assert text.startswith("You asked: “What is the capital of France?”.")
    assert "No language model is configured" in text
    assert "CHATCORE_LLM_PROVIDER=openai or deepseek" in text
    assert completion.model == "local"
    assert completion.finish_reason == "stop"


async def test_a_long_question_is_shortened() -> None:
    text, _ = await run(ask(" ".join(f"word{i}" for i in range(100))))
    assert "word23…”" in text
    assert "word24" not in text


async def test_with_passages_it_quotes_the_best_matching_sentences_with_their_source() -> None:
    text, _ = await run(ask("How long does the warranty last?", passages=PASSAGES))
    lines = text.splitlines()
    assert lines[0] == "From your documents:"
    assert lines[1] == "“The warranty lasts two years.” (terms.pdf, page 3)"
    assert "“The warranty covers parts and labour.” (faq.md, page 1)" in lines
    assert "Shipping" not in text


async def test_without_a_matching_sentence_it_quotes_the_top_passage() -> None:
    text, _ = await run(ask("Tell me about zebras", passages=PASSAGES))
    assert "closest passage" in text
    assert text.endswith("“The warranty lasts two years.” (terms.pdf, page 3)")


async def test_the_reply_is_streamed_word_by_word_and_is_the_same_every_time() -> None:
    request = ask("Where is my parcel?")
    first = [e async for e in LocalChatModel(words_per_second=0).stream(request)]
    second = [e async for e in LocalChatModel(words_per_second=0).stream(request)]
    assert first == second
    deltas = [e.text for e in first if isinstance(e, TextDelta)]
    assert "".join(deltas) == compose_reply(request)
    assert all(re.fullmatch(r"\S+\s*", delta) for delta in deltas)
    assert all(delta.endswith(" ") for delta in deltas[:-1])


async def test_token_counts_are_estimated_from_the_turns_and_the_reply() -> None:
    request = ask("Count me.")
    text, completion = await run(request)
    assert completion.prompt_tokens == sum(estimate_tokens(t.content) for t in request.turns)
    assert completion.completion_tokens == estimate_tokens(text)


async def test_max_tokens_stops_the_reply_at_a_word_boundary() -> None:
    request = ask("How long does the warranty last?", passages=PASSAGES)
    full, _ = await run(request)
    capped = ModelRequest(turns=request.turns, passages=PASSAGES, max_tokens=7)
    text, completion = await run(capped)
    assert completion.finish_reason == "length"
    assert completion.completion_tokens == estimate_tokens(text) <= 7
    assert full.startswith(text) and len(text) < len(full)
    nothing, completion = await run(ModelRequest(turns=request.turns, max_tokens=0))
    assert (nothing, completion.completion_tokens, completion.finish_reason) == ("", 0, "length")


async def test_words_are_paced_at_the_given_rate() -> None:
    request = ask("Pace me.")
    words = len(compose_reply(request).split())
    started = time.monotonic()
    await run(request, words_per_second=1000)
    assert time.monotonic() - started >= (words - 1) / 1000 * 0.9


async def test_closing_a_paced_stream_stops_it_at_once() -> None:
    stream = LocalChatModel(words_per_second=2).stream(ask("Stop me."))
    assert isinstance(await anext(stream), TextDelta)
    started = time.monotonic()
    await asyncio.wait_for(stream.aclose(), timeout=1)  # type: ignore[attr-defined]
    assert time.monotonic() - started < 0.1

"""The context builder: within the budget, always the question, history kept newest
first and unbroken; and the token-bounded cuts it relies on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatcore.dialogs.context import (
    MIN_BUDGET,
    build_context,
    context_tokens,
    fit_passages,
    truncate_to_tokens,
    turn_tokens,
)
from chatcore.dialogs.ports import Passage, RetrievedPassage, Turn
from chatcore.dialogs.tokens import estimate_tokens

texts = st.text(max_size=400)
long_texts = st.one_of(texts, st.text(st.sampled_from("ab ,.!\n\u00e9\u4e2d"), max_size=3000))
turns = st.builds(Turn, st.sampled_from(["user", "assistant"]), texts)
budgets = st.integers(min_value=MIN_BUDGET, max_value=2000)


@given(system=long_texts, history=st.lists(turns, max_size=30), question=long_texts, budget=budgets)
def test_the_context_never_exceeds_the_budget_and_always_ends_with_the_question(
    system: str, history: list[Turn], question: str, budget: int
) -> None:
    context = build_context(system, history, question, budget)
    assert context_tokens(context) <= budget
    newest = context[-1]
    assert newest.role == "user" and question.startswith(newest.content)
    if turn_tokens(Turn("user", question)) <= budget - budget // 2:
        assert newest.content == question  # cut only when it is too long to fit whole
    if system:
        assert context[0].role == "system" and system.startswith(context[0].content)
        kept = context[1:-1]
    else:
        assert all(turn.role != "system" for turn in context)
        kept = context[:-1]
    assert list(kept) == history[len(history) - len(kept) :]


@given(system=texts, history=st.lists(turns, max_size=10), question=texts)
def test_a_context_that_fits_is_sent_whole(system: str, history: list[Turn], question: str) -> None:
    whole = ([Turn("system", system)] if system else []) + [*history, Turn("user", question)]
    budget = max(MIN_BUDGET, context_tokens(whole))
    assert list(build_context(system, history, question, budget)) == whole


def test_history_stops_at_the_first_turn_that_does_not_fit() -> None:
    history = [Turn("user", "old " * 50), Turn("assistant", "short"), Turn("user", "recent")]
    context = build_context("Be brief.", history, "Now?", budget=40)
    assert context == (
        Turn("system", "Be brief."),
        Turn("assistant", "short"),
        Turn("user", "recent"),
        Turn("user", "Now?"),
    )


def test_a_huge_question_is_cut_but_the_system_prompt_keeps_its_place() -> None:
    context = build_context("Be brief.", [Turn("user", "before")], "word " * 1000, budget=100)
    system, question = context
    assert system == Turn("system", "Be brief.")
    assert question.content.startswith("word word") and len(question.content) < 1000
    assert context_tokens(context) <= 100


def test_a_huge_system_prompt_leaves_the_question_half_the_budget() -> None:
    system, question = build_context("rule " * 1000, [], "ask " * 1000, budget=100)
    assert turn_tokens(question) >= 50 and context_tokens((system, question)) <= 100


def test_a_budget_below_the_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        build_context("", [], "Hi", MIN_BUDGET - 1)


@given(text=long_texts, limit=st.integers(min_value=0, max_value=300))
def test_truncation_keeps_the_longest_beginning_within_the_limit(text: str, limit: int) -> None:
    cut = truncate_to_tokens(text, limit)
    assert text.startswith(cut) and estimate_tokens(cut) <= limit
    if cut != text:
        assert estimate_tokens(text[: len(cut) + 1]) > limit


def passage(text: str, score: float) -> RetrievedPassage:
    return RetrievedPassage(
        passage=Passage(text=text, document_id="d", filename="f.txt", page=1),
        chunk_id=text[:8],
        score=score,
    )


def test_passages_are_kept_best_first_while_they_fit() -> None:
    found = [passage("one " * 10, 0.9), passage("two " * 10, 0.8), passage("g " * 100, 0.7)]
    kept, used = fit_passages(found, budget=30)
    assert kept == found[:2] and used == 28
    assert fit_passages(found, budget=5) == ([], 0)

"""The retrieval evaluation (``make eval``) runs end to end on a slice: documents of
each format ingested, every method asked, the table printed with every kind."""

from __future__ import annotations

from bench.retrieval.corpus import documents
from bench.retrieval.evaluate import METHODS, evaluate
from bench.retrieval.questions import KINDS, QUESTIONS
from bench.retrieval.report import table


async def test_the_evaluation_runs_on_a_slice_and_reports_every_method_and_kind() -> None:
    stems = {"seabirds", "sourdough", "water_treatment", "beekeeping"}  # PDF, DOCX, HTML, MD
    files = documents(stems)
    assert {name.rsplit(".", 1)[1] for name in files} == {"pdf", "docx", "html", "md"}
    questions = [q for q in QUESTIONS if {s for s, _ in q.evidence} <= stems]
    assert {q.kind for q in questions} == set(KINDS)

    result = await evaluate(files, questions)

    assert result.documents == 4 and result.chunks > 4
    assert result.unanswerable == []  # every evidence phrase is in some chunk
    assert {f.method for f in result.found} == set(METHODS)
    assert all(len(f.passages) <= 5 for f in result.found)
    printed = table(result)
    for kind in (*KINDS, "all"):
        for method in METHODS:
            assert f"| {method} | {kind} (" in printed

"""The evaluation as a Markdown table: hit@1, hit@5 and MRR per kind of question and
overall, for each method."""

from __future__ import annotations

from bench.retrieval.evaluate import METHODS, Evaluation, Found
from bench.retrieval.questions import KINDS


def table(evaluation: Evaluation) -> str:
    """One row per method and kind, then overall."""
    lines = [
        "| method | questions | hit@1 | hit@5 | MRR | cover@5 |",
        "|---|---|--:|--:|--:|--:|",
    ]
    for kind in (*KINDS, "all"):
        for method in METHODS:
            rows = [
                f
                for f in evaluation.found
                if f.method == method and kind in ("all", f.question.kind)
            ]
            if rows:
                lines.append(_row(method, kind, rows))
    return "\n".join(lines)


def _row(method: str, kind: str, rows: list[Found]) -> str:
    ranks = [f.first_relevant() for f in rows]
    hit1 = sum(r == 1 for r in ranks) / len(rows)
    hit5 = sum(r is not None for r in ranks) / len(rows)
    mrr = sum(1 / r for r in ranks if r is not None) / len(rows)
    cover = sum(f.covered(5) for f in rows) / len(rows)
    return (
        f"| {method} | {kind} ({len(rows)}) | {hit1:.0%} | {hit5:.0%} | {mrr:.3f} | {cover:.0%} |"
    )

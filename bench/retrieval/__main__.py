"""``python -m bench.retrieval``: the retrieval evaluation, printed as a table."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bench.retrieval.corpus import documents
from bench.retrieval.evaluate import evaluate
from bench.retrieval.questions import QUESTIONS
from bench.retrieval.report import table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    result = asyncio.run(evaluate(documents(), QUESTIONS))
    print(f"{result.documents} documents, {result.chunks} chunks, {len(QUESTIONS)} questions")
    print(table(result))
    for question in result.unanswerable:
        print(f"no chunk holds the evidence of: {question.text}", file=sys.stderr)
    return 1 if result.unanswerable else 0


if __name__ == "__main__":
    sys.exit(main())

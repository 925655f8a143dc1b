"""A pytest plugin that records each check's outcome and renders the report the
``chatcore-contract`` command prints: passed, failed (with why), could not run (why)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

PASSED, FAILED, COULD_NOT_RUN = "PASSED", "FAILED", "COULD NOT RUN"
PENDING = ""  # collected, no verdict yet: a check that never finished is not a pass
_RANK = {PENDING: 0, PASSED: 1, COULD_NOT_RUN: 2, FAILED: 3}


@dataclass
class Outcome:
    """What became of one check."""

    area: str
    title: str
    verdict: str = PENDING
    reason: str = ""


class Report:
    """Collects outcomes while pytest runs the checks (pass it in ``plugins=``)."""

    def __init__(self) -> None:
        self.outcomes: dict[str, Outcome] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Name each check after its module and the first line of its docstring."""
        for item in items:
            function = getattr(item, "function", None)
            doc = (getattr(function, "__doc__", None) or item.name).strip().splitlines()[0]
            callspec = getattr(item, "callspec", None)
            title = f"{doc} [{callspec.id}]" if callspec is not None else doc
            area = item.nodeid.split("::")[0].rsplit("/", 1)[-1]
            area = area.removeprefix("test_").removesuffix(".py")
            self.outcomes[item.nodeid] = Outcome(area, title)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A module that cannot even be collected is a failure."""
        if report.failed:
            self._record(report.nodeid, FAILED, _first_line(report))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep the worst outcome of a check's setup, call and teardown."""
        if report.failed:
            why = _first_line(report)
            if report.when == "teardown":
                why = f"cleaning up: {why}"
            self._record(report.nodeid, FAILED, why)
        elif report.skipped:
            self._record(report.nodeid, COULD_NOT_RUN, _skip_reason(report))
        elif report.when == "call":
            self._record(report.nodeid, PASSED, "")

    def pytest_sessionfinish(self) -> None:
        """A check that never finished (the run was cut short) failed."""
        for outcome in self.outcomes.values():
            if outcome.verdict == PENDING:
                outcome.verdict, outcome.reason = FAILED, "it did not run to its end"

    @property
    def failed(self) -> int:
        """How many checks failed."""
        return sum(outcome.verdict == FAILED for outcome in self.outcomes.values())

    def render(self) -> str:
        """One line per check, then the totals."""
        width = max((len(o.area) for o in self.outcomes.values()), default=0)
        lines = []
        for outcome in self.outcomes.values():
            line = f"{outcome.verdict:<14}{outcome.area:<{width + 2}}{outcome.title}"
            lines.append(f"{line} — {outcome.reason}" if outcome.reason else line)
        counts = {
            verdict: sum(o.verdict == verdict for o in self.outcomes.values())
            for verdict in (PASSED, FAILED, COULD_NOT_RUN)
        }
        lines.append(
            f"{counts[PASSED]} passed, {counts[FAILED]} failed, "
            f"{counts[COULD_NOT_RUN]} could not run"
        )
        return "\n".join(lines)

    def _record(self, nodeid: str, verdict: str, reason: str) -> None:
        outcome = self.outcomes.setdefault(nodeid, Outcome(nodeid, nodeid or "collection"))
        if _RANK[verdict] > _RANK[outcome.verdict]:
            outcome.verdict, outcome.reason = verdict, reason


def _first_line(report: pytest.CollectReport | pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return next((line.strip() for line in text.splitlines() if line.strip()), "failed")


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ").removeprefix("could not run: ")

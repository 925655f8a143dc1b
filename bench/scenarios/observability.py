"""Scenario 8: what seeing inside costs — ``GET /health`` and a relayed stream with
metrics on (the default) against metrics off, and the request log line against none,
the three configurations of chatcore in the same run, interleaved."""

from __future__ import annotations

from typing import Any

from bench.context import Bench
from bench.report import Table, median, num, ratio, verdict
from bench.scenarios.chat import chat_requests, figures, streams
from bench.scenarios.requests import interleaved
from bench.seed import Caller
from bench.servers import CHATCORE, LABELS, METRICS_OFF, QUIET, Server

TITLE = "What metrics and the request line cost"
TARGETS = [CHATCORE, METRICS_OFF, QUIET]
METRICS_BUDGET = 0.05  # issue 20: metrics on cost at most 5% of req/s and CPU per delta
LINE_BUDGET = 0.10  # and the request line at most 10% of /health req/s


def run(bench: Bench, servers: dict[str, Server], callers: list[Caller]) -> Table:
    health = interleaved(bench, servers, "/health", [])
    deltas = bench.profile.chat_deltas
    concurrency = bench.profile.chat_concurrency
    timeout = 60.0 + concurrency * deltas / 1000
    relays: dict[str, list[dict[str, Any]]] = {key: [] for key in (CHATCORE, METRICS_OFF)}
    for _ in range(bench.profile.rounds):
        for key in relays:
            result = streams(bench, servers[key], chat_requests(callers, concurrency), 0.0, timeout)
            relays[key].append(figures(result, deltas))

    table = Table(
        8,
        TITLE,
        f"chatcore three ways on one SQLite database: as shipped (metrics on, one log line "
        f"per request), metrics off, and both off. /health hammered, then {concurrency} "
        f"relayed streams of {deltas:,} deltas; {bench.profile.rounds} interleaved rounds, "
        "medians.",
    )
    table.columns = ["target", "/health req/s", "/health CPU µs/req", "stream CPU µs/delta"]
    rps = {key: median(s["rps"] for s in runs) for key, runs in health.items()}
    for key in TARGETS:
        per_delta = median(r["cpu_us"] for r in relays.get(key, [])) if key in relays else None
        table.rows.append(
            [
                LABELS[key],
                num(rps[key]),
                num(median(s["cpu_us"] for s in health[key]), 1),
                num(per_delta, 2) if per_delta is not None else "–",
            ]
        )
    metrics_rps = _cost(rps[METRICS_OFF], rps[CHATCORE])
    # CPU per delta, as deltas per CPU second: a cost is then throughput lost, as above.
    metrics_cpu = _cost(
        _per(median(r["cpu_us"] for r in relays[METRICS_OFF])),
        _per(median(r["cpu_us"] for r in relays[CHATCORE])),
    )
    line_rps = _cost(rps[QUIET], rps[METRICS_OFF])
    table.notes.append(
        f"Metrics on cost {_percent(metrics_rps)} of /health req/s and {_percent(metrics_cpu)} "
        f"of CPU per delta (target at most 5%): "
        f"{verdict(_within(metrics_rps, METRICS_BUDGET) and _within(metrics_cpu, METRICS_BUDGET))}."
        f" The request line costs {_percent(line_rps)} of /health req/s (target at most 10%): "
        f"{verdict(_within(line_rps, LINE_BUDGET))}."
    )
    table.raw = {"health": health, "relay": relays}
    return table


def _cost(without: float | None, with_it: float | None) -> float | None:
    """The share of throughput lost (``1 - with/without``)."""
    kept = ratio(with_it, without)
    return None if kept is None else 1 - kept


def _per(cpu_us: float | None) -> float | None:
    return None if not cpu_us else 1 / cpu_us


def _within(cost: float | None, budget: float) -> bool | None:
    return None if cost is None else cost <= budget


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.1%}"

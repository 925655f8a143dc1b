"""Scenario 3: ``POST /v1/chat`` relaying a stub model's stream — one stream, then many
at once — server CPU per delta, deltas per second, and whether every stream ended."""

from __future__ import annotations

import json
from typing import Any

from bench.context import Bench
from bench.report import Table, median, num, ratio, times, verdict
from bench.seed import Caller
from bench.servers import CHATCORE, LABELS, RAW, Server

RELAY_TARGET = 2.0  # issue 4: chatcore within 2x the bare relay's CPU per delta
# CPU time comes in 10 ms ticks: single streams are repeated, one after another, until
# this many deltas have passed, so the figure does not rest on a handful of ticks.
SINGLE_STREAM_DELTAS = 2000
_MESSAGE = "Tell me a long story, please."


def chat_requests(callers: list[Caller], count: int) -> list[dict[str, Any]]:
    """``count`` chat requests, round robin over ``callers``. Retrieval is off: the
    references have no documents to search, and this scenario measures the relay."""
    body = json.dumps({"message": _MESSAGE, "use_documents": False})
    return [
        {
            "method": "POST",
            "path": "/v1/chat",
            "body": body,
            "headers": [
                *callers[i % len(callers)].auth,
                ("Content-Type", "application/json"),
                ("Accept", "text/event-stream"),
            ],
        }
        for i in range(count)
    ]


def streams(
    bench: Bench,
    server: Server,
    requests: list[dict[str, Any]],
    ramp: float,
    timeout: float,
    *,
    one_at_a_time: bool = False,
) -> dict[str, Any]:
    """Run the requests as streams (concurrent unless ``one_at_a_time``); the loader's
    result plus the server's CPU."""
    cpu = server.cpu_seconds()
    result = bench.job(
        {
            "type": "streams",
            "port": server.port,
            "requests": requests,
            "ramp_seconds": ramp,
            "timeout_seconds": timeout,
            "one_at_a_time": one_at_a_time,
        },
        timeout=timeout,
    )
    result["server_cpu_s"] = server.cpu_seconds() - cpu
    return result


def complete(stream: dict[str, Any], deltas: int) -> bool:
    """Whether a stream got every delta and a ``done`` event, without an error."""
    return (
        stream.get("status") == 200
        and stream.get("done", False)
        and not stream.get("error")
        and stream.get("deltas") == deltas
    )


def run(bench: Bench, servers: dict[str, Server], callers: list[Caller]) -> Table:
    profile = bench.profile
    deltas, concurrency = profile.chat_deltas, profile.chat_concurrency
    singles = -(-SINGLE_STREAM_DELTAS // deltas)
    timeout = 60.0 + (concurrency + singles) * deltas / 1000  # far above a slow relay's pace
    for server in servers.values():
        streams(bench, server, chat_requests(callers, 1), 0.0, timeout)
    samples: dict[str, list[dict[str, Any]]] = {key: [] for key in servers}
    for _ in range(profile.rounds):
        for key, server in servers.items():
            one = streams(
                bench, server, chat_requests(callers, singles), 0.0, timeout, one_at_a_time=True
            )
            many = streams(bench, server, chat_requests(callers, concurrency), 0.0, timeout)
            samples[key].append(
                {"one": figures(one, deltas, in_turn=True), "many": figures(many, deltas)}
            )

    table = Table(
        3,
        "POST /v1/chat: relaying a stream",
        (
            f"The stub streams {deltas:,} deltas per reply with no delay. One stream at a time "
            f"({singles} in a row), then {concurrency} at once; "
            f"{profile.rounds} interleaved rounds; medians. Database: "
            "SQLite. chatcore also stores both turns and the usage; the references only relay."
        ),
    )
    table.columns = [
        "target",
        "1 stream: deltas/s",
        "1 stream: CPU µs/delta",
        f"{concurrency} streams: deltas/s",
        f"{concurrency} streams: CPU µs/delta",
        "CPU/delta ÷ raw ASGI",
        "streams complete",
    ]
    raw_cpu = median(s["many"]["cpu_us"] for s in samples.get(RAW, []))
    for key, runs in samples.items():
        cpu = median(s["many"]["cpu_us"] for s in runs)
        done = sum(s["many"]["complete"] + s["one"]["complete"] for s in runs)
        total = sum(s["many"]["streams"] + s["one"]["streams"] for s in runs)
        table.rows.append(
            [
                LABELS[key],
                num(median(s["one"]["dps"] for s in runs)),
                num(median(s["one"]["cpu_us"] for s in runs), 1),
                num(median(s["many"]["dps"] for s in runs)),
                num(cpu, 1),
                times(ratio(cpu, raw_cpu)),
                f"{done}/{total}",
            ]
        )
    share = ratio(median(s["many"]["cpu_us"] for s in samples.get(CHATCORE, [])), raw_cpu)
    if share is not None:
        table.notes.append(
            f"Target (issue 4): within 2× of the bare relay's CPU per delta — "
            f"chatcore at {times(share)}: {verdict(share <= RELAY_TARGET)}."
        )
    failures = [
        stream["failure"] or f"status {stream['status']}, {stream['deltas']} deltas"
        for runs in samples.values()
        for sample in runs
        for part in sample.values()
        for stream in part["incomplete"]
    ]
    if failures:
        table.notes.append(f"Incomplete streams, first ones: {'; '.join(failures[:3])}.")
    table.raw = samples
    return table


def figures(result: dict[str, Any], deltas: int, *, in_turn: bool = False) -> dict[str, Any]:
    """Totals of one stream job; deltas/s over the time streams were open (for streams
    run in turn, the sum of their durations)."""
    runs = result["streams"]
    received = sum(stream.get("deltas", 0) for stream in runs)
    if in_turn:
        busy = sum((s.get("end") or 0.0) - (s.get("start") or 0.0) for s in runs)
    else:
        busy = max(s.get("end") or 0.0 for s in runs) - min(s.get("start") or 0.0 for s in runs)
    return {
        "streams": len(runs),
        "complete": sum(complete(stream, deltas) for stream in runs),
        "incomplete": [stream for stream in runs if not complete(stream, deltas)][:3],
        "deltas": received,
        "dps": received / busy if busy > 0 else None,
        "cpu_us": result["server_cpu_s"] / received * 1e6 if received else None,
    }

"""Scenario 4: many concurrent, mostly idle streams (the stub sends one delta a second)
— the share delivered whole, the server's peak resident memory and its cost per stream.
Each round starts the targets afresh, so every memory figure begins from a new process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from bench.context import Bench
from bench.report import Table, median, num, percentile, verdict
from bench.scenarios.chat import chat_requests, complete, streams
from bench.seed import Caller
from bench.servers import CHATCORE, LABELS, Server

OpenStack = Callable[[list[str]], AbstractContextManager[dict[str, Server]]]
OPENINGS_PER_SECOND = 1000  # streams are opened at this pace, not in one burst
# The stub pauses before every frame after the first, and a reply has three frames
# besides its deltas (finish, usage, [DONE]); fewer deltas keep the stated duration.
STUB_EXTRA_FRAMES = 3
IDLE_GRACE_SECONDS = 30.0


def stub_deltas(seconds: int) -> int:
    """How many one-a-second deltas make a reply last ``seconds``."""
    return max(1, seconds - STUB_EXTRA_FRAMES)


class PeakMemory:
    """Samples a server's resident memory in a thread while the block runs."""

    def __init__(self, server: Server, every: float = 0.25) -> None:
        self._server, self._every = server, every
        self._stop = threading.Event()
        self.peak_kib = server.rss_kib()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(self._every):
            self.peak_kib = max(self.peak_kib, self._server.rss_kib())


def run(bench: Bench, targets: list[str], open_stack: OpenStack, callers: list[Caller]) -> Table:
    profile = bench.profile
    count, deltas = profile.idle_streams, stub_deltas(profile.idle_seconds)
    ramp = count / OPENINGS_PER_SECOND
    # Time for the slowest first byte seen at full size (~15 s) on top of the stream;
    # a stream still open after that counts as not delivered.
    timeout = ramp + profile.idle_seconds + IDLE_GRACE_SECONDS
    samples: dict[str, list[dict[str, Any]]] = {key: [] for key in targets}
    for _ in range(profile.idle_rounds):
        for key in targets:
            with open_stack([key]) as servers:
                server = servers[key]
                base = server.rss_kib()
                with PeakMemory(server) as memory:
                    result = streams(bench, server, chat_requests(callers, count), ramp, timeout)
                samples[key].append(_figures(result, deltas, base, memory.peak_kib))

    table = Table(
        4,
        "Concurrent idle streams",
        (
            f"{count:,} chats at once (opened over {ramp:g} s), the stub sending one delta a "
            f"second for {profile.idle_seconds} s ({deltas} deltas); {profile.idle_rounds} "
            "interleaved round(s), each target started afresh; medians. Database: SQLite."
        ),
    )
    table.columns = [
        "target",
        "delivered whole",
        "peak RSS MiB",
        "KiB per stream",
        "first byte p50 s",
        "first byte p99 s",
        "server CPU s",
    ]
    for key, runs in samples.items():
        table.rows.append(
            [
                LABELS[key],
                f"{num(median(r['delivered_pct'] for r in runs), 1)}%",
                num(median(r["peak_kib"] / 1024 for r in runs), 1),
                num(median(r["kib_per_stream"] for r in runs), 1),
                num(median(r["first_p50_s"] for r in runs), 2),
                num(median(r["first_p99_s"] for r in runs), 2),
                num(median(r["cpu_s"] for r in runs), 1),
            ]
        )
    mine = samples.get(CHATCORE)
    if mine:
        share = median(r["delivered_pct"] for r in mine)
        table.notes.append(
            f"Target (issue 4): all {count:,} streams delivered on one process "
            f"— chatcore delivered {num(share, 1)}%: {verdict(share == 100)}."
        )
        failures = [f for r in mine for f in r["failures"]][:3]
        if failures:
            table.notes.append(f"chatcore's incomplete streams, first ones: {'; '.join(failures)}.")
    table.notes.append("KiB per stream: (peak RSS − RSS before the streams) ÷ streams.")
    table.raw = samples
    return table


def _figures(result: dict[str, Any], deltas: int, base_kib: int, peak_kib: int) -> dict[str, Any]:
    runs = result["streams"]
    whole = [stream for stream in runs if complete(stream, deltas)]
    waits = [s["first"] - s["start"] for s in runs if s.get("first") is not None]
    return {
        "delivered_pct": 100.0 * len(whole) / len(runs),
        "base_kib": base_kib,
        "peak_kib": peak_kib,
        "kib_per_stream": (peak_kib - base_kib) / len(runs),
        "first_p50_s": percentile(waits, 50),
        "first_p99_s": percentile(waits, 99),
        "cpu_s": result["server_cpu_s"],
        "failures": [
            stream.get("failure") or f"status {stream.get('status')}, {stream.get('deltas')} deltas"
            for stream in runs
            if not complete(stream, deltas)
        ][:3],
    }

"""The load generator: a process of its own, pinned to other cores than the server,
given one job as JSON and writing its result as JSON.

    python -m bench.loadgen JOB.json RESULT.json

Jobs: ``hammer`` (keep-alive requests in a closed loop on N connections for a set
time), ``streams`` (N server-sent-event chats at once, counting their events) and
``batch`` (a list of requests with bounded concurrency, answers included). Every job
is bounded in count and in time, and only ever connects to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from pathlib import Path
from typing import Any

import msgspec

from bench.http11 import Connection, encode_request
from bench.report import percentile

HOST = "127.0.0.1"
_RECONNECT_PAUSE = 0.01  # after a failed connection, so a dead server is not spun on


class RequestSpec(msgspec.Struct, kw_only=True):
    """One request; ``body_file`` is for binary bodies (uploads)."""

    method: str = "GET"
    path: str = "/"
    headers: list[tuple[str, str]] = []
    body: str = ""
    body_file: str | None = None

    def encode(self, port: int) -> bytes:
        body = Path(self.body_file).read_bytes() if self.body_file else self.body.encode()
        return encode_request(self.method, self.path, f"{HOST}:{port}", self.headers, body)


class HammerJob(msgspec.Struct, tag="hammer", kw_only=True):
    """The same request in a closed loop on ``connections`` connections."""

    port: int
    request: RequestSpec
    connections: int
    seconds: float
    max_requests: int


class StreamsJob(msgspec.Struct, tag="streams", kw_only=True):
    """One SSE request per stream, started evenly over ``ramp_seconds`` — or, with
    ``one_at_a_time``, each once the one before has ended."""

    port: int
    requests: list[RequestSpec]
    ramp_seconds: float
    timeout_seconds: float
    one_at_a_time: bool = False


class BatchJob(msgspec.Struct, tag="batch", kw_only=True):
    """Each request once, ``concurrency`` at a time."""

    port: int
    requests: list[RequestSpec]
    concurrency: int
    timeout_seconds: float


Job = HammerJob | StreamsJob | BatchJob


def percentiles(values: list[float], points: tuple[float, ...]) -> dict[str, float]:
    """Nearest-rank percentiles (``p50``, ``p99``, ...) and ``max`` of ``values``."""
    if not values:
        return {}
    ordered = sorted(values)
    found = {f"p{point:g}": percentile(ordered, point) or 0.0 for point in points}
    found["max"] = ordered[-1]
    return found


async def hammer(job: HammerJob) -> dict[str, Any]:
    raw = job.request.encode(job.port)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = 0
    budget = job.max_requests
    start = time.perf_counter()
    deadline = start + job.seconds

    async def worker() -> None:
        nonlocal errors, budget
        connection: Connection | None = None
        while budget > 0 and time.perf_counter() < deadline:
            budget -= 1
            try:
                if connection is None:
                    connection = await Connection.open(HOST, job.port)
                began = time.perf_counter()
                response = await connection.request(raw)
                latencies.append(time.perf_counter() - began)
                key = str(response.status)
                statuses[key] = statuses.get(key, 0) + 1
                if response.headers.get("connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, asyncio.IncompleteReadError, ValueError):
                errors += 1
                if connection is not None:
                    connection.close()
                connection = None
                await asyncio.sleep(_RECONNECT_PAUSE)
        if connection is not None:
            connection.close()

    async with asyncio.timeout(job.seconds + 30):
        await asyncio.gather(*(worker() for _ in range(job.connections)))
    elapsed = time.perf_counter() - start
    ok = sum(count for status, count in statuses.items() if status.startswith("2"))
    return {
        "requests": len(latencies),
        "ok": ok,
        "errors": errors + len(latencies) - ok,
        "statuses": statuses,
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "latency_ms": {k: v * 1000 for k, v in percentiles(latencies, (50, 90, 99)).items()},
    }


_MARKS = {"deltas": b"event: delta", "done": b"event: done", "errors": b"event: error"}
_CARRY = max(len(mark) for mark in _MARKS.values()) - 1


async def one_stream(port: int, raw: bytes, origin: float) -> dict[str, Any]:
    """Run one SSE request; its status, event counts and times (from ``origin``)."""
    seen = dict.fromkeys(_MARKS, 0)
    result: dict[str, Any] = {
        "status": 0,
        "start": time.perf_counter() - origin,
        "first": None,
        "end": None,
        "failure": None,
    }
    connection = None
    try:
        connection = await Connection.open(HOST, port)
        result["status"], headers = await connection.send(raw)
        tail = b""
        async for piece in connection.body(headers):
            if result["first"] is None:
                result["first"] = time.perf_counter() - origin
            # Marks may straddle two pieces: look at the end of the last one too.
            window = tail + piece
            for name, mark in _MARKS.items():
                seen[name] += window.count(mark) - tail.count(mark)
            tail = window[-_CARRY:]
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        result["failure"] = f"{type(exc).__name__}: {exc}"
    except asyncio.CancelledError:
        # The job's deadline passed: what the stream got so far is the result.
        result["failure"] = "timed out"
    finally:
        if connection is not None:
            connection.close()
    result["end"] = time.perf_counter() - origin
    result.update(deltas=seen["deltas"], done=seen["done"] > 0, error=seen["errors"] > 0)
    return result


async def streams(job: StreamsJob) -> dict[str, Any]:
    origin = time.perf_counter()
    raws = [spec.encode(job.port) for spec in job.requests]
    gap = job.ramp_seconds / max(1, len(raws))

    async def paced(index: int, raw: bytes) -> dict[str, Any]:
        await asyncio.sleep(index * gap)
        return await one_stream(job.port, raw, origin)

    async def in_turn(index: int, raw: bytes) -> dict[str, Any]:
        if index:
            await asyncio.wait({tasks[index - 1]})
        return await one_stream(job.port, raw, origin)

    start = in_turn if job.one_at_a_time else paced
    tasks: list[asyncio.Task[dict[str, Any]]] = []
    for index, raw in enumerate(raws):
        tasks.append(asyncio.create_task(start(index, raw)))
    _, late = await asyncio.wait(tasks, timeout=job.timeout_seconds)
    for task in late:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    results = [
        task.result() if not task.cancelled() else {"status": 0, "failure": "not started"}
        for task in tasks
    ]
    return {"streams": results, "seconds": time.perf_counter() - origin}


async def batch(job: BatchJob) -> dict[str, Any]:
    origin = time.perf_counter()
    pending = list(enumerate(job.requests))[::-1]
    responses: list[dict[str, Any]] = [{} for _ in job.requests]

    async def worker() -> None:
        connection = None
        while pending:
            index, spec = pending.pop()
            began = time.perf_counter()
            try:
                if connection is None:
                    connection = await Connection.open(HOST, job.port)
                response = await connection.request(spec.encode(job.port))
                status, body = response.status, response.body.decode("utf-8", "replace")
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                status, body = 0, f"{type(exc).__name__}: {exc}"
                if connection is not None:
                    connection.close()
                connection = None
            responses[index] = {
                "status": status,
                "body": body,
                "at": began - origin,
                "ms": (time.perf_counter() - began) * 1000,
            }
        if connection is not None:
            connection.close()

    async with asyncio.timeout(job.timeout_seconds):
        await asyncio.gather(*(worker() for _ in range(min(job.concurrency, len(pending)))))
    return {"responses": responses, "seconds": time.perf_counter() - origin}


async def run(job: Job) -> dict[str, Any]:
    """The job's result."""
    if isinstance(job, HammerJob):
        return await hammer(job)
    if isinstance(job, StreamsJob):
        return await streams(job)
    return await batch(job)


def main() -> None:
    job = msgspec.json.decode(Path(sys.argv[1]).read_bytes(), type=Job)
    runner = asyncio.run
    with contextlib.suppress(ImportError):
        import uvloop

        runner = uvloop.run
    # A file, not stdout: the event loop can leave stdout non-blocking, and a large
    # result written to a full pipe would then be cut short.
    Path(sys.argv[2]).write_bytes(msgspec.json.encode(runner(run(job))))


if __name__ == "__main__":
    main()

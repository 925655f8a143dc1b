"""Scenario 9: ``POST /v1/chat/completions`` streamed through the official ``openai``
SDK, many at once, against ``POST /v1/chat`` in the same run — server CPU per delta —
and what authenticating by an API key costs over a JWT, per request."""

from __future__ import annotations

import asyncio
from typing import Any

from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam

from bench import seed
from bench.context import Bench
from bench.report import Table, median, num, ratio, times, verdict
from bench.scenarios import chat
from bench.servers import HOST, Server

TITLE = "Streamed /v1/chat/completions through the openai SDK"
CPU_TARGET = 1.2  # issue 17: within 1.2x of /v1/chat's CPU per delta
AUTH_TARGET_US = 50.0  # issue 17: a key costs at most 50 µs of CPU more than a JWT
_PATH = "/v1/usage"  # an authenticated read, the same work but for the credential
_MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "user", "content": "Tell me a long story, please."}
]


def run(
    bench: Bench, chatcore: Server, callers: list[seed.Caller], holders: list[seed.KeyHolder]
) -> Table:
    profile = bench.profile
    deltas, concurrency = profile.chat_deltas, profile.chat_concurrency
    timeout = 60.0 + concurrency * deltas / 1000
    keys = [holder.key for holder in holders]
    chat.streams(bench, chatcore, chat.chat_requests(callers, 1), 0.0, timeout)
    sdk_streams(chatcore, keys, 1, deltas, timeout)
    for holder in holders[:1]:
        for token in (holder.token, holder.key):
            bench.hammer(chatcore, _PATH, _bearer(token), profile.warmup_seconds)
    samples: list[dict[str, Any]] = []
    for _ in range(profile.rounds):
        relay = chat.streams(
            bench, chatcore, chat.chat_requests(callers, concurrency), 0.0, timeout
        )
        samples.append(
            {
                "chat": chat.figures(relay, deltas),
                "sdk": sdk_streams(chatcore, keys, concurrency, deltas, timeout),
                "jwt_us": _cpu_per_request(bench, chatcore, holders[0].token),
                "key_us": _cpu_per_request(bench, chatcore, holders[0].key),
            }
        )
    return _table(bench, samples)


def sdk_streams(
    server: Server, keys: list[str], count: int, deltas: int, timeout: float
) -> dict[str, Any]:
    """``count`` streamed completions at once through the SDK, round robin over
    ``keys``; the server's CPU per delta and how many streams came whole."""
    cpu = server.cpu_seconds()
    outcomes = asyncio.run(_streams(server.port, keys, count, timeout))
    cpu = server.cpu_seconds() - cpu
    received = sum(got for got, _ in outcomes)
    return {
        "streams": count,
        "complete": sum(got == deltas and finished for got, finished in outcomes),
        "deltas": received,
        "cpu_us": cpu / received * 1e6 if received else None,
    }


async def _streams(
    port: int, keys: list[str], count: int, seconds: float
) -> list[tuple[int, bool]]:
    clients = [
        AsyncOpenAI(
            base_url=f"http://{HOST}:{port}/v1", api_key=key, max_retries=0, timeout=seconds
        )
        for key in keys
    ]

    async def one(client: AsyncOpenAI) -> tuple[int, bool]:
        stream = await client.chat.completions.create(
            model="chatcore",
            messages=_MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
        )
        received, finished = 0, False
        async for chunk in stream:
            if chunk.choices:
                received += bool(chunk.choices[0].delta.content)
                finished = finished or chunk.choices[0].finish_reason is not None
        return received, finished

    try:
        found = await asyncio.gather(
            *(one(clients[i % len(clients)]) for i in range(count)), return_exceptions=True
        )
    finally:
        await asyncio.gather(*(client.close() for client in clients))
    return [(0, False) if isinstance(result, BaseException) else result for result in found]


def _bearer(token: str) -> list[tuple[str, str]]:
    return [("Authorization", f"Bearer {token}")]


def _cpu_per_request(bench: Bench, server: Server, token: str) -> float | None:
    cpu = server.cpu_seconds()
    result = bench.hammer(server, _PATH, _bearer(token), bench.profile.load_seconds)
    ok = result["ok"]
    return (server.cpu_seconds() - cpu) / ok * 1e6 if ok else None


def _table(bench: Bench, samples: list[dict[str, Any]]) -> Table:
    profile = bench.profile
    table = Table(
        9,
        TITLE,
        (
            f"{profile.chat_concurrency} streams at once of {profile.chat_deltas:,} deltas, "
            "the official openai SDK (AsyncOpenAI) as the client with an API key, against "
            f"POST /v1/chat in the same run; then GET {_PATH} under load with a JWT and "
            f"with an API key. {profile.rounds} interleaved rounds; medians. Database: SQLite."
        ),
    )
    table.columns = ["route", "CPU µs/delta", "÷ /v1/chat", "streams complete"]
    chat_cpu = median(s["chat"]["cpu_us"] for s in samples)
    sdk_cpu = median(s["sdk"]["cpu_us"] for s in samples)
    for label, part, cpu in (("POST /v1/chat", "chat", chat_cpu), ("completions", "sdk", sdk_cpu)):
        done = sum(s[part]["complete"] for s in samples)
        total = sum(s[part]["streams"] for s in samples)
        table.rows.append([label, num(cpu, 1), times(ratio(cpu, chat_cpu)), f"{done}/{total}"])
    share = ratio(sdk_cpu, chat_cpu)
    if share is not None:
        table.notes.append(
            f"Target (issue 17): within {CPU_TARGET}× of /v1/chat's CPU per delta — "
            f"completions at {times(share)}: {verdict(share <= CPU_TARGET)}."
        )
    jwt, key = median(s["jwt_us"] for s in samples), median(s["key_us"] for s in samples)
    if jwt is not None and key is not None:
        table.notes.append(
            f"GET {_PATH}: {num(jwt, 1)} µs of CPU per request with a JWT, {num(key, 1)} µs "
            f"with an API key; the key adds {num(key - jwt, 1)} µs (target: at most "
            f"{AUTH_TARGET_US:.0f}): {verdict(key - jwt <= AUTH_TARGET_US)}."
        )
    table.raw = samples
    return table

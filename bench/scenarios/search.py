"""Scenario 5: ``POST /v1/search`` over many chunks — latency percentiles, and
recall@10 of the vector ranking against exact search (HNSW on Postgres; SQLite
searches exactly)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from bench import procstat
from bench.context import Bench
from bench.report import Table, num, percentile
from bench.seed import Caller
from bench.servers import Server
from bench.stack import Database

K = 10
WARMUP_QUERIES = 10
TITLE = "POST /v1/search"


def measure(
    bench: Bench,
    server: Server,
    database: Database,
    caller: Caller,
    tenant: str,
    kind: str,
    count: int,
) -> dict[str, Any]:
    """Load a corpus for ``caller``, query it; latency, recall and cost figures."""
    from bench import corpus, loading

    queries = bench.profile.search_queries
    data = corpus.make(kind, count, queries, seed=count + len(kind))
    tenant_id, owner = uuid.UUID(tenant), uuid.UUID(caller.principal_id)
    if database.kind == "postgres":
        # Nothing is measured while the index builds: let Postgres use every core.
        _pin(database, bench.cores.every)
        try:
            build_s: float | None = loading.load_postgres(database.url, data, tenant_id, owner)
        finally:
            _pin(database, bench.cores.database)
    else:
        loading.load_sqlite(database.url, data, tenant_id, owner)
        build_s = None
    requests = [
        {
            "method": "POST",
            "path": "/v1/search",
            "body": json.dumps({"query": q, "k": K}),
            "headers": [*caller.auth, ("Content-Type", "application/json")],
        }
        for q in data.queries
    ]
    _batch(bench, server, requests[:WARMUP_QUERIES])
    cpu, db = server.cpu_seconds(), database.cpu_seconds()
    responses = _batch(bench, server, requests)
    cpu, db = server.cpu_seconds() - cpu, database.cpu_seconds() - db
    exact = data.exact(K)
    recalls, failures = [], []
    for response, truth in zip(responses, exact, strict=True):
        if response["status"] != 200:
            failures.append(f"{response['status']} {response['body'][:200]}")
            continue
        found = {uuid.UUID(item["chunk_id"]) for item in json.loads(response["body"])["items"]}
        recalls.append(len(found & truth) / K)
    latencies = [r["ms"] for r in responses if r["status"] == 200]
    return {
        "database": database.label,
        "kind": kind,
        "chunks": count,
        "queries": len(requests),
        "index_build_s": build_s,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "recall": sum(recalls) / len(recalls) if recalls else None,
        "server_cpu_ms": cpu / len(requests) * 1000,
        "db_cpu_ms": db / len(requests) * 1000 if database.pid else None,
        "failures": failures[:3],
    }


def table(bench: Bench, results: list[dict[str, Any]]) -> Table:
    done = Table(
        5,
        TITLE,
        (
            f"Synthetic 384-dimension embeddings, written straight into the chunk table for one "
            f"principal: clustered around topics (the realistic case) and uniformly random. "
            f"{bench.profile.search_queries} queries one at a time (after {WARMUP_QUERIES} "
            f"warm-up ones), k = {K}; recall@{K} is against exact cosine search."
        ),
    )
    done.columns = [
        "database",
        "embeddings",
        "chunks",
        "index build s",
        "p50 ms",
        "p95 ms",
        f"recall@{K}",
        "server CPU ms/query",
        "Postgres CPU ms/query",
    ]
    for r in results:
        done.rows.append(
            [
                r["database"],
                r["kind"],
                num(r["chunks"]),
                num(r["index_build_s"], 1),
                num(r["p50_ms"], 1),
                num(r["p95_ms"], 1),
                num(r["recall"], 3),
                num(r["server_cpu_ms"], 2),
                num(r["db_cpu_ms"], 2),
            ]
        )
        if r["failures"]:
            done.notes.append(
                f"{r['database']} {r['kind']}: failed queries, first ones: "
                f"{'; '.join(r['failures'])}."
            )
    done.notes.append(
        "Postgres: pgvector HNSW (cosine) as chatcore's migration defines it, "
        "built after the load; chatcore's hybrid search fuses it with keyword "
        "search, which finds nothing here by design."
    )
    done.raw = results
    return done


def _pin(database: Database, cpus: set[int] | None) -> None:
    if cpus and database.pid:
        procstat.pin(database.pid, cpus)


def _batch(bench: Bench, server: Server, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = bench.job(
        {
            "type": "batch",
            "port": server.port,
            "requests": requests,
            "concurrency": 1,
            "timeout_seconds": 600.0,
        },
        timeout=600.0,
    )
    responses: list[dict[str, Any]] = result["responses"]
    return responses

"""Scenario 7: ingesting a generated PDF — upload, extract, chunk, embed, index — timed
from the first byte of the upload until the document reads ``ready``."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

from bench.context import Bench
from bench.pdf import document, text_pages
from bench.report import Table, median, num
from bench.seed import Caller
from bench.servers import HOST, Server

POLL_SECONDS = 0.05
READY_TIMEOUT = 600.0


def run(bench: Bench, chatcore: Server, caller: Caller) -> Table:
    profile = bench.profile
    samples = [
        _ingest(bench, chatcore, caller, round_) for round_ in range(profile.ingestion_rounds)
    ]
    table = Table(
        7,
        "Ingestion of a PDF",
        (
            f"A generated {profile.pdf_pages}-page text PDF (~{text_words(profile.pdf_pages):,} "
            f"words), a different one each round, uploaded as multipart and polled every "
            f"{POLL_SECONDS * 1000:.0f} ms until `ready`; {profile.ingestion_rounds} round(s); "
            "medians. Database: SQLite; the offline embedder."
        ),
    )
    table.columns = [
        "pages",
        "size KiB",
        "upload answered s",
        "ready after s",
        "pages/s",
        "chunks",
        "server CPU ms/page",
        "status",
    ]
    table.rows.append(
        [
            num(profile.pdf_pages),
            num(median(s["size"] / 1024 for s in samples)),
            num(median(s["upload_s"] for s in samples), 2),
            num(median(s["ready_s"] for s in samples), 2),
            num(median(s["pages_per_s"] for s in samples), 1),
            num(median(s["chunks"] for s in samples)),
            num(median(s["cpu_ms_per_page"] for s in samples), 1),
            ", ".join(sorted({s["status"] for s in samples})),
        ]
    )
    table.raw = samples
    return table


def text_words(pages: int) -> int:
    from bench.pdf import LINES_PER_PAGE, WORDS_PER_LINE

    return pages * LINES_PER_PAGE * WORDS_PER_LINE


def _ingest(bench: Bench, chatcore: Server, caller: Caller, round_: int) -> dict[str, Any]:
    pages = bench.profile.pdf_pages
    content = document(text_pages(pages, seed=round_ * 7919 + pages))
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="bench-{round_}.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {**dict(caller.auth), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    cpu = chatcore.cpu_seconds()
    started = time.perf_counter()
    status, doc = _call(chatcore, "POST", "/v1/documents", headers, body)
    answered = time.perf_counter() - started
    if status not in (200, 201, 202):
        raise RuntimeError(f"upload refused: {status} {doc}")
    deadline = started + READY_TIMEOUT
    while doc.get("status") == "processing" and time.perf_counter() < deadline:
        time.sleep(POLL_SECONDS)
        _, doc = _call(chatcore, "GET", f"/v1/documents/{doc['id']}", dict(caller.auth))
    ready = time.perf_counter() - started
    cpu = chatcore.cpu_seconds() - cpu
    return {
        "size": len(content),
        "upload_s": answered,
        "ready_s": ready,
        "pages_per_s": pages / ready,
        "chunks": doc.get("chunks"),
        "status": str(doc.get("status")),
        "cpu_ms_per_page": cpu / pages * 1000,
        "error": doc.get("error"),
    }


def _call(
    server: Server, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"http://{HOST}:{server.port}{path}", data=body, headers=headers, method=method
    )
    with urllib.request.urlopen(request, timeout=120) as reply:  # noqa: S310 (loopback only)
        return reply.status, json.loads(reply.read())

"""Ingest every file of a folder as documents of one anonymous principal, wait until
each is searchable (or failed), and print a summary.

    python examples/batch_ingest.py ./handbook

Files that are not PDF, DOCX, HTML, plain text or Markdown are skipped. A worker like this
would keep the principal (or use a signed-in user's) to chat over the documents;
here the principal is new on every run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from chatcore import (
    ChatcoreError,
    Document,
    FileTooLarge,
    InvalidInput,
    PageRequest,
    UnsupportedMediaType,
)
from http_shell.container import chatcore_system
from http_shell.settings import load_settings

PIECE = 64 * 1024


async def pieces(path: Path) -> AsyncIterator[bytes]:
    """The file's bytes, a piece at a time, read off the event loop."""
    file = await asyncio.to_thread(path.open, "rb")
    try:
        while piece := await asyncio.to_thread(file.read, PIECE):
            yield piece
    finally:
        file.close()


async def ingest(files: list[Path]) -> int:
    """Upload the files, wait for their ingestion; the exit status."""
    settings = load_settings()
    async with chatcore_system(settings) as system:
        tenant = await system.find_tenant()(settings.default_tenant)
        credential = await system.create_anonymous_session()(tenant, "batch-ingest/1.0")
        principal = await system.resolve_principal()(credential.access_token, None)

        upload = system.upload_document()
        skipped: list[tuple[str, str]] = []
        for path in files:
            try:
                await upload(principal, path.name, pieces(path))
            except (UnsupportedMediaType, FileTooLarge, InvalidInput) as refused:
                skipped.append((path.name, str(refused)))

        # Ingestion runs in the background; wait for all of it, then read the results.
        await system.job_worker().work_until_idle()
        documents: list[Document] = []
        request = PageRequest(limit=100)
        while True:
            page = await system.list_documents()(principal, request)
            documents += page.items
            if page.next_after is None:
                break
            request = PageRequest(limit=100, after=page.next_after)

    for document in sorted(documents, key=lambda d: d.filename):
        detail = f"{document.pages} pages, {document.chunks} chunks"
        if document.status != "ready":
            detail = document.error or "not finished"
        print(f"{document.status:<10} {document.filename}: {detail}")
    for name, reason in skipped:
        print(f"{'skipped':<10} {name}: {reason}")
    ready = sum(d.status == "ready" for d in documents)
    print(f"{ready} ready, {len(documents) - ready} failed, {len(skipped)} skipped")
    return 0 if ready == len(documents) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the folder whose files to ingest")
    folder: Path = parser.parse_args().folder
    if not folder.is_dir():
        parser.error(f"{folder} is not a folder")
    try:
        return asyncio.run(ingest(sorted(p for p in folder.iterdir() if p.is_file())))
    except ChatcoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

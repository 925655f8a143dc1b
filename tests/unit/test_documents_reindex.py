"""Re-embedding after the embedder changed, by use case and by command."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.embed import LocalEmbedder
from adapters.memory.documents import CHUNKS
from chatcore.documents.use_cases.ingestion_jobs import REINDEX, QueueReindex, ReindexJobs
from chatcore.documents.use_cases.reindex import ReindexDocuments
from chatcore.errors import Unavailable
from chatcore.jobs.use_cases import JobWorker
from http_shell import cli
from tests.unit.test_documents_use_cases import FACTS, FlakyEmbedder, Kit


async def test_reindexing_re_embeds_every_stale_chunk_in_batches() -> None:
    kit = Kit()
    me = await kit.principal()
    await kit.ready(me, FACTS.encode() * 8)
    await kit.ready(me, b"A second file about sourdough bread.")
    total = len(kit.database.tables[CHUNKS])
    uow = kit.database.unit_of_work
    smaller = LocalEmbedder(32)

    assert await ReindexDocuments(uow, smaller, batch=2)() == total
    assert await ReindexDocuments(uow, smaller)() == 0
    assert {e.chunk.embedder for e in kit.database.tables[CHUNKS].values()} == {smaller.name}
    assert {len(e.vector) for e in kit.database.tables[CHUNKS].values()} == {32}


async def test_an_unavailable_embedder_stops_it_and_a_rerun_finishes() -> None:
    kit = Kit()
    await kit.ready(await kit.principal(), FACTS.encode())
    flaky = FlakyEmbedder(failures=1, dimension=64)  # not the embedder of the chunks
    uow = kit.database.unit_of_work
    with pytest.raises(Unavailable):
        await ReindexDocuments(uow, flaky)()
    assert await ReindexDocuments(uow, flaky)() == len(kit.database.tables[CHUNKS])


def test_the_command_reports_what_it_did(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHATCORE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CHATCORE_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["reindex"]) == 0
    assert "every chunk has a vector by the local embedder" in capsys.readouterr().out


async def test_re_indexing_is_a_job_queued_once_and_done_by_a_worker() -> None:
    kit = Kit()
    await kit.ready(await kit.principal(), FACTS.encode())
    other, uow = LocalEmbedder(64), kit.database.unit_of_work
    assert await QueueReindex(uow, kit.clock)()
    assert not await QueueReindex(uow, kit.clock)()  # queued already

    reindex = ReindexJobs(ReindexDocuments(uow, other))
    await JobWorker(uow, kit.clock, {REINDEX: reindex}).work_until_idle()
    assert await ReindexDocuments(uow, other)() == 0  # nothing was left to re-embed

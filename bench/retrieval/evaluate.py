"""Runs the evaluation: the documents uploaded to a fresh chatcore on SQLite with the
offline defaults, ingested, then every question asked of chatcore's search, of each
of its halves alone, and of plain BM25 over the same chunks."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.retrieval.bm25 import PlainBm25
from bench.retrieval.questions import Question
from chatcore.documents.use_cases.search import keywords
from chatcore.identity.principal import Principal
from http_shell.container import Container, chatcore_system
from http_shell.settings import load_settings

K = 5
METHODS = ("BM25", "vectors", "keywords", "chatcore")


@dataclass
class Found:
    """What one method returned for one question: (filename, text) best first."""

    method: str
    question: Question
    passages: list[tuple[str, str]]

    def first_relevant(self) -> int | None:
        """The rank (from 1) of the first passage with evidence, if any."""
        for rank, passage in enumerate(self.passages, start=1):
            if _evidence_in(self.question, *passage):
                return rank
        return None

    def covered(self, k: int) -> float:
        """The share of the question's documents whose evidence is in the top ``k``."""
        wanted = {stem for stem, _ in self.question.evidence}
        seen = {
            stem
            for filename, text in self.passages[:k]
            for stem, phrase in self.question.evidence
            if _stem(filename) == stem and phrase in _plain(text)
        }
        return len(seen) / len(wanted)


@dataclass
class Evaluation:
    """Every method's answers to every question, and the corpus's size."""

    found: list[Found] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    unanswerable: list[Question] = field(default_factory=list)


async def evaluate(
    files: dict[str, bytes],
    questions: Sequence[Question],
    environ: dict[str, str] | None = None,
) -> Evaluation:
    """Upload ``files``, ingest them, and ask every question of every method."""
    with tempfile.TemporaryDirectory(prefix="chatcore-eval-") as folder:
        settings = load_settings(_environ(Path(folder), environ or {}), env_file=None)
        captured: list[Container] = []
        async with chatcore_system(settings, configure=captured.append) as system:
            tenant = await system.find_tenant()(settings.default_tenant)
            credential = await system.create_anonymous_session()(tenant, "retrieval-eval")
            principal = await system.resolve_principal()(credential.access_token, None)
            upload = system.upload_document()
            for name, content in files.items():
                await upload(principal, name, _once(content))
            await system.job_worker().work_until_idle()
            adapters = captured[0].adapters
            search = system.search_documents()
            methods = _methods(principal, adapters, search)
            async with adapters.uow()(read_only=True) as uow:
                chunks = await uow.chunks.stale("", 1_000_000)
                filenames = {
                    d.id: d.filename
                    for d in await uow.documents.owned(principal.tenant_id, principal.id)
                }
            bm25 = PlainBm25([c.text for c in chunks])
            result = Evaluation(documents=len(filenames), chunks=len(chunks))
            for question in questions:
                if not any(
                    _evidence_in(question, filenames[c.document_id], c.text) for c in chunks
                ):
                    result.unanswerable.append(question)
                best = [
                    (filenames[chunks[i].document_id], chunks[i].text)
                    for i in bm25.rank(question.text, K)
                ]
                result.found.append(Found("BM25", question, best))
                for name, method in methods.items():
                    result.found.append(Found(name, question, await method(question.text)))
    return result


Method = Callable[[str], Awaitable[list[tuple[str, str]]]]


def _methods(principal: Principal, adapters: object, search: object) -> dict[str, Method]:
    uow_factory = adapters.uow()  # type: ignore[attr-defined]
    embedder = adapters.embedder()  # type: ignore[attr-defined]
    tenant_id, owner_id = principal.tenant_id, principal.id

    async def vectors(query: str) -> list[tuple[str, str]]:
        (vector,) = await embedder.embed([query])
        async with uow_factory(read_only=True) as uow:
            hits = await uow.chunks.search_vector(tenant_id, owner_id, vector, embedder.name, K)
        return [(h.filename, h.text) for h in hits]

    async def keyword_half(query: str) -> list[tuple[str, str]]:
        async with uow_factory(read_only=True) as uow:
            hits = await uow.chunks.search_keywords(tenant_id, owner_id, keywords(query), K)
        return [(h.filename, h.text) for h in hits]

    async def chatcore(query: str) -> list[tuple[str, str]]:
        hits = await search(principal, query, K)  # type: ignore[operator]
        return [(h.filename, h.text) for h in hits]

    return {"vectors": vectors, "keywords": keyword_half, "chatcore": chatcore}


def _environ(folder: Path, extra: dict[str, str]) -> dict[str, str]:
    return {
        "CHATCORE_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'eval.db'}",
        "CHATCORE_DATA_DIR": str(folder),
        "CHATCORE_STORAGE_DIR": str(folder / "files"),
        "CHATCORE_SECRET_KEY": uuid.uuid4().hex * 2,
        **extra,
    }


async def _once(content: bytes) -> AsyncIterator[bytes]:
    yield content


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


def _stem(filename: str) -> str:
    return filename.rsplit(".", 1)[0]


def _evidence_in(question: Question, filename: str, text: str) -> bool:
    plain = _plain(text)
    return any(_stem(filename) == stem and phrase in plain for stem, phrase in question.evidence)

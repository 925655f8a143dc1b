"""Fakes for the dialogs context: a scripted ChatModel that checks no transaction is
open while it streams, a retriever, and a kit wiring ChatService and the dialog use
cases on a memory database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Final

from adapters.memory import MemoryDatabase
from adapters.prompts import FilePromptSource
from chatcore.dialogs.events import ChatEvent
from chatcore.dialogs.ports import (
    Completion,
    ModelError,
    ModelEvent,
    ModelRequest,
    RetrievedPassage,
    TextDelta,
)
from chatcore.dialogs.stream import ChatStream
from chatcore.dialogs.use_cases.chat import ChatService, ChatSettings
from chatcore.dialogs.use_cases.dialogs import (
    CreateDialog,
    DeleteDialog,
    GetDialog,
    ListDialogs,
    RenameDialog,
)
from chatcore.identity.principal import Principal
from chatcore.kernel import RandomIdFactory, TenantId, UsageRecord
from chatcore.tenants.model import Tenant, TenantSettings
from tests.unit.fakes import FakeClock


class Hang:
    """A script step: the model waits here until it is cancelled or closed."""


HANG: Final = Hang()
Step = str | Completion | ModelError | Hang
DONE = Completion(finish_reason="stop", prompt_tokens=21, completion_tokens=3, model="scripted")


class ScriptedChatModel:
    """A ChatModel that plays a script: text deltas, a Completion, a ModelError to
    raise, or HANG. It fails the test if a unit of work is open while it streams."""

    def __init__(self, database: MemoryDatabase, script: Sequence[Step] = ("Hi", " there", DONE)):
        self.database = database
        self.script = list(script)
        self.requests: list[ModelRequest] = []
        self.hanging = asyncio.Event()
        self.closed_early = False
        self.finished = False

    def stream(self, request: ModelRequest) -> AsyncIterator[ModelEvent]:
        self.requests.append(request)
        return self._play()

    async def _play(self) -> AsyncIterator[ModelEvent]:
        try:
            for step in self.script:
                assert not self.database.lock.locked(), "a unit of work is open while streaming"
                if isinstance(step, Hang):
                    self.hanging.set()
                    await asyncio.Event().wait()
                elif isinstance(step, ModelError):
                    raise step
                elif isinstance(step, Completion):
                    yield step
                else:
                    yield TextDelta(step)
                await asyncio.sleep(0)  # a real model lets the loop run between pieces
            self.finished = True
        except (GeneratorExit, asyncio.CancelledError):
            self.closed_early = True
            raise


class FakeRetriever:
    """Returns fixed passages and remembers what it was asked."""

    def __init__(self, database: MemoryDatabase, found: Sequence[RetrievedPassage]) -> None:
        self.database = database
        self.found = list(found)
        self.queries: list[tuple[Principal, str, int]] = []

    async def retrieve(self, principal: Principal, query: str, k: int) -> list[RetrievedPassage]:
        assert not self.database.lock.locked(), "a unit of work is open while retrieving"
        self.queries.append((principal, query, k))
        return self.found[:k]


class SlowUsageRecorder:
    """Keeps every record, after a round trip to the loop, as a database write would
    take: a cancellation can land there."""

    def __init__(self) -> None:
        self.records: list[UsageRecord] = []

    async def record(self, record: UsageRecord) -> None:
        await asyncio.sleep(0)
        self.records.append(record)


class DialogKit:
    """ChatService and the dialog use cases on one memory database, with fakes."""

    def __init__(
        self,
        script: Sequence[Step] = ("Hi", " there", DONE),
        *,
        settings: ChatSettings | None = None,
        found: Sequence[RetrievedPassage] | None = None,
    ) -> None:
        self.database = MemoryDatabase()
        self.uow = self.database.unit_of_work
        self.clock = FakeClock()
        self.ids = RandomIdFactory()
        self.model = ScriptedChatModel(self.database, script)
        self.retriever = FakeRetriever(self.database, found) if found is not None else None
        self.usage = SlowUsageRecorder()
        self.chat = ChatService(
            self.uow,
            self.model,
            FilePromptSource(),
            self.usage,
            self.clock,
            self.ids,
            settings,
            self.retriever,
        )
        self.create = CreateDialog(self.uow, self.clock, self.ids)
        self.list = ListDialogs(self.uow)
        self.get = GetDialog(self.uow)
        self.rename = RenameDialog(self.uow, self.clock)
        self.delete = DeleteDialog(self.uow)

    async def add_tenant(self, slug: str = "acme", **settings: object) -> Tenant:
        tenant = Tenant(
            id=TenantId(uuid.uuid4()),
            slug=slug,
            name=f"Tenant {slug}",
            settings=TenantSettings(**settings),  # type: ignore[arg-type]
            created_at=self.clock.now(),
        )
        async with self.uow() as tx:
            await tx.tenants.add(tenant)
            await tx.commit()
        return tenant


def principal_of(tenant: Tenant, kind: str = "user") -> Principal:
    """A fresh principal of the tenant."""
    return Principal(
        tenant_id=tenant.id,
        id=uuid.uuid4(),
        kind=kind,  # type: ignore[arg-type]
        session_id=uuid.uuid4(),
    )


async def collect(stream: ChatStream) -> list[ChatEvent]:
    """Every event of a stream."""
    return [event async for event in stream]

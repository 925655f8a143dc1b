"""CompleteChat on memory adapters with a scripted model: the context it sends, the
events, and that its usage (and its admission's hold) is settled however it ends,
with nothing else stored."""

from __future__ import annotations

import pytest

from adapters.events import InProcessEventBus
from adapters.memory.dialogs import DIALOGS, MESSAGES
from adapters.prompts import DEFAULT_SYSTEM_PROMPT, FilePromptSource
from chatcore.dialogs.events import Citations, Delta, Done, Error, Usage
from chatcore.dialogs.ports import ModelError, Passage, RetrievedPassage, Turn
from chatcore.dialogs.use_cases.completion import CompleteChat, CompletionRequest, ListModels
from chatcore.errors import InvalidInput, ModelNotFound, RateLimited, TenantMismatch
from chatcore.kernel import TenantDefaults
from chatcore.tenants.model import Tenant
from chatcore.usage.model import Period
from chatcore.usage.use_cases import AdmitChat, SettleChat
from tests.unit.fakes_dialogs import HANG, DialogKit, principal_of

HELLO = (Turn("user", "Hello"),)
PASSAGE = RetrievedPassage(
    passage=Passage(text="Puffins nest in burrows.", document_id="d", filename="f.txt", page=1),
    chunk_id="c",
    score=0.5,
)


def completer(kit: DialogKit, *, admitted: bool = False) -> CompleteChat:
    """The use case on the kit; ``admitted``: with the chat's real admission and
    settlement (the ledger), else the kit's recorder alone."""
    admission = AdmitChat(kit.clock, kit.ids, TenantDefaults()) if admitted else None
    settle = SettleChat(kit.uow, kit.ids, TenantDefaults(), InProcessEventBus())
    return CompleteChat(
        kit.model,
        FilePromptSource(),
        settle if admitted else kit.usage,
        kit.clock,
        kit.ids,
        kit.uow,
        retriever=kit.retriever,
        admission=admission,
    )


async def held(kit: DialogKit, tenant: Tenant) -> int:
    async with kit.uow(read_only=True) as tx:
        return await tx.usage.reserved(tenant.id, None, kit.clock.now())


async def billed(kit: DialogKit, tenant: Tenant) -> int:
    """The tenant's settled tokens this month, from the ledger."""
    async with kit.uow(read_only=True) as tx:
        totals = await tx.usage.totals(tenant.id, None, Period.containing(kit.clock.now()))
    return totals.total_tokens


async def test_the_tenants_prompt_comes_first_then_the_callers_turns() -> None:
    kit = DialogKit()
    tenant = await kit.add_tenant()
    turns = (
        Turn("system", "Answer in French."),
        Turn("user", "Hi"),
        Turn("assistant", ""),  # an empty turn says nothing to the model
        Turn("assistant", "Bonjour"),
        Turn("user", "How are you?"),
    )
    stream = await completer(kit).start(
        principal_of(tenant), tenant, CompletionRequest(model="chatcore", turns=turns)
    )
    events = [event async for event in stream]
    assert events == [Delta("Hi"), Delta(" there"), Usage(21, 3), Done("stop")]
    (sent,) = kit.model.requests
    assert sent.turns == (
        Turn("system", f"{DEFAULT_SYSTEM_PROMPT}\n\nAnswer in French."),
        Turn("user", "Hi"),
        Turn("assistant", "Bonjour"),
        Turn("user", "How are you?"),
    )
    (record,) = kit.usage.records
    assert (record.dialog_id, record.prompt_tokens, record.completion_tokens) == (None, 21, 3)
    assert stream.model == "chatcore" and stream.id.startswith("chatcmpl-")
    assert kit.database.tables[DIALOGS] == {} and kit.database.tables[MESSAGES] == {}


async def test_chatcore_documents_retrieves_for_the_last_question_and_cites() -> None:
    kit = DialogKit(found=[PASSAGE])
    tenant = await kit.add_tenant()
    turns = (Turn("user", "Where do puffins nest?"), Turn("assistant", "Let me look."))
    request = CompletionRequest(model="chatcore-documents", turns=turns)
    stream = await completer(kit).start(principal_of(tenant), tenant, request)
    events = [event async for event in stream]
    assert isinstance(events[-3], Citations) and events[-3].items[0].chunk_id == "c"
    assert kit.retriever is not None and kit.retriever.queries[0][1] == "Where do puffins nest?"
    assert kit.model.requests[0].passages == (PASSAGE.passage,)
    assert kit.model.requests[0].turns[-1] == Turn("assistant", "Let me look.")


async def test_a_stream_closed_before_it_is_read_releases_its_hold() -> None:
    kit = DialogKit(script=("Hi", HANG))
    tenant = await kit.add_tenant()
    stream = await completer(kit, admitted=True).start(
        principal_of(tenant), tenant, CompletionRequest(model="chatcore", turns=HELLO)
    )
    assert await held(kit, tenant) > 0
    await stream.aclose()
    assert await held(kit, tenant) == 0
    assert kit.model.requests == []  # the model was never asked
    assert await billed(kit, tenant) == 0


async def test_a_stream_abandoned_mid_reply_is_billed_for_what_it_said() -> None:
    kit = DialogKit(script=("Hi", " there", HANG))
    tenant = await kit.add_tenant()
    stream = await completer(kit, admitted=True).start(
        principal_of(tenant), tenant, CompletionRequest(model="chatcore", turns=HELLO)
    )
    reading = aiter(stream)
    assert await anext(reading) == Delta("Hi")
    await stream.aclose()
    assert kit.model.closed_early
    assert await held(kit, tenant) == 0
    assert await billed(kit, tenant) > 0


async def test_a_model_failure_ends_with_an_error_and_is_settled() -> None:
    kit = DialogKit(script=("Hi", ModelError("llm_unavailable", "down")))
    tenant = await kit.add_tenant()
    stream = await completer(kit).start(
        principal_of(tenant), tenant, CompletionRequest(model="chatcore", turns=HELLO)
    )
    events = [event async for event in stream]
    assert events == [Delta("Hi"), Error("llm_unavailable", "down")]
    assert len(kit.usage.records) == 1


@pytest.mark.parametrize(
    ("request_", "error"),
    [
        (CompletionRequest(model="gpt-4o", turns=HELLO), ModelNotFound),
        (CompletionRequest(model="chatcore", turns=(Turn("system", "x"),)), InvalidInput),
        (CompletionRequest(model="chatcore", turns=(Turn("user", "  "),)), InvalidInput),
        (CompletionRequest(model="chatcore", turns=(Turn("user", "x" * 40_000),)), InvalidInput),
        (CompletionRequest(model="chatcore", turns=HELLO * 1_001), InvalidInput),
    ],
)
async def test_a_request_that_cannot_be_answered_is_refused_before_admission(
    request_: CompletionRequest, error: type[Exception]
) -> None:
    kit = DialogKit()
    tenant = await kit.add_tenant()
    with pytest.raises(error):
        await completer(kit, admitted=True).start(principal_of(tenant), tenant, request_)
    assert await held(kit, tenant) == 0 and await billed(kit, tenant) == 0


async def test_admission_and_tenancy_are_the_chats() -> None:
    kit = DialogKit()
    tenant = await kit.add_tenant(rate_limit_per_minute=0)
    other = await kit.add_tenant("other")
    request = CompletionRequest(model="chatcore", turns=HELLO)
    with pytest.raises(RateLimited):
        await completer(kit, admitted=True).start(principal_of(tenant), tenant, request)
    with pytest.raises(TenantMismatch):
        await completer(kit).start(principal_of(tenant), other, request)
    assert [m.id for m in await ListModels()(principal_of(other), other)] == [
        "chatcore",
        "chatcore-documents",
    ]

"""ChatService on memory adapters with a scripted model: the events, what is stored,
what is billed, and every way a reply can end."""

from __future__ import annotations

import asyncio
import uuid

import anyio
import pytest

from adapters.memory.dialogs import DIALOGS, MESSAGES
from adapters.prompts import DEFAULT_SYSTEM_PROMPT, FilePromptSource
from chatcore.dialogs.context import context_tokens
from chatcore.dialogs.events import (
    ChatEvent,
    CitationItem,
    Citations,
    Delta,
    Done,
    Error,
    Meta,
    Usage,
)
from chatcore.dialogs.model import Message
from chatcore.dialogs.ports import Completion, ModelError, Passage, RetrievedPassage, Turn
from chatcore.dialogs.stream import ChatStream
from chatcore.dialogs.tokens import estimate_tokens
from chatcore.dialogs.use_cases.chat import ChatRequest, ChatService, ChatSettings
from chatcore.errors import InvalidInput, NotFound, TenantMismatch, Unavailable
from chatcore.identity.principal import Principal
from chatcore.kernel import DialogId
from chatcore.unit_of_work import UnitOfWork
from tests.unit.fakes_dialogs import DONE, HANG, DialogKit, collect, principal_of


async def ask(
    kit: DialogKit,
    principal: Principal,
    message: str,
    dialog_id: DialogId | None = None,
    **options: bool,
) -> ChatStream:
    async with kit.uow() as tx:
        tenant = await tx.tenants.get(principal.tenant_id)
    assert tenant is not None
    return await kit.chat.start(
        principal, tenant, ChatRequest(message=message, dialog_id=dialog_id, **options)
    )


async def stored_reply(kit: DialogKit, principal: Principal, meta: Meta) -> Message:
    detail = await kit.get(principal, meta.dialog_id)
    (reply,) = [m for m in detail.messages if m.id == meta.assistant_message_id]
    return reply


def prompt_estimate(kit: DialogKit) -> int:
    return context_tokens(kit.model.requests[-1].turns)


async def test_a_reply_streams_meta_deltas_usage_and_done_and_both_turns_are_stored() -> None:
    kit = DialogKit(("Hi", " there", DONE))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Hello?")
    events = await collect(stream)
    meta = stream.meta
    assert events == [meta, Delta("Hi"), Delta(" there"), Usage(21, 3), Done("stop")]
    assert [e.name for e in events] == ["meta", "delta", "delta", "usage", "done"]
    detail = await kit.get(alice, meta.dialog_id)
    assert detail.dialog.title == "Hello?"
    question, reply = detail.messages
    assert (question.id, question.role, question.content) == (
        meta.user_message_id,
        "user",
        "Hello?",
    )
    assert question.finish_reason is None
    assert (reply.id, reply.role, reply.content, reply.finish_reason) == (
        meta.assistant_message_id,
        "assistant",
        "Hi there",
        "stop",
    )
    assert (reply.prompt_tokens, reply.completion_tokens, reply.model) == (21, 3, "scripted")
    assert detail.dialog.updated_at == reply.created_at > question.created_at
    (record,) = kit.usage.records
    assert (record.tenant_id, record.principal_id, record.dialog_id) == (
        alice.tenant_id,
        alice.id,
        meta.dialog_id,
    )
    assert (record.prompt_tokens, record.completion_tokens, record.model) == (21, 3, "scripted")


async def test_a_new_dialog_is_titled_from_the_first_line_of_the_first_message() -> None:
    kit = DialogKit()
    alice = principal_of(await kit.add_tenant())
    stream = await ask(
        kit,
        alice,
        "\n  Plan a four-day trip to Lisbon in May, with a focus on "
        "food and live music\nand a budget.",
    )
    await collect(stream)
    detail = await kit.get(alice, stream.meta.dialog_id)
    assert detail.dialog.title == "Plan a four-day trip to Lisbon in May, with a focus on food…"


async def test_continuing_a_dialog_sends_its_history_in_order() -> None:
    kit = DialogKit(("Paris", DONE))
    alice = principal_of(await kit.add_tenant())
    first = await ask(kit, alice, "Capital of France?")
    await collect(first)
    second = await ask(kit, alice, "And of Italy?", first.meta.dialog_id)
    await collect(second)
    assert second.meta.dialog_id == first.meta.dialog_id
    assert kit.model.requests[-1].turns == (
        Turn("system", DEFAULT_SYSTEM_PROMPT),
        Turn("user", "Capital of France?"),
        Turn("assistant", "Paris"),
        Turn("user", "And of Italy?"),
    )
    # The clock never moved, and still the turns come back in the order they were said.
    detail = await kit.get(alice, first.meta.dialog_id)
    assert [m.content for m in detail.messages] == [
        "Capital of France?",
        "Paris",
        "And of Italy?",
        "Paris",
    ]
    assert len(kit.usage.records) == 2


async def test_the_history_sent_fits_the_context_budget() -> None:
    kit = DialogKit(("A long answer " * 20, DONE), settings=ChatSettings(context_budget_tokens=200))
    alice = principal_of(await kit.add_tenant(system_prompt="Be brief."))
    dialog_id = None
    for number in range(6):
        stream = await ask(kit, alice, f"Question number {number}?", dialog_id)
        await collect(stream)
        dialog_id = stream.meta.dialog_id
    turns = kit.model.requests[-1].turns
    assert context_tokens(turns) <= 200
    assert turns[0] == Turn("system", "Be brief.")
    assert turns[-1] == Turn("user", "Question number 5?")
    assert len(turns) < 12


async def test_the_tenant_prompt_and_model_win_over_the_deployment_defaults() -> None:
    kit = DialogKit(settings=ChatSettings(model="default-model"))
    plain = principal_of(await kit.add_tenant("plain"))
    await collect(await ask(kit, plain, "Hi"))
    assert kit.model.requests[-1].turns[0] == Turn("system", DEFAULT_SYSTEM_PROMPT)
    assert kit.model.requests[-1].model == "default-model"
    custom = principal_of(
        await kit.add_tenant("custom", system_prompt="Talk like a pirate.", model="gpt-pirate")
    )
    await collect(await ask(kit, custom, "Hi"))
    assert kit.model.requests[-1].turns[0] == Turn("system", "Talk like a pirate.")
    assert kit.model.requests[-1].model == "gpt-pirate"


async def test_another_principals_or_an_unknown_dialog_is_not_found_before_any_event() -> None:
    kit = DialogKit()
    tenant = await kit.add_tenant()
    alice, bob = principal_of(tenant), principal_of(tenant)
    other_tenant = await kit.add_tenant("other")
    stranger = principal_of(other_tenant)
    stream = await ask(kit, alice, "Mine")
    await collect(stream)
    dialog_id = stream.meta.dialog_id
    for principal, guess in (
        (bob, dialog_id),
        (stranger, dialog_id),
        (alice, DialogId(uuid.uuid4())),
    ):
        with pytest.raises(NotFound):
            await ask(kit, principal, "Let me in", guess)
    # The same ids under the victim's own tenant, but another owner, do not help either.
    impostor = Principal(
        tenant_id=tenant.id, id=uuid.uuid4(), kind="anonymous", session_id=alice.session_id
    )
    with pytest.raises(NotFound):
        await ask(kit, impostor, "Let me in", dialog_id)
    assert len(kit.model.requests) == 1
    assert [m.content for m in (await kit.get(alice, dialog_id)).messages] == ["Mine", "Hi there"]


@pytest.mark.parametrize("message", ["", "   \n\t", "x" * 101, "nul\x00byte"])
async def test_an_invalid_message_is_refused_and_nothing_is_stored(message: str) -> None:
    kit = DialogKit(settings=ChatSettings(max_message_chars=100))
    alice = principal_of(await kit.add_tenant())
    with pytest.raises(InvalidInput) as caught:
        await ask(kit, alice, message)
    assert caught.value.field == "message"
    assert kit.database.tables[DIALOGS] == {} and kit.database.tables[MESSAGES] == {}


async def test_a_principal_of_another_tenant_is_refused() -> None:
    kit = DialogKit()
    tenant, other = await kit.add_tenant(), await kit.add_tenant("other")
    with pytest.raises(TenantMismatch):
        await kit.chat.start(principal_of(other), tenant, ChatRequest(message="Hi"))


async def test_closing_the_stream_mid_reply_closes_the_model_and_stores_a_cancelled_part() -> None:
    kit = DialogKit(("one", " two", " three", DONE))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Count")
    assert [await anext(stream), await anext(stream)] == [stream.meta, Delta("one")]
    await stream.aclose()
    assert kit.model.closed_early and not kit.model.finished
    reply = await stored_reply(kit, alice, stream.meta)
    assert (reply.content, reply.finish_reason) == ("one", "cancelled")
    assert (reply.prompt_tokens, reply.completion_tokens) == (prompt_estimate(kit), 1)
    (record,) = kit.usage.records
    assert (record.prompt_tokens, record.completion_tokens) == (prompt_estimate(kit), 1)


async def test_a_stream_closed_before_it_was_read_still_stores_an_empty_cancelled_reply() -> None:
    kit = DialogKit()
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Never mind")
    await stream.aclose()
    reply = await stored_reply(kit, alice, stream.meta)
    assert (reply.content, reply.finish_reason, reply.completion_tokens) == ("", "cancelled", 0)
    assert kit.model.requests == []
    assert len(kit.usage.records) == 1


async def test_a_dropped_client_cancels_the_model_and_the_part_is_stored() -> None:
    kit = DialogKit(("Hi", HANG, " never"))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Hello?")
    consumer = asyncio.create_task(collect(stream))
    await kit.model.hanging.wait()
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer
    await kit.chat.drain()
    assert kit.model.closed_early
    reply = await stored_reply(kit, alice, stream.meta)
    assert (reply.content, reply.finish_reason) == ("Hi", "cancelled")
    assert kit.usage.records[-1].completion_tokens == estimate_tokens("Hi")


async def test_a_cancel_scope_that_cancels_every_await_cannot_stop_the_store() -> None:
    kit = DialogKit(("Hi", HANG))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Hello?")
    seen: list[ChatEvent] = []

    async def relay() -> None:
        async for event in stream:
            seen.append(event)

    async with anyio.create_task_group() as group:
        group.start_soon(relay)
        await kit.model.hanging.wait()
        group.cancel_scope.cancel()
    assert seen == [stream.meta, Delta("Hi")]
    await kit.chat.drain()
    reply = await stored_reply(kit, alice, stream.meta)
    assert (reply.content, reply.finish_reason) == ("Hi", "cancelled")
    assert kit.model.closed_early and len(kit.usage.records) == 1


async def test_an_explicit_cancel_stops_the_waiting_model_and_ends_with_usage_and_done() -> None:
    kit = DialogKit(("Hi", HANG, " never"))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Hello?")

    async def relay() -> tuple[list[ChatEvent], int]:
        events = await collect(stream)
        task = asyncio.current_task()
        assert task is not None
        return events, task.cancelling()

    consumer = asyncio.create_task(relay())
    await kit.model.hanging.wait()
    stream.cancel()
    events, cancelling = await consumer
    estimate = prompt_estimate(kit)
    assert events == [stream.meta, Delta("Hi"), Usage(estimate, 1), Done("cancelled")]
    assert cancelling == 0  # the cancel was taken back: the relay's task goes on unharmed
    assert kit.model.closed_early
    reply = await stored_reply(kit, alice, stream.meta)
    assert (reply.content, reply.finish_reason, reply.prompt_tokens) == (
        "Hi",
        "cancelled",
        estimate,
    )
    assert (kit.usage.records[-1].prompt_tokens, kit.usage.records[-1].completion_tokens) == (
        estimate,
        1,
    )


async def test_a_cancel_between_deltas_ends_the_stream_the_same_way() -> None:
    kit = DialogKit(("one", " two", DONE))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Count")
    events: list[ChatEvent] = []
    async for event in stream:
        events.append(event)
        if isinstance(event, Delta):
            stream.cancel()
    assert events == [stream.meta, Delta("one"), Usage(prompt_estimate(kit), 1), Done("cancelled")]
    assert kit.model.closed_early
    assert (await stored_reply(kit, alice, stream.meta)).finish_reason == "cancelled"


async def test_a_model_error_mid_stream_is_an_error_event_and_a_stored_error_reply() -> None:
    kit = DialogKit(("Hi", ModelError("llm_rate_limited", "The model is busy."), " never"))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Hello?")
    events = await collect(stream)
    assert events == [stream.meta, Delta("Hi"), Error("llm_rate_limited", "The model is busy.")]
    reply = await stored_reply(kit, alice, stream.meta)
    assert (reply.content, reply.finish_reason) == ("Hi", "error")
    (record,) = kit.usage.records
    assert (record.prompt_tokens, record.completion_tokens) == (prompt_estimate(kit), 1)


async def test_the_finish_reason_and_counts_are_the_models_own() -> None:
    cut = Completion(finish_reason="length", prompt_tokens=7, completion_tokens=2, model="m-1")
    kit = DialogKit(("Too", " long", cut))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Write an essay")
    assert (await collect(stream))[-2:] == [Usage(7, 2), Done("length")]
    reply = await stored_reply(kit, alice, stream.meta)
    assert (reply.finish_reason, reply.model) == ("length", "m-1")


async def test_passages_are_given_to_the_model_and_cited_after_the_text() -> None:
    found = [
        RetrievedPassage(
            passage=Passage(
                text="Warranty: two years.", document_id="d1", filename="terms.pdf", page=3
            ),
            chunk_id="c1",
            score=0.9,
        ),
        RetrievedPassage(
            passage=Passage(text="Returns: 30 days.", document_id="d2", filename="faq.md", page=1),
            chunk_id="c2",
            score=0.5,
        ),
    ]
    kit = DialogKit(("Two years.", DONE), found=found)
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "How long is the warranty?")
    events = await collect(stream)
    assert events == [
        stream.meta,
        Delta("Two years."),
        Citations(
            [
                CitationItem(
                    document_id="d1", filename="terms.pdf", page=3, chunk_id="c1", score=0.9
                ),
                CitationItem(document_id="d2", filename="faq.md", page=1, chunk_id="c2", score=0.5),
            ]
        ),
        Usage(21, 3),
        Done("stop"),
    ]
    assert kit.model.requests[-1].passages == tuple(f.passage for f in found)
    assert kit.retriever is not None
    assert kit.retriever.queries == [(alice, "How long is the warranty?", 5)]

    await collect(await ask(kit, alice, "Thanks", stream.meta.dialog_id, use_documents=False))
    assert kit.model.requests[-1].passages == ()
    assert len(kit.retriever.queries) == 1


async def test_a_dialog_deleted_while_the_model_answers_gets_no_reply_but_usage_counts() -> None:
    kit = DialogKit(("Hi", DONE))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Hello?")
    assert await anext(stream) == stream.meta
    await kit.delete(alice, stream.meta.dialog_id)
    assert [e.name async for e in stream] == ["delta", "usage", "done"]
    assert kit.database.tables[MESSAGES] == {}
    assert len(kit.usage.records) == 1


async def test_an_explicit_cancel_works_inside_an_anyio_task_group_as_a_socket_uses_it() -> None:
    kit = DialogKit(("Hi", HANG))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Hello?")
    seen: list[ChatEvent] = []

    async def relay() -> None:
        seen.extend(await collect(stream))

    async with anyio.create_task_group() as group:
        group.start_soon(relay)
        await kit.model.hanging.wait()
        stream.cancel()
    assert [e.name for e in seen] == ["meta", "delta", "usage", "done"]
    assert seen[-1] == Done("cancelled")


async def test_a_reply_that_cannot_be_stored_ends_with_an_error_but_usage_counts() -> None:
    kit = DialogKit(("Hi", DONE))
    down = False

    def flaky_uow(*, read_only: bool = False) -> UnitOfWork:
        if down:
            raise Unavailable("database")
        return kit.uow(read_only=read_only)

    kit.chat = ChatService(flaky_uow, kit.model, FilePromptSource(), kit.usage, kit.clock, kit.ids)
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Hello?")
    assert [await anext(stream), await anext(stream)] == [stream.meta, Delta("Hi")]
    down = True
    assert [e async for e in stream] == [Error("unavailable", "database is unavailable")]
    assert len(kit.usage.records) == 1

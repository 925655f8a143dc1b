"""Dialog use cases, the dialog eraser, titles and the prompt source, on memory adapters."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from adapters.memory.dialogs import MESSAGES
from adapters.prompts import DEFAULT_SYSTEM_PROMPT, FilePromptSource
from chatcore.dialogs.model import title_from_message
from chatcore.dialogs.use_cases.chat import ChatRequest
from chatcore.dialogs.use_cases.erasure import DialogEraser
from chatcore.errors import InvalidInput, NotFound
from chatcore.kernel import DialogId
from chatcore.pagination import PageRequest
from tests.unit.fakes_dialogs import DialogKit, collect, principal_of


async def test_a_dialog_is_created_with_its_title_or_a_default_one() -> None:
    kit = DialogKit()
    alice = principal_of(await kit.add_tenant())
    named = await kit.create(alice, "  Holiday plans ")
    unnamed = await kit.create(alice)
    assert (named.title, unnamed.title) == ("Holiday plans", "New dialog")
    assert (named.tenant_id, named.owner_id) == (alice.tenant_id, alice.id)
    detail = await kit.get(alice, named.id)
    assert (detail.dialog, detail.messages) == (named, [])


@pytest.mark.parametrize(
    "title",
    ["", "   ", "x" * 201, "tab\there", "invoice\u202egpj.exe", "zero\u200bwidth", "a\u2028b"],
)
async def test_a_bad_title_is_refused(title: str) -> None:
    kit = DialogKit()
    alice = principal_of(await kit.add_tenant())
    with pytest.raises(InvalidInput) as caught:
        await kit.create(alice, title)
    assert caught.value.field == "title"
    dialog = await kit.create(alice, "Fine")
    with pytest.raises(InvalidInput):
        await kit.rename(alice, dialog.id, title)


async def test_dialogs_are_listed_newest_first_a_page_at_a_time_and_only_the_owners() -> None:
    kit = DialogKit()
    tenant = await kit.add_tenant()
    alice, bob = principal_of(tenant), principal_of(tenant)
    created = []
    for number in range(5):
        created.append(await kit.create(alice, f"Dialog {number}"))
        kit.clock.advance(1)
    await kit.create(bob, "Not Alice's")
    first = await kit.list(alice, PageRequest(limit=2))
    second = await kit.list(alice, PageRequest(limit=2, after=first.next_after))
    third = await kit.list(alice, PageRequest(limit=2, after=second.next_after))
    assert [d.title for d in first.items + second.items + third.items] == [
        "Dialog 4",
        "Dialog 3",
        "Dialog 2",
        "Dialog 1",
        "Dialog 0",
    ]
    assert third.next_after is None


async def test_renaming_changes_the_title_and_never_moves_updated_at_back() -> None:
    kit = DialogKit()
    tenant = await kit.add_tenant()
    alice = principal_of(tenant)
    stream = await kit.chat.start(alice, tenant, ChatRequest(message="Hi"))
    await collect(stream)
    before = (await kit.get(alice, stream.meta.dialog_id)).dialog
    renamed = await kit.rename(alice, before.id, "Greetings")
    assert renamed.title == "Greetings" and renamed.updated_at >= before.updated_at
    assert (await kit.get(alice, before.id)).dialog == renamed


async def test_deleting_a_dialog_removes_its_messages() -> None:
    kit = DialogKit()
    tenant = await kit.add_tenant()
    alice = principal_of(tenant)
    stream = await kit.chat.start(alice, tenant, ChatRequest(message="Hi"))
    await collect(stream)
    await kit.delete(alice, stream.meta.dialog_id)
    with pytest.raises(NotFound):
        await kit.get(alice, stream.meta.dialog_id)
    assert kit.database.tables[MESSAGES] == {}


async def test_nobody_else_can_read_rename_or_delete_a_dialog_whatever_id_they_guess() -> None:
    kit = DialogKit()
    tenant, other = await kit.add_tenant(), await kit.add_tenant("other")
    alice, bob, stranger = principal_of(tenant), principal_of(tenant), principal_of(other)
    dialog = await kit.create(alice, "Private")
    for principal in (bob, stranger):
        for dialog_id in (dialog.id, DialogId(uuid.uuid4())):
            with pytest.raises(NotFound):
                await kit.get(principal, dialog_id)
            with pytest.raises(NotFound):
                await kit.rename(principal, dialog_id, "Mine now")
            with pytest.raises(NotFound):
                await kit.delete(principal, dialog_id)
        assert (await kit.list(principal, PageRequest())).items == []
    assert (await kit.get(alice, dialog.id)).dialog == dialog


async def test_the_eraser_deletes_only_the_owners_dialogs_and_messages_in_the_tenant() -> None:
    kit = DialogKit()
    tenant = await kit.add_tenant()
    alice, bob = principal_of(tenant), principal_of(tenant)
    for principal in (alice, bob):
        stream = await kit.chat.start(principal, tenant, ChatRequest(message="Hi"))
        await collect(stream)
    async with kit.uow() as tx:
        await DialogEraser().erase_owned(tx, tenant.id, alice.id)
        await tx.commit()
    assert (await kit.list(alice, PageRequest())).items == []
    (kept,) = (await kit.list(bob, PageRequest())).items
    assert len((await kit.get(bob, kept.id)).messages) == 2
    assert {m.owner_id for m in kit.database.tables[MESSAGES].values()} == {bob.id}


@pytest.mark.parametrize(
    ("message", "title"),
    [
        ("Hello", "Hello"),
        ("\n\n  two   spaces\tand a tab  \nsecond line", "two spaces and a tab"),
        ("a" * 80, "a" * 60 + "…"),
        (
            "Why is the sky blue, and why are sunsets red, orange and sometimes purple?",
            "Why is the sky blue, and why are sunsets red, orange and…",
        ),
        ("\x01\x02", "New dialog"),
        ("invoice\u202egpj.exe and\u200b more\u00a0words", "invoicegpj.exe and more words"),
    ],
)
def test_titles_from_a_first_message(message: str, title: str) -> None:
    assert title_from_message(message) == title
    assert len(title_from_message(message)) <= 61


async def test_the_prompt_source_prefers_the_tenant_then_the_file_then_the_default(
    tmp_path: Path,
) -> None:
    kit = DialogKit()
    plain = await kit.add_tenant("plain")
    custom = await kit.add_tenant("custom", system_prompt="Talk like a pirate.")
    prompt_file = tmp_path / "prompt.txt"
    prompt_file.write_text("You answer questions about Acme products.\n", encoding="utf-8")
    assert FilePromptSource().system_prompt(plain) == DEFAULT_SYSTEM_PROMPT
    from_file = FilePromptSource(str(prompt_file))
    assert from_file.system_prompt(plain) == "You answer questions about Acme products."
    assert from_file.system_prompt(custom) == "Talk like a pirate."


def test_an_unusable_prompt_file_fails_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        FilePromptSource(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(ValueError, match="is empty"):
        FilePromptSource(empty)

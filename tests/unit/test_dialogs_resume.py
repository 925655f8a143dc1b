"""Resuming a reply on memory adapters: for any split of a reply into deltas, any point
where the listener leaves and any offset it resumes from, what it saw up to the
offset plus what it resumes with is the stored reply, nothing twice, nothing lost."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatcore.dialogs.events import Delta, Done, Usage
from chatcore.dialogs.use_cases.replies import ResumeReply, StopReply
from chatcore.errors import InvalidInput, NotFound
from tests.unit.fakes_dialogs import DONE, HANG, DialogKit, collect, principal_of
from tests.unit.test_dialogs_chat import ask, stored_reply

pieces = st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=12)


def text_of(events: Sequence[object]) -> str:
    return "".join(e.text for e in events if isinstance(e, Delta))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=pieces, left_after=st.integers(0, 12), cut=st.floats(0, 1), finished=st.booleans())
async def test_seen_up_to_the_offset_plus_the_resumed_rest_is_the_stored_reply(
    pieces: list[str], left_after: int, cut: float, finished: bool
) -> None:
    kit = DialogKit((*pieces, DONE))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Go")
    seen = [await anext(stream)]
    while len(seen) <= left_after and not isinstance(seen[-1], Done):
        seen.append(await anext(stream))
    await stream.aclose()
    had = text_of(seen)
    offset = int(len(had) * cut)
    if finished:
        await kit.live.drain()
    resume = ResumeReply(kit.uow, kit.live)
    resumed = await collect(await resume(alice, stream.meta.assistant_message_id, offset))
    await kit.live.drain()
    stored = await stored_reply(kit, alice, stream.meta)
    assert resumed[0] == stream.meta
    assert had[:offset] + text_of(resumed) == stored.content == "".join(pieces).replace("\x00", "")
    deltas = [e for e in resumed if isinstance(e, Delta)]
    assert all(d.text for d in deltas)  # never an empty delta
    assert resumed[-2:] == [Usage(21, 3), Done("stop")]


async def test_several_listeners_and_a_stop_end_everyone_with_the_same_text() -> None:
    kit = DialogKit(("Hi", " there", HANG, " never"))
    alice = principal_of(await kit.add_tenant())
    first = await ask(kit, alice, "Go")
    resume = ResumeReply(kit.uow, kit.live)
    reply_id = first.meta.assistant_message_id
    await kit.model.hanging.wait()
    late = await resume(alice, reply_id, 2)
    listeners = [asyncio.create_task(collect(s)) for s in (first, late)]
    await asyncio.sleep(0)
    await StopReply(kit.uow, kit.live)(alice, reply_id)
    whole, rest = await asyncio.gather(*listeners)
    assert text_of(whole) == "Hi there" and text_of(rest) == " there"
    assert whole[-1] == rest[-1] == Done("cancelled")
    await kit.live.drain()
    assert (await stored_reply(kit, alice, first.meta)).content == "Hi there"
    # Stopping a finished reply changes nothing.
    await StopReply(kit.uow, kit.live)(alice, reply_id)
    assert (await stored_reply(kit, alice, first.meta)).finish_reason == "cancelled"


async def test_a_reply_in_progress_is_stored_as_it_grows_and_shows_no_finish_reason() -> None:
    kit = DialogKit(("Hi", HANG))
    alice = principal_of(await kit.add_tenant())
    stream = await ask(kit, alice, "Go")
    reply = await stored_reply(kit, alice, stream.meta)
    assert (reply.content, reply.finish_reason) == ("", None)
    await kit.model.hanging.wait()
    await kit.live.flush()
    reply = await stored_reply(kit, alice, stream.meta)
    assert (reply.content, reply.finish_reason) == ("Hi", None)
    stream.cancel()
    await kit.live.drain()


async def test_strangers_unknown_ids_and_impossible_offsets_are_refused() -> None:
    kit = DialogKit(("Hi", DONE))
    tenant = await kit.add_tenant()
    alice, mallory = principal_of(tenant), principal_of(tenant)
    stream = await ask(kit, alice, "Go")
    resume, stop = ResumeReply(kit.uow, kit.live), StopReply(kit.uow, kit.live)
    reply_id = stream.meta.assistant_message_id
    for run_state in ("running", "finished"):
        with pytest.raises(NotFound):
            await resume(mallory, reply_id, 0)
        with pytest.raises(NotFound):
            await stop(mallory, reply_id)
        with pytest.raises(InvalidInput):
            await resume(alice, reply_id, -1)
        with pytest.raises(NotFound):
            await resume(alice, stream.meta.user_message_id, 0)
        if run_state == "running":
            await kit.live.drain()
    with pytest.raises(InvalidInput):
        await resume(alice, reply_id, 3)  # "Hi" has two characters
    assert text_of(await collect(await resume(alice, reply_id, 2))) == ""

"""A reply's events as server-sent events, each with its ``id:``: the reply's length
in characters up to and including that event (what ``Last-Event-ID`` resumes from).

The reply runs on its own; a response only listens. Events already waiting go out
in one write (a client that falls behind gets fewer, bigger writes), and a comment
keeps the connection open while the model is silent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec

from chatcore.dialogs.events import ChatEvent
from chatcore.dialogs.stream import ChatStream

KEEPALIVE_SECONDS = 15.0  # read at every wait, so tests can shorten it
# The headers Litestar's ServerSentEvent sets. That response is not used: it hops to a
# worker thread once per response and encodes each event in several steps, where a
# plain Stream of frames built here sends the same bytes.
STREAM_HEADERS = {
    "Cache-Control": "no-cache",
    "Connection": "keep-alive",
    "X-Accel-Buffering": "no",
}
# A bare comment: a data line, even empty, would make browsers dispatch an empty event.
KEEP_ALIVE = b": keep-alive\r\n\r\n"
_encode_json = msgspec.json.Encoder().encode


def sse_frame(event: ChatEvent, offset: int) -> bytes:
    """The event as SSE: its id, its name, and its fields as the JSON of one ``data``
    line (JSON has no raw line breaks)."""
    payload = _encode_json(msgspec.structs.asdict(event))
    return b"id: %d\r\nevent: %s\r\ndata: %s\r\n\r\n" % (offset, event.name.encode(), payload)


async def sse_frames(stream: ChatStream) -> AsyncIterator[bytes]:
    """The stream's events as SSE frames, and keep-alive comments in its silences; the
    stream is left (not stopped) however the response ends."""
    try:
        while True:
            try:
                event = await stream.next_event(KEEPALIVE_SECONDS)
            except StopAsyncIteration:
                return
            if event is None:
                yield KEEP_ALIVE
                continue
            batch, ended = [sse_frame(event, stream.offset)], False
            try:
                while (event := stream.ready()) is not None:
                    batch.append(sse_frame(event, stream.offset))
            except StopAsyncIteration:
                ended = True
            yield b"".join(batch)
            if ended:
                return
    finally:
        await stream.aclose()

"""A log handler that writes lines in batches: one system call per batch instead of
one per line, which under load is most of what a request log line costs."""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from typing import TextIO

FLUSH_SECONDS = 0.2
MAX_PENDING_CHARS = 64 * 1024


class BatchingStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Like ``logging.StreamHandler``, but a line waits at most ``FLUSH_SECONDS`` (a
    thread flushes) unless it is a warning or worse, or the batch is full, which
    are written at once."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._pending: list[str] = []
        self._size = 0
        self._stopped = threading.Event()
        flusher = threading.Thread(
            target=_flush_every, args=(weakref.ref(self), self._stopped), daemon=True
        )
        flusher.start()
        atexit.register(self.close)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        with self.lock:  # type: ignore[union-attr]
            self._pending.append(line)
            self._size += len(line)
            if record.levelno >= logging.WARNING or self._size >= MAX_PENDING_CHARS:
                self._write()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._write()

    def close(self) -> None:
        self._stopped.set()
        self.flush()
        super().close()

    def _write(self) -> None:
        if getattr(self.stream, "closed", False):
            # The stream went first (an embedding program, or a test runner, closed
            # it): what is left has nowhere to go.
            self._pending.clear()
            self._size = 0
            return
        if self._pending:
            self._pending.append("")
            self.stream.write(self.terminator.join(self._pending))
            self._pending.clear()
            self._size = 0
        self.stream.flush()


def _flush_every(handler: weakref.ref[BatchingStreamHandler], stopped: threading.Event) -> None:
    while not stopped.wait(FLUSH_SECONDS):
        alive = handler()
        if alive is None:
            return
        alive.flush()
        del alive

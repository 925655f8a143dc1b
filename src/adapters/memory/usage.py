"""Usage kept in memory, until the usage context stores and enforces it."""

from __future__ import annotations

from collections import deque

from chatcore.dialogs.ports import UsageRecord


class MemoryUsageRecorder:
    """A UsageRecorder keeping the latest ``keep`` records (a bounded memory)."""

    def __init__(self, keep: int = 10_000) -> None:
        self.records: deque[UsageRecord] = deque(maxlen=keep)

    async def record(self, record: UsageRecord) -> None:
        self.records.append(record)

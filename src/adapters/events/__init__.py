"""Event buses: within one process, and across processes through Postgres."""

from adapters.events.in_process import InProcessEventBus
from adapters.events.postgres import PostgresEventBus

__all__ = ["InProcessEventBus", "PostgresEventBus"]

"""In-memory adapters: one process, no I/O; used by unit tests and by library users
who want the core without a database."""

from adapters.memory.unit_of_work import MemoryDatabase, MemoryUnitOfWork

__all__ = ["MemoryDatabase", "MemoryUnitOfWork"]

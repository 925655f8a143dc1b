"""Password hashing with argon2id, run in a small dedicated thread pool so that slow,
memory-hungry hashes never block the event loop and a burst of logins cannot take
more than ``max_workers`` times ``memory_cost`` of memory at once.

To make a login for an unknown email as slow as one with a wrong password, the core
hashes a dummy password once and verifies the attempt against that hash."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import argon2
from argon2.exceptions import Argon2Error, InvalidHashError

_T = TypeVar("_T")

# RFC 9106, section 4, second recommended option: for when 2 GiB per hash is too much.
RFC_9106_TIME_COST = 3
RFC_9106_MEMORY_COST_KIB = 64 * 1024
RFC_9106_PARALLELISM = 4


class Argon2PasswordHasher:
    """A PasswordHasher using argon2id (argon2-cffi), hashing in a bounded worker pool."""

    def __init__(
        self,
        *,
        time_cost: int = RFC_9106_TIME_COST,
        memory_cost: int = RFC_9106_MEMORY_COST_KIB,
        parallelism: int = RFC_9106_PARALLELISM,
        max_workers: int = 2,
    ) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        # The pool's size is the bound: queued calls wait without holding hash memory.
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="argon2")

    async def hash(self, password: str) -> str:
        """A self-describing argon2id hash of ``password`` (salt and parameters included)."""
        return await self._run(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches; False for a wrong password or a malformed hash."""
        return await self._run(self._verify, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters (or is not an argon2 hash)."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except (InvalidHashError, UnicodeError):
            return True

    def close(self) -> None:
        """Shut the worker pool down, waiting for the hashes in progress."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    async def _run(self, function: Callable[..., _T], *args: str) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        # Argon2Error covers a mismatch and a hash libargon2 rejects; InvalidHashError
        # (a ValueError) one it cannot even parse; UnicodeError a non-ASCII hash or a
        # password with lone surrogates.
        except (Argon2Error, InvalidHashError, UnicodeError):
            return False

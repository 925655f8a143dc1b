"""PasswordHasher: the public contract on every adapter, then what only argon2 does
(its default profile, and parameters that age)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.security import Argon2PasswordHasher
from chatcore.identity.ports import PasswordHasher
from chatcore.testing import PasswordHasherContract

# argon2-cffi's floor (8 KiB per lane): fast tests; production uses the RFC 9106 profile.
TINY = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture
def argon2_hasher() -> Iterator[Argon2PasswordHasher]:
    hasher = Argon2PasswordHasher(**TINY)
    yield hasher
    hasher.close()


class TestPasswordHasher(PasswordHasherContract):
    @pytest.fixture(params=["argon2"])
    def hasher(self, request: pytest.FixtureRequest) -> PasswordHasher:
        """Each password hasher in turn."""
        chosen: PasswordHasher = request.getfixturevalue(f"{request.param}_hasher")
        return chosen


# What only argon2 does.


async def test_argon2_defaults_to_argon2id_with_the_rfc_9106_second_profile() -> None:
    hasher = Argon2PasswordHasher()
    try:
        password_hash = await hasher.hash("pw")
    finally:
        hasher.close()
    assert password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


async def test_argon2_needs_rehash_when_the_parameters_change(
    argon2_hasher: Argon2PasswordHasher,
) -> None:
    password_hash = await argon2_hasher.hash("pw")
    assert not argon2_hasher.needs_rehash(password_hash)
    stronger = Argon2PasswordHasher(**{**TINY, "time_cost": 2})
    try:
        assert stronger.needs_rehash(password_hash)
        assert await stronger.verify(password_hash, "pw")  # old hashes keep working
    finally:
        stronger.close()

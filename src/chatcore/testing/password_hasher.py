"""The PasswordHasher contract: hashes verify, garbage never raises, and the work
happens off the event loop."""

from __future__ import annotations

import asyncio

import pytest

from chatcore.identity.ports import PasswordHasher


class PasswordHasherContract:
    """What every PasswordHasher does.

    Needs a fixture ``hasher`` returning a hasher (cheap parameters keep the suite fast).
    """

    async def test_a_hash_verifies_its_password_and_nothing_else(
        self, hasher: PasswordHasher
    ) -> None:
        password_hash = await hasher.hash("correct horse battery staple")
        assert "correct horse" not in password_hash
        assert await hasher.verify(password_hash, "correct horse battery staple")
        assert not await hasher.verify(password_hash, "correct horse battery stapler")
        assert not await hasher.verify(password_hash, "")

    async def test_two_hashes_of_one_password_differ_and_both_verify(
        self, hasher: PasswordHasher
    ) -> None:
        first, second = await hasher.hash("s3cret!"), await hasher.hash("s3cret!")
        assert first != second
        assert await hasher.verify(first, "s3cret!")
        assert await hasher.verify(second, "s3cret!")

    @pytest.mark.parametrize("password", ["pässwörd", "密码很长很长", "🔑🗝️ key", "a\u0000b", " "])
    async def test_unicode_passwords_round_trip(
        self, hasher: PasswordHasher, password: str
    ) -> None:
        password_hash = await hasher.hash(password)
        assert await hasher.verify(password_hash, password)
        assert not await hasher.verify(password_hash, password + "x")

    @pytest.mark.parametrize(
        "garbage",
        [
            "",
            "garbage",
            "$argon2id$",
            "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            "$argon2id$v=19$m=8,t=1,p=1$!!!$???",
            "$argon2id$ü",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        ],
    )
    async def test_a_malformed_or_foreign_hash_verifies_nothing_and_never_raises(
        self, hasher: PasswordHasher, garbage: str
    ) -> None:
        assert not await hasher.verify(garbage, "password")
        assert hasher.needs_rehash(garbage)

    async def test_a_dummy_hash_lets_unknown_accounts_cost_one_verification(
        self, hasher: PasswordHasher
    ) -> None:
        # How the core keeps "no such email" as slow as "wrong password".
        dummy = await hasher.hash("dummy password nobody has")
        assert not await hasher.verify(dummy, "whatever the attacker typed")

    async def test_a_fresh_hash_needs_no_rehash(self, hasher: PasswordHasher) -> None:
        assert not hasher.needs_rehash(await hasher.hash("pw"))

    async def test_hashing_does_not_run_on_the_event_loop(self, hasher: PasswordHasher) -> None:
        # A coroutine that hashed inline would be done after its first step; one waiting
        # on a worker thread cannot be, since its result comes back through the loop.
        hashing = asyncio.create_task(hasher.hash("pw"))
        await asyncio.sleep(0)
        assert not hashing.done()
        verifying = asyncio.create_task(hasher.verify(await hashing, "pw"))
        await asyncio.sleep(0)
        assert not verifying.done()
        assert await verifying

    async def test_twenty_concurrent_hashes_complete_while_the_loop_keeps_ticking(
        self, hasher: PasswordHasher
    ) -> None:
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0)

        ticking = asyncio.create_task(ticker())
        passwords = [f"password {i}" for i in range(20)]
        hashes = await asyncio.gather(*(hasher.hash(p) for p in passwords))
        stop.set()
        await ticking
        assert ticks > 0
        assert len(set(hashes)) == 20
        verified = await asyncio.gather(
            *(hasher.verify(h, p) for h, p in zip(hashes, passwords, strict=True))
        )
        assert all(verified)

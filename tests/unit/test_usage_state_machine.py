"""Hypothesis drives chats through every order of admissions, settlements, cancels,
aborted starts, crashed processes and the passing of time (minutes, hours, months),
and checks each step against a plain model: every admission decision and wait, the
holds, the totals, and the bound on how far a quota can be passed."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from adapters.events import InProcessEventBus
from adapters.memory import MemoryDatabase
from chatcore.errors import QuotaExceeded, RateLimited
from chatcore.identity.principal import Principal
from chatcore.kernel import DialogId, RandomIdFactory, TenantDefaults, TenantId, UsageRecord
from chatcore.tenants.model import Tenant, TenantSettings
from chatcore.usage.model import RESERVATION_TTL, Period
from chatcore.usage.use_cases import AdmitChat, SettleChat
from tests.unit.fakes import FakeClock

T = TypeVar("T")
ESTIMATE, QUOTA, CAP, RATE = 100, 450, 700, 3
MINUTE = timedelta(minutes=1)


@dataclass
class Chat:
    """An admitted chat as the model sees it."""

    reservation_id: uuid.UUID
    principal_id: uuid.UUID
    expires_at: datetime


@dataclass
class Settled:
    """Usage the ledger was given."""

    principal_id: uuid.UUID
    at: datetime
    tokens: int


class UsageMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.uow = MemoryDatabase().unit_of_work
        self.clock = FakeClock()
        ids = RandomIdFactory()
        self.admit = AdmitChat(self.clock, ids, TenantDefaults())
        self.settle = SettleChat(self.uow, ids, TenantDefaults(), InProcessEventBus())
        self.tenant = Tenant(
            id=TenantId(uuid.uuid4()),
            slug="acme",
            name="Acme",
            created_at=self.clock.now(),
            settings=TenantSettings(
                monthly_token_quota=QUOTA, tenant_monthly_token_cap=CAP, rate_limit_per_minute=RATE
            ),
        )
        self.principals = [
            Principal(
                tenant_id=self.tenant.id, id=uuid.uuid4(), kind="user", session_id=uuid.uuid4()
            )
            for _ in range(3)
        ]
        self.run(self._add_tenant())
        self.hits: dict[uuid.UUID, list[datetime]] = {p.id: [] for p in self.principals}
        self.open: list[Chat] = []  # admitted, to be settled
        self.lost: list[Chat] = []  # admitted by a process that died: never settled
        self.settled: list[Settled] = []

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.loop.close()

    async def _add_tenant(self) -> None:
        async with self.uow() as tx:
            await tx.tenants.add(self.tenant)
            await tx.commit()

    # The model.

    def used(self, principal_id: uuid.UUID | None) -> int:
        period = Period.containing(self.clock.now())
        return sum(
            s.tokens
            for s in self.settled
            if principal_id in (None, s.principal_id) and period.start <= s.at < period.end
        )

    def held(self, principal_id: uuid.UUID | None) -> int:
        now = self.clock.now()
        return ESTIMATE * sum(
            1
            for c in self.open + self.lost
            if principal_id in (None, c.principal_id) and c.expires_at > now
        )

    def expected(self, principal: Principal) -> type[Exception] | int | None:
        """The wait if rate-limited, QuotaExceeded, or None (admitted)."""
        now = self.clock.now()
        recent = sorted(hit for hit in self.hits[principal.id] if now - hit < MINUTE)
        if len(recent) >= RATE:
            return max(1, math.ceil((recent[0] + MINUTE - now).total_seconds()))
        if self.used(principal.id) + self.held(principal.id) >= QUOTA:
            return QuotaExceeded
        if self.used(None) + self.held(None) >= CAP:
            return QuotaExceeded
        return None

    # The rules.

    async def _admit(self, principal: Principal, commit: bool) -> uuid.UUID:
        async with self.uow() as tx:
            reservation_id = await self.admit(tx, principal, self.tenant, ESTIMATE)
            if commit:
                await tx.commit()
        return reservation_id

    @rule(index=st.integers(0, 2), commit=st.booleans())
    def admit_a_chat(self, index: int, commit: bool) -> None:
        """A chat asks to start; uncommitted, its start failed after admission."""
        principal = self.principals[index]
        expected = self.expected(principal)
        try:
            reservation_id = self.run(self._admit(principal, commit))
        except RateLimited as refused:
            assert refused.retry_after == expected
            return
        except QuotaExceeded:
            assert expected is QuotaExceeded
            return
        assert expected is None
        if commit:
            self.hits[principal.id].append(self.clock.now())
            self.open.append(Chat(reservation_id, principal.id, self.clock.now() + RESERVATION_TTL))

    @rule(
        index=st.integers(min_value=0),
        tokens=st.integers(0, ESTIMATE),
        share=st.floats(0, 1),
        cancelled=st.booleans(),
    )
    def settle_a_chat(self, index: int, tokens: int, share: float, cancelled: bool) -> None:
        """An open chat ends, having cost at most its estimate (nothing if it was
        cancelled before the model spoke)."""
        if not self.open:
            return
        chat = self.open.pop(index % len(self.open))
        tokens = 0 if cancelled else tokens
        prompt = int(tokens * share)
        self.run(self.settle.record(UsageRecord(
            tenant_id=self.tenant.id, principal_id=chat.principal_id,
            dialog_id=DialogId(uuid.uuid4()), model="m", prompt_tokens=prompt,
            completion_tokens=tokens - prompt, at=self.clock.now(),
            reservation_id=chat.reservation_id,
        )))  # fmt: skip
        self.settled.append(Settled(chat.principal_id, self.clock.now(), tokens))

    @rule(index=st.integers(min_value=0))
    def crash(self, index: int) -> None:
        """The process serving an open chat dies: it is never settled."""
        if self.open:
            self.lost.append(self.open.pop(index % len(self.open)))

    @rule(
        seconds=st.one_of(
            st.integers(1, 90), st.integers(3000, 4000), st.integers(86_400, 40 * 86_400)
        )
    )
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds)
        # No reply streams for as long as a reservation lives: a chat still open
        # when its reservation expires belonged to a dead process.
        now = self.clock.now()
        self.lost += [c for c in self.open if c.expires_at <= now]
        self.open = [c for c in self.open if c.expires_at > now]

    # The invariants.

    async def _ledger(self, principal_id: uuid.UUID | None) -> tuple[int, int, int]:
        period = Period.containing(self.clock.now())
        async with self.uow() as tx:
            totals = await tx.usage.totals(self.tenant.id, principal_id, period)
            held = await tx.usage.reserved(self.tenant.id, principal_id, self.clock.now())
            entries = (
                await tx.usage.entries(self.tenant.id, principal_id, period)
                if principal_id is not None
                else []
            )
        return (
            totals.total_tokens,
            held,
            sum(e.prompt_tokens + e.completion_tokens for e in entries),
        )

    @invariant()
    def holds_and_totals_match_the_model(self) -> None:
        for principal in self.principals:
            total, held, entries = self.run(self._ledger(principal.id))
            assert held == self.held(principal.id) >= 0
            assert total == entries == self.used(principal.id)
        total, held, _ = self.run(self._ledger(None))
        assert held == self.held(None) >= 0
        assert total == self.used(None)

    @invariant()
    def no_quota_is_passed_by_more_than_one_estimate(self) -> None:
        for principal in self.principals:
            assert self.used(principal.id) < QUOTA + ESTIMATE
        assert self.used(None) < CAP + ESTIMATE


UsageMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=50, deadline=None)
test_admissions_and_settlements = UsageMachine.TestCase

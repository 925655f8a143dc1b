"""Purging expired identity rows: what goes, what stays, and what goes with it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.memory import MemoryDatabase
from adapters.memory.documents import CHUNKS, DOCUMENTS
from adapters.memory.identity import AUTH_THROTTLES, OTP_CHALLENGES, SESSIONS
from chatcore.dialogs.use_cases.erasure import DialogEraser
from chatcore.documents.use_cases.erasure import DocumentEraser
from chatcore.documents.use_cases.leftovers import UNFINISHED_WRITE_IDLE, RemoveUnfinishedWrites
from chatcore.identity.model import AuthThrottle, OtpChallenge, Session, SessionId
from chatcore.identity.principal import Principal
from chatcore.identity.use_cases import housekeeping
from chatcore.identity.use_cases.housekeeping import PurgeExpired, PurgeReport
from chatcore.kernel import TenantId
from chatcore.usage.use_cases import UsageEraser
from tests.unit.fakes import T0, FakeClock, IdentityKit
from tests.unit.test_documents_use_cases import FACTS, Kit

DAY = timedelta(days=1)


def purge_of(kit: IdentityKit, **options: int) -> PurgeExpired:
    """The purge over the kit's database and clock, with no other context's data."""
    return PurgeExpired(kit.uow, kit.clock, **options)  # type: ignore[arg-type]


async def test_an_expired_anonymous_session_goes_with_its_documents_and_files() -> None:
    documents = Kit()
    tenant_id = await documents.tenant()
    principals = [await anonymous(documents.database, tenant_id, T0 + n * DAY) for n in (1, 3)]
    for principal in principals:
        await documents.ready(principal, FACTS.encode())
    assert len(documents.blobs.files) == 2
    erasers = [DialogEraser(), UsageEraser(), DocumentEraser(documents.blobs)]
    purge = PurgeExpired(documents.database.unit_of_work, FakeClock(T0 + 2 * DAY), erasers)

    report = await purge()

    assert report == PurgeReport(anonymous_sessions=1)
    tables = documents.database.tables
    live = principals[1]
    assert {d.owner_id for d in tables[DOCUMENTS].values()} == {live.id}
    assert {e.chunk.owner_id for e in tables[CHUNKS].values()} == {live.id}
    assert len(documents.blobs.files) == 1
    assert [s.id for s in tables[SESSIONS].values()] == [live.session_id]
    assert await purge() == PurgeReport()


async def anonymous(
    database: MemoryDatabase, tenant_id: TenantId, expires_at: datetime
) -> Principal:
    """An anonymous session, stored, that ends at ``expires_at``; its principal."""
    session_id = SessionId(uuid.uuid4())
    session = Session(
        id=session_id, tenant_id=tenant_id, principal_id=session_id, kind="anonymous",
        created_at=T0, expires_at=expires_at, last_seen_at=T0, user_agent=None,
    )  # fmt: skip
    async with database.unit_of_work() as uow:
        await uow.sessions.add(tenant_id, session)
        await uow.commit()
    return session.principal()


async def test_a_sign_up_nobody_confirmed_goes_a_week_after_its_last_link() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.register(tenant, "late@example.com", "correct horse battery")
    await kit.register(tenant, "gone@example.com", "correct horse battery")
    kit.clock.advance((7 * DAY).total_seconds())
    await kit.register(tenant, "late@example.com", "correct horse battery")  # a new link
    kit.clock.advance(1)

    report = await purge_of(kit)()

    assert (report.unconfirmed_accounts, report.email_confirmations) == (1, 2)
    async with kit.uow(read_only=True) as tx:
        assert await tx.users.get_by_email(tenant.id, "gone@example.com") is None
    await kit.confirm_email(kit.mailer.last_token("late@example.com"))
    # The address is free again: signing up anew works.
    await kit.register(tenant, "gone@example.com", "correct horse battery")
    await kit.confirm_email(kit.mailer.last_token("gone@example.com"))


async def test_confirmed_accounts_stay_while_their_sessions_codes_and_throttles_go() -> None:
    kit = IdentityKit()
    tenant = await kit.add_tenant()
    await kit.register(tenant, "pw@example.com", "correct horse battery")
    await kit.confirm_email(kit.mailer.last_token("pw@example.com"))
    await kit.login(tenant, "pw@example.com", "correct horse battery", None)
    await kit.sign_in_by_code(tenant, "code@example.com")
    await kit.request_otp(tenant, "unused@example.com")
    kit.clock.advance((30 * DAY).total_seconds())

    report = await purge_of(kit)()

    assert report == PurgeReport(
        user_sessions=2, otp_challenges=2, auth_throttles=4, unconfirmed_accounts=0
    )
    async with kit.uow(read_only=True) as tx:
        for email in ("pw@example.com", "code@example.com"):
            assert await tx.users.get_by_email(tenant.id, email) is not None
    await kit.login(tenant, "pw@example.com", "correct horse battery", None)


async def test_every_tenant_is_purged_past_the_first_page_of_tenants(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(housekeeping, "_TENANT_PAGE", 2)
    kit = IdentityKit()
    tenants = [await kit.add_tenant(f"t{n}") for n in range(5)]
    for tenant in tenants:
        await kit.create_anonymous(tenant, None)
    kit.clock.advance(kit.policy.session_ttl.total_seconds())

    assert await purge_of(kit)() == PurgeReport(anonymous_sessions=5)


class LeftoverCounter:
    """Blob stores as the purge sees them: reports two leftovers, keeps what it was asked."""

    def __init__(self) -> None:
        self.asked: list[datetime] = []

    async def remove_unfinished(self, idle_since: datetime) -> int:
        self.asked.append(idle_since)
        return 2


async def test_a_purge_removes_the_long_idle_leftovers_of_interrupted_writes() -> None:
    kit = IdentityKit()
    stores = [LeftoverCounter(), LeftoverCounter()]
    sweep = RemoveUnfinishedWrites(stores, kit.clock)
    purge = PurgeExpired(kit.uow, kit.clock, remove_unfinished_writes=sweep)  # type: ignore[arg-type]

    assert await purge() == PurgeReport(unfinished_writes=4)
    expected = kit.clock.now() - UNFINISHED_WRITE_IDLE
    assert [store.asked for store in stores] == [[expected], [expected]]


async def test_a_purge_of_nothing_reports_nothing() -> None:
    kit = IdentityKit()
    await kit.add_tenant()
    report = await purge_of(kit)()
    assert report == PurgeReport() and report.total == 0


offsets = st.integers(min_value=-3, max_value=3).map(lambda n: n * timedelta(hours=12))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sessions=st.lists(st.tuples(offsets, st.sampled_from(["user", "anonymous"])), max_size=12),
    challenges=st.lists(st.tuples(offsets, st.booleans()), max_size=8),
    throttles=st.lists(offsets, max_size=8),
    batch=st.integers(min_value=1, max_value=4),
)
async def test_after_a_purge_no_expired_row_remains_and_every_live_one_is_kept(
    sessions: list[tuple[timedelta, str]],
    challenges: list[tuple[timedelta, bool]],
    throttles: list[timedelta],
    batch: int,
) -> None:
    database = MemoryDatabase()
    kit = IdentityKit(database.unit_of_work)
    tenant = await kit.add_tenant()
    now = kit.clock.now()
    async with kit.uow() as tx:
        for expiry, kind in sessions:
            session_id = SessionId(uuid.uuid4())
            await tx.sessions.add(tenant.id, Session(
                id=session_id, tenant_id=tenant.id, principal_id=session_id, kind=kind,  # type: ignore[arg-type]
                created_at=now - 3 * DAY, expires_at=now + expiry, last_seen_at=now - 3 * DAY,
                user_agent=None,
            ))  # fmt: skip
        for n, (expiry, used) in enumerate(challenges):
            await tx.otp_challenges.add(tenant.id, OtpChallenge(
                email=f"{n}@example.com", code_hash="f" * 64, issued_at=now - 3 * DAY,
                expires_at=now + expiry, used_at=now - 3 * DAY if used else None,
            ))  # fmt: skip
        for n, idle in enumerate(throttles):
            last_at = now + idle - DAY
            await tx.auth_throttles.add(tenant.id, AuthThrottle(
                scope="login", subject=f"{n}@example.com", count=1,
                window_started_at=last_at, last_at=last_at,
            ))  # fmt: skip
        await tx.commit()
    tables = database.tables  # a commit swaps in new tables: read these before the purge
    kept_sessions = {k for k, s in tables[SESSIONS].items() if s.is_live(now)}
    kept_challenges = {
        k for k, c in tables[OTP_CHALLENGES].items() if c.used_at is None and now < c.expires_at
    }
    kept_throttles = {k for k, t in tables[AUTH_THROTTLES].items() if t.last_at >= now - DAY}

    report = await purge_of(kit, batch=batch, erase_batch=batch)()

    tables = database.tables
    assert set(tables[SESSIONS]) == kept_sessions
    assert set(tables[OTP_CHALLENGES]) == kept_challenges
    assert set(tables[AUTH_THROTTLES]) == kept_throttles
    assert report.user_sessions + report.anonymous_sessions == len(sessions) - len(kept_sessions)
    assert report.otp_challenges == len(challenges) - len(kept_challenges)
    assert report.auth_throttles == len(throttles) - len(kept_throttles)

"""The purge's entry points: ``chatcore purge``, and the server's periodic task."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from adapters.memory import MemoryDatabase
from adapters.sql.engine import create_engine
from adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from chatcore.errors import Unavailable
from chatcore.identity.model import Session, SessionId
from chatcore.identity.use_cases.housekeeping import PurgeReport
from chatcore.jobs.model import Job, JobId
from chatcore.kernel import TenantId
from chatcore.tenants.model import Tenant, TenantSettings
from http_shell import cli
from http_shell.app import create_app
from http_shell.container import build_container
from http_shell.housekeeping import PURGE, PeriodicPurge
from http_shell.settings import SettingsError, load_settings
from tests.support.app import app_settings
from tests.unit.fakes import T0, FakeClock

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


async def add_expired_anonymous_session(database_url: str) -> SessionId:
    """A tenant with one anonymous session that ended long ago, in that database."""
    engine = create_engine(database_url)
    uow = SqlUnitOfWorkFactory(engine)
    tenant = Tenant(id=TenantId(uuid.uuid4()), slug="old", name="Old",
                    settings=TenantSettings(), created_at=LONG_AGO)  # fmt: skip
    session_id = SessionId(uuid.uuid4())
    session = Session(
        id=session_id, tenant_id=tenant.id, principal_id=session_id, kind="anonymous",
        created_at=LONG_AGO, expires_at=LONG_AGO + timedelta(days=1), last_seen_at=LONG_AGO,
        user_agent=None,
    )  # fmt: skip
    try:
        async with uow() as tx:
            await tx.tenants.add(tenant)
            await tx.sessions.add(tenant.id, session)
            await tx.commit()
    finally:
        await engine.dispose()
    return session_id


def test_the_command_purges_and_prints_what_it_removed(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    asyncio.run(add_expired_anonymous_session(sqlite_url))
    monkeypatch.setenv("CHATCORE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CHATCORE_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)

    assert cli.main(["purge"]) == 0
    assert "purged 1 expired row(s): user_sessions=0, anonymous_sessions=1," in (
        capsys.readouterr().out
    )
    assert cli.main(["purge"]) == 0
    assert "purged 0 expired row(s)" in capsys.readouterr().out


def crashed_upload(storage_dir: Path) -> Path:
    """What a process that died mid-upload left: a temporary file, idle for hours."""
    part = storage_dir / "documents" / "ab" / f".ab{'0' * 30}.12345678.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"half an upload")
    hours_ago = (datetime.now(UTC) - timedelta(hours=3)).timestamp()
    os.utime(part, (hours_ago, hours_ago))
    return part


def test_the_command_removes_what_crashed_uploads_left(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = crashed_upload(tmp_path / "files")
    monkeypatch.setenv("CHATCORE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CHATCORE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CHATCORE_STORAGE_DIR", str(tmp_path / "files"))
    monkeypatch.chdir(tmp_path)

    assert cli.main(["purge"]) == 0
    assert not part.exists()


async def test_the_server_removes_what_crashed_uploads_left_when_it_starts(
    sqlite_url: str, tmp_path: Path
) -> None:
    settings = app_settings(sqlite_url, tmp_path, purge_interval_minutes="0")
    part = crashed_upload(Path(settings.storage_dir))
    async with AsyncTestClient(create_app(settings)):
        assert not part.exists()


class ScriptedPurge:
    """A purge that fails, then removes two sessions, then finds nothing; counts calls."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> PurgeReport:
        self.calls += 1
        if self.calls == 1:
            raise Unavailable("database")
        return PurgeReport(user_sessions=2) if self.calls == 2 else PurgeReport()


PURGE_JOB = Job(id=JobId(uuid.uuid4()), kind=PURGE, key=PURGE, payload={}, attempts=1, run_at=T0)


async def test_the_periodic_purge_logs_its_counts_and_survives_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    purge, clock = ScriptedPurge(), FakeClock()
    caplog.set_level(logging.INFO, logger="chatcore.housekeeping")
    periodic = PeriodicPurge(purge, clock, interval_minutes=5)
    for _ in range(3):  # each run, failed or not, is due again one interval later
        assert await periodic.run(PURGE_JOB) == T0 + timedelta(minutes=5)

    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert infos == ["purged expired rows: {'user_sessions': 2}"]


async def test_an_interval_of_zero_never_purges() -> None:
    database, clock = MemoryDatabase(), FakeClock()
    periodic = PeriodicPurge(ScriptedPurge(), clock, interval_minutes=0)
    await periodic.schedule(database.unit_of_work)
    async with database.unit_of_work() as uow:
        assert await uow.jobs.due(T0 + timedelta(days=365)) == 0
    assert await periodic.run(PURGE_JOB) is None  # a purge queued before is not again


def test_the_interval_may_not_be_negative() -> None:
    assert load_settings({}, env_file=None).purge_interval_minutes == 60
    with pytest.raises(SettingsError, match="CHATCORE_PURGE_INTERVAL_MINUTES"):
        load_settings({"CHATCORE_PURGE_INTERVAL_MINUTES": "-1"}, env_file=None)


async def test_the_server_purges_on_its_interval_and_stops_on_shutdown(
    sqlite_url: str, tmp_path: Path
) -> None:
    await add_expired_anonymous_session(sqlite_url)
    settings = app_settings(
        sqlite_url, tmp_path, purge_interval_minutes="0.0005", job_poll_seconds="0.01"
    )  # 30 ms
    container = build_container(settings)
    real = container.use_cases.purge_expired()
    reports: list[PurgeReport] = []

    async def counting() -> PurgeReport:
        reports.append(await real())
        return reports[-1]

    container.use_cases.purge_expired.override(providers.Object(counting))
    async with AsyncTestClient(create_app(settings, container)):
        for _ in range(200):
            if len(reports) >= 2:
                break
            await asyncio.sleep(0.02)

    assert reports[:2] == [PurgeReport(anonymous_sessions=1), PurgeReport()]
    stopped_at = len(reports)
    await asyncio.sleep(0.1)
    assert len(reports) == stopped_at

"""chatcore as a library: the system is built from settings and used without Litestar,
and leaving its block closes what it opened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dependency_injector import providers

from adapters.events import InProcessEventBus
from chatcore import ChatRequest
from http_shell.container import Container, chatcore_system
from tests.support.app import app_settings


def test_building_the_system_does_not_import_the_web_framework() -> None:
    script = (
        "import sys, http_shell.container as c; "
        "print(any(m == 'litestar' or m.startswith('litestar.') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


async def test_use_cases_run_inside_another_service(sqlite_url: str, tmp_path: Path) -> None:
    settings = app_settings(sqlite_url, tmp_path)
    async with chatcore_system(settings) as system:
        tenant = await system.create_tenant()("acme", "Acme Inc")
        assert await system.find_tenant()("acme") == tenant
        credential = await system.create_anonymous_session()(tenant, "worker/1.0")
        principal = await system.resolve_principal()(credential.access_token, None)
        dialog = await system.create_dialog()(principal, "From a worker")
        question = ChatRequest(message="Hello from a worker", dialog_id=dialog.id)
        stream = await system.chat_service().start(principal, tenant, question)
        names = [event.name async for event in stream]
    assert names[0] == "meta" and names[-1] == "done"


class ClosingRecordedBus(InProcessEventBus):
    """An event bus that remembers being closed."""

    closed = False

    async def close(self) -> None:
        self.closed = True
        await super().close()


async def test_leaving_the_block_closes_the_system_even_when_it_raises(
    sqlite_url: str, tmp_path: Path
) -> None:
    bus = ClosingRecordedBus()

    def use_recorded_bus(container: Container) -> None:
        container.adapters.event_bus.override(providers.Object(bus))

    settings = app_settings(sqlite_url, tmp_path)
    with pytest.raises(RuntimeError, match="the service failed"):
        async with chatcore_system(settings, configure=use_recorded_bus):
            assert not bus.closed
            raise RuntimeError("the service failed")
    assert bus.closed

"""``chatcore serve`` in a real subprocess on a free loopback port, for the tests
that need a whole process (a browser, or two processes sharing one database)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

CHATCORE = Path(sys.executable).with_name("chatcore")
# Generous: a cold interpreter importing everything on a busy machine; never a bound.
START_SECONDS = 60.0
STOP_SECONDS = 15.0


def free_port() -> int:
    """A loopback TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class ServerProcess:
    """A started ``chatcore serve``: its base URL, its process and its output file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def wait_until_up(self, seconds: float = START_SECONDS) -> None:
        """Return once /health answers 200; RuntimeError with the output otherwise."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chatcore serve exited:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1, trust_env=False).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.url} did not answer /health:\n{self.log.read_text()}")


@contextmanager
def serving(
    folder: Path, settings: Mapping[str, str], *options: str, port: int | None = None
) -> Iterator[ServerProcess]:
    """Start ``chatcore serve`` (plus options) in folder, its output in server.log there,
    with these CHATCORE_ settings, on port or a free one; stop it when the block ends,
    however it ends.

    Callers then wait with ``wait_until_up`` or ``wait_until_all_up``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    # The developer's own settings must not change what the tests see, and the folder
    # has no .env file to read either.
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CHATCORE_")},
        **settings,
    }
    environ.pop("DATABASE_URL", None)
    log = folder / "server.log"
    command = [str(CHATCORE), "serve", "--host", "127.0.0.1", "--port", str(port), *options]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=folder, env=environ, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield ServerProcess(f"http://127.0.0.1:{port}", process, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def wait_until_all_up(*servers: ServerProcess) -> None:
    """Wait for several servers at once, each in a thread, so they start in parallel."""
    await asyncio.gather(*(asyncio.to_thread(server.wait_until_up) for server in servers))

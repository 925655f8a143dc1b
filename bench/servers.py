"""Server processes: chatcore, the bare references and the model stub, each on a free
loopback port, pinned to the server cores, logging to a file, stopped at the end."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench import procstat

HOST = "127.0.0.1"
READY_SECONDS = 60.0
STOP_SECONDS = 15.0

CHATCORE, RAW, LITESTAR = "chatcore", "raw-asgi", "litestar"
# chatcore as configured for scenario 8: metrics off, and metrics and request lines off.
METRICS_OFF, QUIET = "chatcore-metrics-off", "chatcore-quiet"
CHATCORE_VARIANTS = {
    CHATCORE: ((), {}),
    METRICS_OFF: ((), {"CHATCORE_METRICS": "false"}),
    QUIET: (("--no-access-log",), {"CHATCORE_METRICS": "false"}),
}
LABELS = {
    RAW: "bare raw ASGI",
    LITESTAR: "bare Litestar",
    CHATCORE: "chatcore",
    METRICS_OFF: "chatcore, metrics off",
    QUIET: "chatcore, metrics and request lines off",
}


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running server process."""

    name: str
    port: int
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def cpu_seconds(self) -> float:
        return procstat.cpu_seconds(self.pid)

    def rss_kib(self) -> int:
        return procstat.rss_kib(self.pid)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        """Ask it to shut down gracefully; kill it if it will not."""
        if self.alive():
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def launch(
    name: str,
    argv: list[str],
    *,
    env: Mapping[str, str],
    cwd: Path,
    port: int,
    cpus: set[int] | None,
    log_dir: Path,
    health_path: str | None = "/health",
) -> Server:
    """Start ``argv`` and wait until it answers (``health_path`` with 200, or when None,
    until the port accepts connections)."""
    log = log_dir / f"{name}-{port}.log"
    with log.open("ab") as out:
        popen = subprocess.Popen(
            argv,
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, port, popen, log)
    if cpus:
        # Moments after exec, before the server starts its threads: they inherit it.
        procstat.pin(popen.pid, cpus)
    deadline = time.monotonic() + READY_SECONDS
    while not _answers(port, health_path):
        if not server.alive() or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"{name} did not start; its log ends:\n{server.log_tail()}")
        time.sleep(0.1)
    return server


def python_module(module: str, *args: str) -> list[str]:
    """The command line running ``module`` with this interpreter."""
    return [sys.executable, "-m", module, *args]


def uvicorn_app(app: str, port: int) -> list[str]:
    """A reference app under uvicorn, configured as ``chatcore serve`` configures it
    (one worker, info log level, access log, proxy headers), so only the app differs."""
    return python_module(
        "uvicorn",
        app,
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "info",
        "--proxy-headers",
        "--timeout-graceful-shutdown",
        "10",
    )


def chatcore_serve(port: int, *options: str) -> list[str]:
    """``chatcore serve`` as installed next to this interpreter."""
    script = Path(sys.executable).with_name("chatcore")
    command = [str(script)] if script.exists() else python_module("http_shell.cli")
    return [*command, "serve", "--host", HOST, "--port", str(port), *options]


def _answers(port: int, health_path: str | None) -> bool:
    if health_path is None:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
        except OSError:
            return False
        return True
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}{health_path}", timeout=2) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError):
        return False

"""The run's shared state: the profile, the work folder, which cores do what, the
environment every child gets, and the two ways of producing load."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import wrk
from bench.profile import Profile
from bench.servers import HOST, Server

ROOT = Path(__file__).resolve().parent.parent
# Variables of the developer's shell that would change what the servers do.
_SCRUBBED_PREFIXES = ("CHATCORE_", "BENCH_")
_SCRUBBED = {"DATABASE_URL", "OPENAI_API_KEY", "DEEPSEEK_API_KEY"}


@dataclass(frozen=True)
class Cores:
    """Which cores run the servers, the database and the load; None: not pinned."""

    server: set[int] | None
    database: set[int] | None
    load: set[int] | None

    @classmethod
    def plan(cls) -> Cores:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            return cls(None, None, None)
        server = {cpus[0]}
        if len(cpus) == 2:
            # Two cores: the database competes with the server it serves, as it would on
            # a one-box deployment, and the load generator keeps a core of its own.
            return cls(server, server, {cpus[1]})
        return cls(server, {cpus[1]}, set(cpus[2:]))

    @property
    def every(self) -> set[int] | None:
        """All the cores the plan uses."""
        if self.server is None:
            return None
        return self.server | (self.database or set()) | (self.load or set())

    def describe(self) -> str:
        if self.server is None:
            return "not pinned (one core)"
        return (
            f"server on core {_cores(self.server)}, database on {_cores(self.database)}, "
            f"load generator and model stub on {_cores(self.load)}"
        )


@dataclass
class Bench:
    """Everything a scenario needs to start servers and load them."""

    profile: Profile
    work: Path
    cores: Cores
    loader: str  # "wrk" or "python"
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def log_dir(self) -> Path:
        path = self.work / "logs"
        path.mkdir(exist_ok=True)
        return path

    def child_env(self, **extra: str) -> dict[str, str]:
        """The environment of a child: this one without settings that would leak in."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(_SCRUBBED_PREFIXES) and key not in _SCRUBBED
        }
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env.update(extra)
        return env

    def job(self, job: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Run one load-generator job in its own process; its result."""
        path, result_path = self.work / "job.json", self.work / "result.json"
        path.write_text(json.dumps(job))
        result_path.unlink(missing_ok=True)
        done = subprocess.run(
            [sys.executable, "-m", "bench.loadgen", str(path), str(result_path)],
            env=self.child_env(),
            cwd=ROOT,
            capture_output=True,
            timeout=timeout + 60,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"load generator failed:\n{done.stderr.decode()[-3000:]}")
        result: dict[str, Any] = json.loads(result_path.read_bytes())
        return result

    def hammer(
        self, server: Server, path: str, headers: list[tuple[str, str]], seconds: float
    ) -> dict[str, Any]:
        """A closed loop of GETs on ``profile.connections`` connections for ``seconds``."""
        connections = self.profile.connections
        if self.loader == "wrk":
            return wrk.run(f"http://{HOST}:{server.port}{path}", headers, connections, seconds)
        return self.job(
            {
                "type": "hammer",
                "port": server.port,
                "connections": connections,
                "seconds": seconds,
                "max_requests": 2_000_000,
                "request": {"method": "GET", "path": path, "headers": headers},
            },
            timeout=seconds,
        )


def _cores(cpus: set[int] | None) -> str:
    return ",".join(str(cpu) for cpu in sorted(cpus or ()))

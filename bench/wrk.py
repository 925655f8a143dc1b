"""Load from ``wrk`` when it is installed: one thread, keep-alive, fixed duration."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    url: str, headers: list[tuple[str, str]], connections: int, seconds: float
) -> dict[str, Any]:
    """Requests/s, latency percentiles and error counts of one wrk run."""
    argv = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    for name, value in headers:
        argv += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*argv, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    return parse(output)


def parse(output: str) -> dict[str, Any]:
    """The figures of wrk's ``--latency`` report."""
    latency = {
        f"p{point}": _ms(value, unit)
        for point, value, unit in re.findall(
            r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M
        )
    }
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not (total and rps):
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    requests = int(total.group(1))
    bad = int(non_2xx.group(1)) if non_2xx else 0
    return {
        "requests": requests,
        "ok": requests - bad,
        "errors": bad + (sum(int(n) for n in sockets.groups()) if sockets else 0),
        "seconds": _ms(total.group(2), total.group(3)) / 1000,
        "rps": float(rps.group(1)),
        "latency_ms": latency,
    }


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]

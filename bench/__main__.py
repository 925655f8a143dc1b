"""``python -m bench [--quick] [--only 1,3] [--loader auto|wrk|python]``: run the
benchmark, print one Markdown table per scenario, and keep the tables and the raw
figures under ``bench/results/``."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import wrk
from bench.context import ROOT, Bench, Cores
from bench.profile import FULL, QUICK
from bench.report import Table
from bench.run import TITLES, Run, progress

RESULTS = ROOT / "bench" / "results"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    profile = QUICK if args.quick else FULL
    selected = {int(n) for n in args.only.split(",")} if args.only else set(TITLES)
    loader = args.loader if args.loader != "auto" else ("wrk" if wrk.available() else "python")
    if loader == "wrk" and not wrk.available():
        print(
            "bench: wrk is not installed (apt-get install wrk); use --loader python",
            file=sys.stderr,
        )
        return 2
    cores = Cores.plan()
    if cores.load:
        os.sched_setaffinity(0, cores.load)  # the load generators started from here inherit it
    _allow_many_sockets()
    machine = _machine(cores, loader)
    started = time.monotonic()
    progress(f"{profile.name} run; {machine['cores_plan']}; load from {loader}")
    with tempfile.TemporaryDirectory(prefix="chatcore-bench-") as work:
        tables = Run(Bench(profile, Path(work), cores, loader), selected).all()
    machine["load_average_after"] = os.getloadavg()
    machine["minutes"] = round((time.monotonic() - started) / 60, 1)
    command = "make bench-quick" if args.quick else "make bench"
    markdown = _markdown(tables, machine, command)
    print(markdown)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}-{profile.name}"
    stem.with_suffix(".md").write_text(markdown)
    stem.with_suffix(".json").write_text(
        json.dumps(
            {
                "machine": machine,
                "command": command,
                "profile": profile.__dict__,
                "scenarios": {n: t.as_json() for n, t in tables.items()},
            },
            indent=1,
            default=str,
        )
    )
    progress(f"done in {machine['minutes']} min; results in {stem}.md and .json")
    return 0


def _markdown(tables: dict[int, Table], machine: dict[str, Any], command: str) -> str:
    lines = [
        f"## chatcore benchmark — `{command}`, {machine['date']}",
        "",
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; "
        f"Python {machine['python']}; {machine['cores_plan']}; load from `{machine['loader']}`; "
        f"load average {_load(machine['load_average_before'])} before, "
        f"{_load(machine['load_average_after'])} after; {machine['minutes']} min.",
        "",
    ]
    lines += [table.markdown() for table in tables.values()]
    return "\n".join(lines)


def _machine(cores: Cores, loader: str) -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _lines("/proc/cpuinfo")
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        (int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0
    )
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 1024**2),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "cores_plan": cores.describe(),
        "loader": loader,
        "load_average_before": os.getloadavg(),
    }


def _load(average: tuple[float, float, float]) -> str:
    return f"{average[0]:.1f}"


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def _allow_many_sockets() -> None:
    """Scenario 4 holds thousands of connections open in each process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else hard
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the ~2-minute run")
    parser.add_argument("--only", help="scenario numbers, comma-separated (default: all)")
    parser.add_argument(
        "--loader",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load for the request scenarios: wrk when installed (auto)",
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())

"""What a server process costs, read from ``/proc``: CPU time and resident memory,
summed over the process and its descendants (Postgres forks a backend per
connection), and pinning a process, its threads and children to cores."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """``pid`` and every live descendant."""
    children: dict[int, list[int]] = {}
    for entry in _read_dir(Path("/proc")):
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry.name))  # ppid
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, ()))
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` and its live descendants."""
    total = 0
    for member in tree(pid):
        fields = _stat_fields(member)
        if fields:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its live descendants, KiB."""
    return sum(_status_kib(member, "VmRSS") for member in tree(pid))


def pin(pid: int, cpus: set[int]) -> None:
    """Keep ``pid``, its threads and descendants on ``cpus`` (new ones inherit it)."""
    for member in tree(pid):
        for task in _read_dir(Path(f"/proc/{member}/task")):
            try:
                os.sched_setaffinity(int(task.name), cpus)
            except (ProcessLookupError, PermissionError):
                continue  # a thread that just ended, or one we may not move


def _stat_fields(pid: int) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name (which may hold spaces):
    state, ppid, ..."""
    return _read(Path(f"/proc/{pid}/stat")).rpartition(")")[2].split()


def _status_kib(pid: int, field: str) -> int:
    for line in _read(Path(f"/proc/{pid}/status")).splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""  # the process ended between listing and reading


def _read_dir(path: Path) -> list[Path]:
    try:
        return list(path.iterdir())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return []

"""Metrics across several worker processes sharing one port (``--workers N``):
prometheus-client's multi-process mode, each process writing its values to files in
one folder that a scrape of any worker adds up."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import multiprocess

FOLDER_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_LIVE_GAUGE_FILE = re.compile(r"gauge_live\w+_(\d+)\.db")


@contextmanager
def shared_metrics(workers: int) -> Iterator[None]:
    """For more than one worker, a fresh folder for their metrics (unless the operator
    named one), set in the environment the workers start with, removed at the end."""
    if workers <= 1 or os.environ.get(FOLDER_VARIABLE):
        yield
        return
    folder = tempfile.mkdtemp(prefix="chatcore-metrics-")
    os.environ[FOLDER_VARIABLE] = folder
    try:
        yield
    finally:
        del os.environ[FOLDER_VARIABLE]
        shutil.rmtree(folder, ignore_errors=True)


def leave_shared_metrics() -> None:
    """A worker that stops takes its live gauges (streams open, pool, jobs) out of
    the sum; its counters stay counted."""
    if os.environ.get(FOLDER_VARIABLE):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def join_shared_metrics() -> None:
    """A worker that starts takes out of the sum the live gauges of workers that died
    without saying so (killed, or restarted by the supervisor)."""
    folder = os.environ.get(FOLDER_VARIABLE)
    if not folder:
        return
    for file in Path(folder).glob("gauge_live*.db"):
        found = _LIVE_GAUGE_FILE.fullmatch(file.name)
        if found and not _alive(int(found.group(1))):
            multiprocess.mark_process_dead(int(found.group(1)))  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True

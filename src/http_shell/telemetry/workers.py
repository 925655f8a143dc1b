"""Metrics across several worker processes sharing one port (``--workers N``):
prometheus-client's multi-process mode, each process writing its values to files in
one folder that a scrape of any worker adds up."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import multiprocess

FOLDER_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


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

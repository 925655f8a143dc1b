"""Request ids: the client's ``X-Request-ID`` when it is sane, else a new one, held in
a context variable for every log line written while the request is served."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("chatcore_request_id", default=None)
HEADER = b"x-request-id"
# What fits in a log line and a header unchanged: no spaces, quotes or controls.
_SANE = re.compile(rb"[A-Za-z0-9._~:/+=@-]{1,128}")


class _Ids:
    """A random prefix per process and a counter: unique across processes and
    restarts, and cheaper than a UUID on every request."""

    def __init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        self.prefix = os.urandom(6).hex()
        self.counter = itertools.count(1)

    def new(self) -> str:
        return f"{self.prefix}-{next(self.counter):x}"


_IDS = _Ids()
os.register_at_fork(after_in_child=_IDS.renew)


def request_id_of(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The request's own id if it sent a sane one (1 to 128 safe characters), else a new one."""
    for name, value in headers:
        if name == HEADER:
            if _SANE.fullmatch(value):
                return value.decode("ascii")
            break
    return _IDS.new()

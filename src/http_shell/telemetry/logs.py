"""Log lines as text or JSON objects, each carrying the request id of the request it
was written for. One configuration serves ``chatcore serve`` (all its workers, through
uvicorn's ``log_config``) and the other commands."""

from __future__ import annotations

import logging
import logging.config
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec

from http_shell.telemetry.batching import BatchingStreamHandler
from http_shell.telemetry.request_ids import REQUEST_ID

LogFormat = Literal["text", "json"]
ACCESS_LOGGER = "chatcore.access"
# What the request log line adds to a record (see http_shell.telemetry.middleware).
REQUEST_FIELDS = ("method", "route", "status", "duration")

_encode = msgspec.json.Encoder().encode


class RequestIdFilter(logging.Filter):
    """Gives each record the id of the request being served, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        if request_id is not None:
            record.request_id = request_id
        return True


class _SecondsCache:
    """A record's time to the second, formatted once a second rather than per line."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def __call__(self, created: float, fmt: str) -> str:
        second = int(created)
        if second != self._second:
            self._second = second
            self._text = datetime.fromtimestamp(second, UTC).strftime(fmt)
        return self._text


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message``, the time in UTC."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            defaults={"request_id": "-"},
        )
        self._seconds = _SecondsCache()

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return f"{self._seconds(record.created, '%Y-%m-%dT%H:%M:%S')}.{int(record.msecs):03d}Z"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, and for the
    request line method, route, status and duration (seconds)."""

    def __init__(self) -> None:
        super().__init__()
        self._seconds = _SecondsCache()

    def format(self, record: logging.LogRecord) -> str:
        second = self._seconds(record.created, "%Y-%m-%dT%H:%M:%S")
        entry: dict[str, Any] = {
            "time": f"{second}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for field in REQUEST_FIELDS:
            if field in record.__dict__:
                entry[field] = record.__dict__[field]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode(entry).decode()


def log_config(log_format: LogFormat, *, request_lines: bool = True) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` configuration: INFO and up to stderr, uvicorn's
    own lines included and its access log left off (the app writes a request line of
    its own, unless ``request_lines`` is false)."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"chatcore": {"()": formatter}},
        "handlers": {
            "stderr": {
                "()": BatchingStreamHandler,
                "formatter": "chatcore",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            ACCESS_LOGGER: {"level": "INFO" if request_lines else "WARNING"},
        },
    }


def configure_logging(log_format: LogFormat, *, request_lines: bool = True) -> None:
    """Configure this process's logging (see ``log_config``)."""
    logging.config.dictConfig(log_config(log_format, request_lines=request_lines))

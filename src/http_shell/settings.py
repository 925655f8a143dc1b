"""Settings: one Struct, read from the environment and an optional ``.env`` file.

A bad value stops start-up with ``SettingsError`` naming the variable; the CLI
prints that one line and exits, without a traceback.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from http_shell.storage_url import Storage, parse_storage_url

log = logging.getLogger("chatcore.settings")

PREFIX = "CHATCORE_"
MIN_SECRET_BYTES = 32
_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")


class SettingsError(Exception):
    """A setting has a value chatcore cannot start with."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything configurable, with the embedded defaults of a fresh checkout."""

    database_url: str = "sqlite+aiosqlite:///./data/chatcore.db"
    db_pool_size: int = 10
    db_max_overflow: int = 10
    auto_migrate: bool = True
    secret_key: str = ""
    session_ttl_minutes: int = 1440
    secure_cookie: bool = False
    cookie_samesite: Literal["lax", "strict", "none"] = "lax"
    allow_origins: tuple[str, ...] = ()
    public_url: str = "http://localhost:8000"
    confirm_redirect: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "chatcore <no-reply@localhost>"
    smtp_starttls: bool = True
    mail_dir: str | None = None
    llm_provider: Literal["local", "openai", "deepseek"] = "local"
    openai_api_key: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_base_url: str | None = None
    deepseek_api_key: str | None = None
    deepseek_model: str = "deepseek-chat"
    llm_max_connections: int = 2000
    embedder: Literal["local", "openai"] = "local"
    prompt_file: str | None = None
    storage_dir: str = "./data/files"  # the folder of file: storage when no URL is given
    storage_url: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    max_upload_mb: int = 20
    max_document_chars: int = 2_000_000
    storage_quota_mb: int = 200
    anonymous_storage_quota_mb: int = 20
    anonymous_sessions_per_hour: int = 30
    trusted_proxies: tuple[str, ...] = ()
    rate_limit_per_minute: int = 30
    monthly_token_quota: int = 1_000_000
    admin_token: str | None = None
    otp_ttl_seconds: int = 600
    otp_resend_seconds: int = 60
    local_model_wps: float = 40.0
    cancel_on_disconnect: bool = False
    ws_heartbeat_seconds: float = 25.0
    default_tenant: str = "default"
    data_dir: str = "./data"
    purge_interval_minutes: float = 60.0
    job_concurrency: int = 2  # jobs this process runs at once; 0: none (an API-only process)
    job_lease_seconds: float = 30.0
    job_poll_seconds: float = 1.0
    job_max_attempts: int = 5
    metrics: bool = True
    metrics_token: str | None = None
    log_format: Literal["text", "json"] = "text"
    # OpenTelemetry's own variable: traces are exported there when it is set.
    otlp_endpoint: str | None = None

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return make_url(self.database_url).get_backend_name()

    @property
    def storage(self) -> Storage:
        """Where files are kept: ``storage_url``, else the ``storage_dir`` folder."""
        return parse_storage_url(self.storage_url or f"file:{self.storage_dir}")


# Variables read without the CHATCORE_ prefix, as their ecosystems name them.
_ALIASES = {
    "database_url": ("CHATCORE_DATABASE_URL", "DATABASE_URL"),
    "openai_api_key": ("OPENAI_API_KEY",),
    "deepseek_api_key": ("DEEPSEEK_API_KEY",),
    "otlp_endpoint": ("OTEL_EXPORTER_OTLP_ENDPOINT",),
}
_SECRET_FIELDS = frozenset(
    {
        "secret_key",
        "smtp_password",
        "openai_api_key",
        "deepseek_api_key",
        "admin_token",
        "metrics_token",
    }
)


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> Settings:
    """Settings from ``environ`` (default: the process's) over ``env_file``.

    Raises SettingsError naming the first variable with a bad value.
    """
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update(_read_env_file(env_file))
    values.update(os.environ if environ is None else environ)
    raw: dict[str, Any] = {}
    for name, field in _fields().items():
        variable, value = _lookup(values, name)
        if value is not None:
            raw[name] = _convert(variable, value, field)
    if "database_url" in raw:
        raw["database_url"] = _with_async_driver(raw["database_url"])
    settings = Settings(**raw)
    _check(settings)
    return settings


def ensure_secret_key(settings: Settings) -> Settings:
    """The settings with a secret key: the configured one, or one generated once and
    kept in the data folder (with a warning), so sessions survive restarts."""
    if settings.secret_key:
        return settings
    path = Path(settings.data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
        log.warning("CHATCORE_SECRET_KEY is not set: generated one in %s", path)
    return msgspec.structs.replace(settings, secret_key=path.read_text().strip())


def _fields() -> dict[str, Any]:
    return {f.name: f.type for f in msgspec.structs.fields(Settings)}


def _lookup(values: Mapping[str, str], name: str) -> tuple[str, str | None]:
    for variable in _ALIASES.get(name, (PREFIX + name.upper(),)):
        if variable in values and values[variable] != "":
            return variable, values[variable]
    return PREFIX + name.upper(), None


def _convert(variable: str, value: str, field_type: Any) -> Any:
    if field_type == tuple[str, ...]:
        return tuple(item.strip() for item in value.split(",") if item.strip())
    try:
        return msgspec.convert(value.strip(), field_type, strict=False)
    except msgspec.ValidationError as exc:
        shown = (
            "(hidden)" if variable.lower().removeprefix("chatcore_") in _SECRET_FIELDS else value
        )
        raise SettingsError(f"{variable}={shown!s}: {_reason(exc)}") from None


def _reason(exc: msgspec.ValidationError) -> str:
    reason = str(exc).split(" - at ", 1)[0].replace(", got `str`", "")
    return reason.replace("Expected `", "expected ").replace("`", "")


def _with_async_driver(url: str) -> str:
    """Accept the URLs other tools print (``postgres://``, ``sqlite:///``) by naming
    the async driver chatcore uses for them."""
    for plain, full in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return full + url[len(plain) :]
    return url


def _check(settings: Settings) -> None:
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        raise SettingsError("CHATCORE_DATABASE_URL: not a database URL") from None
    if url.drivername not in _SCHEMES:
        raise SettingsError(
            f"CHATCORE_DATABASE_URL: unsupported scheme {url.drivername!r}; "
            f"use one of {', '.join(s + '://' for s in _SCHEMES)}"
        )
    try:
        settings.storage  # noqa: B018  # parsed for its errors
    except ValueError as exc:
        raise SettingsError(f"CHATCORE_STORAGE_URL: {exc}") from None
    if "*" in settings.allow_origins:
        raise SettingsError(
            "CHATCORE_ALLOW_ORIGINS: '*' is not allowed, because responses carry credentials "
            "(cookies); list the origins"
        )
    if settings.cookie_samesite == "none" and not settings.secure_cookie:
        raise SettingsError(
            "CHATCORE_COOKIE_SAMESITE=none requires CHATCORE_SECURE_COOKIE=true (browsers "
            "drop SameSite=None cookies without Secure)"
        )
    if settings.secret_key and len(settings.secret_key.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(f"CHATCORE_SECRET_KEY: must be at least {MIN_SECRET_BYTES} bytes")
    for name in (
        "session_ttl_minutes",
        "otp_ttl_seconds",
        "db_pool_size",
        "max_upload_mb",
        "max_document_chars",
        "ws_heartbeat_seconds",
    ):
        if getattr(settings, name) <= 0:
            raise SettingsError(f"{PREFIX}{name.upper()}: must be positive")
    for name in ("job_lease_seconds", "job_poll_seconds", "job_max_attempts"):
        if not 0 < getattr(settings, name) < math.inf:
            raise SettingsError(f"{PREFIX}{name.upper()}: must be positive")
    for name in (
        "storage_quota_mb",
        "anonymous_storage_quota_mb",
        "anonymous_sessions_per_hour",
        "job_concurrency",
    ):
        if getattr(settings, name) < 0:
            raise SettingsError(f"{PREFIX}{name.upper()}: must not be negative")
    for proxy in settings.trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise SettingsError(
                f"{PREFIX}TRUSTED_PROXIES: {proxy!r} is not an address or network"
            ) from None
    if not 0 <= settings.purge_interval_minutes < math.inf:  # NaN fails too
        raise SettingsError(f"{PREFIX}PURGE_INTERVAL_MINUTES: must be 0 (off) or positive")
    if settings.llm_provider == "openai" and not (
        settings.openai_api_key or settings.openai_base_url
    ):
        raise SettingsError("OPENAI_API_KEY: required when CHATCORE_LLM_PROVIDER=openai")
    if settings.otlp_endpoint is not None and not settings.otlp_endpoint.startswith(
        ("http://", "https://")
    ):
        raise SettingsError(
            "OTEL_EXPORTER_OTLP_ENDPOINT: not an http(s) URL (the collector's OTLP/HTTP "
            "address, such as http://collector:4318)"
        )
    if settings.llm_provider == "deepseek" and not settings.deepseek_api_key:
        raise SettingsError("DEEPSEEK_API_KEY: required when CHATCORE_LLM_PROVIDER=deepseek")


def _read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values

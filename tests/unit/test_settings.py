"""Settings: defaults, aliases, .env files, and one clear line for every bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from http_shell.settings import SettingsError, ensure_secret_key, load_settings


def test_defaults_are_the_embedded_development_setup() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///./data/chatcore.db"
    assert settings.llm_provider == "local"
    assert settings.cookie_samesite == "lax"
    assert settings.session_ttl_minutes == 1440
    assert settings.allow_origins == ()


def test_database_url_alias_and_plain_driver_names() -> None:
    settings = load_settings({"DATABASE_URL": "postgres://u:p@db/chat"}, env_file=None)
    assert settings.database_url == "postgresql+asyncpg://u:p@db/chat"
    both = {"DATABASE_URL": "sqlite:///a.db", "CHATCORE_DATABASE_URL": "sqlite:///b.db"}
    assert load_settings(both, env_file=None).database_url == "sqlite+aiosqlite:///b.db"


def test_env_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\nCHATCORE_SESSION_TTL_MINUTES=15\nexport CHATCORE_PUBLIC_URL='https://x.test'\n"
    )
    settings = load_settings({"CHATCORE_SESSION_TTL_MINUTES": "30"}, env_file=env_file)
    assert settings.session_ttl_minutes == 30
    assert settings.public_url == "https://x.test"


def test_origins_are_a_comma_separated_list() -> None:
    settings = load_settings(
        {"CHATCORE_ALLOW_ORIGINS": "https://a.test, https://b.test"}, env_file=None
    )
    assert settings.allow_origins == ("https://a.test", "https://b.test")


def test_abuse_limits_default_as_documented_and_proxies_are_a_list() -> None:
    settings = load_settings({}, env_file=None)
    assert (settings.max_document_chars, settings.anonymous_sessions_per_hour) == (2_000_000, 30)
    assert (settings.storage_quota_mb, settings.anonymous_storage_quota_mb) == (200, 20)
    assert settings.trusted_proxies == ()
    proxies = load_settings({"CHATCORE_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}, env_file=None)
    assert proxies.trusted_proxies == ("10.0.0.0/8", "::1")


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"CHATCORE_DATABASE_URL": "mysql://x/y"}, "CHATCORE_DATABASE_URL"),
        ({"CHATCORE_DATABASE_URL": "::::"}, "CHATCORE_DATABASE_URL"),
        ({"CHATCORE_SESSION_TTL_MINUTES": "soon"}, "CHATCORE_SESSION_TTL_MINUTES"),
        ({"CHATCORE_SESSION_TTL_MINUTES": "0"}, "CHATCORE_SESSION_TTL_MINUTES"),
        ({"CHATCORE_ALLOW_ORIGINS": "https://a.test,*"}, "CHATCORE_ALLOW_ORIGINS"),
        ({"CHATCORE_SECURE_COOKIE": "perhaps"}, "CHATCORE_SECURE_COOKIE"),
        ({"CHATCORE_COOKIE_SAMESITE": "none"}, "CHATCORE_COOKIE_SAMESITE"),
        ({"CHATCORE_LLM_PROVIDER": "gpt"}, "CHATCORE_LLM_PROVIDER"),
        ({"CHATCORE_SECRET_KEY": "short"}, "CHATCORE_SECRET_KEY"),
        ({"CHATCORE_LLM_PROVIDER": "openai"}, "OPENAI_API_KEY"),
        ({"CHATCORE_TRUSTED_PROXIES": "10.0.0.1, proxy.local"}, "CHATCORE_TRUSTED_PROXIES"),
        ({"CHATCORE_MAX_DOCUMENT_CHARS": "0"}, "CHATCORE_MAX_DOCUMENT_CHARS"),
        ({"CHATCORE_STORAGE_QUOTA_MB": "-1"}, "CHATCORE_STORAGE_QUOTA_MB"),
        (
            {"CHATCORE_ANONYMOUS_SESSIONS_PER_HOUR": "-5"},
            "CHATCORE_ANONYMOUS_SESSIONS_PER_HOUR",
        ),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"),
    ],
)
def test_a_bad_value_names_its_variable_in_one_line(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ, env_file=None)
    message = str(caught.value)
    assert named in message
    assert "\n" not in message


def test_traces_are_off_unless_opentelemetrys_own_variable_names_a_collector() -> None:
    assert load_settings({}, env_file=None).otlp_endpoint is None
    # OpenTelemetry's name, not a CHATCORE_ one: the variable its SDK documents.
    on = load_settings({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, env_file=None)
    assert on.otlp_endpoint == "http://collector:4318"
    assert (
        load_settings({"CHATCORE_OTLP_ENDPOINT": "http://x:4318"}, env_file=None).otlp_endpoint
        is None
    )


def test_a_generated_secret_key_is_kept_across_starts(tmp_path: Path) -> None:
    settings = load_settings({"CHATCORE_DATA_DIR": str(tmp_path)}, env_file=None)
    first = ensure_secret_key(settings).secret_key
    assert len(first) >= 32
    assert ensure_secret_key(settings).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_cli_prints_one_line_and_no_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from http_shell.cli import main

    monkeypatch.setenv("CHATCORE_SESSION_TTL_MINUTES", "tomorrow")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "CHATCORE_SESSION_TTL_MINUTES" in err
    assert "Traceback" not in err

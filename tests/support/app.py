"""Build the HTTP app for tests: real settings, a fresh database, the in-process client."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from http_shell.app import create_app
from http_shell.container import Container
from http_shell.settings import Settings, load_settings

ADMIN_TOKEN = "test-admin-token"
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


def app_settings(database_url: str, data_dir: Path, **overrides: str) -> Settings:
    """Settings as a deployment would load them from its environment."""
    environ = {
        "CHATCORE_DATABASE_URL": database_url,
        "CHATCORE_DATA_DIR": str(data_dir),
        "CHATCORE_STORAGE_DIR": str(data_dir / "files"),
        "CHATCORE_SECRET_KEY": SECRET_KEY,
        "CHATCORE_ADMIN_TOKEN": ADMIN_TOKEN,
        "CHATCORE_LOCAL_MODEL_WPS": "0",
        **{f"CHATCORE_{k.upper()}": v for k, v in overrides.items()},
    }
    return load_settings(environ, env_file=None)


# By the app's id: Litestar takes no weak references. An entry is as small as the
# test run is short.
_CONTAINERS: dict[int, Container] = {}


def app_on(settings: Settings, container: Container) -> Litestar:
    """The app on ``container``, which tests reach again through ``container_of``."""
    app = create_app(settings, container)
    _CONTAINERS[id(app)] = container
    return app


def container_of(app: Litestar) -> Container:
    """The container an app made by ``app_on`` runs on."""
    return _CONTAINERS[id(app)]

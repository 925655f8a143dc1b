"""compose.yaml and the Dockerfile, which cannot run here: they parse into the
documented shape, and every command they run is one the CLI accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from http_shell.cli import _parser

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def accepted(command: list[str]) -> bool:
    assert command[0] == "chatcore"
    _parser().parse_args(command[1:])  # exits (SystemExit) on an unknown option
    return True


def test_compose_runs_postgres_two_api_replicas_and_one_worker_on_database_storage() -> None:
    services = compose()["services"]
    assert services["postgres"]["image"].startswith("pgvector/pgvector:")
    chatcore = {name: s for name, s in services.items() if s.get("build") == "."}
    assert set(chatcore) == {"migrate", "api-1", "api-2", "worker"}
    for service in chatcore.values():
        assert service["environment"]["CHATCORE_STORAGE_URL"] == "database"
        assert service["environment"]["CHATCORE_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert accepted(service["command"])
    for api in ("api-1", "api-2"):
        assert {"--no-worker", "--no-migrate"} <= set(services[api]["command"])
    assert services["worker"]["command"] == ["chatcore", "worker"]
    assert services["migrate"]["command"] == ["chatcore", "migrate"]


def test_the_image_runs_the_documented_server_as_no_root_without_build_tools() -> None:
    stages = (ROOT / "Dockerfile").read_text().split("\nFROM ")

    build, final = stages[1:]  # after the comments, the build stage and the final one
    assert "build-essential" in build and "build-essential" not in final
    assert "-slim" in final.splitlines()[0]
    user = next(line for line in final.splitlines() if line.startswith("USER "))
    assert user.split()[1] not in ("root", "0")
    command = json.loads(next(line for line in final.splitlines() if line.startswith("CMD "))[4:])
    assert accepted(command)


def test_the_readme_documents_what_compose_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "## Running on several machines" in readme
    for words in ("chatcore worker", "--no-worker", "CHATCORE_STORAGE_URL", "docker compose up"):
        assert words in readme

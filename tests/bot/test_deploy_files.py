"""The deployment files say what the README promises: a slim image run by a non-root user with
a health check, a compose file with the bot and PostgreSQL, a systemd unit that restarts.

No container is built here (the tests run without a Docker daemon or a registry); the files are
read as Docker, Compose and systemd would read them.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, rest = line.partition(" ")
            found.append((instruction.upper(), " ".join(rest.split())))
    return found


def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_image_is_slim_python_run_by_a_user_who_is_not_root() -> None:
    steps = dockerfile()
    (base,) = [rest for instruction, rest in steps if instruction == "FROM"]
    assert re.fullmatch(r"python:3\.(1[1-9])-slim", base), base
    users = [rest for instruction, rest in steps if instruction == "USER"]
    assert users and users[-1] not in ("root", "0")
    order = [instruction for instruction, _ in steps]
    # The package is installed before the switch, and everything after runs as that user.
    assert order.index("USER") > max(i for i, s in enumerate(steps) if "pip install" in s[1])
    assert ("CMD", '["staffroom", "run"]') in steps
    (check,) = [rest for instruction, rest in steps if instruction == "HEALTHCHECK"]
    assert "CMD" in check and "staffroom" in check


def test_the_image_gets_the_package_and_not_the_secrets() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".venv", "data", ".git"} <= ignored
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = project["tool"]["setuptools"]["packages"]["find"]["include"]
    needed = {pattern.rstrip("*") for pattern in packages} | {project["project"]["readme"]}
    assert not needed & ignored


def test_compose_runs_the_bot_beside_postgresql() -> None:
    services = compose()["services"]
    assert set(services) == {"bot", "db"}
    db, bot = services["db"], services["bot"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    named = set(compose()["volumes"])
    assert db["volumes"][0].split(":", 1)[0] in named
    assert bot["volumes"][0].split(":", 1)[0] in named
    for service in (db, bot):
        assert service["restart"] in ("always", "unless-stopped")
    assert bot["build"] == "."
    assert bot["env_file"] == ".env" or ".env" in bot["env_file"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    # The URL compose gives the bot is one the settings accept, pointing at the db service.
    url = bot["environment"]["DATABASE_URL"].replace("${POSTGRES_PASSWORD}", "secret")
    settings = load_settings({"DATABASE_URL": url})
    assert settings.database_url.startswith("postgresql+asyncpg://") and "@db:5432/" in url
    assert "POSTGRES_PASSWORD=" in (ROOT / ".env.example").read_text(encoding="utf-8")


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "deploy" / "staffroom.service", encoding="utf-8")
    return parser


def test_the_systemd_unit_restarts_always_with_the_env_file() -> None:
    service = unit()["Service"]
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"].endswith(".env")
    assert service["ExecStart"].endswith("/.venv/bin/staffroom run")
    assert service["User"] not in ("root", "0")
    assert service["KillSignal"] == "SIGTERM"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_reads_the_unit_without_a_complaint(tmp_path: Path) -> None:
    text = (ROOT / "deploy" / "staffroom.service").read_text(encoding="utf-8")
    # The checkout is not in /opt here: only the program's path is changed for the check.
    copy = tmp_path / "staffroom.service"
    copy.write_text(re.sub(r"(?m)^ExecStart=.*$", "ExecStart=/bin/true", text), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""


def test_the_readme_shows_each_way_to_deploy() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploy = readme.split("### Deploy", 1)[1].split("\n## ", 1)[0]
    for named in ("docker compose up", "Dockerfile", "deploy/staffroom.service", "--webhook"):
        assert named in deploy

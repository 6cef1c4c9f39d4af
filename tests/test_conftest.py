"""The test set-up itself: without a PostgreSQL server the README's command still passes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOWHERE = "postgresql://postgres@127.0.0.1:9/nope"  # the discard port: nothing listens there


def run_schools_tests(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "STAFFROOM_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "tests/storage/test_schools.py"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip


def test_an_unreachable_postgresql_skips_its_tests_with_the_reason() -> None:
    result = run_schools_tests(STAFFROOM_TEST_PG=NOWHERE)
    assert result.returncode == 0, result.stdout + result.stderr
    counts = re.search(r"(\d+) passed, (\d+) skipped", result.stdout)
    assert counts is not None and counts[1] == counts[2]  # SQLite runs, PostgreSQL is skipped
    assert "PostgreSQL at postgresql+asyncpg://postgres@127.0.0.1:9/nope is unreachable" in (
        result.stdout
    )


def test_ci_fails_rather_than_skips_when_postgresql_is_required() -> None:
    result = run_schools_tests(STAFFROOM_TEST_PG=NOWHERE, STAFFROOM_TEST_PG_REQUIRED="1")
    assert result.returncode != 0
    assert "unreachable" in result.stdout

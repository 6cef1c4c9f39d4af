"""The start-up planning benchmark runs on a small district and prints its figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import databases
from bench.district import QUICK
from bench.planning import main


async def test_the_planning_run_prints_each_starts_figures_per_school(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(databases, "WORK", tmp_path)
    if backend == "postgresql":
        from tests.conftest import PG_URL

        monkeypatch.setattr(databases, "PG_URL", PG_URL)
    await main(2, backend == "postgresql", listing=True, school=QUICK.school, name="planning_test")
    printed = capsys.readouterr().out
    assert "2 schools' year on" in printed
    for start in ("first start", "restart"):
        assert f"  {start}: " in printed
    assert "ms a school" in printed and "statements" in printed
    assert "SELECT" in printed  # the statements of a school, listed

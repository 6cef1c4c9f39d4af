"""While a term's cover statement is built, other people's commands are still answered (the
benchmark's own check that it timed real answers; the figures themselves are only printed)."""

from __future__ import annotations

from datetime import datetime

from bench.dataset import Size, build
from bench.reports import alongside
from tests.conftest import SHANGHAI

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=SHANGHAI)


async def test_today_leave_and_homework_are_answered_while_a_statement_is_built(
    db_url: str,
) -> None:
    size = Size(schools=1, leaves=30, homework=100, duty_days=20, checkins=10)
    dataset = await build(db_url, size=size, now=NOW)
    contention = await alongside(dataset, 3)
    assert contention.school == "青松路小学"
    assert contention.statements >= 1
    assert [(c.name, c.samples, c.answered_while_built) for c in contention.commands] == [
        ("/today", 3, 3),
        ("/leave (wizard start)", 3, 3),
        ("/hw post", 3, 3),
    ]

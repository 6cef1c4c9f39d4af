"""The benchmarks' school-year generator builds what it says, on both databases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bench.dataset import Size, build
from storage.db import create_engine, session_factory
from storage.models import CoverNeed, HomeworkPost, LeaveRequest, Lesson, SchoolClass, Staff
from tests.conftest import SHANGHAI

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=SHANGHAI)


async def count(session: object, model: object) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()[0]  # type: ignore[attr-defined]


async def test_two_schools_with_a_year_of_history(db_url: str) -> None:
    size = Size(schools=2, leaves=40, homework=200, duty_days=60, checkins=20)
    dataset = await build(db_url, size=size, now=NOW)
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            assert await count(session, SchoolClass) == 24
            assert await count(session, Staff) == 120
            assert await count(session, LeaveRequest) == 40
            assert await count(session, HomeworkPost) == 200
            assert await count(session, Lesson) > 600
            assert await count(session, CoverNeed) > 0
    finally:
        await engine.dispose()
    assert [s.name for s in dataset.schools] == ["青松路小学", "焦溪小学"]
    assert all(s.grade_leaders and s.admins for s in dataset.schools)
    assert dataset.counts["duty_days"] == 60 and dataset.counts["checkins"] == 20

"""The district benchmark: a year copied into many schools, and its morning run to the end."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench import databases
from bench.district import QUICK, build_district, main
from storage.db import create_engine, session_factory
from storage.models import GroupChat, HomeworkPost, Lesson, School, Staff


async def _count(session: object, model: object) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()[0]  # type: ignore[attr-defined]


async def test_each_copied_school_has_its_own_people_timetable_and_history(db_url: str) -> None:
    district = await build_district(db_url, QUICK)
    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            assert await _count(session, School) == 4
            assert await _count(session, GroupChat) == 4
            assert await _count(session, HomeworkPost) == 400
            per_school = (
                await session.exec(
                    select(Lesson.school_id, func.count()).group_by(Lesson.school_id)  # type: ignore[call-overload]
                )
            ).all()
            assert len({n for _, n in per_school}) == 1 and len(per_school) == 4
            # A copied lesson's teacher belongs to the lesson's own school.
            mixed = (
                await session.exec(
                    select(func.count())
                    .select_from(Lesson)
                    .join(Staff, Staff.id == Lesson.teacher_id)  # type: ignore[arg-type]
                    .where(Staff.school_id != Lesson.school_id)
                )
            ).one()[0]
            assert mixed == 0
            last = district.schools[-1]
            person = await session.get(Staff, last.staff[next(iter(last.staff))])
            assert person is not None and person.school_id == last.id
    finally:
        await engine.dispose()
    telegram_ids = [t for school in district.schools for t in school.staff]
    assert len(telegram_ids) == len(set(telegram_ids)) == 4 * len(district.schools[0].staff)


async def test_the_quick_district_run_completes_and_prints_its_figures(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(databases, "WORK", tmp_path)
    if backend == "postgresql":
        from tests.conftest import PG_URL

        monkeypatch.setattr(databases, "PG_URL", PG_URL)
    results = await main(quick=True, postgres=backend == "postgresql", name="district_test")
    printed = capsys.readouterr().out
    figures = results["figures"]
    assert figures["fanout"]["schools"] == 4
    assert figures["burst"]["updates"] == 20
    assert "07:00 announcements of 4 schools" in printed
    assert "morning burst: 20 leave requests and homework postings" in printed
    assert "latency /leave (one line)" in printed

"""Events in the database: who an audience is, and the events import (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.events import GRADE, SUBJECT, Audience
from storage.events import active_events, audience_members
from storage.importer import ImportFailed, import_table, kind_named
from storage.models import Event
from tests.schools import factories
from views.imports import render_errors

EVENTS_CSV = (
    "名称,星期,日期,开始,时长,对象,类别\n"
    "教研会,周三,,15:30,1.5,语文组,\n"
    "观课议课,周二,,14:20,1,三年级,\n"
    "区级培训,,2026-12-02,14:00,2,全体,培训\n"
)


async def seed(session: AsyncSession, now: datetime) -> int:
    school = await factories.school(session, now)
    grade3 = await factories.school_class(session, school, 3, 1)
    chinese = await factories.subject(session, school, "语文")
    await factories.staff(session, school, "王晴晴", subjects="语文", grade=3)
    await factories.staff(session, school, "周雅琴", subjects="语文,书法", grade=1)
    music = await factories.staff(session, school, "杜雨桐", subjects="音乐")
    await factories.staff(session, school, "许志强", subjects="数学", grade=3)
    await factories.staff(session, school, "陆建国", roles="principal,admin")
    await factories.lesson(session, school, grade3, 1, 1, chinese, music)  # teaches grade 3
    return school.id or 0


async def names(session: AsyncSession, school_id: int, audience: Audience) -> list[str]:
    members = await audience_members(session=session, school_id=school_id, audience=audience)
    return [s.name for s in members]


async def test_audiences_resolve_to_staff(session: AsyncSession, now: datetime) -> None:
    school_id = await seed(session, now)
    assert await names(session, school_id, Audience()) == [
        "王晴晴",
        "周雅琴",
        "杜雨桐",
        "许志强",
        "陆建国",
    ]
    assert await names(session, school_id, Audience(SUBJECT, subject="语文")) == [
        "王晴晴",
        "周雅琴",
    ]
    # The grade group, and everyone with lessons in that grade.
    assert await names(session, school_id, Audience(GRADE, grade=3)) == [
        "王晴晴",
        "杜雨桐",
        "许志强",
    ]


async def test_events_import_creates_then_updates_and_keeps_others(
    session: AsyncSession, now: datetime
) -> None:
    school_id = await seed(session, now)
    assert kind_named("活动") == "events"
    first = await import_table(
        session=session,
        school_id=school_id,
        kind="events",
        data=EVENTS_CSV.encode("gbk"),
        filename="events.csv",
        now=now,
        actor_telegram_id=None,
    )
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    events = await active_events(session=session, school_id=school_id)
    assert [
        (e.title, e.weekday, e.on_date, e.hours_tenths, e.audience, e.category) for e in events
    ] == [
        ("教研会", 3, None, 15, "subject:语文", "教研"),
        ("观课议课", 2, None, 10, "grade:3", "观课"),
        ("区级培训", None, date(2026, 12, 2), 20, "all", "培训"),
    ]
    moved = "名称,星期,开始,时长,对象\n教研会,周三,16:00,1.5,语文组\n"
    second = await import_table(
        session=session,
        school_id=school_id,
        kind="events",
        data=moved.encode(),
        filename="events.csv",
        now=now,
        actor_telegram_id=None,
    )
    assert (second.created, second.updated, second.unchanged) == (0, 1, 0)
    starts = (await session.exec(select(Event.starts_at).order_by(col(Event.id)))).all()
    assert starts == [time(16, 0), time(14, 20), time(14, 0)]


async def test_an_unknown_subject_group_stops_the_import(
    session: AsyncSession, now: datetime
) -> None:
    school_id = await seed(session, now)
    with pytest.raises(ImportFailed) as caught:
        await import_table(
            session=session,
            school_id=school_id,
            kind="events",
            data="名称,星期,开始,时长,对象\n教研会,周三,15:30,1,语汶组\n".encode(),
            filename="events.csv",
            now=now,
            actor_telegram_id=None,
        )
    text = render_errors("zh", caught.value)
    assert "第 2 行「对象」列" in text and "语汶" in text and "语文组" in text
    assert await active_events(session=session, school_id=school_id) == []


async def test_a_subject_group_nothing_is_close_to_is_named_without_a_guess(
    session: AsyncSession, now: datetime
) -> None:
    school_id = await seed(session, now)
    with pytest.raises(ImportFailed) as caught:
        await import_table(
            session=session,
            school_id=school_id,
            kind="events",
            data="名称,星期,开始,时长,对象\n教研会,周三,15:30,1,舞蹈组\n".encode(),
            filename="events.csv",
            now=now,
            actor_telegram_id=None,
        )
    text = render_errors("zh", caught.value)
    assert "本校没有“舞蹈”这个学科。" in text
    assert "是不是" not in text and "—" not in text

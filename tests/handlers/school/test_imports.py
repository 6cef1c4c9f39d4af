"""Importing by upload in Telegram: the same importer, answered with a summary or the errors."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from bot.texts import MESSAGE_LIMIT, visible_length
from rules.tabular import Table
from storage import importer
from storage.db import session_factory
from storage.models import BellPeriod, DutyAssignment, DutyPost, Event, Staff
from tests.harness import BotHarness
from tests.schools import factories

ADMIN_ID = 7_500_000_001
TEACHER_ID = 7_500_000_002

STAFF_GBK = (
    "姓名,角色,学科,年级,班主任\n周雅琴,教师、班主任,语文,3,三(2)班\n许志强,教师,数学,3,\n".encode(
        "gbk"
    )
)


async def seed(engine: AsyncEngine, clock: ManualClock) -> None:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, clock.now())
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=ADMIN_ID)
        await factories.staff(s, school, "王晴晴", telegram_id=TEACHER_ID)


async def names(engine: AsyncEngine) -> set[str]:
    async with session_factory(engine)() as s:
        return {row.name for row in (await s.exec(select(Staff))).all()}


async def test_gbk_staff_file_imports_and_reimport_changes_nothing(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    first = await harness.upload(admin, "名册.csv", STAFF_GBK, "/import staff")
    again = await harness.upload(admin, "名册.csv", STAFF_GBK, "/import staff")
    assert "新增 2" in first[-1].plain
    assert "未变 2" in again[-1].plain
    assert {"周雅琴", "许志强"} <= await names(engine)


async def test_a_staff_list_sent_as_a_timetable_is_named_for_what_it_is(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)

    replies = await harness.upload(admin, "名册.csv", STAFF_GBK, "/import timetable")

    assert replies[0].plain.startswith("📄 这个文件看起来是教职工名册，不是课表。")
    assert "/import staff" in replies[0].plain
    assert await names(engine) == {"张思月", "王晴晴"}  # nothing imported


async def test_a_bad_row_imports_nothing_and_is_named(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    bells = "节次,开始,结束\n1,08:00,08:40\n2,09:50,09:10\n".encode()
    replies = await harness.upload(harness.user(ADMIN_ID), "bells.csv", bells, "/import bells")
    text = "\n".join(r.plain for r in replies)
    assert "第 3 行" in text and "结束" in text
    async with session_factory(engine)() as s:
        assert (await s.exec(select(BellPeriod))).all() == []


async def bell_kinds(engine: AsyncEngine) -> dict[int, str]:
    async with session_factory(engine)() as s:
        return {b.period: b.kind for b in (await s.exec(select(BellPeriod))).all()}


async def test_bells_carry_their_slot_kind_and_an_empty_cell_keeps_it(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    first = "节次,开始,结束,时段\n1,07:20,07:50,早读\n2,08:00,08:40,\n3,19:00,19:45,晚自习\n"
    await harness.upload(admin, "bells.csv", first.encode(), "/import bells")
    assert await bell_kinds(engine) == {1: "morning", 2: "lesson", 3: "evening"}
    # Times moved, the kinds left empty: each period keeps the kind it had.
    again = "节次,开始,结束,时段\n1,07:25,07:50,\n2,08:00,08:40,\n3,19:00,19:50,\n"
    replies = await harness.upload(admin, "bells.csv", again.encode(), "/import bells")
    assert "更新 2" in replies[-1].plain
    assert await bell_kinds(engine) == {1: "morning", 2: "lesson", 3: "evening"}


async def test_a_slot_kind_nobody_knows_is_explained_in_chinese_and_english(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    bad = "节次,开始,结束,类型\n1,07:20,07:50,早操\n".encode()
    zh = "\n".join(r.plain for r in await harness.upload(admin, "bells.csv", bad, "/import bells"))
    assert "第 2 行" in zh and "“早操”不是时段类型" in zh and "晚自习" in zh
    await harness.send(admin, "/lang en")
    en = "\n".join(r.plain for r in await harness.upload(admin, "bells.csv", bad, "/import bells"))
    assert '"早操" is not a slot kind' in en and "evening" in en
    assert await bell_kinds(engine) == {}


async def test_a_file_in_an_unreadable_encoding_gets_a_clear_error(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    utf16 = "姓名\n周雅琴\n".encode("utf-16")
    replies = await harness.upload(harness.user(ADMIN_ID), "staff.csv", utf16, "/import staff")
    assert "UTF-8" in replies[-1].plain and "GBK" in replies[-1].plain
    assert "周雅琴" not in await names(engine)


async def test_teachers_cannot_import(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    replies = await harness.upload(harness.user(TEACHER_ID), "名册.csv", STAFF_GBK, "/import staff")
    assert replies[-1].plain == "你没有权限执行这个操作。"
    assert not any(call == "getFile" for call, _ in harness.request.calls)
    assert "周雅琴" not in await names(engine)


async def test_import_without_a_file_explains_the_columns(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    usage = await harness.send(harness.user(ADMIN_ID), "/import timetable")
    unknown = await harness.send(harness.user(ADMIN_ID), "/import salaries")
    assert "班级" in usage[-1].plain and "教师" in usage[-1].plain
    assert "salaries" in unknown[0].plain


async def test_a_duty_roster_upload_fills_the_posts_and_names_the_gaps(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    roster = (
        "岗位,开始,结束,星期,教师\n护学岗,07:20,07:50,周一,王晴晴\n护学岗,07:20,07:50,周二,张思月\n"
    )
    replies = await harness.upload(
        harness.user(ADMIN_ID), "值班.csv", roster.encode("gbk"), "/import duty"
    )
    assert "新增 2" in replies[-1].plain
    # The days nobody covers are named, so the office can fill them before Wednesday comes.
    assert "周三、周四、周五没有安排人" in replies[-1].plain
    async with session_factory(engine)() as s:
        posts = (await s.exec(select(DutyPost))).all()
        weekdays = sorted(a.weekday for a in (await s.exec(select(DutyAssignment))).all())
    assert [(p.name, p.starts_at.strftime("%H:%M")) for p in posts] == [("护学岗", "07:20")]
    assert weekdays == [1, 2]


async def test_an_events_upload_with_a_bad_weekday_imports_nothing(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    admin = harness.user(ADMIN_ID)
    header = "名称,星期,开始,时长,对象,类别\n"
    bad = (header + "教研会,周三,15:30,1.5,全体,教研\n观课议课,周八,14:00,1,语文组,教研\n").encode()
    good = (header + "教研会,周三,15:30,1.5,全体,教研\n").encode()
    refused = await harness.upload(admin, "活动.csv", bad, "/import events")
    assert "第 3 行" in refused[-1].plain and "周八" in refused[-1].plain
    async with session_factory(engine)() as s:
        assert (await s.exec(select(Event))).all() == []
    accepted = await harness.upload(admin, "活动.csv", good, "/import events")
    assert "新增 1" in accepted[-1].plain
    async with session_factory(engine)() as s:
        events = (await s.exec(select(Event))).all()
    assert [(e.title, e.weekday, e.hours_tenths, e.audience) for e in events] == [
        ("教研会", 3, 15, "all")
    ]


async def test_a_huge_cell_is_quoted_short_in_the_errors(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    rows = "".join(f"老师{i},{'校长助理' * 1200}\n" for i in range(3))
    data = f"姓名,角色\n{rows}".encode()

    replies = await harness.upload(harness.user(ADMIN_ID), "staff.csv", data, "/import staff")

    assert all(visible_length(r.text) <= MESSAGE_LIMIT for r in replies)
    text = "\n".join(r.plain for r in replies)
    assert "第 2 行" in text and "第 4 行" in text and "校长助理校长助理" in text
    assert "不会导入任何内容" in text


BLOCK_SECONDS = 5


async def test_reading_a_file_does_not_hold_up_other_users(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(engine, clock)
    started, release = threading.Event(), threading.Event()
    reading = False
    real = importer.read_table

    def slow(data: bytes, filename: str = "", **kwargs: Any) -> Table:
        # Held until the test lets go (never longer than BLOCK_SECONDS): a heavy workbook.
        nonlocal reading
        reading = True
        started.set()
        release.wait(BLOCK_SECONDS)
        reading = False
        return real(data, filename, **kwargs)

    monkeypatch.setattr(importer, "read_table", slow)
    upload = asyncio.create_task(
        harness.upload(harness.user(ADMIN_ID), "名册.csv", STAFF_GBK, "/import staff")
    )
    try:
        await asyncio.to_thread(started.wait, BLOCK_SECONDS)
        helped = await harness.send(harness.user(TEACHER_ID), "/help")
        answered_while_reading = reading
    finally:
        release.set()
    imported = await upload

    assert "你可以使用的命令" in helped[-1].plain
    assert answered_while_reading
    assert "新增 2" in imported[-1].plain


async def test_a_file_that_reads_too_long_is_refused_and_nothing_imported(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import handlers.school.imports as imports

    await seed(engine, clock)
    release = threading.Event()
    real = importer.read_table

    def stuck(data: bytes, filename: str = "", **kwargs: Any) -> Table:
        release.wait(BLOCK_SECONDS)  # one step that never returns in time
        return real(data, filename, **kwargs)

    monkeypatch.setattr(importer, "read_table", stuck)
    monkeypatch.setattr(imports, "READ_SECONDS", 0.01)
    monkeypatch.setattr(imports, "READ_GRACE_SECONDS", 0.01)
    try:
        replies = await harness.upload(
            harness.user(ADMIN_ID), "名册.xlsx", STAFF_GBK, "/import staff"
        )
    finally:
        release.set()

    assert "读取这个文件用了超过 0.01 秒" in replies[-1].plain
    assert "周雅琴" not in await names(engine)

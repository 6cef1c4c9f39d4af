"""/report: the office picks a report and a period and gets a workbook; a teacher gets only
their own statement and hours; no leave reason ever reaches a sheet."""

from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.clock import ManualClock
from storage import audit
from storage.db import session_factory
from storage.models import CoverNeed
from storage.policies import set_policy
from storage.schools import school_by_name
from tests.harness import BotHarness, Sent
from tests.schools import reports as report_school
from tests.schools.reports import CAO, LEADER, OFFICE, PERSONAL_REASON, SICK_REASON, TRICKY_TITLE


async def seed(engine: AsyncEngine, clock: ManualClock) -> None:
    async with session_factory(engine)() as s, s.begin():
        await report_school.seed(s, clock.now() - timedelta(days=90))


def workbook(sent: Sent) -> Workbook:
    assert sent.file is not None, sent.plain
    kind, name, data = sent.file
    assert kind == "document" and name.endswith(".xlsx")
    return load_workbook(io.BytesIO(data))


def rows(book: Workbook, sheet: str) -> list[list[object]]:
    return [list(row) for row in book[sheet].iter_rows(values_only=True)]


def names_listed(book: Workbook, sheet: str) -> list[str]:
    """The first column from the first row under the header to the totals row."""
    listed = [str(row[0]) for row in rows(book, sheet)[2:]]
    return listed[: listed.index("合计") + 1]


def every_text(book: Workbook) -> str:
    return "\n".join(
        str(value)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


async def only_answer(harness: BotHarness, user_id: int, text: str) -> Sent:
    answers = [m for m in await harness.send(harness.user(user_id), text) if m.chat_id == user_id]
    assert len(answers) == 1, [m.plain for m in answers]
    return answers[0]


async def with_chart(harness: BotHarness, user_id: int, text: str) -> tuple[Sent, Sent]:
    """The workbook and, in the same reply, its chart as a picture."""
    answers = [m for m in await harness.send(harness.user(user_id), text) if m.chat_id == user_id]
    assert len(answers) == 2, [m.plain for m in answers]
    document, chart = answers
    assert chart.file is not None and chart.file[0] == "photo", chart.plain
    assert chart.file[1].endswith(".png") and chart.file[2][:4] == b"\x89PNG"
    return document, chart


async def test_the_office_picks_the_cover_statement_for_this_month_and_gets_a_workbook(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    menu = await only_answer(harness, OFFICE, "/report")
    assert [label for label, _ in menu.buttons] == [
        "代课统计",
        "考勤汇总",
        "作业公示记录",
        "值周巡课记录",
        "学时台账",
    ]
    office = harness.user(OFFICE)
    await harness.press(office, menu, menu.data_of("代课统计"))
    periods = harness.request.find(OFFICE, menu.message_id)
    assert "代课统计" in periods.plain
    assert [label for label, _ in periods.buttons] == ["本月", "上月", "本学期", "输入时段…"]
    sent, _ = await harness.press(office, periods, periods.data_of("本月"))
    document, chart = sent
    assert document.plain == "代课统计 · 2026-11-01 至 2026-11-30"
    assert document.file is not None and document.file[1] == "孟河小学-代课统计-2026-11.xlsx"
    # The chart comes with it, as a picture.
    assert chart.file is not None and chart.file[0] == "photo"
    assert chart.file[1] == "孟河小学-代课统计-2026-11.png" and chart.file[2][:4] == b"\x89PNG"

    book = workbook(document)
    assert book.sheetnames == ["汇总", "明细"]
    totals = rows(book, "汇总")
    assert totals[0][0] == "孟河小学 · 代课统计 · 2026-11-01 至 2026-11-30"
    assert totals[1] == [
        "姓名", "代课", "合班", "看班", "代课合计", "被代课", "差额", "金额（元）", "签名",
    ]  # fmt: skip
    assert totals[2:6] == [
        ["周雅琴", 0, 0, 0, 0, 2, -2, 0, None],
        ["许志强", 0, 1, 0, 1, 1, 0, 20, None],
        ["曹明", 2, 0, 0, 2, 0, 2, 60, None],
        ["合计", 2, 1, 0, 3, 3, 0, 80, None],
    ]
    sheet = book["汇总"]
    assert sheet.freeze_panes == "A3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$2:$2"
    details = rows(book, "明细")
    assert details[2][:9] == [
        "许志强", details[2][1], 3, "正课", "三(2)班", "语文", "周雅琴", "合班", "三(1)班",
    ]  # fmt: skip
    assert details[2][1].date().isoformat() == "2026-11-05"  # a real date, not text
    assert details[-1][0] == "合计" and details[-1][2] == 3 and details[-1][-1] == 80
    async with session_factory(engine)() as s:
        [entry] = await audit.entries(session=s, action="report_sent")
    assert '"kind": "cover"' in entry.detail
    # A teacher's own statement has no chart: one bar says nothing.
    assert (await only_answer(harness, CAO, "/report 代课 本月")).file is not None


async def test_the_leave_summary_has_days_per_type_and_lessons_but_never_a_reason(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    document, chart = await with_chart(harness, OFFICE, "/report 考勤 2026-11")
    assert chart.plain == "孟河小学 · 考勤汇总 · 2026-11-01 至 2026-11-30"
    book = workbook(document)
    table = rows(book, "考勤汇总")
    assert table[1] == [
        "姓名", "病假（天）", "事假（天）", "合计（天）", "请假次数", "缺课节数", "已代课", "自习",
    ]  # fmt: skip
    assert table[2:] == [
        ["周雅琴", 1, 0, 1, 1, 3, 2, 1],
        ["许志强", 0, 0.5, 0.5, 1, 1, 1, 0],
        ["合计", 1, 0.5, 1.5, 2, 4, 3, 1],
    ]
    for secret in (SICK_REASON, PERSONAL_REASON, "胃痛", "家长会"):
        assert secret not in every_text(book)


async def test_a_teacher_gets_only_their_own_statement_and_hours(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    menu = await only_answer(harness, CAO, "/report")
    assert [label for label, _ in menu.buttons] == ["代课统计", "学时台账"]
    refused = await only_answer(harness, CAO, "/report 考勤 2026-11")
    assert refused.file is None
    assert "你不能查看考勤汇总" in refused.plain and "代课统计、学时台账" in refused.plain

    mine = await only_answer(harness, CAO, "/report 代课 本月")
    assert mine.plain.endswith("（本人）")
    assert names_listed(workbook(mine), "汇总") == ["曹明", "合计"]

    hours = workbook(await only_answer(harness, CAO, "/report 学时 2026-11"))
    table = rows(hours, "汇总")
    assert table[2][:4] == ["曹明", 3, 4.5, 90]
    details = hours["明细"]
    # A title someone typed that looks like a formula stays text.
    assert details["C3"].value == TRICKY_TITLE and details["C3"].data_type == "s"


async def test_a_forged_press_for_a_report_the_teacher_may_not_have_is_refused(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    menu = await only_answer(harness, CAO, "/report")
    sent, answer = await harness.press(harness.user(CAO), menu, "v1:rep:p:1:0")
    assert [m for m in sent if m.file is not None] == []
    assert "你不能查看考勤汇总" in answer["text"]


async def test_a_grade_leader_gets_the_grade_and_types_a_range_as_a_reply(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    leader = harness.user(LEADER)
    periods = await only_answer(harness, LEADER, "/report 代课")
    sent, _ = await harness.press(leader, periods, periods.data_of("输入时段"))
    [prompt] = [m for m in sent if m.chat_id == LEADER]
    assert prompt.plain.startswith("代课统计：请回复时段")

    [wrong] = await harness.reply_to(leader, prompt, "2026-12-01~2026-11-01")
    assert "结束日期早于开始日期" in wrong.plain

    document, _chart = await harness.reply_to(leader, prompt, "2026-10-01~2026-12-31")
    assert document.plain == "代课统计 · 2026-10-01 至 2026-12-31（三年级）"
    # 曹明 teaches grade 4
    assert names_listed(workbook(document), "汇总") == ["周雅琴", "许志强", "合计"]


async def test_a_period_that_cannot_be_read_is_explained(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    answer = await only_answer(harness, OFFICE, "/report 代课 2026-13")
    assert "“2026-13”里有不存在的日期" in answer.plain
    answer = await only_answer(harness, OFFICE, "/report 代课 十一月")
    assert "“十一月”不是时段" in answer.plain


async def test_reports_in_english(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    await harness.send(harness.user(OFFICE), "/lang en")
    document = await only_answer(harness, OFFICE, "/report cover last_month")  # no covers: no chart
    assert document.plain == "Cover statement · 2026-10-01 to 2026-10-31"
    book = workbook(document)
    assert book.sheetnames == ["Totals", "Details"]
    assert rows(book, "Totals")[1][0] == "Name"
    assert rows(book, "Totals")[2][0] == "(nothing recorded in this period)"


async def test_the_homework_ledger_flags_the_days_over_the_cap(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    document, chart = await with_chart(harness, OFFICE, "/report 作业 2026-11")
    assert chart.file is not None and chart.file[1] == "孟河小学-作业公示记录-2026-11.png"
    book = workbook(document)
    assert book.sheetnames == ["每日合计", "明细", "年级超限比例"]
    daily = rows(book, "每日合计")
    assert daily[1] == ["日期", "班级", "书面作业合计（分钟）", "上限（分钟）", "超限"]
    assert [row[1:] for row in daily[2:4]] == [["三(2)班", 50, 45, "是"], ["三(2)班", 40, 45, "否"]]
    assert daily[4][0] == "合计" and daily[4][-1] == 1
    details = rows(book, "明细")
    assert details[3][3:] == [20, "书面", "许志强", "王晴晴"]  # the exception and who granted it
    assert rows(book, "年级超限比例")[2] == [3, 2, 1, 0.5]
    # What a teacher wrote as the homework is not part of the record.
    assert PERSONAL_REASON not in every_text(book)


async def test_the_duty_record_shows_who_stood_in_and_the_patrols_not_reported(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    book = workbook(await only_answer(harness, OFFICE, "/report 值周 2026-11"))
    assert book.sheetnames == ["汇总", "值周", "巡课", "未报巡课"]
    assert rows(book, "汇总")[2:5] == [["王晴晴", 4, 0], ["许志强", 1, 1], ["合计", 5, 1]]
    shifts = rows(book, "值周")
    assert shifts[3][1:] == ["巡课", "许志强", "王晴晴", "换班"]
    patrols = book["巡课"]
    assert patrols["D3"].value == "-三(2)班 纪律良好" and patrols["D3"].data_type == "s"
    missing = rows(book, "未报巡课")
    assert missing[-1] == ["合计", 7]  # Mondays up to yesterday: 2 Nov pm, then 9, 16, 23


async def test_a_locked_month_s_statement_never_changes(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    clock.set(clock.now() + timedelta(days=7))  # 2 December: November is over
    locked = await only_answer(harness, OFFICE, "/report 锁定 2026-11")
    assert "已锁定 2026-11 的代课统计：代课 3 节，金额 80 元" in locked.plain
    again = await only_answer(harness, OFFICE, "/report lock 2026-11")
    assert "已经锁定" in again.plain
    assert "还没结束" in (await only_answer(harness, OFFICE, "/report 锁定 2026-12")).plain
    refused = await only_answer(harness, CAO, "/report 锁定 2026-10")
    assert "没有权限" in refused.plain or "不能" in refused.plain
    late = await only_answer(harness, OFFICE, "/report 补录 2026-11-12 2 三(1)班 数学 王晴晴")
    assert "2026-11 的代课统计已由 王晴晴 于 12月2日 周三 锁定，不能再补录或删除" in late.plain
    assert "/report 解锁 2026-11" in late.plain

    # After the lock, a cover of November changes and the rates go up.
    async with session_factory(engine)() as s, s.begin():
        need = (await s.exec(select(CoverNeed).where(CoverNeed.day == date(2026, 11, 10)))).first()
        assert need is not None
        need.status, need.substitute_id = "self_study", None
        school = await school_by_name(session=s, name="孟河小学")
        assert school is not None and school.id is not None
        await set_policy(
            session=s,
            school_id=school.id,
            key="cover.rate.cover",
            raw_value="50",
            by=None,
            now=clock.now(),
        )
    document = (await harness.send(harness.user(OFFICE), "/report 代课 2026-11"))[0]
    table = rows(workbook(document), "汇总")
    assert table[5][:8] == ["合计", 2, 1, 0, 3, 3, 0, 80]
    assert "2026-11 已锁定" in str(table[7][0])
    # December is not locked: the new rate counts there.
    december = (await harness.send(harness.user(OFFICE), "/report 代课 2026-12"))[0]
    assert rows(workbook(december), "汇总")[4][:8] == ["合计", 1, 0, 0, 1, 1, 0, 50]


async def test_the_office_enters_a_cover_arranged_outside_the_bot_and_it_is_paid(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock)
    added = await only_answer(
        harness, OFFICE, "/report 补录 2026-11-12 2 三(1)班 数学 王晴晴 许志强"
    )
    assert "已补录 #1：2026-11-12 第2节 三(1)班 数学，王晴晴 代课（原任课：许志强）" in added.plain
    unknown = await only_answer(harness, OFFICE, "/report 补录 2026-11-12 2 九(9)班 体育 王晴晴")
    assert "学校里没有：九(9)班、体育" in unknown.plain
    assert "用法" not in unknown.plain
    assert "/report 补录 日期" in (await only_answer(harness, OFFICE, "/report 补录 明天")).plain
    refused = await only_answer(harness, CAO, "/report 补录 2026-11-12 2 三(1)班 数学 曹明")
    assert "没有权限" in refused.plain or "不能" in refused.plain

    sent = await harness.send(harness.user(OFFICE), "/report 代课 2026-11")
    book = workbook(sent[0])
    assert rows(book, "汇总")[2:7] == [
        ["王晴晴", 1, 0, 0, 1, 0, 1, 30, None],
        ["周雅琴", 0, 0, 0, 0, 2, -2, 0, None],
        ["许志强", 0, 1, 0, 1, 2, -1, 20, None],
        ["曹明", 2, 0, 0, 2, 0, 2, 60, None],
        ["合计", 3, 1, 0, 4, 4, 0, 110, None],
    ]
    first = rows(book, "明细")[2]
    assert [first[0], *first[2:8]] == [
        "王晴晴", 2, "正课", "三(1)班", "数学", "许志强", "代课（补录）",
    ]  # fmt: skip
    async with session_factory(engine)() as s:
        assert len(await audit.entries(session=s, action="manual_cover_added")) == 1

    assert "已删除补录 #1" in (await only_answer(harness, OFFICE, "/report 删除补录 1")).plain
    assert "没有编号为 1 的补录" in (await only_answer(harness, OFFICE, "/report remove 1")).plain

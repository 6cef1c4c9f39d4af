"""The events import: rows read into events, or every problem by line and column."""

from __future__ import annotations

from datetime import date, time

from rules.events import GRADE, SUBJECT, Audience
from rules.import_errors import ImportFailed
from rules.import_events import COLUMNS, parse_events
from rules.tabular import match_columns, read_table


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_events(match_columns(read_table(text.encode()), COLUMNS))


def test_weekly_and_one_off_rows() -> None:
    parsed = parse(
        "名称,星期,日期,开始,时长,对象,类别\n"
        "教研会,周三,,15:30,1.5,语文组,\n"
        "观课议课,周二,,14:20,1,三年级,观课\n"
        "教职工例会,周日,,19:00,1,全体,会议\n"
        "区级培训,,2026-12-02,14:00,2,,\n"
    )
    assert parsed.errors == []
    first, second, third, fourth = parsed.records
    assert (first.title, first.weekday, first.day, first.start, first.tenths) == (
        "教研会",
        3,
        None,
        time(15, 30),
        15,
    )
    assert first.audience == Audience(SUBJECT, subject="语文") and first.category == "教研"
    assert second.audience == Audience(GRADE, grade=3) and second.category == "观课"
    assert third.weekday == 7 and third.category == "会议"
    assert (fourth.day, fourth.audience, fourth.category) == (date(2026, 12, 2), Audience(), "培训")


def test_english_headers() -> None:
    parsed = parse("title,weekday,start,hours,audience,category\nMeeting,Wed,16:00,1,all,meeting\n")
    assert parsed.errors == []
    assert parsed.records[0].category == "会议"


def test_every_problem_is_named_by_line_and_column() -> None:
    parsed = parse(
        "名称,星期,日期,开始,时长,对象,类别\n"
        "教研会,周三,2026-12-02,15:30,1.5,语文组,\n"  # line 2: both weekday and date
        "例会,,,15:30,1,全体,\n"  # line 3: neither
        "培训,周四,,15:30,1.25,全体,\n"  # line 4: two decimals
        "培训,周五,,15:30,13,大家,学习\n"  # line 5: hours, audience, category
        "教研会,周三,,16:00,1,语文组,\n"  # line 6: the same event as line 7
        "教研会,周三,,16:30,1,语文组,\n"
        ",周三,,25:00,,,\n"  # line 8: title, time, hours
    )
    where = [(e.line, e.column, e.key) for e in ImportFailed(parsed.errors).errors]
    assert where == [
        (2, "日期", "import.err.event_weekday_and_date"),
        (3, "星期", "import.err.event_no_day"),
        (4, "时长", "hours.err.one_decimal"),
        (5, "时长", "hours.err.range"),
        (5, "对象", "import.err.bad_audience"),
        (5, "类别", "import.err.bad_category"),
        (7, "名称", "import.err.duplicate_event"),
        (8, "名称", "import.err.required"),
        (8, "开始", "import.err.bad_time"),
        (8, "时长", "import.err.required"),
    ]
    assert [r.line for r in parsed.records] == [6]

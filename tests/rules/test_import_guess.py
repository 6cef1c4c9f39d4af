"""Which import a file without a caption looks like: its header row first, then its name."""

from __future__ import annotations

from rules import (
    import_bells,
    import_calendar,
    import_duty,
    import_events,
    import_staff,
    import_timetable,
)
from rules.import_guess import KindShape, guess_kind
from rules.tabular import RawRow, Table

KINDS = {
    "staff": KindShape(import_staff.COLUMNS, ("staff", "名册", "教职工")),
    "timetable": KindShape(import_timetable.COLUMNS, ("timetable", "课表", "课程表")),
    "bells": KindShape(import_bells.COLUMNS, ("bells", "作息")),
    "calendar": KindShape(import_calendar.COLUMNS, ("calendar", "校历")),
    "events": KindShape(import_events.COLUMNS, ("events", "活动")),
    "duty": KindShape(import_duty.COLUMNS, ("duty", "值班")),
}


def table(*headers: str, below: tuple[str, ...] = ()) -> Table:
    rows = (RawRow(2, below),) if below else ()
    return Table(1, headers, rows)


def test_the_header_row_names_the_kind_even_where_columns_overlap() -> None:
    assert guess_kind(table("班级", "星期", "节次", "学科", "教师"), "a.csv", KINDS) == "timetable"
    assert guess_kind(table("节次", "开始", "结束"), "a.csv", KINDS) == "bells"
    assert guess_kind(table("岗位", "星期", "开始", "结束", "教师"), "a.csv", KINDS) == "duty"
    assert guess_kind(table("日期", "类型", "按周", "说明"), "a.csv", KINDS) == "calendar"
    assert guess_kind(table("名称", "星期", "开始", "时长"), "a.csv", KINDS) == "events"
    assert guess_kind(table("序号", "姓名", "角色", "学科"), "a.csv", KINDS) == "staff"
    assert guess_kind(table("name", "roles"), "a.csv", KINDS) == "staff"


def test_a_title_row_above_the_header_is_looked_past() -> None:
    titled = table("青松路小学作息时间表", below=("节次", "开始", "结束"))
    assert guess_kind(titled, "a.xlsx", KINDS) == "bells"


def test_the_file_name_decides_when_the_headers_do_not() -> None:
    assert guess_kind(table("甲", "乙"), "2026秋季课表.xlsx", KINDS) == "timetable"
    assert guess_kind(None, "值班表.xlsx", KINDS) == "duty"
    assert guess_kind(table("甲", "乙"), "notes.csv", KINDS) is None
    assert guess_kind(None, "scan.pdf", KINDS) is None

"""The pure import parsers: cell readers, and each kind's rows turned into records or errors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

import pytest

from rules import import_bells, import_calendar, import_staff, import_timetable
from rules.classnames import ClassRef
from rules.import_errors import ImportFailed, RowError
from rules.import_staff import StaffState, plan_staff
from rules.import_timetable import BookedLesson, busy_elsewhere, unknown_teachers
from rules.importing import (
    CellError,
    parse_date,
    parse_date_span,
    parse_grade,
    parse_period,
    parse_telegram_id,
    parse_time,
    parse_weekday,
)
from rules.roles import ADMIN, HEAD_TEACHER, TEACHER
from rules.tabular import Column, Sheet, match_columns, read_table


def sheet(text: str, columns: Sequence[Column]) -> Sheet:
    return match_columns(read_table(text.encode()), columns)


def where(errors: list[RowError]) -> list[tuple[int | None, object, str]]:
    """Where each problem is, in the order the user will read them."""
    return [(e.line, e.column, e.key) for e in ImportFailed(errors).errors]


@pytest.mark.parametrize(
    ("text", "weekday"),
    [("周一", 1), ("星期三", 3), ("五", 5), ("周日", 7), ("星期天", 7), ("2", 2), ("Mon", 1),
     ("thursday", 4), ("Tues.", 2), ("７", 7)],
)  # fmt: skip
def test_weekdays_as_offices_write_them(text: str, weekday: int) -> None:
    assert parse_weekday(text) == weekday


@pytest.mark.parametrize("text", ["周八", "8", "0", "Someday", "星期"])
def test_not_a_weekday(text: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_weekday(text)
    assert caught.value.key == "import.err.bad_weekday"


def test_periods_times_and_dates() -> None:
    assert [parse_period(t) for t in ("3", "第3节", "第十二节", "第２节")] == [3, 3, 12, 2]
    assert parse_time("8:00") == time(8, 0)
    assert parse_time("08:05:00") == time(8, 5)
    assert parse_time("１４：３０") == time(14, 30)
    assert parse_date("2026/9/1") == parse_date("2026-09-01") == parse_date("2026年9月1日")
    for parse, text, key in (
        (parse_period, "13", "import.err.period_range"),
        (parse_time, "25:00", "import.err.bad_time"),
        (parse_date, "2026-02-30", "import.err.bad_date"),
    ):
        with pytest.raises(CellError) as caught:
            parse(text)
        assert caught.value.key == key


@pytest.mark.parametrize(
    "text",
    [
        "2026-09-01~2027-01-23",
        "2026/9/1 至 2027/1/23",
        "2026-09-01到2027-01-23",
        "2026-09-01～2027-01-23",
    ],
)
def test_date_ranges(text: str) -> None:
    assert parse_date_span(text) == (date(2026, 9, 1), date(2027, 1, 23))


def test_a_range_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(CellError) as caught:
        parse_date_span("2027-01-23~2026-09-01")
    assert caught.value.key == "import.err.range_backwards"


@pytest.mark.parametrize(
    ("text", "grade"),
    [("3", 3), ("三年级", 3), ("初一", 7), ("高二", 11), ("七年级", 7), ("Grade 5", 5)],
)
def test_grade_groups(text: str, grade: int) -> None:
    assert parse_grade(text) == grade


def test_telegram_ids_must_be_whole_positive_numbers() -> None:
    assert parse_telegram_id("１２３４５６７８９０") == 1234567890
    for text in ("1.23457E+09", "-5", "0", str(2**63)):
        with pytest.raises(CellError):
            parse_telegram_id(text)


STAFF_FILE = (
    "姓名,角色,学科,年级,班主任,telegram_id,语言\n"
    "张思月,教师、班主任,语文、数学,,三(2)班,111,zh\n"
    "雷琴华,管理员,英语,4,,,English\n"
    "王晴晴,班长,,,,,\n"
    "雷琴华,教师,,,,,\n"
    "景佳梅,,,5,四(1)班,abc,fr\n"
)


def test_staff_rows_become_records_and_bad_cells_are_located() -> None:
    parsed = import_staff.parse_staff(sheet(STAFF_FILE, import_staff.COLUMNS))
    first, second = parsed.records
    assert first.name == "张思月" and first.roles == {TEACHER, HEAD_TEACHER}
    assert first.subjects == ("语文", "数学") and first.head_of == ClassRef(3, 2)
    assert first.telegram_id == 111 and first.language == "zh"
    assert second.roles == {ADMIN} and second.grade == 4 and second.language == "en"
    assert where(parsed.errors) == [
        (4, "角色", "import.err.unknown_role"),
        (5, "姓名", "import.err.duplicate_name"),
        (6, "telegram_id", "import.err.bad_telegram_id"),
        (6, "语言", "import.err.bad_language"),
        (6, "年级", "import.err.grade_mismatch"),
    ]
    assert parsed.errors[0].values == {"value": "班长"}
    assert parsed.errors[1].values == {"name": "雷琴华", "other_line": 3}


def stored(name: str, **changes: object) -> StaffState:
    base = StaffState(name, frozenset({TEACHER}), (), None, None, None, None)
    return StaffState(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_empty_cells_keep_what_is_stored_and_a_class_makes_a_head_teacher() -> None:
    roster = sheet(
        "姓名,角色,班主任,telegram_id\n雷琴华,,,\n王晴晴,教师,一(1)班,\n", import_staff.COLUMNS
    )
    records = import_staff.parse_staff(roster).records
    admin = stored("雷琴华", roles=frozenset({ADMIN}), telegram_id=42, language="en")
    plans, errors = plan_staff(roster, records, [admin])
    assert errors == []
    assert plans[0][1] == admin
    assert plans[1][1].roles == {TEACHER, HEAD_TEACHER}
    assert plans[1][1].head_of == ClassRef(1, 1) and plans[1][1].grade == 1


def test_roles_without_head_teacher_release_the_stored_class() -> None:
    roster = sheet("姓名,角色\n张思月,教师\n", import_staff.COLUMNS)
    before = stored("张思月", roles=frozenset({TEACHER, HEAD_TEACHER}), head_of=ClassRef(3, 2))
    plans, _ = plan_staff(roster, import_staff.parse_staff(roster).records, [before])
    assert plans[0][1].roles == {TEACHER} and plans[0][1].head_of is None


def test_school_wide_conflicts_name_the_other_person() -> None:
    roster = sheet(
        "姓名,角色,班主任,telegram_id\n张思月,,三(2)班,\n王晴晴,,,42\n雷红霞,班主任,,\n",
        import_staff.COLUMNS,
    )
    others = [
        stored("景佳梅", roles=frozenset({HEAD_TEACHER}), head_of=ClassRef(3, 2)),
        stored("雷琴华", telegram_id=42),
    ]
    _, errors = plan_staff(roster, import_staff.parse_staff(roster).records, others)
    assert [(e.line, e.column, e.key, e.values.get("other")) for e in errors] == [
        (2, "班主任", "import.err.head_taken", "景佳梅"),
        (3, "telegram_id", "import.err.telegram_taken", "雷琴华"),
        (4, "班主任", "import.err.head_without_class", None),
    ]


def test_the_employment_column_marks_external_teachers_and_an_empty_cell_keeps_it() -> None:
    roster = sheet(
        "姓名,在编/外聘\n曹明,外聘\n周雅琴,在编\n雷红霞,\n景佳梅,代课\n王晴晴,非在编\n",
        import_staff.COLUMNS,
    )
    parsed = import_staff.parse_staff(roster)
    assert parsed.errors == []
    assert [r.external for r in parsed.records] == [True, False, None, True, True]
    before = [stored("雷红霞", external=True), stored("周雅琴", external=True)]
    plans, _ = plan_staff(roster, parsed.records, before)
    assert {state.name: state.external for _, state in plans} == {
        "曹明": True,
        "周雅琴": False,
        "雷红霞": True,
        "景佳梅": True,
        "王晴晴": True,
    }


def test_an_unknown_employment_is_an_error_at_its_cell() -> None:
    parsed = import_staff.parse_staff(sheet("name,employment\n曹明,maybe\n", import_staff.COLUMNS))
    assert where(parsed.errors) == [(2, "employment", "import.err.bad_employment")]
    assert parsed.errors[0].values == {"value": "maybe"}


TIMETABLE_COLUMNS = import_timetable.COLUMNS


def test_timetable_double_booking_names_both_lines() -> None:
    table = sheet(
        "班级,星期,节次,学科,教师\n"
        "三(2)班,周一,1,语文,张思月\n"
        "三（2）班,星期一,第1节,数学,雷琴华\n"
        "四(1)班,1,1,语文,张思月\n"
        "四(1)班,周二,1,语文,张思月\n",
        TIMETABLE_COLUMNS,
    )
    parsed = import_timetable.parse_timetable(table)
    assert where(parsed.errors) == [
        (3, "班级", "import.err.class_double_booked"),
        (4, "教师", "import.err.teacher_double_booked"),
    ]
    assert parsed.errors[0].values["other_line"] == 2
    assert parsed.errors[0].values["weekday"] == ("周一", "Mon")
    assert parsed.errors[1].values["other_line"] == 2


def test_lessons_with_separate_validity_may_share_a_slot() -> None:
    table = sheet(
        "class,weekday,period,subject,teacher,valid_from,valid_to\n"
        "3(2),Mon,1,Chinese,Zhang,2026-09-01,2026-10-31\n"
        "3(2),Mon,1,Maths,Lei,2026-11-01,\n"
        "3(2),Tue,2,Maths,Lei,2026-11-01,2026-10-01\n",
        TIMETABLE_COLUMNS,
    )
    parsed = import_timetable.parse_timetable(table)
    assert len(parsed.records) == 2
    assert where(parsed.errors) == [(4, "valid_to", "import.err.range_backwards")]


def test_unknown_teachers_get_the_nearest_names() -> None:
    table = sheet(
        "班级,星期,节次,学科,教师\n三(2)班,周一,1,语文,王晴\n三(2)班,周一,2,语文,赵六\n",
        TIMETABLE_COLUMNS,
    )
    records = import_timetable.parse_timetable(table).records
    errors = unknown_teachers(table, records, ["王晴晴", "王青", "雷琴华"])
    assert [(e.line, e.key) for e in errors] == [
        (2, "import.err.unknown_teacher_close"),
        (3, "import.err.unknown_teacher"),
    ]
    assert errors[0].values["suggestions"][:2] == ["王晴晴", "王青"]  # type: ignore[index]


def test_a_teacher_busy_in_a_class_outside_the_file() -> None:
    table = sheet("班级,星期,节次,学科,教师\n三(2)班,周一,1,语文,张思月\n", TIMETABLE_COLUMNS)
    records = import_timetable.parse_timetable(table).records
    kept = [BookedLesson("张思月", "四(1)班", 1, 1, None, None)]
    errors = busy_elsewhere(table, records, kept)
    assert [(e.line, e.key, e.values["class_name"]) for e in errors] == [
        (2, "import.err.teacher_busy", "四(1)班")
    ]


def test_bells_overlap_order_and_duplicates() -> None:
    table = sheet(
        "节次,开始,结束\n1,8:00,8:40\n2,8:30,9:20\n3,10:00,9:50\n2,11:00,11:40\n5,7:00,7:30\n",
        import_bells.COLUMNS,
    )
    parsed = import_bells.parse_bells(table)
    assert where(parsed.errors) == [
        (3, "开始", "import.err.bell_overlap"),
        (4, "结束", "import.err.start_after_end"),
        (5, "节次", "import.err.duplicate_period"),
        (6, "开始", "import.err.bell_order"),
    ]
    overlap = ImportFailed(parsed.errors).errors[0]
    assert overlap.values == {"period": 2, "other_period": 1, "other_line": 2}


def test_good_bells_from_excel_times() -> None:
    table = sheet("period,start,end\n1,08:00:00,08:40:00\n2,8:50,9:30\n", import_bells.COLUMNS)
    parsed = import_bells.parse_bells(table)
    assert parsed.errors == []
    assert [(r.period, r.start, r.end) for r in parsed.records] == [
        (1, time(8, 0), time(8, 40)),
        (2, time(8, 50), time(9, 30)),
    ]


def test_bells_name_their_slot_kind_in_chinese_or_english_and_empty_keeps_it() -> None:
    table = sheet(
        "节次,开始,结束,类型\n1,07:20,07:50,早读\n2,08:00,08:40,正课\n3,08:50,09:30,\n"
        "4,12:10,12:50,Noon\n5,19:00,19:45,晚自习\n",
        import_bells.COLUMNS,
    )
    parsed = import_bells.parse_bells(table)
    assert parsed.errors == []
    assert [r.slot for r in parsed.records] == ["morning", "lesson", None, "noon", "evening"]


def test_a_slot_kind_nobody_knows_is_a_row_error() -> None:
    table = sheet("period,start,end,slot\n1,07:20,07:50,午睡\n", import_bells.COLUMNS)
    parsed = import_bells.parse_bells(table)
    assert where(parsed.errors) == [(2, "slot", "import.err.bad_slot")]
    assert parsed.records == []


def test_calendar_ranges_kinds_and_makeup_weekdays() -> None:
    table = sheet(
        "日期,类型,按周,说明\n"
        "2026-09-01~2027-01-23,学期,,第一学期\n"
        "2026-10-10,调休,周三,国庆调休\n"
        "2026-09-20,makeup,,\n"
        "2026-10-01 至 2026-10-08,停课,,国庆\n",
        import_calendar.COLUMNS,
    )
    parsed = import_calendar.parse_calendar(table)
    assert parsed.errors == []
    term, makeup, unset, closed = parsed.records
    assert (term.kind, term.start, term.end, term.note) == (
        "term",
        date(2026, 9, 1),
        date(2027, 1, 23),
        "第一学期",
    )
    assert (makeup.kind, makeup.start, makeup.end, makeup.weekday) == (
        "makeup",
        date(2026, 10, 10),
        date(2026, 10, 10),
        3,
    )
    assert unset.weekday is None
    assert (closed.kind, closed.end) == ("closed", date(2026, 10, 8))


def test_calendar_mistakes() -> None:
    table = sheet(
        "日期,类型,按周,说明\n"
        "2027-01-23~2026-09-01,学期,,\n"
        "2026-10-10,调休,周六,\n"
        "2026-10-01~2026-10-02,调休,周一,\n"
        "2026-10-01,停课,周一,\n"
        "2026-10-01,假日,,\n"
        "2026-09-01~2027-01-23,学期,,\n"
        "2026-12-01~2027-06-30,term,,\n"
        f"2026-11-11,停课,,{'长' * 201}\n",
        import_calendar.COLUMNS,
    )
    assert where(import_calendar.parse_calendar(table).errors) == [
        (2, "日期", "import.err.range_backwards"),
        (3, "按周", "import.err.makeup_weekday"),
        (4, "日期", "import.err.makeup_range"),
        (5, "按周", "import.err.weekday_not_makeup"),
        (6, "类型", "import.err.bad_kind"),
        (8, "日期", "import.err.term_overlap"),
        (9, "说明", "import.err.too_long"),
    ]

"""Importing school files into the database, on SQLite and PostgreSQL: all or nothing."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, time

import openpyxl
import pytest
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.roles import ADMIN, HEAD_TEACHER, TEACHER
from storage import audit
from storage.importer import IMPORT_KINDS, ImportFailed, ImportResult, import_table, kind_named
from storage.models import BellPeriod, CalendarEntry, Lesson, School, SchoolClass, Staff, Subject
from storage.schools import create_school
from views.imports import render_errors, render_summary

ADMIN_ID = 5_000_000_001

STAFF_CSV = (
    "姓名,角色,学科,年级,班主任,telegram_id\n"
    "张思月,教师、班主任,语文,,三(2)班,\n"
    "雷琴华,教师,数学,3,,\n"
    "王晴晴,管理员,英语,,,5000000001\n"
)

TIMETABLE_CSV = (
    "班级,星期,节次,学科,教师\n"
    "三(2)班,周一,1,语文,张思月\n"
    "三(2)班,周一,2,数学,雷琴华\n"
    "三(2)班,周二,1,英语,王晴晴\n"
    "三(1)班,周一,1,数学,雷琴华\n"
)


@pytest.fixture
async def school(session: AsyncSession, now: datetime) -> School:
    return await create_school(session=session, name="焦小", timezone="Asia/Shanghai", now=now)


async def run(
    session: AsyncSession,
    school: School,
    kind: str,
    data: bytes | str,
    now: datetime,
    filename: str = "file.csv",
) -> ImportResult:
    raw = data.encode() if isinstance(data, str) else data
    return await import_table(
        session=session,
        school_id=school.id or 0,
        kind=kind,
        data=raw,
        filename=filename,
        now=now,
        actor_telegram_id=ADMIN_ID,
    )


async def failed(
    session: AsyncSession, school: School, kind: str, data: bytes | str, now: datetime
) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        await run(session, school, kind, data, now)
    return caught.value


async def count(session: AsyncSession, model: type) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()


async def staff_named(session: AsyncSession, name: str) -> Staff:
    return (await session.exec(select(Staff).where(Staff.name == name))).one()


def plain(text: str) -> str:
    return re.sub(r"</?\w+>", "", text)


async def test_a_gbk_roster_from_excel_imports(
    session: AsyncSession, school: School, now: datetime
) -> None:
    result = await run(session, school, "staff", STAFF_CSV.encode("gbk"), now)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    head = await staff_named(session, "张思月")
    assert head.role_set == {TEACHER, HEAD_TEACHER} and head.subject_list == ["语文"]
    klass = await session.get(SchoolClass, head.head_of_class_id)
    assert klass is not None and (klass.grade, klass.number, klass.name) == (3, 2, "三(2)班")
    assert head.grade == 3
    admin = await staff_named(session, "王晴晴")
    assert admin.role_set == {ADMIN} and admin.telegram_id == ADMIN_ID
    assert "三(2)班" in plain(render_summary("zh", result))


async def test_the_roster_marks_external_teachers_and_keeps_the_mark_when_left_empty(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", "姓名,编制\n曹明,外聘\n周雅琴,在编\n", now)
    assert (await staff_named(session, "曹明")).external
    assert not (await staff_named(session, "周雅琴")).external
    again = await run(session, school, "staff", "姓名,学科,编制\n曹明,数学,\n", now)
    assert again.updated == 1
    assert (await staff_named(session, "曹明")).external
    hired = await run(session, school, "staff", "name,employment\n周雅琴,external\n", now)
    assert hired.updated == 1 and (await staff_named(session, "周雅琴")).external


async def test_an_unknown_employment_is_refused_in_either_language(
    session: AsyncSession, school: School, now: datetime
) -> None:
    problem = await failed(session, school, "staff", "姓名,编制\n曹明,临时工\n", now)
    assert "第 2 行「编制」列：“临时工”不是编制" in plain(render_errors("zh", problem))
    assert '"临时工" is not an employment status' in plain(render_errors("en", problem))
    assert await count(session, Staff) == 0


async def test_reimporting_a_roster_changes_nothing(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", STAFF_CSV, now)
    again = await run(session, school, "staff", STAFF_CSV, now)
    assert (again.created, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)
    assert await count(session, Staff) == 3
    assert await count(session, SchoolClass) == 1
    assert "没有任何改动" in render_summary("zh", again)


async def test_a_roster_without_ids_keeps_links_and_updates_in_place(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", STAFF_CSV, now)
    result = await run(session, school, "staff", "name,subjects\n王晴晴,英语、音乐\n", now)
    assert (result.created, result.updated) == (0, 1)
    admin = await staff_named(session, "王晴晴")
    assert admin.telegram_id == ADMIN_ID and admin.role_set == {ADMIN}
    assert admin.subject_list == ["英语", "音乐"]


async def test_english_headers_in_any_case(
    session: AsyncSession, school: School, now: datetime
) -> None:
    data = (
        "Name,ROLES,Subjects,Grade,Head_Of,Telegram_ID,Language\nLi Lei,teacher,Maths,,4(1),77,en\n"
    )
    result = await run(session, school, "staff", data, now)
    assert result.created == 1
    person = await staff_named(session, "Li Lei")
    assert person.role_set == {TEACHER, HEAD_TEACHER}
    assert (person.telegram_id, person.language, person.grade) == (77, "en", 4)


async def test_one_bad_row_imports_nothing_and_names_line_column_and_problem(
    session: AsyncSession, school: School, now: datetime
) -> None:
    data = STAFF_CSV.replace("雷琴华,教师,", "雷琴华,班长,")
    error = await failed(session, school, "staff", data, now)
    assert await count(session, Staff) == 0
    assert await count(session, SchoolClass) == 0
    assert [(e.line, e.column, e.key) for e in error.errors] == [
        (3, "角色", "import.err.unknown_role")
    ]
    zh = plain(render_errors("zh", error))
    assert "第 3 行「角色」列" in zh and "班长" in zh and "不会导入任何内容" in zh
    en = plain(render_errors("en", error))
    assert 'Line 3, column "角色": unknown role "班长"' in en


async def test_an_unknown_extra_column_is_refused_by_name(
    session: AsyncSession, school: School, now: datetime
) -> None:
    error = await failed(session, school, "staff", "姓名,学课\n张三,语文\n", now)
    assert "「学课」" in render_errors("zh", error) and "学科" in render_errors("zh", error)
    assert await count(session, Staff) == 0


async def test_a_missing_required_column_is_named_in_the_users_language(
    session: AsyncSession, school: School, now: datetime
) -> None:
    error = await failed(
        session, school, "timetable", "班级,星期,节次,学科\n三(2)班,周一,1,语文\n", now
    )
    assert "「教师」" in render_errors("zh", error)
    assert '"teacher"' in render_errors("en", error)


async def test_a_wrongly_encoded_file_gets_a_readable_error(
    session: AsyncSession, school: School, now: datetime
) -> None:
    error = await failed(session, school, "staff", STAFF_CSV.encode("utf-16"), now)
    assert "UTF-8 或 GBK" in render_errors("zh", error)
    assert "UTF-8 or GBK" in render_errors("en", error)


async def test_a_timetable_with_a_bom_imports_and_reimports_unchanged(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", STAFF_CSV, now)
    first = await run(session, school, "timetable", "\ufeff" + TIMETABLE_CSV, now)
    assert (first.created, first.removed) == (4, 0)
    assert await count(session, Subject) == 3
    again = await run(session, school, "timetable", TIMETABLE_CSV.encode("utf-8-sig"), now)
    assert (again.created, again.updated, again.removed, again.unchanged) == (0, 0, 0, 4)
    assert await count(session, Lesson) == 4
    assert await count(session, SchoolClass) == 2


async def test_a_timetable_replaces_only_the_classes_it_lists(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", STAFF_CSV, now)
    await run(session, school, "timetable", TIMETABLE_CSV, now)
    result = await run(
        session,
        school,
        "timetable",
        "班级,星期,节次,学科,教师\n三(2)班,周一,1,语文,王晴晴\n三(2)班,周三,3,音乐,王晴晴\n",
        now,
    )
    assert (result.created, result.updated, result.removed) == (1, 1, 2)
    lessons = (await session.exec(select(Lesson).order_by(col(Lesson.weekday)))).all()
    assert [(lesson.weekday, lesson.period) for lesson in lessons] == [(1, 1), (1, 1), (3, 3)]
    other = (await session.exec(select(SchoolClass).where(SchoolClass.number == 1))).one()
    assert sum(1 for lesson in lessons if lesson.class_id == other.id) == 1
    school_row = await session.get(School, school.id)
    assert school_row is not None and school_row.schedule_version >= 2


async def test_timetable_double_booking_in_the_file_names_both_lines(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", STAFF_CSV, now)
    data = TIMETABLE_CSV + "三(1)班,周一,2,数学,雷琴华\n"
    error = await failed(session, school, "timetable", data, now)
    assert [(e.line, e.key, e.values["other_line"]) for e in error.errors] == [
        (6, "import.err.teacher_double_booked", 3)
    ]
    assert "第 3 行" in render_errors("zh", error)
    assert await count(session, Lesson) == 0


async def test_an_unknown_teacher_gets_suggestions(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", STAFF_CSV, now)
    error = await failed(
        session, school, "timetable", "班级,星期,节次,学科,教师\n三(2)班,周一,1,语文,张思\n", now
    )
    assert [(e.line, e.column, e.key) for e in error.errors] == [
        (2, "教师", "import.err.unknown_teacher_close")
    ]
    assert "张思月" in render_errors("zh", error)
    assert await count(session, Lesson) == 0 and await count(session, SchoolClass) == 1


async def test_a_duty_row_with_a_bad_time_and_an_unknown_teacher_gets_both_at_once(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", STAFF_CSV, now)
    data = (
        "岗位,开始,结束,星期,教师\n"
        "护学岗,07:20,07:50,周一,张思月\n"
        "护学岗,7点20,07:50,周二,张思\n"
        "巡课,08:00,11:30,周三,无名氏\n"
    )
    error = await failed(session, school, "duty", data, now)
    assert [(e.line, e.column, e.key) for e in error.errors] == [
        (3, "开始", "import.err.bad_time"),
        (3, "教师", "import.err.unknown_teacher_close"),
        (4, "教师", "import.err.unknown_teacher"),
    ]
    assert "张思月" in render_errors("zh", error)


async def test_a_timetable_row_with_a_bad_period_and_an_unknown_teacher_gets_both(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", STAFF_CSV, now)
    data = "班级,星期,节次,学科,教师\n三(2)班,周一,第一百节,语文,张思\n三(2)班,周八,2,数学,\n"
    error = await failed(session, school, "timetable", data, now)
    assert [(e.line, e.column, e.key) for e in error.errors] == [
        (2, "节次", "import.err.bad_period"),
        (2, "教师", "import.err.unknown_teacher_close"),
        (3, "星期", "import.err.bad_weekday"),
        (3, "教师", "import.err.required"),
    ]
    assert await count(session, Lesson) == 0


async def test_a_teacher_already_teaching_another_class_then(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", STAFF_CSV, now)
    await run(session, school, "timetable", TIMETABLE_CSV, now)
    error = await failed(
        session, school, "timetable", "班级,星期,节次,学科,教师\n四(1)班,周一,1,数学,雷琴华\n", now
    )
    assert [e.key for e in error.errors] == ["import.err.teacher_busy"]
    assert "三(1)班" in render_errors("zh", error)


async def test_telegram_id_linked_to_someone_else_is_refused(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", STAFF_CSV, now)
    error = await failed(session, school, "staff", f"姓名,telegram_id\n景佳梅,{ADMIN_ID}\n", now)
    assert [(e.key, e.values["other"]) for e in error.errors] == [
        ("import.err.telegram_taken", "王晴晴")
    ]
    assert await count(session, Staff) == 3


def bells_xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["节次", "开始", "结束"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_bells_from_an_xlsx_upsert_and_drop_missing_periods(
    session: AsyncSession, school: School, now: datetime
) -> None:
    data = bells_xlsx(
        [[1, time(8, 0), time(8, 40)], [2, time(8, 50), time(9, 30)], [3, "9:40", "10:20"]]
    )
    first = await run(session, school, "bells", data, now, filename="作息.xlsx")
    assert first.created == 3
    changed = bells_xlsx([[1, time(8, 0), time(8, 40)], [2, time(8, 55), time(9, 35)]])
    second = await run(session, school, "bells", changed, now, filename="作息.xlsx")
    assert (second.created, second.updated, second.removed, second.unchanged) == (0, 1, 1, 1)
    bells = (await session.exec(select(BellPeriod).order_by(col(BellPeriod.period)))).all()
    assert [(b.period, b.starts_at, b.ends_at) for b in bells] == [
        (1, time(8, 0), time(8, 40)),
        (2, time(8, 55), time(9, 35)),
    ]


async def test_overlapping_bells_are_refused(
    session: AsyncSession, school: School, now: datetime
) -> None:
    error = await failed(
        session, school, "bells", "节次,开始,结束\n1,8:00,8:40\n2,8:30,9:10\n", now
    )
    assert [(e.line, e.key) for e in error.errors] == [(3, "import.err.bell_overlap")]
    assert "重叠" in render_errors("zh", error)
    assert await count(session, BellPeriod) == 0


CALENDAR_CSV = (
    "日期,类型,按周,说明\n"
    "2026-09-01~2027-01-23,学期,,第一学期\n"
    "2026-10-01至2026-10-08,停课,,国庆\n"
    "2026-10-10,调休,周三,\n"
    "2026-09-20,调休,,\n"
)


async def test_calendar_ranges_and_makeup_weekdays(
    session: AsyncSession, school: School, now: datetime
) -> None:
    result = await run(session, school, "calendar", CALENDAR_CSV, now)
    assert result.created == 4
    assert "9月20日 周日" in render_summary("zh", result)
    entries = (
        await session.exec(select(CalendarEntry).order_by(col(CalendarEntry.start_date)))
    ).all()
    assert [(e.kind, e.start_date, e.end_date, e.weekday, e.note) for e in entries] == [
        ("term", date(2026, 9, 1), date(2027, 1, 23), None, "第一学期"),
        ("makeup", date(2026, 9, 20), date(2026, 9, 20), None, ""),
        ("closed", date(2026, 10, 1), date(2026, 10, 8), None, "国庆"),
        ("makeup", date(2026, 10, 10), date(2026, 10, 10), 3, ""),
    ]
    fixed = await run(
        session, school, "calendar", "日期,类型,按周\n2026-09-20,makeup,Monday\n", now
    )
    assert (fixed.created, fixed.updated) == (0, 1)
    assert await count(session, CalendarEntry) == 4


async def test_a_backwards_range_is_refused(
    session: AsyncSession, school: School, now: datetime
) -> None:
    error = await failed(
        session, school, "calendar", "日期,类型\n2027-01-23~2026-09-01,学期\n", now
    )
    assert "早于" in render_errors("zh", error)


async def test_every_import_writes_one_audit_row_with_counts(
    session: AsyncSession, school: School, now: datetime
) -> None:
    await run(session, school, "staff", STAFF_CSV, now)
    await run(session, school, "calendar", CALENDAR_CSV, now)
    rows = await audit.entries(session=session, school_id=school.id)
    imports = [r for r in rows if r.action.startswith("import_")]
    assert [r.action for r in imports] == ["import_staff", "import_calendar"]
    assert imports[0].actor_telegram_id == ADMIN_ID
    staff = await staff_named(session, "王晴晴")
    assert imports[1].actor_staff_id == staff.id
    assert json.loads(imports[0].detail) == {
        "created": 3,
        "file": "file.csv",
        "removed": 0,
        "rows": 3,
        "unchanged": 0,
        "updated": 0,
    }


async def test_a_header_only_file_is_refused(
    session: AsyncSession, school: School, now: datetime
) -> None:
    error = await failed(session, school, "bells", "节次,开始,结束\n", now)
    assert [e.key for e in error.errors] == ["import.err.no_rows"]


def test_kinds_are_registered_in_a_stable_order_and_found_by_alias() -> None:
    # Later kinds (events, duty…) come after these four; the demo imports in this order.
    assert list(IMPORT_KINDS)[:4] == ["staff", "timetable", "bells", "calendar"]
    assert kind_named("课表") == "timetable" and kind_named("Staff") == "staff"
    assert kind_named("值班表") == "duty" and kind_named("canteen") is None


async def test_dates_far_from_today_are_refused_with_the_range_allowed(
    session: AsyncSession, school: School, now: datetime
) -> None:
    error = await failed(
        session,
        school,
        "calendar",
        "日期,类型\n2026-09-01~9999-12-31,学期\n0001-01-01,停课\n2026-10-10,调休\n",
        now,
    )
    assert [(e.line, e.key) for e in error.errors] == [
        (2, "common.date_out_of_range"),
        (3, "common.date_out_of_range"),
    ]
    text = render_errors("zh", error)
    assert "离今天太远" in text and "2024-11-23 至 2028-11-26" in text
    assert await count(session, CalendarEntry) == 0

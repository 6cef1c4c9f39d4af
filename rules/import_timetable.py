"""The timetable import: one row per weekly lesson.

The file is the whole timetable of the classes it lists. A lesson is known by its class, weekday,
period and first day of validity, so re-importing the same file changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date

from rules.classnames import ClassRef
from rules.import_errors import RowError, weekday_name
from rules.importing import (
    Parsed,
    PartialRow,
    RowReader,
    named_cells,
    overlaps,
    parse_class,
    parse_date,
    parse_period,
    parse_weekday,
    unknown_names,
)
from rules.tabular import Column, Sheet

MAX_SUBJECT = 32

COLUMNS = (
    Column("class", "班级", "class", required=True, aliases=("班",)),
    Column("weekday", "星期", "weekday", required=True, aliases=("周", "周几", "day")),
    Column("period", "节次", "period", required=True, aliases=("节", "第几节")),
    Column("subject", "学科", "subject", required=True, aliases=("科目", "课程")),
    Column("teacher", "教师", "teacher", required=True, aliases=("老师", "任课教师")),
    Column("valid_from", "开始", "valid_from", aliases=("生效日期", "from")),
    Column("valid_to", "结束", "valid_to", aliases=("截止日期", "to", "until")),
)


@dataclass(frozen=True)
class LessonRecord:
    line: int
    class_ref: ClassRef
    weekday: int
    period: int
    subject: str
    teacher: str
    valid_from: date | None
    valid_to: date | None

    @property
    def key(self) -> tuple[ClassRef, int, int, date | None]:
        """What identifies a lesson across imports."""
        return (self.class_ref, self.weekday, self.period, self.valid_from)

    @property
    def span(self) -> tuple[date | None, date | None]:
        return (self.valid_from, self.valid_to)


@dataclass(frozen=True)
class BookedLesson:
    """A stored lesson the import keeps (its class is not in the file)."""

    teacher: str
    class_name: str
    weekday: int
    period: int
    valid_from: date | None
    valid_to: date | None


def parse_timetable(sheet: Sheet) -> Parsed[LessonRecord]:
    parsed: Parsed[LessonRecord] = Parsed()
    for row in sheet.rows:
        cells = RowReader(sheet, row, parsed.errors)
        class_ref = cells.read("class", parse_class, required=True)
        weekday = cells.read("weekday", parse_weekday, required=True)
        period = cells.read("period", parse_period, required=True)
        subject = cells.text("subject", required=True, max_len=MAX_SUBJECT)
        teacher = cells.text("teacher", required=True)
        valid_from = cells.read("valid_from", parse_date)
        valid_to = cells.read("valid_to", parse_date)
        if valid_from and valid_to and valid_to < valid_from:
            cells.fail("valid_to", "import.err.range_backwards", start=valid_from, end=valid_to)
        if not cells.ok or class_ref is None or weekday is None or period is None:
            parsed.partial.append(cells.partial(teacher=teacher))
            continue
        parsed.records.append(
            LessonRecord(
                row.line, class_ref, weekday, period, subject, teacher, valid_from, valid_to
            )
        )
    parsed.errors += double_bookings(sheet, parsed.records)
    return parsed


def double_bookings(sheet: Sheet, records: list[LessonRecord]) -> list[RowError]:
    """A class, or a teacher, in two lessons of the same slot with overlapping validity."""
    errors: list[RowError] = []
    checks: tuple[tuple[str, str], ...] = (
        ("class", "import.err.class_double_booked"),
        ("teacher", "import.err.teacher_double_booked"),
    )
    for who, key in checks:
        booked: dict[Hashable, list[LessonRecord]] = defaultdict(list)
        for record in records:
            owner = record.class_ref if who == "class" else record.teacher
            slot = booked[(owner, record.weekday, record.period)]
            clash = next((b for b in slot if overlaps(b.span, record.span)), None)
            slot.append(record)
            if clash is None:
                continue
            errors.append(
                RowError(
                    record.line,
                    sheet.label(who),
                    key,
                    {
                        "class_name": record.class_ref.name,
                        "teacher": record.teacher,
                        "weekday": weekday_name(record.weekday),
                        "period": record.period,
                        "other_line": clash.line,
                    },
                )
            )
    return errors


def unknown_teachers(
    sheet: Sheet,
    records: list[LessonRecord],
    staff_names: Iterable[str],
    partial: Iterable[PartialRow] = (),
) -> list[RowError]:
    """Teachers who are not staff of the school, with the names most likely meant; `partial`
    adds the rows the parser rejected for another reason."""
    return unknown_names(sheet, "teacher", named_cells(records, partial, "teacher"), staff_names)


def busy_elsewhere(
    sheet: Sheet, records: list[LessonRecord], kept: Iterable[BookedLesson]
) -> list[RowError]:
    """Teachers the file books in a slot where they teach a class the file does not list."""
    by_slot: dict[tuple[str, int, int], list[BookedLesson]] = defaultdict(list)
    for lesson in kept:
        by_slot[(lesson.teacher, lesson.weekday, lesson.period)].append(lesson)
    errors: list[RowError] = []
    for record in records:
        for lesson in by_slot.get((record.teacher, record.weekday, record.period), []):
            if overlaps((lesson.valid_from, lesson.valid_to), record.span):
                errors.append(
                    RowError(
                        record.line,
                        sheet.label("teacher"),
                        "import.err.teacher_busy",
                        {
                            "teacher": record.teacher,
                            "class_name": lesson.class_name,
                            "weekday": weekday_name(record.weekday),
                            "period": record.period,
                        },
                    )
                )
                break
    return errors

"""The demo school's files, in the same CSV formats a real school imports.

`demo_files(today)` builds staff, bells, timetable, calendar and duty files for the school year
around `today`, deterministically, so the playground, the scripted demo and the tests all see
the same school.
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from datetime import date, timedelta

import chinese_calendar

from demo.roster import (
    CLASSES_PER_GRADE,
    DEMO_ID_BASE,
    HEAD_TEACHER_SUBJECTS,
    OFFICE,
    PERIODS_PER_DAY,
    WEEKLY_LESSONS,
    Person,
    people,
)
from rules.calendar import WEEKDAY_NAMES_ZH
from rules.classnames import display_name

BELLS = [
    ("08:00", "08:40"),
    ("08:50", "09:30"),
    ("10:00", "10:40"),
    ("10:50", "11:30"),
    ("13:30", "14:10"),
    ("14:20", "15:00"),
    ("15:10", "15:50"),
]
MAX_SAME_SUBJECT_PER_DAY = 2


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _class_name(key: str) -> str:
    grade, number = (int(part) for part in key.split("-"))
    return display_name(grade, number)


def staff_file(staff: list[Person], id_base: int = DEMO_ID_BASE) -> bytes:
    role_names = {
        "teacher": "教师",
        "head_teacher": "班主任",
        "grade_leader": "年级组长",
        "office": "教导处",
        "principal": "校长",
        "admin": "管理员",
    }
    rows: list[list[object]] = []
    for index, person in enumerate(staff, start=1):
        rows.append(
            [
                person.name,
                "、".join(role_names[r] for r in person.roles),
                "、".join(person.subjects),
                person.grade or "",
                _class_name(person.head_of) if person.head_of else "",
                id_base + index if person.telegram else "",
            ]
        )
    return _csv(["姓名", "角色", "学科", "年级", "班主任", "telegram_id"], rows)


def demo_telegram_ids(
    staff: list[Person] | None = None, id_base: int = DEMO_ID_BASE
) -> dict[str, int]:
    """Name → the made-up Telegram id the staff file links them to."""
    staff = staff if staff is not None else people()
    return {p.name: id_base + i for i, p in enumerate(staff, start=1) if p.telegram}


def bells_file() -> bytes:
    return _csv(["节次", "开始", "结束"], [[i, s, e] for i, (s, e) in enumerate(BELLS, start=1)])


def _teacher_for(staff: list[Person], key: str, subject: str) -> str:
    if subject in HEAD_TEACHER_SUBJECTS:
        return next(p.name for p in staff if p.head_of == key)
    return next(p.name for p in staff if subject in p.subjects and key in p.classes)


def timetable(
    staff: list[Person], seed: int = 7, classes_per_grade: dict[int, int] | None = None
) -> list[tuple[str, int, int, str, str]]:
    """(class key, weekday, period, subject, teacher) for every lesson; no one double-booked."""
    shape = classes_per_grade or CLASSES_PER_GRADE
    for attempt in range(500):
        result = _try_timetable(staff, random.Random(seed + attempt), shape)
        if result is not None:
            return result
    raise RuntimeError("could not build the demo timetable")


def _try_timetable(
    staff: list[Person], rng: random.Random, shape: dict[int, int]
) -> list[tuple[str, int, int, str, str]] | None:
    units: list[tuple[str, str, str]] = []
    for grade, count in shape.items():
        for number in range(1, count + 1):
            key = f"{grade}-{number}"
            for subject, weekly in WEEKLY_LESSONS[grade].items():
                teacher = _teacher_for(staff, key, subject)
                units.extend((key, subject, teacher) for _ in range(weekly))
    load: dict[str, int] = defaultdict(int)
    for _, _, teacher in units:
        load[teacher] += 1
    rng.shuffle(units)
    # The busiest teachers are the hardest to place: they go first.
    units.sort(key=lambda unit: -load[unit[2]])
    class_busy: set[tuple[str, int, int]] = set()
    teacher_busy: set[tuple[str, int, int]] = set()
    per_day: dict[tuple[str, str, int], int] = defaultdict(int)
    lessons: list[tuple[str, int, int, str, str]] = []
    for key, subject, teacher in units:
        periods = PERIODS_PER_DAY[int(key.split("-")[0])]
        slots = [(d, p) for d in range(1, 6) for p in range(1, periods + 1)]
        rng.shuffle(slots)
        for day, period in slots:
            if (
                (key, day, period) in class_busy
                or (teacher, day, period) in teacher_busy
                or per_day[(key, subject, day)] >= MAX_SAME_SUBJECT_PER_DAY
            ):
                continue
            class_busy.add((key, day, period))
            teacher_busy.add((teacher, day, period))
            per_day[(key, subject, day)] += 1
            lessons.append((key, day, period, subject, teacher))
            break
        else:
            return None
    return sorted(lessons)


def timetable_file(staff: list[Person], classes_per_grade: dict[int, int] | None = None) -> bytes:
    rows: list[list[object]] = [
        [_class_name(key), WEEKDAY_NAMES_ZH[day - 1], period, subject, teacher]
        for key, day, period, subject, teacher in timetable(
            staff, classes_per_grade=classes_per_grade
        )
    ]
    return _csv(["班级", "星期", "节次", "学科", "教师"], rows)


def school_year(today: date) -> tuple[date, date]:
    """The term around `today`: autumn (Sep–Jan) or spring (late Feb–early Jul)."""
    if today.month >= 8:
        return date(today.year, 9, 1), date(today.year + 1, 1, 22)
    if today.month == 1:
        return date(today.year - 1, 9, 1), date(today.year, 1, 22)
    return date(today.year, 2, 24), date(today.year, 7, 3)


def calendar_file(today: date) -> bytes:
    start, end = school_year(today)
    rows: list[list[object]] = [[f"{start}~{end}", "学期", "", "本学期"]]
    # Weekend working days of the State Council calendar inside the term: the school names the
    # weekday whose timetable they follow. Years the package does not know are left out.
    day = start
    cycle = 0
    while day <= end:
        if day.isoweekday() >= 6:
            try:
                workday = chinese_calendar.is_workday(day)
            except NotImplementedError:
                workday = False
            if workday:
                rows.append([day.isoformat(), "调休", WEEKDAY_NAMES_ZH[cycle % 5], "调休上课"])
                cycle += 1
        day += timedelta(days=1)
    new_year_eve = date(start.year, 12, 31)
    if start <= new_year_eve <= end and new_year_eve.isoweekday() <= 5:
        rows.append([new_year_eve.isoformat(), "停课", "", "迎新年文艺汇演"])
    # Entered by the school itself as well, as schools do: it holds even before the State
    # Council table covers the new year.
    new_year = date(start.year + 1, 1, 1)
    if start <= new_year <= end:
        rows.append([new_year.isoformat(), "停课", "", "元旦"])
    return _csv(["日期", "类型", "按周", "说明"], rows)


def duty_file(staff: list[Person]) -> bytes:
    rows: list[list[object]] = []
    for index, name in enumerate(OFFICE):
        weekday = WEEKDAY_NAMES_ZH[index]
        rows.append(["巡课（上午）", "08:00", "11:30", weekday, "", name])
        rows.append(["巡课（下午）", "13:30", "15:50", weekday, "", name])
    gate = [p.name for p in staff if "teacher" in p.roles and "office" not in p.roles][:20]
    for order, name in enumerate(gate[:10], start=1):
        rows.append(["护学岗（早）", "07:20", "07:50", "", order, name])
    for order, name in enumerate(gate[10:20], start=1):
        rows.append(["护学岗（午）", "15:50", "16:20", "", order, name])
    return _csv(["岗位", "开始", "结束", "星期", "顺序", "教师"], rows)


def demo_files(
    today: date,
    *,
    classes_per_grade: dict[int, int] | None = None,
    extra_staff: int = 0,
    id_base: int = DEMO_ID_BASE,
) -> dict[str, tuple[str, bytes]]:
    """Import kind → (file name, CSV bytes), in the order they must be imported.

    The keyword arguments build another school of the same kind (the benchmarks' schools).
    """
    staff = people(classes_per_grade, extra_staff)
    return {
        "staff": ("staff.csv", staff_file(staff, id_base)),
        "bells": ("bells.csv", bells_file()),
        "timetable": ("timetable.csv", timetable_file(staff, classes_per_grade)),
        "calendar": ("calendar.csv", calendar_file(today)),
        "duty": ("duty.csv", duty_file(staff)),
    }

"""How leave, cover and swaps are written out: days, parts of the day, lessons, the slip.

Shared by the handlers and the scheduled pushes. Group texts never carry the leave type or the
reason: the slip is built from names, parts of the day and lessons only.
"""

from __future__ import annotations

from datetime import date

from bot.texts import Safe, t
from rules.classnames import MAX_GRADE, grade_word
from rules.cover import DayLesson
from rules.leave_dates import DayPart
from rules.states import CoverStatus
from storage.models import CoverNeed, LessonSwap, Staff
from storage.schedule import Names, Schedule
from views.common import day_label


def grade_label(lang: str, grade: int) -> str:
    """三年级 / grade 3: the grade group as the school says it."""
    if lang != "en" and 1 <= grade <= MAX_GRADE:
        return t(lang, "leave.grade", grade=grade_word(grade))
    return t(lang, "leave.grade", grade=grade)


def part_label(lang: str, code: str) -> str:
    part = DayPart.from_code(code)
    if part.kind != "periods":
        return t(lang, f"leave.part.{part.kind}")
    if part.first == part.last:
        return t(lang, "leave.part.period", period=part.first)
    return t(lang, "leave.part.periods", first=part.first, last=part.last)


def span_label(lang: str, first: date, last: date, part: str) -> str:
    if first == last:
        return f"{day_label(lang, first)} {part_label(lang, part)}"
    return t(
        lang,
        "leave.span",
        first=day_label(lang, first),
        last=day_label(lang, last),
        part=part_label(lang, part),
    )


def kind_label(lang: str, kind: str) -> str:
    return t(lang, f"leave.kind.{kind}")


def bell_label(schedule: Schedule, period: int) -> str:
    bell = schedule.bells.get(period)
    return f"{bell[0]:%H:%M}–{bell[1]:%H:%M}" if bell is not None else ""


def lesson_label(
    lang: str,
    names: Names,
    schedule: Schedule,
    *,
    day: date,
    period: int,
    class_id: int,
    subject_id: int,
    with_day: bool = True,
) -> str:
    """11月26日 周四 第3节（10:00–10:40）三(2)班 数学 — values escaped."""
    return t(
        lang,
        "leave.lesson",
        day=day_label(lang, day) if with_day else "",
        period=period,
        time=bell_label(schedule, period) or "—",
        klass=names.classes.get(class_id, "?"),
        subject=names.subjects.get(subject_id, "?"),
    ).strip()


def day_lesson_label(lang: str, names: Names, schedule: Schedule, lesson: DayLesson) -> str:
    return lesson_label(
        lang,
        names,
        schedule,
        day=lesson.day,
        period=lesson.period,
        class_id=lesson.class_id,
        subject_id=lesson.subject_id,
    )


def need_label(
    lang: str, names: Names, schedule: Schedule, need: CoverNeed, *, with_day: bool = True
) -> str:
    return lesson_label(
        lang,
        names,
        schedule,
        day=need.day,
        period=need.period,
        class_id=need.class_id,
        subject_id=need.subject_id,
        with_day=with_day,
    )


def language_of(staff: Staff, default: str) -> str:
    return staff.language or default


def cover_state(lang: str, names: Names, need: CoverNeed) -> str:
    """What is arranged for a lesson, for the slip and the arranger's board."""
    if need.status == CoverStatus.ASSIGNED:
        return t(lang, "cover.state.assigned", name=names.person(need.substitute_id))
    if need.status == CoverStatus.MERGED:
        return t(
            lang,
            "cover.state.merged",
            klass=names.classes.get(need.merged_class_id or 0, "?"),
            name=names.person(need.substitute_id),
        )
    return t(lang, f"cover.state.{need.status}")


def swap_line(lang: str, names: Names, schedule: Schedule, swap: LessonSwap) -> str:
    first = lesson_label(
        lang,
        names,
        schedule,
        day=swap.first_day,
        period=swap.first_period,
        class_id=swap.first_class_id,
        subject_id=swap.first_subject_id,
    )
    second = lesson_label(
        lang,
        names,
        schedule,
        day=swap.second_day,
        period=swap.second_period,
        class_id=swap.second_class_id,
        subject_id=swap.second_subject_id,
    )
    return t(
        lang,
        "swap.line",
        first=Safe(first),
        first_teacher=names.person(swap.proposer_id),
        second=Safe(second),
        second_teacher=names.person(swap.colleague_id),
    )

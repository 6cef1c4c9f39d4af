"""How leave, cover and swaps are written out: days, parts of the day, lessons, the slip.

Shared by the handlers and the scheduled pushes. Group texts never carry the leave type or the
reason: the slip is built from names, parts of the day and lessons only.
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, t
from rules.approval import escalation_roles
from rules.classnames import MAX_GRADE, grade_word
from rules.cover import DayLesson
from rules.leave_dates import DayPart
from rules.states import CoverStatus
from storage.models import CoverNeed, LeaveApproval, LeaveRequest, LessonSwap, Staff
from storage.schedule import Kit, Names, Schedule, leave_lessons
from storage.types import stored_id
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


def days_text(half_days: int) -> str:
    """0.5, 1, 2.5: school days in halves, written without a needless .0."""
    return f"{half_days / 2:g}"


def lessons_block(lang: str, kit: Kit, lessons: list[DayLesson], unknown: list[date]) -> str:
    """The lessons an absence touches, one per line, and a warning per unknown day."""
    lines: list[str] = []
    if lessons:
        lines.append(t(lang, "leave.lessons", count=len(lessons)))
        lines.extend(
            "· " + day_lesson_label(lang, kit.names, kit.schedule, lesson) for lesson in lessons
        )
    else:
        lines.append(t(lang, "leave.no_lessons"))
    lines.extend(t(lang, "leave.unknown_day", day=day_label(lang, day)) for day in unknown)
    return "\n".join(lines)


def step_label(lang: str, approval: LeaveApproval) -> str:
    if approval.level:  # moved up: named by the role it reached
        return t(lang, f"role.{escalation_roles(approval.role, approval.level)[-1]}")
    label = t(lang, f"role.{approval.role}")
    if approval.grade is not None:
        return t(lang, "leave.step_grade", role=label, grade=grade_label(lang, approval.grade))
    return label


def sick_note(lang: str, kit: Kit, kind: str, half_days: int, key: str = "leave.sick_note") -> str:
    """The line asking for a doctor's note, when the school wants one for this leave; or ""."""
    after = int(kit.policies.get("leave.sick_note_after_days"))
    if kind != "sick" or half_days <= after * 2:
        return ""
    return "\n" + t(lang, key)


def calendar_note(lang: str, kit: Kit, first: date, last: date) -> str:
    """A line saying the leave's school days are not confirmed, when it reaches into a year the
    State Council has not published yet (its make-up working days may change them); or ""."""
    calendar = kit.schedule.calendar
    years = calendar.unknown_years(status.day for status in calendar.days(first, last))
    if not years:
        return ""
    return "\n" + t(lang, "cal.leave_unconfirmed", years="、".join(map(str, years)))


def chain_text(lang: str, steps: list[LeaveApproval]) -> str:
    """The approval chain in words: 年级组长（三年级） → 教导处."""
    return t(lang, "leave.chain_sep").join(step_label(lang, step) for step in steps)


def approval_markup(lang: str, approval: LeaveApproval) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "leave.button.approve"),
                    callback_data=callbacks.LEAVE_APPROVE.data(stored_id(approval)),
                ),
                InlineKeyboardButton(
                    t(lang, "leave.button.reject"),
                    callback_data=callbacks.LEAVE_REJECT.data(stored_id(approval)),
                ),
            ]
        ]
    )


def approval_text(
    lang: str,
    kit: Kit,
    leave: LeaveRequest,
    approval: LeaveApproval,
    steps: int,
    key: str = "leave.ask_approver",
) -> str:
    """The private message an approver gets: every detail, the reason included."""
    lessons, unknown = leave_lessons(
        kit, leave.staff_id, leave.first_day, leave.last_day, DayPart.from_code(leave.part)
    )
    substitute = ""
    if leave.substitute_id is not None:
        substitute = t(
            lang,
            "leave.substitute_line",
            name=kit.names.person(leave.substitute_id),
            state=t(lang, f"leave.substitute_state.{leave.substitute_state}"),
        )
    note = sick_note(lang, kit, leave.kind, leave.half_days, "leave.sick_note_approver")
    return (
        t(
            lang,
            key,
            name=kit.names.person(leave.staff_id),
            kind=kind_label(lang, leave.kind),
            span=span_label(lang, leave.first_day, leave.last_day, leave.part),
            days=days_text(leave.half_days),
            reason=leave.reason,
            lessons=Safe(lessons_block(lang, kit, lessons, unknown)),
            substitute=Safe(substitute),
            step=approval.step + 1,
            steps=steps,
            role=step_label(lang, approval),
        )
        + note
    )


def people_names(lang: str, people: list[Staff]) -> str:
    return t(lang, "common.list_sep").join(p.name for p in people) or t(lang, "common.none")


def withdraw_markup(
    lang: str, leave: LeaveRequest, *, handover: bool = False
) -> InlineKeyboardMarkup:
    """撤销 under the teacher's own message about a request (it asks before it withdraws); with
    `handover`, 添加交接 too, for a leave with lessons to cover."""
    rows = [
        [
            InlineKeyboardButton(
                t(lang, "leave.button.withdraw"),
                callback_data=callbacks.LEAVE_WITHDRAW.data(stored_id(leave)),
            )
        ]
    ]
    if handover:
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, "handover.button.open"),
                    callback_data=callbacks.HANDOVER_MENU.data(stored_id(leave)),
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


def withdraw_confirm_markup(lang: str, leave_id: int, message_id: int) -> InlineKeyboardMarkup:
    """确定撤销 / 不撤销, asked after 撤销: one press next to 添加交接 is easily a slip."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "leave.button.withdraw_yes"),
                    callback_data=callbacks.LEAVE_WITHDRAW_YES.data(leave_id, message_id),
                ),
                InlineKeyboardButton(
                    t(lang, "leave.button.withdraw_no"),
                    callback_data=callbacks.LEAVE_WITHDRAW_NO.data(leave_id, message_id),
                ),
            ]
        ]
    )


def substitute_markup(lang: str, leave: LeaveRequest) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "leave.button.agree"),
                    callback_data=callbacks.LEAVE_SUBSTITUTE_YES.data(stored_id(leave)),
                ),
                InlineKeyboardButton(
                    t(lang, "leave.button.decline"),
                    callback_data=callbacks.LEAVE_SUBSTITUTE_NO.data(stored_id(leave)),
                ),
            ]
        ]
    )

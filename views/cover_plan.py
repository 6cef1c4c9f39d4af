"""The plan board of a long absence (固定代课): a line for each of the absent teacher's weekly
lessons with who takes it, then one lesson at a time with its suggestions, as a cover board
shows a day. Buttons carry the leave and the lesson's place in its list; every press is checked
again (handlers/cover/plans.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, t
from rules.cover import Suggestion
from rules.cover_plans import WeeklyLesson
from storage.cover_plans import LeavePlan
from storage.schedule import Kit, Names
from storage.types import stored_id
from views.common import span_label, weekday_name
from views.cover_board import reason_words
from views.leave import span_label as leave_span

# Lines listing the weekly lessons: a full timetable of a teacher fits a phone's screen.
LISTED = 16


def weekly_label(lang: str, names: Names, lesson: WeeklyLesson) -> str:
    """周一 第3节 三(2)班 语文"""
    return t(
        lang,
        "plan.lesson",
        weekday=weekday_name(lang, lesson.weekday),
        period=lesson.period,
        klass=names.classes.get(lesson.class_id, "?"),
        subject=names.subjects.get(lesson.subject_id, "?"),
    )


def render_plan(
    lang: str,
    kit: Kit,
    plan: LeavePlan,
    index: int,
    suggestions: list[Suggestion],
    *,
    offer: bool = False,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The board for an arranger; `offer`: sent on approval, it says why it came."""
    leave = plan.leave
    lines: list[str] = [
        t(
            lang,
            "plan.title",
            name=kit.names.person(leave.staff_id),
            number=stored_id(leave),
            span=leave_span(lang, leave.first_day, leave.last_day, leave.part),
        )
    ]
    if offer:
        lines.append(t(lang, "plan.offer"))
    if not plan.lines:
        lines.append(t(lang, "plan.nothing"))
        return "\n".join(lines), None
    index %= len(plan.lines)
    for number, line in enumerate(plan.lines[:LISTED], start=1):
        if line.row is not None:
            state = t(
                lang,
                "plan.taken",
                name=kit.names.person(line.row.substitute_id),
                span=span_label(lang, line.row.first_day, line.row.last_day),
            )
        else:
            state = t(lang, "plan.open", count=len(line.needs))
        lines.append(
            t(
                lang,
                "plan.line",
                mark=t(
                    lang, "cover.board.mark_shown" if number == index + 1 else "cover.board.mark"
                ),
                number=number,
                lesson=Safe(weekly_label(lang, kit.names, line.lesson)),
                state=Safe(state),
            )
        )
    shown = plan.lines[index]
    lines.append(
        t(
            lang,
            "plan.choose",
            number=index + 1,
            lesson=Safe(weekly_label(lang, kit.names, shown.lesson)),
        )
    )
    if suggestions:
        lines.extend(
            t(
                lang,
                "cover.board.suggestion",
                name=s.name,
                reasons=Safe(reason_words(lang, s)),
            )
            for s in suggestions
        )
    else:
        lines.append(t(lang, "plan.nobody"))
    number = index + 1
    leave_id = stored_id(leave)
    rows: list[list[InlineKeyboardButton]] = [
        [
            InlineKeyboardButton(
                t(lang, "cover.button.assign", number=number, name=s.name),
                callback_data=callbacks.COVER_PLAN_PICK.data(
                    leave_id, shown.lesson.code, shown.lesson.class_id, s.staff_id
                ),
            )
            for s in suggestions
        ]
    ]
    if len(plan.lines) > 1:
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, label, number=(index + step) % len(plan.lines) + 1),
                    callback_data=callbacks.COVER_PLAN_PAGE.data(
                        leave_id, (index + step) % len(plan.lines)
                    ),
                )
                for step, label in ((-1, "cover.button.prev"), (1, "cover.button.next"))
            ]
        )
    if plan.active and plan.taken():
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, "plan.button.end"),
                    callback_data=callbacks.COVER_PLAN_END.data(leave_id),
                )
            ]
        )
    kept = [row for row in rows if row]
    return "\n".join(lines), InlineKeyboardMarkup(kept) if kept else None

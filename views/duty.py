"""How days, duty shifts and calendar entries read, for the commands and the scheduled pushes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, escape, t
from rules import dates
from rules.calendar import DayKind, DayStatus
from rules.importing import CellError
from storage.duty import DutyGap, DutyShift, Replacement
from storage.models import School
from storage.types import stored_id
from views.common import day_label, weekday_name


def hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def school_today(school: School, now: datetime) -> date:
    return now.astimezone(ZoneInfo(school.timezone)).date()


def take_day(words: list[str], today: date) -> tuple[date, int]:
    """The day the first words name (明天, 下周一, next monday) and how many words it took.

    Raises CellError when they name no day or one too far from today.
    """
    try:
        found = dates.take_day(words, today)
    except dates.DateError as exc:
        raise CellError(exc.key, **exc.values) from exc
    if found is None:
        raise CellError("import.err.bad_date", value=words[0] if words else "")
    return found


def mention(name: str, telegram_id: int | None) -> Safe:
    """A name that notifies its owner in a group message, when we know their account."""
    if telegram_id is None:
        return Safe(f"<b>{escape(name)}</b>")
    return Safe(f'<a href="tg://user?id={telegram_id}">{escape(name)}</a>')


def who(lang: str, shift: DutyShift, *, notify: bool = False) -> Safe:
    if shift.staff_id is None:
        return t(lang, "duty.nobody")
    name = (
        mention(shift.name, shift.telegram_id) if notify else Safe(f"<b>{escape(shift.name)}</b>")
    )
    if shift.replaced and shift.regular_name:
        return t(lang, "duty.instead", who=name, regular=shift.regular_name)
    return name


def shift_line(lang: str, shift: DutyShift, *, notify: bool = False, gap: bool = False) -> Safe:
    """One post and who is on it; `gap`: its person is away then and nobody stands in yet."""
    return t(
        lang,
        "duty.line",
        start=hhmm(shift.starts_at),
        end=hhmm(shift.ends_at),
        post=shift.post,
        who=t(lang, "duty.needs_replacement", name=shift.name)
        if gap
        else who(lang, shift, notify=notify),
    )


def makeup_note(lang: str, status: DayStatus) -> Safe:
    """What a make-up working day follows, or an empty text on an ordinary day."""
    if status.kind != DayKind.MAKEUP or status.day.isoweekday() == status.timetable_weekday:
        return Safe("")
    if status.timetable_weekday is None:
        return t(lang, "duty.makeup_unset")
    return t(lang, "duty.makeup_note", weekday=weekday_name(lang, status.timetable_weekday))


def day_status_text(lang: str, status: DayStatus) -> Safe:
    """How /calendar describes a day."""
    if status.kind == DayKind.MAKEUP:
        if status.timetable_weekday is None:
            return t(lang, "cal.kind.makeup_unset")
        return t(lang, "cal.kind.makeup", weekday=weekday_name(lang, status.timetable_weekday))
    if status.kind == DayKind.HOLIDAY and status.statutory:
        holiday = t(lang, f"cal.holiday.{status.statutory}")
        return t(lang, "cal.kind.holiday_by_law", holiday=holiday)
    if status.kind == DayKind.CLOSED and status.note:
        return t(lang, "cal.kind.closed_note", note=status.note)
    return t(lang, f"cal.kind.{status.kind.value}")


def render_day(
    lang: str,
    status: DayStatus,
    shifts: list[DutyShift],
    *,
    title: str,
    notify: bool = False,
    gaps: Collection[int] = (),
) -> list[str]:
    """A heading and one line per post; posts in `gaps` (their person is on leave then) say a
    replacement is needed instead of naming the absent person as on duty."""
    lines: list[str] = [
        t(lang, title, day=day_label(lang, status.day), note=makeup_note(lang, status)),
    ]
    lines += [shift_line(lang, s, notify=notify, gap=s.post_id in gaps) for s in shifts]
    return lines


def day_value(day: date) -> int:
    return int(day.strftime("%Y%m%d"))


def day_of(value: int | None) -> date | None:
    if value is None:
        return None
    try:
        return date(value // 10000, value // 100 % 100, value % 100)
    except ValueError:
        return None


def window(lang: str, shift: DutyShift) -> dict[str, object]:
    return {
        "day": day_label(lang, shift.day),
        "start": hhmm(shift.starts_at),
        "end": hhmm(shift.ends_at),
        "post": shift.post,
    }


def request_message(
    lang: str, gap: DutyGap, suggestions: Sequence[Replacement]
) -> tuple[str, InlineKeyboardMarkup]:
    """The arranger's message: the post, the day, who is away, and whom to pick."""
    shift = gap.shift
    lines = [t(lang, "duty.leave.ask", name=shift.name, **window(lang, shift))]
    for found in suggestions:
        why = "duty.leave.why_next" if found.next_in_rotation else "duty.leave.why_count"
        lines.append(
            t(
                lang,
                "duty.leave.suggestion",
                name=found.staff.name,
                why=t(lang, why, count=found.duties_this_month),
            )
        )
    if not suggestions:
        lines.append(t(lang, "duty.leave.nobody"))
    ids = (shift.post_id, day_value(shift.day), shift.staff_id or 0)
    rows = [
        [
            InlineKeyboardButton(
                t(lang, "duty.leave.button_pick", name=found.staff.name),
                callback_data=callbacks.DUTY_LEAVE_PICK.data(*ids, stored_id(found.staff)),
            )
        ]
        for found in suggestions
    ]
    rows.append(
        [
            InlineKeyboardButton(
                t(lang, "duty.leave.button_else"),
                callback_data=callbacks.DUTY_LEAVE_ELSE.data(*ids),
            )
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)

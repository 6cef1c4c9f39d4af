"""How a person's day (我的今天) reads: the lessons as they really run, duty posts, meetings,
what waits on them, and the buttons that choose when the morning message comes.

Pure: plain values in (storage.my_day's `MyDay` and `Preference`), text and keyboard out.
"""

from __future__ import annotations

import html
from datetime import date, datetime, time, tzinfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, t
from rules.events import day_code
from rules.ics import IcsEvent
from rules.states import CoverStatus
from storage.my_day import TIME_CHOICES, MyDay, MyEvent, MyLesson, Preference
from views.common import day_label
from views.duty import day_status_text, hhmm


def minutes_of(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def time_of(minutes: int) -> time | None:
    """A time the person may choose, from a button's value; None for anything else."""
    return next((choice for choice in TIME_CHOICES if minutes_of(choice) == minutes), None)


def _times(lesson: MyLesson) -> str:
    if lesson.start is None or lesson.end is None:
        return ""
    return f" {hhmm(lesson.start)}–{hhmm(lesson.end)}"


def _moved(lang: str, moved: tuple[date, int]) -> Safe:
    return t(lang, "day.lesson.at", day=day_label(lang, moved[0]), period=moved[1])


def lesson_line(lang: str, lesson: MyLesson) -> Safe:
    """· 第3节 10:00–10:40 三(2)班 语文 → 许志强 代课"""
    what = t(
        lang,
        "day.lesson.what",
        period=lesson.period,
        times=_times(lesson),
        klass=lesson.klass,
        subject=lesson.subject,
    )
    if lesson.kind == "own":
        note: Safe | str = ""
    elif lesson.kind == "swapped_in":
        note = (
            t(lang, "day.lesson.swapped_in_from", was=_moved(lang, lesson.moved_from))
            if lesson.moved_from is not None
            else t(lang, "day.lesson.swapped_in")
        )
    elif lesson.kind == "swapped_out":
        assert lesson.moved_to is not None
        note = t(lang, "day.lesson.swapped_out", to=_moved(lang, lesson.moved_to))
    elif lesson.kind == "given":
        if lesson.state == CoverStatus.MERGED:
            state = t(lang, "day.given.merged", klass=lesson.merged_with, name=lesson.other)
        elif lesson.state == CoverStatus.ASSIGNED:
            state = t(lang, "day.given.assigned", name=lesson.other)
        else:
            state = t(lang, f"day.given.{lesson.state}")
        note = t(lang, "day.lesson.given", state=state)
    elif lesson.kind == "cover":
        note = t(lang, "day.lesson.cover", name=lesson.other)
        if not lesson.confirmed:
            note = Safe(note + t(lang, "day.lesson.unconfirmed"))
    else:  # merged
        note = t(lang, "day.lesson.merged", klass=lesson.merged_with, name=lesson.other)
    return t(lang, "day.line", text=Safe(what + note))


def render_day(lang: str, mine: MyDay, *, heading: str = "today") -> list[str]:
    """The message's lines; `heading`: today | tomorrow."""
    title = t(lang, f"day.title.{heading}", day=day_label(lang, mine.day))
    if not mine.school_day:
        off = t(
            lang,
            "day.no_school",
            day=day_label(lang, mine.day),
            status=day_status_text(lang, mine.status),
        )
        lines: list[str] = [title, off]
        lines += _waiting_lines(lang, mine)
        return lines
    lines = [title, t(lang, "day.section.lessons")]
    if not mine.timetable_known:
        lines.append(t(lang, "day.timetable_unknown"))
    elif mine.lessons:
        lines += [lesson_line(lang, lesson) for lesson in mine.lessons]
    else:
        lines.append(t(lang, "day.no_lessons"))
    if mine.duties:
        lines.append(t(lang, "day.section.duty"))
        lines += [
            t(
                lang,
                "day.duty",
                start=hhmm(d.start),
                end=hhmm(d.end),
                post=d.post,
                instead=t(lang, "day.duty_instead", name=d.instead) if d.instead else "",
            )
            for d in mine.duties
        ]
    if mine.events:
        lines.append(t(lang, "day.section.events"))
        lines += [
            t(
                lang,
                "day.event",
                start=hhmm(e.start),
                end=hhmm(e.end),
                title=e.title,
                checkin=_checkin_note(lang, e),
            )
            for e in mine.events
        ]
    if mine.homework:
        lines.append(t(lang, "day.section.homework"))
        lines += [t(lang, "day.homework", klass=h.klass, subject=h.subject) for h in mine.homework]
        lines.append(t(lang, "day.homework_hint"))
    lines += _waiting_lines(lang, mine)
    return lines


def _checkin_note(lang: str, event: MyEvent) -> Safe | str:
    if event.checkin == "done":
        return t(lang, "day.event_checked_in")
    if event.checkin == "due":
        return t(lang, "day.event_checkin_due")
    return ""


def checkin_rows(lang: str, mine: MyDay) -> list[list[InlineKeyboardButton]]:
    """A 签到 button for each meeting whose check-in is open now (the same button as the
    reminder's: handlers/events checks the window and the audience again when pressed)."""
    return [
        [
            InlineKeyboardButton(
                t(lang, "day.button.checkin", title=e.title),
                callback_data=callbacks.CHECK_IN.data(e.event_id, day_code(mine.day)),
            )
        ]
        for e in mine.events
        if e.checkin == "due"
    ]


def _waiting_lines(lang: str, mine: MyDay) -> list[str]:
    waiting = mine.waiting
    if waiting.empty:
        return []
    lines: list[str] = [t(lang, "day.section.waiting")]
    if waiting.approvals:
        lines.append(t(lang, "day.waiting.approvals", count=waiting.approvals))
    for cover in waiting.covers:
        lines.append(
            t(
                lang,
                "day.waiting.cover",
                day=day_label(lang, cover.day),
                period=cover.period,
                klass=cover.klass,
                subject=cover.subject,
            )
        )
    if waiting.swaps:
        lines.append(t(lang, "day.waiting.swaps", count=waiting.swaps))
    if waiting.duty_swaps:
        lines.append(t(lang, "day.waiting.duty_swaps", count=waiting.duty_swaps))
    return lines


def preference_line(lang: str, pref: Preference) -> Safe:
    if pref.off:
        return t(lang, "day.pref.off")
    return t(lang, "day.pref.on", time=hhmm(pref.send_at))


def preference_markup(lang: str, pref: Preference) -> InlineKeyboardMarkup:
    """Under every message of one's day: off (or on again), and another time."""
    change = InlineKeyboardButton(
        t(lang, "day.button.time"), callback_data=callbacks.MY_DAY_TIMES.data()
    )
    if pref.off:
        switch = InlineKeyboardButton(
            t(lang, "day.button.on", time=hhmm(pref.send_at)),
            callback_data=callbacks.MY_DAY_ON.data(),
        )
    else:
        switch = InlineKeyboardButton(
            t(lang, "day.button.off"), callback_data=callbacks.MY_DAY_OFF.data()
        )
    return InlineKeyboardMarkup([[switch, change]])


def day_message(
    lang: str, mine: MyDay, pref: Preference, *, heading: str = "today"
) -> tuple[str, InlineKeyboardMarkup]:
    lines = render_day(lang, mine, heading=heading)
    lines += ["", preference_line(lang, pref)]
    settings = preference_markup(lang, pref).inline_keyboard
    rows = [*checkin_rows(lang, mine), *(list(row) for row in settings)]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def time_choices(lang: str, pref: Preference) -> tuple[str, InlineKeyboardMarkup]:
    """Which time: a few mornings, the chosen one marked."""
    buttons = [
        InlineKeyboardButton(
            ("✓ " if choice == pref.send_at and not pref.off else "") + hhmm(choice),
            callback_data=callbacks.MY_DAY_AT.data(minutes_of(choice)),
        )
        for choice in TIME_CHOICES
    ]
    return str(t(lang, "day.pref.choose")), InlineKeyboardMarkup([buttons])


def changed_text(lang: str, pref: Preference) -> str:
    """What a press on one of the buttons answers."""
    if pref.off:
        return str(t(lang, "day.pref.now_off"))
    return str(t(lang, "day.pref.now_at", time=hhmm(pref.send_at)))


def calendar_events(lang: str, mine: MyDay, tz: tzinfo, person_id: int) -> list[IcsEvent]:
    """A day's entries for a phone's calendar: the lessons the person teaches that day (their
    own, swapped in, covered or merged in; not those given away or swapped out), their duty
    posts and their meetings. The ids stay the same from one export to the next."""
    found: list[IcsEvent] = []
    day = mine.day.isoformat()
    for lesson in mine.lessons:
        if lesson.kind in ("given", "swapped_out") or lesson.start is None or lesson.end is None:
            continue
        what = plain(
            t(
                lang,
                "day.lesson.what",
                period=lesson.period,
                times="",
                klass=lesson.klass,
                subject=lesson.subject,
            )
        )
        if lesson.kind == "cover":
            what += plain(t(lang, "day.lesson.cover", name=lesson.other))
        elif lesson.kind == "merged":
            what += plain(t(lang, "day.lesson.merged", klass=lesson.merged_with, name=lesson.other))
        elif lesson.kind == "swapped_in":
            what += plain(t(lang, "day.lesson.swapped_in"))
        found.append(
            IcsEvent(
                f"{day}-p{lesson.period}-{person_id}@staffroom",
                datetime.combine(mine.day, lesson.start, tzinfo=tz),
                datetime.combine(mine.day, lesson.end, tzinfo=tz),
                what.strip(),
            )
        )
    for index, duty in enumerate(mine.duties):
        found.append(
            IcsEvent(
                f"{day}-duty{index}-{person_id}@staffroom",
                datetime.combine(mine.day, duty.start, tzinfo=tz),
                datetime.combine(mine.day, duty.end, tzinfo=tz),
                plain(t(lang, "day.ics.duty", post=duty.post)),
            )
        )
    for index, event in enumerate(mine.events):
        found.append(
            IcsEvent(
                f"{day}-event{index}-{person_id}@staffroom",
                datetime.combine(mine.day, event.start, tzinfo=tz),
                datetime.combine(mine.day, event.end, tzinfo=tz),
                event.title,
            )
        )
    return found


def plain(text: str) -> str:
    """A text as a calendar shows it: without HTML escapes."""
    return html.unescape(text)

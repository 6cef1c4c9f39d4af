"""A small school as plain values, for views to draw without a database.

Thursday 26 November 2026, bells 1 08:00–08:40, 2 08:50–09:30, 3 10:00–10:40, 5 13:30–14:10
(no bell for period 4). Classes 三(1)班 and 三(2)班; 语文, 数学, 英语; 周雅琴 (away), 许志强,
曹明, 林秀英.
"""

from __future__ import annotations

from datetime import date, datetime, time

from telegram import InlineKeyboardMarkup

from bot import callbacks
from rules.calendar import CalendarData, SchoolCalendar
from rules.policies import PolicySet
from storage.models import CoverNeed, LessonSwap, School, Staff
from storage.schedule import Kit, Names, Schedule
from tests.conftest import SHANGHAI

THU = date(2026, 11, 26)
FRI = date(2026, 11, 27)
SCHOOL_ID = 1
CLASS_31, CLASS_32 = 31, 32
CHINESE, MATHS, ENGLISH = 1, 2, 3
ZHOU, XU, CAO, LIN = 11, 12, 13, 14
BELLS = {
    1: (time(8, 0), time(8, 40)),
    2: (time(8, 50), time(9, 30)),
    3: (time(10, 0), time(10, 40)),
    5: (time(13, 30), time(14, 10)),
}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def names() -> Names:
    staff = {
        staff_id: Staff(id=staff_id, school_id=SCHOOL_ID, name=name)
        for staff_id, name in ((ZHOU, "周雅琴"), (XU, "许志强"), (CAO, "曹明"), (LIN, "林秀英"))
    }
    return Names(
        classes={CLASS_31: "三(1)班", CLASS_32: "三(2)班"},
        subjects={CHINESE: "语文", MATHS: "数学", ENGLISH: "英语"},
        staff=staff,
    )


def schedule() -> Schedule:
    return Schedule(
        calendar=SchoolCalendar(CalendarData()),
        timetable=[],
        moves=[],
        bells=dict(BELLS),
        grades={CLASS_31: 3, CLASS_32: 3},
        tz=SHANGHAI,
    )


def kit(**policies: str) -> Kit:
    school = School(id=SCHOOL_ID, name="孟河小学", timezone="Asia/Shanghai", created_at=at(THU, 7))
    return Kit(school, schedule(), names(), PolicySet(policies))


def need(
    need_id: int,
    period: int,
    *,
    class_id: int = CLASS_32,
    subject_id: int = CHINESE,
    status: str = "open",
    version: int = 0,
    substitute_id: int | None = None,
    acknowledged: bool = False,
    merged_class_id: int | None = None,
    provisional: bool = False,
) -> CoverNeed:
    """周雅琴's lesson on Thursday, and what is arranged for it."""
    return CoverNeed(
        id=need_id,
        school_id=SCHOOL_ID,
        leave_id=1,
        day=THU,
        period=period,
        class_id=class_id,
        subject_id=subject_id,
        absent_id=ZHOU,
        status=status,
        substitute_id=substitute_id,
        merged_class_id=merged_class_id,
        acknowledged_at=at(THU, 7) if acknowledged else None,
        version=version,
        created_at=at(THU, 7),
        provisional=provisional,
    )


def swap(swap_id: int = 5) -> LessonSwap:
    """周雅琴's Thursday period 3 in 三(2)班 for 许志强's Friday period 2 in the same class."""
    return LessonSwap(
        id=swap_id,
        school_id=SCHOOL_ID,
        proposer_id=ZHOU,
        first_day=THU,
        first_period=3,
        first_class_id=CLASS_32,
        first_subject_id=CHINESE,
        first_lesson_id=101,
        colleague_id=XU,
        second_day=FRI,
        second_period=2,
        second_class_id=CLASS_32,
        second_subject_id=MATHS,
        second_lesson_id=102,
        created_at=at(THU, 7),
    )


def labels(markup: InlineKeyboardMarkup | None) -> list[list[str]]:
    """The buttons as a user reads them, row by row."""
    if markup is None:
        return []
    return [[button.text for button in row] for row in markup.inline_keyboard]


def presses(markup: InlineKeyboardMarkup | None) -> dict[str, callbacks.Callback]:
    """What each button sends back, parsed as the bot parses it."""
    if markup is None:
        return {}
    found = {}
    for row in markup.inline_keyboard:
        for button in row:
            parsed = callbacks.decode(str(button.callback_data))
            assert parsed is not None, button.callback_data
            found[button.text] = parsed
    return found

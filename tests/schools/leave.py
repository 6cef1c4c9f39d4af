"""A small school for the leave, cover and swap tests: two grade-3 classes, a Thursday timetable.

Thursday 26 November 2026 (the fixture clock says Wednesday 25th, 09:00):
  period 1 (08:00)  三(1)班 语文 郭春燕   三(2)班 数学 许志强
  period 2 (08:50)  三(1)班 数学 许志强
  period 3 (10:00)  三(1)班 数学 曹明     三(2)班 语文 周雅琴
  period 5 (13:30)  三(2)班 语文 周雅琴   三(1)班 英语 林秀英
Friday 27th: period 2 三(2)班 数学 许志强, period 4 三(2)班 语文 周雅琴.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.models import School, SchoolClass, Staff
from storage.schools import bind_group
from tests.harness import Sent
from tests.schools import factories

GROUP = -1_003_000_000_001
TEACHER = 7_100_000_001  # 周雅琴, head teacher of 三(2)班
LEADER = 7_100_000_002  # 郭春燕, grade 3 leader
XU = 7_100_000_003  # 许志强, maths, teaches 三(2)班 too
CAO = 7_100_000_004  # 曹明, maths
OFFICE_A = 7_100_000_005  # 王晴晴
OFFICE_B = 7_100_000_006  # 雷琴华
HEAD = 7_100_000_007  # 陆建国, principal and admin
LIN = 7_100_000_008  # 林秀英, English, no grade
THU = date(2026, 11, 26)
FRI = date(2026, 11, 27)
BELLS = [
    ("08:00", "08:40"),
    ("08:50", "09:30"),
    ("10:00", "10:40"),
    ("10:50", "11:30"),
    ("13:30", "14:10"),
    ("14:20", "15:00"),
    ("15:10", "15:50"),
]


@dataclass
class LeaveSchool:
    school: School
    c31: SchoolClass
    c32: SchoolClass
    staff: dict[str, Staff]


async def seed(engine: AsyncEngine, now: datetime, *, bells: bool = True) -> LeaveSchool:
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, now)
        await factories.term(s, school, date(2026, 9, 1), date(2027, 1, 22))
        if bells:
            await factories.bells(s, school, BELLS)
        c31 = await factories.school_class(s, school, 3, 1)
        c32 = await factories.school_class(s, school, 3, 2)
        chinese = await factories.subject(s, school, "语文")
        maths = await factories.subject(s, school, "数学")
        english = await factories.subject(s, school, "英语")
        people = {
            "周雅琴": await factories.staff(
                s, school, "周雅琴", roles="teacher,head_teacher", subjects="语文", grade=3,
                telegram_id=TEACHER, head_of=c32,
            ),
            "郭春燕": await factories.staff(
                s, school, "郭春燕", roles="teacher,head_teacher,grade_leader", subjects="语文",
                grade=3, telegram_id=LEADER, head_of=c31,
            ),
            "许志强": await factories.staff(
                s, school, "许志强", subjects="数学", grade=3, telegram_id=XU
            ),
            "曹明": await factories.staff(
                s, school, "曹明", subjects="数学", grade=3, telegram_id=CAO
            ),
            "王晴晴": await factories.staff(
                s, school, "王晴晴", roles="teacher,office", telegram_id=OFFICE_A
            ),
            "雷琴华": await factories.staff(
                s, school, "雷琴华", roles="teacher,office", telegram_id=OFFICE_B
            ),
            "陆建国": await factories.staff(
                s, school, "陆建国", roles="principal,admin", telegram_id=HEAD
            ),
            "林秀英": await factories.staff(
                s, school, "林秀英", subjects="英语", telegram_id=LIN
            ),
        }  # fmt: skip
        timetable = [
            (c31, 4, 1, chinese, "郭春燕"),
            (c32, 4, 1, maths, "许志强"),
            (c31, 4, 2, maths, "许志强"),
            (c31, 4, 3, maths, "曹明"),
            (c32, 4, 3, chinese, "周雅琴"),
            (c32, 4, 5, chinese, "周雅琴"),
            (c31, 4, 5, english, "林秀英"),
            (c32, 5, 2, maths, "许志强"),
            (c32, 5, 4, chinese, "周雅琴"),
        ]
        for klass, weekday, period, subject, name in timetable:
            await factories.lesson(s, school, klass, weekday, period, subject, people[name])
        await bind_group(
            session=s, school_id=school.id, chat_id=GROUP, title="教师群", by=HEAD, now=now
        )
        return LeaveSchool(school, c31, c32, people)


def in_own_chat(user_id: int) -> Sent:
    """A message in the presser's own private chat to press a (copied or forged) button on:
    buttons from someone else's chat reach the bot from the presser's chat, not the owner's."""
    return Sent(message_id=999_999, chat_id=user_id, text="")

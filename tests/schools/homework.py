"""A small school for the homework tests: who teaches what where, who heads which class."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import session_factory
from storage.models import SchoolClass, Staff, Subject
from storage.policies import set_policy
from storage.schools import bind_group
from tests.schools import factories

GROUP = -1_002_000_000_044
MATHS_ID = 7_100_000_001  # 王老师: 数学 in 一(1), 三(1), 三(2)
ENGLISH_ID = 7_100_000_002  # 李老师: 英语 in 三(2)
HEAD32_ID = 7_100_000_003  # 赵老师: head of 三(2), 语文 there
HEAD31_ID = 7_100_000_004  # 钱老师: head of 三(1), 语文 there
HEAD11_ID = 7_100_000_005  # 吴老师: head of 一(1), 语文 there
OFFICE_ID = 7_100_000_006  # 孙主任: academic office
ADMIN_ID = 7_100_000_007  # 周校长: principal and admin
OUTSIDER_ID = 7_100_000_008  # 郑老师: 音乐, teaches no class above


@dataclass
class HomeworkSchool:
    school_id: int
    classes: dict[str, SchoolClass]
    subjects: dict[str, Subject]
    staff: dict[str, Staff]


async def build_school(session: AsyncSession, now: datetime) -> HomeworkSchool:
    school = await factories.school(session, now)
    await factories.term(session, school, date(2026, 9, 1), date(2027, 1, 22))
    classes = {
        "一(1)": await factories.school_class(session, school, 1, 1),
        "三(1)": await factories.school_class(session, school, 3, 1),
        "三(2)": await factories.school_class(session, school, 3, 2),
        "五(1)": await factories.school_class(session, school, 5, 1),
    }
    subjects = {
        name: await factories.subject(session, school, name)
        for name in ("语文", "数学", "英语", "音乐")
    }
    staff = {
        "王老师": await factories.staff(
            session, school, "王老师", telegram_id=MATHS_ID, subjects="数学"
        ),
        "李老师": await factories.staff(
            session, school, "李老师", telegram_id=ENGLISH_ID, subjects="英语"
        ),
        "赵老师": await factories.staff(
            session,
            school,
            "赵老师",
            roles="teacher,head_teacher",
            telegram_id=HEAD32_ID,
            head_of=classes["三(2)"],
        ),
        "钱老师": await factories.staff(
            session,
            school,
            "钱老师",
            roles="teacher,head_teacher",
            telegram_id=HEAD31_ID,
            head_of=classes["三(1)"],
        ),
        "吴老师": await factories.staff(
            session,
            school,
            "吴老师",
            roles="teacher,head_teacher",
            telegram_id=HEAD11_ID,
            head_of=classes["一(1)"],
        ),
        "孙主任": await factories.staff(
            session, school, "孙主任", roles="teacher,office", telegram_id=OFFICE_ID
        ),
        "周校长": await factories.staff(
            session, school, "周校长", roles="principal,admin", telegram_id=ADMIN_ID
        ),
        "郑老师": await factories.staff(
            session, school, "郑老师", telegram_id=OUTSIDER_ID, subjects="音乐"
        ),
    }
    lessons = [
        ("一(1)", "数学", "王老师"),
        ("三(1)", "数学", "王老师"),
        ("三(2)", "数学", "王老师"),
        ("三(2)", "英语", "李老师"),
        ("三(2)", "语文", "赵老师"),
        ("三(1)", "语文", "钱老师"),
        ("一(1)", "语文", "吴老师"),
        ("五(1)", "音乐", "郑老师"),
    ]
    for period, (klass, subject, teacher) in enumerate(lessons, start=1):
        await factories.lesson(
            session, school, classes[klass], 3, period, subjects[subject], staff[teacher]
        )
    await bind_group(
        session=session,
        school_id=school.id or 0,
        chat_id=GROUP,
        title="教师群",
        by=ADMIN_ID,
        now=now,
    )
    return HomeworkSchool(school.id or 0, classes, subjects, staff)


async def seed_school(
    engine: AsyncEngine, now: datetime, policies: dict[str, str] | None = None
) -> HomeworkSchool:
    """The school in its own committed transaction, with the given policies set."""
    async with session_factory(engine)() as session, session.begin():
        built = await build_school(session, now)
        for key, value in (policies or {}).items():
            await set_policy(
                session=session,
                school_id=built.school_id,
                key=key,
                raw_value=value,
                by=None,
                now=now,
            )
    return built

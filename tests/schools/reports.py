"""A school with a month of leave, cover and training to report on (November 2026).

周雅琴 (grade 3) was off sick on Thu 5 Nov: period 1 三(2)班语文 was covered by 曹明, period 3
merged into 三(1)班 with 许志强, period 5 left as self-study. 许志强 took a morning of personal
leave on Tue 10 Nov: period 1 三(2)班数学 was covered by 曹明; his period 2 was released (he came
back). 曹明 also covers a lesson on Tue 1 Dec, outside November. Cover pays 30 yuan a lesson, a
merged class 20, self-study 10. The leave reasons are secrets that no report may show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    CoverNeed,
    DutyAssignment,
    DutyOverride,
    DutyPost,
    HomeworkPost,
    LeaveRequest,
    PatrolReport,
    School,
    Staff,
    TrainingEntry,
)
from storage.policies import set_policy
from tests.schools import factories

OFFICE = 7_300_000_001  # 王晴晴, academic office
LEADER = 7_300_000_002  # 郭春燕, grade 3 leader
ZHOU = 7_300_000_003  # 周雅琴, grade 3
XU = 7_300_000_004  # 许志强, grade 3
CAO = 7_300_000_005  # 曹明, grade 4
SICK_REASON = "=HYPERLINK(胃痛住院)"
PERSONAL_REASON = "孩子家长会-机密"
TRICKY_TITLE = "=SUM(A1:A9)"


@dataclass
class ReportSchool:
    school: School
    staff: dict[str, Staff]


async def seed(session: AsyncSession, now: datetime) -> ReportSchool:
    school = await factories.school(session, now)
    await factories.term(session, school, date(2026, 9, 1), date(2027, 1, 22))
    c31 = await factories.school_class(session, school, 3, 1)
    c32 = await factories.school_class(session, school, 3, 2)
    chinese = await factories.subject(session, school, "语文")
    maths = await factories.subject(session, school, "数学")
    people = {
        "王晴晴": await factories.staff(
            session, school, "王晴晴", roles="teacher,office", telegram_id=OFFICE
        ),
        "郭春燕": await factories.staff(
            session, school, "郭春燕", roles="teacher,grade_leader", grade=3, telegram_id=LEADER
        ),
        "周雅琴": await factories.staff(session, school, "周雅琴", grade=3, telegram_id=ZHOU),
        "许志强": await factories.staff(session, school, "许志强", grade=3, telegram_id=XU),
        "曹明": await factories.staff(session, school, "曹明", grade=4, telegram_id=CAO),
    }
    zhou, xu, cao = people["周雅琴"], people["许志强"], people["曹明"]
    sick = LeaveRequest(
        school_id=school.id or 0,
        staff_id=zhou.id or 0,
        kind="sick",
        first_day=date(2026, 11, 5),
        last_day=date(2026, 11, 5),
        half_days=2,
        reason=SICK_REASON,
        status="approved",
        created_at=now,
    )
    personal = LeaveRequest(
        school_id=school.id or 0,
        staff_id=xu.id or 0,
        kind="personal",
        first_day=date(2026, 11, 10),
        last_day=date(2026, 11, 10),
        part="am",
        half_days=1,
        reason=PERSONAL_REASON,
        status="approved",
        created_at=now,
    )
    later = LeaveRequest(
        school_id=school.id or 0,
        staff_id=zhou.id or 0,
        kind="sick",
        first_day=date(2026, 12, 1),
        last_day=date(2026, 12, 1),
        half_days=2,
        reason=SICK_REASON,
        status="approved",
        created_at=now,
    )
    session.add_all([sick, personal, later])
    await session.flush()

    def need(
        leave: LeaveRequest, day: date, period: int, klass: int, subject: int, status: str, **kw
    ) -> CoverNeed:
        return CoverNeed(
            school_id=school.id or 0,
            leave_id=leave.id or 0,
            day=day,
            period=period,
            class_id=klass,
            subject_id=subject,
            absent_id=leave.staff_id,
            status=status,
            created_at=now,
            **kw,
        )

    session.add_all(
        [
            need(sick, date(2026, 11, 5), 1, c32.id, chinese.id, "assigned", substitute_id=cao.id),
            need(
                sick,
                date(2026, 11, 5),
                3,
                c32.id,
                chinese.id,
                "merged",
                substitute_id=xu.id,
                merged_class_id=c31.id,
            ),
            need(sick, date(2026, 11, 5), 5, c32.id, chinese.id, "self_study"),
            need(
                personal, date(2026, 11, 10), 1, c32.id, maths.id, "assigned", substitute_id=cao.id
            ),
            need(personal, date(2026, 11, 10), 2, c31.id, maths.id, "released"),
            need(later, date(2026, 12, 1), 1, c32.id, chinese.id, "assigned", substitute_id=cao.id),
        ]
    )
    session.add_all(
        [
            TrainingEntry(
                school_id=school.id or 0,
                staff_id=cao.id or 0,
                day=date(2026, 11, 11),
                hours_tenths=30,
                category="培训",
                title=TRICKY_TITLE,
                source="self",
                created_at=now,
            ),
            TrainingEntry(
                school_id=school.id or 0,
                staff_id=cao.id or 0,
                day=date(2026, 10, 14),
                hours_tenths=15,
                category="教研",
                title="区级教研",
                source="checkin",
                created_at=now,
            ),
        ]
    )

    # Homework: 三(2)班 on Mon 2 Nov has 30 + 20 written minutes against grade 3's 45 (over);
    # on Tue 3 Nov 40 written and 20 practical (within).
    def homework(day: int, subject: int, kind: str, minutes: int, **kw) -> HomeworkPost:
        return HomeworkPost(
            school_id=school.id or 0,
            class_id=c32.id or 0,
            subject_id=subject,
            author_id=xu.id or 0,
            day=date(2026, 11, day),
            kind=kind,
            minutes=minutes,
            content=PERSONAL_REASON if kind == "practical" else "练习册",
            status="published",
            created_at=now,
            updated_at=now,
            **kw,
        )

    session.add_all(
        [
            homework(2, maths.id, "written", 30),
            homework(2, chinese.id, "written", 20, exception=True, decided_by=people["王晴晴"].id),
            homework(3, maths.id, "written", 40),
            homework(3, chinese.id, "practical", 20),
        ]
    )
    # A weekday patrol (巡课) by 王晴晴 on Mondays; on Mon 9 Nov 许志强 stood in (a swap).
    patrol = DutyPost(
        school_id=school.id or 0, name="巡课", starts_at=time(8, 0), ends_at=time(16, 0)
    )
    session.add(patrol)
    await session.flush()
    session.add(
        DutyAssignment(
            school_id=school.id or 0,
            post_id=patrol.id or 0,
            weekday=1,
            staff_id=people["王晴晴"].id or 0,
        )
    )
    session.add(
        DutyOverride(
            school_id=school.id or 0,
            post_id=patrol.id or 0,
            day=date(2026, 11, 9),
            staff_id=xu.id or 0,
            reason="swap",
            created_at=now,
        )
    )
    session.add(
        PatrolReport(
            school_id=school.id or 0,
            day=date(2026, 11, 2),
            half="am",
            staff_id=people["王晴晴"].id,
            findings="-三(2)班 纪律良好",
            created_at=now,
        )
    )
    for key, value in (
        ("cover.rate.cover", "30"),
        ("cover.rate.merged", "20"),
        ("cover.rate.self_study", "10"),
    ):
        await set_policy(
            session=session,
            school_id=school.id or 0,
            key=key,
            raw_value=value,
            by=None,
            now=now.astimezone(UTC),
        )
    await session.flush()
    return ReportSchool(school, people)

"""A small school with a duty roster, for the duty, patrol and calendar tests.

Wednesday and Thursday patrols by weekday (seed 000: 周三 王晴晴, 周四 雷琴华), and a gate
rotation of 周雅琴 then 许志强 imported on Wednesday 25 November 2026, so 周雅琴 is on the gate
that day. 许志强 has no Telegram account linked.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.importer import import_table
from storage.models import CalendarEntry
from storage.schools import bind_group
from tests.conftest import SHANGHAI
from tests.schools import factories

GROUP = -1_003_000_000_001
ADMIN_ID = 7_600_000_001  # 张思月, admin
WANG_ID = 7_600_000_002  # 王晴晴, academic office, patrols on Wednesdays
LEI_ID = 7_600_000_003  # 雷琴华, teacher, patrols on Thursdays
ZHOU_ID = 7_600_000_004  # 周雅琴, teacher, on the gate rotation
OTHER_ID = 7_600_000_005  # 吴晓梅, teacher with no duty
IMPORTED = datetime(2026, 11, 25, 6, 0, tzinfo=SHANGHAI)

ROSTER = (
    "岗位,开始,结束,星期,顺序,教师\n"
    "巡课（上午）,08:00,11:30,周三,,王晴晴\n"
    "巡课（下午）,13:30,15:50,周三,,王晴晴\n"
    "巡课（上午）,08:00,11:30,周四,,雷琴华\n"
    "巡课（下午）,13:30,15:50,周四,,雷琴华\n"
    "护学岗,07:20,07:50,,1,周雅琴\n"
    "护学岗,07:20,07:50,,2,许志强\n"
)


async def seed(
    engine: AsyncEngine,
    *,
    now: datetime = IMPORTED,
    makeups: dict[date, int | None] | None = None,
    bind: bool = True,
) -> int:
    """Creates the school and imports its roster; returns the school id."""
    async with session_factory(engine)() as s, s.begin():
        school = await factories.school(s, now)
        await factories.term(s, school, date(2026, 9, 1), date(2027, 1, 22))
        for day, weekday in (makeups or {}).items():
            s.add(
                CalendarEntry(
                    school_id=school.id,
                    kind="makeup",
                    start_date=day,
                    end_date=day,
                    weekday=weekday,
                )
            )
        await factories.staff(s, school, "张思月", roles="teacher,admin", telegram_id=ADMIN_ID)
        await factories.staff(s, school, "王晴晴", roles="teacher,office", telegram_id=WANG_ID)
        await factories.staff(s, school, "雷琴华", telegram_id=LEI_ID)
        await factories.staff(s, school, "周雅琴", telegram_id=ZHOU_ID)
        await factories.staff(s, school, "许志强")
        await factories.staff(s, school, "吴晓梅", telegram_id=OTHER_ID)
        await import_table(
            session=s,
            school_id=school.id or 0,
            kind="duty",
            data=ROSTER.encode(),
            filename="duty.csv",
            now=now,
            actor_telegram_id=ADMIN_ID,
        )
        if bind:
            await bind_group(
                session=s, school_id=school.id or 0, chat_id=GROUP, title="g", by=ADMIN_ID, now=now
            )
        return school.id or 0

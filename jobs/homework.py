"""The daily homework board (作业公示) and the weekly summary for the academic office.

The board goes to the staff groups on school days at `homework.board_time`, one message for the
whole school, grade by grade (split only when longer than Telegram allows): one message a day
reads better on a phone than one per grade. The summary goes to the academic office on the
last school day of each week up to Friday, at `homework.weekly_summary_time`.

The texts of a posting as the board shows it live here too; the homework handlers use the same
ones for additions, corrections and the /hw views, so a posting reads alike everywhere.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.texts import split_message
from jobs import kinds
from jobs.delivery import send_to_chat, send_to_staff_groups
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local, daily_slot
from rules.homework_board import WeekStats, week_stats
from rules.policies import PolicySet
from rules.roles import OFFICE
from storage.calendar import school_calendar
from storage.homework import office_staff, publish_board, written_by_day
from storage.staff import school_admins
from storage.timetable import school_classes
from storage.types import stored_id
from views.homework import SUMMARY_LIMIT, board_messages, week_lines

BOARD = kinds.HOMEWORK_BOARD
WEEKLY = kinds.HOMEWORK_WEEK
# Telegram's limit, counted after entity parsing (see bot.texts.visible_length).
FRIDAY = 5


# --- how homework reads ----------------------------------------------------------------------


async def send_board(ctx: PushContext) -> bool:
    """Publishes the day's board to the staff groups; later postings become additions."""
    school_id = stored_id(ctx.school)
    classes = await school_classes(session=ctx.session, school_id=school_id)
    if not classes:
        return False
    days = await publish_board(
        session=ctx.session,
        school_id=school_id,
        classes=classes,
        day=ctx.day,
        policies=ctx.policies,
        now=ctx.services.clock.now(),
    )
    if days is None:
        return False
    lang = ctx.services.settings.default_language
    texts = board_messages(lang, ctx.day, days)
    thread = ctx.policies.topic("homework")
    return (
        await send_to_staff_groups(ctx.bot, ctx.session, school_id, list(texts), thread_id=thread)
        > 0
    )


# --- the weekly summary ----------------------------------------------------------------------


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


async def plan_week(ctx: DayContext) -> list[Slot]:
    """On the week's last school day up to Friday (Friday itself, unless it is a holiday)."""
    if not ctx.status.is_school_day or ctx.day.isoweekday() > FRIDAY:
        return []
    calendar = await school_calendar(session=ctx.session, school_id=stored_id(ctx.school))
    friday = week_of(ctx.day)[0] + timedelta(days=FRIDAY - 1)
    later = calendar.school_days(ctx.day + timedelta(days=1), friday)
    if later:
        return []
    monday = week_of(ctx.day)[0]
    at = at_local(ctx.day, ctx.policies.get("homework.weekly_summary_time"), ctx.tz)
    key = f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
    return [Slot(WEEKLY, "office", at, key)]


async def week_summary(
    *, session: AsyncSession, school_id: int, policies: PolicySet, day: date
) -> tuple[date, list[WeekStats]]:
    """Each class's week from Monday to `day`."""
    monday = week_of(day)[0]
    calendar = await school_calendar(session=session, school_id=school_id)
    school_days = calendar.school_days(monday, day)
    classes = await school_classes(session=session, school_id=school_id)
    written, posted = await written_by_day(session=session, classes=classes, start=monday, end=day)
    stats = [
        week_stats(
            grade=c.grade,
            number=c.number,
            name=c.name,
            cap=policies.homework_cap(c.grade),
            school_days=school_days,
            written=written[stored_id(c)],
            posted=posted[stored_id(c)],
        )
        for c in classes
    ]
    return monday, stats


async def send_week(ctx: PushContext) -> bool:
    """The week per class: average daily written minutes, days over the cap, days with nothing."""
    school_id = stored_id(ctx.school)
    monday, stats = await week_summary(
        session=ctx.session, school_id=school_id, policies=ctx.policies, day=ctx.day
    )
    if not stats:
        return False
    recipients = [
        s
        for s in await office_staff(session=ctx.session, school_id=school_id)
        if OFFICE in s.role_set
    ]
    if not any(s.telegram_id for s in recipients):
        recipients = await school_admins(session=ctx.session, school_id=school_id)
    sent = 0
    default = ctx.services.settings.default_language
    for person in recipients:
        if person.telegram_id is None:
            continue
        lang = person.language or default
        for text in split_message(week_lines(lang, monday, ctx.day, stats), limit=SUMMARY_LIMIT):
            if await send_to_chat(ctx.bot, ctx.session, person.telegram_id, text):
                sent += 1
    return sent > 0


def push_kinds() -> list[PushKind]:
    return [
        PushKind(BOARD, daily_slot(BOARD, "homework.board_time"), send_board),
        PushKind(WEEKLY, plan_week, send_week),
    ]

"""The daily duty announcement in the staff group, and each person's private reminder.

Both are planned only for school days (make-up working days included) of a school that has a
roster, and both read the roster again when they are sent, so a replacement made after planning
is what goes out. Someone on a post whose approved leave covers its window is not announced as
on duty: the post reads as needing a replacement, the arranger is asked (again) to pick one, and
the absent person gets no reminder.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.texts import t
from jobs import kinds
from jobs.delivery import send_to_chat, send_to_staff_groups
from jobs.registry import GROUP, DayContext, PushContext, PushKind, Slot, at_local
from storage.cover import arrangers_for
from storage.duty import (
    DutyGap,
    DutyShift,
    duties_between,
    duty_gaps,
    duty_on,
    has_roster,
    replacement_suggestions,
)
from storage.models import School, Staff
from storage.policies import load_policies
from storage.types import stored_id
from views.common import day_label
from views.duty import hhmm, render_day, request_message

ANNOUNCE = kinds.DUTY_ANNOUNCE
REMIND = kinds.DUTY_REMIND


async def plan_announcement(ctx: DayContext) -> list[Slot]:
    if not ctx.status.is_school_day:
        return []
    school_id = stored_id(ctx.school)
    if not await ctx.once_for_days(
        "has_roster", lambda: has_roster(session=ctx.session, school_id=school_id)
    ):
        return []
    at = at_local(ctx.day, ctx.policies.get("duty.announce_time"), ctx.tz)
    return [Slot(ANNOUNCE, GROUP, at, ctx.day.isoformat())]


async def announcement_job(ctx: PushContext) -> bool:
    """Today's posts and who is on them, mentioning the people so they are notified; a post
    whose person is on leave then says it needs a replacement, and the arranger is asked."""
    school_id = stored_id(ctx.school)
    shifts = await duty_on(session=ctx.session, school_id=school_id, day=ctx.day)
    if not shifts:
        return False
    gaps = await duty_gaps(session=ctx.session, school_id=school_id, start=ctx.day, end=ctx.day)
    lang = ctx.services.settings.default_language
    lines = render_day(
        lang,
        ctx.status,
        shifts,
        title="duty.announce_title",
        notify=True,
        gaps={gap.shift.post_id for gap in gaps},
    )
    sent = await send_to_staff_groups(
        ctx.bot,
        ctx.session,
        school_id,
        ["\n".join(lines)],
        thread_id=ctx.policies.topic("duty"),
    )
    # The safety net: asked at approval already, but nobody was put there yet.
    now: datetime = ctx.services.clock.now()
    ahead = [gap for gap in gaps if not window_over(gap.shift, now, ZoneInfo(ctx.school.timezone))]
    for chat_id, text, markup in await replacement_requests(ctx.session, ctx.school, ahead, lang):
        await send_to_chat(ctx.bot, ctx.session, chat_id, text, markup)
    return sent > 0


async def shifts_of_day(ctx: DayContext) -> list[DutyShift]:
    """Who is on which post that day, read once for all the kinds and days that plan from it."""
    school_id = stored_id(ctx.school)
    first, last = ctx.days
    by_day = await ctx.once_for_days(
        "duties",
        lambda: duties_between(session=ctx.session, school_id=school_id, start=first, end=last),
    )
    return list(by_day.get(ctx.day, []))


def reminder_target(staff_id: int, post_id: int) -> str:
    return f"s{staff_id}p{post_id}"


async def plan_reminders(ctx: DayContext) -> list[Slot]:
    if not ctx.status.is_school_day:
        return []
    shifts = await shifts_of_day(ctx)
    ahead = timedelta(minutes=ctx.policies.get("duty.reminder_minutes"))
    return [
        Slot(
            REMIND,
            reminder_target(shift.staff_id, shift.post_id),
            at_local(ctx.day, shift.starts_at, ctx.tz) - ahead,
            ctx.day.isoformat(),
            {"post_id": shift.post_id, "staff_id": shift.staff_id},
        )
        for shift in shifts
        if shift.staff_id is not None and shift.telegram_id is not None
    ]


async def reminder_job(ctx: PushContext) -> bool:
    """A private reminder, unless the person is no longer on the post or its window is over."""
    shifts = await duty_on(session=ctx.session, school_id=stored_id(ctx.school), day=ctx.day)
    shift = next((s for s in shifts if s.post_id == ctx.slot.data.get("post_id")), None)
    if (
        shift is None
        or shift.staff_id != ctx.slot.data.get("staff_id")
        or shift.telegram_id is None
    ):
        return False
    now: datetime = ctx.services.clock.now()
    if now >= at_local(ctx.day, shift.ends_at, ctx.slot.at.tzinfo):
        return False  # sent late after a restart: the window is over, a reminder helps nobody
    school_id = stored_id(ctx.school)
    gaps = await duty_gaps(session=ctx.session, school_id=school_id, start=ctx.day, end=ctx.day)
    if any(gap.shift.post_id == shift.post_id for gap in gaps):
        return False  # on leave then: the arranger finds a replacement, who gets the reminder
    lang = shift.language or ctx.services.settings.default_language
    text = t(
        lang,
        "duty.reminder",
        day=day_label(lang, ctx.day),
        start=hhmm(shift.starts_at),
        end=hhmm(shift.ends_at),
        post=shift.post,
    )
    return await send_to_chat(ctx.bot, ctx.session, shift.telegram_id, text)


def push_kinds() -> list[PushKind]:
    return [
        PushKind(ANNOUNCE, plan_announcement, announcement_job),
        PushKind(REMIND, plan_reminders, reminder_job),
    ]


Message = tuple[int, str, InlineKeyboardMarkup]


async def replacement_requests(
    session: AsyncSession, school: School, gaps: Sequence[DutyGap], default_lang: str
) -> list[Message]:
    """The messages that ask the arrangers to replace each absent person on duty."""
    school_id = stored_id(school)
    policy = str((await load_policies(session=session, school_id=school_id)).get("cover.arranger"))
    messages: list[Message] = []
    for gap in gaps:
        absent = await session.get(Staff, gap.shift.staff_id or 0)
        suggestions = await replacement_suggestions(
            session=session, school_id=school_id, shift=gap.shift
        )
        for person in await arrangers_for(
            session=session,
            school_id=school_id,
            grade=absent.grade if absent is not None else None,
            policy=policy,
            absent_id=gap.shift.staff_id or 0,
        ):
            if person.telegram_id is not None:
                text, markup = request_message(person.language or default_lang, gap, suggestions)
                messages.append((person.telegram_id, text, markup))
    return messages


def window_over(shift: DutyShift, now: datetime, tz: ZoneInfo) -> bool:
    return now >= datetime.combine(shift.day, shift.ends_at, tzinfo=tz)

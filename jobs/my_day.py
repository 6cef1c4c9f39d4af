"""The morning message of each person's day (我的今天), in private, on school days only.

One slot per school, day and chosen time (`t0700`), not one per person: a school of sixty
teachers who keep the default has one job at 07:00. The slot reads who chose that time again
when it is sent, loads the school's day once, and writes to each of them; each person is also
claimed in the push ledger, so someone who moves their time to later that morning, after their
day went out, does not get it twice. A person with nothing that day (no lessons, duty,
meetings or anything waiting) gets no message.
"""

from __future__ import annotations

from datetime import time

from jobs import kinds
from jobs.delivery import send_to_chat
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local
from storage.ledger import claim, mark
from storage.my_day import DEFAULT_TIME, Preference, load_day_book, my_day, recipients_by_time
from storage.types import stored_id
from views.my_day import day_message, minutes_of

MY_DAY = kinds.MY_DAY


def target_of(moment: time) -> str:
    return f"t{moment:%H%M}"


async def plan_my_day(ctx: DayContext) -> list[Slot]:
    if not ctx.status.is_school_day:
        return []
    school_id = stored_id(ctx.school)
    by_time = await ctx.once_for_days(
        "my_day_times", lambda: recipients_by_time(session=ctx.session, school_id=school_id)
    )
    # The default time is always planned: someone linked after the night's planning gets their
    # day too (the slot reads its people when it is sent). Other times come from choices,
    # and a choice plans the school's slots again.
    times = {DEFAULT_TIME, *by_time}
    return [
        Slot(
            MY_DAY,
            target_of(moment),
            at_local(ctx.day, moment, ctx.tz),
            ctx.day.isoformat(),
            {"minutes": minutes_of(moment)},
        )
        for moment in sorted(times)
    ]


def time_of_slot(slot: Slot) -> time | None:
    minutes = slot.data.get("minutes")
    if not isinstance(minutes, int) or not 0 <= minutes < 24 * 60:
        return None
    return time(minutes // 60, minutes % 60)


async def my_day_job(ctx: PushContext) -> bool:
    """Each person who chose this time gets their day, read as it is now."""
    if not ctx.status.is_school_day:
        return False
    school_id = stored_id(ctx.school)
    moment = time_of_slot(ctx.slot)
    if moment is None:
        return False
    people = (await recipients_by_time(session=ctx.session, school_id=school_id)).get(moment, [])
    if not people:
        return False
    now = ctx.services.clock.now()
    book = await load_day_book(
        session=ctx.session, school=ctx.school, day=ctx.day, today=ctx.day, now=now
    )
    sent = False
    for person in people:
        mine = my_day(book, person)
        if mine.empty or person.telegram_id is None:
            continue
        ledger_id = await claim(
            session=ctx.session,
            school_id=school_id,
            kind=kinds.MY_DAY_PERSON,
            target=f"s{stored_id(person)}",
            slot=ctx.day.isoformat(),
            now=now,
        )
        if ledger_id is None:
            continue  # had it already today, at the time chosen before
        await mark(session=ctx.session, ledger_id=ledger_id, status="sent", now=now)
        lang = person.language or ctx.services.settings.default_language
        text, markup = day_message(lang, mine, Preference(moment, False))
        sent = await send_to_chat(ctx.bot, ctx.session, person.telegram_id, text, markup) or sent
    return sent


def push_kinds() -> list[PushKind]:
    return [PushKind(MY_DAY, plan_my_day, my_day_job)]

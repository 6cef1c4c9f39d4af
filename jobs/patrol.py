"""The patrol reminder: whoever is on patrol today and has not reported by the policy time
(`patrol.reminder_time`) is reminded once, in private."""

from __future__ import annotations

from bot.texts import Safe, t
from jobs import kinds
from jobs.delivery import send_to_chat
from jobs.duty import shifts_of_day
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local
from rules.rota import half_of, is_patrol
from storage.duty import DutyShift, duty_on
from storage.patrol import reported_halves
from storage.types import stored_id
from views.common import day_label

REMIND = kinds.PATROL_REMIND


def _patrols(shifts: list[DutyShift]) -> list[DutyShift]:
    return [s for s in shifts if is_patrol(s.post) and s.staff_id is not None]


async def plan_patrol_reminders(ctx: DayContext) -> list[Slot]:
    if not ctx.status.is_school_day:
        return []
    shifts = await shifts_of_day(ctx)
    at = at_local(ctx.day, ctx.policies.get("patrol.reminder_time"), ctx.tz)
    people = {
        s.staff_id: s
        for s in _patrols(shifts)
        if s.staff_id is not None and s.telegram_id is not None
    }
    return [
        Slot(REMIND, f"s{staff_id}", at, ctx.day.isoformat(), {"staff_id": staff_id})
        for staff_id in sorted(people)
    ]


async def patrol_reminder_job(ctx: PushContext) -> bool:
    """Reminds the patroller of the halves of the day that still have no report."""
    shifts = await duty_on(session=ctx.session, school_id=stored_id(ctx.school), day=ctx.day)
    mine = [s for s in _patrols(shifts) if s.staff_id == ctx.slot.data.get("staff_id")]
    if not mine or mine[0].telegram_id is None:
        return False
    reported = await reported_halves(
        session=ctx.session, school_id=stored_id(ctx.school), day=ctx.day
    )
    missing = sorted({half_of(s.starts_at) for s in mine} - reported)
    if not missing:
        return False
    lang = mine[0].language or ctx.services.settings.default_language
    halves = Safe(t(lang, "common.list_sep").join(t(lang, f"patrol.half.{h}") for h in missing))
    text = t(lang, "patrol.reminder", day=day_label(lang, ctx.day), halves=halves)
    return await send_to_chat(ctx.bot, ctx.session, mine[0].telegram_id, text)


def push_kinds() -> list[PushKind]:
    return [PushKind(REMIND, plan_patrol_reminders, patrol_reminder_job)]

"""What substitutes said after the lessons they covered (已上), for the absent teacher on their
first school morning back.

A teacher who chose to hear at once was told when the line came (handlers/handover/taught.py);
what that missed (a line never typed nor skipped) comes here too. Each teacher hears it at the
time they chose for My day (我的今天), beside that message: one slot per time that someone with
reports waiting chose, and none on a day when nothing waits. Only reports nobody told yet go.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from jobs import kinds
from jobs.delivery import send_to_chat
from jobs.my_day import target_of, time_of_slot
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local
from storage.handover import mark_delivered, reports_waiting, reports_waiting_until
from storage.leave import approved_absences
from storage.models import CoverNeed, CoverReport
from storage.my_day import chosen_times
from storage.schedule import build_kit
from storage.types import stored_id
from views.handover import feedback_message
from views.leave import need_label
from views.my_day import minutes_of

FEEDBACK = kinds.HANDOVER_FEEDBACK

Waiting = dict[int, list[tuple[CoverReport, CoverNeed]]]


async def _waiting(
    session: AsyncSession,
    school_id: int,
    day: date,
    waiting: list[tuple[CoverReport, CoverNeed]] | None = None,
) -> Waiting:
    """Each teacher at school on `day` (not away) with reports not told yet (`waiting`, when
    read already)."""
    if waiting is None:
        waiting = await reports_waiting(session=session, school_id=school_id, today=day)
    if not waiting:
        return {}
    away = await approved_absences(session=session, school_id=school_id, day=day)
    by_teacher: Waiting = defaultdict(list)
    for report, need in waiting:
        if report.absent_id not in away:
            by_teacher[report.absent_id].append((report, need))
    return dict(by_teacher)


async def plan_feedback(ctx: DayContext) -> list[Slot]:
    if not ctx.status.is_school_day:
        return []
    school_id = stored_id(ctx.school)
    last = ctx.days[1]
    found = await ctx.once_for_days(
        "handover",
        lambda: reports_waiting_until(session=ctx.session, school_id=school_id, last=last),
    )
    waiting = [(report, need) for report, need, since in found if since is None or since <= ctx.day]
    by_teacher = await _waiting(ctx.session, school_id, ctx.day, waiting)
    if not by_teacher:
        return []
    # A line that comes later asks for this plan again (kinds.HANDOVER).
    times = await chosen_times(session=ctx.session, staff_ids=by_teacher)
    return [
        Slot(
            FEEDBACK,
            target_of(moment),
            at_local(ctx.day, moment, ctx.tz),
            ctx.day.isoformat(),
            {"minutes": minutes_of(moment)},
        )
        for moment in sorted(set(times.values()))
    ]


async def send_feedback(ctx: PushContext) -> bool:
    """Each teacher back at school whose My day time this is gets what their substitutes said."""
    moment = time_of_slot(ctx.slot)
    if moment is None:
        return False
    by_teacher = await _waiting(ctx.session, stored_id(ctx.school), ctx.day)
    times = await chosen_times(session=ctx.session, staff_ids=by_teacher)
    by_teacher = {k: v for k, v in by_teacher.items() if times[k] == moment}
    if not by_teacher:
        return False
    kit = await build_kit(ctx.session, ctx.school)
    now = ctx.services.clock.now()
    sent = False
    for teacher_id, theirs in by_teacher.items():
        teacher = kit.names.staff.get(teacher_id)
        if teacher is None or teacher.telegram_id is None:
            continue
        ids = [stored_id(report) for report, _ in theirs]
        if await mark_delivered(session=ctx.session, ids=ids, now=now) != len(ids):
            continue  # told meanwhile (at once, by the substitute's line)
        lang = teacher.language or ctx.services.settings.default_language
        lines = [
            (
                need_label(lang, kit.names, kit.schedule, need),
                kit.names.person(report.substitute_id),
                report.note,
            )
            for report, need in theirs
        ]
        text = feedback_message(lang, lines)
        sent = await send_to_chat(ctx.bot, ctx.session, teacher.telegram_id, text) or sent
    return sent


def push_kinds() -> list[PushKind]:
    return [PushKind(FEEDBACK, plan_feedback, send_feedback)]

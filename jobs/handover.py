"""What substitutes said after the lessons they covered (已上), for the absent teacher on their
first school morning back.

A teacher who chose to hear at once was told when the line came (handlers/handover/taught.py);
what that missed (a line never typed nor skipped) comes here too. One slot per school day, at
the default time of My day, and only for reports nobody told yet.
"""

from __future__ import annotations

from collections import defaultdict

from jobs import kinds
from jobs.delivery import send_to_chat
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local
from storage.handover import mark_delivered, reports_waiting
from storage.leave import approved_absences
from storage.models import CoverNeed, CoverReport
from storage.my_day import DEFAULT_TIME
from storage.schedule import build_kit
from storage.types import stored_id
from views.handover import feedback_message
from views.leave import need_label

FEEDBACK = kinds.HANDOVER_FEEDBACK


async def plan_feedback(ctx: DayContext) -> list[Slot]:
    if not ctx.status.is_school_day:
        return []
    at = at_local(ctx.day, DEFAULT_TIME, ctx.tz)
    return [Slot(FEEDBACK, "teachers", at, ctx.day.isoformat())]


async def send_feedback(ctx: PushContext) -> bool:
    """Each teacher back at school (not away today) gets what their substitutes said."""
    school_id = stored_id(ctx.school)
    waiting = await reports_waiting(session=ctx.session, school_id=school_id, today=ctx.day)
    if not waiting:
        return False
    away = await approved_absences(session=ctx.session, school_id=school_id, day=ctx.day)
    by_teacher: dict[int, list[tuple[CoverReport, CoverNeed]]] = defaultdict(list)
    for report, need in waiting:
        if report.absent_id not in away:
            by_teacher[report.absent_id].append((report, need))
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

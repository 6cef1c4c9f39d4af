"""Leave-aware duty: someone on duty whose approved leave covers the window is replaced.

The arranger (policy cover.arranger: the academic office, or the absent person's grade leader)
gets a private message with the post, the day and who is away, and buttons for 2–3 people to
stand in (the next in the rotation, then the fewest duties this month), plus "someone else",
which is `/duty set`. Asked when a leave gets its final approval, for the duties inside it, and
again with the morning announcement for a post still without a replacement.

The first press wins: each press takes the school's lock and checks again that the absent
person is still on the post and still away, and that the one picked is free.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.texts import t
from handlers.core.actor import Actor
from handlers.core.turn import Turn, button
from jobs import kinds
from jobs.duty import replacement_requests, window_over
from rules.roles import GRADE_LEADER, OFFICE
from storage.cover import hold_school, may_arrange
from storage.duty import (
    DutyShift,
    duty_gaps,
    duty_on,
    on_any_duty,
    post_by_id,
    replacement_problem,
    school_posts,
    set_override,
)
from storage.models import DutyPost, LeaveRequest, School, Staff
from storage.policies import load_policies
from storage.types import stored_id
from views.common import day_label
from views.duty import day_of, window

# Ids beyond a database integer are forged; PostgreSQL would refuse even to look them up.
MAX_ROW_ID = 2**31


async def ask_for_leave(turn: Turn, school: School, leave: LeaveRequest) -> int:
    """On final approval: asks for a replacement on each duty inside the leave still ahead."""
    tz = ZoneInfo(school.timezone)
    today = turn.now.astimezone(tz).date()
    start = max(leave.first_day, today)
    if leave.last_day < today or not await on_any_duty(
        session=turn.session,
        school_id=leave.school_id,
        staff_id=leave.staff_id,
        start=start,
        end=leave.last_day,
    ):
        return 0
    gaps = [
        gap
        for gap in await duty_gaps(
            session=turn.session,
            school_id=leave.school_id,
            start=start,
            end=leave.last_day,
        )
        if gap.shift.staff_id == leave.staff_id and not window_over(gap.shift, turn.now, tz)
    ]
    messages = await replacement_requests(
        turn.session, school, gaps, turn.svc.settings.default_language
    )
    for chat_id, text, markup in messages:
        turn.out.send(chat_id, text, markup)
    return len(gaps)


# --- /duty set for someone on leave -------------------------------------------------------------


def could_arrange(actor: Actor) -> bool:
    """Office and grade leaders may replace people on leave with /duty set (checked per post)."""
    return actor.staff is not None and bool(actor.roles & {OFFICE, GRADE_LEADER})


async def on_leave_then(session: AsyncSession, school_id: int, shift: DutyShift) -> bool:
    """Whether the shift's person is away during its window (approved leave)."""
    gaps = await duty_gaps(session=session, school_id=school_id, start=shift.day, end=shift.day)
    return any(
        g.shift.post_id == shift.post_id and g.shift.staff_id == shift.staff_id for g in gaps
    )


async def arranges_for(turn: Turn, school_id: int, staff_id: int | None) -> bool:
    """Re-checked on every press and command: the arranger's role for the absent person."""
    absent = await turn.session.get(Staff, staff_id) if staff_id else None
    if absent is None or absent.school_id != school_id:
        return False
    policies = await load_policies(session=turn.session, school_id=school_id)
    return may_arrange(
        turn.actor.staff,
        grade=absent.grade,
        policy=str(policies.get("cover.arranger")),
        is_admin=turn.actor.is_admin,
    )


# --- the arranger's buttons --------------------------------------------------------------------


async def _refuse(turn: Turn, reason: str) -> None:
    assert turn.callback is not None
    await turn.refuse_press(reason=reason, ids=list(turn.callback.ids))


def _close(turn: Turn, key: str, **values: object) -> None:
    text = turn.t(key, **values)
    turn.toast(text, alert=True)
    turn.edit_origin(text)


async def _gap_for_press(turn: Turn) -> tuple[DutyShift, DutyPost, Staff] | None:
    """The post, day and absent person a press is about, if it may still be decided by this
    person: the ids are the school's, the role fits, and the absent person is still on the post
    and away. Takes the school's lock first, so that of two presses the second sees the first."""
    assert turn.callback is not None
    # Both buttons of a gap (pick, someone else) carry the gap first, in the same order.
    gap = callbacks.DUTY_LEAVE_ELSE
    post_id, absent_id = gap.field(turn.callback, "post"), gap.field(turn.callback, "absent")
    day = day_of(gap.field(turn.callback, "day"))
    school_id = turn.actor.school_id
    if (
        day is None
        or school_id is None
        or not all(i is not None and 0 < i < MAX_ROW_ID for i in (post_id, absent_id))
    ):
        await _refuse(turn, "bad_duty_data")
        return None
    post = await post_by_id(session=turn.session, school_id=school_id, post_id=post_id or 0)
    absent = await turn.session.get(Staff, absent_id or 0)
    if post is None or absent is None or absent.school_id != school_id:
        await _refuse(turn, "unknown_duty")
        return None
    if not await arranges_for(turn, school_id, absent.id):
        await turn.deny_press(
            subject_type="duty_post", subject_id=post.id, button=callbacks.DUTY_LEAVE.name
        )
        return None
    await hold_school(session=turn.session, school_id=school_id)
    shift = next(
        (s for s in await duty_on(session=turn.session, school_id=school_id, day=day)
         if s.post_id == post.id),
        None,
    )  # fmt: skip
    school = turn.actor.school
    tz = ZoneInfo(school.timezone if school is not None else "Asia/Shanghai")
    label = {"day": day_label(turn.lang, day), "post": post.name, "name": absent.name}
    if shift is None or window_over(shift, turn.now, tz):
        _close(turn, "duty.leave.over", **label)
        return None
    if shift.staff_id != absent.id:
        _close(turn, "duty.leave.already", who=shift.name or turn.t("common.none"), **label)
        return None
    if not await on_leave_then(turn.session, school_id, shift):
        _close(turn, "duty.leave.not_away", **label)
        return None
    return shift, post, absent


def _tell(turn: Turn, person: Staff | None, key: str, shift: DutyShift, **values: object) -> None:
    """A private notice in the person's language (not to the one who pressed)."""
    if person is None or person.telegram_id in (None, turn.actor.telegram_id):
        return
    lang = person.language or turn.svc.settings.default_language
    turn.out.send(person.telegram_id or 0, t(lang, key, **window(lang, shift), **values))


@button()
async def on_pick(turn: Turn) -> None:
    """The arranger picks who stands in: set for that day, both people told."""
    found = await _gap_for_press(turn)
    if found is None:
        return
    shift, post, absent = found
    assert turn.callback is not None
    staff_id = callbacks.DUTY_LEAVE_PICK.field(turn.callback, "staff")
    if staff_id is None or not 0 < staff_id < MAX_ROW_ID:
        await _refuse(turn, "bad_duty_data")
        return
    problem = await replacement_problem(
        session=turn.session, school_id=post.school_id, shift=shift, staff_id=staff_id
    )
    person = await turn.session.get(Staff, staff_id)
    if problem is not None or person is None:
        name = person.name if person is not None else "?"
        mine = (
            problem == "self" and turn.actor.staff is not None and turn.actor.staff.id == staff_id
        )
        key = "duty.leave.cannot.self_you" if mine else f"duty.leave.cannot.{problem or 'inactive'}"
        turn.toast(turn.t(key, name=name), alert=True)
        return
    await set_override(
        session=turn.session,
        school_id=post.school_id,
        post_id=stored_id(post),
        day=shift.day,
        staff_id=staff_id,
        reason="leave",
        by=turn.actor.telegram_id,
        now=turn.now,
    )
    await turn.audit(
        "duty_replaced",
        subject_type="duty_post",
        subject_id=post.id,
        day=shift.day.isoformat(),
        staff=staff_id,
        absent=absent.id,
        reason="leave",
    )
    await turn.schedule_changed(post.school_id, kinds.DUTY)
    _tell(turn, person, "duty.leave.told_on", shift, name=absent.name)
    _tell(turn, absent, "duty.leave.told_off", shift, who=person.name)
    turn.toast(turn.t("duty.leave.done_short", who=person.name))
    turn.edit_origin(
        turn.t("duty.leave.done", who=person.name, name=absent.name, **window(turn.lang, shift))
    )


@button()
async def on_someone_else(turn: Turn) -> None:
    """另找他人: how to name anyone with /duty set, the post by its number in /duty roster."""
    found = await _gap_for_press(turn)
    if found is None:
        return
    shift, post, absent = found
    posts = await school_posts(session=turn.session, school_id=post.school_id)
    number = next((i for i, p in enumerate(posts, start=1) if p.id == post.id), 0)
    turn.reply(
        turn.t(
            "duty.leave.else_hint",
            iso=shift.day.isoformat(),
            number=number,
            name=absent.name,
            **window(turn.lang, shift),
        )
    )


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_pick, pattern=callbacks.DUTY_LEAVE_PICK.pattern),
        CallbackQueryHandler(on_someone_else, pattern=callbacks.DUTY_LEAVE_ELSE.pattern),
    ]

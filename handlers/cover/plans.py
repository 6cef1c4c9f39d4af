"""Long-term cover (固定代课): the plan board of a long absence, its buttons and /plan.

When a leave longer than `cover.plan_after_days` school days is approved, its arrangers get the
plan board in private: each of the absent teacher's weekly lessons with colleagues ranked as a
cover board ranks them. A pick gives that colleague the lesson on every day of the leave still
ahead (the cover needs are filled at once, see storage/cover_plans.py); 结束 ends the plan from
today, and its lessons go back to be arranged day by day. /plan shows the board for any
approved leave: the office can plan a shorter one too.

Every press is checked again: the leave's school and state, the weekly lesson it names (by
weekday, period and class, which stay themselves as days go by), and that the presser arranges
that lesson's class.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardMarkup
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.commands import ARRANGERS
from bot.texts import Safe
from handlers.core import follow_ups
from handlers.core.outbox import tell
from handlers.core.turn import Turn, button
from handlers.cover.board_copies import redraw_copies
from handlers.cover.boards import boards_follow, default_lang, load_kit, update_slips
from handlers.cover.substitute import close_group_asks
from jobs import kinds
from rules.cover import Suggestion
from rules.cover_plans import is_long
from rules.roles import ADMIN
from rules.states import CoverStatus, LeaveStatus
from storage.cover import hold_school, may_arrange
from storage.cover_boards import SUGGESTED, arranger_needs
from storage.cover_plans import (
    LeavePlan,
    PlanLine,
    clash_of,
    days_of,
    end_plan,
    fill,
    give_back,
    load_leave_plan,
    plan_of,
    plan_rows,
    plan_suggestions,
    set_row,
    start_plan,
    weekly_of,
)
from storage.models import CoverNeed, LeaveRequest, Staff
from storage.schedule import Kit
from storage.types import stored_id
from views.common import day_label, span_label
from views.cover_plan import render_plan, weekly_label
from views.leave import language_of


def arranges(person: Staff | None, kit: Kit, line: PlanLine, *, is_admin: bool) -> bool:
    return may_arrange(
        person,
        grade=kit.schedule.grades.get(line.lesson.class_id),
        policy=kit.arranger_policy,
        is_admin=is_admin,
    )


def first_index(plan: LeavePlan, person: Staff | None, kit: Kit, is_admin: bool) -> int | None:
    """The lesson a board opens on: the first one still without a plan teacher that this
    person arranges, else their first; None when they arrange none of them."""
    theirs = [
        i for i, line in enumerate(plan.lines) if arranges(person, kit, line, is_admin=is_admin)
    ]
    if not theirs:
        return None
    return next((i for i in theirs if plan.lines[i].row is None), theirs[0])


async def plan_board(
    turn: Turn,
    kit: Kit,
    plan: LeavePlan,
    index: int,
    lang: str,
    *,
    person: Staff | None,
    is_admin: bool,
    offer: bool = False,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The plan board for `person`, on the lesson at `index`; suggestions only for a lesson
    they arrange."""
    suggestions: list[Suggestion] = []
    if plan.lines:
        line = plan.lines[index % len(plan.lines)]
        if arranges(person, kit, line, is_admin=is_admin):
            suggestions = await plan_suggestions(
                session=turn.session, kit=kit, line=line, now=turn.now, limit=SUGGESTED
            )
    return render_plan(lang, kit, plan, index, suggestions, offer=offer)


# --- the offer on approval ----------------------------------------------------------------------


def offer_plan(turn: Turn, kit: Kit, leave: LeaveRequest) -> None:
    """After approving a long leave: its arrangers are offered a plan, once the answer is out."""
    after_days: int = kit.policies.get("cover.plan_after_days")
    if is_long(leave.half_days, after_days):
        turn.then(plan_offers, leave_id=stored_id(leave))


@follow_ups.named("cover_plan_offer")
async def plan_offers(later: Turn, *, leave_id: int) -> None:
    """Each arranger of the leave's lessons gets its plan board (设为固定代课)."""
    leave = await later.session.get(LeaveRequest, leave_id)
    if leave is None or leave.status != LeaveStatus.APPROVED:
        return
    kit = await load_kit(later, leave.school_id)
    if kit is None:
        return
    plan = await load_leave_plan(session=later.session, kit=kit, leave=leave, now=later.now)
    needs = [need for line in plan.lines for need in line.needs]
    if not needs:
        return
    for person, _ in (await arranger_needs(later.session, kit, needs)).values():
        # A school without an academic office has its admins arrange (storage/cover.py).
        admin = ADMIN in person.role_set
        index = first_index(plan, person, kit, is_admin=admin)
        if person.telegram_id is None or index is None:
            continue
        lang = language_of(person, default_lang(later))
        text, markup = await plan_board(
            later, kit, plan, index, lang, person=person, is_admin=admin, offer=True
        )
        later.out.send(person.telegram_id, text, markup)


# --- buttons ------------------------------------------------------------------------------------


async def _pressed(turn: Turn) -> tuple[LeaveRequest, Kit, LeavePlan] | None:
    """The leave a plan button names, of the presser's school and approved, with its plan, if
    the presser arranges cover at all; otherwise the press is answered here."""
    assert turn.callback is not None
    leave = await turn.row_named(LeaveRequest, what="leave")
    if leave is None:
        return None
    if not turn.actor.is_admin and not turn.actor.has_any(ARRANGERS):
        await turn.deny_press(
            subject_type="leave", subject_id=leave.id, button=f"cplan:{turn.callback.action}"
        )
        return None
    kit = await load_kit(turn, leave.school_id)
    if kit is None:
        return None
    if leave.status != LeaveStatus.APPROVED:
        text = turn.t("plan.leave_gone")
        turn.toast(text, alert=True)
        turn.edit_origin(text)
        return None
    plan = await load_leave_plan(session=turn.session, kit=kit, leave=leave, now=turn.now)
    return leave, kit, plan


async def _line_pressed(turn: Turn) -> tuple[LeaveRequest, Kit, LeavePlan, int] | None:
    """As `_pressed`, with the weekly lesson a pick names, if the presser arranges it."""
    found = await _pressed(turn)
    assert turn.callback is not None
    pick = callbacks.COVER_PLAN_PICK
    code, class_id = pick.field(turn.callback, "slot"), pick.field(turn.callback, "klass")
    if found is None or code is None or class_id is None:
        return None
    leave, kit, plan = found
    index = next(
        (
            i
            for i, line in enumerate(plan.lines)
            if (line.lesson.code, line.lesson.class_id) == (code, class_id)
        ),
        None,
    )
    if index is None:
        # Its last day is over, or the teacher came back: the board is drawn anew.
        await turn.refuse_press(reason="unknown_plan_lesson", leave=leave.id, slot=code)
        await _redraw(turn, kit, plan, 0)
        return None
    if not arranges(turn.actor.staff, kit, plan.lines[index], is_admin=turn.actor.is_admin):
        await turn.deny_press(subject_type="leave", subject_id=leave.id, button="cplan:pick")
        return None
    return leave, kit, plan, index


async def _redraw(turn: Turn, kit: Kit, plan: LeavePlan, index: int) -> None:
    text, markup = await plan_board(
        turn, kit, plan, index, turn.lang, person=turn.actor.staff, is_admin=turn.actor.is_admin
    )
    turn.edit_origin(text, markup)


def _clash_text(turn: Turn, kit: Kit, need: CoverNeed, staff_id: int, code: str) -> str:
    name = kit.names.person(staff_id)
    day = day_label(turn.lang, need.day)
    if code == "busy":
        return turn.t("plan.clash.busy", name=name, day=day, period=need.period)
    if code == "away":
        return turn.t("plan.clash.away", name=name, day=day)
    return turn.t("plan.clash.self", name=name)


@dataclass(frozen=True)
class Given:
    """What giving a weekly lesson did: the clash that stopped it (a text), or how many of its
    lessons the colleague now takes and how many stay as a colleague arranged them."""

    refusal: str | None = None
    taken: int = 0
    kept: int = 0


async def give(
    turn: Turn,
    kit: Kit,
    leave: LeaveRequest,
    line: PlanLine,
    person: Staff,
    span: tuple[date, date],
) -> Given:
    """Gives the weekly lesson to `person` on its days in `span`: their lessons are filled, the
    colleague told, boards and slips follow. The lessons outside `span` that the plan gave
    before are open again, so the plan says exactly who takes what."""
    staff_id = stored_id(person)
    first, last = span
    days = days_of(line, first, last)
    await hold_school(session=turn.session, school_id=leave.school_id)
    clash = await clash_of(session=turn.session, kit=kit, needs=days, staff_id=staff_id)
    if clash is not None:
        return Given(refusal=_clash_text(turn, kit, clash[0], staff_id, clash[1]))
    me = turn.actor.telegram_id
    active = await start_plan(session=turn.session, leave=leave, now=turn.now, by=me)
    previous = line.row.substitute_id if line.row is not None else None
    await set_row(
        session=turn.session,
        plan=active,
        lesson=line.lesson,
        staff_id=staff_id,
        first=first,
        last=last,
        now=turn.now,
        by=me,
    )
    asked = {need.id for need in days if need.status == CoverStatus.ASKING}
    filled = await fill(
        session=turn.session, needs=days, staff_id=staff_id, previous=previous, now=turn.now, by=me
    )
    outside = [need for need in line.needs if not first <= need.day <= last]
    reopened = (
        await give_back(session=turn.session, needs=outside, staff_id=previous)
        if previous is not None
        else []
    )
    await turn.audit(
        "cover_plan_set",
        subject_type="leave",
        subject_id=leave.id,
        weekday=line.lesson.weekday,
        period=line.lesson.period,
        klass=line.lesson.class_id,
        substitute=staff_id,
        first=first.isoformat(),
        last=last.isoformat(),
        lessons=len(filled),
        reopened=len(reopened),
    )
    for need in filled:
        if need.id in asked:
            await close_group_asks(turn, need)
    if previous is not None and previous != staff_id:
        _tell_plan_teacher(turn, kit, leave, line, previous, "plan.no_longer", span)
    if filled:
        count = len(filled)
        _tell_plan_teacher(turn, kit, leave, line, staff_id, "plan.you_take", span, count=count)
    if reopened:
        boards_follow(turn, kit, reopened)
    await _follow(turn, kit, [*filled, *reopened])
    return Given(taken=len(filled), kept=len(days) - len(filled))


@button()
async def on_pick(turn: Turn) -> None:
    """An arranger gives a weekly lesson to a colleague for the rest of the leave."""
    assert turn.callback is not None
    found = await _line_pressed(turn)
    staff_id = callbacks.COVER_PLAN_PICK.field(turn.callback, "staff")
    if found is None or staff_id is None:
        return
    leave, kit, plan, index = found
    person = kit.names.staff.get(staff_id)
    if person is None or not person.active:
        await turn.refuse_press(reason="unknown_staff", staff=staff_id)
        return
    span = (max(leave.first_day, kit.today(turn.now)), leave.last_day)
    given = await give(turn, kit, leave, plan.lines[index], person, span)
    if given.refusal is not None:
        turn.toast(given.refusal, alert=True)
        await _redraw(turn, kit, plan, index)
        return
    turn.toast(turn.t("plan.set_toast", name=person.name, count=given.taken, kept=given.kept))
    plan = await load_leave_plan(session=turn.session, kit=kit, leave=leave, now=turn.now)
    following = next(
        (
            i
            for i in [*range(index + 1, len(plan.lines)), *range(index)]
            if plan.lines[i].row is None
            and arranges(turn.actor.staff, kit, plan.lines[i], is_admin=turn.actor.is_admin)
        ),
        index,
    )
    await _redraw(turn, kit, plan, following)


async def _follow(turn: Turn, kit: Kit, needs: list[CoverNeed]) -> None:
    """Boards, slips and the pushes of the days whose lessons changed."""
    days = sorted({need.day for need in needs})
    for day in days:
        redraw_copies(turn, kit, day)
    update_slips(turn, kit, days)
    await turn.schedule_changed(stored_id(kit.school), kinds.COVER)


def _tell_plan_teacher(
    turn: Turn,
    kit: Kit,
    leave: LeaveRequest,
    line: PlanLine,
    staff_id: int,
    key: str,
    span: tuple[date, date],
    **values: object,
) -> None:
    person = kit.names.staff.get(staff_id)
    if person is None:
        return
    lang = language_of(person, default_lang(turn))
    tell(
        turn.out,
        person,
        default_lang(turn),
        key,
        lesson=Safe(weekly_label(lang, kit.names, line.lesson)),
        teacher=kit.names.person(leave.staff_id),
        span=span_label(lang, *span),
        **values,
    )


@button()
async def on_page(turn: Turn) -> None:
    """Turns the plan board to another weekly lesson (shown with suggestions if the presser
    arranges it)."""
    assert turn.callback is not None
    found = await _pressed(turn)
    index = callbacks.COVER_PLAN_PAGE.field(turn.callback, "index")
    if found is None or index is None:
        return
    _, kit, plan = found
    await _redraw(turn, kit, plan, index)


async def end_from(turn: Turn, kit: Kit, leave: LeaveRequest, from_day: date) -> int | None:
    """Ends the leave's plan from `from_day`: the lessons its teachers still have from then on
    (not yet begun) are open again and go on the boards, the teachers are told. None when no
    plan was active; else how many lessons went back."""
    plan = await plan_of(session=turn.session, leave_id=stored_id(leave))
    if plan is None:
        return None
    await hold_school(session=turn.session, school_id=leave.school_id)
    # Each teacher's own part as it stood: the notice names their days, not the whole leave's.
    parts = {
        row.id: (row.first_day, row.last_day)
        for row in await plan_rows(session=turn.session, plan_id=stored_id(plan))
    }
    rows = await end_plan(session=turn.session, plan=plan, from_day=from_day, now=turn.now)
    if not rows:
        return None
    current = await load_leave_plan(session=turn.session, kit=kit, leave=leave, now=turn.now)
    by_slot = {line.lesson.slot: line for line in current.lines}
    reopened: list[CoverNeed] = []
    for row in rows:
        line = by_slot.get((row.weekday, row.period, row.class_id))
        if line is None:
            continue
        later = [need for need in line.needs if need.day >= from_day]
        back = await give_back(session=turn.session, needs=later, staff_id=row.substitute_id)
        reopened.extend(back)
        if back:
            first, last = parts.get(row.id, (from_day, leave.last_day))
            _tell_plan_teacher(
                turn, kit, leave, line, row.substitute_id, "plan.ended_for_teacher",
                (max(first, from_day), last),
            )  # fmt: skip
    await turn.audit(
        "cover_plan_ended",
        subject_type="leave",
        subject_id=leave.id,
        from_day=from_day.isoformat(),
        reopened=len(reopened),
    )
    if reopened:
        boards_follow(turn, kit, reopened)
        await _follow(turn, kit, reopened)
    return len(reopened)


async def end_with_leave(
    turn: Turn,
    kit: Kit,
    leave: LeaveRequest,
    released: list[CoverNeed],
    previous: dict[int | None, tuple[str, int | None]],
) -> set[int]:
    """销假: the leave's plan, if active, ends today. Its teachers are told once for each weekly
    lesson they no longer take, not for each of weeks of lessons; returns the released lessons
    they were told of this way."""
    plan = await plan_of(session=turn.session, leave_id=stored_id(leave))
    if plan is None:
        return set()
    today = kit.today(turn.now)
    rows = await end_plan(session=turn.session, plan=plan, from_day=today, now=turn.now)
    told: set[int] = set()
    for row in rows:
        theirs = [
            need
            for need in released
            if previous.get(need.id) == (CoverStatus.ASSIGNED, row.substitute_id)
            and weekly_of(kit.schedule, need).slot == (row.weekday, row.period, row.class_id)
        ]
        if theirs:
            told.update(stored_id(need) for need in theirs)
            line = PlanLine(weekly_of(kit.schedule, theirs[0]))
            span = (theirs[0].day, leave.last_day)
            _tell_plan_teacher(turn, kit, leave, line, row.substitute_id, "plan.teacher_back", span)
    return told


@button()
async def on_end(turn: Turn) -> None:
    """结束: the plan ends from today; what is left goes back to daily arranging."""
    found = await _pressed(turn)
    if found is None:
        return
    leave, kit, plan = found
    if not any(
        arranges(turn.actor.staff, kit, line, is_admin=turn.actor.is_admin) for line in plan.taken()
    ):
        await turn.deny_press(subject_type="leave", subject_id=leave.id, button="cplan:end")
        return
    today = kit.today(turn.now)
    count = await end_from(turn, kit, leave, today)
    if count is None:
        turn.toast(turn.t("plan.not_active"), alert=True)
    else:
        turn.toast(turn.t("plan.ended_toast", day=day_label(turn.lang, today), count=count))
    plan = await load_leave_plan(session=turn.session, kit=kit, leave=leave, now=turn.now)
    await _redraw(turn, kit, plan, 0)


def handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(on_pick, pattern=callbacks.COVER_PLAN_PICK.pattern),
        CallbackQueryHandler(on_page, pattern=callbacks.COVER_PLAN_PAGE.pattern),
        CallbackQueryHandler(on_end, pattern=callbacks.COVER_PLAN_END.pattern),
    ]

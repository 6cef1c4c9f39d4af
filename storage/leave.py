"""Leave requests: submitting, the approval steps, withdrawing, expiring and coming back early.

Every transition is a conditional update of the request row first (`… WHERE status='pending'
AND step=:step`): the request row is the one lock every decision takes, in the same order, so
two approvers (or an approver and the teacher withdrawing) get exactly one winner on SQLite and
PostgreSQL alike, and nobody deadlocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.approval import ApprovalStep, may_decide
from rules.cover import is_morning
from rules.leave_dates import DayPart
from rules.roles import ADMIN, GRADE_LEADER, OFFICE, PRINCIPAL
from rules.states import LeaveStatus, StepStatus, SubstituteState
from storage.models import LeaveApproval, LeaveRequest, School, Staff
from storage.schedule import bell_times
from storage.session_memo import as_stored, read_columns, remembered, table_of, tables_of
from storage.staff import school_staff
from storage.types import stored_id

# States in which a leave still keeps someone away (ended: came back early, see returned_at).
AWAY_STATES = (LeaveStatus.APPROVED, LeaveStatus.ENDED)
LEAVE_TABLE = tables_of(LeaveRequest)
LEAVE_AND_STEP_TABLES = tables_of(LeaveRequest, LeaveApproval)


async def role_holders(
    *, session: AsyncSession, school_id: int, grade: int | None
) -> dict[str, list[int]]:
    """Staff ids per approving role; grade leaders only of `grade`."""
    holders: dict[str, list[int]] = {GRADE_LEADER: [], OFFICE: [], PRINCIPAL: [], ADMIN: []}
    for person in await school_staff(session=session, school_id=school_id):
        roles = person.role_set
        if GRADE_LEADER in roles and grade is not None and person.grade == grade:
            holders[GRADE_LEADER].append(stored_id(person))
        for role in (OFFICE, PRINCIPAL, ADMIN):
            if role in roles:
                holders[role].append(stored_id(person))
    return holders


async def create_leave(
    *,
    session: AsyncSession,
    school_id: int,
    staff_id: int,
    kind: str,
    first: date,
    last: date,
    part: DayPart,
    half_days: int,
    reason: str,
    substitute_id: int | None,
    chain: Sequence[ApprovalStep],
    now: datetime,
    by: int,
) -> tuple[LeaveRequest, list[LeaveApproval]]:
    """Stores the request and its steps; returns it with its steps in order, the first now
    waiting."""
    leave = LeaveRequest(
        school_id=school_id,
        staff_id=staff_id,
        kind=kind,
        first_day=first,
        last_day=last,
        part=part.code,
        half_days=half_days,
        reason=reason,
        substitute_id=substitute_id,
        substitute_state=SubstituteState.ASKED
        if substitute_id is not None
        else SubstituteState.NONE,
        created_at=now,
        created_by=by,
    )
    session.add(leave)
    await session.flush()
    approvals = []
    for index, step in enumerate(chain):
        approval = LeaveApproval(
            school_id=school_id,
            leave_id=stored_id(leave),
            step=index,
            role=step.role,
            grade=step.grade,
            status=StepStatus.WAITING if index == 0 else StepStatus.QUEUED,
            waiting_since=now if index == 0 else None,
        )
        session.add(approval)
        approvals.append(approval)
    await session.flush()
    return leave, approvals


# Built once with bound parameters: a leave request reads its steps and the teacher's leave.
_STEPS_OF = (
    select(LeaveApproval)
    .where(col(LeaveApproval.leave_id) == bindparam("leave_id"))
    .order_by(col(LeaveApproval.step))
)
_LEAVES_OF = (
    select(LeaveRequest)
    .where(col(LeaveRequest.staff_id) == bindparam("staff_id"))
    .order_by(col(LeaveRequest.first_day).desc(), col(LeaveRequest.id).desc())
    .limit(bindparam("limit"))
)


# Built once: every press on an approval button reads both.
_STEP_WITH_REQUEST = (
    select(LeaveApproval, LeaveRequest)
    .join(LeaveRequest, col(LeaveRequest.id) == LeaveApproval.leave_id)
    .where(col(LeaveApproval.id) == bindparam("approval_id"))
)


async def step_with_request(
    *, session: AsyncSession, approval_id: int
) -> tuple[LeaveApproval, LeaveRequest] | None:
    """A step and its request in one query."""
    found = await session.exec(_STEP_WITH_REQUEST, params={"approval_id": approval_id})
    row = found.first()
    return (row[0], row[1]) if row is not None else None


async def approvals_of(*, session: AsyncSession, leave_id: int) -> list[LeaveApproval]:
    return list((await session.exec(_STEPS_OF, params={"leave_id": leave_id})).all())


async def waiting_step(*, session: AsyncSession, leave_id: int) -> LeaveApproval | None:
    query = select(LeaveApproval).where(
        LeaveApproval.leave_id == leave_id, LeaveApproval.status == StepStatus.WAITING
    )
    return (await session.exec(query)).first()


async def deciders(
    *,
    session: AsyncSession,
    school_id: int,
    role: str,
    grade: int | None,
    requester_id: int,
    level: int = 0,
) -> list[Staff]:
    """Everyone who may decide a step of that role now (roles are read fresh)."""
    return [
        person
        for person in await school_staff(session=session, school_id=school_id)
        if may_decide(
            role=role,
            grade=grade,
            staff_id=stored_id(person),
            staff_roles=person.role_set,
            staff_grade=person.grade,
            requester_id=requester_id,
            level=level,
        )
    ]


async def approvers_for(
    *, session: AsyncSession, school_id: int, approval: LeaveApproval, requester_id: int
) -> list[Staff]:
    return await deciders(
        session=session,
        school_id=school_id,
        role=approval.role,
        grade=approval.grade,
        requester_id=requester_id,
        level=approval.level,
    )


async def escalate_step(
    *, session: AsyncSession, approval: LeaveApproval, now: datetime, to_level: int | None = None
) -> bool:
    """Moves a waiting step up (one level, or to `to_level`); False when it was decided,
    closed or moved up by someone else meanwhile (one winner, as for decisions)."""
    result = await session.exec(
        update(LeaveApproval)
        .where(
            col(LeaveApproval.id) == approval.id,
            col(LeaveApproval.status) == StepStatus.WAITING,
            col(LeaveApproval.level) == approval.level,
        )
        .values(level=to_level if to_level is not None else approval.level + 1, escalated_at=now)
    )
    if result.rowcount != 1:
        return False
    await session.refresh(approval)
    return True


async def expire(*, session: AsyncSession, leave: LeaveRequest, now: datetime) -> bool:
    """Its time is over and nobody decided: the request expires (its steps close)."""
    if not await _move_request(
        session,
        stored_id(leave),
        step=None,
        values={"status": LeaveStatus.EXPIRED, "decided_at": now},
    ):
        return False
    await _close_steps(session, stored_id(leave))
    await session.refresh(leave)
    return True


async def hold_pending(*, session: AsyncSession, leave_id: int) -> bool:
    """Locks the request's row while it is pending (PostgreSQL; SQLite's BEGIN IMMEDIATE holds
    the whole database); False when it is decided or withdrawn, by now or meanwhile."""
    found = await session.exec(
        select(LeaveRequest.id)
        .where(col(LeaveRequest.id) == leave_id, LeaveRequest.status == LeaveStatus.PENDING)
        .with_for_update()
    )
    return found.first() is not None


# On the table, not the model: no object in the session needs to follow it. Built once: each
# request's answer to its teacher keeps its id.
_LEAVES = table_of(LeaveRequest)
_KEEP_NOTICE = (
    update(_LEAVES)
    .where(_LEAVES.c.id == bindparam("leave_id"))
    .values(notice_chat_id=bindparam("chat_id"), notice_message_id=bindparam("message_id"))
)


async def keep_notice(
    *, session: AsyncSession, leave_id: int, chat_id: int, message_id: int
) -> None:
    """Remembers the teacher's message about the request, to edit it as the state changes."""
    params = {"leave_id": leave_id, "chat_id": chat_id, "message_id": message_id}
    await session.exec(_KEEP_NOTICE, params=params)


async def _move_request(
    session: AsyncSession, leave_id: int, *, step: int | None, values: dict[str, object]
) -> bool:
    query = update(LeaveRequest).where(
        col(LeaveRequest.id) == leave_id, col(LeaveRequest.status) == LeaveStatus.PENDING
    )
    if step is not None:
        query = query.where(col(LeaveRequest.step) == step)
    result = await session.exec(query.values(**values))
    return result.rowcount == 1


# Built once: every decision runs them. On the tables, not the models: the ORM's search of the
# session for the rows its conditions match is spared, and the decision sets the same values on
# the request and the step it holds (`as_stored`). Each UPDATE sets the columns its parameters
# name besides those of its conditions.
_APPROVALS = table_of(LeaveApproval)
_LAST_STEP = (
    select(_APPROVALS.c.step)
    .where(_APPROVALS.c.leave_id == bindparam("leave_id"))
    .order_by(_APPROVALS.c.step.desc())
    .limit(1)
)
_MOVE_AT_STEP = update(_LEAVES).where(
    _LEAVES.c.id == bindparam("leave_id"),
    _LEAVES.c.status == LeaveStatus.PENDING,
    _LEAVES.c.step == bindparam("at_step"),
)
_DECIDE = update(_APPROVALS).where(_APPROVALS.c.id == bindparam("approval_id"))


async def decide_step(
    *,
    session: AsyncSession,
    leave: LeaveRequest,
    approval: LeaveApproval,
    approve: bool,
    staff_id: int,
    now: datetime,
    note: str = "",
) -> str | None:
    """Records one decision; returns the outcome (next | approved | rejected) or None when it
    was decided (or withdrawn) by someone else first."""
    leave_id = stored_id(leave)
    last_step = (await session.exec(_LAST_STEP, params={"leave_id": leave_id})).first()
    final = approval.step == last_step
    moved: dict[str, object]
    if approve and not final:
        moved, outcome = {"step": approval.step + 1}, "next"
    else:
        status = LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED
        moved = {"status": status, "decided_at": now}
        outcome = "approved" if approve else "rejected"
    params = {**moved, "leave_id": leave_id, "at_step": approval.step}
    if (await session.exec(_MOVE_AT_STEP, params=params)).rowcount != 1:
        return None
    as_stored(leave, moved)
    decided: dict[str, object] = {
        "status": StepStatus.APPROVED if approve else StepStatus.REJECTED,
        "decided_by": staff_id,
        "decided_at": now,
        "note": note,
    }
    await session.exec(_DECIDE, params={**decided, "approval_id": approval.id})
    as_stored(approval, decided)
    if outcome == "next":
        await session.exec(
            update(LeaveApproval)
            .where(
                col(LeaveApproval.leave_id) == leave.id,
                col(LeaveApproval.step) == approval.step + 1,
            )
            .values(status=StepStatus.WAITING, waiting_since=now)
        )
    elif outcome == "rejected":
        await _close_steps(session, stored_id(leave))
    # The next step's and the closed steps' updates go through the ORM, which sets their values
    # on any step the session holds (synchronize_session).
    return outcome


async def _close_steps(session: AsyncSession, leave_id: int) -> None:
    await session.exec(
        update(LeaveApproval)
        .where(
            col(LeaveApproval.leave_id) == leave_id,
            col(LeaveApproval.status).in_((StepStatus.WAITING, StepStatus.QUEUED)),
        )
        .values(status=StepStatus.CLOSED)
    )


async def withdraw(*, session: AsyncSession, leave: LeaveRequest, now: datetime) -> bool:
    if not await _move_request(
        session,
        stored_id(leave),
        step=None,
        values={"status": LeaveStatus.WITHDRAWN, "decided_at": now},
    ):
        return False
    await _close_steps(session, stored_id(leave))
    await session.refresh(leave)
    return True


async def expire_if_stale(*, session: AsyncSession, leave: LeaveRequest, today: date) -> bool:
    """A request still pending after its last day is over can no longer be decided."""
    if leave.status != LeaveStatus.PENDING or leave.last_day >= today:
        return False
    if not await _move_request(
        session, stored_id(leave), step=None, values={"status": LeaveStatus.EXPIRED}
    ):
        return False
    await _close_steps(session, stored_id(leave))
    await session.refresh(leave)
    return True


async def end_leave(*, session: AsyncSession, leave: LeaveRequest, now: datetime) -> bool:
    """销假: an approved leave ends now; False when it was not approved (any more)."""
    result = await session.exec(
        update(LeaveRequest)
        .where(col(LeaveRequest.id) == leave.id, col(LeaveRequest.status) == LeaveStatus.APPROVED)
        .values(status=LeaveStatus.ENDED, returned_at=now)
    )
    if result.rowcount != 1:
        return False
    await session.refresh(leave)
    return True


async def answer_substitute(
    *, session: AsyncSession, leave: LeaveRequest, staff_id: int, agree: bool
) -> bool:
    """The named colleague agrees or declines; False when they were not asked (any more)."""
    result = await session.exec(
        update(LeaveRequest)
        .where(
            col(LeaveRequest.id) == leave.id,
            col(LeaveRequest.substitute_id) == staff_id,
            col(LeaveRequest.substitute_state) == SubstituteState.ASKED,
            col(LeaveRequest.status).in_((LeaveStatus.PENDING, LeaveStatus.APPROVED)),
        )
        .values(substitute_state=SubstituteState.AGREED if agree else SubstituteState.DECLINED)
    )
    if result.rowcount != 1:
        return False
    await session.refresh(leave)
    return True


async def leaves_of(*, session: AsyncSession, staff_id: int, limit: int = 10) -> list[LeaveRequest]:
    params = {"staff_id": staff_id, "limit": limit}
    return list((await session.exec(_LEAVES_OF, params=params)).all())


# Built once: every request checks the person's own requests that meet its days.
_MEETING = (
    select(LeaveRequest)
    .where(
        col(LeaveRequest.staff_id) == bindparam("staff_id"),
        col(LeaveRequest.status).in_(bindparam("states", expanding=True)),
        col(LeaveRequest.first_day) <= bindparam("last"),
        col(LeaveRequest.last_day) >= bindparam("first"),
    )
    .order_by(col(LeaveRequest.first_day), col(LeaveRequest.id))
)


async def leaves_meeting(
    *, session: AsyncSession, staff_id: int, first: date, last: date, states: Sequence[str]
) -> list[LeaveRequest]:
    """The person's requests in these states with a day from `first` to `last`: what a new
    request for those days may overlap (usually none)."""
    params = {"staff_id": staff_id, "states": list(states), "first": first, "last": last}
    return list((await session.exec(_MEETING, params=params)).all())


async def pending_leaves(*, session: AsyncSession, school_id: int) -> list[LeaveRequest]:
    """The school's pending requests, once per session until it writes a request or a step."""
    query = (
        select(LeaveRequest)
        .where(LeaveRequest.school_id == school_id, LeaveRequest.status == LeaveStatus.PENDING)
        .order_by(col(LeaveRequest.id))
    )

    async def load() -> list[LeaveRequest]:
        return list((await session.exec(query)).all())

    key = ("pending_leaves", school_id)
    return list(await remembered(session, key, LEAVE_AND_STEP_TABLES, load))


_STEPS = table_of(LeaveApproval)
# Built once, as plain columns: planning a school's reminders reads every waiting step.
_WAITS = (
    select(_STEPS.c.id, _STEPS.c.waiting_since, _LEAVES.c.last_day)
    .join_from(_STEPS, _LEAVES, _LEAVES.c.id == _STEPS.c.leave_id)
    .where(
        _LEAVES.c.school_id == bindparam("school_id"),
        _LEAVES.c.status == LeaveStatus.PENDING,
        _STEPS.c.status == StepStatus.WAITING,
        _STEPS.c.waiting_since.is_not(None),
    )
    .order_by(_LEAVES.c.id)
)


async def waits(*, session: AsyncSession, school_id: int) -> list[tuple[int, datetime, date]]:
    """Each pending request's waiting step as (step id, waiting since, the request's last day),
    in request order; read once per session until it writes a request or a step (planning two
    days asks for each)."""

    async def load() -> list[tuple[int, datetime, date]]:
        rows = await read_columns(session, _WAITS, {"school_id": school_id})
        return [(row.id, row.waiting_since, row.last_day) for row in rows]

    return list(await remembered(session, ("waits", school_id), LEAVE_AND_STEP_TABLES, load))


async def undecided(*, session: AsyncSession) -> list[tuple[LeaveRequest, LeaveApproval, School]]:
    """Every pending request of every school with the step it waits on (one query: the leave
    watch asks each minute)."""
    query = (
        select(LeaveRequest, LeaveApproval, School)
        .join(LeaveApproval, col(LeaveApproval.leave_id) == col(LeaveRequest.id))
        .join(School, col(School.id) == col(LeaveRequest.school_id))
        .where(
            LeaveRequest.status == LeaveStatus.PENDING, LeaveApproval.status == StepStatus.WAITING
        )
        .order_by(col(LeaveRequest.id))
    )
    return [(leave, step, school) for leave, step, school in (await session.exec(query)).all()]


async def waiting_for(
    *, session: AsyncSession, school_id: int, staff: Staff
) -> list[tuple[LeaveRequest, LeaveApproval]]:
    """Pending requests whose current step this person may decide."""
    query = (
        select(LeaveRequest, LeaveApproval)
        .join(LeaveApproval, col(LeaveApproval.leave_id) == col(LeaveRequest.id))
        .where(
            LeaveRequest.school_id == school_id,
            LeaveRequest.status == LeaveStatus.PENDING,
            LeaveApproval.status == StepStatus.WAITING,
        )
        .order_by(col(LeaveRequest.id))
    )
    return [
        (leave, approval)
        for leave, approval in (await session.exec(query)).all()
        if may_decide(
            role=approval.role,
            grade=approval.grade,
            staff_id=stored_id(staff),
            staff_roles=staff.role_set,
            staff_grade=staff.grade,
            requester_id=leave.staff_id,
            level=approval.level,
        )
    ]


# Built once: boards and the duty checks run it on every action (see storage/cover.py).
_LEAVES_ON = (
    select(LeaveRequest)
    .where(
        col(LeaveRequest.school_id) == bindparam("school_id"),
        col(LeaveRequest.status).in_(bindparam("states", expanding=True)),
        col(LeaveRequest.first_day) <= bindparam("day"),
        col(LeaveRequest.last_day) >= bindparam("day"),
    )
    .order_by(col(LeaveRequest.id))
)


async def leaves_on(
    *, session: AsyncSession, school_id: int, day: date, states: Sequence[str] = AWAY_STATES
) -> list[LeaveRequest]:
    async def load() -> list[LeaveRequest]:
        params = {"school_id": school_id, "day": day, "states": list(states)}
        return list((await session.exec(_LEAVES_ON, params=params)).all())

    # A cover board asks once per day shown, and again when it is redrawn after a press.
    key = ("leaves_on", school_id, day, tuple(states))
    return list(await remembered(session, key, LEAVE_TABLE, load))


def part_on_return_day(leave: LeaveRequest, returned: time, first_bell: time | None) -> str | None:
    """What is left of the leave on the day its teacher came back: nothing before school,
    the morning when back before noon, otherwise the day as asked."""
    if first_bell is not None and returned <= first_bell:
        return None
    part = DayPart.from_code(leave.part)
    if returned < time(12, 0) and part.kind in ("full", "am"):
        return "am"
    if returned < time(12, 0) and part.kind == "pm":
        return "pm"
    return leave.part


async def approved_absences(*, session: AsyncSession, school_id: int, day: date) -> dict[int, str]:
    """Who is away on `day` through approved leave: staff id → part of the day.

    The part is "full", "am", "pm" or "p<first>-<last>" (a run of periods). For other features
    (the duty roster replaces people on leave).
    """
    school = await session.get(School, school_id)
    tz = ZoneInfo(school.timezone if school is not None else "Asia/Shanghai")
    bells = await bell_times(session=session, school_id=school_id)
    first_bell = min((s for s, _ in bells.values()), default=None)
    away: dict[int, str] = {}
    for leave in await leaves_on(session=session, school_id=school_id, day=day):
        part: str | None = leave.part
        if leave.returned_at is not None:
            returned = leave.returned_at.astimezone(tz)
            if returned.date() < day:
                continue
            if returned.date() == day:
                part = part_on_return_day(leave, returned.time(), first_bell)
        if part is not None:
            away[leave.staff_id] = _merge_parts(away.get(leave.staff_id), part)
    return away


def _merge_parts(old: str | None, new: str) -> str:
    if old is None or old == new:
        return new
    return "full"


def away_at(
    leave: LeaveRequest,
    day: date,
    period: int,
    bell_starts: dict[int, time],
    lesson_start: datetime | None,
) -> bool:
    """Whether this leave keeps its teacher from a lesson (a return before it ends that)."""
    if not leave.first_day <= day <= leave.last_day:
        return False
    part = DayPart.from_code(leave.part)
    if part.kind == "am" and not is_morning(period, bell_starts):
        return False
    if part.kind == "pm" and is_morning(period, bell_starts):
        return False
    if part.kind == "periods" and not (part.first or 0) <= period <= (part.last or 0):
        return False
    if leave.returned_at is not None:
        if lesson_start is None:
            return leave.returned_at.date() > day
        return leave.returned_at > lesson_start
    return True

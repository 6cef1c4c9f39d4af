"""A leave request from draft to submission: the checks, the approval chain, the messages.

Shared by the one-line /leave and the wizard. `check_draft` refuses with the reason in the
user's words (days, overlaps, a busy colleague, nobody to approve); `submit` stores the request
and its steps and queues every notice in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.texts import Safe
from handlers.core import follow_ups
from handlers.core.colleagues import colleague_named
from handlers.core.outbox import tell
from handlers.core.turn import Turn
from handlers.cover.boards import default_lang, load_kit
from jobs import kinds
from rules.approval import ApprovalStep, approval_chain
from rules.cover import DayLesson
from rules.leave_dates import (
    LEAVE_KINDS,
    DayPart,
    LeaveDateError,
    check_span,
    max_days_policy,
    parse_leave_line,
)
from rules.states import LeaveStatus, StepStatus
from storage.cover import busy_lesson, load_cover_day
from storage.leave import (
    approvals_of,
    approvers_for,
    create_leave,
    leaves_meeting,
    role_holders,
    step_with_request,
)
from storage.models import LeaveApproval, LeaveRequest, Staff
from storage.schedule import Kit, leave_lessons, parts_overlap
from storage.staff import hold_staff
from storage.types import stored_id
from views.common import localised
from views.leave import (
    approval_markup,
    approval_text,
    calendar_note,
    chain_text,
    day_lesson_label,
    days_text,
    kind_label,
    language_of,
    lessons_block,
    part_label,
    people_names,
    sick_note,
    span_label,
    substitute_markup,
    withdraw_markup,
)

MAX_REASON = 200
OPEN_STATES = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


class Refusal(Exception):
    """A request that cannot be made; `key` and `values` say why, in the user's words."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass
class Draft:
    kind: str
    first: date
    last: date
    part: DayPart
    reason: str
    substitute: str | None = None


@dataclass
class Checked:
    """A draft that passed every check, with what the messages need."""

    draft: Draft
    staff: Staff
    kit: Kit
    lessons: list[DayLesson]
    unknown_days: list[date]
    half_days: int
    chain: list[ApprovalStep]
    substitute: Staff | None


def draft_from_line(text: str, today: date) -> Draft:
    """The one-line form read into a draft; raises LeaveDateError or Refusal (reason too long)."""
    line = parse_leave_line(text, today)
    if len(line.reason) > MAX_REASON:
        raise Refusal("common.too_long", limit=MAX_REASON)
    return Draft(line.kind, line.first, line.last, line.part, line.reason, line.substitute)


async def check_draft(turn: Turn, draft: Draft, *, staff: Staff | None = None) -> Checked:
    """Every check a request must pass before it is stored; raises Refusal.

    `staff`: whose leave it is, when someone records it for them (the actor by default).
    """
    staff = staff if staff is not None else turn.actor.staff
    if staff is None or staff.id is None:
        raise Refusal("common.not_linked")
    kit = await load_kit(turn, staff.school_id)
    assert kit is not None
    today = kit.today(turn.now)
    problem = check_span(
        draft.first,
        draft.last,
        today=today,
        max_days=int(kit.policies.get(max_days_policy(draft.kind))),
        kind=draft.kind,
        allow_past=turn.actor.is_admin,
    )
    if problem is not None:
        raise Refusal(problem.key, **problem.values)
    last_period = max(kit.schedule.bells, default=None)
    if (
        draft.part.kind == "periods"
        and last_period is not None
        and (draft.part.last or 0) > last_period
    ):
        # The parser allows up to MAX_PERIOD; the school's own day may be shorter.
        raise Refusal(
            "leave.err.period_beyond",
            value=part_label(turn.lang, draft.part.code),
            last=last_period,
        )
    school_days = kit.schedule.calendar.school_days(draft.first, draft.last)
    if not school_days:
        raise Refusal(
            "leave.err.no_school_days",
            span=span_label(turn.lang, draft.first, draft.last, draft.part.code),
        )
    # Held until the request is stored: a second submission waits here, then sees this one.
    await hold_staff(session=turn.session, staff_id=staff.id)
    meeting = await leaves_meeting(
        session=turn.session,
        staff_id=staff.id,
        first=draft.first,
        last=draft.last,
        states=OPEN_STATES,
    )
    for other in meeting:
        if parts_overlap(DayPart.from_code(other.part), draft.part, kit):
            span = span_label(turn.lang, other.first_day, other.last_day, other.part)
            if turn.actor.staff is not None and turn.actor.staff.id == staff.id:
                raise Refusal("leave.err.overlap", span=span)
            # Recorded for a colleague (/leavefor): it is their leave, not the recorder's.
            raise Refusal("leave.err.overlap_for", name=staff.name, span=span)
    lessons, unknown = leave_lessons(kit, staff.id, draft.first, draft.last, draft.part)
    substitute = await _check_substitute(turn, kit, staff, draft, lessons)
    holders = await role_holders(session=turn.session, school_id=staff.school_id, grade=staff.grade)
    half_days = len(school_days) * draft.part.half_days
    chain = approval_chain(
        requester_id=staff.id,
        grade=staff.grade,
        half_days=half_days,
        office_after_days=int(kit.policies.get("leave.office_after_days")),
        principal_after_days=int(kit.policies.get("leave.principal_after_days")),
        holders=holders,
    )
    if not chain:
        raise Refusal("leave.err.no_approver")
    return Checked(draft, staff, kit, lessons, unknown, half_days, chain, substitute)


async def _check_substitute(
    turn: Turn, kit: Kit, staff: Staff, draft: Draft, lessons: list[DayLesson]
) -> Staff | None:
    if draft.substitute is None:
        return None
    name = draft.substitute.strip()
    colleague, close = await colleague_named(turn, staff.school_id, name)
    if colleague is None:
        raise Refusal("leave.err.no_such_colleague", name=name, close=close)
    if colleague.id == staff.id:
        raise Refusal("leave.err.substitute_self")
    if not lessons:
        raise Refusal("leave.err.substitute_no_lessons", name=colleague.name)
    for lesson in lessons:
        cover_day = await load_cover_day(
            session=turn.session, school_id=staff.school_id, day=lesson.day, schedule=kit.schedule
        )
        label = Safe(day_lesson_label(turn.lang, kit.names, kit.schedule, lesson))
        busy = busy_lesson(cover_day, stored_id(colleague), lesson.period)
        if busy is not None:
            raise Refusal(
                "leave.err.substitute_busy",
                name=colleague.name,
                lesson=label,
                klass=kit.names.classes.get(busy.class_id, "?"),
                subject=kit.names.subjects.get(busy.subject_id, "?"),
            )
        if lesson.period in cover_day.busy().get(stored_id(colleague), set()):
            raise Refusal("leave.err.substitute_covering", name=colleague.name, lesson=label)
        if colleague.id in cover_day.away(lesson.period):
            raise Refusal("leave.err.substitute_away", name=colleague.name, lesson=label)
    return colleague


async def ask_approvers(
    turn: Turn,
    kit: Kit,
    leave: LeaveRequest,
    approval: LeaveApproval,
    *,
    key: str = "leave.ask_approver",
    steps: int | None = None,
) -> list[Staff]:
    """Asks the step's approvers, with 批准 / 驳回; returns who is asked.

    The request reaches them after this action's own answer (`turn.then`), unless the step was
    decided or withdrawn in between.
    """
    # Imported here: the escalation draws its requests with this module's texts.
    from jobs.leave_escalation import move_up, reachable

    people = await approvers_for(
        session=turn.session,
        school_id=leave.school_id,
        approval=approval,
        requester_id=leave.staff_id,
    )
    if not await reachable(turn.session, people, turn.svc.dispatcher.unreachable):
        # Nobody the bot can write to may decide it: it moves up now, and the teacher's answer
        # names who it really waits for.
        turn.out.items.extend(
            await move_up(
                turn.session,
                kit,
                leave,
                approval,
                turn.now,
                default_lang(turn),
                why="unreachable",
                tell=False,
            )
        )
        if approval.level > 0:
            return await reachable(
                turn.session,
                await approvers_for(
                    session=turn.session,
                    school_id=leave.school_id,
                    approval=approval,
                    requester_id=leave.staff_id,
                ),
            )

    turn.then(
        ask_step,
        school_id=leave.school_id,
        step_id=stored_id(approval),
        people=[stored_id(person) for person in people],
        key=key,
        steps=steps,
    )
    return people


@follow_ups.named("ask_approvers")
async def ask_step(
    later: Turn,
    *,
    school_id: int,
    step_id: int,
    people: list[int],
    key: str,
    steps: int | None = None,
) -> None:
    """The request reaches the step's approvers, unless it was decided or withdrawn meanwhile.
    `steps`, how many the request has, when the action knew (else they are counted here)."""
    found = await step_with_request(session=later.session, approval_id=step_id)
    if found is None or found[0].status != StepStatus.WAITING:
        return
    step, leave = found
    kit = await load_kit(later, school_id)
    if kit is None:
        return
    if steps is None:
        steps = len(await _steps(later, leave))
    for person_id in people:
        person = kit.names.staff.get(person_id)
        if person is None or person.telegram_id is None:
            continue
        lang = language_of(person, default_lang(later))
        later.out.send(
            person.telegram_id,
            approval_text(lang, kit, leave, step, steps, key),
            approval_markup(lang, step),
            about=f"leave_step:{step.id}",  # one that cannot be delivered moves the step up
        )


async def _steps(turn: Turn, leave: LeaveRequest) -> list[LeaveApproval]:
    return await approvals_of(session=turn.session, leave_id=stored_id(leave))


async def store(
    turn: Turn, checked: Checked, *, action: str
) -> tuple[LeaveRequest, list[LeaveApproval]]:
    """Stores the request and its steps, audited as `action`; returns it and its steps."""
    draft, staff = checked.draft, checked.staff
    leave, steps = await create_leave(
        session=turn.session,
        school_id=staff.school_id,
        staff_id=stored_id(staff),
        kind=draft.kind,
        first=draft.first,
        last=draft.last,
        part=draft.part,
        half_days=checked.half_days,
        reason=draft.reason,
        substitute_id=checked.substitute.id if checked.substitute else None,
        chain=checked.chain,
        now=turn.now,
        by=turn.actor.telegram_id,
    )
    await turn.audit(
        action,
        subject_type="leave",
        subject_id=leave.id,
        first=draft.first,
        last=draft.last,
        part=draft.part.code,
        steps=[step.role for step in checked.chain],
    )
    return leave, steps


async def submit(turn: Turn, checked: Checked, *, private_chat: int) -> LeaveRequest:
    """Stores the request, asks the first approvers (and the named colleague), tells the teacher.

    `private_chat` is where the teacher hears the details: never the group.
    """
    draft, kit, staff = checked.draft, checked.kit, checked.staff
    leave, steps = await store(turn, checked, action="leave_requested")
    asked = await ask_approvers(turn, kit, leave, steps[0], steps=len(steps))
    if checked.substitute is not None:
        person = checked.substitute
        lang = language_of(person, default_lang(turn))
        tell(
            turn.out,
            person,
            default_lang(turn),
            "leave.substitute_ask",
            substitute_markup(lang, leave),
            name=staff.name,
            lessons=Safe(lessons_block(lang, kit, checked.lessons, [])),
        )
    chain_names = chain_text(turn.lang, steps)
    turn.out.send(
        private_chat,
        turn.t(
            "leave.submitted",
            kind=kind_label(turn.lang, draft.kind),
            span=span_label(turn.lang, draft.first, draft.last, draft.part.code),
            days=days_text(checked.half_days),
            reason=draft.reason,
            lessons=Safe(lessons_block(turn.lang, kit, checked.lessons, checked.unknown_days)),
            chain=chain_names,
            approvers=people_names(turn.lang, asked) if asked else turn.t("leave.nobody_reachable"),
            substitute=Safe(
                turn.t("leave.substitute_asked", name=checked.substitute.name)
                if checked.substitute
                else ""
            ),
        )
        + sick_note(turn.lang, kit, draft.kind, checked.half_days)
        + calendar_note(turn.lang, kit, draft.first, draft.last),
        withdraw_markup(turn.lang, leave, handover=bool(checked.lessons)),
        # Kept once sent, and redrawn as the request moves on (jobs/leave_escalation.py).
        about=f"leave_notice:{leave.id}",
    )
    await turn.schedule_changed(leave.school_id, kinds.LEAVE)
    return leave


def refusal_text(turn: Turn, refusal: Refusal | LeaveDateError, example: str = "") -> str:
    """The refusal in the user's language, with an example of the form in that language too."""
    values = localised(turn.lang, refusal.values)
    kind = values.get("kind")
    if isinstance(kind, str) and kind in LEAVE_KINDS:
        values["kind"] = kind_label(turn.lang, kind)
    return turn.t(refusal.key, example=turn.t(example or "leave.example"), **values)

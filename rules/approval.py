"""Who decides a leave request: the approval chain from the school's policy.

Default policy (shared/domain.md): up to 1 school day the grade leader of the teacher's grade;
2–3 days the academic office as well; longer also the principal. Each step is decided by any one
person who holds that role (for the grade leader: of the teacher's grade). Nobody decides their
own request: a step with no one else in it is skipped, and when that leaves nobody at all, the
request goes to the next role up, and finally to the school's admins.

A step nobody decides in time, or whose deciders the bot cannot reach, moves up (escalates):
at each level the next role up may decide it as well (grade leader → academic office →
principal → admins), and the original deciders keep their say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rules.roles import ADMIN, GRADE_LEADER, OFFICE, PRINCIPAL

TIERS = (GRADE_LEADER, OFFICE, PRINCIPAL)
# Who a step moves up to, in order.
LADDER = (GRADE_LEADER, OFFICE, PRINCIPAL, ADMIN)


@dataclass(frozen=True)
class ApprovalStep:
    role: str
    grade: int | None  # the grade whose leader decides; None for the other roles
    approvers: tuple[int, ...]  # staff ids who may decide, the requester never among them


def required_tiers(
    half_days: int, *, office_after_days: int, principal_after_days: int
) -> list[str]:
    """The roles a request of this length needs, in order (lengths in half days)."""
    tiers = [GRADE_LEADER]
    if half_days > office_after_days * 2:
        tiers.append(OFFICE)
    if half_days > principal_after_days * 2:
        tiers.append(PRINCIPAL)
    return tiers


def approval_chain(
    *,
    requester_id: int,
    grade: int | None,
    half_days: int,
    office_after_days: int,
    principal_after_days: int,
    holders: Mapping[str, Sequence[int]],
) -> list[ApprovalStep]:
    """The steps in order; empty when nobody but the requester could decide.

    `holders` maps each role (grade_leader: only the leaders of the requester's grade; admin:
    the school's admins) to the staff ids holding it.
    """

    def step(role: str) -> ApprovalStep | None:
        people = tuple(sorted(s for s in holders.get(role, ()) if s != requester_id))
        if not people:
            return None
        return ApprovalStep(role, grade if role == GRADE_LEADER else None, people)

    wanted = required_tiers(
        half_days, office_after_days=office_after_days, principal_after_days=principal_after_days
    )
    steps = [s for s in (step(role) for role in wanted) if s is not None]
    if steps:
        return steps
    for role in (*TIERS[len(wanted) :], ADMIN):
        found = step(role)
        if found is not None:
            return [found]
    return []


def escalation_roles(role: str, level: int) -> tuple[str, ...]:
    """The roles that may decide a step of `role` once it moved up `level` times."""
    start = LADDER.index(role) if role in LADDER else len(LADDER) - 1
    return LADDER[start : start + level + 1]


def can_escalate(role: str, level: int) -> bool:
    """Whether there is anyone above a step at this level (the admins are the top)."""
    start = LADDER.index(role) if role in LADDER else len(LADDER) - 1
    return start + level + 1 < len(LADDER)


def escalation_due(
    *,
    waiting_since: datetime,
    starts_at: datetime,
    normal: timedelta,
    urgent: timedelta,
    urgent_within: timedelta,
) -> datetime:
    """When a step still undecided moves up: after `normal`, or after `urgent` when the leave
    starts within `urgent_within` of the wait's start (a same-day leave cannot wait hours);
    never later than the leave's start. A wait that began once the leave had started (asked,
    or moved up, late) runs its whole urgent length: nobody can decide in no time."""
    if starts_at <= waiting_since:
        return waiting_since + urgent
    wait = urgent if starts_at - waiting_since <= urgent_within else normal
    return min(waiting_since + wait, starts_at)


def due_before(*, waiting_since: datetime, deadline: datetime, wait: timedelta) -> datetime:
    """When something still undecided moves up: after `wait`, or at `deadline` when that comes
    first (a homework posting at the day's board). A wait that began after the deadline runs
    its full length, so a request does not climb every tier at once."""
    due = waiting_since + wait
    return min(due, deadline) if waiting_since < deadline else due


def may_decide(
    *,
    role: str,
    grade: int | None,
    staff_id: int,
    staff_roles: frozenset[str],
    staff_grade: int | None,
    requester_id: int,
    level: int = 0,
) -> bool:
    """Whether this person may decide a step (re-checked on every press): they hold its role
    or, once it moved up, one of the roles it moved up to. A grade leader decides only for
    their own grade."""
    if staff_id == requester_id:
        return False
    for allowed in escalation_roles(role, level):
        if allowed in staff_roles and (
            allowed != GRADE_LEADER or (grade is not None and staff_grade == grade)
        ):
            return True
    return False

"""Who decides a leave request: the approval chain from the school's policy.

Default policy (shared/domain.md): up to 1 school day the grade leader of the teacher's grade;
2–3 days the academic office as well; longer also the principal. Each step is decided by any one
person who holds that role (for the grade leader: of the teacher's grade). Nobody decides their
own request: a step with no one else in it is skipped, and when that leaves nobody at all, the
request goes to the next role up, and finally to the school's admins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rules.roles import ADMIN, GRADE_LEADER, OFFICE, PRINCIPAL

TIERS = (GRADE_LEADER, OFFICE, PRINCIPAL)


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


def may_decide(
    *,
    role: str,
    grade: int | None,
    staff_id: int,
    staff_roles: frozenset[str],
    staff_grade: int | None,
    requester_id: int,
) -> bool:
    """Whether this person may decide a step (re-checked on every press)."""
    if staff_id == requester_id or role not in staff_roles:
        return False
    return role != GRADE_LEADER or (grade is not None and staff_grade == grade)

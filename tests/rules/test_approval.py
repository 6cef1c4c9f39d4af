"""The approval chain: who decides a request of a given length, and nobody their own."""

from __future__ import annotations

import pytest

from rules.approval import ApprovalStep, approval_chain, may_decide, required_tiers
from rules.roles import ADMIN, GRADE_LEADER, OFFICE, PRINCIPAL, TEACHER

LEADER, OFFICE_A, OFFICE_B, HEAD, ADMIN_ID, TEACHER_ID = 1, 2, 3, 4, 5, 9
HOLDERS = {
    GRADE_LEADER: [LEADER],
    OFFICE: [OFFICE_A, OFFICE_B],
    PRINCIPAL: [HEAD],
    ADMIN: [ADMIN_ID],
}


def chain(requester: int, half_days: int, holders: dict[str, list[int]] = HOLDERS) -> list[str]:
    steps = approval_chain(
        requester_id=requester,
        grade=3,
        half_days=half_days,
        office_after_days=1,
        principal_after_days=3,
        holders=holders,
    )
    return [s.role for s in steps]


@pytest.mark.parametrize(
    ("half_days", "roles"),
    [
        (1, [GRADE_LEADER]),  # a morning
        (2, [GRADE_LEADER]),  # one school day
        (3, [GRADE_LEADER, OFFICE]),  # a day and a half
        (6, [GRADE_LEADER, OFFICE]),  # three days
        (7, [GRADE_LEADER, OFFICE, PRINCIPAL]),
        (40, [GRADE_LEADER, OFFICE, PRINCIPAL]),
    ],
)
def test_longer_leave_needs_more_steps(half_days: int, roles: list[str]) -> None:
    assert chain(TEACHER_ID, half_days) == roles


def test_the_policy_moves_the_thresholds() -> None:
    assert required_tiers(2, office_after_days=0, principal_after_days=3) == [GRADE_LEADER, OFFICE]
    assert required_tiers(2, office_after_days=1, principal_after_days=0) == [
        GRADE_LEADER,
        PRINCIPAL,
    ]


def test_nobody_decides_their_own_request() -> None:
    # The grade leader's own day off goes to the office instead.
    assert chain(LEADER, 2) == [OFFICE]
    # An office member's long leave: the other office member decides that step.
    steps = approval_chain(
        requester_id=OFFICE_A,
        grade=None,
        half_days=6,
        office_after_days=1,
        principal_after_days=3,
        holders={**HOLDERS, GRADE_LEADER: []},
    )
    assert steps == [ApprovalStep(OFFICE, None, (OFFICE_B,))]
    # The principal's own long leave: the admins.
    assert chain(HEAD, 10, {**HOLDERS, GRADE_LEADER: [], OFFICE: []}) == [ADMIN]


def test_a_grade_without_a_leader_goes_to_the_office() -> None:
    assert chain(TEACHER_ID, 1, {**HOLDERS, GRADE_LEADER: []}) == [OFFICE]


def test_nobody_at_all_gives_an_empty_chain() -> None:
    assert chain(TEACHER_ID, 1, {GRADE_LEADER: [TEACHER_ID]}) == []


def test_the_grade_leader_step_names_the_grade() -> None:
    steps = approval_chain(
        requester_id=TEACHER_ID,
        grade=3,
        half_days=2,
        office_after_days=1,
        principal_after_days=3,
        holders=HOLDERS,
    )
    assert steps == [ApprovalStep(GRADE_LEADER, 3, (LEADER,))]


def test_who_may_decide_a_step() -> None:
    leader = frozenset({TEACHER, GRADE_LEADER})
    common = {"role": GRADE_LEADER, "grade": 3, "requester_id": TEACHER_ID}
    assert may_decide(staff_id=LEADER, staff_roles=leader, staff_grade=3, **common)
    assert not may_decide(staff_id=LEADER, staff_roles=leader, staff_grade=4, **common)
    assert not may_decide(staff_id=TEACHER_ID, staff_roles=leader, staff_grade=3, **common)
    assert not may_decide(
        staff_id=OFFICE_A, staff_roles=frozenset({OFFICE}), staff_grade=None, **common
    )
    assert may_decide(
        role=OFFICE,
        grade=None,
        staff_id=OFFICE_A,
        staff_roles=frozenset({OFFICE}),
        staff_grade=None,
        requester_id=TEACHER_ID,
    )

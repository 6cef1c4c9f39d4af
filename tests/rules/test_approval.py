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


# --- moving up ---------------------------------------------------------------------------------


def test_a_step_moves_up_the_ladder_to_the_admins_and_no_further() -> None:
    from rules.approval import can_escalate, escalation_roles

    assert escalation_roles(GRADE_LEADER, 0) == (GRADE_LEADER,)
    assert escalation_roles(GRADE_LEADER, 2) == (GRADE_LEADER, OFFICE, PRINCIPAL)
    assert escalation_roles(OFFICE, 1) == (OFFICE, PRINCIPAL)
    assert can_escalate(PRINCIPAL, 0) and not can_escalate(PRINCIPAL, 1)
    assert not can_escalate(ADMIN, 0)


def test_once_moved_up_the_office_may_decide_a_grade_leaders_step_and_the_requester_never() -> None:
    office = frozenset({TEACHER, OFFICE})
    kwargs = {"role": GRADE_LEADER, "grade": 3, "staff_grade": None, "staff_roles": office}
    assert not may_decide(staff_id=OFFICE_A, requester_id=TEACHER_ID, level=0, **kwargs)
    assert may_decide(staff_id=OFFICE_A, requester_id=TEACHER_ID, level=1, **kwargs)
    assert not may_decide(staff_id=OFFICE_A, requester_id=OFFICE_A, level=1, **kwargs)
    # Another grade's leader still may not, however far it moved.
    other = {"role": GRADE_LEADER, "grade": 3, "staff_grade": 4}
    leader = frozenset({GRADE_LEADER})
    assert not may_decide(staff_id=LEADER, staff_roles=leader, requester_id=9, level=3, **other)


def test_an_urgent_wait_is_short_a_later_one_normal_and_a_late_one_not_zero() -> None:
    from datetime import UTC, datetime, timedelta

    from rules.approval import escalation_due

    since = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    hours = timedelta(hours=1)
    rules = {
        "normal": timedelta(minutes=120),
        "urgent": timedelta(minutes=15),
        "urgent_within": timedelta(days=1),
    }
    assert escalation_due(waiting_since=since, starts_at=since + 23 * hours, **rules) == (
        since + timedelta(minutes=15)
    )
    assert escalation_due(waiting_since=since, starts_at=since + 30 * hours, **rules) == (
        since + timedelta(minutes=120)
    )
    # Never later than the start…
    assert escalation_due(
        waiting_since=since, starts_at=since + timedelta(minutes=5), **rules
    ) == since + timedelta(minutes=5)
    # …but a wait that began after it (a same-day afternoon leave asked at 09:00, or a step
    # moved up late) still lasts its urgent length, not no time at all.
    assert escalation_due(waiting_since=since, starts_at=since - hours, **rules) == (
        since + timedelta(minutes=15)
    )

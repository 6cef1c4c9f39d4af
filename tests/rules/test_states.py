"""Which moves each kind of request may make: what is decided stays decided."""

from __future__ import annotations

from enum import StrEnum

import pytest

from rules.states import (
    MOVES,
    CoverStatus,
    DutySwapStatus,
    HomeworkStatus,
    LeaveStatus,
    RegistrationStatus,
    StepStatus,
    SubstituteState,
    SwapStatus,
    TrainingStatus,
    can_move,
    is_final,
    next_states,
)


def test_a_pending_leave_can_be_decided_withdrawn_or_expire() -> None:
    for to in (
        LeaveStatus.APPROVED,
        LeaveStatus.REJECTED,
        LeaveStatus.WITHDRAWN,
        LeaveStatus.EXPIRED,
    ):
        assert can_move(LeaveStatus.PENDING, to)
    assert not can_move(LeaveStatus.PENDING, LeaveStatus.ENDED)


@pytest.mark.parametrize(
    "decided", [LeaveStatus.REJECTED, LeaveStatus.WITHDRAWN, LeaveStatus.EXPIRED]
)
def test_a_decided_leave_cannot_be_reopened(decided: LeaveStatus) -> None:
    assert not can_move(decided, LeaveStatus.PENDING)
    assert not can_move(decided, LeaveStatus.APPROVED)
    assert is_final(decided)


def test_only_an_approved_leave_ends_early_and_stays_ended() -> None:
    assert next_states(LeaveStatus.APPROVED) == {LeaveStatus.ENDED}
    assert not can_move(LeaveStatus.APPROVED, LeaveStatus.PENDING)
    assert is_final(LeaveStatus.ENDED)


def test_an_approval_step_waits_in_turn_and_closes_with_its_request() -> None:
    assert can_move(StepStatus.QUEUED, StepStatus.WAITING)
    assert not can_move(StepStatus.QUEUED, StepStatus.APPROVED)
    assert can_move(StepStatus.WAITING, StepStatus.CLOSED)
    assert not can_move(StepStatus.APPROVED, StepStatus.WAITING)


def test_an_assigned_need_can_be_released_or_arranged_again() -> None:
    assert can_move(CoverStatus.ASSIGNED, CoverStatus.RELEASED)
    assert can_move(CoverStatus.ASSIGNED, CoverStatus.OPEN)  # the substitute dropped out
    assert can_move(CoverStatus.ASSIGNED, CoverStatus.ASSIGNED)  # someone else covers it
    assert can_move(CoverStatus.ASKING, CoverStatus.ASSIGNED)  # a volunteer took it


def test_a_released_need_is_history() -> None:
    assert is_final(CoverStatus.RELEASED)
    for state in CoverStatus:
        assert not can_move(CoverStatus.RELEASED, state)


def test_a_lesson_swap_is_answered_then_decided_and_only_an_approved_one_is_cancelled() -> None:
    assert can_move(SwapStatus.ASKED, SwapStatus.AGREED)
    assert not can_move(SwapStatus.ASKED, SwapStatus.APPROVED)  # the colleague answers first
    assert can_move(SwapStatus.AGREED, SwapStatus.APPROVED)
    assert next_states(SwapStatus.APPROVED) == {SwapStatus.CANCELLED}
    assert not can_move(SwapStatus.DECLINED, SwapStatus.AGREED)
    assert is_final(SwapStatus.CANCELLED)


def test_a_duty_swap_needs_no_admin_step_but_cannot_come_back_once_closed() -> None:
    assert can_move(DutySwapStatus.PENDING, DutySwapStatus.APPROVED)
    assert can_move(DutySwapStatus.PENDING, DutySwapStatus.ACCEPTED)
    assert not can_move(DutySwapStatus.PENDING, DutySwapStatus.REJECTED)  # that is the admin's
    assert not can_move(DutySwapStatus.APPROVED, DutySwapStatus.CANCELLED)
    assert is_final(DutySwapStatus.EXPIRED)


def test_a_homework_posting_is_published_or_returned_and_a_returned_one_stays_returned() -> None:
    assert can_move(HomeworkStatus.OVER_CAP, HomeworkStatus.EXCEPTION)
    assert can_move(HomeworkStatus.EXCEPTION, HomeworkStatus.PENDING)
    assert can_move(HomeworkStatus.PENDING, HomeworkStatus.PUBLISHED)
    assert can_move(HomeworkStatus.PUBLISHED, HomeworkStatus.WITHDRAWN)
    assert not can_move(HomeworkStatus.PUBLISHED, HomeworkStatus.PENDING)
    assert not can_move(HomeworkStatus.DRAFT, HomeworkStatus.EXPIRED)
    for final in (
        HomeworkStatus.RETURNED,
        HomeworkStatus.WITHDRAWN,
        HomeworkStatus.CANCELLED,
        HomeworkStatus.APPLIED,
        HomeworkStatus.EXPIRED,
    ):
        assert is_final(final)


def test_link_requests_training_hours_and_named_substitutes_are_decided_once() -> None:
    assert next_states(RegistrationStatus.PENDING) == {
        RegistrationStatus.APPROVED,
        RegistrationStatus.REJECTED,
        RegistrationStatus.EXPIRED,
    }
    assert not can_move(RegistrationStatus.REJECTED, RegistrationStatus.APPROVED)
    assert not can_move(TrainingStatus.RETURNED, TrainingStatus.APPROVED)
    assert can_move(SubstituteState.ASKED, SubstituteState.DECLINED)
    assert not can_move(SubstituteState.DECLINED, SubstituteState.AGREED)


def test_every_move_stays_within_its_own_kind() -> None:
    for kind, moves in MOVES.items():
        for state, targets in moves.items():
            assert isinstance(state, kind)
            assert all(isinstance(to, kind) for to in targets)


def test_a_state_equals_the_string_stored_for_it() -> None:
    kinds: tuple[type[StrEnum], ...] = (LeaveStatus, CoverStatus, HomeworkStatus, SwapStatus)
    for kind in kinds:
        for state in kind:
            assert state == state.value and f"{state}" == state.value
    assert {"open": 1}[CoverStatus.OPEN] == 1  # the same hash: a state finds its string's key

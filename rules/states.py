"""The states each kind of request moves through, and which moves are allowed.

A state is a `StrEnum`: a member equals the string stored in the table's `status` column, so
rows read back as plain strings compare equal to the members and no stored value changes.
Storage makes every move a conditional update (`… WHERE status IN (from_states)`); the tables
below say which of those moves exist at all, so a decided request can never be reopened.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar, cast


class LeaveStatus(StrEnum):
    """A leave request (leave_requests.status)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"  # its time passed with nobody having decided it
    ENDED = "ended"  # 销假: the teacher came back after it was approved


class StepStatus(StrEnum):
    """One step of a leave request's approval chain (leave_approvals.status)."""

    QUEUED = "queued"  # a later step
    WAITING = "waiting"  # the step being decided
    APPROVED = "approved"
    REJECTED = "rejected"
    CLOSED = "closed"  # the request was withdrawn, rejected or expired before this step


class SubstituteState(StrEnum):
    """The colleague a teacher named as their substitute (leave_requests.substitute_state)."""

    NONE = ""  # nobody was named
    ASKED = "asked"
    AGREED = "agreed"
    DECLINED = "declined"


class CoverStatus(StrEnum):
    """A lesson that needs cover (cover_needs.status)."""

    OPEN = "open"
    ASKING = "asking"  # posted to the staff group for a volunteer
    ASSIGNED = "assigned"
    SELF_STUDY = "self_study"
    MERGED = "merged"  # with another class, taught by its substitute
    RELEASED = "released"  # the teacher came back, or the leave did not go ahead


class PlanStatus(StrEnum):
    """A long absence's fixed cover plan, 固定代课 (cover_plans.status)."""

    ACTIVE = "active"
    ENDED = "ended"  # by the office's 结束, or the teacher came back


class SwapStatus(StrEnum):
    """A lesson swap, 调课 (lesson_swaps.status)."""

    ASKED = "asked"  # the colleague has not answered
    AGREED = "agreed"  # waiting for the arranger
    APPROVED = "approved"  # in effect
    DECLINED = "declined"  # by the colleague
    REJECTED = "rejected"  # by the arranger
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"  # still open when its first lesson began
    CANCELLED = "cancelled"  # undone after it was approved


class DutySwapStatus(StrEnum):
    """A colleague taking over someone's duties (duty_swaps.status)."""

    PENDING = "pending"  # the colleague has not answered
    ACCEPTED = "accepted"  # the colleague agreed; an admin must approve
    APPROVED = "approved"  # in effect
    DECLINED = "declined"  # the colleague said no
    REJECTED = "rejected"  # an admin said no
    CANCELLED = "cancelled"  # the one who asked withdrew it
    EXPIRED = "expired"  # the day passed, or the duties changed before it was agreed


class HomeworkStatus(StrEnum):
    """A homework posting (homework_posts.status)."""

    DRAFT = "draft"  # accepted in a several-class posting, waiting for the teacher to confirm
    OVER_CAP = "over_cap"  # refused over the cap, kept so the teacher can ask for an exception
    EXCEPTION = "exception"  # waiting for the head teacher's exception
    PENDING = "pending"  # waiting for the approver
    PUBLISHED = "published"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    APPLIED = "applied"  # a change whose values were copied into the posting it changes
    EXPIRED = "expired"  # its day ended with nobody having decided it


class RegistrationStatus(StrEnum):
    """An unlinked user asking to be linked to a staff record (registrations.status)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class TrainingStatus(StrEnum):
    """Hours in a training ledger (training_entries.status)."""

    PENDING = "pending"  # a self-report waiting for an admin
    APPROVED = "approved"
    RETURNED = "returned"


_LIVE_COVER = frozenset(CoverStatus) - {CoverStatus.RELEASED}

# From each state, the states it may move to. A state missing from a table is final.
MOVES: Mapping[type[StrEnum], Mapping[StrEnum, frozenset[StrEnum]]] = {
    LeaveStatus: {
        LeaveStatus.PENDING: frozenset(
            {
                LeaveStatus.APPROVED,
                LeaveStatus.REJECTED,
                LeaveStatus.WITHDRAWN,
                LeaveStatus.EXPIRED,
            }
        ),
        LeaveStatus.APPROVED: frozenset({LeaveStatus.ENDED}),
    },
    StepStatus: {
        StepStatus.QUEUED: frozenset({StepStatus.WAITING, StepStatus.CLOSED}),
        StepStatus.WAITING: frozenset(
            {StepStatus.APPROVED, StepStatus.REJECTED, StepStatus.CLOSED}
        ),
    },
    SubstituteState: {
        SubstituteState.ASKED: frozenset({SubstituteState.AGREED, SubstituteState.DECLINED}),
    },
    # Until it is released, a need may be arranged again in any way (another substitute, self
    # study instead of a merge, back to open when the substitute drops out).
    CoverStatus: {state: _LIVE_COVER | {CoverStatus.RELEASED} for state in _LIVE_COVER},
    SwapStatus: {
        SwapStatus.ASKED: frozenset(
            {SwapStatus.AGREED, SwapStatus.DECLINED, SwapStatus.WITHDRAWN, SwapStatus.EXPIRED}
        ),
        SwapStatus.AGREED: frozenset(
            {SwapStatus.APPROVED, SwapStatus.REJECTED, SwapStatus.WITHDRAWN, SwapStatus.EXPIRED}
        ),
        SwapStatus.APPROVED: frozenset({SwapStatus.CANCELLED}),
    },
    DutySwapStatus: {
        DutySwapStatus.PENDING: frozenset(
            {
                DutySwapStatus.ACCEPTED,
                DutySwapStatus.APPROVED,
                DutySwapStatus.DECLINED,
                DutySwapStatus.CANCELLED,
                DutySwapStatus.EXPIRED,
            }
        ),
        DutySwapStatus.ACCEPTED: frozenset(
            {
                DutySwapStatus.APPROVED,
                DutySwapStatus.REJECTED,
                DutySwapStatus.CANCELLED,
                DutySwapStatus.EXPIRED,
            }
        ),
    },
    HomeworkStatus: {
        HomeworkStatus.DRAFT: frozenset(
            {
                HomeworkStatus.PENDING,
                HomeworkStatus.PUBLISHED,
                HomeworkStatus.OVER_CAP,
                HomeworkStatus.CANCELLED,
                HomeworkStatus.WITHDRAWN,
            }
        ),
        HomeworkStatus.OVER_CAP: frozenset(
            {
                HomeworkStatus.PENDING,
                HomeworkStatus.PUBLISHED,
                HomeworkStatus.EXCEPTION,
                HomeworkStatus.CANCELLED,
                HomeworkStatus.WITHDRAWN,
            }
        ),
        HomeworkStatus.EXCEPTION: frozenset(
            {
                HomeworkStatus.PENDING,
                HomeworkStatus.PUBLISHED,
                HomeworkStatus.RETURNED,
                HomeworkStatus.WITHDRAWN,
                HomeworkStatus.EXPIRED,
            }
        ),
        # An edit keeps a waiting posting waiting, or publishes it where no approval is needed.
        HomeworkStatus.PENDING: frozenset(
            {
                HomeworkStatus.PENDING,
                HomeworkStatus.PUBLISHED,
                HomeworkStatus.RETURNED,
                HomeworkStatus.APPLIED,
                HomeworkStatus.CANCELLED,
                HomeworkStatus.WITHDRAWN,
                HomeworkStatus.EXPIRED,
            }
        ),
        # A published posting is changed in place (an edit, or an approved change applied).
        HomeworkStatus.PUBLISHED: frozenset({HomeworkStatus.PUBLISHED, HomeworkStatus.WITHDRAWN}),
    },
    RegistrationStatus: {
        RegistrationStatus.PENDING: frozenset(
            {RegistrationStatus.APPROVED, RegistrationStatus.REJECTED, RegistrationStatus.EXPIRED}
        ),
    },
    TrainingStatus: {
        TrainingStatus.PENDING: frozenset({TrainingStatus.APPROVED, TrainingStatus.RETURNED}),
    },
}

State = TypeVar("State", bound=StrEnum)


def next_states(state: State) -> frozenset[State]:
    """The states `state` may move to (none for a final state)."""
    return cast(frozenset[State], MOVES[type(state)].get(state, frozenset()))


def can_move(state: State, to: State) -> bool:
    """Whether a row in `state` may move to `to`."""
    return to in next_states(state)


def is_final(state: StrEnum) -> bool:
    """Whether nothing can happen to a row in `state` any more."""
    return not MOVES[type(state)].get(state)

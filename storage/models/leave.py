"""Leave requests and their approvals, the cover they need, lesson swaps and the posted slips.

Lessons are copied into cover needs and swaps as plain values (class, subject, day, period)
rather than referenced: a timetable import replaces lesson rows, and what was arranged must
survive that.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from rules.states import CoverStatus, LeaveStatus, StepStatus, SubstituteState, SwapStatus
from storage.types import UTCDateTime


class LeaveRequest(SQLModel, table=True):
    """One teacher's request to be away.

    kind: sick | personal | official | marriage | bereavement | maternity | paternity | other.
    part: full | am | pm | p<first>-<last>.
    status: pending | approved | rejected | withdrawn | expired | ended (销假 after approval).
    `step` is the approval step waiting for a decision. A colleague the teacher named as their
    substitute has substitute_state asked | agreed | declined.
    """

    __tablename__ = "leave_requests"
    __table_args__ = (
        Index("ix_leave_requests_school_status", "school_id", "status"),
        # Who is away on a day: the leaves ending on or after it are few, a year's are not.
        Index("ix_leave_requests_school_last_day", "school_id", "last_day"),
        Index("ix_leave_requests_staff", "staff_id"),
        Index("ix_leave_requests_event", "event_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    staff_id: int = Field(foreign_key="staff.id")
    kind: str = Field(max_length=16)
    first_day: date
    last_day: date
    part: str = Field(default="full", max_length=8)
    half_days: int = Field(default=0)  # school days it takes, in halves
    reason: str = Field(default="", max_length=500)
    status: str = Field(default=LeaveStatus.PENDING, max_length=16)
    step: int = Field(default=0)
    substitute_id: int | None = Field(default=None, foreign_key="staff.id")
    substitute_state: str = Field(default=SubstituteState.NONE, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, sa_type=BigInteger)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The teacher's own message about the request, edited as its state changes, so that it
    # never promises what is no longer true ("waiting for …").
    notice_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    notice_message_id: int | None = Field(default=None, sa_type=BigInteger)
    # Set on the 公假 the bot writes for a meeting or training that takes the teacher out of
    # class (handlers/events/cover.py): changing or cancelling the event finds it by this.
    event_id: int | None = Field(default=None, foreign_key="events.id")


class LeaveApproval(SQLModel, table=True):
    """One step of a request's approval chain.

    status: queued (a later step) | waiting (the step being decided) | approved | rejected |
    closed (the request was withdrawn or expired before this step was decided).
    `level`: how many times the step moved up because nobody decided it in time or its
    deciders could not be reached (rules/approval.py `escalation_roles`).
    """

    __tablename__ = "leave_approvals"
    __table_args__ = (
        UniqueConstraint("leave_id", "step"),
        Index("ix_leave_approvals_school_status", "school_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    leave_id: int = Field(foreign_key="leave_requests.id")
    step: int
    role: str = Field(max_length=16)
    grade: int | None = None
    status: str = Field(default=StepStatus.QUEUED, max_length=16)
    waiting_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str = Field(default="", max_length=300)
    level: int = Field(default=0)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CoverNeed(SQLModel, table=True):
    """A lesson that needs someone else because its teacher is away.

    status: open | asking (posted to the group) | assigned | self_study | merged (with the class
    of `merged_class_id`, taught by `substitute_id`) | released (the teacher came back).
    `version` grows with every change, and buttons carry it, so a press on an outdated message
    changes nothing.
    """

    __tablename__ = "cover_needs"
    __table_args__ = (
        UniqueConstraint("leave_id", "day", "period", "class_id"),
        Index("ix_cover_needs_school_day", "school_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    leave_id: int = Field(foreign_key="leave_requests.id")
    day: date
    period: int
    class_id: int = Field(foreign_key="classes.id")
    subject_id: int = Field(foreign_key="subjects.id")
    absent_id: int = Field(foreign_key="staff.id")
    status: str = Field(default=CoverStatus.OPEN, max_length=16)
    substitute_id: int | None = Field(default=None, foreign_key="staff.id")
    merged_class_id: int | None = Field(default=None, foreign_key="classes.id")
    assigned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    assigned_by: int | None = Field(default=None, sa_type=BigInteger)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=0)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # Put on the boards before the leave was decided, as its first lesson came near: the class
    # must not be left without a teacher whatever the decision. Cleared by the approval;
    # released (the substitute told) if the leave is rejected or withdrawn.
    provisional: bool = Field(default=False)


class LessonSwap(SQLModel, table=True):
    """Two teachers trading two lessons (调课).

    status: asked (the colleague has not answered) | agreed (waiting for the arranger) |
    approved (in effect) | declined (by the colleague) | rejected (by the arranger) |
    withdrawn | expired (still open when its first lesson began).
    `level`: how many times an agreed swap moved up because no arranger decided it in time or
    none could be reached (jobs/swap_escalation.py); `escalated_at`: when it last did (for
    a swap still asked: when the proposer heard that the colleague cannot get the request).
    """

    __tablename__ = "lesson_swaps"
    __table_args__ = (Index("ix_lesson_swaps_school_status", "school_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    proposer_id: int = Field(foreign_key="staff.id")
    first_day: date
    first_period: int
    first_class_id: int = Field(foreign_key="classes.id")
    first_subject_id: int = Field(foreign_key="subjects.id")
    first_lesson_id: int
    colleague_id: int = Field(foreign_key="staff.id")
    second_day: date
    second_period: int
    second_class_id: int = Field(foreign_key="classes.id")
    second_subject_id: int = Field(foreign_key="subjects.id")
    second_lesson_id: int
    status: str = Field(default=SwapStatus.ASKED, max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="staff.id")
    level: int = Field(default=0)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CoverSlip(SQLModel, table=True):
    """The last cover slip posted to the group for a day, to post only what changed later.

    `messages` are the group messages it was delivered as, so a change edits them in place;
    `covers` what each lesson's cover was (need id → status, substitute), so the edit can say
    what changed in words ("the substitute is now …"), not only strike out a line.
    """

    __tablename__ = "cover_slips"
    __table_args__ = (UniqueConstraint("school_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    day: date
    lines: str = Field(default="[]", sa_type=Text)  # JSON list of the slip's line keys
    posted_at: datetime = Field(sa_type=UTCDateTime)
    messages: str = Field(default="[]", sa_type=Text)  # JSON [[chat_id, message_id], …]
    covers: str = Field(default="{}", sa_type=Text)  # JSON {need_id: [status, substitute]}


class CoverBoardCopy(SQLModel, table=True):
    """A cover board the bot sent an arranger for a day, so every copy can be drawn again when
    one arranger changes a lesson on it (several people arrange the same day)."""

    __tablename__ = "cover_board_copies"
    __table_args__ = (
        UniqueConstraint("chat_id", "message_id"),
        Index("ix_cover_board_copies_school_day", "school_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    day: date
    staff_id: int = Field(foreign_key="staff.id")
    chat_id: int = Field(sa_type=BigInteger)
    message_id: int = Field(sa_type=BigInteger)
    # The lesson it shows (a board shows one at a time): a redraw keeps it, so a copy is not
    # turned to another lesson under its reader's thumb.
    need_id: int | None = None


class CoverMonthLock(SQLModel, table=True):
    """A month whose cover statement the office locked once it was paid: `records` holds the
    month's covers as they stood then (JSON, with each lesson's rate), and every later statement
    of that month is drawn from it, so it never changes."""

    __tablename__ = "cover_month_locks"
    __table_args__ = (UniqueConstraint("school_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    month: date  # its first day
    records: str = Field(default="[]", sa_type=Text)
    locked_at: datetime = Field(sa_type=UTCDateTime)
    locked_by: int | None = Field(default=None, sa_type=BigInteger)


class ManualCover(SQLModel, table=True):
    """A cover arranged outside the bot (a phone call, a note on the office's board), entered
    by the office so the month's statement is complete. kind: cover | merged | self_study.
    Adding and removing one is audited."""

    __tablename__ = "manual_covers"
    __table_args__ = (Index("ix_manual_covers_school_day", "school_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    day: date
    period: int
    class_id: int = Field(foreign_key="classes.id")
    subject_id: int = Field(foreign_key="subjects.id")
    substitute_id: int = Field(foreign_key="staff.id")
    absent_id: int | None = Field(default=None, foreign_key="staff.id")
    kind: str = Field(default="cover", max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, sa_type=BigInteger)

"""Every table of the application; importing this package registers them all on the metadata."""

from sqlmodel import SQLModel

from storage.models.core import (
    AuditLog,
    BellPeriod,
    CalendarEntry,
    GroupChat,
    Invite,
    Lesson,
    Policy,
    PushLedger,
    Registration,
    School,
    SchoolClass,
    Staff,
    Subject,
    UnboundChat,
    UserPref,
)
from storage.models.duty import DutyAssignment, DutyOverride, DutyPost, DutySwap, PatrolReport
from storage.models.events import Event, EventCancellation, TrainingEntry
from storage.models.homework import HomeworkBoard, HomeworkPost
from storage.models.lease import Lease
from storage.models.leave import (
    CoverBoardCopy,
    CoverMonthLock,
    CoverNeed,
    CoverSlip,
    LeaveApproval,
    LeaveRequest,
    LessonSwap,
    ManualCover,
)
from storage.models.my_day import MyDayPref
from storage.models.outbox import FollowUpWork, OutboxMessage, RequestMessage, UnreachableChat

metadata = SQLModel.metadata

__all__ = [
    "AuditLog",
    "BellPeriod",
    "CalendarEntry",
    "CoverBoardCopy",
    "CoverMonthLock",
    "CoverNeed",
    "CoverSlip",
    "DutyAssignment",
    "DutyOverride",
    "DutyPost",
    "DutySwap",
    "Event",
    "EventCancellation",
    "FollowUpWork",
    "GroupChat",
    "HomeworkBoard",
    "HomeworkPost",
    "Invite",
    "Lease",
    "LeaveApproval",
    "LeaveRequest",
    "Lesson",
    "LessonSwap",
    "ManualCover",
    "MyDayPref",
    "OutboxMessage",
    "PatrolReport",
    "Policy",
    "PushLedger",
    "Registration",
    "RequestMessage",
    "School",
    "SchoolClass",
    "Staff",
    "Subject",
    "TrainingEntry",
    "UnboundChat",
    "UnreachableChat",
    "UserPref",
    "metadata",
]

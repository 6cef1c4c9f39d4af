"""Every table of the application; importing this package registers them all on the metadata."""

from sqlmodel import SQLModel

from storage.models.calendar_feed import CalendarFeed
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
from storage.models.cover_declines import DeclineAsk
from storage.models.cover_plans import CoverPlan, CoverPlanLesson
from storage.models.duty import DutyAssignment, DutyOverride, DutyPost, DutySwap, PatrolReport
from storage.models.events import Event, EventCancellation, TrainingEntry
from storage.models.handover import CoverReport, HandoverChoice, HandoverNote
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
    "CalendarFeed",
    "CoverBoardCopy",
    "CoverMonthLock",
    "CoverNeed",
    "CoverPlan",
    "CoverPlanLesson",
    "CoverReport",
    "CoverSlip",
    "DeclineAsk",
    "DutyAssignment",
    "DutyOverride",
    "DutyPost",
    "DutySwap",
    "Event",
    "EventCancellation",
    "FollowUpWork",
    "GroupChat",
    "HandoverChoice",
    "HandoverNote",
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

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

metadata = SQLModel.metadata

__all__ = [
    "AuditLog",
    "BellPeriod",
    "CalendarEntry",
    "GroupChat",
    "Invite",
    "Lesson",
    "Policy",
    "PushLedger",
    "Registration",
    "School",
    "SchoolClass",
    "Staff",
    "Subject",
    "UnboundChat",
    "UserPref",
    "metadata",
]

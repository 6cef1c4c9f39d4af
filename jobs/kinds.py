"""The names of the scheduled pushes, and which of them a kind of change moves.

Kept apart from the job modules so that a handler can say what its change moves without
importing the jobs (which import handlers for their texts).
"""

from __future__ import annotations

LEAVE_REMINDER = "leave_reminder"
COVER_SLIP_TODAY = "cover_slip_today"
COVER_SLIP_TOMORROW = "cover_slip_tomorrow"
COVER_ACK_REMINDER = "cover_ack_reminder"
COVER_OPEN_TOMORROW = "cover_open_tomorrow"
COVER_REMINDER = "cover_reminder"
DUTY_ANNOUNCE = "duty_announce"
DUTY_REMIND = "duty_remind"
PATROL_REMIND = "patrol_remind"
EVENT_EVE = "event_eve"
EVENT_SOON = "event_soon"
EVENT_WEEK = "event_week"
HOMEWORK_BOARD = "hw_board"
HOMEWORK_WEEK = "hw_week"
CALENDAR_MAKEUP_UNSET = "cal_makeup_unset"
CALENDAR_UNKNOWN_YEAR = "cal_unknown_year"
MY_DAY = "my_day"
COVER_STATEMENT = "cover_statement"
HANDOVER_FEEDBACK = "handover_feedback"
DATABASE_BACKUP = "backup"

# A leave request waiting for approval moves its reminder; an approval, a return (销假), a
# cover assignment or a swap moves the cover slips and the reminders to arrangers and
# substitutes. A change of policy, calendar or timetable moves everything and rebuilds the whole
# school.
LEAVE = frozenset({LEAVE_REMINDER})
# The substitutes' feedback is planned only where some waits: a line after 已上 moves it, and so
# does anything that moves the covers (a return ends a leave early, so its feedback is due).
HANDOVER = frozenset({HANDOVER_FEEDBACK})
COVER = frozenset(
    {
        COVER_SLIP_TODAY,
        COVER_SLIP_TOMORROW,
        COVER_ACK_REMINDER,
        COVER_OPEN_TOMORROW,
        COVER_REMINDER,
        HANDOVER_FEEDBACK,
    }
)
LEAVE_AND_COVER = LEAVE | COVER
DUTY = frozenset({DUTY_ANNOUNCE, DUTY_REMIND, PATROL_REMIND})
EVENTS = frozenset({EVENT_EVE, EVENT_SOON, EVENT_WEEK})

# Claimed per person as well, inside the push of their time: someone who moves their time to
# later in the morning after their day went out does not get it twice.
MY_DAY_PERSON = "my_day_person"
# A person choosing another time (or none) moves only the morning messages of their day, and
# the substitutes' feedback, which comes at the same time.
MY_DAYS = frozenset({MY_DAY, HANDOVER_FEEDBACK})

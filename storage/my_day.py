"""A staff member's day as it really runs (我的今天), and when they want to be told of it.

`load_day_book` reads what a school's day holds once (the schedule with its swaps, the cover
needs, the duty roster, the events, and what waits on whom); `my_day` then picks one person's
part of it as plain values (names already resolved), which views/my_day.py draws. The morning
push reads the book once for all the people it writes to.

Nothing here carries a leave's kind or reason: a lesson given away says who covers it, never why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.approval import may_decide
from rules.calendar import DayStatus
from rules.cover import DayLesson
from rules.events import GRADE, SUBJECT, Audience, checkin_window, ends_at, starts_at
from rules.roles import ADMIN
from rules.states import (
    CoverStatus,
    DutySwapStatus,
    HomeworkStatus,
    LeaveStatus,
    StepStatus,
    SwapStatus,
)
from storage.cover import needs_between, needs_on
from storage.duty import DutyShift, duty_gaps, duty_on
from storage.duty_swaps import open_swaps_in
from storage.events import occurrences_between
from storage.models import (
    CoverNeed,
    Event,
    HomeworkPost,
    LeaveApproval,
    LeaveRequest,
    MyDayPref,
    School,
    Staff,
    TrainingEntry,
)
from storage.schedule import Kit, build_kit
from storage.staff import school_staff
from storage.swaps import swaps_waiting
from storage.types import stored_id

DEFAULT_TIME = time(7, 0)
# The times a person can choose; a few sensible mornings, not a free field.
TIME_CHOICES = (time(6, 30), time(7, 0), time(7, 30), time(8, 0))
# How far ahead covers still to confirm with 收到 are listed.
CONFIRM_AHEAD_DAYS = 14
# A cover's state as the teacher who gives the lesson away reads it.
GIVEN_STATES = (
    CoverStatus.OPEN,
    CoverStatus.ASKING,
    CoverStatus.ASSIGNED,
    CoverStatus.SELF_STUDY,
    CoverStatus.MERGED,
)
TAKEN_STATES = (CoverStatus.ASSIGNED, CoverStatus.MERGED)
# A class's homework in a subject counts as posted once a posting of it is on its way: drafts,
# those waiting for a decision, and published ones. One refused over the cap still needs the
# teacher; a returned, withdrawn or expired one was never posted.
POSTED_STATES = (
    HomeworkStatus.DRAFT,
    HomeworkStatus.EXCEPTION,
    HomeworkStatus.PENDING,
    HomeworkStatus.PUBLISHED,
)
# Subjects a teacher is reminded to post homework for: Chinese, Maths and English, whose daily
# total the head teacher balances, and whatever else the school set homework in lately. A PE
# lesson or a class meeting, never given homework, is not asked for every day.
CORE_SUBJECTS = frozenset({"语文", "数学", "英语"})
HOMEWORK_LATELY = timedelta(days=28)


@dataclass(frozen=True)
class MyLesson:
    """One line of the day's lessons.

    kind: own | swapped_in (an approved swap moved it here) | swapped_out (moved away) |
    given (someone else takes it: `state` says how) | cover (I take a colleague's lesson) |
    merged (a colleague's class joins mine).
    """

    period: int
    start: time | None
    end: time | None
    klass: str
    subject: str
    kind: str
    state: str = ""  # for `given`: open | asking | assigned | self_study | merged
    other: str = ""  # given: who covers; cover/merged: whose lesson it is
    merged_with: str = ""  # the class a merged lesson joins
    confirmed: bool = True  # cover: confirmed with 收到
    moved_to: tuple[date, int] | None = None  # swapped_out: where it went
    moved_from: tuple[date, int] | None = None  # swapped_in: where it came from


@dataclass(frozen=True)
class MyDuty:
    post: str
    start: time
    end: time
    instead: str = ""  # whom the roster puts there, when the person stands in for them


@dataclass(frozen=True)
class MyEvent:
    title: str
    start: time
    end: time
    event_id: int = 0
    # The check-in (签到): due (its window is open now and the person has not checked in),
    # done (checked in), or "" (not open, or not today).
    checkin: str = ""


@dataclass(frozen=True)
class ToPost:
    """A class and subject the person teaches today whose homework is not posted yet."""

    klass: str
    subject: str


@dataclass(frozen=True)
class ToConfirm:
    day: date
    period: int
    klass: str
    subject: str


@dataclass(frozen=True)
class Waiting:
    """What waits on the person: approvals to decide, covers to confirm, swaps to answer."""

    approvals: int = 0
    covers: tuple[ToConfirm, ...] = ()
    swaps: int = 0
    duty_swaps: int = 0

    @property
    def empty(self) -> bool:
        return not (self.approvals or self.covers or self.swaps or self.duty_swaps)


@dataclass(frozen=True)
class MyDay:
    """One person's day, as plain values for the view."""

    day: date
    status: DayStatus
    timetable_known: bool
    lessons: tuple[MyLesson, ...]
    duties: tuple[MyDuty, ...]
    events: tuple[MyEvent, ...]
    waiting: Waiting
    homework: tuple[ToPost, ...] = ()

    @property
    def school_day(self) -> bool:
        return self.status.is_school_day

    @property
    def empty(self) -> bool:
        return not (self.lessons or self.duties or self.events) and self.waiting.empty


@dataclass
class DayBook:
    """What a school's day holds, read once for everyone's digest."""

    kit: Kit
    day: date
    since: date  # covers to confirm are listed from this day on
    lessons: list[DayLesson]
    timetable_known: bool
    needs: list[CoverNeed]
    shifts: list[DutyShift]
    away_posts: set[tuple[int, int]]  # (post, person) whose person is away then
    events: list[Event]
    steps: list[tuple[LeaveRequest, LeaveApproval]]
    asked_swaps: dict[int, int]  # colleague → swaps waiting for their answer
    unconfirmed: list[CoverNeed]
    duty_asked: dict[int, int] = field(default_factory=dict)  # colleague → duty swaps asked
    duty_to_approve: int = 0  # duty swaps both agreed, waiting for an admin
    teaches_grade: dict[int, set[int]] = field(default_factory=dict)  # grade → teachers
    now: datetime | None = None  # when it was read: check-in buttons are due then or not
    checked_in: set[tuple[int, int]] = field(default_factory=set)  # (event, person) of the day
    posted: set[tuple[int, int]] = field(default_factory=set)  # (class, subject) of the day
    homework_subjects: set[int] = field(default_factory=set)  # reminded of (CORE_SUBJECTS)

    @property
    def status(self) -> DayStatus:
        return self.kit.schedule.status(self.day)


async def load_day_book(
    *, session: AsyncSession, school: School, day: date, today: date, now: datetime | None = None
) -> DayBook:
    """The school's `day`, with what waits on people as of `today`; given `now`, which
    meetings' check-in is due."""
    school_id = stored_id(school)
    kit = await build_kit(session, school)
    schedule = kit.schedule
    status = schedule.status(day)
    lessons = schedule.lessons(day) if status.is_school_day else []
    shifts: list[DutyShift] = []
    away_posts: set[tuple[int, int]] = set()
    needs: list[CoverNeed] = []
    events: list[Event] = []
    if status.is_school_day:
        shifts = await duty_on(session=session, school_id=school_id, day=day)
        if shifts:
            gaps = await duty_gaps(session=session, school_id=school_id, start=day, end=day)
            away_posts = {(gap.shift.post_id, gap.shift.staff_id or 0) for gap in gaps}
        needs = await needs_on(session=session, school_id=school_id, day=day)
    # Events keep their own calendar rules (a weekly meeting can fall on a weekend working day).
    events = [
        event
        for event, _ in await occurrences_between(
            session=session, school_id=school_id, calendar=schedule.calendar, start=day, end=day
        )
    ]
    teaches_grade: dict[int, set[int]] = defaultdict(set)
    for lesson in schedule.timetable:
        if lesson.valid_on(day):
            teaches_grade[lesson.grade].add(lesson.teacher_id)
    unconfirmed = [
        need
        for need in await needs_between(
            session=session,
            school_id=school_id,
            first=today,
            last=today + timedelta(days=CONFIRM_AHEAD_DAYS),
            states=(CoverStatus.ASSIGNED,),
        )
        if need.acknowledged_at is None and need.substitute_id is not None
    ]
    asked: dict[int, int] = defaultdict(int)
    for swap in await swaps_waiting(session=session, school_id=school_id, state=SwapStatus.ASKED):
        asked[swap.colleague_id] += 1
    # Duty swaps: the colleague asked answers, an admin approves what both agreed.
    duty_asked: dict[int, int] = defaultdict(int)
    duty_to_approve = 0
    for duty_swap in await open_swaps_in(session=session, school_id=school_id, today=today):
        if duty_swap.status == DutySwapStatus.PENDING:
            duty_asked[duty_swap.to_staff_id] += 1
        elif duty_swap.status == DutySwapStatus.ACCEPTED:
            duty_to_approve += 1
    checked_in: set[tuple[int, int]] = set()
    if events:
        checked = select(TrainingEntry.event_id, TrainingEntry.staff_id).where(
            col(TrainingEntry.event_id).in_([stored_id(e) for e in events]),
            TrainingEntry.event_day == day,
        )
        checked_in = {(e or 0, s) for e, s in (await session.exec(checked)).all()}
    posted: set[tuple[int, int]] = set()
    homework_subjects: set[int] = set()
    if status.is_school_day and day == today:
        query = select(HomeworkPost.class_id, HomeworkPost.subject_id).where(
            HomeworkPost.school_id == school_id,
            HomeworkPost.day == day,
            col(HomeworkPost.status).in_(POSTED_STATES),
        )
        posted = set((await session.exec(query)).all())
        lately = select(HomeworkPost.subject_id).where(
            HomeworkPost.school_id == school_id,
            col(HomeworkPost.day) >= day - HOMEWORK_LATELY,
            col(HomeworkPost.day) < day,
            col(HomeworkPost.status).in_(POSTED_STATES),
        )
        homework_subjects = set((await session.exec(lately.distinct())).all())
        homework_subjects |= {
            subject_id for subject_id, name in kit.names.subjects.items() if name in CORE_SUBJECTS
        }
    return DayBook(
        kit=kit,
        day=day,
        since=today,
        lessons=lessons or [],
        timetable_known=lessons is not None,
        needs=needs,
        shifts=shifts,
        away_posts=away_posts,
        events=events,
        steps=await _waiting_steps(session, school_id),
        asked_swaps=dict(asked),
        duty_asked=dict(duty_asked),
        duty_to_approve=duty_to_approve,
        unconfirmed=unconfirmed,
        teaches_grade=dict(teaches_grade),
        now=now,
        checked_in=checked_in,
        posted=posted,
        homework_subjects=homework_subjects,
    )


async def _waiting_steps(
    session: AsyncSession, school_id: int
) -> list[tuple[LeaveRequest, LeaveApproval]]:
    """Every pending request with the step being decided (who may decide it is worked out per
    person, as storage.leave.waiting_for does for one)."""
    query = (
        select(LeaveRequest, LeaveApproval)
        .join(LeaveApproval, col(LeaveApproval.leave_id) == col(LeaveRequest.id))
        .where(
            LeaveRequest.school_id == school_id,
            LeaveRequest.status == LeaveStatus.PENDING,
            LeaveApproval.status == StepStatus.WAITING,
        )
        .order_by(col(LeaveRequest.id))
    )
    return [(leave, step) for leave, step in (await session.exec(query)).all()]


def my_day(book: DayBook, person: Staff) -> MyDay:
    """This person's part of the day."""
    me = stored_id(person)
    names = book.kit.names
    schedule = book.kit.schedule
    day = book.day

    def bells(period: int) -> tuple[time | None, time | None]:
        bell = schedule.bells.get(period)
        return (bell[0], bell[1]) if bell is not None else (None, None)

    def lesson_line(
        period: int, class_id: int, subject_id: int, kind: str, **more: object
    ) -> MyLesson:
        start, end = bells(period)
        return MyLesson(
            period,
            start,
            end,
            names.classes.get(class_id, "?"),
            names.subjects.get(subject_id, "?"),
            kind,
            **more,  # type: ignore[arg-type]
        )

    given = {
        (need.period, need.class_id): need
        for need in book.needs
        if need.absent_id == me and need.status in GIVEN_STATES
    }
    lessons: list[MyLesson] = []
    for lesson in book.lessons:
        if lesson.teacher_id != me:
            continue
        need = given.get((lesson.period, lesson.class_id))
        if need is not None:
            lessons.append(
                lesson_line(
                    lesson.period,
                    lesson.class_id,
                    lesson.subject_id,
                    "given",
                    state=need.status,
                    other=names.person(need.substitute_id) if need.substitute_id else "",
                    merged_with=names.classes.get(need.merged_class_id or 0, ""),
                )
            )
            continue
        moved_from = None
        if lesson.swap_id is not None:
            source = next(
                (m for m in schedule.moves if m.swap_id == lesson.swap_id and m.to_day == day
                 and m.to_period == lesson.period and m.lesson.class_id == lesson.class_id),
                None,
            )  # fmt: skip
            moved_from = (source.lesson.day, source.lesson.period) if source else None
        lessons.append(
            lesson_line(
                lesson.period,
                lesson.class_id,
                lesson.subject_id,
                "swapped_in" if lesson.swap_id is not None else "own",
                moved_from=moved_from,
            )
        )
    for move in schedule.moves:
        if move.lesson.day == day and move.lesson.teacher_id == me and move.to_day != day:
            lessons.append(
                lesson_line(
                    move.lesson.period,
                    move.lesson.class_id,
                    move.lesson.subject_id,
                    "swapped_out",
                    moved_to=(move.to_day, move.to_period),
                )
            )
    for need in book.needs:
        if need.substitute_id != me or need.status not in TAKEN_STATES:
            continue
        lessons.append(
            lesson_line(
                need.period,
                need.class_id,
                need.subject_id,
                "cover" if need.status == CoverStatus.ASSIGNED else "merged",
                other=names.person(need.absent_id),
                merged_with=names.classes.get(need.merged_class_id or 0, ""),
                confirmed=need.status != CoverStatus.ASSIGNED or need.acknowledged_at is not None,
            )
        )
    lessons.sort(key=lambda line: (line.period, line.kind == "swapped_out", line.klass))
    duties = tuple(
        MyDuty(
            shift.post,
            shift.starts_at,
            shift.ends_at,
            shift.regular_name if shift.replaced else "",
        )
        for shift in book.shifts
        if shift.staff_id == me and (shift.post_id, me) not in book.away_posts
    )
    events = tuple(
        MyEvent(
            event.title,
            event.starts_at,
            _end_time(event),
            stored_id(event),
            _checkin(book, event, me),
        )
        for event in book.events
        if in_audience(book, person, Audience.decode(event.audience))
    )
    return MyDay(
        day=day,
        status=book.status,
        timetable_known=book.timetable_known,
        lessons=tuple(lessons),
        duties=duties,
        events=events,
        waiting=_waiting(book, person),
        homework=_to_post(book, me),
    )


def _checkin(book: DayBook, event: Event, me: int) -> str:
    """due | done | "" (see MyEvent)."""
    if (stored_id(event), me) in book.checked_in:
        return "done"
    if book.now is None or book.day != book.since:
        return ""
    opens, closes = checkin_window(starts_at(book.day, event.starts_at, book.kit.schedule.tz))
    return "due" if opens <= book.now <= closes else ""


def _to_post(book: DayBook, me: int) -> tuple[ToPost, ...]:
    """Today's homework still to post for the classes the person teaches today: whoever gives
    the lesson posts it (a substitute too, handlers/homework); a lesson given away or swapped
    out is someone else's. A grade allowed no written homework (grades 1–2) is left out."""
    if not book.status.is_school_day or book.day != book.since:
        return ()
    given = {
        (need.period, need.class_id)
        for need in book.needs
        if need.absent_id == me and need.status in GIVEN_STATES
    }
    taught = [
        (lesson.class_id, lesson.subject_id)
        for lesson in book.lessons
        if lesson.teacher_id == me and (lesson.period, lesson.class_id) not in given
    ]
    taught += [
        (need.class_id, need.subject_id)
        for need in book.needs
        if need.substitute_id == me and need.status == CoverStatus.ASSIGNED
    ]
    policies = book.kit.policies
    names = book.kit.names
    found: list[ToPost] = []
    seen: set[tuple[int, int]] = set()
    for pair in taught:
        class_id, subject_id = pair
        grade = book.kit.schedule.grades.get(class_id)
        if (
            pair in seen
            or pair in book.posted
            or subject_id not in book.homework_subjects
            or grade is None
        ):
            continue
        seen.add(pair)
        if policies.homework_cap(grade) == 0:
            continue
        found.append(ToPost(names.classes.get(class_id, "?"), names.subjects.get(subject_id, "?")))
    return tuple(found)


def _end_time(event: Event) -> time:
    begin = starts_at(date(2000, 1, 3), event.starts_at, UTC)
    return ends_at(begin, event.hours_tenths).time()


def in_audience(book: DayBook, person: Staff, audience: Audience) -> bool:
    """As storage.events.audience_members decides it, for one person."""
    if audience.kind == SUBJECT:
        return audience.subject in person.subject_list
    if audience.kind == GRADE:
        return person.grade == audience.grade or stored_id(person) in book.teaches_grade.get(
            audience.grade, set()
        )
    return True


def _waiting(book: DayBook, person: Staff) -> Waiting:
    me = stored_id(person)
    names = book.kit.names
    approvals = sum(
        1
        for leave, step in book.steps
        if may_decide(
            role=step.role,
            grade=step.grade,
            staff_id=me,
            staff_roles=person.role_set,
            staff_grade=person.grade,
            requester_id=leave.staff_id,
            level=step.level,
        )
    )
    covers = tuple(
        ToConfirm(
            need.day,
            need.period,
            names.classes.get(need.class_id, "?"),
            names.subjects.get(need.subject_id, "?"),
        )
        for need in book.unconfirmed
        if need.substitute_id == me
    )
    duty_swaps = book.duty_asked.get(me, 0)
    if ADMIN in person.role_set:
        duty_swaps += book.duty_to_approve
    return Waiting(approvals, covers, book.asked_swaps.get(me, 0), duty_swaps)


# ---------------------------------------------------------------- the preference


@dataclass(frozen=True)
class Preference:
    send_at: time = DEFAULT_TIME
    off: bool = False


async def preference(*, session: AsyncSession, staff_id: int) -> Preference:
    row = await session.get(MyDayPref, staff_id)
    return Preference(row.send_at, row.off) if row is not None else Preference()


async def set_preference(
    *,
    session: AsyncSession,
    staff: Staff,
    now: datetime,
    send_at: time | None = None,
    off: bool | None = None,
) -> Preference:
    """Changes the time or turns the message off or on; a first choice adds the row."""
    values: dict[str, object] = {"updated_at": now}
    if send_at is not None:
        values["send_at"] = send_at
    if off is not None:
        values["off"] = off
    changed = await session.exec(
        update(MyDayPref).where(col(MyDayPref.staff_id) == stored_id(staff)).values(**values)
    )
    if changed.rowcount == 0:
        row = MyDayPref(
            staff_id=stored_id(staff),
            school_id=staff.school_id,
            send_at=send_at or DEFAULT_TIME,
            off=bool(off),
            updated_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(row)
                await session.flush()
        except IntegrityError:  # a second press added it meanwhile: change that one
            await session.exec(
                update(MyDayPref)
                .where(col(MyDayPref.staff_id) == stored_id(staff))
                .values(**values)
            )
    return await preference(session=session, staff_id=stored_id(staff))


async def recipients_by_time(*, session: AsyncSession, school_id: int) -> dict[time, list[Staff]]:
    """The linked, active staff who get the message, by the time they chose."""
    rows = await session.exec(select(MyDayPref).where(MyDayPref.school_id == school_id))
    chosen = {row.staff_id: row for row in rows.all()}
    found: dict[time, list[Staff]] = defaultdict(list)
    for person in await school_staff(session=session, school_id=school_id):
        if person.telegram_id is None:
            continue
        row = chosen.get(stored_id(person))
        if row is not None and row.off:
            continue
        found[row.send_at if row is not None else DEFAULT_TIME].append(person)
    return dict(found)


async def chosen_times(*, session: AsyncSession, staff_ids: Iterable[int]) -> dict[int, time]:
    """The time each person chose for their day, the default when they never chose; kept even
    when the message is off, as the hour that person expects to hear from the bot."""
    ids = list(staff_ids)
    rows = await session.exec(select(MyDayPref).where(col(MyDayPref.staff_id).in_(ids)))
    chosen = {row.staff_id: row.send_at for row in rows.all()}
    return {staff_id: chosen.get(staff_id, DEFAULT_TIME) for staff_id in ids}

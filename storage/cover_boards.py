"""The cover boards sent to arrangers, kept per school and day to draw every copy again: each
with the lesson it shows, and forgotten once a newer copy of its day reached the same chat.
Also what a board shows (`Showing`, `shown_index`) and the suggestions for the lesson it shows,
loaded before the board is drawn (views/cover_board.py draws without a database)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, or_
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.cover import Suggestion
from rules.roles import ADMIN
from rules.states import CoverStatus
from storage.cover import arrangers_for, load_cover_day, may_arrange, suggest
from storage.duty import duty_on
from storage.models import CoverBoardCopy, CoverNeed, Event, LeaveRequest, Staff
from storage.outbox import many_rows
from storage.schedule import Kit
from storage.session_memo import execute_text, loaded_row, table_of
from storage.types import stored_id

# Lessons still waiting for cover; a lesson is over once its bell rang its end.
UNCOVERED_STATES = (CoverStatus.OPEN, CoverStatus.ASKING)
# A cover whose substitute said 收到, a self-study or a merge: settled, reopened on purpose only.
SETTLED_STATES = (CoverStatus.SELF_STUDY, CoverStatus.MERGED)
# Substitutes suggested for the lesson a board shows.
SUGGESTED = 3
# Each shown lesson's suggestions, by (need id, need version).
Suggestions = dict[tuple[int, int], list[Suggestion]]
# The title of the meeting that took a shown lesson's teacher away, by leave id ("" for a leave).
EventTitles = dict[int, str]


@dataclass(frozen=True)
class Showing:
    """A board to draw: a day's lessons at `now`, and which of them it shows: `focus` (a need
    id), else `page` (an index), else the next one still to arrange after `after`.
    `unlocked`: a settled lesson an arranger asked to change, shown with its choices."""

    day: date
    needs: list[CoverNeed]
    now: datetime
    page: int | None = None
    focus: int | None = None
    after: int | None = None
    unlocked: int | None = None


def settled(need: CoverNeed) -> bool:
    """Whether the lesson's cover is decided and confirmed: its board offers to reopen it, not
    to reassign it (a stray press must not undo what a colleague confirmed)."""
    if need.status in SETTLED_STATES:
        return True
    return need.status == CoverStatus.ASSIGNED and need.acknowledged_at is not None


def to_arrange(kit: Kit, need: CoverNeed, now: datetime) -> bool:
    return need.status in UNCOVERED_STATES and not kit.lesson_over(need, now)


def shown_index(kit: Kit, shown: Showing) -> int:
    """Which lesson a board shows: `focus` (a need id) if listed; else `page` (an index, turned
    round at either end); else the next lesson still to arrange after `after` (the lesson just
    decided: the board moves on), or from the start; that lesson itself when none is left."""
    needs, now, after = shown.needs, shown.now, shown.after
    ids = [need.id for need in needs]
    if not needs:
        return 0
    if shown.focus is not None and shown.focus in ids:
        return ids.index(shown.focus)
    if shown.page is not None:
        return shown.page % len(needs)
    start = ids.index(after) + 1 if after is not None and after in ids else 0
    for step in range(len(needs)):
        index = (start + step) % len(needs)
        if to_arrange(kit, needs[index], now):
            return index
    if after is not None and after in ids:
        return ids.index(after)
    return next((i for i, need in enumerate(needs) if not kit.lesson_over(need, now)), 0)


async def suggest_shown(
    session: AsyncSession,
    kit: Kit,
    shown: Showing,
    suggestions: Suggestions,
    events: EventTitles | None = None,
) -> None:
    """Loads into `suggestions` those of the lesson the board will show, when it offers a
    choice (ahead or under way, and not settled unless unlocked) and they are not there yet;
    into `events`, what takes its teacher away when that is a meeting, not a leave."""
    if not shown.needs:
        return
    need = shown.needs[shown_index(kit, shown)]
    picked = (stored_id(need), need.version)
    offers = not (
        picked in suggestions
        or kit.lesson_over(need, shown.now)
        or (settled(need) and shown.unlocked != need.id)
    )
    cover_day = (
        await load_cover_day(
            session=session, school_id=stored_id(kit.school), day=shown.day, schedule=kit.schedule
        )
        if offers
        else None
    )
    if events is not None and need.leave_id not in events:
        # After the day's leaves are read: the lesson's own leave is among them.
        events[need.leave_id] = await event_of_leave(session=session, leave_id=need.leave_id)
    if cover_day is None:
        return
    suggestions[picked] = await suggest(
        session=session,
        need=need,
        cover_day=cover_day,
        cap=kit.cap,
        subject_name=kit.names.subjects.get(need.subject_id, ""),
        now=shown.now,
        limit=SUGGESTED,
        with_external=kit.suggest_external,
    )


async def event_of_leave(*, session: AsyncSession, leave_id: int) -> str:
    """The title of the event that wrote this 公假 (storage/event_cover.py), "" for a leave the
    teacher asked for. A meeting's title is no secret: the group's list shows it; a leave's
    reason is never read here (a request the action holds already answers without a query)."""
    held = loaded_row(session, LeaveRequest, leave_id)
    if held is not None and held.event_id is None:
        return ""
    query = (
        select(Event.title)
        .join(LeaveRequest, col(LeaveRequest.event_id) == col(Event.id))
        .where(col(LeaveRequest.id) == leave_id)
    )
    return (await session.exec(query)).first() or ""


# A day's board is rarely sent more often than this; past it the oldest copies are not redrawn.
MOST_COPIES = 40


async def record_copies(
    *,
    session: AsyncSession,
    copies: Iterable[tuple[int, date, int, int, int]],
    today: date | None,
) -> None:
    """Stores delivered boards (school, day, arranger, chat, message); forgets days before
    `today` (None: a push that sends boards leaves that to the next action)."""
    # A message recorded twice (a delivery retried after its lease ran out, a batch written
    # again after a failure) is kept once: a duplicate must never fail the whole batch of
    # outcomes, or the recorder would retry it for ever and nothing after it would be written.
    unique = {
        (chat_id, message_id): {
            "school_id": school_id,
            "day": day,
            "staff_id": staff_id,
            "chat_id": chat_id,
            "message_id": message_id,
        }
        for school_id, day, staff_id, chat_id, message_id in copies
    }
    if not unique:
        return
    known = set(
        (
            await session.exec(
                select(CoverBoardCopy.chat_id, CoverBoardCopy.message_id).where(
                    or_(
                        *(
                            and_(
                                col(CoverBoardCopy.chat_id) == chat_id,
                                col(CoverBoardCopy.message_id) == message_id,
                            )
                            for chat_id, message_id in unique
                        )
                    )
                )
            )
        ).all()
    )
    rows = [row for key, row in unique.items() if key not in known]
    if rows:
        # One statement for all of them: an approval sends a board to each arranger.
        table = table_of(CoverBoardCopy)
        statement, params = many_rows(table, rows)
        await execute_text(session, statement, params, table)
    if today is None:
        return
    schools = {row["school_id"] for row in unique.values()}
    await session.exec(
        delete(CoverBoardCopy).where(
            col(CoverBoardCopy.school_id).in_(schools), col(CoverBoardCopy.day) < today
        )
    )


async def copies_of(*, session: AsyncSession, school_id: int, day: date) -> list[CoverBoardCopy]:
    """The day's boards, newest first."""
    query = (
        select(CoverBoardCopy)
        .where(CoverBoardCopy.school_id == school_id, CoverBoardCopy.day == day)
        .order_by(col(CoverBoardCopy.id).desc())
        .limit(MOST_COPIES)
    )
    return list((await session.exec(query)).all())


_COPIES = table_of(CoverBoardCopy)
# Built once; every arranger's copy drawn again after a press is one row of it.
_SET_SHOWN = (
    update(_COPIES)
    .where(
        _COPIES.c.chat_id == bindparam("copy_chat"),
        _COPIES.c.message_id == bindparam("copy_message"),
    )
    .values(need_id=bindparam("shown_need"))
)


async def set_shown(*, session: AsyncSession, shown: list[tuple[int, int, int]]) -> None:
    """The lesson each copy (chat, message, lesson) shows now (it was paged, pressed or drawn
    again), in one statement for all of them."""
    if not shown:
        return
    await session.exec(
        _SET_SHOWN,
        params=[
            {"copy_chat": chat, "copy_message": message, "shown_need": need}
            for chat, message, need in shown
        ],
    )


# Built once: each board delivered takes its chat's older copies, in one statement.
_TAKE_OLDER = (
    delete(_COPIES)
    .where(
        _COPIES.c.school_id == bindparam("school_id"),
        _COPIES.c.day == bindparam("day"),
        _COPIES.c.staff_id == bindparam("staff_id"),
        _COPIES.c.chat_id == bindparam("chat_id"),
        _COPIES.c.message_id < bindparam("message_id"),
    )
    .returning(_COPIES.c.message_id)
)


async def take_older(
    *, session: AsyncSession, school_id: int, day: date, staff_id: int, newest: tuple[int, int]
) -> list[int]:
    """The ids of the arranger's messages of the day in the chat of `newest` (chat, message)
    sent before it, forgotten as they are handed out: a newer copy is the live one, they are
    never drawn again. In message order."""
    chat_id, message_id = newest
    params = {
        "school_id": school_id,
        "day": day,
        "staff_id": staff_id,
        "chat_id": chat_id,
        "message_id": message_id,
    }
    return sorted((await session.exec(_TAKE_OLDER, params=params)).scalars())


async def arranger_needs(
    session: AsyncSession, kit: Kit, needs: Iterable[CoverNeed], *, boards: bool = False
) -> dict[int, tuple[Staff, list[CoverNeed]]]:
    """Each arranger with the needs they arrange; with `boards`, only those the school sends
    boards to (`board_receivers`)."""
    found: dict[int, tuple[Staff, list[CoverNeed]]] = {}
    on_duty: dict[date, set[int]] = {}
    for need in needs:
        people = await arrangers_for(
            session=session,
            school_id=stored_id(kit.school),
            grade=kit.schedule.grades.get(need.class_id),
            policy=kit.arranger_policy,
            absent_id=need.absent_id,
        )
        if boards:
            people = await board_receivers(session, kit, need.day, people, on_duty)
        for person in people:
            found.setdefault(stored_id(person), (person, []))[1].append(need)
    return found


async def board_receivers(
    session: AsyncSession,
    kit: Kit,
    day: date,
    people: list[Staff],
    on_duty: dict[date, set[int]] | None = None,
) -> list[Staff]:
    """Who among a lesson's arrangers gets its board (policy cover.boards_to): all of them, or
    those on a duty that day (the office's patrol rota, say); all of them if none is, so a
    lesson always reaches someone. `on_duty` keeps each day's duty roster for the next lesson."""
    if kit.boards_to != "on_duty" or len(people) < 2:
        return people
    known = on_duty if on_duty is not None else {}
    if day not in known:
        shifts = await duty_on(session=session, school_id=stored_id(kit.school), day=day)
        known[day] = {shift.staff_id for shift in shifts if shift.staff_id is not None}
    return [person for person in people if person.id in known[day]] or people


def arranged_by(
    kit: Kit, person: Staff | None, needs: Iterable[CoverNeed], *, is_admin: bool | None = None
) -> list[CoverNeed]:
    """The lessons among `needs` that `person` may arrange: what their copy of a day's board
    shows, whether it was sent after an approval, asked for with /arrange or drawn again.
    `is_admin` defaults to the admin role on their record (a system admin has no record)."""
    if is_admin is None:
        is_admin = person is not None and ADMIN in person.role_set
    return [
        need
        for need in needs
        if may_arrange(
            person,
            grade=kit.schedule.grades.get(need.class_id),
            policy=kit.arranger_policy,
            is_admin=is_admin,
        )
    ]

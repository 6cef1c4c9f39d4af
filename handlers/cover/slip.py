"""The cover slip (代课/调课公示) in the staff group: what it says, and how a change reaches it.

A change after the slip went out edits the slip in place, with a line saying when and, in
words, what changed: "X老师不再请假，原课照上" when a leave was withdrawn, "代课老师由 A 改为 B"
when the substitute changed, not a struck-out line that reads as if the lesson were cancelled.
Telegram refuses an edit of a message that was deleted (or that it no longer lets the bot
edit): the slip is then posted anew, and that post is the one later changes edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.dispatcher import Dispatcher, OutcomeContext
from bot.messages import Edit, Send
from bot.texts import Safe, split_message, t
from handlers.core.turn import Turn
from handlers.school.topics import topic_of
from rules.states import CoverStatus, LeaveStatus
from storage.cover import (
    LIVE_STATES,
    needs_on,
    posted_slip,
    posted_slip_covers,
    posted_slip_lines,
    save_slip,
    slip_covers,
    slip_data,
)
from storage.cover_slips import forget_slip_messages, slip_messages
from storage.models import LeaveRequest
from storage.schedule import Schedule, load_schedule
from storage.schools import staff_groups
from storage.types import stored_id
from views.cover_slip import (
    changed_line,
    slip_lines,
    slip_message,
    swap_lines,
    swap_mark,
    updated_message,
)
from views.leave import (
    cover_state,
    need_label,
)

if TYPE_CHECKING:
    from storage.schedule import Kit

# The `about` of an edit of the slip: a refused edit is posted anew (`install`).
PREFIX = "slip"


async def change_notes(
    turn: Turn,
    lang: str,
    kit: Kit,
    schedule: Schedule,
    day: date,
    before: dict[int, tuple[str, int | None]],
    swaps: tuple[list[str], list[str]],
) -> list[str]:
    """What changed since the slip was posted, one line a lesson, in words: a cover withdrawn
    because its teacher is not away after all, a new substitute, a lesson newly on the slip."""
    names = kit.names
    school_id = stored_id(kit.school)
    notes: list[str] = []
    everything = await needs_on(
        session=turn.session,
        school_id=school_id,
        day=day,
        states=(*LIVE_STATES, CoverStatus.RELEASED),
    )
    for need in everything:
        old = before.get(stored_id(need))
        live = need.status in LIVE_STATES
        if old is None and not live:
            continue
        if old is not None and old == (need.status, need.substitute_id):
            continue
        lesson = Safe(need_label(lang, names, schedule, need, with_day=False))
        teacher = names.person(need.absent_id)
        if not live:
            leave = await turn.session.get(LeaveRequest, need.leave_id)
            # Ended once it had begun: its teacher is back. Ended before its first day, or
            # withdrawn or refused: the teacher is simply not away.
            back = (
                leave is not None
                and leave.status == LeaveStatus.ENDED
                and leave.returned_at is not None
                and leave.returned_at.astimezone(kit.schedule.tz).date() >= leave.first_day
            )
            key = "cover.slip.note.back" if back else "cover.slip.note.not_away"
            notes.append(t(lang, key, lesson=lesson, teacher=teacher))
        elif old is None:
            notes.append(
                t(
                    lang,
                    "cover.slip.note.added",
                    lesson=lesson,
                    teacher=teacher,
                    state=Safe(cover_state(lang, names, need)),
                )
            )
        else:
            notes.append(changed_line(lang, names, need, old, lesson))
    added, dropped = swaps
    notes.extend(t(lang, "cover.slip.note.swap_added", line=Safe(line)) for line in added)
    notes.extend(t(lang, "cover.slip.note.swap_dropped", line=Safe(line)) for line in dropped)
    return notes


async def refresh_slips(turn: Turn, kit: Kit, days: Iterable[date], lang: str) -> None:
    """After a change: each day whose slip was posted has it edited (or posted anew where it
    cannot be); today's slip, if it never went out and its time has passed, is posted whole."""
    today = kit.today(turn.now)
    school_id = stored_id(kit.school)
    # Swaps may have changed within this action: read the schedule fresh.
    schedule = await load_schedule(session=turn.session, school_id=school_id)
    tz = ZoneInfo(kit.school.timezone)
    for day in days:
        if day < today:
            continue
        posted = await posted_slip(session=turn.session, school_id=school_id, day=day)
        if posted is None and (day != today or turn.now < _slip_time_today(kit, day)):
            continue  # its own push sends the whole slip when the time comes
        data = await slip_data(session=turn.session, school_id=school_id, day=day)
        lines = slip_lines(lang, data, kit.names, schedule)
        old = posted_slip_lines(posted) if posted is not None else []
        if lines == old:
            continue
        # Read before the slip is saved over: what it said, and where it went.
        before = posted_slip_covers(posted) if posted is not None else {}
        sent = slip_messages(posted) if posted is not None else []
        covers = slip_covers(data.needs)
        await save_slip(
            session=turn.session,
            school_id=school_id,
            day=day,
            lines=lines,
            now=turn.now,
            covers=covers,
            posted_anew=posted is None,
        )
        if posted is None:
            await _post(turn, school_id, day, split_message(slip_message(lang, day, lines)))
            continue
        swaps = swap_lines(lang, data, kit.names, schedule)
        notes = await change_notes(
            turn,
            lang,
            kit,
            schedule,
            day,
            before,
            (
                [line for line in swaps if line not in old],
                [line for line in old if line.startswith(swap_mark(lang)) and line not in swaps],
            ),
        )
        chunks = split_message(updated_message(lang, day, lines, notes, turn.now.astimezone(tz)))
        await _edit_or_post(turn, school_id, day, chunks, sent)


async def _post(turn: Turn, school_id: int, day: date, chunks: list[Safe]) -> None:
    thread = await topic_of(turn, school_id, "cover")
    for group in await staff_groups(session=turn.session, school_id=school_id):
        for chunk in chunks:
            turn.out.send(group.chat_id, chunk, slip=(school_id, day), thread_id=thread)


async def _edit_or_post(
    turn: Turn, school_id: int, day: date, chunks: list[Safe], sent: list[tuple[int, int]]
) -> None:
    """Each group's slip is edited part by part; where it was not delivered as that many parts
    (not yet, or before slips were kept), it is posted anew."""
    about = f"{PREFIX}:{school_id}:{day.isoformat()}"
    thread = await topic_of(turn, school_id, "cover")
    for group in await staff_groups(session=turn.session, school_id=school_id):
        parts = [message_id for chat_id, message_id in sent if chat_id == group.chat_id]
        if len(parts) != len(chunks):
            await forget_slip_messages(
                session=turn.session, school_id=school_id, day=day, chat_id=group.chat_id
            )
            for chunk in chunks:
                turn.out.send(group.chat_id, chunk, slip=(school_id, day), thread_id=thread)
            continue
        for message_id, chunk in zip(parts, chunks, strict=True):
            turn.out.edit(group.chat_id, message_id, chunk, about=about, school_id=school_id)


def _slip_time_today(kit: Kit, day: date) -> datetime:
    when = kit.policies.get("cover.slip_today")
    return datetime.combine(day, when, tzinfo=ZoneInfo(kit.school.timezone))


def install(dispatcher: Dispatcher) -> None:
    """An edit of the slip that Telegram refused (the message deleted, or too old to edit) is
    posted anew, and the new post is the one to edit next time."""

    async def refused(ctx: OutcomeContext) -> None:
        message = ctx.delivered.message
        if not isinstance(message, Edit):
            return
        _, school, day = message.about.split(":", 2)
        school_id, slip_day = int(school), date.fromisoformat(day)
        await forget_slip_messages(
            session=ctx.session, school_id=school_id, day=slip_day, chat_id=message.chat_id
        )
        ctx.out.append(
            Send(message.chat_id, message.text, slip=(school_id, slip_day), school_id=school_id)
        )

    dispatcher.on_outcome(PREFIX, refused, frozenset({"failed"}))

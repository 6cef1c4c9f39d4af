"""Every arranger's copy of a day's cover board, drawn again when a lesson on it changes.

The office has several people and a day's board goes to each of them. When one assigns a
substitute, the others' copies would still offer the lesson; each arranger's newest copy of that
day is drawn again (their own lessons, in their language), so nobody phones a colleague for a
lesson already covered. Older copies further up a chat are left: a press on one of them is
answered with the lesson's state and the board drawn afresh (handlers/cover.py).
"""

from __future__ import annotations

from datetime import date

from handlers import follow_ups
from handlers.cover_board import (
    BoardParts,
    Kit,
    arranged_by,
    default_lang,
    load_kit,
    render_board,
)
from handlers.leave_texts import language_of
from handlers.turn import Turn
from storage.cover import needs_between
from storage.cover_boards import copies_of


def _origin(turn: Turn) -> list[int] | None:
    """The pressed message (chat, message), which the handler draws again itself."""
    query = turn.update.callback_query
    if query is None or query.message is None:
        return None
    return [query.message.chat.id, query.message.message_id]


def redraw_copies(turn: Turn, kit: Kit, day: date, *, focus: int | None = None) -> None:
    """Each arranger's newest copy of the day's board is drawn again (not the one pressed, which
    the handler draws itself as its answer), after the action."""
    turn.then(redraw_day, school_id=kit.school.id or 0, day=day, focus=focus, origin=_origin(turn))


@follow_ups.named("redraw_copies")
async def redraw_day(
    turn: Turn, *, school_id: int, day: date, focus: int | None, origin: list[int] | None
) -> int:
    kit = await load_kit(turn, school_id)
    if kit is None:
        return 0
    return await _redraw(turn, kit, day, focus, tuple(origin) if origin else None)


async def _redraw(
    turn: Turn, kit: Kit, day: date, focus: int | None, origin: tuple[int, ...] | None
) -> int:
    """Queues an edit of each arranger's newest copy; returns how many."""
    school_id = kit.school.id or 0
    copies = await copies_of(session=turn.session, school_id=school_id, day=day)
    if not copies:
        return 0
    needs = await needs_between(session=turn.session, school_id=school_id, first=day, last=day)
    parts = BoardParts()
    seen: set[tuple[int, int]] = set()
    redrawn = 0
    for copy in copies:  # newest first
        if (copy.staff_id, copy.chat_id) in seen:
            continue
        seen.add((copy.staff_id, copy.chat_id))
        person = kit.names.staff.get(copy.staff_id)
        if (copy.chat_id, copy.message_id) == origin or person is None or not person.active:
            continue
        theirs = arranged_by(kit, person, needs)
        lang = language_of(person, default_lang(turn))
        text, markup = await render_board(
            turn.session, kit, day, theirs, lang, parts, now=turn.now, focus=focus
        )
        turn.out.edit(copy.chat_id, copy.message_id, text, markup)
        redrawn += 1
    return redrawn

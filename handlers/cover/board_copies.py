"""Every arranger's copy of a day's cover board: the newest drawn again when a lesson on it
changes, the older ones shrunk to a line pointing to it.

The office has several people and a day's board goes to each of them. When one assigns a
substitute, the others' copies would still offer the lesson; each arranger's newest copy of that
day is drawn again (their own lessons, in their language, still on the lesson it showed), so
nobody phones a colleague for a lesson already covered. When a newer copy of a day reaches an
arranger (/arrange, the evening's reminder, another approval), the older ones in that chat
become one line without buttons: only one copy a day is live, and a chat does not fill up with
boards of 8 buttons each.
"""

from __future__ import annotations

from datetime import date

from bot.dispatcher import BOARD_HOOK, Dispatcher, OutcomeContext
from bot.messages import Edit, Send
from bot.texts import t
from handlers.core import follow_ups
from handlers.core.turn import Turn
from handlers.cover.boards import default_lang, load_kit
from storage.cover import needs_between
from storage.cover_boards import (
    Showing,
    arranged_by,
    copies_of,
    set_shown,
    suggest_shown,
    take_older,
)
from storage.schedule import Kit
from storage.staff import staff_with_ids
from storage.types import stored_id
from views.common import day_label
from views.cover_board import BoardParts, render_board
from views.leave import language_of


def _origin(turn: Turn) -> list[int] | None:
    """The pressed message (chat, message), which the handler draws again itself."""
    query = turn.update.callback_query
    if query is None or query.message is None:
        return None
    return [query.message.chat.id, query.message.message_id]


def redraw_copies(turn: Turn, kit: Kit, day: date, *, focus: int | None = None) -> None:
    """Each arranger's newest copy of the day's board is drawn again (not the one pressed, which
    the handler draws itself as its answer), after the action. `focus` is the lesson that
    changed: a copy that showed no lesson in particular moves on from it."""
    turn.then(
        redraw_day, school_id=stored_id(kit.school), day=day, focus=focus, origin=_origin(turn)
    )


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
    school_id = stored_id(kit.school)
    copies = await copies_of(session=turn.session, school_id=school_id, day=day)
    if not copies:
        return 0
    needs = await needs_between(session=turn.session, school_id=school_id, first=day, last=day)
    parts = BoardParts()
    seen: set[tuple[int, int]] = set()
    redrawn = 0
    moved: list[tuple[int, int, int]] = []  # (chat, message, the lesson each copy shows now)
    for copy in copies:  # newest first
        if (copy.staff_id, copy.chat_id) in seen:
            continue
        seen.add((copy.staff_id, copy.chat_id))
        person = kit.names.staff.get(copy.staff_id)
        if (copy.chat_id, copy.message_id) == origin or person is None or not person.active:
            continue
        theirs = arranged_by(kit, person, needs)
        lang = language_of(person, default_lang(turn))
        shown = Showing(day, theirs, turn.now, focus=copy.need_id, after=focus)
        await suggest_shown(turn.session, kit, shown, parts.suggestions, parts.events)
        board = render_board(kit, shown, lang, parts)
        turn.out.edit(copy.chat_id, copy.message_id, board.text, board.markup)
        if board.need_id is not None and board.need_id != copy.need_id:
            moved.append((copy.chat_id, copy.message_id, board.need_id))
        redrawn += 1
    await set_shown(session=turn.session, shown=moved)
    return redrawn


def pointer_text(lang: str, day: date) -> str:
    return t(lang, "cover.board.pointer", day=day_label(lang, day))


def install(dispatcher: Dispatcher, default_language: str) -> None:
    """Once a board is delivered, the arranger's older copies of its day in that chat shrink."""

    async def delivered(ctx: OutcomeContext) -> None:
        message = ctx.delivered.message
        if not isinstance(message, Send) or message.board is None or message.message_id is None:
            return
        school_id, day, staff_id = message.board
        older = await take_older(
            session=ctx.session,
            school_id=school_id,
            day=day,
            staff_id=staff_id,
            newest=(message.chat_id, message.message_id),
        )
        if not older:
            return
        found = await staff_with_ids(session=ctx.session, school_id=school_id, ids={staff_id})
        person = found.get(staff_id)
        lang = language_of(person, default_language) if person is not None else default_language
        ctx.out.extend(
            Edit(message.chat_id, older_id, pointer_text(lang, day), school_id=school_id)
            for older_id in older
        )

    dispatcher.on_outcome(BOARD_HOOK, delivered, frozenset({"sent"}))

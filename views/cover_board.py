"""The arranger's board for a day, drawn for a phone: a line for each lesson, and one lesson at
a time in full, with its suggestions (and why) and at most `BUTTON_BUDGET` buttons: assign one of
them, ask the group, self-study or merge, and turn to the lesson before or after. Arranging a
lesson moves the board on to the next one still to arrange.

Buttons carry the need's version: a press on an outdated board changes nothing
(handlers/cover/arranging.py). A lesson whose cover is settled (its substitute said 收到, or it is
self-study or merged) offers only to reopen it. A lesson whose bell has rung its end is over:
the board still lists it, marked, without suggestions or buttons; one that ended with nothing
arranged says so, for the office to know a class had no teacher. A lesson being taught can
still be covered for what is left of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, t
from rules.cover import Phase, Suggestion
from rules.states import CoverStatus
from storage.cover_boards import (
    UNCOVERED_STATES,
    EventTitles,
    Showing,
    Suggestions,
    settled,
    shown_index,
    to_arrange,
)
from storage.models import CoverNeed
from storage.schedule import Kit
from storage.types import stored_id
from views.common import day_label
from views.leave import cover_state, need_label

# A board shows one lesson at a time, with its suggestions and buttons, and a line for each of
# the day's lessons above it: a phone shows it whole, and a thumb finds the buttons. At most
# BUTTON_BUDGET buttons: SUGGESTED substitutes, three ways without one, and the two to page.
BUTTON_BUDGET = 8
# Lines listing the day's lessons: past this many, those nearest the one shown.
LISTED = 12


def reason_words(lang: str, suggestion: Suggestion) -> str:
    words = [
        t(lang, f"cover.reason.{reason.code}", count=reason.count) for reason in suggestion.reasons
    ]
    return t(lang, "common.list_sep").join(words)


# A lesson's lines and its rows of buttons on a board.
Block = tuple[list[str], list[list[InlineKeyboardButton]]]


@dataclass
class BoardParts:
    """What the arrangers' copies of one board share: each lesson's suggestions, and its drawn
    lines and buttons in each language (an approval sends the same lessons to every arranger)."""

    suggestions: Suggestions = field(default_factory=dict)
    events: EventTitles = field(default_factory=dict)
    blocks: dict[tuple[int, int, str, int, str, bool], Block] = field(default_factory=dict)


@dataclass
class Board:
    """A drawn board: its text, its buttons, and the lesson it shows."""

    text: str
    markup: InlineKeyboardMarkup | None
    need_id: int | None


def render_board(kit: Kit, shown: Showing, lang: str, parts: BoardParts | None = None) -> Board:
    """One day's board for an arranger at `shown.now`: a line for each lesson, then the one
    shown (see `shown_index`) with its state, suggestions and buttons, at most `BUTTON_BUDGET`
    of them; a lesson that is over only with its state. `parts` keeps what the next arranger's
    copy shares with this one, and holds the shown lesson's suggestions, loaded beforehand by
    `suggest_shown`. `shown.unlocked`: a settled lesson an arranger asked to change, shown with
    its choices while it stays as it is until one is made.
    """
    parts = BoardParts() if parts is None else parts
    day, needs, now = shown.day, shown.needs, shown.now
    index = shown_index(kit, shown)
    lines: list[str] = [t(lang, "cover.board.title", day=day_label(lang, day))]
    rows: list[list[InlineKeyboardButton]] = []
    if not needs:
        # Every lesson it listed was released (its teacher is back, the leave withdrawn).
        lines.append(t(lang, "cover.board.none_left"))
        return Board("\n".join(lines), None, None)
    if len(needs) > 1:
        left = sum(to_arrange(kit, need, now) for need in needs)
        lines.append(t(lang, "cover.board.progress", count=len(needs), left=left))
        first = min(max(index - LISTED // 2, 0), max(len(needs) - LISTED, 0))
        for number, need in enumerate(needs[first : first + LISTED], start=first + 1):
            lines.append(_brief_line(lang, kit, need, number, now, shown=number == index + 1))
    need = needs[index]
    phase = kit.phase(need, now)
    reopened = shown.unlocked is not None and shown.unlocked == need.id
    key = (stored_id(need), need.version, lang, index + 1, phase, reopened)
    if key not in parts.blocks:
        parts.blocks[key] = _lesson_block(
            kit, need, index + 1, lang, parts, phase=phase, reopened=reopened
        )
    block_lines, block_rows = parts.blocks[key]
    lines.extend(block_lines)
    rows.extend(block_rows)
    # Paging only while a lesson is ahead: a day that is over is read from its list.
    if len(needs) > 1 and not all(kit.lesson_over(n, now) for n in needs):
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, label, number=(index + step) % len(needs) + 1),
                    callback_data=callbacks.COVER_PAGE.data(
                        day.toordinal(), (index + step) % len(needs)
                    ),
                )
                for step, label in ((-1, "cover.button.prev"), (1, "cover.button.next"))
            ]
        )
    # A lesson that is over has no button of its own; a day of one such lesson has none at all.
    kept = [row for row in rows if row]
    return Board("\n".join(lines), InlineKeyboardMarkup(kept) if kept else None, need.id)


def _brief_line(
    lang: str, kit: Kit, need: CoverNeed, number: int, now: datetime, *, shown: bool
) -> str:
    """One lesson in the list above the one shown: period, class, subject, who is away, state."""
    return t(
        lang,
        "cover.board.brief",
        mark=t(lang, "cover.board.mark_shown" if shown else "cover.board.mark"),
        number=number,
        period=need.period,
        klass=kit.names.classes.get(need.class_id, "?"),
        subject=kit.names.subjects.get(need.subject_id, "?"),
        teacher=kit.names.person(need.absent_id),
        state=Safe(_state_words(lang, kit, need, kit.phase(need, now))),
    )


def _lesson_block(
    kit: Kit,
    need: CoverNeed,
    number: int,
    lang: str,
    parts: BoardParts,
    *,
    phase: Phase,
    reopened: bool = False,
) -> Block:
    """The lesson shown: its lines (what, whose, its state, the suggestions) and buttons; a
    lesson that is over has its state only, a settled one the button to reopen it (unless an
    arranger just pressed it: then its choices)."""
    # A teacher a meeting takes away is at the meeting, not on leave: the board says which.
    event = parts.events.get(need.leave_id, "")
    lines = [
        "",
        t(
            lang,
            "cover.board.lesson_event" if event else "cover.board.lesson",
            number=number,
            lesson=Safe(need_label(lang, kit.names, kit.schedule, need, with_day=False)),
            teacher=kit.names.person(need.absent_id),
            event=event,
        ),
    ]
    lines.append(t(lang, "cover.board.state", state=Safe(_state_words(lang, kit, need, phase))))
    if need.provisional:
        lines.append(t(lang, "cover.board.provisional"))
    if phase == Phase.OVER:
        return lines, []
    if settled(need) and not reopened:
        lines.append(t(lang, "cover.board.settled"))
        reopen = InlineKeyboardButton(
            t(lang, "cover.button.ro", number=number),
            callback_data=callbacks.COVER_REOPEN.data(stored_id(need), need.version),
        )
        return lines, [[reopen]]
    picked = (stored_id(need), need.version)
    suggestions = parts.suggestions[picked]
    if suggestions:
        lines.append(t(lang, "cover.board.suggestions"))
        lines.extend(
            t(
                lang,
                "cover.board.suggestion",
                name=suggestion.name,
                reasons=Safe(reason_words(lang, suggestion)),
            )
            for suggestion in suggestions
        )
    else:
        lines.append(t(lang, "cover.board.nobody"))
    rows = [
        [
            InlineKeyboardButton(
                t(lang, "cover.button.assign", number=number, name=s.name),
                callback_data=callbacks.COVER_ASSIGN.data(
                    stored_id(need), s.staff_id, need.version
                ),
            )
            for s in suggestions
        ],
        [
            InlineKeyboardButton(
                t(lang, f"cover.button.{label}", number=number),
                callback_data=kind.data(stored_id(need), need.version),
            )
            for label, kind in (
                ("ask", callbacks.COVER_ASK_GROUP),
                ("ss", callbacks.COVER_SELF_STUDY),
                ("mg", callbacks.COVER_MERGE),
            )
        ],
    ]
    return lines, rows


def _state_words(lang: str, kit: Kit, need: CoverNeed, phase: Phase) -> str:
    """The lesson's state as a board shows it, with where the lesson stands in the day."""
    if phase == Phase.OVER and need.status in UNCOVERED_STATES:
        # Nothing was arranged and it is too late to: the class went without a teacher.
        return t(lang, "cover.board.over_uncovered")
    state = cover_state(lang, kit.names, need)
    if need.status == CoverStatus.ASSIGNED:
        mark = "cover.board.acknowledged" if need.acknowledged_at else "cover.board.unacknowledged"
        state = f"{state}{t(lang, mark)}"
    if phase == Phase.OVER:
        state = f"{state}{t(lang, 'cover.board.over')}"
    elif phase == Phase.UNDER_WAY:
        state = f"{state}{t(lang, 'cover.board.under_way')}"
    return state

"""What lesson handover shows: the absent teacher's menu and prompts, what the substitute gets,
the 已上 buttons, and the feedback the absent teacher reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import Safe, t
from storage.models import HandoverNote
from views.common import day_label

# A message carries at most eight buttons: the whole leave and the feedback choice take two, so
# six lessons fit on one page; a longer leave is paged, four lessons and both page turns a page.
MENU_BUTTONS = 8
MENU_FIXED = 2
PAGE_TURNS = 2


@dataclass(frozen=True)
class Target:
    """A lesson of the leave (or the whole leave: no day), as the menu lists it."""

    day: date | None
    period: int
    label: str  # the lesson as a line says it (already HTML-safe)
    has_text: bool = False
    files: int = 0

    @property
    def ids(self) -> tuple[int, int]:
        return (self.day.toordinal(), self.period) if self.day is not None else (0, 0)


def target_of(day_ordinal: int, period: int) -> tuple[date | None, int]:
    """A pressed button's lesson (day 0: the whole leave)."""
    if day_ordinal == 0:
        return None, 0
    return date.fromordinal(day_ordinal), period


def offer_markup(lang: str, leave_id: int) -> InlineKeyboardMarkup:
    """添加交接 under the message that offers a handover."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "handover.button.open"),
                    callback_data=callbacks.HANDOVER_MENU.data(leave_id),
                )
            ]
        ]
    )


def _kept(lang: str, target: Target) -> str:
    """What a lesson holds so far (text, files), or "" for nothing."""
    what = []
    if target.has_text:
        what.append(t(lang, "handover.kept_text"))
    if target.files:
        what.append(t(lang, "handover.kept_files", count=target.files))
    if not what:
        return ""
    return t(lang, "handover.kept", what=Safe(t(lang, "common.list_sep").join(what)))


def menu_pages(count: int) -> int:
    """How many pages a menu of `count` lessons takes."""
    if count <= MENU_BUTTONS - MENU_FIXED:
        return 1
    per_page = MENU_BUTTONS - MENU_FIXED - PAGE_TURNS
    return -(-count // per_page)


def _page_of(count: int, page: int) -> tuple[int, int, int]:
    """The first and last index (exclusive) of a page's lessons, and the page itself (a page
    past the end, from a button drawn when the leave had more lessons, shows the last one)."""
    pages = menu_pages(count)
    page = min(max(page, 0), pages - 1)
    if pages == 1:
        return 0, count, 0
    per_page = MENU_BUTTONS - MENU_FIXED - PAGE_TURNS
    return page * per_page, min(count, (page + 1) * per_page), page


def handover_menu(
    lang: str,
    span: str,
    leave_id: int,
    lessons: Sequence[Target],
    whole: Target,
    at_once: bool,
    page: int = 0,
) -> tuple[Safe, InlineKeyboardMarkup]:
    """The lessons of the leave to leave something for, each with what it has so far; a long
    leave's lessons a page at a time, with page turns, so every one can be picked."""
    lines = [t(lang, "handover.menu", span=span)]
    rows: list[list[InlineKeyboardButton]] = []
    first, last, page = _page_of(len(lessons), page)
    pages = menu_pages(len(lessons))
    if pages > 1:
        lines.append(t(lang, "handover.menu_page", page=page + 1, pages=pages))
    for index in range(first, last):
        target = lessons[index]
        lines.append(
            t(
                lang,
                "handover.menu_line",
                index=index + 1,
                lesson=Safe(target.label),
                kept=Safe(_kept(lang, target)),
            )
        )
        button = InlineKeyboardButton(
            f"{index + 1}. {_short(lang, target)}",
            callback_data=callbacks.HANDOVER_PICK.data(leave_id, *target.ids),
        )
        if rows and len(rows[-1]) < 2:
            rows[-1].append(button)
        else:
            rows.append([button])
    if pages > 1:
        turns = []
        if page > 0:
            turns.append(
                InlineKeyboardButton(
                    t(lang, "handover.button.prev"),
                    callback_data=callbacks.HANDOVER_PAGE.data(leave_id, page - 1),
                )
            )
        if page < pages - 1:
            turns.append(
                InlineKeyboardButton(
                    t(lang, "handover.button.next"),
                    callback_data=callbacks.HANDOVER_PAGE.data(leave_id, page + 1),
                )
            )
        rows.append(turns)
    if not lessons:
        lines.append(t(lang, "handover.menu_none"))
    lines.append(t(lang, "handover.menu_whole", kept=Safe(_kept(lang, whole))))
    lines.append(t(lang, "handover.at_once" if at_once else "handover.when_back"))
    rows.append(
        [
            InlineKeyboardButton(
                t(lang, "handover.button.whole"),
                callback_data=callbacks.HANDOVER_PICK.data(leave_id, 0, 0),
            )
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(
                t(lang, "handover.button.when_back" if at_once else "handover.button.at_once"),
                callback_data=callbacks.HANDOVER_WHEN.data(leave_id, 0 if at_once else 1),
            )
        ]
    )
    return Safe("\n".join(lines)), InlineKeyboardMarkup(rows)


def _short(lang: str, target: Target) -> str:
    assert target.day is not None
    return t(lang, "handover.short_day", day=day_label(lang, target.day), period=target.period)


def target_name(lang: str, label: str | None) -> Safe:
    """A lesson's label, or the whole leave."""
    return Safe(label) if label is not None else t(lang, "handover.whole_leave")


def ask_prompt(
    lang: str,
    leave_id: int,
    target: tuple[date | None, int],
    name: str,
    notes: Sequence[HandoverNote],
    *,
    text_limit: int,
    file_limit: int,
) -> tuple[Safe, InlineKeyboardMarkup]:
    """Asks for the handover of one lesson, with what it holds so far."""
    lines: list[str] = [
        t(
            lang,
            "handover.ask",
            target=Safe(name),
            text_limit=text_limit,
            file_limit=file_limit,
        )
    ]
    lines.extend(_so_far(lang, notes))
    return Safe("\n".join(lines)), ask_markup(lang, leave_id, target, bool(notes))


def _so_far(lang: str, notes: Sequence[HandoverNote]) -> list[str]:
    if not notes:
        return []
    lines: list[str] = [t(lang, "handover.so_far")]
    lines.extend(
        t(lang, "handover.report.note", note=note.text) for note in notes if note.kind == "text"
    )
    files = sum(1 for note in notes if note.kind != "text")
    if files:
        lines.append(t(lang, "handover.files_line", count=files))
    return lines


def ask_markup(
    lang: str, leave_id: int, target: tuple[date | None, int], clearable: bool = True
) -> InlineKeyboardMarkup:
    day, period = target
    ids = (day.toordinal(), period) if day is not None else (0, 0)
    rows = [
        [
            InlineKeyboardButton(
                t(lang, "handover.button.done"),
                callback_data=callbacks.HANDOVER_DONE.data(leave_id, *ids),
            )
        ]
    ]
    if clearable:
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, "handover.button.clear"),
                    callback_data=callbacks.HANDOVER_CLEAR.data(leave_id, *ids),
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                t(lang, "handover.button.back"),
                callback_data=callbacks.HANDOVER_BACK.data(leave_id),
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


@dataclass(frozen=True)
class Handover:
    """What the substitute of one lesson gets: a message, then each file with a caption."""

    text: Safe
    files: list[tuple[str, str, str]]  # (photo | document, file id, file name)
    caption: Safe


def for_substitute(
    lang: str, teacher: str, lesson: str, notes: Sequence[HandoverNote], *, updated: bool = False
) -> Handover | None:
    """The handover of one covered lesson (the whole leave's notes first); None when the
    teacher left nothing for it."""
    if not notes:
        return None
    lines: list[str] = [t(lang, "handover.for_substitute", teacher=teacher, lesson=Safe(lesson))]
    if updated:
        lines[0] += " " + t(lang, "handover.updated")
    whole = [note for note in notes if note.day is None and note.kind == "text"]
    own = [note for note in notes if note.day is not None and note.kind == "text"]
    if whole:
        lines.append(t(lang, "handover.for_substitute_whole"))
        lines.extend(t(lang, "handover.report.note", note=note.text) for note in whole)
    if own:
        lines.append(t(lang, "handover.for_substitute_lesson"))
        lines.extend(t(lang, "handover.report.note", note=note.text) for note in own)
    files = [
        (note.kind, note.file_id, note.text or note.kind)
        for note in notes
        if note.kind != "text" and note.file_id
    ]
    if files:
        lines.append(t(lang, "handover.for_substitute_files", count=len(files)))
    caption = t(lang, "handover.file_caption", teacher=teacher, lesson=Safe(lesson))
    return Handover(Safe("\n".join(lines)), files, caption)


def taught_markup(lang: str, need_id: int) -> InlineKeyboardMarkup:
    """已上, under the substitute's messages about a lesson they cover."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "handover.taught.button"),
                    callback_data=callbacks.COVER_TAUGHT.data(need_id),
                )
            ]
        ]
    )


def skip_markup(lang: str, report_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "handover.taught.skip"),
                    callback_data=callbacks.COVER_TAUGHT_SKIP.data(report_id),
                )
            ]
        ]
    )


def feedback_message(lang: str, lines: Sequence[tuple[str, str, str]]) -> Safe:
    """The substitutes' 已上 and lines for the absent teacher: (lesson, substitute, note)."""
    out = [t(lang, "handover.report.title")]
    for lesson, name, note in lines:
        out.append(t(lang, "handover.report.line", lesson=Safe(lesson), name=name))
        if note:
            out.append(t(lang, "handover.report.note", note=note))
    return Safe("\n".join(out))

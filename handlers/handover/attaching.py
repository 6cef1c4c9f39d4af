"""The absent teacher leaves a handover (课务交接): for a lesson of their leave, or the whole
leave, they send text, photos or files, then 完成.

Reached from 添加交接 under the leave's own messages, or with /handover. Only the teacher whose
leave it is may press; only a pending or approved leave that has not ended takes notes. What
is kept goes to whoever covers each lesson (handlers/handover/giving.py, jobs/cover.py).
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.texts import Safe
from handlers.core.dialogue import dialogue
from handlers.core.turn import Turn, button, command
from handlers.handover.giving import COVERED, give_after, kit_of
from rules.cover import DayLesson
from rules.leave_dates import DayPart
from rules.states import LeaveStatus
from storage.cover import needs_of_leave
from storage.handover import (
    DOCUMENT,
    PHOTO,
    TEXT,
    add_file,
    add_text,
    choose,
    clear_notes,
    hears_at_once,
    notes_of,
    notes_of_leave,
)
from storage.leave import leaves_of
from storage.models import LeaveRequest
from storage.schedule import Kit, leave_lessons
from storage.types import stored_id
from views.handover import Target, ask_markup, ask_prompt, handover_menu, target_name, target_of
from views.leave import day_lesson_label, span_label

ATTACH = 1
END = ConversationHandler.END
TARGET_KEY = "handover_target"
# Enough for what to teach, the pages and the homework; a lesson plan goes as a file.
MAX_TEXT = 1000
MAX_FILES = 5
OPEN_STATES = (LeaveStatus.PENDING, LeaveStatus.APPROVED)
# What the teacher may send while a lesson is picked: text, a photo or a document.
HANDOVER_INPUT = (
    (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL
) & filters.ChatType.PRIVATE


def _today(turn: Turn, kit: Kit) -> date:
    return kit.today(turn.now)


def _still_open(turn: Turn, kit: Kit, leave: LeaveRequest) -> bool:
    return leave.status in OPEN_STATES and leave.last_day >= _today(turn, kit)


def _lessons_ahead(turn: Turn, kit: Kit, leave: LeaveRequest) -> list[DayLesson]:
    """The leave's lessons that have not begun: those someone will cover."""
    lessons, _ = leave_lessons(
        kit, leave.staff_id, leave.first_day, leave.last_day, DayPart.from_code(leave.part)
    )
    ahead = []
    for lesson in lessons:
        start = kit.schedule.lesson_start(lesson.day, lesson.period)
        if start is None or start > turn.now:
            ahead.append(lesson)
    return ahead


async def _own_leave(turn: Turn) -> tuple[LeaveRequest, Kit] | None:
    """The leave a handover button names, if it is the presser's own and still takes notes;
    otherwise the press is answered here."""
    assert turn.callback is not None
    leave = await turn.row_named(LeaveRequest, what="leave")
    if leave is None:
        return None
    me = turn.actor.staff
    if me is None or leave.staff_id != me.id:
        await turn.deny_press(
            subject_type="leave", subject_id=leave.id, button=f"hov:{turn.callback.action}"
        )
        return None
    kit = await kit_of(turn, leave.school_id)
    if kit is None:
        return None
    if not _still_open(turn, kit, leave):
        turn.toast(turn.t("handover.closed"), alert=True)
        turn.edit_origin(turn.t("handover.closed"))
        return None
    return leave, kit


async def _menu(
    turn: Turn, kit: Kit, leave: LeaveRequest, page: int = 0
) -> tuple[Safe, InlineKeyboardMarkup]:
    notes = await notes_of_leave(session=turn.session, leave_id=stored_id(leave))

    def target(day: date | None, period: int, label: str) -> Target:
        mine = [n for n in notes if n.day == day and (day is None or n.period == period)]
        return Target(
            day,
            period,
            label,
            has_text=any(n.kind == TEXT for n in mine),
            files=sum(1 for n in mine if n.kind != TEXT),
        )

    lessons = [
        target(
            lesson.day, lesson.period, day_lesson_label(turn.lang, kit.names, kit.schedule, lesson)
        )
        for lesson in _lessons_ahead(turn, kit, leave)
    ]
    # A lesson taught by the teacher in two classes at once (merged) is one handover.
    unique = list({(item.day, item.period): item for item in lessons}.values())
    span = span_label(turn.lang, leave.first_day, leave.last_day, leave.part)
    at_once = await hears_at_once(session=turn.session, leave_id=stored_id(leave))
    whole = target(None, 0, "")
    return handover_menu(turn.lang, span, stored_id(leave), unique, whole, at_once, page)


def _picked(
    turn: Turn, kit: Kit, leave: LeaveRequest
) -> tuple[date | None, int, str | None] | None:
    """The lesson a button names, if it is one of the leave's lessons still ahead (or the whole
    leave): its day, period and label."""
    assert turn.callback is not None
    day_ordinal = callbacks.HANDOVER_PICK.field(turn.callback, "day") or 0
    period = callbacks.HANDOVER_PICK.field(turn.callback, "period") or 0
    if day_ordinal and not 1 <= day_ordinal <= date.max.toordinal():
        return None
    day, period = target_of(day_ordinal, period)
    if day is None:
        return None, 0, None
    for lesson in _lessons_ahead(turn, kit, leave):
        if (lesson.day, lesson.period) == (day, period):
            return day, period, day_lesson_label(turn.lang, kit.names, kit.schedule, lesson)
    return None


@command(where="private", staff=True)
async def cmd_handover(turn: Turn) -> object:
    """`/handover`: the menu of the teacher's leave (a choice when there are several)."""
    me = turn.actor.staff
    if me is None:
        turn.reply(turn.t("common.not_linked"))
        return END
    kit = await kit_of(turn, me.school_id)
    if kit is None:
        return END
    leaves = [
        leave
        for leave in await leaves_of(session=turn.session, staff_id=stored_id(me))
        if _still_open(turn, kit, leave)
    ]
    if not leaves:
        turn.reply(turn.t("handover.no_leave"))
        return END
    if len(leaves) == 1:
        text, markup = await _menu(turn, kit, leaves[0])
        turn.reply(text, markup)
        return END
    rows = [
        [
            InlineKeyboardButton(
                span_label(turn.lang, leave.first_day, leave.last_day, leave.part),
                callback_data=callbacks.HANDOVER_MENU.data(stored_id(leave)),
            )
        ]
        for leave in sorted(leaves, key=lambda leave: leave.first_day)
    ]
    turn.reply(turn.t("handover.pick_leave"), InlineKeyboardMarkup(rows))
    return END


@button()
async def on_menu(turn: Turn) -> object:
    """添加交接 (under the leave's own messages, which stay as they are) or 返回列表 (in place):
    the leave's lessons with what each holds."""
    assert turn.callback is not None
    turn.context.user_data.pop(TARGET_KEY, None)
    found = await _own_leave(turn)
    if found is None:
        return END
    leave, kit = found
    text, markup = await _menu(turn, kit, leave)
    if callbacks.HANDOVER_BACK.matches(turn.callback):
        turn.edit_origin(text, markup)
    else:
        turn.reply(text, markup)
    return END


@button()
async def on_page(turn: Turn) -> None:
    """◀ ▶: another page of a long leave's lessons, in place."""
    assert turn.callback is not None
    found = await _own_leave(turn)
    if found is None:
        return
    leave, kit = found
    page = callbacks.HANDOVER_PAGE.field(turn.callback, "page") or 0
    turn.toast()
    turn.edit_origin(*await _menu(turn, kit, leave, page))


@button()
async def on_pick(turn: Turn) -> object:
    """A lesson (or the whole leave) picked: asks for its text, photos or files."""
    found = await _own_leave(turn)
    if found is None:
        return END
    leave, kit = found
    picked = _picked(turn, kit, leave)
    if picked is None:
        await turn.refuse_press(reason="unknown_lesson", leave=leave.id)
        return END
    day, period, label = picked
    turn.context.user_data[TARGET_KEY] = (stored_id(leave), day, period, label)
    notes = await notes_of(session=turn.session, leave_id=stored_id(leave), day=day, period=period)
    text, markup = ask_prompt(
        turn.lang,
        stored_id(leave),
        (day, period),
        target_name(turn.lang, label),
        notes,
        text_limit=MAX_TEXT,
        file_limit=MAX_FILES,
    )
    turn.edit_origin(text, markup)
    return ATTACH


@command(where="private", staff=True)
async def on_input(turn: Turn) -> object:
    """Text, a photo or a document for the lesson picked: kept, within the limits."""
    picked = turn.context.user_data.get(TARGET_KEY)
    if picked is None:
        turn.reply(turn.t("common.button_invalid"))
        return END
    leave_id, day, period, _label = picked
    leave = await turn.session.get(LeaveRequest, leave_id)
    me = turn.actor.staff
    kit = await kit_of(turn, leave.school_id) if leave is not None else None
    if leave is None or kit is None or me is None or leave.staff_id != me.id:
        turn.reply(turn.t("common.button_invalid"))
        return END
    if not _still_open(turn, kit, leave):
        turn.context.user_data.pop(TARGET_KEY, None)
        turn.reply(turn.t("handover.closed"))
        return END
    message = turn.update.effective_message
    assert message is not None
    notes = await notes_of(session=turn.session, leave_id=leave_id, day=day, period=period)
    markup = ask_markup(turn.lang, leave_id, (day, period))
    typed = (message.text or message.caption or "").strip()
    files = sum(1 for note in notes if note.kind != TEXT)
    kept_text = sum(len(note.text) + 1 for note in notes if note.kind == TEXT)
    file_id, kind, name = None, "", ""
    if message.photo:
        file_id, kind = message.photo[-1].file_id, PHOTO
    elif message.document is not None:
        file_id, kind = message.document.file_id, DOCUMENT
        name = (message.document.file_name or "")[:120]
    if file_id is None and not typed:
        turn.reply(turn.t("handover.not_this"), markup)
        return ATTACH
    if file_id is not None and files >= MAX_FILES:
        turn.reply(turn.t("handover.too_many_files", limit=MAX_FILES), markup)
        return ATTACH
    if typed and kept_text + len(typed) > MAX_TEXT:
        left = max(0, MAX_TEXT - kept_text)
        turn.reply(turn.t("handover.text_too_long", limit=MAX_TEXT, left=left), markup)
        return ATTACH
    if file_id is not None:
        await add_file(
            session=turn.session,
            leave=leave,
            day=day,
            period=period,
            kind=kind,
            file_id=file_id,
            text=name,
            now=turn.now,
        )
    if typed:  # the text typed, or a file's caption
        await add_text(
            session=turn.session, leave=leave, day=day, period=period, text=typed, now=turn.now
        )
    await turn.audit("handover_added", subject_type="leave", subject_id=leave_id, kind=kind or TEXT)
    if file_id is not None:
        turn.reply(turn.t("handover.got_file", count=files + 1, limit=MAX_FILES), markup)
    else:
        turn.reply(turn.t("handover.got_text"), markup)
    return ATTACH


@button()
async def on_clear(turn: Turn) -> object:
    """清空重写: the lesson's handover is dropped, to be sent again."""
    found = await _own_leave(turn)
    if found is None:
        return END
    leave, kit = found
    picked = _picked(turn, kit, leave)
    if picked is None:
        await turn.refuse_press(reason="unknown_lesson", leave=leave.id)
        return END
    day, period, label = picked
    await clear_notes(session=turn.session, leave_id=stored_id(leave), day=day, period=period)
    await turn.audit("handover_cleared", subject_type="leave", subject_id=leave.id)
    turn.context.user_data[TARGET_KEY] = (stored_id(leave), day, period, label)
    turn.edit_origin(
        turn.t("handover.cleared", target=target_name(turn.lang, label)),
        ask_markup(turn.lang, stored_id(leave), (day, period), clearable=False),
    )
    return ATTACH


@button()
async def on_done(turn: Turn) -> object:
    """完成: the handover is kept; substitutes already arranged for it get it now."""
    turn.context.user_data.pop(TARGET_KEY, None)
    found = await _own_leave(turn)
    if found is None:
        return END
    leave, kit = found
    picked = _picked(turn, kit, leave)
    if picked is None:
        await turn.refuse_press(reason="unknown_lesson", leave=leave.id)
        return END
    day, period, label = picked
    name = target_name(turn.lang, label)
    covered = [
        need
        for need in await needs_of_leave(
            session=turn.session, leave_id=stored_id(leave), states=COVERED
        )
        if need.substitute_id is not None
        and (day is None or (need.day, need.period) == (day, period))
        and not kit.lesson_over(need, turn.now)
    ]
    notes = await notes_of(session=turn.session, leave_id=stored_id(leave), day=day, period=period)
    back = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    turn.t("handover.button.back"),
                    callback_data=callbacks.HANDOVER_BACK.data(stored_id(leave)),
                )
            ]
        ]
    )
    if covered and notes:
        give_after(turn, covered, updated=True)
        names = sorted({kit.names.person(need.substitute_id) for need in covered})
        text = turn.t(
            "handover.saved_sent", target=name, names=turn.t("common.list_sep").join(names)
        )
    else:
        text = turn.t("handover.saved", target=name)
    turn.edit_origin(text, back)
    return END


@button()
async def on_when(turn: Turn) -> None:
    """When the teacher hears what substitutes say: at once, or on the first day back."""
    assert turn.callback is not None
    found = await _own_leave(turn)
    if found is None:
        return
    leave, kit = found
    at_once = callbacks.HANDOVER_WHEN.field(turn.callback, "now") == 1
    await choose(session=turn.session, leave=leave, at_once=at_once, now=turn.now)
    await turn.audit(
        "handover_feedback_when", subject_type="leave", subject_id=leave.id, at_once=at_once
    )
    text, markup = await _menu(turn, kit, leave)
    turn.edit_origin(text, markup)


@command(where="any")
async def on_cancel(turn: Turn) -> object:
    turn.context.user_data.pop(TARGET_KEY, None)
    turn.reply(turn.t("handover.cancelled"))
    return END


def handlers() -> list[BaseHandler]:
    menu = CallbackQueryHandler(
        on_menu, pattern=callbacks.pattern_of(callbacks.HANDOVER_MENU, callbacks.HANDOVER_BACK)
    )
    pick = CallbackQueryHandler(on_pick, pattern=callbacks.pattern_of(callbacks.HANDOVER_PICK))
    return [
        dialogue(
            "handover",
            entry_points=[CommandHandler("handover", cmd_handover), menu, pick],
            states={
                ATTACH: [
                    MessageHandler(HANDOVER_INPUT, on_input),
                    CallbackQueryHandler(
                        on_done, pattern=callbacks.pattern_of(callbacks.HANDOVER_DONE)
                    ),
                    CallbackQueryHandler(
                        on_clear, pattern=callbacks.pattern_of(callbacks.HANDOVER_CLEAR)
                    ),
                ]
            },
            fallbacks=[CommandHandler("cancel", on_cancel)],
        ),
        # The same buttons pressed after the dialogue was forgotten (a restart, a timeout).
        CallbackQueryHandler(on_done, pattern=callbacks.pattern_of(callbacks.HANDOVER_DONE)),
        CallbackQueryHandler(on_clear, pattern=callbacks.pattern_of(callbacks.HANDOVER_CLEAR)),
        CallbackQueryHandler(on_when, pattern=callbacks.pattern_of(callbacks.HANDOVER_WHEN)),
        CallbackQueryHandler(on_page, pattern=callbacks.HANDOVER_PAGE.pattern),
    ]

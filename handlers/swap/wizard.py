"""/swap as a wizard, and the /swap entry point: with words it is the one-line form.

My lesson (the next ones offered as buttons, or typed) → the colleague (the other teachers of
that class as buttons, or a name) → their lesson (the same class's lessons that can be swapped,
or typed) → confirm. /cancel or 取消 at any step; the draft is in memory until it is sent.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
)

from bot import callbacks
from bot.services import BotContext
from bot.texts import Safe, t
from handlers.core.dialogue import dialogue
from handlers.core.turn import Turn, button, command
from handlers.core.wizard import Retry, Step
from handlers.cover.boards import load_kit
from handlers.swap.checks import (
    SwapRefused,
    check_proposal,
    find_colleague,
    lesson_at,
    lesson_text,
    refusal_text,
)
from handlers.swap.commands import cmd_swap_line, propose
from rules.cover import DayLesson
from rules.leave_dates import MAX_PERIOD, LeaveDateError
from rules.swaps import parse_slot
from storage.models import Staff
from storage.schedule import Kit
from storage.types import stored_id
from views.common import day_label

END = ConversationHandler.END
MINE, COLLEAGUE, THEIRS, CONFIRM = range(4)
DRAFT_KEY = "swap_draft"
CHOICE_DAYS = 7
MAX_ROW_ID = 2**31
MAX_CHOICES = 8


def _draft(turn: Turn) -> dict[str, object]:
    return turn.context.user_data.setdefault(DRAFT_KEY, {})


def _stop_button(lang: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t(lang, "swap.button.stop"), callback_data=callbacks.SWAP_WIZARD_STOP.data()
    )


def _slot_value(day: date, period: int) -> int:
    return int(day.strftime("%Y%m%d")) * 100 + period


def _slot_of(value: int | None) -> tuple[date, int] | None:
    """The lesson slot a button carries, or None for a value no slot button could have."""
    if value is None or not 1 <= value % 100 <= MAX_PERIOD:
        return None
    day = value // 100
    try:
        return date(day // 10000, day // 100 % 100, day % 100), value % 100
    except ValueError:
        return None


def _stored(draft: dict[str, object], key: str) -> tuple[date, int] | None:
    return _slot_of(int(str(draft.get(key, 0))))


def _my_upcoming(turn: Turn, kit: Kit, teacher_id: int) -> list[DayLesson]:
    today = kit.today(turn.now)
    found: list[DayLesson] = []
    for offset in range(CHOICE_DAYS):
        day = today + timedelta(days=offset)
        for lesson in kit.schedule.lessons(day) or []:
            start = kit.schedule.lesson_start(day, lesson.period)
            if lesson.teacher_id == teacher_id and (start is None or start > turn.now):
                found.append(lesson)
    return found


@command(where="private", staff=True)
async def wizard_start(turn: Turn) -> object:
    """Asks which of my lessons to swap, offering the next ones as buttons."""
    me = turn.actor.staff
    if me is None:  # a system admin without a staff record has no lessons to swap
        turn.reply(turn.t("common.not_linked"))
        return END
    kit = await load_kit(turn, me.school_id)
    assert kit is not None
    upcoming = _my_upcoming(turn, kit, stored_id(me))
    if not upcoming:
        # Nothing to pick from (an office without lessons, a holiday ahead): no empty picker.
        turn.reply(turn.t("swap.wizard.no_lessons", days=CHOICE_DAYS))
        return END
    turn.context.user_data[DRAFT_KEY] = {}
    rows = [
        [
            InlineKeyboardButton(
                lesson_text(turn.lang, kit, lesson),
                callback_data=callbacks.SWAP_WIZARD_MINE.data(
                    _slot_value(lesson.day, lesson.period)
                ),
            )
        ]
        for lesson in upcoming[:MAX_CHOICES]
    ]
    rows.append([_stop_button(turn.lang)])
    turn.reply(turn.t("swap.wizard.mine"), InlineKeyboardMarkup(rows))
    return MINE


async def _take_mine(turn: Turn, slot: tuple[date, int]) -> object:
    me = turn.actor.staff
    assert me is not None
    kit = await load_kit(turn, me.school_id)
    assert kit is not None
    try:
        mine = lesson_at(turn, kit, stored_id(me), *slot)
    except SwapRefused as problem:
        turn.reply(refusal_text(turn, problem))
        return MINE
    if mine is None:
        turn.reply(
            turn.t(
                "swap.err.no_my_lesson",
                when=t(turn.lang, "swap.when", day=day_label(turn.lang, slot[0]), period=slot[1]),
            )
        )
        return MINE
    _draft(turn)["mine"] = _slot_value(*slot)
    teachers = sorted(
        {t_.teacher_id for t_ in kit.schedule.timetable if t_.class_id == mine.class_id}
        - {stored_id(me)}
    )
    rows = [
        [
            InlineKeyboardButton(
                kit.names.person(teacher),
                callback_data=callbacks.SWAP_WIZARD_COLLEAGUE.data(teacher),
            )
        ]
        for teacher in teachers[:MAX_CHOICES]
    ]
    rows.append([_stop_button(turn.lang)])
    turn.reply(
        turn.t("swap.wizard.colleague", lesson=Safe(lesson_text(turn.lang, kit, mine))),
        InlineKeyboardMarkup(rows),
    )
    return COLLEAGUE


async def _slot_pressed(turn: Turn, value: int | None) -> tuple[date, int] | None:
    return _slot_of(value)


async def _slot_typed(turn: Turn, text: str) -> tuple[date, int]:
    me = turn.actor.staff
    assert me is not None
    kit = await load_kit(turn, me.school_id)
    assert kit is not None
    try:
        return parse_slot(text, kit.today(turn.now))
    except LeaveDateError as problem:
        raise Retry(refusal_text(turn, problem)) from problem


MINE_STEP = Step(
    MINE,
    callbacks.SWAP_WIZARD_MINE,
    pressed=_slot_pressed,
    typed=_slot_typed,
    take=_take_mine,
)


async def _take_colleague(turn: Turn, colleague: Staff) -> object:
    me = turn.actor.staff
    assert me is not None
    kit = await load_kit(turn, me.school_id)
    assert kit is not None
    if colleague.id == me.id:
        turn.reply(turn.t("swap.err.self"))
        return COLLEAGUE
    mine_slot = _stored(_draft(turn), "mine")
    if mine_slot is None:
        turn.reply(turn.t("swap.wizard.lost"))
        return END
    _draft(turn)["colleague"] = colleague.id
    mine = lesson_at(turn, kit, stored_id(me), *mine_slot)
    rows: list[list[InlineKeyboardButton]] = []
    # Buttons for the usual case, two teachers of one class; other lessons can be typed.
    for lesson in _my_upcoming(turn, kit, stored_id(colleague)):
        if len(rows) >= MAX_CHOICES:
            break
        if mine is None or lesson.class_id != mine.class_id:
            continue
        try:
            await check_proposal(turn, kit, mine_slot, colleague, (lesson.day, lesson.period))
        except SwapRefused:
            continue
        rows.append(
            [
                InlineKeyboardButton(
                    lesson_text(turn.lang, kit, lesson),
                    callback_data=callbacks.SWAP_WIZARD_THEIRS.data(
                        _slot_value(lesson.day, lesson.period)
                    ),
                )
            ]
        )
    rows.append([_stop_button(turn.lang)])
    key = "swap.wizard.theirs" if len(rows) > 1 else "swap.wizard.theirs_none"
    turn.reply(turn.t(key, name=colleague.name), InlineKeyboardMarkup(rows))
    return THEIRS


async def _colleague_pressed(turn: Turn, staff_id: int | None) -> Staff | None:
    me = turn.actor.staff
    # An id beyond a database integer is forged; PostgreSQL would refuse to even look it up.
    wanted = staff_id or 0
    colleague = await turn.session.get(Staff, wanted) if 0 < wanted < MAX_ROW_ID else None
    if me is None or colleague is None or colleague.school_id != me.school_id:
        return None
    return colleague if colleague.active else None


async def _colleague_typed(turn: Turn, text: str) -> Staff:
    me = turn.actor.staff
    assert me is not None
    try:
        return await find_colleague(turn, me.school_id, text)
    except SwapRefused as problem:
        raise Retry(refusal_text(turn, problem)) from problem


COLLEAGUE_STEP = Step(
    COLLEAGUE,
    callbacks.SWAP_WIZARD_COLLEAGUE,
    pressed=_colleague_pressed,
    typed=_colleague_typed,
    take=_take_colleague,
)


async def _take_theirs(turn: Turn, slot: tuple[date, int]) -> object:
    me = turn.actor.staff
    assert me is not None
    kit = await load_kit(turn, me.school_id)
    assert kit is not None
    draft = _draft(turn)
    colleague = await turn.session.get(Staff, int(str(draft.get("colleague", 0))))
    mine_slot = _stored(draft, "mine")
    if colleague is None or mine_slot is None:
        turn.reply(turn.t("swap.wizard.lost"))
        return END
    try:
        proposal = await check_proposal(turn, kit, mine_slot, colleague, slot)
    except SwapRefused as problem:
        turn.reply(refusal_text(turn, problem))
        return THEIRS
    draft["theirs"] = _slot_value(*slot)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    turn.t("swap.button.submit"), callback_data=callbacks.SWAP_WIZARD_SUBMIT.data()
                ),
                _stop_button(turn.lang),
            ]
        ]
    )
    turn.reply(
        turn.t(
            "swap.wizard.confirm",
            mine=Safe(lesson_text(turn.lang, kit, proposal.mine)),
            name=colleague.name,
            theirs=Safe(lesson_text(turn.lang, kit, proposal.theirs)),
        ),
        markup,
    )
    return CONFIRM


THEIRS_STEP = Step(
    THEIRS,
    callbacks.SWAP_WIZARD_THEIRS,
    pressed=_slot_pressed,
    typed=_slot_typed,
    take=_take_theirs,
)


@button()
async def wizard_confirm(turn: Turn) -> object:
    """Sends the swap to the colleague, after checking it all again."""
    me = turn.actor.staff
    assert me is not None
    kit = await load_kit(turn, me.school_id)
    assert kit is not None
    draft = turn.context.user_data.pop(DRAFT_KEY, {})
    colleague = await turn.session.get(Staff, int(str(draft.get("colleague", 0))))
    mine_slot, theirs_slot = _stored(draft, "mine"), _stored(draft, "theirs")
    if colleague is None or mine_slot is None or theirs_slot is None:
        turn.edit_origin(turn.t("swap.wizard.lost"))
        return END
    try:
        proposal = await check_proposal(turn, kit, mine_slot, colleague, theirs_slot)
    except SwapRefused as problem:
        turn.edit_origin(refusal_text(turn, problem))
        return END
    turn.edit_origin(turn.t("swap.wizard.sent"))
    await propose(turn, kit, proposal)
    return END


@button()
async def wizard_stop(turn: Turn) -> object:
    """The 取消 button of any step."""
    turn.context.user_data.pop(DRAFT_KEY, None)
    turn.edit_origin(turn.t("common.cancelled"))
    return END


@command(where="any")
async def wizard_cancel(turn: Turn) -> object:
    """/cancel at any step: nothing was stored."""
    turn.context.user_data.pop(DRAFT_KEY, None)
    turn.reply(turn.t("common.cancelled"))
    return END


async def swap_entry(update: Update, context: BotContext) -> object:
    """/swap with words is the one-line form; without, the wizard."""
    if context.args:
        await cmd_swap_line(update, context)
        return END
    return await wizard_start(update, context)


def handlers() -> list[BaseHandler]:
    wizard = dialogue(
        "swap_wizard",
        entry_points=[CommandHandler("swap", swap_entry)],
        states={
            MINE: MINE_STEP.handlers(),
            COLLEAGUE: COLLEAGUE_STEP.handlers(),
            THEIRS: THEIRS_STEP.handlers(),
            CONFIRM: [
                CallbackQueryHandler(wizard_confirm, pattern=callbacks.SWAP_WIZARD_SUBMIT.pattern)
            ],
        },
        fallbacks=[
            CommandHandler("cancel", wizard_cancel),
            CallbackQueryHandler(wizard_stop, pattern=callbacks.SWAP_WIZARD_STOP.pattern),
        ],
    )
    return [wizard]

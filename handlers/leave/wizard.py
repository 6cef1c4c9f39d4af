"""/leave in private chat without words: a step-by-step wizard with buttons.

Type → first day → last day → part of the day → a colleague already asked to cover (or none) →
reason → confirm. Every step also takes typed text (a range typed at the first step skips the
second); /cancel or 取消 leaves at any step. The draft lives in memory only until it is
submitted, which is checked again and stored in one transaction.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot import callbacks
from bot.commands import START_LEAVE, started_with
from bot.services import BotContext
from bot.texts import Safe, t
from handlers.core.dialogue import dialogue
from handlers.core.turn import Turn, button, command
from handlers.core.wizard import TYPED, Retry, Step, typed_text
from handlers.cover.boards import load_kit
from handlers.leave.commands import cmd_leave_line
from handlers.leave.group import group_leave_hint, group_leave_line
from handlers.leave.request import MAX_REASON, Draft, Refusal, check_draft, refusal_text, submit
from rules.dates import read_span
from rules.leave_dates import (
    LEAVE_KINDS,
    DayPart,
    LeaveDateError,
    check_span,
    max_days_policy,
    parse_day,
    parse_kind,
    parse_part,
)
from storage.leave import deciders
from storage.schedule import Kit
from storage.types import stored_id
from views.common import day_label
from views.leave import (
    calendar_note,
    days_text,
    grade_label,
    kind_label,
    lessons_block,
    people_names,
    span_label,
)

END = ConversationHandler.END
KIND, FIRST, LAST, PART, SUBSTITUTE, REASON, CONFIRM = range(7)
DRAFT_KEY = "leave_draft"
DAY_CHOICES = 5
PARTS = ("full", "am", "pm")


def _draft(turn: Turn) -> dict[str, str]:
    return turn.context.user_data.setdefault(DRAFT_KEY, {})


def _stop(lang: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        t(lang, "leave.button.stop"), callback_data=callbacks.LEAVE_WIZARD_STOP.data()
    )


def _day_value(day: date) -> int:
    return int(day.strftime("%Y%m%d"))


def _day_of(value: int | None) -> date | None:
    """The day a button carries, or None for a value no day button could have (forged)."""
    if value is None:
        return None
    try:
        return date(value // 10000, value // 100 % 100, value % 100)
    except ValueError:
        return None


async def _kit(turn: Turn) -> Kit:
    staff = turn.actor.staff
    assert staff is not None
    kit = await load_kit(turn, staff.school_id)
    assert kit is not None
    return kit


def _day_buttons(
    turn: Turn, kit: Kit, start: date, kind: callbacks.Button
) -> list[list[InlineKeyboardButton]]:
    days = kit.schedule.calendar.school_days(start, start + timedelta(days=21))[:DAY_CHOICES]
    return [
        [
            InlineKeyboardButton(
                day_label(turn.lang, day),
                callback_data=kind.data(_day_value(day)),
            )
        ]
        for day in days
    ]


KINDS_PER_ROW = 4


@command(where="private", staff=True)
async def wizard_start(turn: Turn) -> object:
    """Starts a fresh draft and asks for the type of leave."""
    turn.context.user_data[DRAFT_KEY] = {}
    buttons = [
        InlineKeyboardButton(
            kind_label(turn.lang, kind), callback_data=callbacks.LEAVE_WIZARD_KIND.data(index)
        )
        for index, kind in enumerate(LEAVE_KINDS)
    ]
    rows = [buttons[i : i + KINDS_PER_ROW] for i in range(0, len(buttons), KINDS_PER_ROW)]
    turn.reply(turn.t("leave.wizard.kind"), InlineKeyboardMarkup([*rows, [_stop(turn.lang)]]))
    return KIND


async def _ask_first(turn: Turn) -> object:
    kit = await _kit(turn)
    rows = _day_buttons(turn, kit, kit.today(turn.now), callbacks.LEAVE_WIZARD_FIRST)
    turn.reply(turn.t("leave.wizard.first"), InlineKeyboardMarkup([*rows, [_stop(turn.lang)]]))
    return FIRST


async def _kind_pressed(turn: Turn, index: int | None) -> str | None:
    return LEAVE_KINDS[index] if index is not None and index < len(LEAVE_KINDS) else None


async def _kind_typed(turn: Turn, text: str) -> str:
    try:
        return parse_kind(text)
    except LeaveDateError as problem:
        raise Retry(refusal_text(turn, problem)) from problem


async def _take_kind(turn: Turn, kind: str) -> object:
    _draft(turn)["kind"] = kind
    return await _ask_first(turn)


KIND_STEP = Step(
    KIND,
    callbacks.LEAVE_WIZARD_KIND,
    pressed=_kind_pressed,
    typed=_kind_typed,
    take=_take_kind,
    done=lambda turn, kind: turn.t("leave.wizard.kind_done", kind=kind_label(turn.lang, kind)),
)


async def _span_problem(turn: Turn, kit: Kit, first: date, last: date) -> bool:
    # The kind is asked first; a draft from before it was (a restart) counts as the general case.
    kind = _draft(turn).get("kind", "other")
    problem = check_span(
        first,
        last,
        today=kit.today(turn.now),
        max_days=int(kit.policies.get(max_days_policy(kind))),
        kind=kind,
        allow_past=turn.actor.is_admin,
    )
    if problem is not None:
        turn.reply(refusal_text(turn, problem))
        return True
    return False


async def _take_first(turn: Turn, first: date, last: date | None) -> object:
    kit = await _kit(turn)
    if await _span_problem(turn, kit, first, last or first):
        return FIRST
    draft = _draft(turn)
    draft["first"] = first.isoformat()
    if last is not None:
        draft["last"] = last.isoformat()
        return await _ask_part(turn)
    rows = _day_buttons(turn, kit, first, callbacks.LEAVE_WIZARD_LAST)
    turn.reply(
        turn.t("leave.wizard.last", first=day_label(turn.lang, first)),
        InlineKeyboardMarkup([*rows, [_stop(turn.lang)]]),
    )
    return LAST


async def _first_pressed(turn: Turn, value: int | None) -> tuple[date, date | None] | None:
    first = _day_of(value)
    return (first, None) if first is not None else None


async def _first_typed(turn: Turn, text: str) -> tuple[date, date | None]:
    """The first day, or the whole range when one was typed."""
    kit = await _kit(turn)
    try:
        span = read_span(text, kit.today(turn.now))
    except LeaveDateError as problem:  # a date too far from today
        raise Retry(refusal_text(turn, problem, "leave.example_first")) from problem
    if span is None:
        raise Retry(turn.t("leave.err.day", value=text, example=turn.t("leave.example_first")))
    first, last = span
    return first, last if last != first else None


FIRST_STEP = Step(
    FIRST,
    callbacks.LEAVE_WIZARD_FIRST,
    pressed=_first_pressed,
    typed=_first_typed,
    take=lambda turn, span: _take_first(turn, *span),
    done=lambda turn, span: turn.t("leave.wizard.first_done", day=day_label(turn.lang, span[0])),
)


async def _take_last(turn: Turn, last: date) -> object:
    kit = await _kit(turn)
    first = date.fromisoformat(_draft(turn)["first"])
    if await _span_problem(turn, kit, first, last):
        return LAST
    _draft(turn)["last"] = last.isoformat()
    return await _ask_part(turn)


async def _last_pressed(turn: Turn, value: int | None) -> date | None:
    return _day_of(value)


async def _last_typed(turn: Turn, text: str) -> date:
    kit = await _kit(turn)
    try:
        return parse_day(text, kit.today(turn.now))
    except LeaveDateError as problem:
        raise Retry(refusal_text(turn, problem, "leave.example_last")) from problem


LAST_STEP = Step(
    LAST,
    callbacks.LEAVE_WIZARD_LAST,
    pressed=_last_pressed,
    typed=_last_typed,
    take=_take_last,
    done=lambda turn, last: turn.t("leave.wizard.last_done", day=day_label(turn.lang, last)),
)


async def _ask_part(turn: Turn) -> object:
    draft = _draft(turn)
    first, last = date.fromisoformat(draft["first"]), date.fromisoformat(draft["last"])
    buttons = [
        InlineKeyboardButton(
            turn.t(f"leave.part.{part}"), callback_data=callbacks.LEAVE_WIZARD_PART.data(index)
        )
        for index, part in enumerate(PARTS)
    ]
    days = day_label(turn.lang, first)
    if last != first:
        days = f"{days} ~ {day_label(turn.lang, last)}"
    turn.reply(
        turn.t("leave.wizard.part", days=days),
        InlineKeyboardMarkup([buttons, [_stop(turn.lang)]]),
    )
    return PART


def _draft_of(turn: Turn, substitute: str | None = None, reason: str = "") -> Draft:
    draft = _draft(turn)
    return Draft(
        kind=draft["kind"],
        first=date.fromisoformat(draft["first"]),
        last=date.fromisoformat(draft["last"]),
        part=DayPart.from_code(draft["part"]),
        reason=reason or draft.get("reason", ""),
        substitute=substitute if substitute is not None else (draft.get("substitute") or None),
    )


async def _take_part(turn: Turn, part: DayPart) -> object:
    _draft(turn)["part"] = part.code
    try:
        # Overlaps, days without school and a missing approver are better said now.
        await check_draft(turn, _draft_of(turn))
    except Refusal as problem:
        if problem.key == "leave.err.period_beyond":
            turn.reply(refusal_text(turn, problem))  # a slip of the finger: ask again
            return PART
        turn.context.user_data.pop(DRAFT_KEY, None)
        turn.reply(f"{refusal_text(turn, problem)}\n{turn.t('leave.wizard.again')}")
        return END
    turn.reply(
        turn.t("leave.wizard.substitute"),
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        turn.t("leave.button.no_substitute"),
                        callback_data=callbacks.LEAVE_WIZARD_NO_SUBSTITUTE.data(),
                    ),
                    _stop(turn.lang),
                ]
            ]
        ),
    )
    return SUBSTITUTE


async def _part_pressed(turn: Turn, index: int | None) -> DayPart | None:
    return DayPart(PARTS[index]) if index is not None and index < len(PARTS) else None


async def _part_typed(turn: Turn, text: str) -> DayPart:
    """第1-3节, 上午…"""
    try:
        return parse_part(text)
    except LeaveDateError as problem:
        raise Retry(refusal_text(turn, problem, "leave.example_part")) from problem


PART_STEP = Step(
    PART,
    callbacks.LEAVE_WIZARD_PART,
    pressed=_part_pressed,
    typed=_part_typed,
    take=_take_part,
    done=lambda turn, part: turn.t(
        "leave.wizard.part_done", part=turn.t(f"leave.part.{part.code}")
    ),
)


async def _ask_reason(turn: Turn) -> object:
    turn.reply(turn.t("leave.wizard.reason"), InlineKeyboardMarkup([[_stop(turn.lang)]]))
    return REASON


@button()
async def on_no_substitute(turn: Turn) -> object:
    """No colleague asked yet: the arranger will find one."""
    _draft(turn).pop("substitute", None)
    turn.edit_origin(turn.t("leave.wizard.no_substitute_done"))
    return await _ask_reason(turn)


@command(where="private", staff=True)
async def on_substitute_text(turn: Turn) -> object:
    """Checks the colleague named is free for every lesson, then asks for the reason."""
    name = typed_text(turn)
    try:
        await check_draft(turn, _draft_of(turn, substitute=name))
    except Refusal as problem:
        turn.reply(refusal_text(turn, problem))
        return SUBSTITUTE
    _draft(turn)["substitute"] = name
    return await _ask_reason(turn)


@command(where="private", staff=True)
async def on_reason_text(turn: Turn) -> object:
    """Stores the reason and shows the whole request, with who will decide, to confirm."""
    reason = typed_text(turn)
    if len(reason) > MAX_REASON:
        turn.reply(turn.t("common.too_long", limit=MAX_REASON))
        return REASON
    _draft(turn)["reason"] = reason
    try:
        checked = await check_draft(turn, _draft_of(turn, reason=reason))
    except Refusal as problem:
        turn.context.user_data.pop(DRAFT_KEY, None)
        turn.reply(f"{refusal_text(turn, problem)}\n{turn.t('leave.wizard.again')}")
        return END
    first_step = checked.chain[0]
    approvers = await deciders(
        session=turn.session,
        school_id=checked.staff.school_id,
        role=first_step.role,
        grade=first_step.grade,
        requester_id=stored_id(checked.staff),
    )
    roles = t(turn.lang, "leave.chain_sep").join(
        t(
            turn.lang,
            "leave.step_grade",
            role=turn.t(f"role.{s.role}"),
            grade=grade_label(turn.lang, s.grade),
        )
        if s.grade is not None
        else turn.t(f"role.{s.role}")
        for s in checked.chain
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    turn.t("leave.button.submit"),
                    callback_data=callbacks.LEAVE_WIZARD_SUBMIT.data(),
                ),
                _stop(turn.lang),
            ]
        ]
    )
    turn.reply(
        turn.t(
            "leave.wizard.confirm",
            kind=kind_label(turn.lang, checked.draft.kind),
            span=span_label(
                turn.lang, checked.draft.first, checked.draft.last, checked.draft.part.code
            ),
            days=days_text(checked.half_days),
            reason=reason,
            substitute=checked.substitute.name if checked.substitute else turn.t("common.none"),
            lessons=Safe(
                lessons_block(turn.lang, checked.kit, checked.lessons, checked.unknown_days)
            ),
            chain=roles,
            approvers=people_names(turn.lang, approvers),
        )
        + calendar_note(turn.lang, checked.kit, checked.draft.first, checked.draft.last),
        markup,
    )
    return CONFIRM


@button()
async def on_submit(turn: Turn) -> object:
    """Submits the request after checking it all again (days or roles may have changed)."""
    if "reason" not in _draft(turn):
        turn.edit_origin(turn.t("leave.wizard.lost"))
        return END
    try:
        checked = await check_draft(turn, _draft_of(turn))
    except Refusal as problem:
        turn.context.user_data.pop(DRAFT_KEY, None)
        turn.edit_origin(f"{refusal_text(turn, problem)}\n{turn.t('leave.wizard.again')}")
        return END
    turn.context.user_data.pop(DRAFT_KEY, None)
    turn.edit_origin(turn.t("leave.wizard.sent"))
    await submit(turn, checked, private_chat=turn.chat_id)
    return END


@button()
async def on_stop(turn: Turn) -> object:
    """The 取消 button of any step: nothing was stored."""
    turn.context.user_data.pop(DRAFT_KEY, None)
    turn.edit_origin(turn.t("common.cancelled"))
    return END


@command(where="any")
async def on_cancel(turn: Turn) -> object:
    """/cancel at any step: nothing was stored."""
    turn.context.user_data.pop(DRAFT_KEY, None)
    turn.reply(turn.t("common.cancelled"))
    return END


async def leave_entry(update: Update, context: BotContext) -> object:
    """/leave with words is the one-line form (taken out of the group at once); without words
    the wizard, in private (from the group, a deep link opens it there)."""
    chat = update.effective_chat
    in_group = chat is not None and chat.type != chat.PRIVATE
    if context.args:
        await (group_leave_line if in_group else cmd_leave_line)(update, context)
        return END
    if in_group:
        await group_leave_hint(update, context)
        return END
    return await wizard_start(update, context)


def handlers() -> list[BaseHandler]:
    text = TYPED
    wizard = dialogue(
        "leave_wizard",
        entry_points=[
            CommandHandler("leave", leave_entry),
            CommandHandler("start", wizard_start, filters=started_with(START_LEAVE)),
        ],
        states={
            KIND: KIND_STEP.handlers(),
            FIRST: FIRST_STEP.handlers(),
            LAST: LAST_STEP.handlers(),
            PART: PART_STEP.handlers(),
            SUBSTITUTE: [
                CallbackQueryHandler(
                    on_no_substitute, pattern=callbacks.LEAVE_WIZARD_NO_SUBSTITUTE.pattern
                ),
                MessageHandler(text, on_substitute_text),
            ],
            REASON: [MessageHandler(text, on_reason_text)],
            CONFIRM: [
                CallbackQueryHandler(on_submit, pattern=callbacks.LEAVE_WIZARD_SUBMIT.pattern)
            ],
        },
        fallbacks=[
            CommandHandler("cancel", on_cancel),
            CallbackQueryHandler(on_stop, pattern=callbacks.LEAVE_WIZARD_STOP.pattern),
        ],
    )
    return [wizard]

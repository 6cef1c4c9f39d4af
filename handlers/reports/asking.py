"""/report: the office's records as Excel workbooks, in a private chat.

Buttons pick the report (only those the person may have) and the period (this month, last
month, this term, or one typed: `2026-11`, `2026-09-01~2026-11-30`); `/report 代课 2026-11` asks
in one line. While the period picker or the 输入时段… prompt is the person's latest dialogue,
whatever they type next is taken as the period; a reply to the prompt works even after that
dialogue is forgotten (a restart, the timeout). Every press is authorised again against the
role table, and every report handed out is audited. The workbook is built off the event loop.
"""

from __future__ import annotations

import re
from functools import cache

from telegram import ForceReply, Message
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.config import LANGUAGES
from bot.offload import off_loop
from bot.texts import catalogue, t
from handlers.core.dialogue import dialogue
from handlers.core.outbox import Attachment
from handlers.core.turn import Turn, button, command
from handlers.core.wizard import TYPED, typed_text
from handlers.reports.common import no_reports_text, scope_of, terms_of, today_of
from handlers.reports.records import add_entry, lock, remove_entry, unlock
from rules.report_requests import (
    ADD_WORDS,
    KINDS,
    LOCK_WORDS,
    PERIOD_CHOICES,
    REMOVE_WORDS,
    UNLOCK_WORDS,
    Period,
    PeriodError,
    Scope,
    chosen_period,
    parse_period,
    read_request,
)
from storage.reports import (
    load_report,
)
from views.charts import report_chart
from views.reports import kinds_keyboard, periods_keyboard, render

END = ConversationHandler.END
PERIOD = "period"  # the dialogue's one step: typed text is the period
KIND_KEY = "report_kind"  # user_data: the report whose period is being asked for


def _await_period(turn: Turn, kind: str) -> object:
    """The period picker (or its prompt) was just shown: typed text is its period from now."""
    turn.context.user_data[KIND_KEY] = kind
    return PERIOD


def _stop_waiting(turn: Turn) -> object:
    turn.context.user_data.pop(KIND_KEY, None)
    return END


def _allowed_names(turn: Turn, scope: Scope) -> str:
    return "、".join(t(turn.lang, f"report.name.{kind}") for kind in scope.kinds)


async def _refuse_kind(turn: Turn, kind: str, scope: Scope | None) -> bool:
    """Says so (and audits) when the person may not have this report; True when refused."""
    if scope is not None and kind in scope.kinds:
        return False
    await turn.audit("denied", report=kind)
    name = t(turn.lang, f"report.name.{kind}")
    if scope is None:
        text = no_reports_text(turn)
    else:
        text = turn.t("report.not_allowed", report=name, kinds=_allowed_names(turn, scope))
    if turn.update.callback_query is not None:
        turn.toast(text, alert=True)
    else:
        turn.reply(text)
    return True


async def _send(turn: Turn, school_id: int, kind: str, period: Period, scope: Scope) -> None:
    """Builds the report for its reader and sends it as a document."""
    report = await load_report(
        session=turn.session,
        school_id=school_id,
        kind=kind,
        period=period,
        scope=scope,
        today=today_of(turn),
    )
    made = await off_loop(render, turn.lang, report)
    turn.out.send(turn.chat_id, made.caption, attachment=Attachment(made.filename, made.data))
    chart = await off_loop(report_chart, turn.lang, report)
    if chart is not None:
        turn.out.send(
            turn.chat_id, chart.caption, attachment=Attachment(chart.filename, chart.data, "photo")
        )
    await turn.audit(
        "report_sent",
        subject_type="report",
        kind=kind,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        grade=scope.grade,
        staff=scope.staff_id,
    )


def _period_error(turn: Turn, error: PeriodError) -> str:
    return turn.t(f"report.err.{error.key}", **error.values)


@command(where="private", staff=True)
async def cmd_report(turn: Turn) -> object:
    """`/report` offers the reports; `/report 代课 2026-11` sends one at once; `/report 代课`
    offers the periods and waits for one typed."""
    _stop_waiting(turn)
    return await _report(turn)


async def _report(turn: Turn) -> object:
    school_id = turn.actor.school_id
    if school_id is None:
        turn.reply(turn.t("common.no_school"))
        return END
    scope = await scope_of(turn)
    if scope is None:
        await turn.audit("denied", command="/report")
        turn.reply(no_reports_text(turn))
        return END
    if not turn.args:
        turn.reply(turn.t("report.choose_kind"), kinds_keyboard(turn.lang, scope.kinds))
        return END
    if turn.args[0].casefold() in LOCK_WORDS:
        await lock(turn, school_id, scope, " ".join(turn.args[1:]))
        return END
    if turn.args[0].casefold() in UNLOCK_WORDS:
        await unlock(turn, school_id, scope, " ".join(turn.args[1:]))
        return END
    if turn.args[0].casefold() in ADD_WORDS + REMOVE_WORDS:
        if not scope.whole_school:
            await turn.audit("denied", command=f"/report {turn.args[0]}")
            turn.reply(turn.t("common.not_allowed"))
        elif turn.args[0].casefold() in ADD_WORDS:
            await add_entry(turn, school_id, turn.args[1:])
        else:
            await remove_entry(turn, school_id, turn.args[1:])
        return END
    try:
        kind, period = read_request(turn.args, today_of(turn), await terms_of(turn, school_id))
    except PeriodError as error:
        turn.reply(_period_error(turn, error) + "\n" + turn.t("report.usage"))
        return END
    if kind is None:
        turn.reply(turn.t("report.usage"))
        return END
    if await _refuse_kind(turn, kind, scope):
        return END
    if period is None:
        name = t(turn.lang, f"report.name.{kind}")
        turn.reply(turn.t("report.choose_period", report=name), periods_keyboard(turn.lang, kind))
        return _await_period(turn, kind)
    await _send(turn, school_id, kind, period, scope)
    return END


@button()
async def on_report_button(turn: Turn) -> object:
    """A report picked (asks the period), a period picked (sends it), or 输入时段 (asks for
    one typed)."""
    pressed = turn.callback
    ids = (
        callbacks.REPORT_KIND.read(pressed)
        or callbacks.REPORT_PERIOD.read(pressed)
        or callbacks.REPORT_TYPED.read(pressed)
    )
    index = ids.get("kind") if ids is not None else None
    school_id = turn.actor.school_id
    if ids is None or index is None or not 0 <= index < len(KINDS):
        await turn.refuse_press(reason="bad_action")
        return _stop_waiting(turn)
    kind = KINDS[index]
    scope = await scope_of(turn) if school_id is not None else None
    if school_id is None or await _refuse_kind(turn, kind, scope):
        if school_id is None:
            turn.toast(turn.t("common.no_school"), alert=True)
        return _stop_waiting(turn)
    assert scope is not None
    name = t(turn.lang, f"report.name.{kind}")
    if callbacks.REPORT_KIND.matches(pressed):
        turn.edit_origin(
            turn.t("report.choose_period", report=name), periods_keyboard(turn.lang, kind)
        )
        return _await_period(turn, kind)
    if callbacks.REPORT_TYPED.matches(pressed):
        turn.out.send(
            turn.chat_id,
            turn.t("report.ask_period", report=name),
            ForceReply(input_field_placeholder=turn.t("report.period_placeholder")),
        )
        return _await_period(turn, kind)
    choice = ids.get("period")
    if choice is None or not 0 <= choice < len(PERIOD_CHOICES):
        await turn.refuse_press(reason="bad_period")
        return _stop_waiting(turn)
    try:
        period = chosen_period(
            PERIOD_CHOICES[choice], today_of(turn), await terms_of(turn, school_id)
        )
    except PeriodError as error:
        turn.toast(_period_error(turn, error), alert=True)
        return _await_period(turn, kind)
    await _send(turn, school_id, kind, period, scope)
    return _stop_waiting(turn)


@cache
def _prompt_pattern() -> re.Pattern[str]:
    """The period prompt in every language, naming its report: `代课统计：请回复时段…`."""
    names = {catalogue()[f"report.name.{kind}"][lang]: kind for kind in KINDS for lang in LANGUAGES}
    template = catalogue()["report.ask_period"]
    heads = {template[lang].split("{report}")[1][:6] for lang in LANGUAGES}
    return re.compile(
        "^(?P<name>"
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + ")(?:"
        + "|".join(re.escape(h) for h in heads)
        + ")"
    )


def _kind_named(text: str) -> str | None:
    match = _prompt_pattern().match(text)
    if match is None:
        return None
    for kind in KINDS:
        if any(catalogue()[f"report.name.{kind}"][lang] == match["name"] for lang in LANGUAGES):
            return kind
    return None


class _PeriodReply(filters.MessageFilter):
    """A text reply to the bot's prompt for a report's period."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return (
            replied is not None
            and replied.from_user is not None
            and replied.from_user.is_bot
            and _kind_named(replied.text or "") is not None
        )


@command(where="private", staff=True)
async def on_period_reply(turn: Turn) -> None:
    """The period typed as a reply to the prompt once its dialogue is forgotten: sends the
    report the prompt names."""
    message = turn.update.effective_message
    assert message is not None and message.reply_to_message is not None
    await _typed_period(turn, _kind_named(message.reply_to_message.text or ""))


@command(where="private", staff=True)
async def on_period_text(turn: Turn) -> object:
    """Text typed while the picker or the prompt is waiting: the period of the report asked
    for (a reply to a prompt names its own report). A period that cannot be read is explained
    and the next text tried again."""
    message = turn.update.effective_message
    replied = message.reply_to_message if message is not None else None
    kind = _kind_named(replied.text or "") if replied is not None else None
    kind = kind or turn.context.user_data.get(KIND_KEY)
    if await _typed_period(turn, kind):
        return _stop_waiting(turn)
    return PERIOD if turn.context.user_data.get(KIND_KEY) else _stop_waiting(turn)


async def _typed_period(turn: Turn, kind: str | None) -> bool:
    """Sends report `kind` for the typed period; False when the period could not be read (the
    person was told why) and they may type it again."""
    school_id = turn.actor.school_id
    if kind not in KINDS or school_id is None:
        turn.reply(turn.t("report.usage"))
        return True
    scope = await scope_of(turn)
    if await _refuse_kind(turn, kind, scope):
        return True
    assert scope is not None
    try:
        period = parse_period(typed_text(turn))
    except PeriodError as error:
        turn.reply(_period_error(turn, error))
        return False
    await _send(turn, school_id, kind, period, scope)
    return True


def handlers() -> list[BaseHandler]:
    return [
        dialogue(
            "report_period",
            entry_points=[
                CommandHandler("report", cmd_report),
                CallbackQueryHandler(on_report_button, pattern=callbacks.REPORTS.pattern),
            ],
            states={PERIOD: [MessageHandler(TYPED, on_period_text)]},
            fallbacks=[],
        ),
        MessageHandler(TYPED & _PeriodReply(), on_period_reply),
    ]

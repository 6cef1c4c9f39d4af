"""/report: the office's records as Excel workbooks, in a private chat.

Buttons pick the report (only those the person may have) and the period (this month, last
month, this term, or one typed as a reply: `2026-11`, `2026-09-01~2026-11-30`); `/report 代课
2026-11` asks in one line. Every press is authorised again against the role table, and every
report handed out is audited. The workbook is built off the event loop.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo

from telegram import ForceReply, Message
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.config import LANGUAGES
from bot.offload import off_loop
from bot.texts import catalogue, t
from handlers.outbox import Attachment
from handlers.turn import Turn, button, command
from rules.classnames import ClassNameError, parse_class_name
from rules.events import parse_id
from rules.reports import (
    ADD_WORDS,
    KINDS,
    PERIOD_CHOICES,
    REMOVE_WORDS,
    Period,
    PeriodError,
    Scope,
    chosen_period,
    cover_statement,
    month_of,
    parse_period,
    read_manual,
    read_request,
    report_scope,
)
from storage.models import ManualCover
from storage.reports import (
    add_manual_cover,
    cover_rates,
    cover_records,
    is_locked,
    load_report,
    lock_month,
    remove_manual_cover,
    school_book,
)
from views.charts import report_chart
from views.reports import kinds_keyboard, periods_keyboard, render

LOCK_WORDS = ("lock", "锁定")


def _scope(turn: Turn) -> Scope | None:
    staff = turn.actor.staff
    return report_scope(
        turn.actor.roles,
        is_admin=turn.actor.is_admin,
        staff_id=staff.id if staff is not None else None,
        grade=staff.grade if staff is not None else None,
    )


def _today(turn: Turn) -> date:
    school = turn.actor.school
    tz = ZoneInfo(school.timezone) if school is not None else turn.svc.clock.tz
    return turn.now.astimezone(tz).date()


async def _terms(turn: Turn, school_id: int) -> list[tuple[date, date]]:
    return (await school_book(session=turn.session, school_id=school_id)).terms()


def _allowed_names(turn: Turn, scope: Scope) -> str:
    return "、".join(t(turn.lang, f"report.name.{kind}") for kind in scope.kinds)


async def _refuse_kind(turn: Turn, kind: str, scope: Scope | None) -> bool:
    """Says so (and audits) when the person may not have this report; True when refused."""
    if scope is not None and kind in scope.kinds:
        return False
    await turn.audit("denied", report=kind)
    name = t(turn.lang, f"report.name.{kind}")
    if scope is None:
        text = turn.t("common.not_allowed")
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
        today=_today(turn),
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


async def _lock(turn: Turn, school_id: int, scope: Scope, typed: str) -> None:
    """`/report lock 2026-11`: the office fixes a past month's cover statement once it is
    paid; later changes to that month's covers no longer change it."""
    if not scope.whole_school:
        await turn.audit("denied", command="/report lock")
        turn.reply(turn.t("common.not_allowed"))
        return
    try:
        month = parse_period(typed)
    except PeriodError:
        turn.reply(turn.t("report.lock.usage"))
        return
    if month != month_of(month.start):
        turn.reply(turn.t("report.lock.usage"))
        return
    if month.end >= _today(turn):
        turn.reply(turn.t("report.lock.not_over", month=f"{month.start:%Y-%m}"))
        return
    book = await school_book(session=turn.session, school_id=school_id)
    rates = cover_rates(book.policies)
    lock = await lock_month(
        session=turn.session,
        school_id=school_id,
        month=month,
        names=book.names,
        rates=rates,
        by=turn.actor.telegram_id,
        now=turn.now,
    )
    if lock is None:
        turn.reply(turn.t("report.lock.already", month=f"{month.start:%Y-%m}"))
        return
    statement = cover_statement(
        await cover_records(
            session=turn.session, school_id=school_id, period=month, names=book.names
        ),
        {},
        rates,
    )
    await turn.audit(
        "cover_month_locked",
        subject_type="cover_month_lock",
        subject_id=lock.id,
        month=f"{month.start:%Y-%m}",
        lessons=statement.covered,
        pay=statement.pay,
    )
    turn.reply(
        turn.t(
            "report.lock.done",
            month=f"{month.start:%Y-%m}",
            lessons=statement.covered,
            pay=statement.pay,
        )
    )


async def _add_manual(turn: Turn, school_id: int, words: list[str]) -> None:
    """`/report 补录 2026-11-05 3 三(2)班 语文 曹明 周雅琴`: a cover arranged outside the bot,
    so the statement is complete; refused in a locked month."""
    try:
        line = read_manual(words, _today(turn))
    except PeriodError:
        turn.reply(turn.t("report.manual.usage"))
        return
    names = (await school_book(session=turn.session, school_id=school_id)).names
    try:
        class_name = parse_class_name(line.class_name).name
    except ClassNameError:
        class_name = line.class_name
    class_id = next((i for i, n in names.classes.items() if n == class_name), None)
    subject_id = next((i for i, n in names.subjects.items() if n == line.subject), None)
    people = {person.name: person_id for person_id, person in names.staff.items()}
    substitute_id = people.get(line.substitute)
    absent_id = people.get(line.absent) if line.absent is not None else None
    unknown = [
        typed
        for typed, found in (
            (line.class_name, class_id),
            (line.subject, subject_id),
            (line.substitute, substitute_id),
            *([(line.absent, absent_id)] if line.absent is not None else []),
        )
        if found is None
    ]
    if unknown or class_id is None or subject_id is None or substitute_id is None:
        turn.reply(turn.t("report.manual.unknown", names="、".join(unknown)))
        return
    if await is_locked(session=turn.session, school_id=school_id, day=line.day):
        turn.reply(turn.t("report.manual.locked", month=f"{line.day:%Y-%m}"))
        return
    entry = await add_manual_cover(
        session=turn.session,
        entry=ManualCover(
            school_id=school_id,
            day=line.day,
            period=line.period,
            class_id=class_id,
            subject_id=subject_id,
            substitute_id=substitute_id,
            absent_id=absent_id,
            kind=line.kind,
            created_at=turn.now,
            created_by=turn.actor.telegram_id,
        ),
    )
    await turn.audit(
        "manual_cover_added",
        subject_type="manual_cover",
        subject_id=entry.id,
        day=line.day.isoformat(),
        period=line.period,
        klass=class_name,
        substitute=substitute_id,
        absent=absent_id,
        kind=line.kind,
    )
    turn.reply(
        turn.t(
            "report.manual.added",
            id=entry.id,
            day=line.day.isoformat(),
            period=line.period,
            klass=class_name,
            subject=line.subject,
            substitute=line.substitute,
            kind=t(turn.lang, f"report.kind.{line.kind}"),
            absent=line.absent or "—",
        )
    )


async def _remove_manual(turn: Turn, school_id: int, words: list[str]) -> None:
    entry_id = parse_id(words[0]) if len(words) == 1 else None
    if entry_id is None:
        turn.reply(turn.t("report.manual.remove_usage"))
        return
    entry = await turn.session.get(ManualCover, entry_id)
    if entry is None or entry.school_id != school_id:
        turn.reply(turn.t("report.manual.no_such", id=entry_id))
        return
    if await is_locked(session=turn.session, school_id=school_id, day=entry.day):
        turn.reply(turn.t("report.manual.locked", month=f"{entry.day:%Y-%m}"))
        return
    await remove_manual_cover(session=turn.session, school_id=school_id, entry_id=entry_id)
    await turn.audit(
        "manual_cover_removed",
        subject_type="manual_cover",
        subject_id=entry_id,
        day=entry.day.isoformat(),
        period=entry.period,
        substitute=entry.substitute_id,
    )
    turn.reply(turn.t("report.manual.removed", id=entry_id))


def _period_error(turn: Turn, error: PeriodError) -> str:
    return turn.t(f"report.err.{error.key}", **error.values)


@command(where="private", staff=True)
async def cmd_report(turn: Turn) -> None:
    """`/report` offers the reports; `/report 代课 2026-11` sends one at once."""
    school_id = turn.actor.school_id
    if school_id is None:
        turn.reply(turn.t("common.no_school"))
        return
    scope = _scope(turn)
    if scope is None:
        turn.reply(turn.t("common.not_allowed"))
        return
    if not turn.args:
        turn.reply(turn.t("report.choose_kind"), kinds_keyboard(turn.lang, scope.kinds))
        return
    if turn.args[0].casefold() in LOCK_WORDS:
        await _lock(turn, school_id, scope, " ".join(turn.args[1:]))
        return
    if turn.args[0].casefold() in ADD_WORDS + REMOVE_WORDS:
        if not scope.whole_school:
            await turn.audit("denied", command=f"/report {turn.args[0]}")
            turn.reply(turn.t("common.not_allowed"))
        elif turn.args[0].casefold() in ADD_WORDS:
            await _add_manual(turn, school_id, turn.args[1:])
        else:
            await _remove_manual(turn, school_id, turn.args[1:])
        return
    try:
        kind, period = read_request(turn.args, _today(turn), await _terms(turn, school_id))
    except PeriodError as error:
        turn.reply(_period_error(turn, error) + "\n" + turn.t("report.usage"))
        return
    if kind is None:
        turn.reply(turn.t("report.usage"))
        return
    if await _refuse_kind(turn, kind, scope):
        return
    if period is None:
        name = t(turn.lang, f"report.name.{kind}")
        turn.reply(turn.t("report.choose_period", report=name), periods_keyboard(turn.lang, kind))
        return
    await _send(turn, school_id, kind, period, scope)


@button()
async def on_report_button(turn: Turn) -> None:
    """A report picked (asks the period), a period picked (sends it), or 输入时段 (asks for
    one as a reply)."""
    assert turn.callback is not None
    action, index = turn.callback.action, turn.callback.id()
    school_id = turn.actor.school_id
    if action not in ("k", "p", "t") or index is None or not 0 <= index < len(KINDS):
        await turn.audit("button_refused", reason="bad_action")
        turn.toast(turn.t("common.button_invalid"), alert=True)
        return
    kind = KINDS[index]
    scope = _scope(turn) if school_id is not None else None
    if school_id is None or await _refuse_kind(turn, kind, scope):
        if school_id is None:
            turn.toast(turn.t("common.no_school"), alert=True)
        return
    assert scope is not None
    name = t(turn.lang, f"report.name.{kind}")
    if action == "k":
        turn.edit_origin(
            turn.t("report.choose_period", report=name), periods_keyboard(turn.lang, kind)
        )
        return
    if action == "t":
        turn.out.send(
            turn.chat_id,
            turn.t("report.ask_period", report=name),
            ForceReply(input_field_placeholder=turn.t("report.period_placeholder")),  # type: ignore[arg-type]
        )
        return
    choice = turn.callback.id(1)
    if choice is None or not 0 <= choice < len(PERIOD_CHOICES):
        await turn.audit("button_refused", reason="bad_period")
        turn.toast(turn.t("common.button_invalid"), alert=True)
        return
    try:
        period = chosen_period(PERIOD_CHOICES[choice], _today(turn), await _terms(turn, school_id))
    except PeriodError as error:
        turn.toast(_period_error(turn, error), alert=True)
        return
    await _send(turn, school_id, kind, period, scope)


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
    """The period typed as a reply to the prompt: sends the report the prompt names."""
    message = turn.update.effective_message
    assert message is not None and message.reply_to_message is not None
    kind = _kind_named(message.reply_to_message.text or "")
    school_id = turn.actor.school_id
    if kind is None or school_id is None:
        turn.reply(turn.t("report.usage"))
        return
    scope = _scope(turn)
    if await _refuse_kind(turn, kind, scope):
        return
    assert scope is not None
    try:
        period = parse_period(message.text or "")
    except PeriodError as error:
        turn.reply(_period_error(turn, error))
        return
    await _send(turn, school_id, kind, period, scope)


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("report", cmd_report),
        CallbackQueryHandler(on_report_button, pattern=callbacks.pattern("rep")),
        MessageHandler(
            filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & _PeriodReply(),
            on_period_reply,
        ),
    ]

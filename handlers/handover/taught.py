"""已上: after the lesson, the substitute says it was taught and may add a line on how it went.

The absent teacher hears it as they chose for the leave (handlers/handover/attaching.py): at
once, or on their first school morning back (jobs/handover.py).
"""

from __future__ import annotations

from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot import callbacks
from bot.texts import Safe
from handlers.core.dialogue import dialogue
from handlers.core.turn import Turn, button, command
from handlers.core.wizard import TYPED, typed_text
from handlers.handover.giving import COVERED, kit_of
from jobs import kinds
from storage.handover import close_line, hears_at_once, mark_delivered, report_taught
from storage.models import CoverNeed, CoverReport
from storage.schedule import Kit
from storage.types import stored_id
from views.handover import feedback_message, skip_markup
from views.leave import language_of, need_label

LINE = 1
END = ConversationHandler.END
REPORT_KEY = "cover_report"
MAX_LINE = 200


@button()
async def on_taught(turn: Turn) -> object:
    """已上: recorded once the lesson began, by whoever covers it; asks for a line."""
    need = await turn.row_named(CoverNeed, what="need")
    if need is None:
        return END
    me = turn.actor.staff
    if me is None or need.substitute_id != me.id or need.status not in COVERED:
        await turn.deny_press(
            "handover.taught.not_yours",
            subject_type="cover_need",
            subject_id=need.id,
            button="covd:ok",
        )
        return END
    kit = await kit_of(turn, need.school_id)
    if kit is None:
        return END
    start = kit.schedule.lesson_start(need.day, need.period)
    if start is not None and start > turn.now:
        turn.toast(turn.t("handover.taught.not_yet", start=f"{start:%H:%M}"), alert=True)
        return END
    report = await report_taught(
        session=turn.session, need=need, staff_id=stored_id(me), now=turn.now
    )
    if report is None:
        turn.toast(turn.t("handover.taught.already"), alert=True)
        return END
    await turn.audit("cover_taught", subject_type="cover_need", subject_id=need.id)
    # The absent teacher's feedback is planned only on days something waits for them.
    await turn.schedule_changed(need.school_id, kinds.HANDOVER)
    turn.context.user_data[REPORT_KEY] = stored_id(report)
    turn.toast()
    turn.reply(
        turn.t(
            "handover.taught.ask",
            lesson=Safe(need_label(turn.lang, kit.names, kit.schedule, need)),
            teacher=kit.names.person(need.absent_id),
        ),
        skip_markup(turn.lang, stored_id(report)),
    )
    return LINE


async def _finish(turn: Turn, report: CoverReport, note: str) -> str:
    """Closes the report with its line; the teacher is told now if they chose so. Returns what
    the substitute is told."""
    kit = await kit_of(turn, report.school_id)
    name = kit.names.person(report.absent_id) if kit is not None else ""
    if not await close_line(session=turn.session, report_id=stored_id(report), note=note):
        return turn.t("handover.taught.already")
    if kit is not None and await _tell_now(turn, kit, report, note):
        return turn.t("handover.taught.thanks_now", teacher=name)
    return turn.t("handover.taught.thanks_later", teacher=name)


async def _tell_now(turn: Turn, kit: Kit, report: CoverReport, note: str) -> bool:
    need = await turn.session.get(CoverNeed, report.need_id)
    teacher = kit.names.staff.get(report.absent_id)
    if need is None or teacher is None or teacher.telegram_id is None:
        return False
    if not await hears_at_once(session=turn.session, leave_id=need.leave_id):
        return False
    if not await mark_delivered(session=turn.session, ids=[stored_id(report)], now=turn.now):
        return False
    lang = language_of(teacher, turn.svc.settings.default_language)
    lesson = need_label(lang, kit.names, kit.schedule, need)
    line = (lesson, kit.names.person(report.substitute_id), note)
    turn.out.send(teacher.telegram_id, feedback_message(lang, [line]))
    return True


async def _own_report(turn: Turn, report_id: int | None) -> CoverReport | None:
    report = await turn.session.get(CoverReport, report_id) if report_id is not None else None
    me = turn.actor.staff
    if report is None or me is None or report.substitute_id != me.id:
        return None
    return report


@command(where="private", staff=True)
async def on_line(turn: Turn) -> object:
    """The line on how the lesson went."""
    report_id = turn.context.user_data.get(REPORT_KEY)
    report = await _own_report(turn, report_id)
    if report is None:
        turn.context.user_data.pop(REPORT_KEY, None)
        turn.reply(turn.t("common.button_invalid"))
        return END
    line = typed_text(turn)
    if len(line) > MAX_LINE:
        turn.reply(turn.t("handover.taught.too_long", limit=MAX_LINE))
        return LINE
    turn.context.user_data.pop(REPORT_KEY, None)
    turn.reply(await _finish(turn, report, line))
    return END


@button()
async def on_skip(turn: Turn) -> object:
    """不用了: no line; the teacher hears only that the lesson was taught."""
    assert turn.callback is not None
    turn.context.user_data.pop(REPORT_KEY, None)
    report_id = callbacks.COVER_TAUGHT_SKIP.field(turn.callback, "report")
    report = await turn.session.get(CoverReport, report_id) if report_id is not None else None
    if report is None or report.school_id != turn.actor.school_id:
        await turn.refuse_press(reason="unknown_report", report=report_id)
        return END
    if await _own_report(turn, report_id) is None:
        await turn.deny_press(subject_type="cover_report", subject_id=report_id, button="covd:skip")
        return END
    turn.edit_origin(await _finish(turn, report, ""))
    return END


@command(where="any")
async def on_cancel(turn: Turn) -> object:
    turn.context.user_data.pop(REPORT_KEY, None)
    turn.reply(turn.t("handover.cancelled"))
    return END


def handlers() -> list[BaseHandler]:
    skip = CallbackQueryHandler(on_skip, pattern=callbacks.COVER_TAUGHT_SKIP.pattern)
    return [
        dialogue(
            "cover_taught",
            entry_points=[CallbackQueryHandler(on_taught, pattern=callbacks.COVER_TAUGHT.pattern)],
            states={LINE: [MessageHandler(TYPED, on_line), skip]},
            fallbacks=[CommandHandler("cancel", on_cancel)],
        ),
        CallbackQueryHandler(on_skip, pattern=callbacks.COVER_TAUGHT_SKIP.pattern),
    ]

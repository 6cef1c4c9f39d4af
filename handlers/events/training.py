"""/hours: my training hours (学时), self-reports the academic office approves or returns, and
the report of who is behind pace.

Returning a report needs a reason. The 退回 button asks for it with a reply prompt that names
the report; the answer (a reply to that prompt) or `/hours return <id> <reason>` decides it.
Either way only the first decision counts.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.commands import ORGANISERS
from bot.texts import Safe, split_message, t
from handlers.core.turn import Turn, button, command
from rules.events import parse_id
from rules.roles import OFFICE
from rules.states import TrainingStatus
from rules.training import (
    HoursError,
    TrainingYear,
    behind_pace,
    format_hours,
    guess_category,
    pace,
    parse_hours,
    split_title,
    training_year,
)
from storage.models import Staff, TrainingEntry
from storage.policies import load_policies
from storage.staff import admin_recipients, school_staff
from storage.training import (
    approved_totals,
    decide,
    entries_of,
    report_hours,
)
from storage.types import stored_id
from views.common import day_label
from views.events import category_label

MAX_TITLE = 50
MAX_NOTE = 200
RECENT = 5
# The reason prompt names its report like this in both languages (see training.toml).
REASON_PROMPT = re.compile(r"(?:学时申报|hours report) #(\d+)")
SUBCOMMANDS = {
    "add": "add", "申报": "add", "添加": "add",
    "return": "return", "退回": "return",
    "report": "report", "统计": "report", "进度": "report",
}  # fmt: skip


async def _year(turn: Turn, school_id: int) -> tuple[TrainingYear, int, date]:
    """The current training year, the target in tenths, and today at the school."""
    policies = await load_policies(session=turn.session, school_id=school_id)
    school = turn.actor.school
    tz = ZoneInfo(school.timezone) if school is not None else turn.svc.clock.tz
    today = turn.now.astimezone(tz).date()
    year = training_year(today, policies.get("training.year_start"))
    return year, policies.get("training.target_hours") * 10, today


def _entry_text(lang: str, entry: TrainingEntry, name: str) -> Safe:
    return t(
        lang,
        "hours.entry",
        id=entry.id,
        name=name,
        hours=format_hours(entry.hours_tenths),
        title=entry.title,
        category=category_label(lang, entry.category),
        day=day_label(lang, entry.day),
    )


async def _mine(turn: Turn, staff: Staff) -> None:
    year, target, today = await _year(turn, staff.school_id)
    entries = await entries_of(session=turn.session, staff_id=stored_id(staff), year=year)
    approved = [e for e in entries if e.status == TrainingStatus.APPROVED]
    done = sum(e.hours_tenths for e in approved)
    lines: list[str] = [
        turn.t(
            "hours.mine_title",
            start=day_label(turn.lang, year.start),
            end=day_label(turn.lang, year.end),
        ),
        turn.t(
            "hours.mine_total",
            done=format_hours(done),
            target=format_hours(target),
            pace=format_hours(pace(target, year, today)),
        ),
    ]
    by_category: dict[str, int] = defaultdict(int)
    for entry in approved:
        by_category[entry.category] += entry.hours_tenths
    lines += [
        turn.t(
            "hours.mine_category",
            category=category_label(turn.lang, category),
            hours=format_hours(hours),
        )
        for category, hours in sorted(by_category.items(), key=lambda item: -item[1])
    ]
    pending = [e for e in entries if e.status == TrainingStatus.PENDING]
    if pending:
        lines.append(turn.t("hours.mine_pending"))
        lines += [_entry_text(turn.lang, e, staff.name) for e in pending]
    returned = [e for e in entries if e.status == TrainingStatus.RETURNED]
    if returned:
        lines.append(turn.t("hours.mine_returned"))
        lines += [
            _entry_text(turn.lang, e, staff.name) + turn.t("hours.reason", reason=e.reason)
            for e in returned
        ]
    if approved:
        lines.append(turn.t("hours.mine_recent"))
        lines += [_entry_text(turn.lang, e, staff.name) for e in approved[-RECENT:]]
    lines.append("")
    lines.append(turn.t("hours.mine_hint"))
    for chunk in split_message(lines):
        turn.reply(chunk)


async def _approvers(turn: Turn, staff: Staff) -> list[tuple[int, str]]:
    """(telegram id, language) of the academic office, else of the admins; never the reporter."""
    default = turn.svc.settings.default_language
    office = [
        (s.telegram_id, s.language or default)
        for s in await school_staff(session=turn.session, school_id=staff.school_id)
        if OFFICE in s.role_set and s.telegram_id is not None and s.id != staff.id
    ]
    if office:
        return office
    admins = await admin_recipients(
        session=turn.session,
        school_id=staff.school_id,
        system_admins=turn.svc.settings.bootstrap_admin_ids,
        default_language=default,
    )
    return [(tid, lang) for tid, lang in admins if tid != staff.telegram_id]


async def _add(turn: Turn, staff: Staff, words: list[str]) -> None:
    if len(words) < 2:
        turn.reply(turn.t("hours.usage_add"))
        return
    try:
        tenths = parse_hours(words[0])
    except HoursError as exc:
        turn.reply(turn.t(exc.key, **exc.values) + "\n" + turn.t("hours.usage_add"))
        return
    title, note = split_title(words[1:])
    if len(title) > MAX_TITLE or len(note) > MAX_NOTE:
        turn.reply(
            turn.t("common.too_long", limit=MAX_TITLE if len(title) > MAX_TITLE else MAX_NOTE)
        )
        return
    _, _, today = await _year(turn, staff.school_id)
    entry = await report_hours(
        session=turn.session,
        school_id=staff.school_id,
        staff_id=stored_id(staff),
        day=today,
        tenths=tenths,
        title=title,
        category=guess_category(title, default="培训"),
        note=note,
        now=turn.now,
    )
    await turn.audit(
        "hours_reported",
        subject_type="training_entry",
        subject_id=entry.id,
        hours=format_hours(tenths),
        title=title,
    )
    approvers = await _approvers(turn, staff)
    for telegram_id, lang in approvers:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t(lang, "hours.approve"),
                        callback_data=callbacks.HOURS_APPROVE.data(stored_id(entry)),
                    ),
                    InlineKeyboardButton(
                        t(lang, "hours.return"),
                        callback_data=callbacks.HOURS_RETURN.data(stored_id(entry)),
                    ),
                ]
            ]
        )
        text: str = t(lang, "hours.ask_office", entry=_entry_text(lang, entry, staff.name))
        if note:
            text += "\n" + t(lang, "hours.note", note=note)
        turn.out.send(telegram_id, text, markup)
    key = "hours.reported" if approvers else "hours.reported_no_office"
    turn.reply(turn.t(key, entry=_entry_text(turn.lang, entry, staff.name)))


async def _entry_to_decide(turn: Turn, entry_id: int) -> TrainingEntry | None:
    """The entry if the actor may decide it (same school, office or admin, not their own)."""
    entry = await turn.session.get(TrainingEntry, entry_id)
    if entry is None or entry.school_id != turn.actor.school_id:
        return None
    if not turn.actor.has_any(ORGANISERS):
        return None
    if turn.actor.staff is not None and entry.staff_id == turn.actor.staff.id:
        return None
    return entry


async def _say_decided(turn: Turn, entry: TrainingEntry, staff: Staff) -> None:
    """Someone decided first: who and how, as a toast and on the pressed message, or a reply."""
    await turn.session.refresh(entry)
    decider = await turn.session.get(Staff, entry.decided_by) if entry.decided_by else None
    who = decider.name if decider is not None else turn.t("role.admin")
    text = turn.t("hours.already_decided", state=turn.t(f"hours.state_{entry.status}"), who=who)
    if turn.update.callback_query is None:
        turn.reply(text)
        return
    turn.toast(text, alert=True)
    closed = turn.t(
        f"hours.closed_{entry.status}", entry=_entry_text(turn.lang, entry, staff.name), who=who
    )
    turn.edit_origin(closed)


async def _decide(turn: Turn, entry: TrainingEntry, approve: bool, reason: str = "") -> bool:
    """Decides, audits and tells the teacher; False (and says so) when decided before."""
    by = turn.actor.staff
    staff = await turn.session.get(Staff, entry.staff_id)
    assert staff is not None
    if not await decide(
        session=turn.session,
        entry_id=stored_id(entry),
        approve=approve,
        by_staff_id=by.id if by is not None else None,
        now=turn.now,
        reason=reason,
    ):
        await _say_decided(turn, entry, staff)
        return False
    await turn.audit(
        "hours_approved" if approve else "hours_returned",
        subject_type="training_entry",
        subject_id=entry.id,
        staff=staff.id,
        reason=reason or None,
    )
    who = by.name if by is not None else turn.actor.display_name
    lang = staff.language or turn.svc.settings.default_language
    if staff.telegram_id is not None:
        key = "hours.approved_user" if approve else "hours.returned_user"
        turn.out.send(
            staff.telegram_id,
            t(lang, key, entry=_entry_text(lang, entry, staff.name), who=who, reason=reason),
        )
    return True


@button()
async def on_hours_button(turn: Turn) -> None:
    """通过 approves at once; 退回 asks for the reason first."""
    assert turn.callback is not None
    entry_id = turn.callback.id()
    if turn.callback.action not in ("ok", "no") or entry_id is None:
        await turn.refuse_press(reason="bad_action")
        return
    entry = await _entry_to_decide(turn, entry_id)
    if entry is None:
        await turn.deny_press(subject_type="training_entry", subject_id=entry_id)
        return
    staff = await turn.session.get(Staff, entry.staff_id)
    assert staff is not None
    if turn.callback.action == "ok":
        if await _decide(turn, entry, approve=True):
            who = turn.actor.staff.name if turn.actor.staff else turn.actor.display_name
            turn.edit_origin(
                turn.t(
                    "hours.closed_approved",
                    entry=_entry_text(turn.lang, entry, staff.name),
                    who=who,
                )
            )
        return
    if entry.status != TrainingStatus.PENDING:
        await _say_decided(turn, entry, staff)
        return
    turn.out.send(
        turn.chat_id,
        turn.t("hours.ask_reason", id=entry.id, entry=_entry_text(turn.lang, entry, staff.name)),
        ForceReply(selective=True, input_field_placeholder=turn.t("hours.reason_placeholder")),
    )


async def _return(turn: Turn, entry_id: int | None, reason: str) -> None:
    if entry_id is None or not reason:
        turn.reply(turn.t("hours.usage_return"))
        return
    if len(reason) > MAX_NOTE:
        turn.reply(turn.t("common.too_long", limit=MAX_NOTE))
        return
    entry = await _entry_to_decide(turn, entry_id)
    if entry is None:
        turn.reply(turn.t("hours.unknown", id=entry_id))
        return
    staff = await turn.session.get(Staff, entry.staff_id)
    assert staff is not None
    if await _decide(turn, entry, approve=False, reason=reason):
        turn.reply(
            turn.t("hours.returned", entry=_entry_text(turn.lang, entry, staff.name), reason=reason)
        )


class _ReasonReply(filters.MessageFilter):
    """A text reply to the bot's prompt for a return reason."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return (
            replied is not None
            and replied.from_user is not None
            and replied.from_user.is_bot
            and REASON_PROMPT.search(replied.text or "") is not None
        )


@command(where="private", staff=True)
async def on_reason_reply(turn: Turn) -> None:
    """The reason typed as a reply to the prompt: returns the report it names."""
    message = turn.update.effective_message
    assert message is not None and message.reply_to_message is not None
    match = REASON_PROMPT.search(message.reply_to_message.text or "")
    await _return(turn, int(match[1]) if match else None, (message.text or "").strip())


async def _report(turn: Turn, school_id: int) -> None:
    year, target, today = await _year(turn, school_id)
    totals = await approved_totals(session=turn.session, school_id=school_id, year=year)
    staff = await school_staff(session=turn.session, school_id=school_id)
    behind = sorted(
        (s for s in staff if behind_pace(totals.get(stored_id(s), 0), target, year, today)),
        key=lambda s: (totals.get(stored_id(s), 0), s.name),
    )
    lines = [
        turn.t(
            "hours.report_title",
            day=day_label(turn.lang, today),
            start=day_label(turn.lang, year.start),
            end=day_label(turn.lang, year.end),
        ),
        turn.t(
            "hours.report_pace",
            target=format_hours(target),
            pace=format_hours(pace(target, year, today)),
        ),
    ]
    if behind:
        lines.append(turn.t("hours.report_behind", count=len(behind), total=len(staff)))
        lines += [
            turn.t(
                "hours.report_line", name=s.name, hours=format_hours(totals.get(stored_id(s), 0))
            )
            for s in behind
        ]
    else:
        lines.append(turn.t("hours.report_all_on_pace", total=len(staff)))
    for chunk in split_message(lines):
        turn.reply(chunk)


@command(where="private", staff=True)
async def cmd_hours(turn: Turn) -> None:
    """`/hours`, `/hours add 3 区级培训 备注`, `/hours return <id> <reason>`, `/hours report`."""
    words = turn.args
    action = SUBCOMMANDS.get(words[0].casefold()) if words else None
    school_id = turn.actor.school_id
    if school_id is None:
        turn.reply(turn.t("common.no_school"))
        return
    if action in ("return", "report"):
        if not turn.actor.has_any(ORGANISERS):
            await turn.audit("denied", command=f"/hours {action}", roles=sorted(ORGANISERS))
            turn.reply(turn.t("common.not_allowed"))
            return
        if action == "report":
            await _report(turn, school_id)
        else:
            entry_id = parse_id(words[1]) if len(words) > 1 else None
            await _return(turn, entry_id, " ".join(words[2:]).strip())
        return
    staff = turn.actor.staff
    if staff is None:
        turn.reply(turn.t("hours.no_record"))
        return
    if action == "add":
        await _add(turn, staff, words[1:])
    elif words:
        turn.reply(turn.t("hours.usage"))
    else:
        await _mine(turn, staff)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("hours", cmd_hours),
        CallbackQueryHandler(on_hours_button, pattern=callbacks.HOURS.pattern),
        MessageHandler(
            filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & _ReasonReply(),
            on_reason_reply,
        ),
    ]

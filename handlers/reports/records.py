"""What the office records about covers for the statement: a month locked once it is paid
(`/report 锁定 2026-11`) or reopened for a correction (`/report 解锁 2026-11`), a cover arranged
outside the bot entered (`/report 补录 …`) or removed (`/report 删除补录 12`). Each is audited."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.texts import t
from handlers.core.turn import Turn
from handlers.reports.common import today_of
from rules.classnames import ClassNameError, parse_class_name
from rules.events import parse_id
from rules.report_requests import (
    Period,
    PeriodError,
    Scope,
    month_of,
    parse_period,
    read_manual,
)
from rules.reports import cover_statement
from storage.cover_locks import lock_on, unlock_month
from storage.models import ManualCover
from storage.reports import (
    SchoolBook,
    add_manual_cover,
    cover_rates,
    cover_records,
    lock_month,
    remove_manual_cover,
    school_book,
)
from storage.types import stored_id
from views.month_locks import lock_values


async def lock(turn: Turn, school_id: int, scope: Scope, typed: str) -> None:
    """`/report lock 2026-11`: the office fixes a past month's cover statement once it is
    paid; later changes to that month's covers no longer change it."""
    if not scope.whole_school:
        await turn.audit("denied", command="/report lock")
        turn.reply(turn.t("common.not_allowed"))
        return
    month = _month_typed(typed)
    if month is None:
        turn.reply(turn.t("report.lock.usage"))
        return
    if month.end >= today_of(turn):
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


def _month_typed(typed: str) -> Period | None:
    """A whole month as typed (2026-11), or None."""
    try:
        month = parse_period(typed)
    except PeriodError:
        return None
    return month if month == month_of(month.start) else None


async def unlock(turn: Turn, school_id: int, scope: Scope, typed: str) -> None:
    """`/report unlock 2026-11`: the office reopens a locked month to correct its cover; its
    statement follows the records again until it is locked anew. The statement as it was
    locked (lessons, pay) stays in the audit."""
    if not scope.whole_school:
        await turn.audit("denied", command="/report unlock")
        turn.reply(turn.t("common.not_allowed"))
        return
    month = _month_typed(typed)
    if month is None:
        turn.reply(turn.t("report.unlock.usage"))
        return
    label = f"{month.start:%Y-%m}"
    book = await school_book(session=turn.session, school_id=school_id)
    kept = cover_statement(
        await cover_records(
            session=turn.session, school_id=school_id, period=month, names=book.names
        ),
        {},
        cover_rates(book.policies),
    )
    if not await unlock_month(session=turn.session, school_id=school_id, month=month.start):
        turn.reply(turn.t("report.unlock.not_locked", month=label))
        return
    await turn.audit(
        "cover_month_unlocked",
        subject_type="cover_month_lock",
        month=label,
        lessons=kept.covered,
        pay=kept.pay,
    )
    turn.reply(turn.t("report.unlock.done", month=label, lessons=kept.covered, pay=kept.pay))


async def _refuse_locked(turn: Turn, book: SchoolBook, day: date) -> bool:
    """Refuses an entry in a locked month, naming who locked it and how to reopen it."""
    lock = await lock_on(session=turn.session, school_id=stored_id(book.school), day=day)
    if lock is None:
        return False
    values = lock_values(turn.lang, book.names, lock, ZoneInfo(book.school.timezone))
    turn.reply(turn.t("report.manual.locked", **values))
    return True


async def add_entry(turn: Turn, school_id: int, words: list[str]) -> None:
    """`/report 补录 2026-11-05 3 三(2)班 语文 曹明 周雅琴`: a cover arranged outside the bot,
    so the statement is complete; refused in a locked month."""
    try:
        line = read_manual(words, today_of(turn))
    except PeriodError:
        turn.reply(turn.t("report.manual.usage"))
        return
    book = await school_book(session=turn.session, school_id=school_id)
    names = book.names
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
    if await _refuse_locked(turn, book, line.day):
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


async def remove_entry(turn: Turn, school_id: int, words: list[str]) -> None:
    entry_id = parse_id(words[0]) if len(words) == 1 else None
    if entry_id is None:
        turn.reply(turn.t("report.manual.remove_usage"))
        return
    entry = await turn.session.get(ManualCover, entry_id)
    if entry is None or entry.school_id != school_id:
        turn.reply(turn.t("report.manual.no_such", id=entry_id))
        return
    book = await school_book(session=turn.session, school_id=school_id)
    if await _refuse_locked(turn, book, entry.day):
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

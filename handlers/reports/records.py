"""What the office records about covers for the statement: a month locked once it is paid
(`/report 锁定 2026-11`), a cover arranged outside the bot entered (`/report 补录 …`) or removed
(`/report 删除补录 12`). Each is audited."""

from __future__ import annotations

from bot.texts import t
from handlers.core.turn import Turn
from handlers.reports.common import today_of
from rules.classnames import ClassNameError, parse_class_name
from rules.events import parse_id
from rules.report_requests import PeriodError, Scope, month_of, parse_period, read_manual
from rules.reports import cover_statement
from storage.models import ManualCover
from storage.reports import (
    add_manual_cover,
    cover_rates,
    cover_records,
    is_locked,
    lock_month,
    remove_manual_cover,
    school_book,
)


async def lock(turn: Turn, school_id: int, scope: Scope, typed: str) -> None:
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


async def add_entry(turn: Turn, school_id: int, words: list[str]) -> None:
    """`/report 补录 2026-11-05 3 三(2)班 语文 曹明 周雅琴`: a cover arranged outside the bot,
    so the statement is complete; refused in a locked month."""
    try:
        line = read_manual(words, today_of(turn))
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


async def remove_entry(turn: Turn, school_id: int, words: list[str]) -> None:
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

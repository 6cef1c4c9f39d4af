"""The office's reports as workbooks a school prints and files, and the messages that offer them.

Pure: from a language and plain values (rules/reports.py) to bytes, text and keyboards; the
sheets are laid out and written by views/workbook.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.texts import t
from rules.report_requests import KINDS, PERIOD_CHOICES, Period
from rules.reports import (
    COVER_KINDS,
    ClassDay,
    CoverStatement,
    DutyRecord,
    GradeShare,
    HomeworkRecord,
    PatrolRecord,
    Report,
    TeacherHours,
    TeacherLeave,
    duty_counts,
    leave_kinds_in,
)
from rules.training import CATEGORY_CODES
from views.leave import grade_label
from views.workbook import DATE_FORMAT, Book, Column, Sheet, write

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ReportFile:
    filename: str
    data: bytes
    caption: str
    mime_type: str = XLSX_MIME


def render(lang: str, report: Report) -> ReportFile:
    """The report's workbook, its file name and its caption. Slow for a long period of a large
    school: run it off the event loop."""
    heading = title(lang, report.school, report.kind, report.period)
    scope = report.scope
    if report.kind == "cover":
        assert report.cover is not None
        data = cover_workbook(lang, heading, report.cover, dict(report.names), report.locked)
    elif report.kind == "leave":
        data = leave_workbook(lang, heading, report.leave)
    elif report.kind == "training":
        data = training_workbook(lang, heading, report.training)
    elif report.kind == "homework":
        data = homework_workbook(lang, heading, report.homework, report.class_days, report.shares)
    else:
        data = duty_workbook(lang, heading, report.duties, report.patrols, report.missing_patrols)
    return ReportFile(
        filename(lang, report.school, report.kind, report.period),
        data,
        caption(
            lang,
            report.kind,
            report.period,
            grade=scope.grade,
            own=scope.staff_id is not None,
        ),
    )


def title(lang: str, school: str, kind: str, period: Period) -> str:
    return t(
        lang,
        "report.title",
        school=school,
        report=t(lang, f"report.name.{kind}"),
        start=period.start.isoformat(),
        end=period.end.isoformat(),
    )


def filename(lang: str, school: str, kind: str, period: Period) -> str:
    return f"{school}-{t(lang, f'report.name.{kind}')}-{period.slug}.xlsx"


def _hours(tenths: int | Fraction) -> float:
    return round(float(tenths) / 10, 1)


# --- 代课统计 ------------------------------------------------------------------------------


def cover_workbook(
    lang: str,
    heading: str,
    statement: CoverStatement,
    names: dict[int, str],
    locked: Sequence[date] = (),
) -> bytes:
    """Totals per teacher (with the balance, pay and a signature column) and each lesson; the
    external teachers (外聘), if the school has any on the statement, on sheets of their own
    with their own totals, after those on the establishment (在编)."""
    note = t(lang, "report.balance_note") + "".join(
        " " + t(lang, "report.locked_note", month=f"{month:%Y-%m}") for month in locked
    )
    if not statement.has_external:
        totals, details = _cover_sheets(lang, statement, names, note)
        return write(lang, Book(heading, [totals, details]))
    summaries: list[Sheet] = []
    lessons: list[Sheet] = []
    for external in (False, True):
        part = statement.staffed(external)
        if not part.teachers:
            continue  # an external teacher's own statement has no 在编 part
        label = "external" if external else "internal"
        totals, details = _cover_sheets(lang, part, names, note)
        for sheet, name in ((totals, "totals"), (details, "details")):
            sheet.name = t(lang, f"report.sheet.{label}_{name}")
            sheet.title = heading + t(lang, f"report.part.{label}")
        summaries.append(totals)
        lessons.append(details)
    # The summaries first: the office signs and pays from them, the details back them up.
    return write(lang, Book(heading, summaries + lessons))


def _cover_sheets(
    lang: str, statement: CoverStatement, names: dict[int, str], note: str
) -> tuple[Sheet, Sheet]:
    """The totals and the details of the teachers on `statement`."""
    paid = statement.rates.paid
    money = [Column("pay", 11, "0")] if paid else []
    details = Sheet(
        t(lang, "report.sheet.details"),
        [
            Column("name", 12),
            Column("date", 12, DATE_FORMAT),
            Column("period", 7, "0"),
            Column("slot", 9),
            Column("class", 10),
            Column("subject", 9),
            Column("absent", 12),
            Column("kind", 10),
            Column("merged_with", 10),
            *money,
        ],
        [
            [
                teacher.name,
                lesson.day,
                lesson.period,
                t(lang, f"report.slot.{lesson.slot}"),
                lesson.class_name,
                lesson.subject,
                names.get(lesson.absent_id, "?"),
                t(lang, f"report.kind.{lesson.kind}")
                + (t(lang, "report.manual_mark") if lesson.manual else ""),
                lesson.merged_with,
                *([lesson.pay(statement.rates)] if paid else []),
            ]
            for teacher in statement.teachers
            for lesson in teacher.lessons
        ],
    )
    details.totals = [
        t(lang, "report.total"),
        None,
        statement.covered,
        *([None] * 6),
        *([statement.pay] if paid else []),
    ]
    totals = Sheet(
        t(lang, "report.sheet.totals"),
        [
            Column("name", 12),
            *(Column(kind, 8, "0") for kind in COVER_KINDS),
            Column("covered", 10, "0"),
            Column("given_away", 9, "0"),
            Column("balance", 8, "0"),
            *money,
            Column("signature", 16),
        ],
        [
            [
                teacher.name,
                *(teacher.counts[kind] for kind in COVER_KINDS),
                teacher.covered,
                teacher.given_away,
                teacher.balance,
                *([teacher.pay] if paid else []),
                "",
            ]
            for teacher in statement.teachers
        ],
        [
            t(lang, "report.total"),
            *(statement.total(kind) for kind in COVER_KINDS),
            statement.covered,
            statement.given_away,
            statement.covered - statement.given_away,
            *([statement.pay] if paid else []),
            "",
        ],
        note=note,
    )
    return totals, details


# --- 考勤汇总 ------------------------------------------------------------------------------


def leave_workbook(lang: str, heading: str, rows: Sequence[TeacherLeave]) -> bytes:
    """Days per leave type and the lessons missed, per teacher; external teachers (外聘), if any,
    on a sheet of their own with their own totals, as on the cover statement."""
    kinds = leave_kinds_in(rows)  # one set of columns for both sheets, so they line up
    # Days at meetings and trainings the school sent teachers to: a column of their own, and
    # only when there were some (rules/reports.py `leave_summary`).
    events = any(row.event_halves for row in rows)
    if not any(row.external for row in rows):
        return write(lang, Book(heading, [_leave_sheet(lang, rows, kinds, events)]))
    sheets: list[Sheet] = []
    for external in (False, True):
        part = [row for row in rows if row.external == external]
        if not part:
            continue
        label = "external" if external else "internal"
        sheet = _leave_sheet(lang, part, kinds, events)
        sheet.name = t(lang, f"report.sheet.{label}_leave")
        sheet.title = heading + t(lang, f"report.part.{label}")
        sheets.append(sheet)
    return write(lang, Book(heading, sheets))


def _leave_sheet(
    lang: str, rows: Sequence[TeacherLeave], kinds: Sequence[str], events: bool = False
) -> Sheet:
    days = "0.0"
    shown = [Column("event_days", 11, days)] if events else []
    return Sheet(
        t(lang, "report.name.leave"),
        [
            Column("name", 12),
            *(
                Column(
                    "leave_days",
                    11,
                    days,
                    header=t(lang, "report.col.leave_days", kind=t(lang, f"leave.kind.{kind}")),
                )
                for kind in kinds
            ),
            Column("total_days", 10, days),
            *shown,
            Column("requests", 9, "0"),
            Column("missed", 9, "0"),
            Column("lessons_covered", 9, "0"),
            Column("lessons_self_study", 8, "0"),
        ],
        [
            [
                row.name,
                *(row.halves[kind] / 2 for kind in kinds),
                row.total_halves / 2,
                *([row.event_halves / 2] if events else []),
                row.requests,
                row.missed,
                row.covered,
                row.self_study,
            ]
            for row in rows
        ],
        [
            t(lang, "report.total"),
            *(sum(row.halves[kind] for row in rows) / 2 for kind in kinds),
            sum(row.total_halves for row in rows) / 2,
            *([sum(row.event_halves for row in rows) / 2] if events else []),
            sum(row.requests for row in rows),
            sum(row.missed for row in rows),
            sum(row.covered for row in rows),
            sum(row.self_study for row in rows),
        ],
    )


# --- 学时台账 ------------------------------------------------------------------------------


def training_workbook(lang: str, heading: str, rows: Sequence[TeacherHours]) -> bytes:
    hours = "0.0"
    totals = Sheet(
        t(lang, "report.sheet.totals"),
        [
            Column("name", 12),
            Column("in_period", 10, hours),
            Column("year_total", 10, hours),
            Column("target", 10, hours),
            Column("pace", 10, hours),
            Column("status", 10),
        ],
        [
            [
                row.name,
                _hours(row.in_period),
                _hours(row.year_total),
                _hours(row.target),
                _hours(row.pace),
                t(lang, "report.behind" if row.behind else "report.on_pace"),
            ]
            for row in rows
        ],
        [
            t(lang, "report.total"),
            _hours(sum(row.in_period for row in rows)),
            _hours(sum(row.year_total for row in rows)),
            None,
            None,
            "",
        ],
    )
    details = Sheet(
        t(lang, "report.sheet.details"),
        [
            Column("name", 12),
            Column("date", 12, DATE_FORMAT),
            Column("title", 24),
            Column("category", 10),
            Column("hours", 8, hours),
            Column("source", 10),
        ],
        [
            [
                row.name,
                entry.day,
                entry.title,
                t(lang, f"training.category.{CATEGORY_CODES.get(entry.category, 'other')}"),
                _hours(entry.tenths),
                t(lang, f"report.source.{entry.source}"),
            ]
            for row in rows
            for entry in row.entries
        ],
        [
            t(lang, "report.total"),
            None,
            "",
            "",
            _hours(sum(row.in_period for row in rows)),
            "",
        ],
    )
    return write(lang, Book(heading, [totals, details]))


# --- 作业公示记录 ----------------------------------------------------------------------------


def homework_workbook(
    lang: str,
    heading: str,
    records: Sequence[HomeworkRecord],
    days: Sequence[ClassDay],
    shares: Sequence[GradeShare],
) -> bytes:
    details = Sheet(
        t(lang, "report.sheet.details"),
        [
            Column("date", 12, DATE_FORMAT),
            Column("class", 10),
            Column("subject", 9),
            Column("minutes", 8, "0"),
            Column("hw_kind", 10),
            Column("author", 12),
            Column("exception_by", 12),
        ],
        [
            [
                r.day,
                r.class_name,
                r.subject,
                r.minutes,
                t(lang, "report.hw_kind.written" if r.written else "report.hw_kind.other"),
                r.author,
                r.decided_by if r.exception else "",
            ]
            for r in records
        ],
        [t(lang, "report.total"), "", "", sum(r.minutes for r in records), "", "", ""],
    )
    daily = Sheet(
        t(lang, "report.sheet.daily"),
        [
            Column("date", 12, DATE_FORMAT),
            Column("class", 10),
            Column("written", 14, "0"),
            Column("cap", 12, "0"),
            Column("over", 8),
        ],
        [
            [
                d.day,
                d.class_name,
                d.written,
                d.cap,
                t(lang, "report.yes" if d.over else "report.no"),
            ]
            for d in days
        ],
        [t(lang, "report.total"), len(days), None, None, sum(d.over for d in days)],
    )
    grades = Sheet(
        t(lang, "report.sheet.grades"),
        [
            Column("grade", 8, "0"),
            Column("class_days", 10, "0"),
            Column("over_days", 10, "0"),
            Column("share", 10, "0.0%"),
        ],
        [[s.grade, s.class_days, s.over, s.share] for s in shares],
        [
            t(lang, "report.total"),
            sum(s.class_days for s in shares),
            sum(s.over for s in shares),
            (
                sum(s.over for s in shares) / sum(s.class_days for s in shares)
                if any(s.class_days for s in shares)
                else 0.0
            ),
        ],
    )
    return write(lang, Book(heading, [daily, details, grades]))


# --- 值周/巡课记录 ---------------------------------------------------------------------------


def duty_workbook(
    lang: str,
    heading: str,
    duties: Sequence[DutyRecord],
    patrols: Sequence[PatrolRecord],
    missing: Sequence[tuple[date, str]],
) -> bytes:
    counts = duty_counts(duties)
    people = Sheet(
        t(lang, "report.sheet.totals"),
        [Column("name", 12), Column("duties", 10, "0"), Column("instead", 12, "0")],
        [[name, stood, instead] for name, stood, instead in counts],
        [
            t(lang, "report.total"),
            sum(c[1] for c in counts),
            sum(c[2] for c in counts),
        ],
    )
    shifts = Sheet(
        t(lang, "report.sheet.duty"),
        [
            Column("date", 12, DATE_FORMAT),
            Column("post", 14),
            Column("person", 12),
            Column("planned", 12),
            Column("note", 16),
        ],
        [
            [
                d.day,
                d.post,
                d.person,
                d.planned,
                t(lang, f"report.duty_reason.{d.reason}") if d.reason else "",
            ]
            for d in duties
        ],
    )
    reports = Sheet(
        t(lang, "report.sheet.patrol"),
        [
            Column("date", 12, DATE_FORMAT),
            Column("half", 8),
            Column("patroller", 12),
            Column("findings", 60),
        ],
        [[p.day, t(lang, f"report.half.{p.half}"), p.person, p.findings] for p in patrols],
    )
    gaps = Sheet(
        t(lang, "report.sheet.missing"),
        [Column("date", 12, DATE_FORMAT), Column("half", 8)],
        [[day, t(lang, f"report.half.{half}")] for day, half in missing],
        [t(lang, "report.total"), len(missing)],
    )
    return write(lang, Book(heading, [people, shifts, reports, gaps]))


# --- messages ------------------------------------------------------------------------------


def kinds_keyboard(lang: str, kinds: Sequence[str]) -> InlineKeyboardMarkup:
    """One button per report the person may have, two to a row."""
    buttons = [
        InlineKeyboardButton(
            t(lang, f"report.name.{kind}"),
            callback_data=callbacks.REPORT_KIND.data(KINDS.index(kind)),
        )
        for kind in kinds
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def periods_keyboard(lang: str, kind: str) -> InlineKeyboardMarkup:
    index = KINDS.index(kind)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, f"report.period.{choice}"),
                    callback_data=callbacks.REPORT_PERIOD.data(index, number),
                )
                for number, choice in enumerate(PERIOD_CHOICES)
            ],
            [
                InlineKeyboardButton(
                    t(lang, "report.period.typed"),
                    callback_data=callbacks.REPORT_TYPED.data(index),
                )
            ],
        ]
    )


def caption(
    lang: str, kind: str, period: Period, *, grade: int | None = None, own: bool = False
) -> str:
    scope: str
    if own:
        scope = t(lang, "report.caption_scope_own")
    elif grade is not None:
        scope = t(lang, "report.caption_scope_grade", grade=grade_label(lang, grade))
    else:
        scope = ""
    return t(
        lang,
        "report.caption",
        report=t(lang, f"report.name.{kind}"),
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        scope=scope,
    )

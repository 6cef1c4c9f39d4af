"""The daily homework board (作业公示) and the weekly summary for the academic office.

The board goes to the staff groups on school days at `homework.board_time`, one message for the
whole school, grade by grade (split only when longer than Telegram allows): one message a day
reads better on a phone than one per grade. The summary goes to the academic office on the
last school day of each week up to Friday, at `homework.weekly_summary_time`.

The texts of a posting as the board shows it live here too; the homework handlers use the same
ones for additions, corrections and the /hw views, so a posting reads alike everywhere.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.texts import Safe, split_message, t, visible_length
from jobs import kinds
from jobs.delivery import send_to_chat, send_to_staff_groups
from jobs.registry import DayContext, PushContext, PushKind, Slot, at_local, daily_slot
from rules.homework_board import BoardItem, ClassDay, WeekStats, by_grade, week_stats
from rules.policies import PolicySet
from rules.roles import OFFICE
from storage.calendar import school_calendar
from storage.homework import office_staff, publish_board, written_by_day
from storage.staff import school_admins
from storage.timetable import school_classes
from storage.types import stored_id
from views.common import day_label, weekday_name

BOARD = kinds.HOMEWORK_BOARD
WEEKLY = kinds.HOMEWORK_WEEK
# Telegram's limit, counted after entity parsing (see bot.texts.visible_length).
MESSAGE_LIMIT = 4096
# The summary is split by its markup's length, which runs longer than what Telegram counts
# except for emoji (two UTF-16 units each): this leaves room for them.
SUMMARY_LIMIT = 3800
FRIDAY = 5


# --- how homework reads ----------------------------------------------------------------------


def kind_label(lang: str, kind: str) -> str:
    return t(lang, f"hw.kind.{kind}")


def layer_label(lang: str, layer: str | None) -> str:
    return t(lang, f"hw.layer.{layer}") if layer else ""


def describe_item(lang: str, item: BoardItem) -> Safe:
    """`数学 · 书面 20 分钟 · 拓展：练习册第12页`, every value escaped."""
    layer = t(lang, "hw.item_layer", layer=layer_label(lang, item.layer)) if item.layer else ""
    return t(
        lang,
        "hw.item",
        subject=item.subject,
        kind=kind_label(lang, item.kind),
        minutes=item.minutes,
        layer=Safe(layer),
        content=item.content,
    )


def subjects_text(lang: str, by_subject: list[tuple[str, int]]) -> Safe:
    """`数学 30 分钟、英语 10 分钟`: the written minutes a class holds, per subject."""
    parts = [t(lang, "hw.subject_minutes", subject=s, minutes=m) for s, m in by_subject]
    return Safe(t(lang, "common.list_sep").join(parts)) if parts else t(lang, "common.none")


def total_text(lang: str, cap: int | None, written: int) -> Safe:
    """The written total against the cap, and what is left (or by how much it is over)."""
    if cap is None:
        return t(lang, "hw.total.no_cap", total=written)
    if written > cap:
        return t(lang, "hw.total.over", total=written, cap=cap, over=written - cap)
    if cap == 0:
        return t(lang, "hw.total.no_written")
    return t(lang, "hw.total.within", total=written, cap=cap, left=cap - written)


def board_total(lang: str, day: ClassDay) -> Safe:
    """The board's last line for a class: total against the cap, marked over or missing."""
    if day.missing:
        return t(lang, "hw.board.missing")
    if day.over:
        return t(
            lang, "hw.board.over", total=day.written, cap=day.cap, over=day.written - (day.cap or 0)
        )
    if day.cap == 0:
        return t(lang, "hw.board.no_written")
    if day.cap is None:
        return t(lang, "hw.total.no_cap", total=day.written)
    return t(lang, "hw.board.within", total=day.written, cap=day.cap)


def resend_block(lang: str, line: str) -> Safe:
    """The teacher's own words in a copyable block, so nothing typed is lost."""
    return t(lang, "hw.resend", text=line)


def grade_name(lang: str, grade: int) -> Safe:
    from rules.classnames import grade_word

    return t(lang, "hw.grade", grade=grade_word(grade) if lang == "zh" else grade)


def class_block(lang: str, day: ClassDay) -> list[str]:
    lines = [t(lang, "hw.class_head", klass=day.name)]
    lines += [f"• {describe_item(lang, item)}" for item in day.items]
    if day.waiting:
        lines.append(t(lang, "hw.board.waiting", count=day.waiting))
    lines.append(board_total(lang, day))
    return lines


class _Parts:
    """Lines packed into messages whose visible length stays within `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[list[str]] = [[]]
        self.size = 0

    def fits(self, lines: list[str]) -> bool:
        gap = 1 if self.parts[-1] else 0
        return self.size + gap + sum(visible_length(x) + 1 for x in lines) - 1 <= self.limit

    def add(self, lines: list[str]) -> None:
        for line in lines:
            self.size += visible_length(line) + (1 if self.parts[-1] else 0)
            self.parts[-1].append(line)

    def new_part(self) -> None:
        if self.parts[-1]:
            self.parts.append([])
            self.size = 0


def pack_blocks(lang: str, blocks: list[tuple[list[str], str]], limit: int) -> list[str]:
    """Blocks of lines (with the class each belongs to) in as few messages as fit, measured as
    Telegram counts them.

    A block stays in one message unless it alone is too long; then it breaks between lines,
    and the message that goes on with it starts with its class's name again, marked as continued.
    """
    parts = _Parts(limit)
    for block, name in blocks:
        spaced = ["", *block] if parts.parts[-1] else block
        if parts.fits(spaced):
            parts.add(spaced)
            continue
        if visible_length("\n".join(block)) <= limit:
            parts.new_part()
            parts.add(block)
            continue
        # Too long for any one message: the heading goes with at least the first item.
        if not parts.fits([*spaced[: -len(block)], *block[:2]]):
            parts.new_part()
        parts.add(["", block[0]] if parts.parts[-1] else [block[0]])
        for line in block[1:]:
            if not parts.fits([line]):
                parts.new_part()
                parts.add([t(lang, "hw.board.class_continued", klass=name)])
            parts.add([line])
    return ["\n".join(lines) for lines in parts.parts if lines]


def board_blocks(lang: str, classes: list[ClassDay]) -> list[tuple[list[str], str]]:
    """The board grade by grade: each grade's heading leads its first block; the classes of a
    grade without written homework that have nothing share one line."""
    blocks: list[tuple[list[str], str]] = []
    sep = t(lang, "common.list_sep")
    for grade, days in by_grade(classes):
        heading = [t(lang, "hw.board.grade", grade=grade_name(lang, grade))]
        quiet = [d.name for d in days if d.quiet]
        if quiet:
            blocks.append(([*heading, t(lang, "hw.board.quiet", classes=sep.join(quiet))], ""))
            heading = []
        for day in days:
            if not day.quiet:
                blocks.append(([*heading, *class_block(lang, day)], day.name))
                heading = []
    return blocks


def board_messages(lang: str, day: date, classes: list[ClassDay]) -> list[Safe]:
    """The whole school's board in one message, split only when longer than Telegram allows."""
    header = t(lang, "hw.board.title", date=day_label(lang, day))
    continued = t(lang, "hw.board.continued", title=header)
    # Room for the longer of the two headers and the blank line under it.
    limit = MESSAGE_LIMIT - visible_length(continued) - 2
    parts = pack_blocks(lang, board_blocks(lang, classes), limit)
    return [
        Safe(f"{header if index == 0 else continued}\n\n{part}") for index, part in enumerate(parts)
    ]


# --- the daily board -------------------------------------------------------------------------


async def send_board(ctx: PushContext) -> bool:
    """Publishes the day's board to the staff groups; later postings become additions."""
    school_id = stored_id(ctx.school)
    classes = await school_classes(session=ctx.session, school_id=school_id)
    if not classes:
        return False
    days = await publish_board(
        session=ctx.session,
        school_id=school_id,
        classes=classes,
        day=ctx.day,
        policies=ctx.policies,
        now=ctx.services.clock.now(),
    )
    if days is None:
        return False
    lang = ctx.services.settings.default_language
    texts = board_messages(lang, ctx.day, days)
    thread = ctx.policies.topic("homework")
    return (
        await send_to_staff_groups(ctx.bot, ctx.session, school_id, list(texts), thread_id=thread)
        > 0
    )


# --- the weekly summary ----------------------------------------------------------------------


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


async def plan_week(ctx: DayContext) -> list[Slot]:
    """On the week's last school day up to Friday (Friday itself, unless it is a holiday)."""
    if not ctx.status.is_school_day or ctx.day.isoweekday() > FRIDAY:
        return []
    calendar = await school_calendar(session=ctx.session, school_id=stored_id(ctx.school))
    friday = week_of(ctx.day)[0] + timedelta(days=FRIDAY - 1)
    later = calendar.school_days(ctx.day + timedelta(days=1), friday)
    if later:
        return []
    monday = week_of(ctx.day)[0]
    at = at_local(ctx.day, ctx.policies.get("homework.weekly_summary_time"), ctx.tz)
    key = f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}"
    return [Slot(WEEKLY, "office", at, key)]


async def week_summary(
    *, session: AsyncSession, school_id: int, policies: PolicySet, day: date
) -> tuple[date, list[WeekStats]]:
    """Each class's week from Monday to `day`."""
    monday = week_of(day)[0]
    calendar = await school_calendar(session=session, school_id=school_id)
    school_days = calendar.school_days(monday, day)
    classes = await school_classes(session=session, school_id=school_id)
    written, posted = await written_by_day(session=session, classes=classes, start=monday, end=day)
    stats = [
        week_stats(
            grade=c.grade,
            number=c.number,
            name=c.name,
            cap=policies.homework_cap(c.grade),
            school_days=school_days,
            written=written[stored_id(c)],
            posted=posted[stored_id(c)],
        )
        for c in classes
    ]
    return monday, stats


def week_lines(lang: str, monday: date, day: date, stats: list[WeekStats]) -> list[str]:
    lines = [t(lang, "hw.week.title", start=day_label(lang, monday), end=day_label(lang, day))]
    grade = None
    sep = t(lang, "common.list_sep")
    for row in stats:
        if row.grade != grade:
            grade = row.grade
            lines.append("")
            lines.append(f"<b>{grade_name(lang, grade)}</b>")
        # Inside one week the weekday says which day it was.
        over = sep.join(weekday_name(lang, d.isoweekday()) for d in row.days_over) or t(
            lang, "common.none"
        )
        missing = sep.join(weekday_name(lang, d.isoweekday()) for d in row.days_missing)
        missing = missing or t(lang, "common.none")
        if row.cap == 0 and not row.days_over:
            # Grades 1–2 take no written homework: an average against a cap of 0 says nothing.
            lines.append(t(lang, "hw.week.line_no_written", klass=row.name, missing=Safe(missing)))
            continue
        cap = row.cap if row.cap is not None else "—"
        lines.append(
            t(
                lang,
                "hw.week.line",
                klass=row.name,
                average=f"{row.average:.0f}",
                cap=cap,
                over=Safe(over),
                missing=Safe(missing),
            )
        )
    return lines


async def send_week(ctx: PushContext) -> bool:
    """The week per class: average daily written minutes, days over the cap, days with nothing."""
    school_id = stored_id(ctx.school)
    monday, stats = await week_summary(
        session=ctx.session, school_id=school_id, policies=ctx.policies, day=ctx.day
    )
    if not stats:
        return False
    recipients = [
        s
        for s in await office_staff(session=ctx.session, school_id=school_id)
        if OFFICE in s.role_set
    ]
    if not any(s.telegram_id for s in recipients):
        recipients = await school_admins(session=ctx.session, school_id=school_id)
    sent = 0
    default = ctx.services.settings.default_language
    for person in recipients:
        if person.telegram_id is None:
            continue
        lang = person.language or default
        for text in split_message(week_lines(lang, monday, ctx.day, stats), limit=SUMMARY_LIMIT):
            if await send_to_chat(ctx.bot, ctx.session, person.telegram_id, text):
                sent += 1
    return sent > 0


def push_kinds() -> list[PushKind]:
    return [
        PushKind(BOARD, daily_slot(BOARD, "homework.board_time"), send_board),
        PushKind(WEEKLY, plan_week, send_week),
    ]

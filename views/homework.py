"""Homework as teachers and approvers read it: a posting, a class's day against its cap, the
daily board (作业公示) in pieces that fit a message, the weekly summary, and the request an
approver gets with its buttons."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.request_messages import about
from bot.texts import Safe, t, visible_length
from rules.homework import CapCheck
from rules.homework_board import BoardItem, ClassDay, WeekStats, by_grade
from rules.roles import OFFICE
from storage.homework import Deciders, item_of
from storage.models import HomeworkPost, SchoolClass, Staff, Subject
from storage.types import stored_id
from views.common import day_label, weekday_name

MESSAGE_LIMIT = 4096
# The summary is split by its markup's length, which runs longer than what Telegram counts
# except for emoji (two UTF-16 units each): this leaves room for them.
SUMMARY_LIMIT = 3800
KEPT = "homework"


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
    lines: list[str] = [t(lang, "hw.class_head", klass=day.name)]
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


def week_lines(lang: str, monday: date, day: date, stats: list[WeekStats]) -> list[str]:
    lines: list[str] = [
        t(lang, "hw.week.title", start=day_label(lang, monday), end=day_label(lang, day))
    ]
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


def describe(lang: str, post: HomeworkPost, subject: Subject) -> Safe:
    return describe_item(lang, item_of(post, subject))


def deciders_key(chosen: Deciders) -> str:
    """Which `hw.who.*` names the deciders: their tier; the office tier takes the principal
    too (domain 003), and says so when the principal is among them."""
    if chosen.who == "office" and any(OFFICE not in p.role_set for p in chosen.people):
        return "office_principal"
    return chosen.who


def deciders_tier(lang: str, chosen: Deciders) -> Safe:
    """`教导处`, `班主任`, `教导处和校长`, …: who decides, named by their tier."""
    return t(lang, f"hw.who.{deciders_key(chosen)}")


def deciders_label(lang: str, chosen: Deciders) -> Safe:
    """`教导处和校长（孙主任、周校长）`: the tier, and the people in it by name."""
    who = deciders_tier(lang, chosen)
    if not chosen.people:
        return who
    names = t(lang, "common.list_sep").join(p.name for p in chosen.people)
    return t(lang, "hw.who_named", who=who, names=names)


def ask_message(
    lang: str,
    post: HomeworkPost,
    klass: SchoolClass,
    subject: Subject,
    author: Staff,
    check: CapCheck,
    original: HomeworkPost | None,
    *,
    exception: bool,
) -> tuple[Safe, InlineKeyboardMarkup]:
    """The approval (or exception) request with its two buttons, made for the posting's
    version; a change of a published posting shows what it was and what it would become."""
    approve, give_back = (
        (callbacks.HOMEWORK_APPROVE_EXCEPTION, callbacks.HOMEWORK_RETURN_EXCEPTION)
        if exception
        else (callbacks.HOMEWORK_APPROVE, callbacks.HOMEWORK_RETURN)
    )
    key = "hw.ask.exception" if exception else "hw.ask.approve"
    if original is not None:
        key = "hw.ask.change"
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "hw.button.allow" if exception else "hw.button.approve"),
                    callback_data=approve.data(stored_id(post), post.version),
                ),
                InlineKeyboardButton(
                    t(lang, "hw.button.return"),
                    callback_data=give_back.data(stored_id(post), post.version),
                ),
            ]
        ]
    )
    text = t(
        lang,
        key,
        klass=klass.name,
        date=day_label(lang, post.day),
        author=author.name,
        item=describe(lang, post, subject),
        before=describe(lang, original, subject) if original is not None else "",
        held=subjects_text(lang, check.by_subject),
        total=check.total,
        after=check.after,
        cap=check.cap if check.cap is not None else "—",
    )
    return text, markup


def kept_about(post: HomeworkPost, lang: str) -> str:
    """A request with the posting's buttons, redrawn if the posting expires undecided."""
    return about(KEPT, stored_id(post), lang)

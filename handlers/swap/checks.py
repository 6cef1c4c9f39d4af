"""Checking a proposed swap (调课): both lessons exist, lie ahead, within the school's day, and
nothing is double-booked afterwards; and the refusals that say which lesson is in the way.

Shared by the one-line /swap, the wizard and the re-checks before a swap is agreed or approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.texts import Safe, t
from handlers.core.colleagues import colleague_named
from handlers.core.turn import Turn
from rules.cover import DayLesson
from rules.leave_dates import LeaveDateError
from rules.swaps import Clash, find_lesson
from storage.cover import swap_problems
from storage.models import LessonSwap, Staff
from storage.schedule import Kit
from storage.swaps import open_swaps_of
from storage.types import stored_id
from views.common import day_label, localised
from views.duty import day_status_text
from views.leave import day_lesson_label


class SwapRefused(Exception):
    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass
class Proposal:
    mine: DayLesson
    theirs: DayLesson
    colleague: Staff


def lesson_text(lang: str, kit: Kit, lesson: DayLesson) -> str:
    return day_lesson_label(lang, kit.names, kit.schedule, lesson)


def lesson_at(turn: Turn, kit: Kit, teacher_id: int, day: date, period: int) -> DayLesson | None:
    """The teacher's lesson in that slot, or None; refuses a period past the school's last."""
    last_period = max(kit.schedule.bells, default=None)
    if last_period is not None and period > last_period:
        raise SwapRefused(
            "swap.err.period_beyond",
            when=t(turn.lang, "swap.when", day=day_label(turn.lang, day), period=period),
            last=last_period,
        )
    lessons = kit.schedule.lessons(day)
    if lessons is None:
        raise SwapRefused("swap.err.unknown_day", day=day_label(turn.lang, day))
    status = kit.schedule.status(day)
    if not status.is_school_day:
        # Not "you have no lesson then": nobody has, the school is closed or on holiday.
        raise SwapRefused(
            "swap.err.no_school",
            day=day_label(turn.lang, day),
            status=day_status_text(turn.lang, status),
        )
    return find_lesson(lessons, teacher_id, period)


def clash_lines(lang: str, kit: Kit, proposal: Proposal, clashes: list[Clash]) -> str:
    lines = []
    for clash in clashes:
        who = {
            "mine": kit.names.person(proposal.mine.teacher_id),
            "theirs": kit.names.person(proposal.theirs.teacher_id),
            "my_class": kit.names.classes.get(proposal.mine.class_id, "?"),
            "their_class": kit.names.classes.get(proposal.theirs.class_id, "?"),
        }[clash.who]
        when = t(lang, "swap.when", day=day_label(lang, clash.day), period=clash.period)
        if clash.lesson is not None:
            what = t(
                lang,
                "swap.clash.lesson",
                lesson=Safe(lesson_text(lang, kit, clash.lesson)),
                teacher=kit.names.person(clash.lesson.teacher_id),
            )
        else:
            what = t(lang, f"swap.clash.{clash.kind}")
        lines.append(t(lang, "swap.clash.line", who=who, when=when, what=what))
    return "\n".join(lines)


async def check_proposal(
    turn: Turn,
    kit: Kit,
    mine_slot: tuple[date, int],
    colleague: Staff,
    theirs_slot: tuple[date, int],
    *,
    ignore_swap: int | None = None,
) -> Proposal:
    """Both lessons exist, are ahead, and nothing is double-booked after; raises SwapRefused."""
    me = turn.actor.staff
    assert me is not None
    if colleague.id == me.id:
        raise SwapRefused("swap.err.self")
    past = next((day for day, _ in (mine_slot, theirs_slot) if day < kit.today(turn.now)), None)
    if past is not None:  # said before "no lesson then": a past day is the reason
        raise SwapRefused("swap.err.past_day", day=day_label(turn.lang, past))
    mine = lesson_at(turn, kit, stored_id(me), *mine_slot)
    if mine is None:
        raise SwapRefused(
            "swap.err.no_my_lesson",
            when=t(
                turn.lang, "swap.when", day=day_label(turn.lang, mine_slot[0]), period=mine_slot[1]
            ),
        )
    theirs = lesson_at(turn, kit, stored_id(colleague), *theirs_slot)
    if theirs is None:
        raise SwapRefused(
            "swap.err.no_their_lesson",
            name=colleague.name,
            when=t(
                turn.lang,
                "swap.when",
                day=day_label(turn.lang, theirs_slot[0]),
                period=theirs_slot[1],
            ),
        )
    if mine_slot == theirs_slot:
        raise SwapRefused("swap.err.same_slot")
    for lesson in (mine, theirs):
        start = kit.schedule.lesson_start(lesson.day, lesson.period)
        if (start is not None and start <= turn.now) or lesson.day < kit.today(turn.now):
            raise SwapRefused("swap.err.past", lesson=Safe(lesson_text(turn.lang, kit, lesson)))
    proposal = Proposal(mine, theirs, colleague)
    clashes = await swap_problems(
        session=turn.session,
        school_id=me.school_id,
        schedule=kit.schedule,
        mine=mine,
        theirs=theirs,
        ignore_swap=ignore_swap,
    )
    if clashes:
        raise SwapRefused(
            "swap.err.clash", clashes=Safe(clash_lines(turn.lang, kit, proposal, clashes))
        )
    for other in await open_swaps_of(
        session=turn.session, school_id=me.school_id, staff_id=stored_id(me)
    ):
        if other.id != ignore_swap and _touches(other, mine, theirs):
            raise SwapRefused("swap.err.already")
    return proposal


def _touches(swap: LessonSwap, *lessons: DayLesson) -> bool:
    slots = {
        (swap.first_day, swap.first_period, swap.proposer_id),
        (swap.second_day, swap.second_period, swap.colleague_id),
    }
    return any((lesson.day, lesson.period, lesson.teacher_id) in slots for lesson in lessons)


async def find_colleague(turn: Turn, school_id: int, name: str) -> Staff:
    colleague, close = await colleague_named(turn, school_id, name)
    if colleague is None:
        raise SwapRefused("leave.err.no_such_colleague", name=name, close=close)
    return colleague


def refusal_text(turn: Turn, problem: SwapRefused | LeaveDateError) -> str:
    """The refusal in the user's language, with an example of the form in that language too."""
    return turn.t(
        problem.key, example=turn.t("swap.example"), **localised(turn.lang, problem.values)
    )

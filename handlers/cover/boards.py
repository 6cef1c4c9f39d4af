"""Arranging cover around the board: what rendering and checks read (`Kit`), who arranges and
who gets a day's boards, sending them, the notices to arrangers and substitutes, and the slip's
update after a change (handlers/cover/slip.py). The board itself is drawn in
views/cover_board.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from bot.texts import Safe, t
from handlers.core import follow_ups
from handlers.core.outbox import tell
from handlers.core.turn import Turn
from handlers.cover.slip import refresh_slips
from handlers.handover.giving import give_after
from rules.states import CoverStatus
from storage.cover import (
    CoverDay,
    busy_lesson,
    needs_by_id,
    needs_on,
    read_its_day,
)
from storage.cover_boards import Showing, arranged_by, arranger_needs, suggest_shown
from storage.models import CoverNeed, School
from storage.schedule import Kit, build_kit
from storage.types import stored_id
from views.common import day_label
from views.cover_board import BoardParts, render_board
from views.cover_substitute import substitute_notice_markup
from views.handover import taught_markup
from views.leave import language_of, need_label


async def load_kit(turn: Turn, school_id: int) -> Kit | None:
    """The school's kit; a follow-up reuses the one its action loaded (a recovered follow-up,
    whose action was in another process, loads it)."""
    if turn.following and school_id in turn.kits:
        return turn.kits[school_id]
    school = await turn.session.get(School, school_id)
    if school is None:
        return None
    kit = turn.kits[school_id] = await build_kit(turn.session, school)
    return kit


def default_lang(turn: Turn) -> str:
    return turn.svc.settings.default_language


# Days ahead (today included) whose boards /arrange and an approval send; a later day's board
# comes the evening before, while lessons are still open (jobs/cover.py).
BOARD_DAYS = 7


async def send_boards(turn: Turn, kit: Kit, needs: list[CoverNeed]) -> int:
    """Each arranger the school sends these lessons' boards to gets, for each of their days,
    that day's whole board as they arrange it (the board a later change draws again), showing
    the first of these lessons. One private message per day and arranger; returns how many
    were queued."""
    sent = 0
    parts = BoardParts()
    school_id = stored_id(kit.school)
    days = {
        day: await needs_on(session=turn.session, school_id=school_id, day=day)
        for day in sorted({need.day for need in needs})
    }
    for person, mine in (await arranger_needs(turn.session, kit, needs, boards=True)).values():
        if person.telegram_id is None:
            continue
        lang = language_of(person, default_lang(turn))
        for day, whole in days.items():
            new = [need for need in mine if need.day == day]
            if not new:
                continue
            theirs = arranged_by(kit, person, whole)
            known = {need.id for need in theirs}
            theirs.extend(need for need in new if need.id not in known)
            shown = Showing(day, sorted(theirs, key=_day_order), turn.now, focus=new[0].id)
            await suggest_shown(turn.session, kit, shown, parts.suggestions, parts.events)
            board = render_board(kit, shown, lang, parts)
            tag = (school_id, day, stored_id(person))
            turn.out.send(person.telegram_id, board.text, board.markup, board=tag)
            sent += 1
    return sent


def boards_follow(turn: Turn, kit: Kit, needs: Iterable[CoverNeed]) -> None:
    """After the action, each arranger gets these lessons' boards for the coming week
    (`BOARD_DAYS`) and one line about later ones, drawn as the lessons are by then."""
    ids = [stored_id(need) for need in sorted(needs, key=_board_order)]
    turn.then(boards_for, school_id=stored_id(kit.school), ids=ids)


@follow_ups.named("cover_boards")
async def boards_for(later: Turn, *, school_id: int, ids: list[int]) -> None:
    kit = await load_kit(later, school_id)
    if kit is None:
        return
    live = await needs_by_id(session=later.session, ids=ids)
    # A long leave would send every arranger a board for each of its days at once.
    horizon = kit.today(later.now) + timedelta(days=BOARD_DAYS - 1)
    await send_boards(later, kit, [need for need in live if need.day <= horizon])
    ahead = [need for need in live if need.day > horizon]
    if ahead:
        await tell_later(later, kit, ahead)


def _board_order(need: CoverNeed) -> tuple[date, int, int]:
    return need.day, need.period, stored_id(need)


def _day_order(need: CoverNeed) -> tuple[date, int, int]:
    """As a day's lessons are listed on a board (storage.cover.needs_between)."""
    return need.day, need.period, need.class_id


async def tell_later(turn: Turn, kit: Kit, needs: list[CoverNeed]) -> None:
    """Each arranger of lessons past the boards' days: how many, when, and when they come."""
    for person, mine in (await arranger_needs(turn.session, kit, needs)).values():
        lang = language_of(person, default_lang(turn))
        days = sorted({need.day for need in mine})
        first, last = day_label(lang, days[0]), day_label(lang, days[-1])
        # One day is named once, not as a range from it to itself.
        key = "cover.later_one_day" if len(days) == 1 else "cover.later"
        tell(turn.out, person, default_lang(turn), key, count=len(mine), first=first, last=last)


async def tell_arrangers_of(
    turn: Turn, kit: Kit, needs: list[CoverNeed], key: str, **values: object
) -> None:
    """One message per arranger for lessons that changed together (a leave ended or refused):
    `key` for a single lesson, `key` + "_list" naming each of several, so that ten lessons
    called off are one message, not ten."""
    for person, mine in (await arranger_needs(turn.session, kit, needs)).values():
        if person.id == (turn.actor.staff.id if turn.actor.staff else None):
            continue
        lang = language_of(person, default_lang(turn))
        labels = [need_label(lang, kit.names, kit.schedule, need) for need in mine]
        if len(labels) == 1:
            tell(turn.out, person, default_lang(turn), key, lesson=Safe(labels[0]), **values)
            continue
        tell(
            turn.out,
            person,
            default_lang(turn),
            key + "_list",
            count=len(labels),
            lessons=Safe("\n".join("· " + label for label in labels)),
            **values,
        )


async def tell_arrangers(turn: Turn, kit: Kit, need: CoverNeed, key: str, **values: object) -> None:
    for person, _ in (await arranger_needs(turn.session, kit, [need])).values():
        if person.id == (turn.actor.staff.id if turn.actor.staff else None):
            continue
        lang = language_of(person, default_lang(turn))
        tell(
            turn.out,
            person,
            default_lang(turn),
            key,
            lesson=Safe(need_label(lang, kit.names, kit.schedule, need)),
            **values,
        )


def tell_substitute(turn: Turn, kit: Kit, need: CoverNeed, *, ask_ack: bool) -> None:
    """The private message to whoever covers: class, day, period and time, subject, for whom;
    then the absent teacher's handover for the lesson, if they left one."""
    person = kit.names.staff.get(need.substitute_id or 0)
    if person is None:
        return
    lang = language_of(person, default_lang(turn))
    markup = (
        substitute_notice_markup(lang, need) if ask_ack else taught_markup(lang, stored_id(need))
    )
    give_after(turn, [need])
    tell(
        turn.out,
        person,
        default_lang(turn),
        "cover.you_cover" if ask_ack else "cover.you_took",
        markup,
        lesson=Safe(need_label(lang, kit.names, kit.schedule, need)),
        teacher=kit.names.person(need.absent_id),
    )


# What a lesson was before it was released: (status, substitute), by need id.
Before = dict[int | None, tuple[str, int | None]]


def tell_substitutes_released(
    turn: Turn, kit: Kit, released: Iterable[CoverNeed], before: Before, told: Iterable[int] = ()
) -> None:
    """Whoever was to cover each released lesson (assigned, or merged into their class) hears
    they need not; `told`: lessons whose substitute heard of it another way."""
    skip = set(told)
    for need in released:
        status, substitute = before[need.id]
        if status in (CoverStatus.ASSIGNED, CoverStatus.MERGED) and need.id not in skip:
            tell_released(turn, kit, need, substitute)


def tell_released(turn: Turn, kit: Kit, need: CoverNeed, staff_id: int | None) -> None:
    person = kit.names.staff.get(staff_id or 0)
    if person is None:
        return
    lang = language_of(person, default_lang(turn))
    tell(
        turn.out,
        person,
        default_lang(turn),
        "cover.released",
        lesson=Safe(need_label(lang, kit.names, kit.schedule, need)),
    )


# --- the slip's update messages ---------------------------------------------------------------


def update_slips(turn: Turn, kit: Kit, days: Iterable[date]) -> None:
    """After a change: days whose slip was posted already have it edited with what changed
    (handlers/cover/slip.py).

    Today's slip may never have gone out (nothing was planned at its time, 07:20): a change
    later that day posts the whole slip, or the group would not learn of same-day cover.
    The group's message is not the answer to whoever acted: it follows the action.
    """
    turn.then(slips_for, school_id=stored_id(kit.school), days=sorted(set(days)))


@follow_ups.named("cover_slips")
async def slips_for(later: Turn, *, school_id: int, days: list[date]) -> None:
    kit = await load_kit(later, school_id)
    if kit is not None:
        await refresh_slips(later, kit, days, default_lang(later))


async def need_for_press(turn: Turn) -> tuple[CoverNeed, Kit] | None:
    pressed = turn.callback.id(0) if turn.callback is not None else None
    if pressed is not None and turn.actor.school_id is not None:
        # The pressed lesson with the rest of its day, which the press goes on to read.
        await read_its_day(session=turn.session, school_id=turn.actor.school_id, need_id=pressed)
    need = await turn.row_named(CoverNeed, what="need")
    if need is None:
        return None
    kit = await load_kit(turn, need.school_id)
    if kit is None:
        return None
    return need, kit


async def refuse_over(turn: Turn, kit: Kit, need: CoverNeed, key: str) -> None:
    """A press on a lesson that is over: audited, and answered with when it ended."""
    assert turn.callback is not None
    await turn.audit(
        "button_refused",
        reason="lesson_over",
        subject_type="cover_need",
        subject_id=need.id,
        button=f"cov:{turn.callback.action}",
    )
    turn.toast(over_text(turn.lang, kit, need, key), alert=True)


def over_text(lang: str, kit: Kit, need: CoverNeed, key: str) -> str:
    """`key`'s text for a lesson that is over: which lesson (its day and period, or the whole
    label) and when it ended."""
    ends = kit.schedule.lesson_over_at(need.day, need.period)
    return t(
        lang,
        key,
        day=day_label(lang, need.day),
        period=need.period,
        end=f"{ends:%H:%M}",
        lesson=Safe(need_label(lang, kit.names, kit.schedule, need)),
    )


def unavailable_text(
    turn: Turn, kit: Kit, cover_day: CoverDay, need: CoverNeed, staff_id: int, code: str
) -> str:
    name = kit.names.person(staff_id)
    if code == "busy":
        lesson = busy_lesson(cover_day, staff_id, need.period)
        if lesson is None:
            what: str = turn.t("cover.a_cover")
        else:
            klass = kit.names.classes.get(lesson.class_id, "?")
            what = f"{klass} {kit.names.subjects.get(lesson.subject_id, '?')}"
        return turn.t("cover.cannot.busy", name=name, period=need.period, what=what)
    held = cover_day.held_elsewhere(need.period).get(staff_id)
    if code in ("duty", "meeting") and held is not None:
        return turn.t(
            f"cover.cannot.{code}",
            name=name,
            what=held.label,
            start=f"{held.start:%H:%M}",
            end=f"{held.end:%H:%M}",
        )
    if code == "self" and turn.actor.staff is not None and turn.actor.staff.id == staff_id:
        return turn.t("cover.cannot.self_you")  # the absent teacher pressed: speak to them
    return turn.t(f"cover.cannot.{code}", name=name, cap=kit.cap)

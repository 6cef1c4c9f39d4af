"""Arranging cover: the board's buttons (assign, ask the group, self-study, merge) and /arrange.

Each press is re-authorised (the arranger's role, the need's school) and applied only if the
need is still at the version the board showed and its lesson is not over (then nothing is
left to arrange: the press is refused and the board shows the lesson as over).
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.commands import ARRANGERS
from bot.texts import Safe, t
from handlers.core.outbox import tell
from handlers.core.turn import Turn, button, command
from handlers.cover.board_copies import redraw_copies
from handlers.cover.boards import (
    BOARD_DAYS,
    default_lang,
    load_kit,
    need_for_press,
    over_text,
    refuse_over,
    tell_released,
    tell_substitute,
    unavailable_text,
    update_slips,
)
from handlers.cover.substitute import ask_about, close_group_asks
from jobs import kinds
from rules.leave_dates import LeaveDateError, parse_day
from rules.reach import OUT_OF_RANGE
from rules.states import CoverStatus
from storage.cover import (
    change_need,
    hold_school,
    load_cover_day,
    may_arrange,
    needs_between,
    why_not,
)
from storage.cover_boards import Showing, arranged_by, set_shown, suggest_shown
from storage.models import CoverNeed, SchoolClass
from storage.schedule import Kit
from storage.schools import staff_groups
from storage.types import stored_id
from views.common import day_label
from views.cover_board import Board, BoardParts, render_board
from views.leave import bell_label, cover_state, language_of, need_label

# --- buttons ------------------------------------------------------------------------------------


async def _arranger_press(turn: Turn) -> tuple[CoverNeed, Kit] | None:
    found = await need_for_press(turn)
    if found is None:
        return None
    need, kit = found
    if not may_arrange(
        turn.actor.staff,
        grade=kit.schedule.grades.get(need.class_id),
        policy=kit.arranger_policy,
        is_admin=turn.actor.is_admin,
    ):
        await turn.deny_press(subject_type="cover_need", subject_id=need.id, button="cov")
        return None
    if kit.lesson_over(need, turn.now):
        await refuse_over(turn, kit, need, "cover.over.arrange")
        assert turn.callback is not None
        if turn.callback.action == "mc":
            # Pressed on the list of classes to merge with, not on a board.
            turn.edit_origin(over_text(turn.lang, kit, need, "cover.over.arrange"))
        else:
            # Nothing is left to do for it: the board moves on to a lesson that can be arranged.
            await _refresh_board(turn, kit, need, moving_on=True)
        return None
    await hold_school(session=turn.session, school_id=need.school_id)
    return need, kit


async def _arrangeable(turn: Turn, kit: Kit, first: date, last: date) -> list[CoverNeed]:
    """The needs between the two days that the actor arranges."""
    needs = await needs_between(
        session=turn.session, school_id=stored_id(kit.school), first=first, last=last
    )
    return arranged_by(kit, turn.actor.staff, needs, is_admin=turn.actor.is_admin)


async def _refresh_board(
    turn: Turn, kit: Kit, need: CoverNeed, *, moving_on: bool = False, unlocked: bool = False
) -> None:
    """Draws the pressed board again: on the need, or (`moving_on`, it was just decided) on the
    next lesson still to arrange; `unlocked`: the settled need with its choices."""
    needs = await _arrangeable(turn, kit, need.day, need.day)
    shown = Showing(
        need.day,
        needs,
        turn.now,
        focus=None if moving_on else need.id,
        after=need.id,
        unlocked=need.id if unlocked else None,
    )
    board = await _draw(turn, kit, shown)
    turn.edit_origin(board.text, board.markup)
    await _remember_shown(turn, board.need_id)


async def _remember_shown(turn: Turn, need_id: int | None) -> None:
    """The pressed copy shows this lesson now: a redraw keeps it there."""
    query = turn.update.callback_query
    if need_id is None or query is None or query.message is None:
        return
    await set_shown(
        session=turn.session, shown=[(query.message.chat.id, query.message.message_id, need_id)]
    )


@button()
async def on_page(turn: Turn) -> None:
    """Turns a day's board to another lesson."""
    assert turn.callback is not None
    ordinal = callbacks.COVER_PAGE.field(turn.callback, "day")
    page = callbacks.COVER_PAGE.field(turn.callback, "index")
    school_id = turn.actor.school_id
    kit = await load_kit(turn, school_id) if school_id is not None else None
    if kit is None or page is None or not 1 <= (ordinal or 0) <= date.max.toordinal():
        turn.toast(turn.t("common.button_invalid"), alert=True)
        return
    day = date.fromordinal(ordinal or 0)
    needs = await _arrangeable(turn, kit, day, day)
    if not needs:
        # Nobody else's board can be paged through: an arranger of that day sees lessons.
        await turn.deny_press("cover.arrange.none", button="cov:pg", day=day.isoformat())
        return
    board = await _draw(turn, kit, Showing(day, needs, turn.now, page=page))
    turn.edit_origin(board.text, board.markup)
    await _remember_shown(turn, board.need_id)


async def _draw(turn: Turn, kit: Kit, shown: Showing) -> Board:
    """The board for the person pressing or asking, in their language."""
    parts = BoardParts()
    await suggest_shown(turn.session, kit, shown, parts.suggestions, parts.events)
    return render_board(kit, shown, turn.lang, parts)


async def _stale(turn: Turn, kit: Kit, need: CoverNeed) -> None:
    """The board was older than the need: say what it is now and show the board afresh."""
    if need.status == CoverStatus.RELEASED:
        turn.toast(turn.t("cover.already_released"), alert=True)
    else:
        turn.toast(
            turn.t("cover.changed_meanwhile", state=cover_state(turn.lang, kit.names, need)),
            alert=True,
        )
    await _refresh_board(turn, kit, need)


async def _decide(
    turn: Turn,
    need: CoverNeed,
    version: int,
    status: CoverStatus,
    *,
    substitute_id: int | None = None,
    merged_class_id: int | None = None,
) -> tuple[bool, int | None]:
    """Records the arranger's decision if the need is still at `version`: whether it was, and
    who covered the lesson before (to be told they are released). A lesson that was asked for
    in the group has its post there closed: nobody should still press 我来 for it."""
    previous = (
        need.substitute_id if need.status in (CoverStatus.ASSIGNED, CoverStatus.MERGED) else None
    )
    asked = need.status == CoverStatus.ASKING
    done = await change_need(
        session=turn.session,
        need=need,
        version=version,
        status=status,
        substitute_id=substitute_id,
        merged_class_id=merged_class_id,
        assigned_at=turn.now,
        assigned_by=turn.actor.telegram_id,
        acknowledged_at=None,
    )
    if done and asked:
        await close_group_asks(turn, need)
    return done, previous


@button()
async def on_assign(turn: Turn) -> None:
    """The arranger picks a substitute from the board."""
    assert turn.callback is not None
    found = await _arranger_press(turn)
    staff_id = callbacks.COVER_ASSIGN.field(turn.callback, "staff")
    version = callbacks.COVER_ASSIGN.field(turn.callback, "version")
    if found is None or staff_id is None or version is None:
        return
    need, kit = found
    if need.version != version or need.status == CoverStatus.RELEASED:
        await _stale(turn, kit, need)
        return
    cover_day = await load_cover_day(
        session=turn.session, school_id=need.school_id, day=need.day, schedule=kit.schedule
    )
    person = kit.names.staff.get(staff_id)
    problem = (
        "inactive"
        if person is None or not person.active
        else why_not(need, staff_id, cover_day, kit.cap)
    )
    if problem is not None:
        turn.toast(unavailable_text(turn, kit, cover_day, need, staff_id, problem), alert=True)
        await _refresh_board(turn, kit, need)
        return
    done, previous = await _decide(
        turn, need, version, CoverStatus.ASSIGNED, substitute_id=staff_id
    )
    if not done:
        await _stale(turn, kit, need)
        return
    await turn.audit(
        "cover_assigned", subject_type="cover_need", subject_id=need.id, substitute=staff_id
    )
    if previous is not None and previous != staff_id:
        tell_released(turn, kit, need, previous)
    tell_substitute(turn, kit, need, ask_ack=True)
    turn.toast(turn.t("cover.assigned_toast", name=kit.names.person(staff_id)))
    await _refresh_board(turn, kit, need, moving_on=True)
    redraw_copies(turn, kit, need.day, focus=need.id)
    update_slips(turn, kit, [need.day])
    await turn.schedule_changed(need.school_id, kinds.COVER)


@button()
async def on_self_study(turn: Turn) -> None:
    """The lesson becomes self-study: nobody covers it."""
    assert turn.callback is not None
    found = await _arranger_press(turn)
    version = callbacks.COVER_SELF_STUDY.field(turn.callback, "version")
    if found is None or version is None:
        return
    need, kit = found
    done, previous = await _decide(turn, need, version, CoverStatus.SELF_STUDY)
    if not done:
        await _stale(turn, kit, need)
        return
    await turn.audit("cover_self_study", subject_type="cover_need", subject_id=need.id)
    tell_released(turn, kit, need, previous)
    await _refresh_board(turn, kit, need, moving_on=True)
    redraw_copies(turn, kit, need.day, focus=need.id)
    update_slips(turn, kit, [need.day])


async def _merge_options(turn: Turn, kit: Kit, need: CoverNeed) -> list[tuple[SchoolClass, int]]:
    """(class, teacher) of the same grade's lessons that period whose teacher is there."""
    cover_day = await load_cover_day(
        session=turn.session, school_id=need.school_id, day=need.day, schedule=kit.schedule
    )
    away = cover_day.away(need.period)
    grade = kit.schedule.grades.get(need.class_id)
    options = []
    for lesson in cover_day.lessons:
        if (
            lesson.period == need.period
            and lesson.class_id != need.class_id
            and lesson.grade == grade
            and lesson.teacher_id not in away
        ):
            klass = await turn.session.get(SchoolClass, lesson.class_id)
            if klass is not None:
                options.append((klass, lesson.teacher_id))
    return options


@button()
async def on_merge(turn: Turn) -> None:
    """Offers the classes the lesson could be merged with."""
    assert turn.callback is not None
    found = await _arranger_press(turn)
    version = callbacks.COVER_MERGE.field(turn.callback, "version")
    if found is None or version is None:
        return
    need, kit = found
    if need.version != version or need.status == CoverStatus.RELEASED:
        await _stale(turn, kit, need)
        return
    options = await _merge_options(turn, kit, need)
    if not options:
        turn.toast(turn.t("cover.merge.none"), alert=True)
        return
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    turn.t("cover.merge.with", klass=klass.name, name=kit.names.person(teacher)),
                    callback_data=callbacks.COVER_MERGE_WITH.data(
                        stored_id(need), stored_id(klass), version
                    ),
                )
            ]
            for klass, teacher in options
        ]
    )
    turn.reply(
        turn.t(
            "cover.merge.choose", lesson=Safe(need_label(turn.lang, kit.names, kit.schedule, need))
        ),
        markup,
    )


@button()
async def on_merge_choice(turn: Turn) -> None:
    """Merges the lesson with the chosen class; its teacher takes both."""
    assert turn.callback is not None
    found = await _arranger_press(turn)
    class_id = callbacks.COVER_MERGE_WITH.field(turn.callback, "klass")
    version = callbacks.COVER_MERGE_WITH.field(turn.callback, "version")
    if found is None or class_id is None or version is None:
        return
    need, kit = found
    if need.version != version or need.status == CoverStatus.RELEASED:
        turn.toast(
            turn.t("cover.changed_meanwhile", state=cover_state(turn.lang, kit.names, need)),
            alert=True,
        )
        turn.edit_origin(turn.t("cover.merge.outdated"))
        return
    option = next(
        ((k, teacher) for k, teacher in await _merge_options(turn, kit, need) if k.id == class_id),
        None,
    )
    if option is None:
        turn.toast(turn.t("cover.merge.none"), alert=True)
        return
    klass, teacher = option
    done, previous = await _decide(
        turn, need, version, CoverStatus.MERGED, substitute_id=teacher, merged_class_id=klass.id
    )
    if not done:
        turn.toast(
            turn.t("cover.changed_meanwhile", state=cover_state(turn.lang, kit.names, need)),
            alert=True,
        )
        return
    await turn.audit(
        "cover_merged", subject_type="cover_need", subject_id=need.id, merged_class=klass.id
    )
    if previous is not None and previous != teacher:
        tell_released(turn, kit, need, previous)
    person = kit.names.staff.get(teacher)
    if person is not None:
        lang = language_of(person, default_lang(turn))
        tell(
            turn.out,
            person,
            default_lang(turn),
            "cover.you_merge",
            lesson=Safe(need_label(lang, kit.names, kit.schedule, need)),
            klass=klass.name,
        )
    turn.edit_origin(
        turn.t(
            "cover.merge.done",
            lesson=Safe(need_label(turn.lang, kit.names, kit.schedule, need)),
            klass=klass.name,
        )
    )
    redraw_copies(turn, kit, need.day, focus=need.id)
    update_slips(turn, kit, [need.day])


@button()
async def on_ask_group(turn: Turn) -> None:
    """Posts the lesson to the staff group with a 我来 button."""
    assert turn.callback is not None
    found = await _arranger_press(turn)
    version = callbacks.COVER_ASK_GROUP.field(turn.callback, "version")
    if found is None or version is None:
        return
    need, kit = found
    groups = await staff_groups(session=turn.session, school_id=need.school_id)
    if not groups:
        turn.toast(turn.t("cover.ask.no_group"), alert=True)
        return
    previous = (
        need.substitute_id if need.status in (CoverStatus.ASSIGNED, CoverStatus.MERGED) else None
    )
    if not await change_need(
        session=turn.session,
        need=need,
        version=version,
        status=CoverStatus.ASKING,
        substitute_id=None,
        merged_class_id=None,
        acknowledged_at=None,
    ):
        await _stale(turn, kit, need)
        return
    await turn.audit("cover_asked_group", subject_type="cover_need", subject_id=need.id)
    tell_released(turn, kit, need, previous)
    lang = default_lang(turn)
    text = t(
        lang,
        "cover.ask.post",
        klass=kit.names.classes.get(need.class_id, "?"),
        day=day_label(lang, need.day),
        period=need.period,
        subject=kit.names.subjects.get(need.subject_id, "?"),
        time=bell_label(kit.schedule, need.period) or "—",
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "cover.button.me"),
                    callback_data=callbacks.COVER_VOLUNTEER.data(stored_id(need)),
                )
            ]
        ]
    )
    thread = kit.policies.topic("cover")
    for group in groups:
        turn.out.send(group.chat_id, text, markup, thread_id=thread, about=ask_about(need))
    turn.toast(turn.t("cover.ask.posted"))
    await _refresh_board(turn, kit, need, moving_on=True)
    redraw_copies(turn, kit, need.day, focus=need.id)
    update_slips(turn, kit, [need.day])


@button()
async def on_reopen(turn: Turn) -> None:
    """重新安排: a settled lesson (confirmed, self-study, merged) shows its choices again on the
    pressed board. Nothing changes until one is made: the substitute keeps the lesson (and is
    told only then), so an arranger who stops halfway leaves no class without a teacher."""
    assert turn.callback is not None
    found = await _arranger_press(turn)
    version = callbacks.COVER_REOPEN.field(turn.callback, "version")
    if found is None or version is None:
        return
    need, kit = found
    if need.version != version:
        await _stale(turn, kit, need)
        return
    await turn.audit("cover_rearranging", subject_type="cover_need", subject_id=need.id)
    turn.toast(turn.t("cover.reopened_toast"))
    await _refresh_board(turn, kit, need, unlocked=True)


# --- commands -------------------------------------------------------------------------------------


@command(where="private", roles=ARRANGERS)
async def cmd_arrange(turn: Turn) -> None:
    """`/arrange [day]`: the boards of the days ahead that have cover to arrange."""
    school_id = turn.actor.school_id
    if school_id is None:
        turn.reply(turn.t("common.no_school"))
        return
    kit = await load_kit(turn, school_id)
    assert kit is not None
    today = kit.today(turn.now)
    first, last = today, today + timedelta(days=BOARD_DAYS)
    if turn.arg_text:
        try:
            first = last = parse_day(turn.arg_text, today)
        except LeaveDateError as problem:
            if problem.key == OUT_OF_RANGE:
                turn.reply(turn.t(problem.key, **problem.values))
            else:
                turn.reply(turn.t("cover.arrange.bad_day", value=turn.arg_text))
            return
    needs = await _arrangeable(turn, kit, first, last)
    if not needs and turn.arg_text:
        turn.reply(turn.t("cover.arrange.none_on", day=day_label(turn.lang, first)))
        return
    if not needs:
        turn.reply(turn.t("cover.arrange.none"))
        return
    me = turn.actor.staff
    for day in sorted({n.day for n in needs}):
        board = await _draw(turn, kit, Showing(day, [n for n in needs if n.day == day], turn.now))
        tag = (school_id, day, stored_id(me)) if me is not None else None
        turn.out.send(turn.chat_id, board.text, board.markup, board=tag)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("arrange", cmd_arrange),
        CallbackQueryHandler(on_assign, pattern=callbacks.COVER_ASSIGN.pattern),
        CallbackQueryHandler(on_self_study, pattern=callbacks.COVER_SELF_STUDY.pattern),
        CallbackQueryHandler(on_merge, pattern=callbacks.COVER_MERGE.pattern),
        CallbackQueryHandler(on_merge_choice, pattern=callbacks.COVER_MERGE_WITH.pattern),
        CallbackQueryHandler(on_ask_group, pattern=callbacks.COVER_ASK_GROUP.pattern),
        CallbackQueryHandler(on_page, pattern=callbacks.COVER_PAGE.pattern),
        CallbackQueryHandler(on_reopen, pattern=callbacks.COVER_REOPEN.pattern),
    ]

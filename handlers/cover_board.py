"""The arranger's board for a day, the notices around cover, and the slip's update messages.

The board lists each lesson a colleague's absence leaves, its top suggestions with reasons, and
buttons to assign one of them, to ask the group, or to mark it self-study or merged. Buttons
carry the need's version: a press on an outdated board changes nothing (handlers/cover.py).

A lesson whose bell has rung its end is over: the board still lists it, marked, without
suggestions or buttons; one that ended with nothing arranged says so, for the office to know a
class had no teacher. A lesson being taught can still be covered for what is left of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.dates import day_label
from bot.texts import Safe, split_message, t
from handlers import follow_ups
from handlers.leave_texts import (
    cover_state,
    language_of,
    need_label,
    slip_lines,
    slip_message,
    slip_update_message,
    tell,
)
from handlers.turn import Turn
from rules.cover import Suggestion, lesson_over
from rules.policies import PolicySet
from rules.roles import ADMIN
from storage.cover import (
    CoverDay,
    arrangers_for,
    busy_lesson,
    load_cover_day,
    may_arrange,
    needs_by_id,
    needs_on,
    posted_slip,
    posted_slip_lines,
    save_slip,
    slip_data,
    suggest,
)
from storage.models import CoverNeed, School, Staff
from storage.policies import load_policies
from storage.schools import staff_groups
from storage.swaps import Names, Schedule, load_names, load_schedule


@dataclass
class Kit:
    """What rendering and checking cover needs reads, loaded once per action."""

    school: School
    schedule: Schedule
    names: Names
    policies: PolicySet

    @property
    def cap(self) -> int:
        return int(self.policies.get("cover.daily_cap"))

    @property
    def arranger_policy(self) -> str:
        return str(self.policies.get("cover.arranger"))

    def today(self, turn: Turn) -> date:
        return turn.now.astimezone(ZoneInfo(self.school.timezone)).date()

    def lesson_over(self, need: CoverNeed, now: datetime) -> bool:
        """Whether the need's lesson has ended by `now` (by the school's bell times)."""
        return lesson_over(self.schedule.lesson_over_at(need.day, need.period), now)

    def phase(self, need: CoverNeed, now: datetime) -> str:
        """Where the lesson stands at `now`: OVER, UNDER_WAY (its bell rang, its end did not)
        or AHEAD."""
        if self.lesson_over(need, now):
            return OVER
        start = self.schedule.lesson_start(need.day, need.period)
        return UNDER_WAY if start is not None and start <= now else AHEAD


async def build_kit(session: AsyncSession, school: School) -> Kit:
    school_id = school.id or 0
    return Kit(
        school,
        await load_schedule(session=session, school_id=school_id),
        await load_names(session=session, school_id=school_id),
        await load_policies(session=session, school_id=school_id),
    )


async def load_kit(turn: Turn, school_id: int) -> Kit | None:
    """The school's kit; a follow-up reuses the one its action loaded (a recovered follow-up,
    whose action was in another process, loads it)."""
    if turn.following and school_id in turn.kits:
        return turn.kits[school_id]  # type: ignore[no-any-return]
    school = await turn.session.get(School, school_id)
    if school is None:
        return None
    kit = turn.kits[school_id] = await build_kit(turn.session, school)
    return kit


def default_lang(turn: Turn) -> str:
    return turn.svc.settings.default_language


# Where a lesson stands at the time a board is drawn.
AHEAD, UNDER_WAY, OVER = "ahead", "under_way", "over"
UNCOVERED_STATES = ("open", "asking")


# --- the arranger's board ---------------------------------------------------------------------


# Lessons on one page of a day's board: six take about 1,500 characters and 38 buttons.
BOARD_PAGE = 6
# Days ahead (today included) whose boards /arrange and an approval send; a later day's board
# comes the evening before, while lessons are still open (jobs/cover.py).
BOARD_DAYS = 7


def _reason_words(lang: str, suggestion: Suggestion) -> str:
    words = [
        t(lang, f"cover.reason.{reason.code}", count=reason.count) for reason in suggestion.reasons
    ]
    return t(lang, "common.list_sep").join(words)


# A lesson's lines and its rows of buttons on a board.
Block = tuple[list[str], list[list[InlineKeyboardButton]]]


@dataclass
class BoardParts:
    """What the arrangers' copies of one board share: each lesson's suggestions, and its drawn
    lines and buttons in each language (an approval sends the same lessons to every arranger)."""

    suggestions: dict[tuple[int, int], list[Suggestion]] = field(default_factory=dict)
    blocks: dict[tuple[int, int, str, int, str], Block] = field(default_factory=dict)


async def render_board(
    session: AsyncSession,
    kit: Kit,
    day: date,
    needs: list[CoverNeed],
    lang: str,
    parts: BoardParts | None = None,
    *,
    now: datetime,
    page: int = 0,
    focus: int | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One day's board for an arranger at `now`: every lesson, its state, suggestions and
    buttons; a lesson that is over only with its state.

    Telegram takes at most 4,096 characters and about a hundred buttons in a message, which a
    day with several teachers away passes; such a day is shown `BOARD_PAGE` lessons at a time,
    numbered through the day, with buttons to turn the page. `focus` (a need id) picks the page
    that holds it. `parts` keeps what the next arranger's copy shares with this one.
    """
    parts = BoardParts() if parts is None else parts
    pages = max(1, -(-len(needs) // BOARD_PAGE))
    if focus is not None:
        page = next((i for i, n in enumerate(needs) if n.id == focus), 0) // BOARD_PAGE
    page = min(max(page, 0), pages - 1)
    if pages > 1:
        title = t(
            lang,
            "cover.board.title_paged",
            day=day_label(lang, day),
            page=page + 1,
            pages=pages,
            count=len(needs),
        )
    else:
        title = t(lang, "cover.board.title", day=day_label(lang, day))
    lines = [title]
    rows: list[list[InlineKeyboardButton]] = []
    first = page * BOARD_PAGE
    for number, need in enumerate(needs[first : first + BOARD_PAGE], start=first + 1):
        phase = kit.phase(need, now)
        key = (need.id or 0, need.version, lang, number, phase)
        if key not in parts.blocks:
            parts.blocks[key] = await _lesson_block(
                session, kit, day, need, number, lang, parts, phase=phase, now=now
            )
        block_lines, block_rows = parts.blocks[key]
        lines.extend(block_lines)
        rows.extend(block_rows)
    if pages > 1:
        turn_to = [(page - 1, "cover.button.prev"), (page + 1, "cover.button.next")]
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, key), callback_data=callbacks.encode("cov", "pg", day.toordinal(), to)
                )
                for to, key in turn_to
                if 0 <= to < pages
            ]
        )
    # A day whose lessons are all over has no button left to show.
    kept = [row for row in rows if row]
    return "\n".join(lines), InlineKeyboardMarkup(kept) if kept else None


async def _lesson_block(
    session: AsyncSession,
    kit: Kit,
    day: date,
    need: CoverNeed,
    number: int,
    lang: str,
    parts: BoardParts,
    *,
    phase: str,
    now: datetime,
) -> Block:
    """One lesson of a board: its lines (what, whose, its state, the suggestions) and buttons;
    a lesson that is over has its state only."""
    lines = [
        "",
        t(
            lang,
            "cover.board.lesson",
            number=number,
            lesson=Safe(need_label(lang, kit.names, kit.schedule, need, with_day=False)),
            teacher=kit.names.person(need.absent_id),
        ),
    ]
    lines.append(t(lang, "cover.board.state", state=Safe(_state_words(lang, kit, need, phase))))
    if need.provisional:
        lines.append(t(lang, "cover.board.provisional"))
    if phase == OVER:
        return lines, []
    picked = (need.id or 0, need.version)
    if picked not in parts.suggestions:
        cover_day = await load_cover_day(
            session=session, school_id=kit.school.id or 0, day=day, schedule=kit.schedule
        )
        parts.suggestions[picked] = await suggest(
            session=session,
            need=need,
            cover_day=cover_day,
            cap=kit.cap,
            subject_name=kit.names.subjects.get(need.subject_id, ""),
            now=now,
        )
    suggestions = parts.suggestions[picked]
    if suggestions:
        lines.append(t(lang, "cover.board.suggestions"))
        lines.extend(
            t(
                lang,
                "cover.board.suggestion",
                name=suggestion.name,
                reasons=Safe(_reason_words(lang, suggestion)),
            )
            for suggestion in suggestions
        )
    else:
        lines.append(t(lang, "cover.board.nobody"))
    rows = [
        [
            InlineKeyboardButton(
                t(lang, "cover.button.assign", number=number, name=s.name),
                callback_data=callbacks.encode("cov", "as", need.id or 0, s.staff_id, need.version),
            )
            for s in suggestions
        ],
        [
            InlineKeyboardButton(
                t(lang, f"cover.button.{action}", number=number),
                callback_data=callbacks.encode("cov", action, need.id or 0, need.version),
            )
            for action in ("ask", "ss", "mg")
        ],
    ]
    return lines, rows


def _state_words(lang: str, kit: Kit, need: CoverNeed, phase: str) -> str:
    """The lesson's state as a board shows it, with where the lesson stands in the day."""
    if phase == OVER and need.status in UNCOVERED_STATES:
        # Nothing was arranged and it is too late to: the class went without a teacher.
        return t(lang, "cover.board.over_uncovered")
    state = cover_state(lang, kit.names, need)
    if need.status == "assigned":
        mark = "cover.board.acknowledged" if need.acknowledged_at else "cover.board.unacknowledged"
        state = f"{state}{t(lang, mark)}"
    if phase == OVER:
        state = f"{state}{t(lang, 'cover.board.over')}"
    elif phase == UNDER_WAY:
        state = f"{state}{t(lang, 'cover.board.under_way')}"
    return state


async def arranger_needs(
    session: AsyncSession, kit: Kit, needs: Iterable[CoverNeed]
) -> dict[int, tuple[Staff, list[CoverNeed]]]:
    """Each arranger with the needs they arrange."""
    found: dict[int, tuple[Staff, list[CoverNeed]]] = {}
    for need in needs:
        for person in await arrangers_for(
            session=session,
            school_id=kit.school.id or 0,
            grade=kit.schedule.grades.get(need.class_id),
            policy=kit.arranger_policy,
            absent_id=need.absent_id,
        ):
            found.setdefault(person.id or 0, (person, []))[1].append(need)
    return found


def arranged_by(
    kit: Kit, person: Staff | None, needs: Iterable[CoverNeed], *, is_admin: bool | None = None
) -> list[CoverNeed]:
    """The lessons among `needs` that `person` may arrange: what their copy of a day's board
    shows, whether it was sent after an approval, asked for with /arrange or drawn again.
    `is_admin` defaults to the admin role on their record (a system admin has no record)."""
    if is_admin is None:
        is_admin = person is not None and ADMIN in person.role_set
    return [
        need
        for need in needs
        if may_arrange(
            person,
            grade=kit.schedule.grades.get(need.class_id),
            policy=kit.arranger_policy,
            is_admin=is_admin,
        )
    ]


async def send_boards(turn: Turn, kit: Kit, needs: list[CoverNeed]) -> int:
    """Each arranger of these lessons gets, for each of their days, that day's whole board as
    they arrange it (the board a later change draws again), opened on the page of the first of
    these lessons. One private message per day and arranger; returns how many were queued."""
    sent = 0
    parts = BoardParts()
    school_id = kit.school.id or 0
    days = {
        day: await needs_on(session=turn.session, school_id=school_id, day=day)
        for day in sorted({need.day for need in needs})
    }
    for person, mine in (await arranger_needs(turn.session, kit, needs)).values():
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
            text, markup = await render_board(
                turn.session,
                kit,
                day,
                sorted(theirs, key=_day_order),
                lang,
                parts,
                now=turn.now,
                focus=new[0].id,
            )
            turn.out.send(person.telegram_id, text, markup, board=(school_id, day, person.id or 0))
            sent += 1
    return sent


def boards_follow(turn: Turn, kit: Kit, needs: Iterable[CoverNeed]) -> None:
    """After the action, each arranger gets these lessons' boards for the coming week
    (`BOARD_DAYS`) and one line about later ones, drawn as the lessons are by then."""
    ids = [need.id or 0 for need in sorted(needs, key=_board_order)]
    turn.then(boards_for, school_id=kit.school.id or 0, ids=ids)


@follow_ups.named("cover_boards")
async def boards_for(later: Turn, *, school_id: int, ids: list[int]) -> None:
    kit = await load_kit(later, school_id)
    if kit is None:
        return
    live = await needs_by_id(session=later.session, ids=ids)
    # A long leave would send every arranger a board for each of its days at once.
    horizon = kit.today(later) + timedelta(days=BOARD_DAYS - 1)
    await send_boards(later, kit, [need for need in live if need.day <= horizon])
    ahead = [need for need in live if need.day > horizon]
    if ahead:
        await tell_later(later, kit, ahead)


def _board_order(need: CoverNeed) -> tuple[date, int, int]:
    return need.day, need.period, need.id or 0


def _day_order(need: CoverNeed) -> tuple[date, int, int]:
    """As a day's lessons are listed on a board (storage.cover.needs_between)."""
    return need.day, need.period, need.class_id


async def tell_later(turn: Turn, kit: Kit, needs: list[CoverNeed]) -> None:
    """Each arranger of lessons past the boards' days: how many, when, and when they come."""
    for person, mine in (await arranger_needs(turn.session, kit, needs)).values():
        lang = language_of(person, default_lang(turn))
        days = sorted({need.day for need in mine})
        tell(
            turn.out,
            person,
            default_lang(turn),
            "cover.later",
            count=len(mine),
            first=day_label(lang, days[0]),
            last=day_label(lang, days[-1]),
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


def substitute_notice_markup(lang: str, need: CoverNeed) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "cover.button.ack"),
                    callback_data=callbacks.encode("cov", "ok", need.id or 0, need.version),
                )
            ]
        ]
    )


def tell_substitute(turn: Turn, kit: Kit, need: CoverNeed, *, ask_ack: bool) -> None:
    """The private message to whoever covers: class, day, period and time, subject, for whom."""
    person = kit.names.staff.get(need.substitute_id or 0)
    if person is None:
        return
    lang = language_of(person, default_lang(turn))
    markup = substitute_notice_markup(lang, need) if ask_ack else None
    tell(
        turn.out,
        person,
        default_lang(turn),
        "cover.you_cover" if ask_ack else "cover.you_took",
        markup,
        lesson=Safe(need_label(lang, kit.names, kit.schedule, need)),
        teacher=kit.names.person(need.absent_id),
    )


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
    """After a change: days whose slip was posted already get a message with what changed.

    Today's slip may never have gone out (nothing was planned at its time, 07:20): a change
    later that day posts the whole slip, or the group would not learn of same-day cover.
    The group's message is not the answer to whoever acted: it follows the action.
    """
    turn.then(slips_for, school_id=kit.school.id or 0, days=sorted(set(days)))


@follow_ups.named("cover_slips")
async def slips_for(later: Turn, *, school_id: int, days: list[date]) -> None:
    kit = await load_kit(later, school_id)
    if kit is not None:
        await _update_slips(later, kit, days)


async def _update_slips(turn: Turn, kit: Kit, days: list[date]) -> None:
    today = kit.today(turn)
    lang = default_lang(turn)
    school_id = kit.school.id or 0
    # Swaps may have changed within this action: read the schedule fresh.
    schedule = await load_schedule(session=turn.session, school_id=school_id)
    for day in days:
        if day < today:
            continue
        posted = await posted_slip(session=turn.session, school_id=school_id, day=day)
        if posted is None and (day != today or turn.now < _slip_time_today(kit, day)):
            continue  # its own push sends the whole slip when the time comes
        data = await slip_data(session=turn.session, school_id=school_id, day=day)
        lines = slip_lines(lang, data, kit.names, schedule)
        old = posted_slip_lines(posted) if posted is not None else []
        added = [line for line in lines if line not in old]
        removed = [line for line in old if line not in lines]
        if not added and not removed:
            continue
        await save_slip(
            session=turn.session, school_id=school_id, day=day, lines=lines, now=turn.now
        )
        if posted is None:
            message = slip_message(lang, day, lines)
        else:
            message = slip_update_message(lang, day, added, removed)
        for group in await staff_groups(session=turn.session, school_id=school_id):
            for chunk in split_message(message):
                turn.out.send(group.chat_id, chunk)


def _slip_time_today(kit: Kit, day: date) -> datetime:
    when = kit.policies.get("cover.slip_today")
    return datetime.combine(day, when, tzinfo=ZoneInfo(kit.school.timezone))


async def need_for_press(turn: Turn) -> tuple[CoverNeed, Kit] | None:
    assert turn.callback is not None
    need_id = turn.callback.id()
    need = await turn.session.get(CoverNeed, need_id) if need_id is not None else None
    if need is None or need.school_id != turn.actor.school_id:
        await turn.audit("button_refused", reason="unknown_need", need=need_id)
        turn.toast(turn.t("common.button_invalid"), alert=True)
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
            what = turn.t("cover.a_cover")
        else:
            klass = kit.names.classes.get(lesson.class_id, "?")
            what = f"{klass} {kit.names.subjects.get(lesson.subject_id, '?')}"
        return turn.t("cover.cannot.busy", name=name, period=need.period, what=what)
    if code == "self" and turn.actor.staff is not None and turn.actor.staff.id == staff_id:
        return turn.t("cover.cannot.self_you")  # the absent teacher pressed: speak to them
    return turn.t(f"cover.cannot.{code}", name=name, cap=kit.cap)

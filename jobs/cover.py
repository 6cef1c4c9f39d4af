"""The cover slip (代课/调课公示) for the group, and the arrangers' reminders.

The slip for today goes out at `cover.slip_today` (07:20), the one for tomorrow at
`cover.slip_tomorrow` (20:00), each only when something is planned. What it shows is kept, so a
later change edits it with what changed (see handlers/cover/slip.py). A substitute who
has not pressed 收到 30 minutes before the lesson gets their arranger reminded, and the
substitute is reminded `cover.reminder_minutes` (10) before it, with the absent teacher's
handover and 已上 to press after the lesson, whether or not they pressed 收到 (an unconfirmed
one is asked again, with 收到 under it). Two hours before tomorrow's slip, an arranger
with lessons of tomorrow still to arrange gets that day's board:
the boards an approval sends can be days old, or lost in a long leave's many days.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.messages import Attachment
from bot.texts import Safe, split_message, t
from jobs import kinds
from jobs.delivery import send_to_chat, send_to_staff_groups
from jobs.registry import GROUP, DayContext, PushContext, PushKind, Slot, at_local, daily_slot
from rules.states import CoverStatus
from storage.calendar import school_calendar
from storage.cover import needs_between, needs_on, save_slip, slip_covers, slip_data
from storage.cover_boards import Showing, arranger_needs, suggest_shown
from storage.handover import notes_for_need
from storage.models import CoverNeed
from storage.schedule import build_kit
from storage.types import stored_id
from views.cover_board import BoardParts, render_board
from views.cover_slip import slip_lines, slip_message
from views.cover_substitute import reminder_markup, reminder_text
from views.handover import for_substitute
from views.leave import need_label

SLIP_TODAY = kinds.COVER_SLIP_TODAY
SLIP_TOMORROW = kinds.COVER_SLIP_TOMORROW
ACK_REMINDER = kinds.COVER_ACK_REMINDER
ACK_BEFORE = timedelta(minutes=30)
OPEN_TOMORROW = kinds.COVER_OPEN_TOMORROW
REMINDER = kinds.COVER_REMINDER
# Before tomorrow's slip goes to the group, so that it can already name the substitutes.
OPEN_BEFORE_SLIP = timedelta(hours=2)


async def plan_tomorrow(ctx: DayContext) -> list[Slot]:
    """At the evening time of any day, when tomorrow is a school day."""
    tomorrow = ctx.day + timedelta(days=1)
    calendar = await school_calendar(session=ctx.session, school_id=stored_id(ctx.school))
    if not calendar.status(tomorrow).is_school_day:
        return []
    at = at_local(ctx.day, ctx.policies.get("cover.slip_tomorrow"), ctx.tz)
    return [Slot(SLIP_TOMORROW, GROUP, at, tomorrow.isoformat())]


async def post_slip(ctx: PushContext, day: date) -> bool:
    school_id = stored_id(ctx.school)
    data = await slip_data(session=ctx.session, school_id=school_id, day=day)
    if data.empty:
        return False
    kit = await build_kit(ctx.session, ctx.school)
    lang = ctx.services.settings.default_language
    lines = slip_lines(lang, data, kit.names, kit.schedule)
    chunks = split_message(slip_message(lang, day, lines))
    slip = (school_id, day)
    thread = ctx.policies.topic("cover")
    if not await send_to_staff_groups(
        ctx.bot, ctx.session, school_id, list(chunks), slip=slip, thread_id=thread
    ):
        return False
    await save_slip(
        session=ctx.session,
        school_id=school_id,
        day=day,
        lines=lines,
        now=ctx.services.clock.now(),
        covers=slip_covers(data.needs),
    )
    return True


async def send_today(ctx: PushContext) -> bool:
    return await post_slip(ctx, ctx.day)


async def send_tomorrow(ctx: PushContext) -> bool:
    return await post_slip(ctx, date.fromisoformat(ctx.slot.key))


async def _assigned_on(ctx: DayContext) -> list[CoverNeed]:
    """The day's lessons someone covers, read once for all the days planned together."""
    first, last = ctx.days
    needs = await ctx.once_for_days(
        "assigned_needs",
        lambda: needs_between(
            session=ctx.session,
            school_id=stored_id(ctx.school),
            first=first,
            last=last,
            states=(CoverStatus.ASSIGNED,),
        ),
    )
    return [need for need in needs if need.day == ctx.day]


async def plan_ack_reminders(ctx: DayContext) -> list[Slot]:
    if not ctx.status.is_school_day:
        return []
    needs = await _assigned_on(ctx)
    if not needs:
        return []  # most days: nothing to plan, so the timetable is not loaded
    kit = await build_kit(ctx.session, ctx.school)
    slots = []
    for need in needs:
        start = kit.schedule.lesson_start(need.day, need.period)
        if need.acknowledged_at is None and need.substitute_id and start is not None:
            key = f"{need.substitute_id}v{need.version}"
            slots.append(Slot(ACK_REMINDER, f"need{need.id}", start - ACK_BEFORE, key))
    return slots


async def send_ack_reminder(ctx: PushContext) -> bool:
    need = await ctx.session.get(CoverNeed, int(ctx.slot.target.removeprefix("need")))
    if (
        need is None
        or need.status != CoverStatus.ASSIGNED
        or need.acknowledged_at is not None
        or ctx.slot.key != f"{need.substitute_id}v{need.version}"
    ):
        return False
    kit = await build_kit(ctx.session, ctx.school)
    default = ctx.services.settings.default_language
    sent = 0
    for person, _ in (await arranger_needs(ctx.session, kit, [need])).values():
        if person.telegram_id is None:
            continue
        lang = person.language or default
        text = t(
            lang,
            "cover.ack_reminder",
            name=kit.names.person(need.substitute_id),
            lesson=Safe(need_label(lang, kit.names, kit.schedule, need)),
        )
        if await send_to_chat(ctx.bot, ctx.session, person.telegram_id, text):
            sent += 1
    return sent > 0


def _reminder_key(need: CoverNeed) -> str:
    """Who covers and as of which change: a lesson given to someone else (or declined and given
    back) is a new reminder, and the old one finds nothing to say."""
    return f"{need.substitute_id}v{need.version}"


async def plan_reminders(ctx: DayContext) -> list[Slot]:
    """For each lesson someone covers today, `cover.reminder_minutes` before it begins."""
    minutes: int = ctx.policies.get("cover.reminder_minutes")
    if minutes <= 0 or not ctx.status.is_school_day:
        return []
    needs = await _assigned_on(ctx)
    if not needs:
        return []
    kit = await build_kit(ctx.session, ctx.school)
    slots = []
    for need in needs:
        start = kit.schedule.lesson_start(need.day, need.period)
        if need.substitute_id and start is not None:
            at = start - timedelta(minutes=minutes)
            slots.append(Slot(REMINDER, f"need{need.id}", at, _reminder_key(need)))
    return slots


async def send_reminder(ctx: PushContext) -> bool:
    """The substitute's reminder, if they still cover the lesson as planned."""
    need = await ctx.session.get(CoverNeed, int(ctx.slot.target.removeprefix("need")))
    if need is None or need.status != CoverStatus.ASSIGNED or ctx.slot.key != _reminder_key(need):
        return False
    kit = await build_kit(ctx.session, ctx.school)
    person = kit.names.staff.get(need.substitute_id or 0)
    if person is None or person.telegram_id is None:
        return False
    lang = person.language or ctx.services.settings.default_language
    start = kit.schedule.lesson_start(need.day, need.period)
    now = ctx.services.clock.now()
    if start is None or start <= now:
        return False  # sent late (the bot was down): the lesson began, nothing to remind of
    # Said as planned (the scheduler's tick comes a little after the slot), unless sent late.
    since = ctx.slot.at if now - ctx.slot.at < timedelta(minutes=2) else now
    minutes = max(1, round((start - since).total_seconds() / 60))
    text = reminder_text(lang, kit.names, kit.schedule, need, minutes)
    # The absent teacher's handover comes again with it: it is when the substitute needs it.
    notes = await notes_for_need(session=ctx.session, need=need)
    lesson = need_label(lang, kit.names, kit.schedule, need)
    handover = for_substitute(lang, kit.names.person(need.absent_id), lesson, notes)
    if handover is not None:
        text = Safe(f"{text}\n\n{handover.text}")
    markup = reminder_markup(lang, need)
    sent = await send_to_chat(ctx.bot, ctx.session, person.telegram_id, text, markup)
    if handover is not None:
        for kind, file_id, name in handover.files:
            attachment = Attachment(name, b"", kind, file_id)
            await send_to_chat(
                ctx.bot, ctx.session, person.telegram_id, handover.caption, attachment=attachment
            )
    return sent


async def plan_open_tomorrow(ctx: DayContext) -> list[Slot]:
    """On any day, when tomorrow is a school day: whether anything is open is asked at 18:00."""
    tomorrow = ctx.day + timedelta(days=1)
    calendar = await school_calendar(session=ctx.session, school_id=stored_id(ctx.school))
    if not calendar.status(tomorrow).is_school_day:
        return []
    at = at_local(ctx.day, ctx.policies.get("cover.slip_tomorrow"), ctx.tz) - OPEN_BEFORE_SLIP
    return [Slot(OPEN_TOMORROW, "arrangers", at, tomorrow.isoformat())]


async def send_open_tomorrow(ctx: PushContext) -> bool:
    """Each arranger with lessons of tomorrow still open gets tomorrow's board, on its page."""
    day = date.fromisoformat(ctx.slot.key)
    needs = await needs_on(session=ctx.session, school_id=stored_id(ctx.school), day=day)
    if not any(need.status == CoverStatus.OPEN for need in needs):
        return False
    kit = await build_kit(ctx.session, ctx.school)
    default = ctx.services.settings.default_language
    parts = BoardParts()
    now = ctx.services.clock.now()
    sent = 0
    for person, theirs in (await arranger_needs(ctx.session, kit, needs, boards=True)).values():
        still_open = [need for need in theirs if need.status == CoverStatus.OPEN]
        if person.telegram_id is None or not still_open:
            continue
        lang = person.language or default
        shown = Showing(day, theirs, now, focus=still_open[0].id)
        await suggest_shown(ctx.session, kit, shown, parts.suggestions, parts.events)
        board = render_board(kit, shown, lang, parts)
        text = f"{t(lang, 'cover.open_tomorrow', count=len(still_open))}\n{board.text}"
        tag = (stored_id(ctx.school), day, stored_id(person))
        markup = board.markup
        if await send_to_chat(ctx.bot, ctx.session, person.telegram_id, text, markup, board=tag):
            sent += 1
    return sent > 0


def push_kinds() -> list[PushKind]:
    return [
        PushKind(SLIP_TODAY, daily_slot(SLIP_TODAY, "cover.slip_today"), send_today),
        PushKind(SLIP_TOMORROW, plan_tomorrow, send_tomorrow),
        PushKind(ACK_REMINDER, plan_ack_reminders, send_ack_reminder),
        PushKind(OPEN_TOMORROW, plan_open_tomorrow, send_open_tomorrow),
        PushKind(REMINDER, plan_reminders, send_reminder),
    ]

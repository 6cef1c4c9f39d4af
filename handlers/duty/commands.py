"""/duty: today's, this week's and my duties; admins replace someone for a day.

`/duty set <date> <post> <name>` puts someone on a post for one day (`/duty unset` undoes it).
A post is named by its number in `/duty roster` or by (part of) its name. Changes to the
standing roster (`/duty weekday`, `/duty rotation`, `/duty post`) are in handlers/duty/admin.py.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram.ext import BaseHandler, CommandHandler

from bot.texts import split_message, t
from handlers.core.turn import Turn, command
from handlers.duty.admin import (
    Refused,
    change_posts,
    change_rotation,
    change_weekday,
    find_person,
    find_post,
)
from handlers.duty.leave import arranges_for, could_arrange, on_leave_then
from jobs import kinds
from rules.importing import CellError
from rules.rota import WEEKDAY, windows_overlap
from storage.calendar import school_calendar
from storage.duty import (
    DutyShift,
    clear_override,
    duties_between,
    duty_gaps,
    duty_on,
    has_roster,
    roster,
    set_override,
)
from storage.models import DutyPost, Staff
from storage.staff import school_staff
from storage.types import stored_id
from views.common import day_label, localised, weekday_name
from views.duty import day_status_text, hhmm, render_day, school_today, take_day

MY_DAYS = 30
MY_LIMIT = 10
SUBCOMMANDS = {
    "week": "week", "本周": "week", "周": "week",
    "me": "me", "我": "me", "我的": "me",
    "roster": "roster", "posts": "roster", "岗位": "roster", "排班": "roster",
    "set": "set", "安排": "set",
    "unset": "unset", "reset": "unset", "恢复": "unset",
    "weekday": "weekday", "星期": "weekday",
    "rotation": "rotation", "轮值": "rotation", "轮换": "rotation",
    "post": "post",
}  # fmt: skip
ADMIN_SUBCOMMANDS = frozenset({"set", "unset", "weekday", "rotation", "post"})


@command(where="any", staff=True)
async def cmd_duty(turn: Turn) -> None:
    """Today's duty, or `/duty week|me|roster|<date>`; admins: `/duty set|unset|weekday|rotation|
    post …`."""
    school = turn.actor.school
    if school is None or school.id is None:
        turn.reply(turn.t("common.no_school"))
        return
    words = turn.args
    sub = SUBCOMMANDS.get(words[0].casefold()) if words else None
    # Besides admins, an arranger may replace someone on leave (checked per post in _set).
    arranger_set = sub == "set" and could_arrange(turn.actor)
    if sub in ADMIN_SUBCOMMANDS and not turn.actor.is_admin and not arranger_set:
        await turn.audit("denied", command="/duty", change=sub)
        turn.reply(turn.t("common.not_allowed"))
        return
    today = school_today(school, turn.now)
    # Adding a post is also how a school without a roster file starts one.
    if sub != "post" and not await has_roster(session=turn.session, school_id=school.id):
        turn.reply(turn.t("duty.no_roster_admin" if turn.actor.is_admin else "duty.no_roster"))
        return
    try:
        if sub is None:
            day = take_day(words, today)[0] if words else today
            await _show_day(turn, school.id, day, today)
        elif sub == "week":
            await _show_week(turn, school.id, today)
        elif sub == "me":
            await _show_mine(turn, school.id, today)
        elif sub == "roster":
            await _show_roster(turn, school.id, today)
        elif sub == "set":
            await _set(turn, school.id, words[1:], today)
        elif sub == "unset":
            await _unset(turn, school.id, words[1:], today)
        elif sub == "weekday":
            await change_weekday(turn, school.id, words[1:])
        elif sub == "rotation":
            await change_rotation(turn, school.id, words[1:], today)
        else:
            await change_posts(turn, school.id, words[1:], today)
    except CellError as exc:
        turn.reply(turn.t(exc.key, **exc.values))
        turn.reply(turn.t("duty.usage"))
    except Refused as refused:
        turn.reply(turn.t(refused.key, **refused.values))


async def _show_day(turn: Turn, school_id: int, day: date, today: date) -> None:
    calendar = await school_calendar(session=turn.session, school_id=school_id)
    status = calendar.status(day)
    if not status.is_school_day:
        turn.reply(
            turn.t(
                "duty.not_school_day",
                day=day_label(turn.lang, day),
                status=day_status_text(turn.lang, status),
            )
        )
        return
    shifts = await duty_on(session=turn.session, school_id=school_id, day=day, calendar=calendar)
    title = "duty.today_title" if day == today else "duty.day_title"
    gaps = await duty_gaps(session=turn.session, school_id=school_id, start=day, end=day)
    posts = {gap.shift.post_id for gap in gaps}
    turn.reply("\n".join(render_day(turn.lang, status, shifts, title=title, gaps=posts)))


def _week_of(today: date) -> tuple[date, date]:
    """This week, Monday to Sunday; at the weekend, the coming one."""
    monday = today - timedelta(days=today.weekday())
    if today.isoweekday() >= 6:
        monday += timedelta(days=7)
    return monday, monday + timedelta(days=6)


async def _show_week(turn: Turn, school_id: int, today: date) -> None:
    start, end = _week_of(today)
    calendar = await school_calendar(session=turn.session, school_id=school_id)
    days = await duties_between(
        session=turn.session, school_id=school_id, start=start, end=end, calendar=calendar
    )
    lang = turn.lang
    lines: list[str] = [
        turn.t("duty.week_title", start=day_label(lang, start), end=day_label(lang, end))
    ]
    for status in calendar.days(start, end):
        if status.day in days:
            lines.append("")
            lines += render_day(lang, status, days[status.day], title="duty.day_title")
        elif status.day.isoweekday() <= 5:
            lines.append("")
            lines.append(
                turn.t(
                    "duty.day_off",
                    day=day_label(lang, status.day),
                    status=day_status_text(lang, status),
                )
            )
    for chunk in split_message(lines):
        turn.reply(chunk)


async def _show_mine(turn: Turn, school_id: int, today: date) -> None:
    me = turn.actor.staff
    if me is None:
        turn.reply(turn.t("common.not_linked"))
        return
    days = await duties_between(
        session=turn.session,
        school_id=school_id,
        start=today,
        end=today + timedelta(days=MY_DAYS - 1),
    )
    mine = [s for shifts in days.values() for s in shifts if s.staff_id == me.id]
    if not mine:
        turn.reply(turn.t("duty.mine_none", days=MY_DAYS))
        return
    lines = [turn.t("duty.mine_title", name=me.name)]
    for shift in mine[:MY_LIMIT]:
        lines.append(
            turn.t(
                "duty.mine_line",
                day=day_label(turn.lang, shift.day),
                start=hhmm(shift.starts_at),
                end=hhmm(shift.ends_at),
                post=shift.post,
                note=turn.t("duty.mine_instead", regular=shift.regular_name)
                if shift.replaced and shift.regular_name
                else "",
            )
        )
    if len(mine) > MY_LIMIT:
        lines.append(turn.t("duty.mine_more", count=len(mine) - MY_LIMIT))
    turn.reply("\n".join(lines))


async def _show_roster(turn: Turn, school_id: int, today: date) -> None:
    posts = await roster(session=turn.session, school_id=school_id)
    names = {s.id: s.name for s in await school_staff(session=turn.session, school_id=school_id)}
    lang = turn.lang
    sep = turn.t("common.list_sep")
    lines: list[str] = [turn.t("duty.roster_title")]
    for number, post in enumerate(posts, start=1):
        if post.mode == WEEKDAY:
            people = sep.join(
                f"{weekday_name(lang, d)} {names.get(s, '?')}"
                for d, s in sorted(post.by_weekday.items())
            )
            how = turn.t("duty.roster_weekday", people=people or turn.t("common.none"))
        else:
            how = turn.t(
                "duty.roster_rotation", people=" → ".join(names.get(s, "?") for s in post.rotation)
            )
        lines.append(
            turn.t(
                "duty.roster_line",
                number=number,
                start=hhmm(post.starts_at),
                end=hhmm(post.ends_at),
                post=post.name,
                how=how,
            )
        )
    if turn.actor.is_admin:
        lines.append("")
        lines.append(turn.t("duty.admin_usage"))
    for chunk in split_message(lines):
        turn.reply(chunk)


async def _school_day_shifts(turn: Turn, school_id: int, day: date, today: date) -> list[DutyShift]:
    if day < today:
        raise Refused("duty.err.past", day=day_label(turn.lang, day))
    calendar = await school_calendar(session=turn.session, school_id=school_id)
    status = calendar.status(day)
    if not status.is_school_day:
        raise Refused(
            "duty.not_school_day",
            day=day_label(turn.lang, day),
            status=day_status_text(turn.lang, status),
        )
    return await duty_on(session=turn.session, school_id=school_id, day=day, calendar=calendar)


def _shift_of(shifts: list[DutyShift], post: DutyPost, day: date) -> DutyShift:
    """The post's shift that day; a weekday post nobody stands on that weekday has an empty one."""
    found = next((s for s in shifts if s.post_id == post.id), None)
    if found is not None:
        return found
    return DutyShift(
        day=day,
        post_id=stored_id(post),
        post=post.name,
        starts_at=post.starts_at,
        ends_at=post.ends_at,
        staff_id=None,
        name="",
        telegram_id=None,
        language=None,
        regular_staff_id=None,
        regular_name="",
        reason=None,
    )


def _tell(
    turn: Turn, person: Staff | None, telegram_id: int | None, key: str, **values: object
) -> None:
    """A private notice to someone whose duty changed, in their language."""
    if telegram_id is None or person is None or telegram_id == turn.actor.telegram_id:
        return
    lang = person.language or turn.svc.settings.default_language
    turn.out.send(telegram_id, t(lang, key, **localised(lang, values)))


async def _set(turn: Turn, school_id: int, words: list[str], today: date) -> None:
    """`/duty set <date> <post> <name>`: someone else on a post for one day."""
    if len(words) < 3:
        raise Refused("duty.usage")
    day, used = take_day(words, today)
    if len(words) - used < 2:
        raise Refused("duty.usage")
    post = await find_post(turn, school_id, " ".join(words[used:-1]))
    person = await find_person(turn, school_id, words[-1])
    shifts = await _school_day_shifts(turn, school_id, day, today)
    shift = _shift_of(shifts, post, day)
    on_leave = await on_leave_then(turn.session, school_id, shift)
    if not turn.actor.is_admin and not (
        on_leave and await arranges_for(turn, school_id, shift.staff_id)
    ):
        await turn.audit("denied", command="/duty", change="set", post=post.id)
        raise Refused("duty.err.arranger_leave_only")
    if shift.staff_id == person.id:
        raise Refused("duty.err.already_on", name=person.name, post=post.name)
    if any(s.staff_id == person.id and windows_overlap(s.window, shift.window) for s in shifts):
        raise Refused("duty.err.busy", name=person.name)
    if person.id == shift.regular_staff_id:
        await clear_override(session=turn.session, post_id=stored_id(post), day=day)
    else:
        await set_override(
            session=turn.session,
            school_id=school_id,
            post_id=stored_id(post),
            day=day,
            staff_id=stored_id(person),
            reason="leave" if on_leave else "set",
            by=turn.actor.telegram_id,
            now=turn.now,
        )
    await turn.audit(
        "duty_set",
        subject_type="duty_post",
        subject_id=post.id,
        day=day.isoformat(),
        staff=person.id,
        before=shift.staff_id,
    )
    await turn.schedule_changed(school_id, kinds.DUTY)
    window = {"start": hhmm(post.starts_at), "end": hhmm(post.ends_at), "post": post.name}
    before = await turn.session.get(Staff, shift.staff_id) if shift.staff_id else None
    _tell(turn, person, person.telegram_id, "duty.told_on", day=day, **window)
    if before is not None:
        _tell(turn, before, before.telegram_id, "duty.told_off", day=day, who=person.name, **window)
    turn.reply(
        turn.t(
            "duty.set_done",
            day=day_label(turn.lang, day),
            name=person.name,
            before=shift.name or turn.t("common.none"),
            iso=day.isoformat(),
            **window,
        )
    )


async def _unset(turn: Turn, school_id: int, words: list[str], today: date) -> None:
    """`/duty unset <date> <post>`: back to the standing roster for that day."""
    if len(words) < 2:
        raise Refused("duty.usage")
    day, used = take_day(words, today)
    if len(words) - used < 1:
        raise Refused("duty.usage")
    post = await find_post(turn, school_id, " ".join(words[used:]))
    shifts = await _school_day_shifts(turn, school_id, day, today)
    shift = _shift_of(shifts, post, day)
    if not await clear_override(session=turn.session, post_id=stored_id(post), day=day):
        raise Refused("duty.err.no_override", day=day_label(turn.lang, day), post=post.name)
    await turn.audit(
        "duty_unset", subject_type="duty_post", subject_id=post.id, day=day.isoformat()
    )
    await turn.schedule_changed(school_id, kinds.DUTY)
    window = {"start": hhmm(post.starts_at), "end": hhmm(post.ends_at), "post": post.name}
    regular = (
        await turn.session.get(Staff, shift.regular_staff_id) if shift.regular_staff_id else None
    )
    replaced = await turn.session.get(Staff, shift.staff_id) if shift.staff_id else None
    if replaced is not None and (regular is None or replaced.id != regular.id):
        who = regular.name if regular is not None else turn.t("common.none")
        _tell(turn, replaced, replaced.telegram_id, "duty.told_off", day=day, who=who, **window)
    if regular is not None:
        _tell(turn, regular, regular.telegram_id, "duty.told_on", day=day, **window)
    turn.reply(
        turn.t(
            "duty.unset_done",
            day=day_label(turn.lang, day),
            name=shift.regular_name or turn.t("common.none"),
            **window,
        )
    )


def handlers() -> list[BaseHandler]:
    return [CommandHandler("duty", cmd_duty)]

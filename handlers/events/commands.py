"""Meetings and training: /events for everyone, /event for the academic office and admins,
and the 签到 (check-in) button on the reminder 30 minutes before an event."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.commands import ORGANISERS
from bot.texts import Safe, split_message, t
from handlers.core.colleagues import did_you_mean
from handlers.core.turn import Turn, button, command
from handlers.cover.boards import load_kit
from handlers.events.cover import cover_lines, follow_event, uncovered_clash
from handlers.school.topics import topic_of
from jobs import kinds, scheduler
from jobs.events import soon_slot
from rules.events import (
    DEFAULT_TENTHS,
    GRADE,
    SUBJECT,
    Audience,
    EventError,
    EventWords,
    checkin_window,
    day_from_code,
    missing_for_add,
    next_occurrence,
    occurrences,
    occurs_on,
    parse_event_day,
    parse_event_words,
    parse_id,
    starts_at,
    with_example_start,
)
from rules.importing import nearest_names
from rules.training import format_hours, guess_category
from storage.calendar import school_calendar
from storage.events import (
    add_event,
    audience_members,
    cancel_occurrence,
    change_event,
    end_event,
    event_in_school,
    event_specs,
    known_subjects,
    restore_occurrence,
    same_event_on,
    spec_and_calendar,
)
from storage.models import Event, School
from storage.schools import staff_groups
from storage.timetable import school_classes
from storage.training import attendance, check_in, checkin_of
from storage.types import stored_id
from views.common import day_label
from views.events import audience_label, event_line

SUBCOMMANDS = {
    "add": "add", "添加": "add", "新增": "add",
    "change": "change", "修改": "change",
    "cancel": "cancel", "取消": "cancel",
    "restore": "restore", "恢复": "restore",
    "attendance": "attendance", "签到": "attendance", "出勤": "attendance",
    "list": "list", "列表": "list",
}  # fmt: skip


def _local_now(turn: Turn, school: School) -> datetime:
    return turn.now.astimezone(ZoneInfo(school.timezone))


async def _tell_groups(turn: Turn, school_id: int, text: str) -> None:
    thread = await topic_of(turn, school_id, "notices")
    for group in await staff_groups(session=turn.session, school_id=school_id):
        turn.out.send(group.chat_id, text, thread_id=thread)


def _group_lang(turn: Turn) -> str:
    return turn.svc.settings.default_language


async def _audience_problem(turn: Turn, school_id: int, audience: Audience | None) -> str | None:
    """An audience naming a subject nobody teaches, or a grade the school does not have, is a
    typo more often than not: announced, it would invite nobody."""
    if audience is not None and audience.kind == GRADE:
        classes = await school_classes(session=turn.session, school_id=school_id)
        grades = sorted({klass.grade for klass in classes})
        if audience.grade in grades or not grades:  # no class list yet: nothing to check
            return None
        return turn.t(
            "event.err.unknown_grade",
            value=audience_label(turn.lang, audience),
            grades=turn.t("common.list_sep").join(
                audience_label(turn.lang, Audience(GRADE, grade=grade)) for grade in grades
            ),
        )
    if audience is None or audience.kind != SUBJECT:
        return None
    subjects = await known_subjects(session=turn.session, school_id=school_id)
    if audience.subject in subjects:
        return None
    close = [f"{name}组" for name in nearest_names(audience.subject, subjects)]
    return turn.t(
        "event.err.unknown_subject",
        value=f"{audience.subject}组",
        close=did_you_mean(turn.lang, close),
    )


async def _next_text(turn: Turn, school: School, event: Event) -> Safe:
    spec, calendar = await spec_and_calendar(session=turn.session, event=event)
    upcoming = next_occurrence(spec, calendar, _local_now(turn, school))
    if upcoming is None:
        return turn.t("event.no_next")
    return turn.t("event.next", day=day_label(turn.lang, upcoming))


async def _cover_text(turn: Turn, school: School, event: Event) -> list[str]:
    """The lessons the event now takes teachers from go up for cover (or are released); the
    lines that tell the organiser so."""
    change = await follow_event(turn, school, event)
    kit = await load_kit(turn, stored_id(school))
    if kit is None:
        return []
    lines = cover_lines(turn, kit, change)
    clash = await uncovered_clash(turn, kit, event)
    if clash is not None:
        key, day, count = clash
        lines.append(turn.t(key, day=day_label(turn.lang, day), count=count))
    return lines


async def _late_reminder(turn: Turn, school: School, event: Event) -> None:
    """An event added or moved after today's 30-minute reminder was due still gets it, at once,
    so that its check-in button exists."""
    tz = ZoneInfo(school.timezone)
    now = _local_now(turn, school)
    today = now.date()
    slot = soon_slot(event, today, tz)
    _, closes = checkin_window(starts_at(today, event.starts_at, tz))
    if not slot.at <= now < closes:
        return
    spec, calendar = await spec_and_calendar(session=turn.session, event=event)
    if not occurs_on(spec, today, calendar):
        return
    app = turn.context.application

    async def send() -> None:
        # Through the scheduler: it claims the slot in the push ledger, so it goes out once.
        await scheduler.run_slot(app, stored_id(school), slot)

    turn.out.after_commit.append(send)


async def _add(turn: Turn, school: School, words: list[str]) -> None:
    try:
        parsed = parse_event_words(words, _local_now(turn, school).date())
    except EventError as exc:
        turn.reply(turn.t(exc.key, **exc.values) + "\n\n" + turn.t("event.usage_add"))
        return
    missing = missing_for_add(parsed)
    if missing:
        parts = turn.t("common.list_sep").join(turn.t(key) for key in missing)
        lines = [turn.t("event.err.missing", parts=parts)]
        example = with_example_start(words, _local_now(turn, school).date())
        if missing == ["event.part.start"] and example is not None:
            # "周二 观课议课" lacks only the time: show their own command with one in it.
            lines.append(turn.t("event.example_yours", example=" ".join(example)))
        turn.reply("\n".join(lines) + "\n\n" + turn.t("event.usage_add"))
        return
    problem = await _audience_problem(turn, stored_id(school), parsed.audience)
    if problem is not None:
        turn.reply(problem)
        return
    if parsed.day is not None and parsed.day < _local_now(turn, school).date():
        turn.reply(turn.t("event.err.past", day=day_label(turn.lang, parsed.day)))
        return
    assert parsed.title is not None and parsed.start is not None
    if parsed.day is not None and await _twin(turn, school, parsed.day, parsed):
        return
    tenths = parsed.tenths if parsed.tenths is not None else DEFAULT_TENTHS
    event = await add_event(
        session=turn.session,
        school_id=stored_id(school),
        title=parsed.title,
        category=guess_category(parsed.title),
        weekday=parsed.weekday,
        on_date=parsed.day,
        start=parsed.start,
        tenths=tenths,
        audience=parsed.audience or Audience(),
        by_staff_id=turn.actor.staff.id if turn.actor.staff else None,
        now=turn.now,
    )
    await turn.audit("event_added", subject_type="event", subject_id=event.id, title=event.title)
    await turn.schedule_changed(stored_id(school), kinds.EVENTS)
    await _late_reminder(turn, school, event)
    covered = await _cover_text(turn, school, event)
    answer: list[str] = [
        turn.t("event.added"),
        event_line(turn.lang, event),
        await _next_text(turn, school, event),
        *(
            [turn.t("event.default_hours", hours=format_hours(tenths), id=event.id)]
            if parsed.tenths is None
            else []
        ),
        *covered,
        turn.t("event.added_hint", id=event.id),
    ]
    for chunk in split_message(answer):
        turn.reply(chunk)


async def _twin(turn: Turn, school: School, day: date, parsed: EventWords) -> bool:
    """Refuses a one-off that is already on that date, the same title, time and audience (a
    weekly event's date, say): it would show twice in the list and the calendars. When that
    date should go differently, the weekly one's date is cancelled first; answers and says so."""
    assert parsed.title is not None and parsed.start is not None
    twin = await same_event_on(
        session=turn.session,
        school_id=stored_id(school),
        day=day,
        title=parsed.title,
        start=parsed.start,
        audience=parsed.audience or Audience(),
    )
    if twin is None:
        return False
    key = "event.err.twin_weekly" if twin.on_date is None else "event.err.twin_once"
    turn.reply(
        turn.t(
            key,
            day=day_label(turn.lang, day),
            line=event_line(turn.lang, twin),
            id=twin.id,
            date=day.isoformat(),
        )
    )
    return True


async def _event_from(turn: Turn, school: School, words: list[str]) -> Event | None:
    """The event named by the first word; answers when there is none."""
    event_id = parse_id(words[0]) if words else None
    if event_id is None:
        turn.reply(turn.t("event.err.no_id"))
        return None
    event = await event_in_school(
        session=turn.session, school_id=stored_id(school), event_id=event_id
    )
    if event is None:
        turn.reply(turn.t("event.err.unknown", id=event_id))
    return event


async def _change(turn: Turn, school: School, words: list[str]) -> None:
    event = await _event_from(turn, school, words)
    if event is None:
        return
    today = _local_now(turn, school).date()
    try:
        parsed = parse_event_words(words[1:], today)
    except EventError as exc:
        turn.reply(turn.t(exc.key, **exc.values))
        return
    if parsed.empty:
        turn.reply(turn.t("event.usage_change", id=event.id))
        return
    problem = await _audience_problem(turn, stored_id(school), parsed.audience)
    if problem is not None:
        turn.reply(problem)
        return
    if parsed.day is not None and parsed.day < today:
        turn.reply(turn.t("event.err.past", day=day_label(turn.lang, parsed.day)))
        return
    before = event_line(_group_lang(turn), event)
    category = guess_category(parsed.title, event.category) if parsed.title else None
    changed = await change_event(session=turn.session, event=event, words=parsed, category=category)
    if not changed:
        turn.reply(turn.t("event.unchanged"))
        return
    await turn.audit("event_changed", subject_type="event", subject_id=event.id, changed=changed)
    await turn.schedule_changed(stored_id(school), kinds.EVENTS)
    await _late_reminder(turn, school, event)
    after = event_line(_group_lang(turn), event)
    await _tell_groups(
        turn,
        stored_id(school),
        t(_group_lang(turn), "event.changed_group", before=before, after=after),
    )
    lines: list[str] = [
        turn.t("event.changed"),
        event_line(turn.lang, event),
        await _next_text(turn, school, event),
        *await _cover_text(turn, school, event),
    ]
    for chunk in split_message(lines):
        turn.reply(chunk)


def _date_word(turn: Turn, school: School, words: list[str]) -> date | str | None:
    """The date after the id: a date, None when absent, or the text of an error."""
    if len(words) < 2:
        return None
    try:
        value = parse_event_day(words[1], _local_now(turn, school).date())
    except EventError as exc:
        return turn.t(exc.key, **exc.values)
    if not isinstance(value, date):
        return turn.t("event.err.need_date", value=words[1])
    return value


async def _cancel(turn: Turn, school: School, words: list[str]) -> None:
    event = await _event_from(turn, school, words)
    if event is None:
        return
    day = _date_word(turn, school, words)
    if isinstance(day, str):
        turn.reply(day)
        return
    if day is None:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        turn.t("event.end_yes"),
                        callback_data=callbacks.EVENT_END.data(stored_id(event)),
                    ),
                    InlineKeyboardButton(
                        turn.t("event.end_no"),
                        callback_data=callbacks.EVENT_KEEP.data(stored_id(event)),
                    ),
                ]
            ]
        )
        turn.reply(turn.t("event.end_ask", line=event_line(turn.lang, event)), markup)
        return
    spec, calendar = await spec_and_calendar(session=turn.session, event=event)
    if day < _local_now(turn, school).date():
        turn.reply(turn.t("event.err.past", day=day_label(turn.lang, day)))
        return
    if day in spec.cancelled:
        turn.reply(turn.t("event.already_cancelled", day=day_label(turn.lang, day), id=event.id))
        return
    if not occurs_on(spec, day, calendar):
        turn.reply(
            turn.t("event.err.not_a_date", day=day_label(turn.lang, day), title=event.title)
            + "\n"
            + await _next_text(turn, school, event)
        )
        return
    staff_id = turn.actor.staff.id if turn.actor.staff else None
    if not await cancel_occurrence(
        session=turn.session, event=event, day=day, by_staff_id=staff_id, now=turn.now
    ):
        turn.reply(turn.t("event.already_cancelled", day=day_label(turn.lang, day), id=event.id))
        return
    await turn.audit(
        "event_cancelled", subject_type="event", subject_id=event.id, day=day.isoformat()
    )
    await turn.schedule_changed(stored_id(school), kinds.EVENTS)
    lang = _group_lang(turn)
    await _tell_groups(
        turn,
        stored_id(school),
        t(
            lang,
            "event.cancelled_group",
            day=day_label(lang, day),
            title=event.title,
            audience=audience_label(lang, Audience.decode(event.audience)),
        ),
    )
    lines = [
        turn.t(
            "event.cancelled",
            day=day_label(turn.lang, day),
            title=event.title,
            id=event.id,
            date=day.isoformat(),
        ),
        *await _cover_text(turn, school, event),
    ]
    turn.reply("\n".join(lines))


async def _restore(turn: Turn, school: School, words: list[str]) -> None:
    event = await _event_from(turn, school, words)
    if event is None:
        return
    day = _date_word(turn, school, words)
    if day is None or isinstance(day, str):
        turn.reply(day or turn.t("event.usage_restore"))
        return
    if day < _local_now(turn, school).date():
        turn.reply(turn.t("event.err.past", day=day_label(turn.lang, day)))
        return
    if not await restore_occurrence(session=turn.session, event=event, day=day):
        turn.reply(turn.t("event.not_cancelled", day=day_label(turn.lang, day), title=event.title))
        return
    await turn.audit(
        "event_restored", subject_type="event", subject_id=event.id, day=day.isoformat()
    )
    await turn.schedule_changed(stored_id(school), kinds.EVENTS)
    lang = _group_lang(turn)
    await _tell_groups(
        turn,
        stored_id(school),
        t(lang, "event.restored_group", day=day_label(lang, day), title=event.title),
    )
    lines = [
        turn.t("event.restored", day=day_label(turn.lang, day), title=event.title),
        *await _cover_text(turn, school, event),
    ]
    turn.reply("\n".join(lines))


async def _attendance(turn: Turn, school: School, words: list[str]) -> None:
    event_id = parse_id(words[0]) if words else None
    if event_id is None:
        turn.reply(turn.t("event.err.no_id"))
        return
    event = await event_in_school(
        session=turn.session, school_id=stored_id(school), event_id=event_id, active_only=False
    )
    if event is None:
        turn.reply(turn.t("event.err.unknown", id=event_id))
        return
    own = turn.actor.staff is not None and event.created_by == turn.actor.staff.id
    if not (own or turn.actor.has_any(ORGANISERS)):
        await turn.audit("denied", command="/event attendance", subject_id=event.id)
        turn.reply(turn.t("common.not_allowed"))
        return
    day = _date_word(turn, school, words)
    if isinstance(day, str):
        turn.reply(day)
        return
    if day is None:
        spec, calendar = await spec_and_calendar(session=turn.session, event=event)
        today = _local_now(turn, school).date()
        past = occurrences(spec, calendar, today - timedelta(days=366), today)
        if not past:
            turn.reply(turn.t("event.no_past", title=event.title))
            return
        day = past[-1]
    present = await attendance(session=turn.session, event_id=stored_id(event), day=day)
    members = await audience_members(
        session=turn.session,
        school_id=stored_id(school),
        audience=Audience.decode(event.audience),
        on=day,
    )
    came = {staff.id for _, staff in present}
    tz = ZoneInfo(school.timezone)
    lines = [
        turn.t(
            "event.attendance_title",
            id=event.id,
            title=event.title,
            day=day_label(turn.lang, day),
            count=len(present),
            total=len(members),
        )
    ]
    lines += [
        turn.t(
            "event.attendance_line", name=staff.name, at=f"{entry.created_at.astimezone(tz):%H:%M}"
        )
        for entry, staff in present
    ]
    absent = [s.name for s in members if s.id not in came]
    sep = turn.t("common.list_sep")
    lines.append(turn.t("event.attendance_absent", names=sep.join(absent) or turn.t("common.none")))
    for chunk in split_message(lines):
        turn.reply(chunk)


@command(where="any", staff=True)
async def cmd_events(turn: Turn) -> None:
    """Lists the school's events with their ids and next dates."""
    school = turn.actor.school
    if school is None:
        turn.reply(turn.t("common.no_school"))
        return
    await _list(turn, school)


async def _list(turn: Turn, school: School) -> None:
    calendar = await school_calendar(session=turn.session, school_id=stored_id(school))
    now = _local_now(turn, school)
    found = await event_specs(session=turn.session, school_id=stored_id(school))
    if not found:
        turn.reply(turn.t("event.none"))
        return
    lines: list[str] = [turn.t("event.list_title", school=school.name)]
    for event, spec in found:
        upcoming = next_occurrence(spec, calendar, now)
        lines.append(event_line(turn.lang, event))
        lines.append(
            turn.t("event.next", day=day_label(turn.lang, upcoming))
            if upcoming is not None
            else turn.t("event.no_next")
        )
        skipped = sorted(d for d in spec.cancelled if d >= now.date())
        if skipped:
            sep = turn.t("common.list_sep")
            lines.append(
                turn.t("event.skipped", days=sep.join(day_label(turn.lang, d) for d in skipped))
            )
    if turn.actor.has_any(ORGANISERS):
        lines.append("")
        lines.append(turn.t("event.list_hint"))
    for chunk in split_message(lines):
        turn.reply(chunk)


@command(where="private", staff=True)
async def cmd_event(turn: Turn) -> None:
    """`/event add|change|cancel|restore|attendance …` for the academic office and admins."""
    school = turn.actor.school
    if school is None:
        turn.reply(turn.t("common.no_school"))
        return
    words = turn.args
    action = SUBCOMMANDS.get(words[0].casefold()) if words else None
    if action is None:
        turn.reply(turn.t("event.usage"))
        return
    if action == "list":
        await _list(turn, school)
        return
    if action == "attendance":
        await _attendance(turn, school, words[1:])
        return
    if not turn.actor.has_any(ORGANISERS):
        await turn.audit("denied", command=f"/event {action}", roles=sorted(ORGANISERS))
        turn.reply(turn.t("common.not_allowed"))
        return
    handler = {"add": _add, "change": _change, "cancel": _cancel, "restore": _restore}[action]
    await handler(turn, school, words[1:])


@button()
async def on_event_button(turn: Turn) -> None:
    """签到 on a reminder, or the answer to "cancel the whole event?"."""
    assert turn.callback is not None
    action, event_id = turn.callback.action, turn.callback.id()
    if action == "in" and event_id is not None:
        await _check_in(turn, event_id, callbacks.CHECK_IN.field(turn.callback, "day"))
    elif action in ("end", "keep") and event_id is not None:
        await _end(turn, event_id, action == "end")
    else:
        await turn.refuse_press(reason="bad_action")


async def _check_in(turn: Turn, event_id: int, code: int | None) -> None:
    day = day_from_code(code) if code is not None else None
    staff = turn.actor.staff
    school = turn.actor.school
    if staff is None or school is None:
        turn.toast(turn.t("event.checkin_not_staff"), alert=True)
        return
    event = await event_in_school(
        session=turn.session, school_id=stored_id(school), event_id=event_id
    )
    if event is None or day is None:
        turn.toast(turn.t("event.checkin_gone"), alert=True)
        return
    spec, calendar = await spec_and_calendar(session=turn.session, event=event)
    if not occurs_on(spec, day, calendar):
        turn.toast(turn.t("event.checkin_gone"), alert=True)
        return
    members = await audience_members(
        session=turn.session,
        school_id=stored_id(school),
        audience=Audience.decode(event.audience),
        on=day,
    )
    if staff.id not in {m.id for m in members}:
        await turn.audit(
            "checkin_refused", subject_type="event", subject_id=event.id, reason="audience"
        )
        audience = audience_label(turn.lang, Audience.decode(event.audience))
        turn.toast(turn.t("event.checkin_not_member", audience=audience), alert=True)
        return
    tz = ZoneInfo(school.timezone)
    earlier = await checkin_of(
        session=turn.session, event_id=stored_id(event), day=day, staff_id=stored_id(staff)
    )
    if earlier is not None:
        at = f"{earlier.created_at.astimezone(tz):%H:%M}"
        turn.toast(turn.t("event.checkin_twice", at=at), alert=True)
        return
    opens, closes = checkin_window(starts_at(day, event.starts_at, tz))
    now = turn.now.astimezone(tz)
    if now < opens:
        turn.toast(
            turn.t("event.checkin_early", opens=f"{opens:%H:%M}", day=day_label(turn.lang, day)),
            alert=True,
        )
        return
    if now > closes:
        turn.toast(turn.t("event.checkin_late", closes=f"{closes:%H:%M}"), alert=True)
        return
    entry = await check_in(
        session=turn.session, event=event, day=day, staff_id=stored_id(staff), now=turn.now
    )
    if entry is None:
        turn.toast(turn.t("event.checkin_twice", at=f"{now:%H:%M}"), alert=True)
        return
    await turn.audit(
        "event_checkin",
        subject_type="event",
        subject_id=event.id,
        day=day.isoformat(),
        hours=format_hours(entry.hours_tenths),
    )
    turn.toast(
        turn.t("event.checkin_done", title=event.title, hours=format_hours(entry.hours_tenths))
    )


async def _end(turn: Turn, event_id: int, confirmed: bool) -> None:
    school = turn.actor.school
    if school is None or not turn.actor.has_any(ORGANISERS):
        await turn.deny_press(subject_type="event", subject_id=event_id)
        return
    event = await event_in_school(
        session=turn.session, school_id=stored_id(school), event_id=event_id, active_only=False
    )
    if event is None:
        turn.toast(turn.t("common.button_invalid"), alert=True)
        return
    if not confirmed:
        kept = "event.end_kept" if event.active else "event.ended"
        turn.edit_origin(turn.t(kept, line=event_line(turn.lang, event)))
        return
    if not await end_event(session=turn.session, school_id=stored_id(school), event_id=event_id):
        turn.toast(turn.t("event.end_already"), alert=True)
        turn.edit_origin(turn.t("event.ended", line=event_line(turn.lang, event)))
        return
    await turn.audit("event_ended", subject_type="event", subject_id=event.id, title=event.title)
    await turn.schedule_changed(stored_id(school), kinds.EVENTS)
    lang = _group_lang(turn)
    await _tell_groups(
        turn, stored_id(school), t(lang, "event.ended_group", line=event_line(lang, event))
    )
    await turn.session.refresh(event)  # ended by a conditional update: read it again
    lines = [
        turn.t("event.ended", line=event_line(turn.lang, event)),
        *await _cover_text(turn, school, event),
    ]
    turn.edit_origin("\n".join(lines))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("events", cmd_events),
        CommandHandler("event", cmd_event),
        CallbackQueryHandler(on_event_button, pattern=callbacks.EVENTS.pattern),
    ]

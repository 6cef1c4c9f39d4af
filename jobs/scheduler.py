"""Turns the registered push kinds into JobQueue jobs, and runs each slot exactly once.

Jobs are rebuilt from the tables at start-up, every night, and whenever a school's schedule,
roster or policy changes. Each slot is claimed in the push ledger before it is sent, so a
restart or a second process never sends it twice. On start, slots missed while the bot was down
are sent if they are within the grace window (policy `push.grace_minutes`); older ones are
listed to the admins instead.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application, ContextTypes

from bot.services import Services, services_of
from bot.texts import Safe, escape, t
from jobs.delivery import Outcome, collecting, deliver, send_to_chat
from jobs.registry import DayContext, PushContext, Slot
from storage.calendar import school_calendar
from storage.ledger import claim, mark
from storage.models import School
from storage.policies import load_policies
from storage.schools import list_schools, schedule_versions, school_by_id
from storage.staff import admin_recipients

log = logging.getLogger(__name__)

JOB_PREFIX = "push"
NIGHTLY_PLAN = time(0, 0, 30)
# How often a running bot looks for schedule changes made elsewhere (the command line, another
# process); changes made through the bot itself rebuild at once.
VERSION_CHECK_SECONDS = 60
# APScheduler drops a job that starts more than misfire_grace_time late (default 1 s); a busy
# loop must not silently lose a push, and the ledger already prevents doubles.
MISFIRE_GRACE_SECONDS = 600

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def school_tz(school: School) -> ZoneInfo:
    return ZoneInfo(school.timezone)


async def plan_day(
    svc: Services, school: School, day: date, kinds: frozenset[str] | None = None
) -> list[Slot]:
    """Every slot the registered kinds (or the ones named) want for this school that day."""
    return (await plan_days(svc, school, [day], kinds))[day]


async def plan_days(
    svc: Services, school: School, days: list[date], kinds: frozenset[str] | None = None
) -> dict[date, list[Slot]]:
    """`plan_day` for several days, in one session: at start-up each school plans yesterday,
    today and tomorrow, and the days share their reads (policies, roster, staff)."""
    planned: dict[date, list[Slot]] = {}
    async with svc.sessions() as session:
        policies = await load_policies(session=session, school_id=school.id or 0)
        calendar = await school_calendar(session=session, school_id=school.id or 0)
        for day in days:
            ctx = DayContext(
                session, school, policies, day, calendar.status(day), school_tz(school)
            )
            slots: list[Slot] = []
            for kind in svc.push_kinds:
                if kinds is None or kind.name in kinds:
                    slots.extend(await kind.plan(ctx))
            planned[day] = sorted(slots, key=lambda s: (s.at, s.kind, s.target))
    return planned


async def run_slot(app: AnyApp, school_id: int, slot: Slot) -> bool:
    """Claims the slot, composes it, then delivers it; False when claimed before or not sent.

    Three steps: the claim commits first (a second process sees it), the push is composed in
    its own transaction with the messages only queued, and they are delivered after that commit,
    so no transaction waits on Telegram. A push that could not be delivered is marked failed in
    the ledger and the admins are told.
    """
    svc = services_of(app)
    kind = next((k for k in svc.push_kinds if k.name == slot.kind), None)
    if kind is None:
        return False
    async with svc.push_gate, svc.sessions() as session, session.begin():
        ledger_id = await claim(
            session=session,
            school_id=school_id,
            kind=slot.kind,
            target=slot.target,
            slot=slot.key,
            now=svc.clock.now(),
        )
    if ledger_id is None:
        return False
    status = "failed"
    try:
        with collecting() as queue:
            async with svc.push_gate, svc.sessions() as session, session.begin():
                school = await school_by_id(session=session, school_id=school_id)
                if school is None:
                    status = "empty"
                    return False
                policies = await load_policies(session=session, school_id=school_id)
                calendar = await school_calendar(session=session, school_id=school_id)
                day = slot.at.astimezone(school_tz(school)).date()
                ctx = PushContext(
                    svc, app.bot, session, school, policies, slot, day, calendar.status(day)
                )
                composed = await kind.send(ctx)
        outcomes = await deliver(app.bot, svc.sessions, queue)
        status = _status(composed, outcomes)
    except Exception:
        log.exception("push %s for school %s failed", slot.kind, school_id)
        raise
    finally:
        async with svc.push_gate, svc.sessions() as session, session.begin():
            await mark(session=session, ledger_id=ledger_id, status=status, now=svc.clock.now())
    if status == "failed":
        await _tell_admins(app, school_id, "push.failed", [slot])
    return status == "sent"


def _status(composed: bool, outcomes: list[Outcome]) -> str:
    if Outcome.SENT in outcomes:
        return "sent"
    if Outcome.FAILED in outcomes:
        return "failed"
    if outcomes:
        return "gone"  # every recipient has left or blocked the bot
    return "sent" if composed else "empty"


def describe_slots(lang: str, slots: list[Slot], tz: ZoneInfo) -> str:
    """One line per kind and time, in words, for the admins (`07:05 值班提醒 ×3`)."""
    counted: dict[tuple[str, str], int] = {}
    for slot in slots:
        key = (f"{slot.at.astimezone(tz):%m-%d %H:%M}", slot.kind)
        counted[key] = counted.get(key, 0) + 1
    lines = []
    for (when, kind), count in sorted(counted.items()):
        label = t(lang, f"push.kind.{kind}")
        lines.append(f"• {when} {label}" + (f" ×{count}" if count > 1 else ""))
    return "\n".join(lines)


async def _tell_admins(app: AnyApp, school_id: int, key: str, slots: list[Slot]) -> None:
    svc = services_of(app)
    with collecting() as queue:
        async with svc.sessions() as session, session.begin():
            school = await school_by_id(session=session, school_id=school_id)
            if school is None:
                return
            for telegram_id, lang in await admin_recipients(
                session=session,
                school_id=school_id,
                system_admins=svc.settings.bootstrap_admin_ids,
                default_language=svc.settings.default_language,
            ):
                listing = Safe(escape(describe_slots(lang, slots, school_tz(school))))
                await send_to_chat(app.bot, session, telegram_id, t(lang, key, listing=listing))
    await deliver(app.bot, svc.sessions, queue)


async def fire_due(
    app: AnyApp, start: datetime, end: datetime, school_ids: list[int] | None = None
) -> int:
    """Runs every slot with start < at <= end that is not claimed yet; returns how many sent.

    Used when the playground moves its clock forward: the skipped time counts as lived.
    """
    svc = services_of(app)
    sent = 0
    for school in await _schools(svc, school_ids):
        tz = school_tz(school)
        day = start.astimezone(tz).date()
        while day <= end.astimezone(tz).date():
            for slot in await plan_day(svc, school, day):
                if start < slot.at <= end and await run_slot(app, school.id or 0, slot):
                    sent += 1
            day += timedelta(days=1)
    return sent


async def catch_up(
    app: AnyApp,
    school: School,
    now: datetime,
    planned: dict[date, list[Slot]] | None = None,
) -> tuple[int, list[Slot]]:
    """At start: sends the slots missed within the grace window, lists older ones to admins.

    Yesterday counts too (the bot may have been down overnight), but never a time before the
    school was created: a new school has missed nothing. `planned`: days already planned.
    """
    svc = services_of(app)
    async with svc.sessions() as session:
        policies = await load_policies(session=session, school_id=school.id or 0)
    grace = timedelta(minutes=policies.get("push.grace_minutes"))
    sent = 0
    missed: list[Slot] = []
    today = now.astimezone(school_tz(school)).date()
    days = [today - timedelta(days=1), today]
    if planned is None or any(day not in planned for day in days):
        planned = await plan_days(svc, school, days)
    slots = [slot for day in days for slot in planned[day] if school.created_at <= slot.at <= now]
    for slot in slots:
        if slot.at >= now - grace:
            sent += int(await run_slot(app, school.id or 0, slot))
            continue
        async with svc.sessions() as session, session.begin():
            # Claimed as missed, so a second start does not list it again.
            ledger_id = await claim(
                session=session,
                school_id=school.id or 0,
                kind=slot.kind,
                target=slot.target,
                slot=slot.key,
                now=now,
            )
            if ledger_id is not None:
                await mark(session=session, ledger_id=ledger_id, status="missed", now=now)
                missed.append(slot)
    if missed:
        await _tell_admins(app, school.id or 0, "push.missed", missed)
    return sent, missed


async def rebuild(
    app: AnyApp,
    school_id: int,
    kinds: frozenset[str] | None = None,
    *,
    after: datetime | None = None,
    planned: dict[date, list[Slot]] | None = None,
) -> int:
    """Brings the school's jobs (of the kinds named, or all) in line with its slots until
    tomorrow; returns how many slots are scheduled.

    Slots after `after` (default: now) are scheduled; one whose time passes while this runs is
    started at once by the JobQueue. `planned`: every kind's slots of the days, if known.

    Jobs whose slot is unchanged are kept as they are: a leave request re-plans every waiting
    reminder of its school, and re-adding them all to APScheduler cost more than the request.
    """
    svc = services_of(app)
    queue = app.job_queue
    if queue is None:
        return 0
    prefix = f"{JOB_PREFIX}:{school_id}:"
    existing: dict[str, Any] = {}
    for job in queue.jobs():
        if job.name and job.name.startswith(prefix) and not job.removed:
            if kinds is None or job.name[len(prefix) :].split(":", 1)[0] in kinds:
                if job.name in existing:  # never two jobs for one slot
                    job.schedule_removal()
                else:
                    existing[job.name] = job
    async with svc.sessions() as session:
        school = await school_by_id(session=session, school_id=school_id)
    if school is None:
        for job in existing.values():
            job.schedule_removal()
        return 0
    now = after or svc.clock.now()
    # The clock may be simulated; APScheduler runs on real time, so map each slot onto it.
    shift = datetime.now(now.tzinfo) - svc.clock.now()
    today = now.astimezone(school_tz(school)).date()
    days = [today, today + timedelta(days=1)]
    if kinds is not None or planned is None or any(day not in planned for day in days):
        planned = await plan_days(svc, school, days, kinds)
    count = 0
    for day in days:
        for slot in planned[day]:
            name = f"{prefix}{slot.kind}:{slot.target}:{slot.key}"
            job = existing.pop(name, None)
            if job is not None and _same_time(job, slot.at + shift):
                job.data = (school_id, slot)  # what it sends may have changed, not when
                count += 1
                continue
            if job is not None:
                job.schedule_removal()
            if slot.at <= now:
                continue
            queue.run_once(
                _slot_job,
                when=slot.at + shift,
                name=name,
                data=(school_id, slot),
                job_kwargs={"misfire_grace_time": MISFIRE_GRACE_SECONDS},
            )
            count += 1
    for job in existing.values():  # slots no longer planned
        job.schedule_removal()
    return count


def _same_time(job: Any, when: datetime) -> bool:
    # The shift between the simulated and the real clock moves by microseconds between calls.
    # A run_once job's trigger holds its time even before the scheduler starts.
    planned = getattr(job.job.trigger, "run_date", None)
    return planned is not None and abs((planned - when).total_seconds()) < 1


async def rebuild_all(app: AnyApp) -> None:
    svc = services_of(app)
    for school in await _schools(svc, None):
        await rebuild(app, school.id or 0)


async def start(app: AnyApp) -> None:
    """At start-up: catch up on missed slots, then schedule every school and the nightly plan."""
    svc = services_of(app)
    for school in await _schools(svc, None):
        # One instant per school for both halves, so that a slot falling due between the
        # catch-up and the scheduling is neither skipped nor sent twice.
        now = svc.clock.now()
        today = now.astimezone(school_tz(school)).date()
        planned = await plan_days(
            svc, school, [today - timedelta(days=1), today, today + timedelta(days=1)]
        )
        await catch_up(app, school, now, planned)
        await rebuild(app, school.id or 0, after=now, planned=planned)
    svc.extras["schedule_versions"] = await _versions(svc)
    if app.job_queue is not None:
        app.job_queue.run_daily(_nightly_job, NIGHTLY_PLAN, name="plan:nightly")
        app.job_queue.run_repeating(
            _version_job, VERSION_CHECK_SECONDS, first=VERSION_CHECK_SECONDS, name="plan:versions"
        )


async def _slot_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    job = context.job
    assert job is not None
    school_id, slot = job.data  # type: ignore[misc]
    await run_slot(context.application, school_id, slot)


async def _nightly_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await rebuild_all(context.application)


async def rebuild_changed(app: AnyApp) -> list[int]:
    """Rebuilds the schools whose schedule version moved since we last looked."""
    svc = services_of(app)
    known: dict[int, int] = svc.extras.setdefault("schedule_versions", {})
    current = await _versions(svc)
    changed = [
        school_id for school_id, version in current.items() if known.get(school_id) != version
    ]
    for school_id in changed:
        await rebuild(app, school_id)
    svc.extras["schedule_versions"] = current
    return changed


async def _version_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await rebuild_changed(context.application)


async def _versions(svc: Services) -> dict[int, int]:
    async with svc.sessions() as session:
        return await schedule_versions(session=session)


async def _schools(svc: Services, school_ids: list[int] | None) -> list[School]:
    async with svc.sessions() as session:
        schools = await list_schools(session=session)
    if school_ids is not None:
        schools = [s for s in schools if s.id in school_ids]
    return schools

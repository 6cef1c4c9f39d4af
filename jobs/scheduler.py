"""Turns the registered push kinds into JobQueue jobs, and runs each slot exactly once.

Jobs are rebuilt from the tables at start-up, every night, and whenever a school's schedule,
roster or policy changes. Each slot is claimed in the push ledger together with its messages,
so a restart or a second process never sends it twice. Slots that did not run at their time
(the bot was down, the database unreachable, the process paused) are sent by the watch within
the grace window (policy `push.grace_minutes`), at start and every minute; older ones are
listed to the admins instead (jobs/push_watch.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from apscheduler.jobstores.base import JobLookupError
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import Application, ContextTypes, Job

from bot.dispatcher import OutcomeContext, OutcomeHook
from bot.logs import event
from bot.messages import Send
from bot.services import Services, services_of
from bot.texts import Safe, escape, t
from jobs.delivery import collecting, send_to_chat
from jobs.push_watch import LAG, WATCH_SECONDS
from jobs.registry import GROUP, DayContext, PushContext, Slot
from storage.calendar import school_calendar
from storage.db import without_transaction
from storage.ledger import claim, claim_missed, mark, settle_push
from storage.models import PushLedger, School
from storage.policies import load_policies
from storage.schools import list_schools, schedule_versions, school_by_id
from storage.staff import admin_recipients, staff_for_telegram
from storage.types import stored_id
from views.common import moment_label

log = logging.getLogger(__name__)

JOB_PREFIX = "push"
NIGHTLY_PLAN = time(0, 0, 30)
# How often a running bot looks for schedule changes made elsewhere (the command line, another
# process); changes made through the bot itself rebuild at once.
VERSION_CHECK_SECONDS = 60
# APScheduler drops a job that starts more than misfire_grace_time late (default 1 s); a busy
# loop must not silently lose a push, and the ledger already prevents doubles.
MISFIRE_GRACE_SECONDS = 600
# How long a push's job waits for its messages to go out (they go on after, in the outbox).
PUSH_WAIT_SECONDS = 60

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def school_tz(school: School) -> ZoneInfo:
    return ZoneInfo(school.timezone)


async def plan_day(
    svc: Services, school: School, day: date, kinds: frozenset[str] | None = None
) -> list[Slot]:
    """Every slot the registered kinds (or the ones named) want for this school that day."""
    return (await plan_days(svc, school, [day], kinds))[day]


async def plan_days(
    svc: Services,
    school: School,
    days: list[date],
    kinds: frozenset[str] | None = None,
    *,
    past_done: bool = True,
    session: AsyncSession | None = None,
) -> dict[date, list[Slot]]:
    """`plan_day` for several days, in one session (`session`, or one of its own): at start-up
    each school plans yesterday, today and tomorrow, and the days share their reads (policies,
    roster, staff)."""
    if session is None:
        async with svc.sessions() as own:
            return await plan_days(svc, school, days, kinds, past_done=past_done, session=own)
    planned: dict[date, list[Slot]] = {}
    policies = await load_policies(session=session, school_id=stored_id(school))
    calendar = await school_calendar(session=session, school_id=stored_id(school))
    span = (min(days), max(days))
    shared: dict[str, Any] = {}
    for day in days:
        ctx = DayContext(
            session,
            school,
            policies,
            day,
            calendar.status(day),
            school_tz(school),
            span=span,
            shared=shared,
        )
        slots: list[Slot] = []
        for kind in svc.push_kinds:
            if kinds is None or kind.name in kinds:
                slots.extend(await kind.plan(ctx))
        planned[day] = sorted(slots, key=lambda s: (s.at, s.kind, s.target))
    svc.watch.learn(
        stored_id(school),
        created_at=school.created_at,
        grace=timedelta(minutes=policies.get("push.grace_minutes")),
        planned=planned,
        kinds=kinds,
        now=svc.clock.now(),
        past_done=past_done,
    )
    return planned


async def run_slot(
    app: AnyApp, school_id: int, slot: Slot, *, handed: list[Send] | None = None
) -> bool:
    """Claims the slot and composes it, in one transaction with its messages kept in the
    outbox; False when it was claimed before (by this or another process) or says nothing.
    Then waits, a while, until its messages went; with `handed`, adds them to it instead (the
    catch-up of many schools' slots waits for them together, not school after school).

    Claim and messages commit together: a process that dies before the commit leaves no claim
    (the watch sends the slot later), and one that dies after it leaves the messages, which
    the next start delivers. Delivery follows in the dispatcher's lanes; a push whose messages
    cannot be delivered is marked in the ledger and the admins are told (`push_outcome`).
    """
    svc = services_of(app)
    ran = await _run_slot(app, svc, school_id, slot, handed)
    log.info(
        "push",
        extra=event(f"push:{slot.kind}", school=school_id, outcome="ran" if ran else "nothing"),
    )
    svc.watch.done(school_id, slot)  # run, or claimed elsewhere: the watch need not try it
    return ran


async def _run_slot(
    app: AnyApp, svc: Services, school_id: int, slot: Slot, handed: list[Send] | None
) -> bool:
    kind = next((k for k in svc.push_kinds if k.name == slot.kind), None)
    if kind is None:
        return False
    with collecting() as queue:
        async with svc.push_gate, svc.sessions() as session, session.begin():
            now = svc.clock.now()
            ledger_id = await claim(
                session=session,
                school_id=school_id,
                kind=slot.kind,
                target=slot.target,
                slot=slot.key,
                now=now,
            )
            if ledger_id is None:
                return False
            school = await school_by_id(session=session, school_id=school_id)
            if school is None:
                await mark(session=session, ledger_id=ledger_id, status="empty", now=now)
                return False
            policies = await load_policies(session=session, school_id=school_id)
            calendar = await school_calendar(session=session, school_id=school_id)
            day = slot.at.astimezone(school_tz(school)).date()
            ctx = PushContext(
                svc, app.bot, session, school, policies, slot, day, calendar.status(day)
            )
            composed = await kind.send(ctx)
            for message in queue:
                message.about = f"push:{ledger_id}"
            await svc.dispatcher.queue(session, list(queue), school_id=school_id)
            status = "queued" if queue else ("sent" if composed else "empty")
            await mark(session=session, ledger_id=ledger_id, status=status, now=now)
    await _deliver(svc, list(queue), handed)
    return bool(queue) or composed


async def _deliver(svc: Services, queue: list[Send], handed: list[Send] | None) -> None:
    """Hands the push's messages to the dispatcher and waits until they went (or adds them to
    `handed`): a job is done when its push is out (the playground and the tests look right
    after)."""
    if not queue:
        return
    svc.dispatcher.submit(queue)
    if handed is not None:
        handed.extend(queue)
    else:
        await _delivered(svc, queue)


async def _delivered(svc: Services, messages: list[Send]) -> None:
    """Waits until the messages went, but no longer than `PUSH_WAIT_SECONDS`: a chat that must
    wait (a 429, a group's 20 a minute) does not hold a job."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(PUSH_WAIT_SECONDS):
            await svc.dispatcher.wait_for(list(messages))


def push_outcome(app: AnyApp) -> OutcomeHook:
    """The ledger follows its messages: sent once one is delivered; failed (and the admins
    told) when one cannot be, and none was; gone when every recipient left or blocked the bot."""

    async def hook(ctx: OutcomeContext) -> None:
        ledger_id = int(ctx.delivered.message.about.split(":", 1)[1])
        status = ctx.delivered.status
        row = await settle_push(
            session=ctx.session, ledger_id=ledger_id, status=status, now=ctx.now
        )
        chat_id = ctx.delivered.message.chat_id
        if status != "failed":
            return
        if chat_id > 0:
            # One person's message (My day, feedback): the push may have reached everyone
            # else, so this is said whatever became of the push as a whole.
            row = await ctx.session.get(PushLedger, ledger_id)
            if row is not None:
                await _tell_private_failure(app, ctx, row, chat_id)
            return
        if row is None:
            return
        svc = services_of(app)
        school = await school_by_id(session=ctx.session, school_id=row.school_id)
        if school is None:
            return
        for telegram_id, lang in await admin_recipients(
            session=ctx.session,
            school_id=row.school_id,
            system_admins=svc.settings.bootstrap_admin_ids,
            default_language=svc.settings.default_language,
        ):
            listing = Safe(escape(describe_ledger(lang, row, school_tz(school))))
            ctx.out.append(Send(telegram_id, t(lang, "push.failed", listing=listing)))

    return hook


async def _tell_private_failure(
    app: AnyApp, ctx: OutcomeContext, row: PushLedger, chat_id: int
) -> None:
    """The admins hear who did not get their private message, and the likely cause."""
    svc = services_of(app)
    school = await school_by_id(session=ctx.session, school_id=row.school_id)
    if school is None:
        return
    people = await staff_for_telegram(session=ctx.session, telegram_id=chat_id)
    name = next((p.name for p in people if p.school_id == row.school_id), None)
    for telegram_id, lang in await admin_recipients(
        session=ctx.session,
        school_id=row.school_id,
        system_admins=svc.settings.bootstrap_admin_ids,
        default_language=svc.settings.default_language,
    ):
        listing = Safe(escape(describe_ledger(lang, row, school_tz(school))))
        who = name if name is not None else t(lang, "push.failed_private_someone")
        text = t(lang, "push.failed_private", name=who, listing=listing)
        ctx.out.append(Send(telegram_id, text))


def describe_slots(lang: str, slots: list[Slot], tz: ZoneInfo) -> str:
    """One line per kind and time, in words, for the admins (`07:05 值班提醒 ×3`)."""
    counted: dict[tuple[datetime, str], int] = {}
    for slot in slots:
        key = (slot.at.astimezone(tz), slot.kind)
        counted[key] = counted.get(key, 0) + 1
    lines = []
    for (when, kind), count in sorted(counted.items()):
        label = t(lang, f"push.kind.{kind}")
        lines.append(f"• {moment_label(lang, when)} {label}" + (f" ×{count}" if count > 1 else ""))
    return "\n".join(lines)


def describe_ledger(lang: str, row: PushLedger, tz: ZoneInfo) -> str:
    return (
        f"• {moment_label(lang, row.claimed_at.astimezone(tz))} {t(lang, f'push.kind.{row.kind}')}"
    )


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
            await svc.dispatcher.queue(session, list(queue), school_id=school_id)
    # Not waited for: at start-up every school's list would wait its turn at Telegram's 30
    # messages a second before the next school is planned.
    svc.dispatcher.submit(list(queue))


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
                if start < slot.at <= end and await run_slot(app, stored_id(school), slot):
                    sent += 1
            day += timedelta(days=1)
    return sent


async def watch_once(
    app: AnyApp, now: datetime, school_ids: set[int] | None = None
) -> tuple[int, dict[int, list[Slot]]]:
    """Runs the slots due by `now` that did not run here (within the grace window), and claims
    older ones as missed and lists them to the admins; returns (how many sent, the missed).

    A slot claimed elsewhere (another process, the slot's own job a moment ago) is left alone
    by the claim. A database error stops this pass; the next one tries again.
    """
    svc = services_of(app)
    sent = 0
    missed_all: dict[int, list[Slot]] = {}
    due: list[tuple[int, Slot]] = []
    for school_id, slots in svc.watch.due(now, school_ids).items():
        grace = svc.watch.grace(school_id)
        late = [slot for slot in slots if slot.at < now - grace]
        if late:
            async with svc.sessions() as session, session.begin():
                # Claimed as missed, so a second start does not list them again.
                claimed = await claim_missed(
                    session=session,
                    school_id=school_id,
                    slots=[(slot.kind, slot.target, slot.key) for slot in late],
                    now=now,
                )
            missed = [slot for slot in late if (slot.kind, slot.target, slot.key) in claimed]
            if missed:
                missed_all[school_id] = missed
            for slot in late:
                svc.watch.done(school_id, slot)
        due += [(school_id, slot) for slot in slots if slot.at >= now - grace]
    # Every school's group pushes first, and out, before anyone's own is composed: after a
    # restart at 07:02 a district's announcements do not wait behind thousands of teachers'
    # My day messages, nor for the time it takes to write them.
    for group in (True, False):
        handed: list[Send] = []
        for school_id, slot in due:
            if (slot.target == GROUP) != group:
                continue
            try:
                sent += int(await run_slot(app, school_id, slot, handed=handed))
            except Exception:  # the next pass tries it again, within its grace
                log.exception("push %s for school %s failed", slot.kind, school_id)
        if group:
            await _delivered(svc, handed)
    for school_id, missed in missed_all.items():
        log.info("school %s: %d pushes missed", school_id, len(missed))
        await _tell_admins(app, school_id, "push.missed", missed)
    return sent, missed_all


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
    known = _school_jobs(svc, queue, school_id)
    existing = {
        name: job
        for name, job in known.items()
        if kinds is None or name[len(prefix) :].split(":", 1)[0] in kinds
    }
    now = after or svc.clock.now()
    # The school and its plan are read in one session: a leave request re-plans its school.
    async with svc.sessions() as session:
        await without_transaction(session)
        school = await school_by_id(session=session, school_id=school_id)
        if school is None:
            for name, gone in existing.items():
                _forget(known, name, gone)
            svc.watch.forget(school_id)
            return 0
        today = now.astimezone(school_tz(school)).date()
        days = [today, today + timedelta(days=1)]
        if kinds is not None or planned is None or any(day not in planned for day in days):
            planned = await plan_days(svc, school, days, kinds, session=session)
    # The clock may be simulated; APScheduler runs on real time, so map each slot onto it.
    shift = datetime.now(now.tzinfo) - svc.clock.now()
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
                _forget(known, name, job)
            if slot.at <= now:
                continue
            added = queue.run_once(
                _slot_job,
                when=slot.at + shift,
                name=name,
                data=(school_id, slot),
                job_kwargs={"misfire_grace_time": MISFIRE_GRACE_SECONDS},
            )
            other = known.get(name)
            if other is not None:  # scheduled meanwhile by a rebuild beside this one
                _drop(other)
            known[name] = added
            count += 1
    for name, gone in existing.items():  # slots no longer planned
        _forget(known, name, gone)
    return count


def _school_jobs(svc: Services, queue: Any, school_id: int) -> dict[str, Job[Any]]:
    """The school's slot jobs still to run, by name, as its rebuilds scheduled them.

    Kept per school: listing APScheduler's jobs to find one school's read every school's, and
    a start of 500 schools spent more time there than planning the last ones.
    """
    known = svc.slot_jobs.setdefault(school_id, {})
    for name, job in list(known.items()):
        if not _to_run(queue, job):
            del known[name]
    return known


def _to_run(queue: Any, job: Job[Any]) -> bool:
    """Not removed, and not run: APScheduler forgets a run_once job once it ran (a stopped
    scheduler runs none)."""
    if job.removed:
        return False
    return not queue.scheduler.running or queue.scheduler.get_job(job.job.id) is not None


def _forget(known: dict[str, Job[Any]], name: str, job: Job[Any]) -> None:
    _drop(job)
    if known.get(name) is job:
        del known[name]


def _drop(job: Any) -> None:
    """Removes a slot's job; one that fired meanwhile (listed, then run while this awaited
    the plan) is gone from APScheduler already, which is fine."""
    try:
        job.schedule_removal()
    except JobLookupError:
        pass


def _same_time(job: Any, when: datetime) -> bool:
    # The shift between the simulated and the real clock moves by microseconds between calls.
    # A run_once job's trigger holds its time even before the scheduler starts.
    planned = getattr(job.job.trigger, "run_date", None)
    return planned is not None and abs((planned - when).total_seconds()) < 1


async def rebuild_all(app: AnyApp) -> None:
    svc = services_of(app)
    for school in await _schools(svc, None):
        await rebuild(app, stored_id(school))


async def start(app: AnyApp) -> None:
    """At start-up: plan and schedule every school, then catch up on the slots missed (every
    school's group pushes first), then the repeating jobs go on."""
    svc = services_of(app)
    _repeating_jobs(app)  # first: if a school fails below, the watch and the nightly plan stay
    # One instant for both halves, so that a slot falling due while the district is planned is
    # neither skipped nor sent twice: after it, its job sends it; before it, the catch-up.
    now = svc.clock.now()
    planned: set[int] = set()
    for school in await _schools(svc, None):
        try:
            await _start_school(app, school, now)
        except Exception:  # one school's trouble must not keep the others' pushes from planning
            log.exception(
                "could not plan the pushes of school %s; the watch tries again", school.id
            )
        else:
            planned.add(stored_id(school))
    # Yesterday's slots count too (the bot may have been down overnight), never a time before
    # a school was created. After every school's planning, so that after a restart at 07:02
    # each group's announcement goes before any school's personal messages.
    try:
        await watch_once(app, now, planned)
    except Exception:
        log.exception("the catch-up of missed pushes failed; the watch tries again")
    svc.schedule_versions = await _versions(svc)


async def _start_school(app: AnyApp, school: School, now: datetime) -> None:
    """Plans yesterday, today and tomorrow, and schedules the slots after `now`."""
    svc = services_of(app)
    today = now.astimezone(school_tz(school)).date()
    planned = await plan_days(
        svc, school, [today - timedelta(days=1), today, today + timedelta(days=1)], past_done=False
    )
    await rebuild(app, stored_id(school), after=now, planned=planned)


def _repeating_jobs(app: AnyApp) -> None:
    if app.job_queue is not None:
        app.job_queue.run_daily(_nightly_job, NIGHTLY_PLAN, name="plan:nightly")
        app.job_queue.run_repeating(
            _version_job, VERSION_CHECK_SECONDS, first=VERSION_CHECK_SECONDS, name="plan:versions"
        )
        app.job_queue.run_repeating(
            _watch_job,
            WATCH_SECONDS,
            first=WATCH_SECONDS,
            name="plan:watch",
            # Never dropped for running late: after a pause it is what finds the missed slots.
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )


async def _watch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    app = context.application
    svc = services_of(app)
    for school in await _schools(svc, None):
        if school.id not in svc.watch.schools:  # its planning failed at start
            try:
                await _start_school(app, school, svc.clock.now() - LAG)
            except Exception:
                log.exception("could not plan the pushes of school %s", school.id)
    await watch_once(app, svc.clock.now() - LAG)


async def _slot_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    job = context.job
    assert job is not None
    school_id, slot = cast("tuple[int, Slot]", job.data)
    await run_slot(context.application, school_id, slot)


async def _nightly_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await rebuild_all(context.application)


async def rebuild_changed(app: AnyApp) -> list[int]:
    """Rebuilds the schools whose schedule version moved since we last looked."""
    svc = services_of(app)
    known = svc.schedule_versions
    current = await _versions(svc)
    changed = [
        school_id for school_id, version in current.items() if known.get(school_id) != version
    ]
    for school_id in changed:
        await rebuild(app, school_id)
    svc.schedule_versions = current
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

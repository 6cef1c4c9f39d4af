"""Homework postings: who may post where, the cap check under a lock, transitions, the board.

The cap is checked and the posting written in one transaction holding the class's row lock
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers already), so
two teachers posting for the same class at the same moment cannot both pass the cap. The daily
board takes the locks of all the school's classes, so a posting lands either on the board or
after it as an addition, never in between.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.homework import CapCheck, Entry, Kind, Layer, check_cap, needs_approval
from rules.homework_board import BoardItem, ClassDay
from rules.policies import PolicySet
from rules.roles import ADMIN, OFFICE, PRINCIPAL
from rules.states import CoverStatus, HomeworkStatus
from storage.locks import database_held
from storage.models import (
    CoverNeed,
    HomeworkBoard,
    HomeworkPost,
    Lesson,
    School,
    SchoolClass,
    Staff,
    Subject,
)
from storage.school_static import school_static
from storage.staff import school_staff
from storage.types import stored_id

COUNTED = (
    HomeworkStatus.PENDING,
    HomeworkStatus.PUBLISHED,
)  # the statuses that hold minutes against the cap

# Built once with bound parameters: a posting runs each of these (the cap check twice), and
# building a statement costs about what SQLite takes to run it.
# A substitute covering a class's lesson today sets its homework in the class's name, as its own
# teacher would (the lesson's subject only): 代课 hands the lesson over, homework included.
_COVERS = select(CoverNeed.id).where(
    col(CoverNeed.class_id) == bindparam("class_id"),
    col(CoverNeed.subject_id) == bindparam("subject_id"),
    col(CoverNeed.substitute_id) == bindparam("teacher_id"),
    col(CoverNeed.day) == bindparam("day"),
    col(CoverNeed.status).in_([CoverStatus.ASSIGNED, CoverStatus.MERGED]),
)
_LOCK_CLASSES = (
    select(SchoolClass.id)
    .where(col(SchoolClass.id).in_(bindparam("ids", expanding=True)))
    .order_by(col(SchoolClass.id))
    .with_for_update()
)
_HELD = (
    select(HomeworkPost, Subject.name)
    .join(Subject, col(Subject.id) == col(HomeworkPost.subject_id))
    .where(
        col(HomeworkPost.class_id) == bindparam("class_id"),
        col(HomeworkPost.day) == bindparam("day"),
        col(HomeworkPost.status).in_(COUNTED),
    )
    .order_by(col(HomeworkPost.id))
)
_BOARD_OF_DAY = select(HomeworkBoard.id).where(
    col(HomeworkBoard.school_id) == bindparam("school_id"),
    col(HomeworkBoard.day) == bindparam("day"),
)
WAITING = (HomeworkStatus.PENDING, HomeworkStatus.EXCEPTION)  # wait for someone to decide them
# Its day ended with nobody having decided it: never published, holds no minutes.
EXPIRED = HomeworkStatus.EXPIRED
OPEN = (
    HomeworkStatus.DRAFT,
    HomeworkStatus.OVER_CAP,
    HomeworkStatus.EXCEPTION,
    HomeworkStatus.PENDING,
    HomeworkStatus.PUBLISHED,
)  # may still be withdrawn
EDITABLE = (HomeworkStatus.PENDING, HomeworkStatus.PUBLISHED)
APPROVER_ROLES = frozenset({OFFICE, PRINCIPAL})


@dataclass(frozen=True)
class Draft:
    """What a teacher wants to post for one class."""

    klass: SchoolClass
    subject: Subject
    kind: Kind
    layer: Layer | None
    minutes: int
    content: str


@dataclass
class Placed:
    """One class of a posting: its cap check, and the stored row (None when refused outright)."""

    klass: SchoolClass
    check: CapCheck
    post: HomeworkPost | None


# --- who, where, what ------------------------------------------------------------------------


async def subject_named(*, session: AsyncSession, school_id: int, name: str) -> Subject | None:
    query = select(Subject).where(Subject.school_id == school_id, Subject.name == name.strip())
    return (await session.exec(query)).first()


async def school_subjects(*, session: AsyncSession, school_id: int) -> list[Subject]:
    """The school's subjects in id order: shared, read-only rows (storage/school_static.py)."""
    return list((await school_static(session=session, school_id=school_id)).subjects)


def _valid_on(day: date) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (
        or_(col(Lesson.valid_from).is_(None), col(Lesson.valid_from) <= day),
        or_(col(Lesson.valid_to).is_(None), col(Lesson.valid_to) >= day),
    )


def posts_anywhere(staff: Staff) -> bool:
    """The academic office and admins may post for any class (shared/domain.md)."""
    return bool(staff.role_set & {OFFICE, ADMIN})


async def may_post(
    *, session: AsyncSession, staff: Staff, klass: SchoolClass, subject: Subject, day: date
) -> bool:
    """Whether `staff` teaches `subject` in `klass` (timetable), covers that lesson of it
    today, heads it, or posts anywhere."""
    if posts_anywhere(staff) or heads(staff, klass):
        return True
    static = await school_static(session=session, school_id=klass.school_id)
    if static.teaches(staff.id or 0, klass.id or 0, subject.id or 0, day):
        return True
    params = {"class_id": klass.id, "subject_id": subject.id, "teacher_id": staff.id, "day": day}
    return (await session.exec(_COVERS, params=params)).first() is not None


def _covered_on(staff: Staff, day: date) -> ColumnElement[bool]:
    """The cover needs `staff` covers on `day`."""
    return (
        (col(CoverNeed.substitute_id) == staff.id)
        & (col(CoverNeed.day) == day)
        & col(CoverNeed.status).in_([CoverStatus.ASSIGNED, CoverStatus.MERGED])
    )


async def postable_classes(*, session: AsyncSession, staff: Staff, day: date) -> list[SchoolClass]:
    """The classes offered in the wizard: those the teacher teaches or heads (all for office)."""
    query = select(SchoolClass).where(SchoolClass.school_id == staff.school_id)
    if not posts_anywhere(staff):
        taught = select(Lesson.class_id).where(Lesson.teacher_id == staff.id, *_valid_on(day))
        covered = select(CoverNeed.class_id).where(_covered_on(staff, day))
        query = query.where(
            or_(
                col(SchoolClass.id).in_(taught),
                col(SchoolClass.id).in_(covered),
                col(SchoolClass.id) == staff.head_of_class_id,
            )
        )
    query = query.order_by(col(SchoolClass.grade), col(SchoolClass.number))
    return list((await session.exec(query)).all())


async def postable_subjects(
    *, session: AsyncSession, staff: Staff, klass: SchoolClass, day: date
) -> list[Subject]:
    """The subjects offered for a class: those the teacher teaches there, or all its subjects
    for its head teacher and the office (all the school's when the class has no timetable)."""
    whole_class = posts_anywhere(staff) or heads(staff, klass)
    query = select(Subject).join(Lesson, col(Lesson.subject_id) == col(Subject.id))
    query = query.where(Lesson.class_id == klass.id, *_valid_on(day))
    if not whole_class:
        query = query.where(Lesson.teacher_id == staff.id)
    subjects = list((await session.exec(query.distinct().order_by(col(Subject.id)))).all())
    if not whole_class:
        covering = select(Subject).join(CoverNeed, col(CoverNeed.subject_id) == col(Subject.id))
        covering = covering.where(CoverNeed.class_id == klass.id, _covered_on(staff, day))
        known = {subject.id for subject in subjects}
        for subject in (await session.exec(covering.distinct())).all():
            if subject.id not in known:
                subjects.append(subject)
    if not subjects and whole_class:
        subjects = await school_subjects(session=session, school_id=klass.school_id)
    return subjects


async def head_teacher_of(*, session: AsyncSession, klass: SchoolClass) -> Staff | None:
    """The class's head teacher (the first by id if two are recorded), from the kept list."""
    staff = await school_staff(session=session, school_id=klass.school_id)
    return next((s for s in staff if heads(s, klass)), None)


async def office_staff(*, session: AsyncSession, school_id: int) -> list[Staff]:
    """Who approves in `office` mode, and who gets the weekly summary."""
    return [
        s
        for s in await school_staff(session=session, school_id=school_id)
        if s.role_set & APPROVER_ROLES
    ]


def is_office(staff: Staff) -> bool:
    return bool(staff.role_set & APPROVER_ROLES)


def heads(staff: Staff, klass: SchoolClass) -> bool:
    return staff.head_of_class_id is not None and staff.head_of_class_id == klass.id


def accepted_status(mode: str, author: Staff, klass: SchoolClass) -> HomeworkStatus:
    waits = needs_approval(mode, heads_class=heads(author, klass), is_office=is_office(author))
    return HomeworkStatus.PENDING if waits else HomeworkStatus.PUBLISHED


# --- the cap, under the class lock -----------------------------------------------------------


async def lock_classes(*, session: AsyncSession, class_ids: Iterable[int]) -> None:
    """Row locks on the classes, in id order so two postings never wait on each other in turn."""
    ids = sorted(set(class_ids))
    # On SQLite every transaction takes the database's write lock at BEGIN (storage/db.py), so
    # two postings never count a class's minutes at once there: no row lock is needed.
    if ids and not database_held(session):
        await session.exec(_LOCK_CLASSES, params={"ids": ids})


def _written(post: HomeworkPost) -> int:
    return post.minutes if post.kind == Kind.WRITTEN else 0


def _posting_key(post: HomeworkPost) -> tuple[int | None, int]:
    """A posting and its changes share this: the batch and the class."""
    return (post.batch, post.class_id)


def change_ids(posts: Iterable[HomeworkPost]) -> set[int]:
    """The rows among `posts` (oldest first) that are changes of an earlier one."""
    seen: set[tuple[int | None, int]] = set()
    later = set()
    for post in posts:
        key = _posting_key(post)
        if key in seen and post.batch is not None:
            later.add(stored_id(post))
        seen.add(key)
    return later


def counted_entries(rows: Iterable[tuple[HomeworkPost, str]]) -> list[Entry]:
    """The minutes these postings (oldest first, each with its subject's name) hold.

    A published posting with a change waiting holds whichever of the two takes more written
    minutes: the change may still be returned, and then the published version stands.
    """
    held: dict[tuple[int | None, int], tuple[HomeworkPost, str]] = {}
    for post, subject in rows:
        key = _posting_key(post) if post.batch is not None else (None, -(stored_id(post)))
        if key not in held or _written(post) > _written(held[key][0]):
            held[key] = (post, subject)
    return [Entry(subject, Kind(post.kind), post.minutes) for post, subject in held.values()]


async def held_entries(
    *, session: AsyncSession, class_id: int, day: date, exclude: int | None = None
) -> list[Entry]:
    """The postings that hold minutes in the class's day, in the order they were made.

    `exclude` leaves out a posting being changed, together with its waiting change (or, for a
    change, the posting it changes): the check is then what the class holds without it.
    """
    params = {"class_id": class_id, "day": day}
    rows = [(post, name) for post, name in (await session.exec(_HELD, params=params)).all()]
    if exclude is not None:
        left_out = {_posting_key(p) for p, _ in rows if p.id == exclude and p.batch is not None}
        rows = [(p, n) for p, n in rows if p.id != exclude and _posting_key(p) not in left_out]
    return counted_entries(rows)


async def cap_check(
    *,
    session: AsyncSession,
    klass: SchoolClass,
    day: date,
    policies: PolicySet,
    kind: Kind,
    minutes: int,
    exclude: int | None = None,
) -> CapCheck:
    """The cap check for one class; the caller holds the class's lock."""
    entries = await held_entries(
        session=session, class_id=stored_id(klass), day=day, exclude=exclude
    )
    return check_cap(policies.homework_cap(klass.grade), entries, kind, minutes)


async def place_postings(
    *,
    session: AsyncSession,
    author: Staff,
    day: date,
    drafts: list[Draft],
    policies: PolicySet,
    now: datetime,
) -> list[Placed]:
    """Checks every class against its cap and writes the postings.

    When every class passes, each posting is accepted (published, or pending an approver).
    When one fails, nothing is accepted: the passing ones wait as drafts for the teacher to
    confirm, those over the cap are kept as `over_cap` (for an exception request), and those of
    a grade without written homework are not stored.
    """
    await lock_classes(session=session, class_ids=[stored_id(d.klass) for d in drafts])
    checks = [
        await cap_check(
            session=session,
            klass=d.klass,
            day=day,
            policies=policies,
            kind=d.kind,
            minutes=d.minutes,
        )
        for d in drafts
    ]
    all_ok = all(c.ok for c in checks)
    mode = policies.get("homework.publication")
    placed: list[Placed] = []
    batch: int | None = None
    for draft, check in zip(drafts, checks, strict=True):
        if check.ok:
            status = accepted_status(mode, author, draft.klass) if all_ok else HomeworkStatus.DRAFT
        elif check.verdict == "over":
            status = HomeworkStatus.OVER_CAP
        else:
            placed.append(Placed(draft.klass, check, None))
            continue
        post = HomeworkPost(
            school_id=draft.klass.school_id,
            class_id=stored_id(draft.klass),
            subject_id=stored_id(draft.subject),
            author_id=stored_id(author),
            day=day,
            kind=draft.kind.value,
            layer=draft.layer.value if draft.layer else "",
            minutes=draft.minutes,
            content=draft.content,
            status=status,
            batch=batch,
            created_at=now,
            updated_at=now,
        )
        session.add(post)
        await session.flush()
        if batch is None:
            batch = post.batch = post.id
            session.add(post)
        placed.append(Placed(draft.klass, check, post))
    await session.flush()
    return placed


# --- transitions -----------------------------------------------------------------------------


async def move(
    *,
    session: AsyncSession,
    post: HomeworkPost,
    from_statuses: Iterable[HomeworkStatus],
    now: datetime,
    version: int | None = None,
    **values: object,
) -> bool:
    """`UPDATE … WHERE id AND status IN (…) [AND version]`: True for the one caller that won.

    Every change bumps the version; the row is re-read afterwards either way.
    """
    query = update(HomeworkPost).where(
        col(HomeworkPost.id) == post.id, col(HomeworkPost.status).in_(tuple(from_statuses))
    )
    if version is not None:
        query = query.where(col(HomeworkPost.version) == version)
    query = query.values(version=col(HomeworkPost.version) + 1, updated_at=now, **values)
    result = await session.exec(query.execution_options(synchronize_session=False))
    await session.refresh(post)
    return result.rowcount > 0


async def escalate_post(
    *, session: AsyncSession, post: HomeworkPost, level: int, now: datetime
) -> bool:
    """Lets the tiers up to `level` decide a waiting posting too. The posting itself does not
    change, so its version (and the buttons already sent) stay; False when it was decided,
    changed or moved up meanwhile (one winner)."""
    result = await session.exec(
        update(HomeworkPost)
        .where(
            col(HomeworkPost.id) == post.id,
            col(HomeworkPost.status) == post.status,
            col(HomeworkPost.version) == post.version,
            col(HomeworkPost.level) == post.level,
        )
        .values(level=level, escalated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(post)
    return result.rowcount > 0


async def waiting_posts(*, session: AsyncSession) -> list[tuple[HomeworkPost, School]]:
    """Every posting of every school waiting for a decision (the homework watch, each minute)."""
    query = (
        select(HomeworkPost, School)
        .join(School, col(School.id) == col(HomeworkPost.school_id))
        .where(col(HomeworkPost.status).in_(WAITING))
        .order_by(col(HomeworkPost.id))
    )
    return [(post, school) for post, school in (await session.exec(query)).all()]


async def batch_posts(*, session: AsyncSession, batch: int) -> list[HomeworkPost]:
    """The postings made together, one per class (without the changes made later)."""
    query = select(HomeworkPost).where(HomeworkPost.batch == batch)
    rows = list((await session.exec(query.order_by(col(HomeworkPost.id)))).all())
    later = change_ids(rows)
    return [row for row in rows if row.id not in later]


async def confirm_drafts(
    *, session: AsyncSession, batch: int, author: Staff, policies: PolicySet, now: datetime
) -> list[Placed]:
    """The teacher confirms the passing classes of a several-class posting; each is checked
    against the cap again, since other postings may have come in meanwhile."""
    drafts = [
        p
        for p in await batch_posts(session=session, batch=batch)
        if p.status == HomeworkStatus.DRAFT
    ]
    await lock_classes(session=session, class_ids=[p.class_id for p in drafts])
    mode = policies.get("homework.publication")
    placed: list[Placed] = []
    for post in drafts:
        klass = await class_of(session=session, post=post)
        check = await cap_check(
            session=session,
            klass=klass,
            day=post.day,
            policies=policies,
            kind=Kind(post.kind),
            minutes=post.minutes,
        )
        status = accepted_status(mode, author, klass) if check.ok else HomeworkStatus.OVER_CAP
        if await move(
            session=session,
            post=post,
            from_statuses=(HomeworkStatus.DRAFT,),
            now=now,
            status=status,
        ):
            placed.append(Placed(klass, check, post))
    return placed


async def class_of(*, session: AsyncSession, post: HomeworkPost) -> SchoolClass:
    """The posting's class: a shared, read-only row kept with the school's timetable."""
    static = await school_static(session=session, school_id=post.school_id)
    klass = static.class_by_id.get(post.class_id) or await session.get(SchoolClass, post.class_id)
    assert klass is not None
    return klass


async def subject_of(*, session: AsyncSession, post: HomeworkPost) -> Subject:
    """The posting's subject: a shared, read-only row kept with the school's timetable."""
    static = await school_static(session=session, school_id=post.school_id)
    subject = static.subject_by_id.get(post.subject_id) or await session.get(
        Subject, post.subject_id
    )
    assert subject is not None
    return subject


# --- the board -------------------------------------------------------------------------------


async def board_published(*, session: AsyncSession, school_id: int, day: date) -> bool:
    params = {"school_id": school_id, "day": day}
    return (await session.exec(_BOARD_OF_DAY, params=params)).first() is not None


async def day_posts(
    *,
    session: AsyncSession,
    class_ids: Iterable[int],
    start: date,
    end: date,
    statuses: Iterable[str],
) -> list[tuple[HomeworkPost, Subject]]:
    """The postings of these classes between two days (inclusive), oldest first."""
    query = (
        select(HomeworkPost, Subject)
        .join(Subject, col(Subject.id) == col(HomeworkPost.subject_id))
        .where(
            col(HomeworkPost.class_id).in_(list(class_ids)),
            col(HomeworkPost.day) >= start,
            col(HomeworkPost.day) <= end,
            col(HomeworkPost.status).in_(tuple(statuses)),
        )
        .order_by(col(HomeworkPost.day), col(HomeworkPost.id))
    )
    return [(post, subject) for post, subject in (await session.exec(query)).all()]


def entries_of(rows: Iterable[tuple[HomeworkPost, Subject]]) -> list[Entry]:
    return [Entry(subject.name, Kind(post.kind), post.minutes) for post, subject in rows]


def item_of(post: HomeworkPost, subject: Subject) -> BoardItem:
    return BoardItem(
        subject.name,
        Kind(post.kind),
        Layer(post.layer) if post.layer else None,
        post.minutes,
        post.content,
    )


async def class_days(
    *, session: AsyncSession, classes: list[SchoolClass], day: date, policies: PolicySet
) -> list[ClassDay]:
    """Each class's published homework of the day, and how many postings still wait."""
    rows = await day_posts(
        session=session,
        class_ids=[stored_id(c) for c in classes],
        start=day,
        end=day,
        statuses=(HomeworkStatus.PUBLISHED, *WAITING),
    )
    result = []
    for klass in classes:
        mine = [(p, s) for p, s in rows if p.class_id == klass.id]
        result.append(
            ClassDay(
                klass.grade,
                klass.number,
                klass.name,
                policies.homework_cap(klass.grade),
                tuple(item_of(p, s) for p, s in mine if p.status == HomeworkStatus.PUBLISHED),
                waiting=sum(1 for p, _ in mine if p.status in WAITING),
            )
        )
    return result


async def publish_board(
    *,
    session: AsyncSession,
    school_id: int,
    classes: list[SchoolClass],
    day: date,
    policies: PolicySet,
    now: datetime,
) -> list[ClassDay] | None:
    """Records the day's board and returns what it shows; None when it was published before.

    The published postings are marked as seen by the group, so a later change is a correction.
    """
    await lock_classes(session=session, class_ids=[stored_id(c) for c in classes])
    try:
        async with session.begin_nested():
            session.add(HomeworkBoard(school_id=school_id, day=day, published_at=now))
            await session.flush()
    except IntegrityError:
        return None
    await session.exec(
        update(HomeworkPost)
        .where(
            col(HomeworkPost.school_id) == school_id,
            col(HomeworkPost.day) == day,
            col(HomeworkPost.status) == HomeworkStatus.PUBLISHED,
        )
        .values(announced=True)
        .execution_options(synchronize_session=False)
    )
    return await class_days(session=session, classes=classes, day=day, policies=policies)


async def written_by_day(
    *, session: AsyncSession, classes: list[SchoolClass], start: date, end: date
) -> tuple[dict[int, dict[date, int]], dict[int, set[date]]]:
    """Per class: published written minutes per day, and the days with any published posting."""
    rows = await day_posts(
        session=session,
        class_ids=[stored_id(c) for c in classes],
        start=start,
        end=end,
        statuses=(HomeworkStatus.PUBLISHED,),
    )
    written: dict[int, dict[date, int]] = {stored_id(c): {} for c in classes}
    posted: dict[int, set[date]] = {stored_id(c): set() for c in classes}
    for post, _ in rows:
        posted[post.class_id].add(post.day)
        if post.kind == Kind.WRITTEN:
            days = written[post.class_id]
            days[post.day] = days.get(post.day, 0) + post.minutes
    return written, posted


async def author_posts(
    *, session: AsyncSession, author_id: int, day: date
) -> list[tuple[HomeworkPost, Subject, SchoolClass]]:
    """A teacher's postings of the day that can still change (for /hw mine)."""
    query = (
        select(HomeworkPost, Subject, SchoolClass)
        .join(Subject, col(Subject.id) == col(HomeworkPost.subject_id))
        .join(SchoolClass, col(SchoolClass.id) == col(HomeworkPost.class_id))
        .where(
            HomeworkPost.author_id == author_id,
            HomeworkPost.day == day,
            col(HomeworkPost.status).in_((HomeworkStatus.EXCEPTION, *EDITABLE)),
        )
        .order_by(col(HomeworkPost.id))
    )
    return [(p, s, c) for p, s, c in (await session.exec(query)).all()]


@dataclass
class Deciders:
    people: list[Staff]
    who: str  # head | office | admin | none: names them in texts (hw.who.*)


# Who decides a posting, in the order it moves up: the class's head teacher, the academic
# office (with the principal), the school's admins.
TIERS = ("head", "office", "admin")


def first_tier(*, asked: str, exception: bool, mode: str) -> int:
    """Where a posting's deciders start: the tier it was asked of, else the head teacher for
    an exception or in `head_teacher` mode, else the office."""
    first = asked or ("head" if exception or mode == "head_teacher" else "office")
    return TIERS.index(first) if first in TIERS else 1


async def _tier(session: AsyncSession, klass: SchoolClass, who: str) -> list[Staff]:
    if who == "head":
        head = await head_teacher_of(session=session, klass=klass)
        return [head] if head is not None else []
    if who == "office":
        return await office_staff(session=session, school_id=klass.school_id)
    everyone = await school_staff(session=session, school_id=klass.school_id)
    return [s for s in everyone if ADMIN in s.role_set]


async def deciders_in(
    session: AsyncSession,
    *,
    klass: SchoolClass,
    author_id: int,
    exception: bool,
    mode: str,
    asked: str = "",
    level: int = 0,
) -> Deciders:
    """Who decides a posting: the class's head teacher (an exception, or `head_teacher` mode),
    else the academic office, else the admins; once asked, the tier that was asked, and the
    `level` tiers above it once it moved up (jobs/homework_escalation.py). Only people
    linked to Telegram count, and never the author: nobody approves their own homework."""
    start = first_tier(asked=asked, exception=exception, mode=mode)
    people: list[Staff] = []
    who = "none"
    for index in range(start, len(TIERS)):
        taken = {p.id for p in people}
        usable = [
            p
            for p in await _tier(session, klass, TIERS[index])
            if p.telegram_id is not None and p.id != author_id and p.id not in taken
        ]
        if usable:
            people += usable
            who = TIERS[index]
        if people and index >= start + level:
            break
    return Deciders(people, who)

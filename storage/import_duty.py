"""Writing an imported duty roster: the file replaces the roster in place.

Posts are matched on name and start time, so a re-import keeps their one-day replacements; posts
the file no longer lists are removed with theirs. A rotation whose list changed starts again at
its first name on the day of the import; an unchanged list keeps its place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from rules.import_duty import DutyRecord, unknown_people
from rules.import_errors import ImportFailed, RowError, weekday_name
from rules.importing import Counts, Notice, PartialRow
from rules.rota import ROTATION, WEEKDAY
from rules.tabular import Sheet
from storage.duty import remove_post
from storage.models import DutyAssignment, DutyPost, School
from storage.schools import bump_schedule_version
from storage.staff import school_staff
from storage.types import stored_id

Slot = tuple[str, int]  # ("w", weekday) or ("r", order)


def _slot(record: DutyRecord) -> Slot:
    if record.weekday is not None:
        return ("w", record.weekday)
    assert record.order is not None
    return ("r", record.order)


def _rotation(slots: dict[Slot, int]) -> list[int]:
    return [staff for (kind, _), staff in sorted(slots.items()) if kind == "r"]


async def check_duty(
    *,
    session: AsyncSession,
    school_id: int,
    sheet: Sheet,
    records: list[DutyRecord],
    partial: Sequence[PartialRow] = (),
) -> list[RowError]:
    names = {s.name for s in await school_staff(session=session, school_id=school_id)}
    return unknown_people(sheet, records, names, partial)


async def _stored(
    session: AsyncSession, school_id: int
) -> tuple[dict[tuple[str, time], DutyPost], dict[int, dict[Slot, int]]]:
    posts = (await session.exec(select(DutyPost).where(DutyPost.school_id == school_id))).all()
    rows = (
        await session.exec(select(DutyAssignment).where(DutyAssignment.school_id == school_id))
    ).all()
    assigned: dict[int, dict[Slot, int]] = defaultdict(dict)
    for row in rows:
        slot: Slot = ("w", row.weekday) if row.weekday is not None else ("r", row.turn or 0)
        assigned[row.post_id][slot] = row.staff_id
    return {(p.name, p.starts_at): p for p in posts}, assigned


async def write_duty(
    *,
    session: AsyncSession,
    school_id: int,
    sheet: Sheet,
    records: list[DutyRecord],
    now: datetime | None = None,
) -> Counts:
    """`now` dates a new rotation list; without it the rotation counts from the term's start."""
    people = {s.name: s for s in await school_staff(session=session, school_id=school_id)}
    if any(r.teacher not in people for r in records):
        raise ImportFailed(unknown_people(sheet, records, people))
    school = await session.get(School, school_id)
    assert school is not None
    today = now.astimezone(ZoneInfo(school.timezone)).date() if now is not None else None
    grouped: dict[tuple[str, time], list[DutyRecord]] = defaultdict(list)
    for record in records:
        grouped[record.post_key].append(record)
    stored, assigned = await _stored(session, school_id)
    counts = Counts()
    restarted: list[str] = []
    for position, (key, rows) in enumerate(grouped.items()):
        head = rows[0]
        post = stored.pop(key, None)
        old = assigned.get(stored_id(post), {}) if post is not None else {}
        new = {_slot(r): stored_id(people[r.teacher]) for r in rows}
        changed_shape = post is None or post.ends_at != head.end or post.mode != head.mode
        for slot, staff_id in new.items():
            if slot not in old:
                counts.created += 1
            elif old[slot] != staff_id or changed_shape:
                counts.updated += 1
            else:
                counts.unchanged += 1
        counts.removed += len(set(old) - set(new))
        if post is None:
            post = DutyPost(
                school_id=school_id, name=head.post, starts_at=head.start, ends_at=head.end
            )
        if head.mode == ROTATION and (changed_shape or _rotation(new) != _rotation(old)):
            post.anchor_date = today
            restarted.append(head.post)
        elif head.mode == WEEKDAY:
            post.anchor_date = None
        post.ends_at, post.mode, post.position = head.end, head.mode, position
        session.add(post)
        await session.flush()
        if new != old:
            await session.exec(delete(DutyAssignment).where(col(DutyAssignment.post_id) == post.id))
            for (kind, number), staff_id in sorted(new.items()):
                session.add(
                    DutyAssignment(
                        school_id=school_id,
                        post_id=stored_id(post),
                        weekday=number if kind == "w" else None,
                        turn=number if kind == "r" else None,
                        staff_id=staff_id,
                    )
                )
        missing = sorted({1, 2, 3, 4, 5} - {r.weekday for r in rows if r.weekday is not None})
        if head.mode == WEEKDAY and missing:
            counts.notices.append(
                Notice(
                    "import.note.duty_gaps",
                    {"post": head.post, "weekdays": [weekday_name(d) for d in missing]},
                )
            )
    for post in stored.values():
        counts.removed += len(assigned.get(stored_id(post), {}))
        await remove_post(session=session, post=post)
    await session.flush()
    # The roster is kept under this version (storage/duty.py `roster`): a file that only put
    # the posts in another order changes it too.
    await bump_schedule_version(session=session, school_id=school_id)
    if restarted and today is not None:
        counts.notices.append(
            Notice("import.note.duty_rotation_start", {"posts": restarted, "day": today})
        )
    return counts

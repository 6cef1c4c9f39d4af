"""The mixed workload: what 300 staff send in a busy stretch of a school day.

Homework postings, /duty in the staff groups, one-line /leave, and approvers pressing 批准 on
the requests the bot sent them. Deterministic for a seed, so runs compare.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from sqlmodel import select

from bench.dataset import Dataset
from storage.db import create_engine, session_factory
from storage.models import Lesson, SchoolClass, Staff, Subject

# Shares of the mix (the rest of 1.0 are approval presses).
HOMEWORK, DUTY, LEAVE = 0.35, 0.25, 0.25
PRESSES = 1.0 - HOMEWORK - DUTY - LEAVE


@dataclass(frozen=True)
class Action:
    kind: str  # hw | duty | leave | approve
    user_id: int
    chat_id: int
    text: str = ""
    message_id: int = 0
    data: str = ""


@dataclass
class Staffroom:
    """Who can do what, read from the data set once."""

    postings: list[tuple[int, str, str]]  # telegram id, class name, subject
    members: list[tuple[int, int]]  # telegram id, group chat id


async def load(dataset: Dataset) -> Staffroom:
    engine = create_engine(dataset.database_url)
    postings: list[tuple[int, str, str]] = []
    members: list[tuple[int, int]] = []
    try:
        async with session_factory(engine)() as session:
            rows = await session.exec(
                select(Staff.telegram_id, SchoolClass.name, Subject.name)
                .join(Lesson, Lesson.teacher_id == Staff.id)
                .join(SchoolClass, SchoolClass.id == Lesson.class_id)
                .join(Subject, Subject.id == Lesson.subject_id)
                .where(Staff.telegram_id.is_not(None))  # type: ignore[union-attr]
                .distinct()
            )
            postings = sorted((int(t), c, s) for t, c, s in rows.all())
    finally:
        await engine.dispose()
    for school in dataset.schools:
        members.extend((telegram_id, school.group_id) for telegram_id in school.staff)
    return Staffroom(postings, members)


def future_school_days(start: date, count: int) -> list[date]:
    days: list[date] = []
    day = start
    while len(days) < count:
        day += timedelta(days=1)
        try:
            workday = chinese_calendar.is_workday(day)
        except NotImplementedError:
            workday = day.isoweekday() <= 5
        if workday:
            days.append(day)
    return days


def leave_lines(
    staffroom: Staffroom, today: date, count: int, rng: random.Random, offset: int
) -> list[Action]:
    """One-line leave requests, each person on days of their own, so none overlaps."""
    people = sorted({telegram_id for telegram_id, _ in staffroom.members})
    days = future_school_days(today, 20)
    actions = []
    for index in range(count):
        person = people[index % len(people)]
        day = days[(offset + index // len(people)) % len(days)]
        part = rng.choice(["上午", "下午", "全天"])
        actions.append(
            Action("leave", person, person, f"/leave 事假 {day:%Y-%m-%d} {part} 家中有事")
        )
    return actions


def workload(
    staffroom: Staffroom, today: date, total: int, approvals: list[Action], seed: int = 7
) -> list[Action]:
    """`total` actions: the presses given (already planted), the rest in the shares above."""
    rng = random.Random(seed)
    presses = approvals[: int(total * PRESSES)]
    homework_n = int(total * HOMEWORK)
    duty_n = int(total * DUTY)
    leave_n = total - len(presses) - homework_n - duty_n
    actions: list[Action] = list(presses)
    for _ in range(homework_n):
        telegram_id, klass, subject = rng.choice(staffroom.postings)
        minutes = rng.choice([5, 10, 15])
        actions.append(
            Action(
                "hw",
                telegram_id,
                telegram_id,
                f"/hw {klass} {subject} {minutes} 练习册第{rng.randint(1, 80)}页",
            )
        )
    for _ in range(duty_n):
        telegram_id, group = rng.choice(staffroom.members)
        actions.append(Action("duty", telegram_id, group, "/duty"))
    actions.extend(leave_lines(staffroom, today, leave_n, rng, offset=10))
    rng.shuffle(actions)
    return actions

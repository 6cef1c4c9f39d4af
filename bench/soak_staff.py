"""The demo school's staff through a soak: what they send and which buttons they press.

Teachers ask for leave (some for today, so cover is needed at once) and post homework, their
approvers press 批准, the arrangers assign cover or ask the group, substitutes press 收到,
colleagues volunteer with 我来, and now and then someone withdraws a request or asks /help or
/duty. They act only through the simulator, as people would, and read the bot's messages to
find the buttons to press.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import select

from bench.demo_school import GROUP_ID, DemoSchool
from bench.simproc import SimClient
from storage.calendar import school_calendar
from storage.db import create_engine, session_factory
from storage.models import Lesson, SchoolClass, Staff, Subject

ASSIGN = re.compile(r"^\d+→")
ASK = re.compile(r"^\d+ 群里征集$")
# How often each kind of action is chosen; a press is skipped while no such button is waiting.
WEIGHTS = {
    "leave": 14,
    "approve": 22,
    "assign": 14,
    "ack": 8,
    "volunteer": 5,
    "withdraw": 2,
    "homework": 20,
    "help": 8,
    "duty": 7,
}


@dataclass(frozen=True)
class Button:
    user_id: int  # who may press it (the chat's owner, or anyone in the group)
    chat_id: int
    message_id: int
    data: str


@dataclass
class Staffroom:
    sim: SimClient
    school: DemoSchool
    rng: random.Random
    postings: list[tuple[int, str, str]]  # telegram id, class, subject
    days: list[date]  # today and the next school days
    cursor: int = 0
    waiting: dict[str, list[Button]] = field(default_factory=dict)
    done: Counter[str] = field(default_factory=Counter)

    @property
    def people(self) -> list[int]:
        return sorted(self.school.ids.values())

    async def look(self) -> None:
        """Reads what the bot sent since the last look and notes the buttons worth pressing."""
        seq = (await self.sim.stats())["seq"]
        for chat in [*self.people, GROUP_ID]:
            for message in await self.sim.messages(chat, since=self.cursor):
                self._note(chat, message)
        self.cursor = seq

    def _note(self, chat: int, message: dict[str, Any]) -> None:
        text = message.get("plain") or ""
        for row in message.get("buttons") or []:
            for button in row:
                data = button.get("callback_data")
                if not data:
                    continue
                label = button.get("text", "")
                found = Button(chat, chat, message["message_id"], data)
                if label == "批准" and "请假审批" in text:
                    self._wait("approve", found)
                elif label == "撤销" and chat > 0:
                    self._wait("withdraw", found)
                elif ASSIGN.match(label) or ASK.match(label):
                    self._wait("assign", found)
                elif label == "收到":
                    self._wait("ack", found)
                elif label == "我来" and chat == GROUP_ID:
                    self._wait("volunteer", found)

    def _wait(self, kind: str, button: Button) -> None:
        buttons = self.waiting.setdefault(kind, [])
        # A redrawn board shows its buttons again; one press per message is enough.
        if all(b.message_id != button.message_id or b.chat_id != button.chat_id for b in buttons):
            buttons.append(button)

    async def act(self) -> str:
        """One person does one thing; returns what was done."""
        kinds = list(WEIGHTS)
        kind = self.rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        if kind in ("approve", "assign", "ack", "volunteer", "withdraw"):
            buttons = self.waiting.get(kind) or []
            if not buttons:
                kind = "homework"
            else:
                button = buttons.pop(self.rng.randrange(len(buttons)))
                presser = button.user_id
                if button.chat_id == GROUP_ID:
                    presser = self.rng.choice(self.people)
                try:
                    await self.sim.press(presser, button.chat_id, button.message_id, button.data)
                except Exception:  # the message changed meanwhile: its button is gone
                    kind = f"{kind} (stale)"
                self.done[kind] += 1
                return kind
        await self._say(kind)
        self.done[kind] += 1
        return kind

    async def _say(self, kind: str) -> None:
        rng = self.rng
        if kind == "leave":
            person, _, _ = rng.choice(self.postings)
            day = rng.choice(self.days)
            part = rng.choice(["上午", "下午", "全天"])
            text = f"/leave 事假 {day.isoformat()} {part} 家中有事"
            await self.sim.send(person, person, text)
        elif kind == "homework":
            person, klass, subject = rng.choice(self.postings)
            minutes = rng.choice([5, 10, 15])
            text = f"/hw {klass} {subject} {minutes} 练习册第{rng.randint(1, 80)}页"
            await self.sim.send(person, person, text)
        elif kind == "duty":
            await self.sim.send(rng.choice(self.people), GROUP_ID, "/duty")
        else:
            person = rng.choice(self.people)
            await self.sim.send(person, person, "/help")


async def staffroom(
    sim: SimClient, school: DemoSchool, database_url: str, today: date, rng: random.Random
) -> Staffroom:
    """Who teaches what, and the school days ahead, read from the seeded database."""
    engine = create_engine(database_url)
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
            school_id = (await session.exec(select(Staff.school_id))).first()
            calendar = await school_calendar(session=session, school_id=school_id or 0)
    finally:
        await engine.dispose()
    days = [
        today + timedelta(days=ahead)
        for ahead in range(0, 8)
        if calendar.is_school_day(today + timedelta(days=ahead))
    ][:4]
    return Staffroom(sim, school, rng, postings, days)

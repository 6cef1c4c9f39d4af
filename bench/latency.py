"""Latency: each command and button type handled in process, with the large data set.

The real application handles updates through `process_update` with a request object that answers
like Telegram without a network, so the figures are the bot's own time: parsing, authorising,
the database, composing the reply.
"""

from __future__ import annotations

import random
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from statistics import quantiles

from bench.dataset import Dataset
from bench.mix import Staffroom, future_school_days, load
from bot.clock import ManualClock
from bot.config import Settings
from bot.heap import settle_heap
from storage.db import create_engine
from tests.harness import BotHarness, Sent


@dataclass
class Timing:
    name: str
    samples: list[float]
    # False for what others wait for after the answer (an approval's boards): no target.
    answered: bool = True

    def percentile(self, p: int) -> float:
        if len(self.samples) < 2:
            return self.samples[0] * 1000 if self.samples else float("nan")
        return quantiles(self.samples, n=100, method="inclusive")[p - 1] * 1000

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def p99(self) -> float:
        return self.percentile(99)


async def _time(
    bot: BotHarness, update_handled: Awaitable[object], others: list[float] | None = None
) -> float:
    """Until the update is handled and answered. What follows it for other people (boards,
    copies drawn again, slips) and the jobs it moved run after it, in the background as in the
    running bot, and are waited for outside the timing. `others` gets, for an update that
    queued such work, the time from the update to the last of it."""
    started = time.perf_counter()
    await update_handled  # handled, and its own messages delivered (tests/harness.py `feed`)
    elapsed = time.perf_counter() - started
    if others is not None and not bot.services.background.idle:
        await bot.services.background.settle()
        await bot.services.dispatcher.settle()
        others.append(time.perf_counter() - started)
    await bot.services.settle()
    return elapsed


def _buttons(messages: list[Sent], prefix: str, label: str = "") -> list[tuple[Sent, str]]:
    found = []
    for message in messages:
        for text, data in message.buttons:
            if data.startswith(prefix) and label in text:
                found.append((message, data))
    return found


# Presses of one lesson's top suggestion before giving up on it.
ATTEMPTS = 3


async def _assignments(bot: BotHarness, samples: int) -> list[Timing]:
    """Assigning the top suggestion of lessons on the boards the approvals sent, on the newest
    board that shows the lesson now (a press draws its board again, on the page that holds its
    own lesson). Only presses that assigned someone are timed: a suggestion who meanwhile went on
    leave or reached the daily cap is refused, a shorter path, and the board drawn again shows
    the next one, pressed as an arranger would."""
    result: list[float] = []
    others: list[float] = []
    tried: set[str] = set()
    # A board shows one lesson at a time and moves on once it is arranged: the lessons to press
    # are looked for again after every press, on whatever the boards show now.
    while len(result) < samples:
        need_id = next(
            (
                need
                for message in reversed(bot.request.sent)  # newest first
                for _, data in message.buttons
                if data.startswith("v1:cov:as:") and (need := data.split(":")[3]) not in tried
            ),
            None,
        )
        if need_id is None:
            break
        tried.add(need_id)
        prefix = f"v1:cov:as:{need_id}:"
        for _ in range(ATTEMPTS):
            shown = next(
                (
                    (message, data)
                    for message in reversed(bot.request.sent)
                    for _, data in message.buttons
                    if data.startswith(prefix)
                ),
                None,
            )
            if shown is None:
                break
            message, data = shown
            before = len(bot.request.answers)
            after: list[float] = []
            press = bot.press(bot.user(message.chat_id), message, data)
            elapsed = await _time(bot, press, after)
            answers = list(bot.request.answers.values())[before:]
            if answers and str(answers[-1].get("text", "")).startswith("已安排"):
                result.append(elapsed)
                others.extend(after)
                break
    return [
        Timing("button: assign cover", result),
        Timing("assign cover, until the other copies redrawn", others, answered=False),
    ]


# Grades whose daily cap of written homework (45 or 60 minutes) 40 + 30 minutes pass.
CAPPED_GRADES = "三四五六"


async def _several_classes(bot: BotHarness, staffroom: Staffroom, samples: int) -> None:
    """Postings to two classes of which one is over its cap: each leaves the teacher a
    "publish the passing classes" button to time. One class has 40 minutes already, so 30 more
    pass the other class and not it."""
    classes: dict[tuple[int, str], list[str]] = {}
    for person, klass, subject in staffroom.postings:
        if klass[0] in CAPPED_GRADES:
            classes.setdefault((person, subject), []).append(klass)
    pairs = [(key, names[:2]) for key, names in classes.items() if len(names) >= 2]
    for (person, subject), (full, other) in pairs[:samples]:
        await _time(bot, bot.send(bot.user(person), f"/hw {full} {subject} 40 练习册第1页"))
        await _time(bot, bot.send(bot.user(person), f"/hw {full},{other} {subject} 30 练习册第2页"))


async def run(dataset: Dataset, samples: int) -> list[Timing]:
    # In process there is no running JobQueue, so wizards cannot time out; nothing to warn of.
    warnings.filterwarnings("ignore", message="Ignoring `conversation_timeout`")
    staffroom: Staffroom = await load(dataset)
    rng = random.Random(3)
    engine = create_engine(dataset.database_url)
    clock = ManualClock(dataset.now + timedelta(hours=2))
    bot = BotHarness(Settings(database_url=dataset.database_url), engine, clock)
    bot.settle_after_update = False
    # A district's data holds its morning's messages, sent through the simulator; a press edits
    # some of them (the person's request card).
    bot.request.knows_earlier = True
    people = sorted({t for t, _ in staffroom.members})
    admins = [telegram_id for school in dataset.schools for telegram_id in school.admins]
    timings: list[Timing] = []
    try:
        async with bot:
            for person in people:  # everyone has talked to the bot before
                await bot.send(bot.user(person), "/start")
            settle_heap()  # as the running bot does once it has started (bot/app.py)

            async def commands(
                name: str, text: Callable[[int], str], chat: Callable[[int], int] | None = None
            ) -> None:
                picked = [rng.choice(people) for _ in range(samples)]
                result = []
                for index, person in enumerate(picked):
                    chat_id = chat(person) if chat else person
                    sent = bot.send(bot.user(person), text(index), chat_id)
                    result.append(await _time(bot, sent))
                timings.append(Timing(name, result))

            groups = dict(staffroom.members)
            await commands("/help", lambda _: "/help")
            await commands("/me", lambda _: "/me")
            await commands("/duty (group)", lambda _: "/duty", lambda p: groups[p])
            await commands("/duty week", lambda _: "/duty week")
            await commands("/calendar", lambda _: "/calendar")
            await commands("/events", lambda _: "/events")
            await commands("/hours", lambda _: "/hours")
            await commands("/myleave", lambda _: "/myleave")
            await commands("/pending", lambda _: "/pending")
            await commands("/covers", lambda _: "/covers")
            await commands("/hw today", lambda _: "/hw today")

            posts = [rng.choice(staffroom.postings) for _ in range(samples)]
            result = []
            for index, (person, klass, subject) in enumerate(posts):
                text = f"/hw {klass} {subject} 5 练习册第{index}页"
                result.append(await _time(bot, bot.send(bot.user(person), text)))
            timings.append(Timing("/hw post", result))
            await _several_classes(bot, staffroom, samples)

            days = future_school_days(clock.now().date(), 20)
            result = []
            for index in range(samples):
                person = people[index % len(people)]
                day = days[(index // len(people)) % len(days)]
                text = f"/leave 事假 {day:%Y-%m-%d} 上午 家中有事"
                result.append(await _time(bot, bot.send(bot.user(person), text)))
            timings.append(Timing("/leave (one line)", result))

            result = []
            for index in range(samples):
                admin = admins[index % len(admins)]
                result.append(await _time(bot, bot.send(bot.user(admin), "/settings")))
            timings.append(Timing("/settings (admin)", result))

            async def presses(name: str, prefix: str, label: str = "", then: str = "") -> None:
                found = _buttons(bot.request.sent, prefix, label)
                seen: set[str] = set()
                result = []
                others: list[float] = []
                for message, data in found:
                    if data in seen or len(result) >= samples:
                        continue
                    seen.add(data)
                    user = bot.user(message.chat_id)
                    result.append(await _time(bot, bot.press(user, message, data), others))
                if result:
                    timings.append(Timing(name, result))
                if then and others:
                    timings.append(Timing(then, others, answered=False))

            await presses(
                "button: approve leave",
                "v1:lv:ok:",
                then="approve leave, until the arrangers' boards",
            )
            timings.extend(await _assignments(bot, samples))
            await presses("button: publish the passing classes", "v1:hw:go:")
            await presses("button: withdraw homework", "v1:hw:", "撤回")
            for person in people[:samples]:
                await bot.send(bot.user(person), "/lang")
            await presses("button: language", "v1:lang:set:")
    finally:
        await engine.dispose()
    return timings

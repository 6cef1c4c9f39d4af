"""`/calendar me`: four weeks of one's own lessons, duty and meetings as an .ics file."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from tests.handlers.day.test_my_day import swap_and_cover
from tests.harness import BotHarness
from tests.schools.leave import CAO, GROUP, TEACHER, XU, seed


def vevents(data: bytes) -> list[dict[str, str]]:
    """The file's events, each as its properties (folded lines joined again)."""
    text = data.decode("utf-8")
    assert "\r\n" in text and text.startswith("BEGIN:VCALENDAR\r\n")
    lines = text.replace("\r\n ", "").split("\r\n")
    events: list[dict[str, str]] = []
    for line in lines:
        if line == "BEGIN:VEVENT":
            events.append({})
        elif events and ":" in line and line != "END:VEVENT":
            key, value = line.split(":", 1)
            events[-1].setdefault(key, value)
    return events


def at_utc(value: str) -> datetime:
    return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


async def test_my_calendar_follows_swaps_and_cover_at_the_right_local_times(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())
    await swap_and_cover(harness)

    [sent] = await harness.send(harness.user(CAO), "/calendar me")
    assert sent.file is not None
    kind, name, data = sent.file
    assert kind == "document" and name.endswith(".ics")
    assert "可导入手机日历" in sent.plain
    events = vevents(data)
    # 曹明 covers 周雅琴's Thursday period 5 (13:30 Beijing time, 05:30 UTC).
    cover = [e for e in events if "代 周雅琴" in e["SUMMARY"]]
    assert len(cover) == 1
    assert at_utc(cover[0]["DTSTART"]) == datetime(2026, 11, 26, 5, 30, tzinfo=UTC)
    assert at_utc(cover[0]["DTEND"]) == datetime(2026, 11, 26, 6, 10, tzinfo=UTC)
    assert cover[0]["SUMMARY"].startswith("第5节 三(2)班 语文")

    # 周雅琴 no longer has Thursday period 3 (swapped to Friday) nor period 5 (covered).
    [hers] = await harness.send(harness.user(TEACHER), "/calendar me")
    assert hers.file is not None
    thursday = [e["SUMMARY"] for e in vevents(hers.file[2]) if e["DTSTART"].startswith("20261126")]
    assert not any(s.startswith(("第3节", "第5节")) for s in thursday)
    friday = [e for e in vevents(hers.file[2]) if e["DTSTART"].startswith("20261127T0050")]
    assert [e["SUMMARY"] for e in friday] == ["第2节 三(2)班 语文（调课）"]
    # Nothing about the leave itself, and every id stays the same on a second export.
    assert "病假" not in hers.file[2].decode() and "发烧" not in hers.file[2].decode()
    [again] = await harness.send(harness.user(TEACHER), "/calendar me")
    assert again.file is not None
    assert [e["UID"] for e in vevents(again.file[2])] == [e["UID"] for e in vevents(hers.file[2])]
    assert len({e["UID"] for e in vevents(hers.file[2])}) == len(vevents(hers.file[2]))


async def test_in_the_group_my_calendar_is_sent_in_private_only(
    harness: BotHarness, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seed(engine, clock.now())

    answer = await harness.send(harness.user(XU), "/calendar me", chat_id=GROUP)

    assert answer and all(m.file is None for m in answer)
    assert "私聊" in answer[-1].plain

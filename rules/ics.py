"""iCalendar (RFC 5545) files a phone's calendar imports: one VEVENT per lesson, duty or meeting.

Times are written in UTC (a trailing Z), which every calendar converts to the phone's own zone,
so no VTIMEZONE block is needed. Lines are folded at 75 octets and text values escaped as the
RFC asks; lines end in CRLF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

FOLD_AT = 75  # octets per line, before folding
REFRESH = "PT1H"  # RFC 7986 duration: a subscribed calendar refreshes hourly


@dataclass(frozen=True)
class IcsEvent:
    uid: str  # stable across exports, so a second import updates instead of duplicating
    start: datetime  # timezone-aware
    end: datetime
    summary: str
    description: str = ""


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("an iCalendar time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> list[str]:
    """A content line cut into pieces of at most 75 octets, never inside a character; each
    piece after the first begins with a space."""
    pieces: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > FOLD_AT:
            pieces.append(current)
            current, size = " ", 1
        current += char
        size += width
    pieces.append(current)
    return pieces


def calendar(name: str, events: Iterable[IcsEvent], *, stamp: datetime) -> bytes:
    """The whole file: a VCALENDAR named `name` holding `events`; `stamp` is when it was made."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Staffroom//My day//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        # For a subscribed feed (bot/feed.py): how often a calendar should fetch it again.
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(event.start)}",
            f"DTEND:{_utc(event.end)}",
            f"SUMMARY:{escape(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(piece + "\r\n" for line in lines for piece in fold(line)).encode("utf-8")

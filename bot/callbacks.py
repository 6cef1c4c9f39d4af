"""Callback data: short, versioned, ids only, parsed here and nowhere else.

Format `v1:<feature>:<action>:<id>[:<id>…]`, at most 64 bytes. A button proves nothing: every
press is re-authorised against the role table by its handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "v1"
MAX_BYTES = 64
_NAME = re.compile(r"^[a-z][a-z0-9]{0,9}$")
_ID = re.compile(r"^(0|[1-9]\d{0,9})$")
# Ids are database ids (PostgreSQL INTEGER) and small values; anything larger was not made here,
# and would only fail deeper down, in a query.
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Callback:
    feature: str
    action: str
    ids: tuple[int, ...]

    def id(self, index: int = 0) -> int | None:
        return self.ids[index] if index < len(self.ids) else None


def encode(feature: str, action: str, *ids: int) -> str:
    if not _NAME.match(feature) or not _NAME.match(action):
        raise ValueError(f"bad callback name {feature}:{action}")
    if any(not isinstance(i, int) or not 0 <= i <= MAX_ID for i in ids):
        raise ValueError("callback ids must be integers from 0 to 2**31-1")
    data = ":".join([VERSION, feature, action, *map(str, ids)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data}")
    return data


def decode(data: str | None) -> Callback | None:
    """The parsed callback, or None for anything we did not produce (old, forged, junk)."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != VERSION:
        return None
    feature, action, raw_ids = parts[1], parts[2], parts[3:]
    if not _NAME.match(feature) or not _NAME.match(action):
        return None
    if not all(_ID.match(raw) for raw in raw_ids):
        return None
    ids = tuple(int(raw) for raw in raw_ids)
    if any(value > MAX_ID for value in ids):
        return None
    return Callback(feature, action, ids)


def pattern(feature: str) -> re.Pattern[str]:
    """The CallbackQueryHandler pattern for one feature's buttons."""
    return re.compile(rf"^{VERSION}:{re.escape(feature)}:")

"""What a running bot leaves for `staffroom health`: a small file, written every few seconds by a
JobQueue job, saying when the scheduler last ran, whether it is polling, and when it last
handled an update.

A file rather than a row: the check a container or systemd runs asks about the process on its
own machine, and a row of a second process on the same database would answer for a dead one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.clock import Clock

log = logging.getLogger(__name__)

# How often the file is written; `staffroom health` wants it younger than three of these.
BEAT_SECONDS = 15
# Before every other handler group, so that it sees every update.
GROUP = -100


@dataclass(frozen=True)
class Beat:
    pid: int
    started_at: str
    beat_at: str
    polling: bool
    last_update_at: str | None

    @property
    def beat(self) -> datetime:
        return datetime.fromisoformat(self.beat_at)

    @property
    def last_update(self) -> datetime | None:
        return datetime.fromisoformat(self.last_update_at) if self.last_update_at else None


def read_beat(path: Path) -> Beat | None:
    """The last beat written there; None when there is none (or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Beat(**{name: data[name] for name in Beat.__dataclass_fields__})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_beat(path: Path, beat: Beat) -> None:
    # Written beside and renamed: the check never reads half a file.
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text(json.dumps(asdict(beat)), encoding="utf-8")
    os.replace(partial, path)


class Heartbeat:
    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self.started_at = clock.now()
        self.last_update_at: datetime | None = None
        self.beating = False

    async def note_update(self, update: object, context: Any) -> None:
        self.last_update_at = self.clock.now()

    async def beat(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        updater = context.application.updater
        beat = Beat(
            pid=os.getpid(),
            started_at=self.started_at.isoformat(),
            beat_at=self.clock.now().isoformat(),
            polling=updater is not None and updater.running,
            last_update_at=self.last_update_at.isoformat() if self.last_update_at else None,
        )
        await asyncio.to_thread(write_beat, self.path, beat)
        if not self.beating:
            self.beating = True
            log.info(
                "heartbeat: %s, every %d s (staffroom health reads it)", self.path, BEAT_SECONDS
            )


def install(
    application: Application[Any, Any, Any, Any, Any, Any], path: Path, clock: Clock
) -> Heartbeat:
    """Notes every update, and writes the file from the JobQueue (so a beat proves the
    scheduler runs)."""
    heartbeat = Heartbeat(path, clock)
    application.add_handler(TypeHandler(Update, heartbeat.note_update), group=GROUP)
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        heartbeat.beat, interval=BEAT_SECONDS, first=1, name="heartbeat"
    )
    return heartbeat

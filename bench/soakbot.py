"""The bot as `staffroom run` runs it, on the fault-soak's simulated school day.

`python -m bench.soakbot` reads its settings from the environment as `staffroom run` does; the
clock comes from SOAK_CLOCK, "<ISO time>@<Unix time>": the simulated time at that real moment.
So a bot started again after a kill lives on in the same day as the one killed, and the day's
pushes (07:00 and after) fall due while the soak runs. The database is migrated by the soak.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta

from telegram import Update

from bot.app import build_application
from bot.clock import OffsetClock
from bot.config import load_settings
from bot.logs import setup_logging

CLOCK_VARIABLE = "SOAK_CLOCK"


def clock_setting(simulated: datetime, real: float) -> str:
    return f"{simulated.isoformat()}@{real}"


def main() -> int:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings = load_settings()
    setup_logging(settings.log_level, settings.secrets)
    simulated, real = os.environ[CLOCK_VARIABLE].rsplit("@", 1)
    now = datetime.fromisoformat(simulated) + timedelta(seconds=time.time() - float(real))
    application = build_application(settings, clock=OffsetClock(settings.timezone, start=now))
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

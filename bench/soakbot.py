"""The bot as `staffroom run` runs it, on a simulated school day.

`python -m bench.soakbot` reads its settings from the environment as `staffroom run` does, and
runs the same way (migrating, reaching the simulator, taking the lease or standing by); only
the clock comes from SOAK_CLOCK, "<ISO time>@<Unix time>": the simulated time at that real
moment. So a bot started again after a kill, or a second one standing by, lives in the same
day as the first, and the day's pushes (07:00 and after) fall due while the soak or the
takeover test runs.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta

from bot import runner
from bot.clock import OffsetClock
from bot.config import load_settings

CLOCK_VARIABLE = "SOAK_CLOCK"


def clock_setting(simulated: datetime, real: float) -> str:
    return f"{simulated.isoformat()}@{real}"


def main() -> int:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings = load_settings()
    simulated, real = os.environ[CLOCK_VARIABLE].rsplit("@", 1)
    now = datetime.fromisoformat(simulated) + timedelta(seconds=time.time() - float(real))
    return runner.run(settings, clock=OffsetClock(settings.timezone, start=now))


if __name__ == "__main__":
    raise SystemExit(main())

"""What the figures were measured on, and the process's resident memory."""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import quantiles


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size in MiB, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe() -> dict[str, object]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


@dataclass
class Steadiness:
    """The same fixed piece of pure Python, timed again and again: on a steady machine its p99 is
    close to its p50. A shared virtual machine that loses its core now and then shows the loss
    here too, so the latency percentiles can be read against it."""

    p50_ms: float
    p99_ms: float

    @property
    def ratio(self) -> float:
        return self.p99_ms / self.p50_ms


def _fixed_work(rounds: int) -> int:
    total = 0
    for i in range(rounds):
        total += i * i % 7
    return total


def _timed(rounds: int) -> float:
    started = time.perf_counter()
    _fixed_work(rounds)
    return (time.perf_counter() - started) * 1000


def steadiness(samples: int, target_ms: float = 10.0) -> Steadiness:
    """Calibrates the work to about `target_ms`, then times it `samples` times."""
    rounds = 10_000
    while True:
        took = min(_timed(rounds) for _ in range(5))  # the least disturbed of five
        if took >= target_ms / 4:
            rounds = int(rounds * target_ms / took)
            break
        rounds *= 2
    times = [_timed(rounds) for _ in range(samples)]
    cuts = quantiles(times, n=100, method="inclusive")
    return Steadiness(cuts[49], cuts[98])

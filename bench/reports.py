"""How long each report takes to build for a whole term of the largest school, and how late the
event loop runs meanwhile (what every other person's command waits on while a report is built).

The queries run on the loop; the workbook and the chart are drawn in the worker process, as the
bot does (bot/offload.py). A ticker on the loop, due every `TICK` seconds, records how late
each tick is.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from datetime import date

from sqlmodel import func, select

from bench.dataset import Dataset
from bot.offload import off_loop
from rules.report_requests import KINDS, Period, Scope
from storage.db import create_engine, session_factory
from storage.models import Staff
from storage.reports import load_report
from views.charts import report_chart
from views.reports import render

TERM = Period(date(2026, 9, 1), date(2027, 1, 22))
TICK = 0.005


@dataclass
class Built:
    kind: str
    seconds: float  # loading, summing, the workbook and the chart
    size_kb: float
    lag_p99_ms: float  # how late the loop ran while it was built


async def _ticker(lags: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        due = time.perf_counter() + TICK
        await asyncio.sleep(TICK)
        lags.append(max(0.0, time.perf_counter() - due) * 1000)


async def run(dataset: Dataset) -> tuple[str, list[Built]]:
    engine = create_engine(dataset.database_url)
    sessions = session_factory(engine)
    built: list[Built] = []
    try:
        async with sessions() as session:
            rows = (
                await session.exec(select(Staff.school_id, func.count()).group_by(Staff.school_id))
            ).all()
        school_id = max(rows, key=lambda row: row[1])[0]
        name = next(s.name for s in dataset.schools if s.id == school_id)
        for kind in KINDS:
            lags: list[float] = []
            stop = asyncio.Event()
            ticker = asyncio.create_task(_ticker(lags, stop))
            started = time.perf_counter()
            async with sessions() as session:
                report = await load_report(
                    session=session,
                    school_id=school_id,
                    kind=kind,
                    period=TERM,
                    scope=Scope(KINDS),
                    today=dataset.now.date(),
                )
            made = await off_loop(render, "zh", report)
            await off_loop(report_chart, "zh", report)
            seconds = time.perf_counter() - started
            stop.set()
            await ticker
            p99 = statistics.quantiles(lags, n=100)[98] if len(lags) >= 2 else 0.0
            built.append(Built(kind, seconds, len(made.data) / 1024, p99))
    finally:
        await engine.dispose()
    return name, built

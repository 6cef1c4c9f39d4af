"""CPU-heavy work (a report's workbook, its chart) in a worker process, off the event loop.

A thread is not enough: openpyxl and matplotlib hold the interpreter's lock for long stretches
(hundreds of milliseconds when a term's homework ledger is written), and every other person's
command waits on the loop meanwhile. One worker process, started on first use and kept for the
life of this one (it is joined when the interpreter exits), builds one file at a time: a busy
school's office asking for several reports queues behind itself, not in front of the teachers.
The functions and their arguments cross by pickling: plain data in, bytes out.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # Spawned, not forked: this process runs threads (the database driver's), and a fork
            # would copy their locks mid-use.
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return _pool


def _forget(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


async def off_loop(fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in the worker process; a worker that died is replaced and asked once more."""
    loop = asyncio.get_running_loop()
    executor = _executor()
    try:
        return await loop.run_in_executor(executor, fn, *args)
    except BrokenProcessPool:
        _forget(executor)
        return await loop.run_in_executor(_executor(), fn, *args)

"""Reaching Telegram at start-up: wait while it cannot be reached, stop at once on a bad token.

A school's server often starts before its network, and in some networks Telegram is blocked
until a proxy is set: waiting with a line that names the settings to check beats a traceback.
Every line printed here is redacted: the request URL holds the token, and the library's own
`InvalidToken` quotes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any, TextIO

import aiohttp
from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application

from bot.admin_cli import say
from bot.config import Settings
from bot.logs import redact, tell_operator

# Seconds between tries; the last one repeats for as long as Telegram stays away.
DELAYS = (1, 2, 5, 10, 30)
TELEGRAM = "https://api.telegram.org"
REASON_CHARS = 200

Sleep = Callable[[float], Awaitable[None]]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class StartupFailed(Exception):
    """What waiting cannot mend (a refused token, a bad address): one line, exit code 2."""


def delay_before(attempt: int) -> float:
    return float(DELAYS[min(attempt, len(DELAYS) - 1)])


async def reach_telegram(
    application: AnyApplication,
    settings: Settings,
    *,
    sleep: Sleep = asyncio.sleep,
    out: TextIO | None = None,
) -> bool:
    """Initialises the application (its first call is getMe), trying again while unreachable.

    True once Telegram answered; False when Ctrl-C or SIGTERM came while waiting. Raises
    StartupFailed for an answer no wait will change.
    """
    stop = asyncio.Event()
    with _stop_signals(stop):
        attempt = 0
        while True:
            try:
                if not await _unless_stopped(application.initialize(), stop):
                    return False
            except Exception as exc:  # every failure is either waited out or reported
                delay = seconds_before_retry(exc, attempt, settings)
                tell_operator(settings, _line(settings, exc, delay, attempt), out)
                if not await _unless_stopped(sleep(delay), stop):
                    return False
                attempt += 1
                continue
            if attempt:
                tell_operator(settings, say(settings, "cli.telegram_reached"), out)
            return True


async def unless_stopped(step: Awaitable[Any]) -> bool:
    """Runs `step` until it ends, or until Ctrl-C or SIGTERM (then cancels it); False when
    stopped. For what `staffroom run` waits on before python-telegram-bot takes the signals."""
    stop = asyncio.Event()
    with _stop_signals(stop):
        return await _unless_stopped(step, stop)


async def release(application: AnyApplication) -> None:
    """Closes what a start that never completed opened (HTTP sessions, the database engine)."""
    with contextlib.suppress(Exception):
        await application.bot.shutdown()
    if application.post_shutdown is not None:
        with contextlib.suppress(Exception):
            await application.post_shutdown(application)


def failure_line(settings: Settings, exc: BaseException) -> str:
    """One redacted line for an error that stopped the bot."""
    return say(settings, "cli.start_failed", reason=reason_of(exc, settings))


def reason_of(exc: BaseException, settings: Settings) -> str:
    # `InvalidToken` from getMe is re-raised with the token in its text; its cause is the answer.
    if isinstance(exc, InvalidToken) and isinstance(exc.__cause__, InvalidToken):
        exc = exc.__cause__
    text = (
        str(exc) if isinstance(exc, NetworkError | InvalidToken) else f"{type(exc).__name__}: {exc}"
    )
    text = " ".join(redact(text, settings.secrets).split()) or type(exc).__name__
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


def seconds_before_retry(exc: Exception, attempt: int, settings: Settings) -> float:
    """Seconds to wait before the next try, or StartupFailed when trying again is pointless."""
    if isinstance(exc, InvalidToken):
        raise StartupFailed(
            say(settings, "cli.token_refused", reason=reason_of(exc, settings))
        ) from None
    if isinstance(exc, RetryAfter):
        asked = exc.retry_after
        seconds = asked.total_seconds() if isinstance(asked, timedelta) else float(asked)
        return max(delay_before(attempt), seconds)
    if isinstance(exc, NetworkError) and not isinstance(exc.__cause__, aiohttp.InvalidURL):
        return delay_before(attempt)  # refused, unknown host, timed out, a 5xx
    raise StartupFailed(failure_line(settings, exc)) from None


def _line(settings: Settings, exc: Exception, delay: float, attempt: int) -> str:
    return say(
        settings,
        "cli.telegram_unreachable",
        target=settings.telegram_api_base_url or TELEGRAM,
        reason=reason_of(exc, settings),
        delay=f"{delay:g}",
        attempt=attempt + 1,
    )


async def _unless_stopped(step: Awaitable[Any], stop: asyncio.Event) -> bool:
    """Runs `step` unless `stop` comes first (then cancels it); False when stopped."""
    task = asyncio.ensure_future(step)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, stopped):
            pending.cancel()
        await asyncio.gather(stopped, return_exceptions=True)
    if task.done() and not task.cancelled():
        task.result()  # its error, if any, is the caller's
        return True
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return False


@contextlib.contextmanager
def _stop_signals(stop: asyncio.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM end the wait; python-telegram-bot installs its own once polling."""
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
            continue
        installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)

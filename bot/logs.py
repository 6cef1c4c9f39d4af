"""Logging set-up: one format; secrets (the bot token) and message texts never reach a log line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping
from typing import TextIO

# The libraries that carry the bot's traffic. At DEBUG python-telegram-bot writes every call's
# parameters and answer and every incoming update in full: message texts, a teacher's leave
# reason among them.
LIBRARIES = ("telegram", "httpx", "httpcore", "aiohttp")

_CALLING = "Calling Bot API endpoint `%s` with parameters `%s`"
_FINISHED = "Call to Bot API endpoint `%s` finished with return value `%s`"
_PROCESSING = "Processing update %s"


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[token]")
    return text


class RedactingFormatter(logging.Formatter):
    """Formats, then replaces every secret, so even a URL logged by a library is clean."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


class LibraryPayloadFilter(logging.Filter):
    """Keeps the libraries' DEBUG lines that say what happened, never what was said.

    A call keeps its endpoint and parameter names, an update its id; any other library record
    below INFO passes only when its values are numbers (ids, counts). Default-deny, so a record
    the library adds later cannot leak a text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.INFO or record.name.split(".", 1)[0] not in LIBRARIES:
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        if record.msg == _CALLING and len(args) == 2:
            names = ", ".join(map(str, args[1])) if isinstance(args[1], Mapping) else "…"
            record.msg, record.args = "Calling Bot API endpoint `%s` with `%s`", (args[0], names)
        elif record.msg == _FINISHED and len(args) == 2:
            record.msg, record.args = "Call to Bot API endpoint `%s` finished", (args[0],)
        elif record.msg == _PROCESSING and len(args) == 1:
            record.args = (getattr(args[0], "update_id", "?"),)
        elif record.args and not all(_harmless(a) for a in args or (record.args,)):
            return False
        return True


def _harmless(value: object) -> bool:
    if isinstance(value, list | tuple):
        return all(_harmless(v) for v in value)
    return value is None or isinstance(value, int | float)


def setup_logging(level: str, secrets: Iterable[str] = (), stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    handler.addFilter(LibraryPayloadFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and the URL contains the token; the formatter would
    # redact it, but a line per poll is noise anyway.
    if logging.getLevelName(level) > logging.DEBUG:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)

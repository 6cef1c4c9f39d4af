"""Logging set-up: readable lines or JSON lines; secrets (the bot token) and message texts never
reach a log line.

An event (an update handled, a push run) is one line carrying the school, the chat and the
action as fields (`extra=event(...)`): a log collector filters on them without parsing text,
and they are ids and names only, never what someone wrote.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.config import Settings

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


# The fields of an event, in the order a text line shows them.
EVENT_FIELDS = ("school", "chat", "user", "action", "outcome", "ms")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def event(
    action: str,
    *,
    school: int | None = None,
    chat: int | None = None,
    user: int | None = None,
    **more: Any,
) -> dict[str, Any]:
    """The `extra` of an event's log record: ids and names only."""
    return {"action": action, "school": school, "chat": chat, "user": user, **more}


def _event_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {
        name: getattr(record, name)
        for name in EVENT_FIELDS
        if getattr(record, name, None) is not None
    }


class RedactingFormatter(logging.Formatter):
    """Formats, then replaces every secret, so even a URL logged by a library is clean.
    An event's fields follow the message as `name=value`."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = _event_fields(record)
        if fields:
            head, newline, rest = text.partition("\n")  # a traceback stays below the line
            shown = " ".join(f"{name}={value}" for name, value in fields.items())
            text = f"{head} {shown}{newline}{rest}"
        return redact(text, self.secrets)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors: time (UTC), level, logger, message, the
    event's fields, and a traceback as one string. Redacted after encoding, as the text form is
    (the token's characters are never escaped by JSON, so it cannot hide in an escape)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_event_fields(record),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["error"] = record.exc_text
        return redact(json.dumps(entry, ensure_ascii=False, default=str), self.secrets)


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


def setup_logging(
    level: str,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
    *,
    log_format: str = "text",
) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter(secrets) if log_format == "json" else RedactingFormatter(TEXT_FORMAT, secrets)
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


_console = logging.getLogger("staffroom.console")


def tell_operator(settings: Settings, text: str, out: TextIO | None = None) -> None:
    """A line for whoever watches the process (reaching Telegram, active or standing by): printed
    as it is, or with LOG_FORMAT=json a log line like every other, so that a log collector
    reading standard error gets JSON only."""
    if out is None and settings.log_format == "json":
        _console.warning(text)
        return
    print(text, file=out if out is not None else sys.stderr, flush=True)

"""Typed settings, read once from the environment and `.env`.

Nothing here runs at import time: `load_settings()` is called by the command line, and a bad
setting stops the program with one message naming every problem (exit code 2).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from storage.kept import DEFAULT_SCHOOLS

LANGUAGES = ("zh", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
DEFAULT_DATABASE_URL = "sqlite:///data/staffroom.db"
# Read by the HTTP client from the process environment; a `.env` line is copied there.
PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY")
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8080
# Telegram's alphabet for a webhook's secret token; the length floor is ours, so that the
# secret cannot be guessed by trying.
WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class SettingsError(Exception):
    """Every problem found in the settings, so the user can fix them all in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


SCHOOLS_KEPT_MAX = 100_000


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: str | None = None
    telegram_api_base_url: str | None = None
    database_url: str = "sqlite+aiosqlite:///data/staffroom.db"
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    default_language: str = "zh"
    bootstrap_admin_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    proxy_environment: tuple[tuple[str, str], ...] = ()
    # An HTTP proxy for the bot's calls to Telegram only (HTTPS_PROXY applies to the process).
    proxy_url: str | None = None
    # How long a process holds the messages it is sending before another process (or the next
    # start, after a crash) may take them over.
    delivery_lease_seconds: float = 30.0
    # Where the daily backup (policy backup.daily) writes its copies.
    backup_dir: Path = Path("data/backups")
    # Written by `staffroom run` every few seconds, read by `staffroom health` (bot/heartbeat.py).
    heartbeat_file: Path = Path("data/heartbeat.json")
    # text: one readable line per event; json: one JSON object per line, for log collectors.
    log_format: str = "text"
    # Webhook mode (`staffroom run --webhook`, or WEBHOOK_URL set): Telegram posts updates to
    # webhook_url, a reverse proxy passes them to webhook_listen:webhook_port.
    webhook_url: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    webhook_secret: str | None = None
    # Calendar feeds (bot/feed.py): the public address phones fetch `/calendar/<token>.ics` from
    # (FEED_URL; in webhook mode WEBHOOK_URL's scheme and host when empty), and in long-polling
    # mode the port the feeds and /healthz are served on (FEED_PORT; none: no server).
    feed_url: str | None = None
    feed_port: int | None = None

    @property
    def webhook_path(self) -> str:
        """The path the webhook server answers on: the one of WEBHOOK_URL, as a reverse proxy
        passes it on unchanged."""
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def health_port(self) -> int:
        """/healthz is served beside the webhook, on the next port (bot/health.py)."""
        return self.webhook_port + 1

    @property
    def http_port(self) -> int | None:
        """Where the bot's own small web server (/healthz, calendar feeds) listens, on
        webhook_listen: beside the webhook, or on FEED_PORT when polling; None: not at all."""
        if self.webhook_url is not None:
            return self.health_port
        return self.feed_port

    @property
    def feed_base_url(self) -> str | None:
        """The public address a feed link begins with; None when no feed is served."""
        if self.http_port is None:
            return None
        if self.feed_url is not None:
            return self.feed_url.rstrip("/")
        if self.webhook_url is not None:
            parts = urlsplit(self.webhook_url)
            return f"{parts.scheme}://{parts.netloc}"
        return None

    # How long the active process's claim on the database lasts unless renewed (it renews every
    # quarter of it); a process standing by takes over at most this and a quarter after the
    # active one stopped renewing (bot/lease.py).
    lease_seconds: float = 20.0
    # How many schools' timetables, calendars, policies and staff lists are kept between actions
    # (storage/kept.py); a school past them is read again at its next action.
    schools_kept: int = DEFAULT_SCHOOLS

    @property
    def delivery_lease(self) -> timedelta:
        return timedelta(seconds=self.delivery_lease_seconds)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    @property
    def api_base_url(self) -> str | None:
        """The `base_url` python-telegram-bot wants: it appends the token itself."""
        if not self.telegram_api_base_url:
            return None
        return self.telegram_api_base_url.rstrip("/") + "/bot"

    @property
    def file_base_url(self) -> str | None:
        if not self.telegram_api_base_url:
            return None
        return self.telegram_api_base_url.rstrip("/") + "/file/bot"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never reach a log line: the token, its secret half alone (an
        encoded colon would hide the whole token from a plain search), a proxy's password."""
        secrets = [self.telegram_bot_token, (self.telegram_bot_token or "").partition(":")[2]]
        secrets.append(self.webhook_secret)
        secrets += [
            urlsplit(v).password or "" for k, v in self.proxy_environment if k != "NO_PROXY"
        ]
        secrets.append(urlsplit(self.proxy_url or "").password or "")
        return tuple(s for s in secrets if s)


def async_database_url(url: str) -> str:
    """Accepts the URLs people write and picks the async driver for them."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("expected a URL such as sqlite:///data/staffroom.db")
    base = scheme.split("+", 1)[0].lower()
    if base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if base in ("postgresql", "postgres"):
        if not urlsplit(url).hostname and "host=" not in rest:
            raise ValueError("a PostgreSQL URL needs a host, e.g. postgresql://user@127.0.0.1/db")
        return f"postgresql+asyncpg://{rest}"
    raise ValueError(f"unsupported database '{scheme}': use sqlite:///... or postgresql://...")


def _api_base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a Bot API server's address; None when it can.

    Checked here because the HTTP client would only fail at the first call, with an error that
    quotes the whole request URL, the token in it.
    """
    expected = "expected http(s)://host[:port] of a Bot API server"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return expected
    if any(c.isspace() for c in url):
        return f"{expected}, without spaces"
    try:
        port = parts.port
    except ValueError:  # not a number, or above 65535
        port = 0
    if port == 0:
        return f"{expected}; the port must be a number from 1 to 65535"
    return None


def _environment(environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    if environ is not None:
        return dict(environ)
    values: dict[str, str] = {}
    path = env_file if env_file is not None else Path(".env")
    if path.is_file():
        values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update(os.environ)  # the real environment wins over the file
    return values


def _whole(raw: str, low: int, high: int) -> int | None:
    """`raw` as a whole number from `low` to `high`; None when it is not one."""
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    value = int(raw) if raw.isdecimal() else low - 1
    return value if low <= value <= high else None


def _seconds(
    get: Callable[[str], str | None], name: str, default: float, problems: list[str]
) -> float:
    """A positive number of seconds (a fraction allowed), or the default when not set."""
    raw = get(name)
    if raw is None:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        problems.append(f"{name}: '{raw}' is not a positive number of seconds")
    return seconds


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | None = None
) -> Settings:
    """Reads and validates every setting; raises SettingsError listing all problems."""
    env = _environment(environ, env_file)
    problems: list[str] = []

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value is not None and value.strip() else None

    token = get("TELEGRAM_BOT_TOKEN")
    if token is not None and (":" not in token or any(c.isspace() for c in token)):
        problems.append(
            "TELEGRAM_BOT_TOKEN: expected the token from @BotFather, like 123456:ABC..."
        )

    base_url = get("TELEGRAM_API_BASE_URL")
    if base_url is not None:
        problem = _api_base_url_problem(base_url)
        if problem is not None:
            problems.append(f"TELEGRAM_API_BASE_URL: {problem}")

    proxies: list[tuple[str, str]] = []
    for name in PROXY_VARIABLES:
        value = get(name) or get(name.lower())
        if value is None:
            continue
        parts = urlsplit(value)
        if name != "NO_PROXY" and (parts.scheme not in ("http", "https") or not parts.hostname):
            problems.append(f"{name}: expected http://[user:password@]host:port of an HTTP proxy")
        proxies.append((name, value))

    proxy_url = get("PROXY_URL")
    if proxy_url is not None:
        parts = urlsplit(proxy_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append("PROXY_URL: expected http://[user:password@]host:port of an HTTP proxy")

    database_url = DEFAULT_DATABASE_URL
    try:
        database_url = async_database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    except ValueError as exc:
        problems.append(f"DATABASE_URL: {exc}")

    tz = ZoneInfo("Asia/Shanghai")
    tz_name = get("TIMEZONE") or "Asia/Shanghai"
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"TIMEZONE: unknown time zone '{tz_name}', e.g. Asia/Shanghai")

    language = (get("DEFAULT_LANGUAGE") or "zh").lower()
    if language not in LANGUAGES:
        problems.append(f"DEFAULT_LANGUAGE: '{language}' is not one of {', '.join(LANGUAGES)}")

    admin_ids: set[int] = set()
    for raw in (get("BOOTSTRAP_ADMIN_IDS") or "").replace(";", ",").split(","):
        raw = raw.strip()
        if not raw:
            continue
        try:
            admin_ids.add(int(raw))
        except ValueError:
            problems.append(f"BOOTSTRAP_ADMIN_IDS: '{raw}' is not a Telegram user id (a number)")

    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL: '{log_level}' is not one of {', '.join(LOG_LEVELS)}")

    lease = _seconds(get, "DELIVERY_LEASE_SECONDS", 30.0, problems)
    process_lease = _seconds(get, "LEASE_SECONDS", 20.0, problems)

    schools_kept = DEFAULT_SCHOOLS
    raw_kept = get("SCHOOLS_KEPT")
    if raw_kept is not None:
        kept = _whole(raw_kept, 1, SCHOOLS_KEPT_MAX)
        if kept is not None:
            schools_kept = kept
        else:
            problems.append(
                f"SCHOOLS_KEPT: '{raw_kept}' is not a number of schools from 1 to "
                f"{SCHOOLS_KEPT_MAX}"
            )

    log_format = (get("LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        problems.append(f"LOG_FORMAT: '{log_format}' is not one of {', '.join(LOG_FORMATS)}")

    webhook = _webhook_settings(get, problems)
    feeds = _feed_settings(get, problems, webhook_url=webhook["webhook_url"])

    if problems:
        raise SettingsError(problems)
    return Settings(
        telegram_bot_token=token,
        telegram_api_base_url=base_url,
        database_url=database_url,
        timezone=tz,
        default_language=language,
        delivery_lease_seconds=lease,
        lease_seconds=process_lease,
        schools_kept=schools_kept,
        bootstrap_admin_ids=frozenset(admin_ids),
        log_level=log_level,
        log_format=log_format,
        backup_dir=Path(get("BACKUP_DIR") or "data/backups"),
        heartbeat_file=Path(get("HEARTBEAT_FILE") or "data/heartbeat.json"),
        proxy_environment=tuple(proxies),
        proxy_url=proxy_url,
        **webhook,
        **feeds,
    )


def _webhook_settings(get: Callable[[str], str | None], problems: list[str]) -> dict[str, Any]:
    """WEBHOOK_URL and its companions; a URL without a secret is refused, since anyone who
    finds the URL could otherwise post updates as any teacher."""
    url = get("WEBHOOK_URL")
    secret = get("WEBHOOK_SECRET")
    listen = get("WEBHOOK_LISTEN") or DEFAULT_WEBHOOK_LISTEN
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
            problems.append(
                "WEBHOOK_URL: expected the public https://host/path Telegram posts updates to"
            )
        if secret is None:
            problems.append(
                "WEBHOOK_SECRET: required with WEBHOOK_URL (16 to 256 of A-Z a-z 0-9 _ -), e.g. "
                'the output of python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
    if secret is not None and not WEBHOOK_SECRET_RE.fullmatch(secret):
        problems.append("WEBHOOK_SECRET: expected 16 to 256 of the characters A-Z a-z 0-9 _ -")
    if any(c.isspace() for c in listen):
        problems.append("WEBHOOK_LISTEN: expected an address such as 127.0.0.1 or 0.0.0.0")
    port = DEFAULT_WEBHOOK_PORT
    raw_port = get("WEBHOOK_PORT")
    if raw_port is not None:
        # The health endpoint takes the next port.
        given = _whole(raw_port, 1, 65534)
        if given is None:
            problems.append(f"WEBHOOK_PORT: '{raw_port}' is not a port from 1 to 65534")
        else:
            port = given
    return {
        "webhook_url": url,
        "webhook_listen": listen,
        "webhook_port": port,
        "webhook_secret": secret,
    }


def _feed_settings(
    get: Callable[[str], str | None], problems: list[str], *, webhook_url: str | None
) -> dict[str, Any]:
    """FEED_URL and FEED_PORT. In webhook mode the feeds share the /healthz port, which the
    reverse proxy already reaches; when polling, FEED_PORT starts that server on its own (a
    school that reaches Telegram only through an outgoing proxy cannot take webhooks, yet its
    own reverse proxy can still serve the teachers' phones)."""
    url = get("FEED_URL")
    raw_port = get("FEED_PORT")
    port: int | None = None
    if raw_port is not None:
        port = _whole(raw_port, 1, 65535)
        if port is None:
            problems.append(f"FEED_PORT: '{raw_port}' is not a port from 1 to 65535")
        elif webhook_url is not None:
            problems.append(
                "FEED_PORT: leave it empty in webhook mode; the feeds are served beside "
                "/healthz on WEBHOOK_PORT + 1"
            )
            port = None
    if url is not None:
        parts = urlsplit(url)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.query
            or any(c.isspace() for c in url)
        ):
            problems.append(
                "FEED_URL: expected the public https://host[/path] the calendar feeds are "
                "reached at"
            )
        elif webhook_url is None and raw_port is None:
            problems.append("FEED_URL: feeds are served only with WEBHOOK_URL or FEED_PORT set")
    return {"feed_url": url, "feed_port": port}

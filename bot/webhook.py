"""How the bot listens in webhook mode: the arguments of python-telegram-bot's webhook server,
shared by `staffroom run` and the playground's simulated deployment."""

from __future__ import annotations

import socket
from typing import Any

from telegram import Update

from bot.config import Settings


def webhook_arguments(settings: Settings) -> dict[str, Any]:
    """For `Updater.start_webhook` / `Application.run_webhook`: setWebhook with the secret, and
    a server that answers 403 to a post without it."""
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": settings.webhook_path,
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret,
        "allowed_updates": Update.ALL_TYPES,
        # What Telegram queued while the bot was down is still to be answered.
        "drop_pending_updates": False,
    }


def health_address(settings: Settings) -> tuple[str, int]:
    return settings.webhook_listen, settings.health_port


def server_address(settings: Settings) -> tuple[str, int] | None:
    """Where /healthz and the calendar feeds are served (bot/health.py, bot/feed.py): beside
    the webhook, or on FEED_PORT when polling; None when neither is set."""
    port = settings.http_port
    return None if port is None else (settings.webhook_listen, port)


def free_port_pair(host: str = "127.0.0.1") -> int:
    """A port free on `host` whose next one is free too (the webhook and /healthz)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind((host, 0))
            port = int(first.getsockname()[1])
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind((host, port + 1))
                except OSError:
                    continue
        return port
    raise OSError("no two free ports next to each other")

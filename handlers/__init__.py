"""Telegram adapters: each module exposes `handlers()` and is wired in bot/app.py."""

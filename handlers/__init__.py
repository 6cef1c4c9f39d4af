"""Telegram adapters, one package per feature; each exposes `handlers()`, registered in
bot/app.py in the order of `FEATURES`. Shared machinery is in handlers/core/."""

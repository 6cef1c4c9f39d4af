"""Tests of the local Telegram Bot API simulator (bot.simulator)."""

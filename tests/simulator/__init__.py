"""Tests of the local Telegram Bot API simulator (simulator)."""

"""Staffroom: the Telegram bot that runs a school's staff group."""

__version__ = "0.1.0"

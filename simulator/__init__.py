"""A local Telegram Bot API simulator for tests, benchmarks and the playground.

It serves the subset of the Bot API the bot uses over HTTP (so a real
python-telegram-bot ``Application`` can long-poll it) and offers a driver API
to act as users and inspect what the bot sent. See :class:`Simulator`.
"""

from .errors import ApiError, SimulatorError
from .faults import FAULT_KINDS, SimStats
from .html import escape as html_escape
from .html import html_to_plain
from .models import SimButton, SimChat, SimFile, SimMessage, SimUser
from .simulator import Simulator
from .state import supergroup_id_for

__all__ = [
    "FAULT_KINDS",
    "ApiError",
    "SimButton",
    "SimChat",
    "SimFile",
    "SimMessage",
    "SimStats",
    "SimUser",
    "Simulator",
    "SimulatorError",
    "html_escape",
    "html_to_plain",
    "supergroup_id_for",
]

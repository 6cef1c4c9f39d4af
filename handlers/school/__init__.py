"""A school and its people: the staff group, topics, first steps and help, linking accounts,
reachability, settings, imports and the calendar."""

from __future__ import annotations

from telegram.ext import BaseHandler

from handlers.school import calendar, groups, imports, linking, onboarding, reach, settings, topics


def handlers() -> list[BaseHandler]:
    """This feature's handlers, in the order they are tried."""
    return [
        *groups.handlers(),
        *topics.handlers(),
        *onboarding.handlers(),
        *linking.handlers(),
        *reach.handlers(),
        *settings.handlers(),
        *imports.handlers(),
        *calendar.handlers(),
    ]

"""Exceptions shared by the simulator modules."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer of the Bot API, serialised exactly like Telegram does.

    Raised anywhere inside a method implementation; the server turns it into
    ``{"ok": false, "error_code": ..., "description": ..., "parameters": ...}``
    with the matching HTTP status, which is what python-telegram-bot maps to its
    exception classes.
    """

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str, parameters: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}", parameters)


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


class SimulatorError(Exception):
    """Misuse of the driver API (a test asked for something impossible)."""


class EntityParseError(Exception):
    """Formatted text (HTML/Markdown) that Telegram would refuse to parse."""

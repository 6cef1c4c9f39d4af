"""Registry of Bot API method implementations, keyed by lower-cased name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .params import Params
from .state import State

Handler = Callable[[State, Params], Any]

# lower-cased name -> (canonical name, implementation); Telegram treats method
# names case-insensitively.
METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(name: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        METHODS[name.lower()] = (name, func)
        return func

    return register

"""Rows kept between actions and shared by all of them (the staff list, a school's classes and
subjects): built once from plain columns and read-only.

Setting an attribute of a shared row raises at once instead of changing what every other action
reads: an action that changes a person, a class or a subject reads the row for itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm.attributes import instance_state
from sqlmodel import SQLModel

from storage.session_memo import table_of

M = TypeVar("M", bound=SQLModel)

SHARED = "staffroom_shared"


class SharedRowChanged(RuntimeError):
    """A shared row was about to change: the caller must read the row for itself."""


def _refuse_change(target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
    if instance_state(target).info.get(SHARED):
        raise SharedRowChanged(
            f"{type(target).__name__} {target.id} is shared between actions; read it to change it"
        )
    return value


def guard(model: type[SQLModel]) -> None:
    """Makes the model's shared rows refuse changes (once per model)."""
    for column in table_of(model).c:
        attribute = getattr(model, column.key)
        if not event.contains(attribute, "set", _refuse_change):
            event.listen(attribute, "set", _refuse_change, retval=True)


def shared(model: type[M], values: Mapping[Any, Any]) -> M:
    """A read-only row of `model` from a row's mapping (keyed by the table's columns)."""
    row = model(**{column.key: values[column] for column in table_of(model).c})
    instance_state(row).info[SHARED] = True
    return row

"""The audit log: who did what, when. Written in the same transaction as the change itself."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditLog
from storage.session_memo import table_of

# One statement, built once: most actions write a line, and an ORM object flushed for it cost
# more than the rest of some actions' writes.
_INSERT = insert(table_of(AuditLog))


async def record(
    *,
    session: AsyncSession,
    at: datetime,
    action: str,
    school_id: int | None = None,
    actor_telegram_id: int | None = None,
    actor_staff_id: int | None = None,
    subject_type: str = "",
    subject_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    await session.exec(
        _INSERT,
        params={
            "school_id": school_id,
            "at": at,
            "action": action,
            "actor_telegram_id": actor_telegram_id,
            "actor_staff_id": actor_staff_id,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
        },
    )


async def entries(
    *, session: AsyncSession, school_id: int | None = None, action: str | None = None
) -> list[AuditLog]:
    query = select(AuditLog).order_by(col(AuditLog.id))
    if school_id is not None:
        query = query.where(AuditLog.school_id == school_id)
    if action is not None:
        query = query.where(AuditLog.action == action)
    return list((await session.exec(query)).all())

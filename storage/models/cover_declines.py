"""The question a substitute who pressed 拒绝 is answering."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class DeclineAsk(SQLModel, table=True):
    """A substitute pressed 拒绝 and was asked why: kept here so that the reason they type is
    still taken after a restart (the dialogue itself lives in memory)."""

    __tablename__ = "cover_decline_asks"

    telegram_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    # No foreign key: a question is short-lived, and must never hold up removing old records.
    need_id: int
    version: int
    chat_id: int = Field(sa_type=BigInteger)
    message_id: int = Field(sa_type=BigInteger)
    asked_at: datetime = Field(sa_type=UTCDateTime)

"""Which process is in charge: several `staffroom run` may share one database, one works."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Lease(SQLModel, table=True):
    """A named lease, held by one process until `expires_at` unless it renews it first.

    The active bot holds the lease named "bot": it alone polls Telegram and runs the scheduled
    pushes; a process that finds it held stands by and takes it once it has expired.
    """

    __tablename__ = "leases"

    name: str = Field(primary_key=True, max_length=32)
    # host:pid:random, so an operator can tell which machine and process is in charge.
    holder: str = Field(max_length=128)
    taken_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)

"""Copies one school's whole year into many schools, inside the database.

A district of 500 schools built through the importer would take most of an hour; each table
is instead copied by one `INSERT … SELECT` over the numbers 1..n, with every id moved by a stride,
so the copies keep their own staff, classes, lessons and history and refer only to each other.
Works on SQLite and PostgreSQL alike (a recursive CTE counts the copies).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from bench.dataset import SchoolInfo
from storage.db import create_engine, is_sqlite

# Tables whose rows are not part of a school's year, or whose unique columns a copy cannot keep
# (a pending invite's code, a message already on Telegram).
SKIP = {"audit_log", "outbox", "invites", "cover_board_copies", "request_messages"}
# Telegram ids of the template's people are ID_BASE + n (n < 1000): copy k moves them by k × 1000,
# as `bench.dataset` numbers the people of its k-th school.
PEOPLE_STEP = 1000
SUPERUSER = text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")


def _school_tables() -> list[Table]:
    return [
        table
        for table in SQLModel.metadata.sorted_tables
        if "school_id" in table.c and table.name not in SKIP
    ]


def _expression(table: Table, column: str, stride: int) -> str:
    quoted = f'"{column}"'
    col = table.c[column]
    if column == "id":
        return f"{quoted} + k.k * {stride}"
    targets = {fk.column.table.name for fk in col.foreign_keys}
    if targets == {"schools"}:
        return f"{quoted} + k.k"
    if targets:
        return f"{quoted} + k.k * {stride}"
    if column.endswith("telegram_id"):
        return f"{quoted} + k.k * {PEOPLE_STEP}"
    if table.name == "group_chats" and column == "chat_id":
        return f"{quoted} - k.k"  # bench.dataset.group_id_for counts downwards
    return quoted


def _counter(copies: int) -> str:
    return f"WITH RECURSIVE k(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM k WHERE k < {copies}) "


async def _stride(conn: AsyncConnection, school_id: int) -> int:
    """A power of ten above every id the template uses, so that copies never collide."""
    highest = 0
    for table in _school_tables():
        if "id" not in table.c:
            continue
        found = (
            await conn.execute(
                text(f'SELECT max(id) FROM "{table.name}" WHERE school_id = :s'), {"s": school_id}
            )
        ).scalar()
        highest = max(highest, int(found or 0))
    stride = 10
    while stride <= highest:
        stride *= 10
    return stride


async def _copy_schools(conn: AsyncConnection, school_id: int, copies: int) -> None:
    table = SQLModel.metadata.tables["schools"]
    columns = [c.name for c in table.columns]
    selects = []
    for column in columns:
        if column == "id":
            selects.append('"id" + k.k')
        elif column == "name":
            selects.append("\"name\" || '·' || CAST(k.k AS VARCHAR)")
        else:
            selects.append(f'"{column}"')
    names = ", ".join(f'"{c}"' for c in columns)
    await conn.execute(
        text(
            _counter(copies)
            + f"INSERT INTO schools ({names}) SELECT {', '.join(selects)} FROM schools, k "
            "WHERE schools.id = :s"
        ),
        {"s": school_id},
    )


async def clone(database_url: str, template: SchoolInfo, copies: int) -> list[SchoolInfo]:
    """Adds `copies` schools like `template` (which must have the highest school id so far);
    returns them, template first."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            stride = await _stride(conn, template.id)
            if not is_sqlite(database_url) and (await conn.execute(SUPERUSER)).scalar():
                # The copies refer only to rows copied before them (tables in dependency order),
                # so checking each of millions of references again only costs time.
                await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await _copy_schools(conn, template.id, copies)
            for table in _school_tables():
                columns = [c.name for c in table.columns]
                names = ", ".join(f'"{c}"' for c in columns)
                selects = ", ".join(_expression(table, c, stride) for c in columns)
                await conn.execute(
                    text(
                        _counter(copies) + f'INSERT INTO "{table.name}" ({names}) SELECT {selects} '
                        f'FROM "{table.name}", k WHERE "{table.name}".school_id = :s'
                    ),
                    {"s": template.id},
                )
            if not is_sqlite(database_url):
                # Explicit ids leave the sequences behind; the bot's own inserts come next.
                for table in [SQLModel.metadata.tables["schools"], *_school_tables()]:
                    if "id" not in table.c:
                        continue
                    await conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f'(SELECT coalesce(max(id), 1) FROM "{table.name}"))'
                        )
                    )
            # The planner has seen one school; it must plan for the district.
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return [template] + [_copied(template, k, stride) for k in range(1, copies + 1)]


def _copied(template: SchoolInfo, k: int, stride: int) -> SchoolInfo:
    return replace(
        template,
        id=template.id + k,
        name=f"{template.name}·{k}",
        group_id=template.group_id - k,
        staff={t + k * PEOPLE_STEP: s + k * stride for t, s in template.staff.items()},
        grade_leaders={g: t + k * PEOPLE_STEP for g, t in template.grade_leaders.items()},
        admins=[t + k * PEOPLE_STEP for t in template.admins],
    )

"""Backups of the whole database, and restoring one into an empty database.

Two forms. An SQLite database is copied with SQLite's online backup API: a page-by-page copy of
one read snapshot, so the bot goes on writing meanwhile (WAL readers do not block writers) and
the copy is a database file anyone can open. Any database (PostgreSQL always) can also be written
as the project's own portable dump: JSON lines, table by table in dependency order, read in one
REPEATABLE READ transaction, so every row of one snapshot and no half of a transaction.

PostgreSQL is dumped this way rather than with `pg_dump` because `pg_dump` must be at least the
server's major version and is missing from most application hosts and images, and its output
restores into PostgreSQL only; the portable dump restores into either database (a school that
outgrows its SQLite file moves to PostgreSQL with `backup` then `restore`), and each restore
counts its rows against the counts the dump recorded. A DBA's own `pg_dump` stays possible.

Restore refuses a database with any row in it, loads everything in one transaction (a failure
leaves the target empty) and checks the rows of every table and the schema version afterwards.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import os
import sqlite3
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, cast

from alembic.script import ScriptDirectory
from sqlalchemy import Date, DateTime, LargeBinary, Table, Time, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

import storage.models
from storage.db import is_sqlite
from storage.migrate import alembic_config
from storage.types import UTCDateTime

FORMAT = "staffroom-dump"
FORMAT_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"
BATCH = 1000


class BackupError(Exception):
    """What stops a backup or a restore: `key` names the CLI text (cli.backup.<key>)."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(f"{key}: {values}")
        self.key = key
        self.values = values


@dataclass
class Summary:
    """What a backup holds or a restore loaded: the schema version and rows per table."""

    schema: str | None
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def tables() -> list[Table]:
    """Every table, parents before the tables that refer to them."""
    return list(storage.models.metadata.sorted_tables)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


# Names that promise the portable dump (JSON lines, gzipped or not), which an SQLite copy is not.
DUMP_SUFFIXES = (".gz", ".jsonl")


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL; None for PostgreSQL or an in-memory database."""
    if not is_sqlite(url):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


async def schema_of(conn: AsyncConnection) -> str | None:
    if not await conn.run_sync(lambda c: inspect(c).has_table("alembic_version")):
        return None
    return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()


async def count_rows(conn: AsyncConnection) -> dict[str, int]:
    present = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    counts: dict[str, int] = {}
    for table in tables():
        if table.name in present:
            counts[table.name] = (
                await conn.execute(select(func.count()).select_from(table))
            ).scalar_one()
    return counts


# --- writing ---------------------------------------------------------------------------------


async def backup(engine: AsyncEngine, url: str, target: Path) -> Summary:
    """Writes a consistent copy of the database to `target` (replaced only once complete)."""
    partial = target.with_name(target.name + ".partial")
    if sqlite_path(url) is not None and target.name.lower().endswith(DUMP_SUFFIXES):
        # The copy is a database file: under a dump's name it would be taken for one, and a
        # .gz that is no gzip misleads whoever unpacks it.
        raise BackupError("sqlite_name", path=str(target))
    try:
        source = sqlite_path(url)
        if source is not None:
            await asyncio.to_thread(_copy_sqlite, source, partial)
            summary = await _sqlite_summary(partial)
        else:
            summary = await _write_dump(engine, partial)
        os.replace(partial, target)
    except OSError as exc:
        raise BackupError("cannot_write", path=str(target), reason=exc.strerror or exc) from None
    finally:
        partial.unlink(missing_ok=True)
    return summary


def _copy_sqlite(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    if not source.is_file():  # connecting would make an empty database there
        raise BackupError("no_database", path=str(source))
    src = sqlite3.connect(source, timeout=5)
    dst = sqlite3.connect(target)
    try:
        # All pages in one step: one read snapshot, however busy the writers are (a copy in
        # several steps starts over whenever another connection writes between two of them).
        src.backup(dst, pages=-1)
        # One self-contained file: the copy needs no -wal beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        if dst.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError("copy_damaged", path=str(target))
    finally:
        dst.close()
        src.close()


@asynccontextmanager
async def _read_only_sqlite(path: Path) -> AsyncIterator[AsyncConnection]:
    # Opened read-only and without the bot's pragmas: restoring never changes the backup file.
    engine = create_async_engine(f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true")
    try:
        async with engine.connect() as conn:
            yield conn
    finally:
        await engine.dispose()


async def _sqlite_summary(path: Path) -> Summary:
    async with _read_only_sqlite(path) as conn:
        return Summary(await schema_of(conn), await count_rows(conn))


async def _write_dump(engine: AsyncEngine, target: Path) -> Summary:
    async with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            # One snapshot for every table: what commits meanwhile is wholly in or wholly out.
            await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            if engine.dialect.name == "postgresql":
                await conn.execute(text("SET TRANSACTION READ ONLY"))
            schema = await schema_of(conn)
            if schema != head_revision():
                raise BackupError("not_at_head", found=schema or "-", head=head_revision())
            summary = Summary(schema)
            out = await asyncio.to_thread(_open_for_writing, target)
            try:
                header = {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "schema": schema,
                    "dialect": engine.dialect.name,
                }
                await asyncio.to_thread(_write_lines, out, [header])
                for table in tables():
                    summary.rows[table.name] = await _dump_table(conn, table, out)
                await asyncio.to_thread(_write_lines, out, [{"end": summary.rows}])
            finally:
                await asyncio.to_thread(out.close)
    return summary


def _open_for_writing(target: Path) -> IO[bytes]:
    if target.name.removesuffix(".partial").endswith(".gz"):
        return cast(IO[bytes], gzip.open(target, "wb"))
    return target.open("wb")


def _write_lines(out: IO[bytes], lines: list[Any]) -> None:
    out.write(b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines))


async def _dump_table(conn: AsyncConnection, table: Table, out: IO[bytes]) -> int:
    await asyncio.to_thread(_write_lines, out, [{"table": table.name, "columns": table.c.keys()}])
    query = select(table).order_by(*table.primary_key.columns)
    written = 0
    result = await conn.stream(query.execution_options(yield_per=BATCH))
    async for rows in result.partitions(BATCH):
        lines = [[_encode(v) for v in row] for row in rows]
        await asyncio.to_thread(_write_lines, out, lines)
        written += len(lines)
    return written


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


# --- reading and restoring -------------------------------------------------------------------


@dataclass
class _Dump:
    schema: str | None
    expected: dict[str, int] | None  # None: a database file, counted as read


def kind_of(path: Path) -> str:
    """'sqlite' for a database file, 'dump' for the portable dump; BackupError otherwise."""
    try:
        with path.open("rb") as f:
            start = f.read(len(SQLITE_MAGIC))
    except OSError:
        raise BackupError("no_file", path=str(path)) from None
    if start == SQLITE_MAGIC:
        return "sqlite"
    if start.startswith(GZIP_MAGIC) or start.startswith(b"{"):
        return "dump"
    raise BackupError("not_a_backup", path=str(path))


def _dump_lines(path: Path) -> Generator[Any, None, None]:
    with path.open("rb") as f:
        compressed = f.read(len(GZIP_MAGIC)) == GZIP_MAGIC
    with gzip.open(path, "rb") if compressed else path.open("rb") as f:
        for line in f:
            yield json.loads(line)


def _read_header(path: Path) -> dict[str, Any]:
    try:
        header = next(_dump_lines(path))
    except (OSError, ValueError, StopIteration):
        raise BackupError("not_a_backup", path=str(path)) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("not_a_backup", path=str(path))
    return header


async def is_empty(conn: AsyncConnection) -> bool:
    return not any((await count_rows(conn)).values())


async def check_restorable(engine: AsyncEngine, path: Path) -> str | None:
    """The backup's schema version, once it is known to fit this Staffroom and `engine`'s
    database is known to be empty; BackupError otherwise."""
    if kind_of(path) == "sqlite":
        async with _read_only_sqlite(path) as conn:
            schema = await schema_of(conn)
    else:
        schema = _read_header(path).get("schema")
    if schema != head_revision():
        raise BackupError("other_schema", found=schema or "-", head=head_revision())
    async with engine.connect() as conn:
        if not await is_empty(conn):
            raise BackupError("not_empty")
    return schema


async def restore(engine: AsyncEngine, path: Path) -> Summary:
    """Loads the backup into `engine`'s database, migrated to head and empty (see
    `check_restorable`), in one transaction; then counts every table again."""
    expected: dict[str, int] | None
    loaded: dict[str, int] = {}
    async with engine.begin() as conn:
        if kind_of(path) == "sqlite":
            async with _read_only_sqlite(path) as source:
                for table in tables():
                    loaded[table.name] = await _copy_table(source, conn, table)
            expected = dict(loaded)
        else:
            expected = await _load_dump(conn, path, loaded)
        if engine.dialect.name == "postgresql":
            await _advance_sequences(conn)
        # Counted inside the transaction: a difference rolls everything back.
        found = Summary(await schema_of(conn), await count_rows(conn))
        wanted = {name: expected.get(name, 0) for name in found.rows}
        if found.rows != wanted:
            differing = sorted(n for n in wanted if found.rows[n] != wanted[n])
            raise BackupError("count_mismatch", tables=", ".join(differing))
        if found.schema != head_revision():
            raise BackupError("other_schema", found=found.schema or "-", head=head_revision())
    return found


async def _copy_table(source: AsyncConnection, target: AsyncConnection, table: Table) -> int:
    present = await source.run_sync(lambda c: inspect(c).has_table(table.name))
    if not present:
        return 0
    copied = 0
    result = await source.stream(select(table).order_by(*table.primary_key.columns))
    async for rows in result.partitions(BATCH):
        await target.execute(table.insert(), [dict(row._mapping) for row in rows])
        copied += len(rows)
    return copied


async def _load_dump(conn: AsyncConnection, path: Path, loaded: dict[str, int]) -> dict[str, int]:
    by_name = {table.name: table for table in tables()}
    lines = _dump_lines(path)
    table: Table | None = None
    columns: list[str] = []
    decoders: list[Any] = []
    batch: list[dict[str, Any]] = []

    async def flush() -> None:
        if table is not None and batch:
            await conn.execute(table.insert(), batch)
            loaded[table.name] = loaded.get(table.name, 0) + len(batch)
            batch.clear()

    try:
        for line in lines:
            if isinstance(line, list):
                if table is None:
                    raise BackupError("damaged", path=str(path))
                batch.append({c: d(v) for c, d, v in zip(columns, decoders, line, strict=True)})
                if len(batch) >= BATCH:
                    await flush()
            elif "table" in line:
                await flush()
                table = by_name.get(line["table"])
                if table is None:
                    raise BackupError("damaged", path=str(path))
                columns = list(line["columns"])
                decoders = [_decoder(table, name) for name in columns]
                loaded.setdefault(table.name, 0)
            elif "end" in line:
                await flush()
                return dict(line["end"])
    except (ValueError, KeyError, TypeError, OSError, EOFError):
        raise BackupError("damaged", path=str(path)) from None
    finally:
        lines.close()
    # No closing line: the file was cut short (a full disk, a copy interrupted).
    raise BackupError("damaged", path=str(path))


def _decoder(table: Table, name: str) -> Any:
    column = table.columns[name]
    kind = column.type
    if isinstance(kind, UTCDateTime | DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(kind, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(kind, Time):
        return lambda v: None if v is None else time.fromisoformat(v)
    if isinstance(kind, LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v)
    return lambda v: v


async def _advance_sequences(conn: AsyncConnection) -> None:
    # Rows came with their ids; the next row the bot adds must not take one of them.
    for table in tables():
        for column in table.primary_key.columns:
            if column.autoincrement is not True and not (
                column.autoincrement == "auto" and len(table.primary_key.columns) == 1
            ):
                continue
            sequence = (
                await conn.execute(
                    text("SELECT pg_get_serial_sequence(:t, :c)"),
                    {"t": f'"{table.name}"', "c": column.name},
                )
            ).scalar()
            if sequence is None:
                continue
            await conn.execute(
                text(
                    f'SELECT setval(:s, COALESCE((SELECT max("{column.name}") '
                    f'FROM "{table.name}"), 0) + 1, false)'
                ),
                {"s": sequence},
            )

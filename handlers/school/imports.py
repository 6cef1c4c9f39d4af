"""/import: an admin sends a CSV or Excel file with the caption `/import <kind>` in private chat.

A file sent without that caption is answered too: an admin hears which import it looks like
and the caption to send it with; anyone else a short line saying files are for the admins.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import Document, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.commands import ADMINS
from bot.services import BotContext
from bot.texts import split_message
from handlers.core.turn import Turn, command
from rules.import_guess import KindShape, guess_kind
from rules.tabular import MAX_BYTES, Table, read_table
from storage.importer import (
    IMPORT_KINDS,
    ImportFailed,
    Prepared,
    import_prepared,
    kind_named,
    prepare_import,
)
from views.imports import render_errors, render_summary, render_usage

CAPTION = r"^/import(@\w+)?(\s|$)"
# A school's file reads in well under a second; ten is for an old office PC's biggest workbook.
READ_SECONDS = 10.0
# How long past its own deadline the reader may take to notice it, before the answer goes out.
READ_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Upload:
    kind: str
    document: Document


# Errors that say the columns are not this kind's.
COLUMN_ERRORS = frozenset(
    {"import.err.unknown_column", "import.err.unknown_column_close", "import.err.missing_column"}
)


def _reply_lines(turn: Turn, text: str) -> None:
    for chunk in split_message(text.split("\n")):
        turn.reply(chunk)


def _kind_words(turn: Turn) -> tuple[str | None, str | None]:
    """The word after /import and the kind it names (None when absent or unknown)."""
    words = turn.arg_text.split()
    if not words:
        return None, None
    return words[0], kind_named(words[0])


def _unknown_kind(turn: Turn, word: str) -> None:
    kinds = turn.t("common.list_sep").join(IMPORT_KINDS)
    turn.reply(turn.t("import.err.unknown_kind", kind=word, kinds=kinds))
    _reply_lines(turn, render_usage(turn.lang))


@command(where="private", roles=ADMINS)
async def cmd_import(turn: Turn) -> None:
    """`/import [kind]` typed without a file: explains the kinds and their columns."""
    word, kind = _kind_words(turn)
    if word is not None and kind is None:
        _unknown_kind(turn, word)
        return
    _reply_lines(turn, render_usage(turn.lang, kind))


@command(where="private", roles=ADMINS)
async def _vet_upload(turn: Turn) -> Upload | None:
    """Checks who sent what before anything is downloaded; answers every refusal."""
    message = turn.update.effective_message
    document = message.document if message is not None else None
    word, kind = _kind_words(turn)
    if document is None:
        return None
    if word is None:
        _reply_lines(turn, render_usage(turn.lang))
        return None
    if kind is None:
        _unknown_kind(turn, word)
        return None
    if turn.actor.school_id is None:
        turn.reply(turn.t("common.no_school"))
        return None
    if document.file_size is not None and document.file_size > MAX_BYTES:
        turn.reply(turn.t("import.err.too_big", limit_mb=MAX_BYTES // (1024 * 1024)))
        return None
    return Upload(kind, document)


async def on_import_file(update: Update, context: BotContext) -> None:
    """Imports the file sent with the caption `/import <kind>`.

    The download and the reading happen between two transactions: on SQLite a transaction
    holds the write lock from its start, and a slow download or a heavy file must not keep
    every other user waiting.
    """
    upload = await _vet_upload(update, context)
    if upload is None:
        return
    data = bytes(await (await upload.document.get_file()).download_as_bytearray())
    filename = upload.document.file_name or ""
    read = await read_off_loop(upload.kind, data, filename, context)
    other = None
    if isinstance(read, ImportFailed) and any(e.key in COLUMN_ERRORS for e in read.errors):
        # Its columns are not this kind's: perhaps it is another kind's file, sent by mistake.
        other = await _guess_kind(data, filename)

    @command(where="private", roles=ADMINS)
    async def run_import(turn: Turn) -> None:
        if other is not None and other != upload.kind:
            turn.reply(
                turn.t(
                    "import.wrong_kind",
                    title=turn.t(f"import.kind.{other}"),
                    asked=turn.t(f"import.kind.{upload.kind}"),
                    name=other,
                )
            )
        await _import(turn, upload, read)

    await run_import(update, context)


async def read_off_loop(
    kind: str, data: bytes, filename: str, context: BotContext
) -> Prepared | ImportFailed:
    """Reads and parses the file on a thread, within READ_SECONDS.

    Parsing a workbook is pure Python: on the event loop a crafted one would hold up every
    other user for as long as it takes.
    """
    today = context.svc.clock.now().date()
    try:
        async with asyncio.timeout(READ_SECONDS + READ_GRACE_SECONDS):
            return await asyncio.to_thread(
                prepare_import,
                kind=kind,
                data=data,
                filename=filename,
                today=today,
                seconds=READ_SECONDS,
            )
    except ImportFailed as failed:
        return failed
    except TimeoutError:
        # The reader stops itself at its own deadline, between two rows; this is for a single
        # step that never returns (one enormous cell).
        return ImportFailed.whole_file("import.err.too_slow", seconds=f"{READ_SECONDS:g}")


async def _import(turn: Turn, upload: Upload, read: Prepared | ImportFailed) -> None:
    """Imports the file read into the school, or lists what is wrong with it."""
    school_id = turn.actor.school_id
    if school_id is None:
        turn.reply(turn.t("common.no_school"))
        return
    if isinstance(read, ImportFailed):
        await _rejected(turn, upload, read)
        return
    try:
        result = await import_prepared(
            session=turn.session,
            school_id=school_id,
            prepared=read,
            now=turn.now,
            actor_telegram_id=turn.actor.telegram_id,
        )
    except ImportFailed as failed:
        await _rejected(turn, upload, failed)
        return
    if IMPORT_KINDS[upload.kind].moves_schedule and result.changed:
        turn.out.after_commit.append(lambda: turn.svc.schedule_changed(school_id))
    _reply_lines(turn, render_summary(turn.lang, result))


async def _rejected(turn: Turn, upload: Upload, failed: ImportFailed) -> None:
    """Nothing was written; the refusal itself is worth a trace for the other admins."""
    filename = upload.document.file_name or ""
    await turn.audit("import_rejected", kind=upload.kind, file=filename, errors=len(failed.errors))
    _reply_lines(turn, render_errors(turn.lang, failed))


# --- a file without the caption ---------------------------------------------------------------


@command(where="private")
async def _vet_unnamed(turn: Turn) -> Document | None:
    """Only the admins import; anyone else sending a file hears so, politely."""
    message = turn.update.effective_message
    document = message.document if message is not None else None
    if document is None:
        return None
    if not turn.actor.is_admin:
        turn.reply(turn.t("import.unnamed.not_admin"))
        return None
    if document.file_size is not None and document.file_size > MAX_BYTES:
        turn.reply(turn.t("import.err.too_big", limit_mb=MAX_BYTES // (1024 * 1024)))
        return None
    return document


async def on_unnamed_file(update: Update, context: BotContext) -> None:
    """A file with no `/import <kind>` caption: says which import it looks like (its header
    row, its name) and the caption to send it again with. Nothing is imported."""
    document = await _vet_unnamed(update, context)
    if document is None:
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    guessed = await _guess_kind(data, document.file_name or "")

    @command(where="private", roles=ADMINS)
    async def answer(turn: Turn) -> None:
        if guessed is None:
            kinds = turn.t("common.list_sep").join(IMPORT_KINDS)
            turn.reply(turn.t("import.unnamed.unknown", kinds=kinds))
            return
        title = turn.t(f"import.kind.{guessed}")
        turn.reply(turn.t("import.unnamed.looks_like", title=title, name=guessed))

    await answer(update, context)


async def _guess_kind(data: bytes, filename: str) -> str | None:
    """Which import the file looks like, by its header row and its name; None if none."""
    table = await _header_of(data, filename)
    shapes = {
        kind.name: KindShape(kind.columns, (kind.name, *kind.aliases))
        for kind in IMPORT_KINDS.values()
    }
    return guess_kind(table, filename, shapes)


async def _header_of(data: bytes, filename: str) -> Table | None:
    """The file read as a table on a thread (as an import reads it), or None if it is not one."""
    try:
        async with asyncio.timeout(READ_SECONDS + READ_GRACE_SECONDS):
            return await asyncio.to_thread(read_table, data, filename, seconds=READ_SECONDS)
    except (ImportFailed, TimeoutError):
        return None


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("import", cmd_import),
        MessageHandler(filters.Document.ALL & filters.CaptionRegex(CAPTION), on_import_file),
        MessageHandler(
            filters.Document.ALL & filters.ChatType.PRIVATE & ~filters.CaptionRegex(CAPTION),
            on_unnamed_file,
        ),
    ]

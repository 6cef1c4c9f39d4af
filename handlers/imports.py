"""/import: an admin sends a CSV or Excel file with the caption `/import <kind>` in private chat."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Document, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.commands import ADMINS
from bot.services import BotContext
from bot.texts import split_message
from handlers.turn import Turn, command
from rules.tabular import MAX_BYTES
from storage.importer import (
    IMPORT_KINDS,
    ImportFailed,
    import_table,
    kind_named,
    render_errors,
    render_summary,
    render_usage,
)

CAPTION = r"^/import(@\w+)?(\s|$)"


@dataclass(frozen=True)
class Upload:
    kind: str
    document: Document


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

    The download happens between two transactions: on SQLite a transaction holds the write lock
    from its start, and a slow download must not keep every other user waiting.
    """
    upload = await _vet_upload(update, context)
    if upload is None:
        return
    data = bytes(await (await upload.document.get_file()).download_as_bytearray())

    @command(where="private", roles=ADMINS)
    async def run_import(turn: Turn) -> None:
        await _import(turn, upload, data)

    await run_import(update, context)


async def _import(turn: Turn, upload: Upload, data: bytes) -> None:
    """Imports the downloaded file into the school, or lists what is wrong with it."""
    school_id = turn.actor.school_id
    if school_id is None:
        turn.reply(turn.t("common.no_school"))
        return
    filename = upload.document.file_name or ""
    try:
        result = await import_table(
            session=turn.session,
            school_id=school_id,
            kind=upload.kind,
            data=data,
            filename=filename,
            now=turn.now,
            actor_telegram_id=turn.actor.telegram_id,
        )
    except ImportFailed as failed:
        # Nothing was written; the refusal itself is worth a trace for the other admins.
        await turn.audit(
            "import_rejected", kind=upload.kind, file=filename, errors=len(failed.errors)
        )
        _reply_lines(turn, render_errors(turn.lang, failed))
        return
    if IMPORT_KINDS[upload.kind].moves_schedule and result.changed:
        turn.out.after_commit.append(lambda: turn.svc.schedule_changed(school_id))
    _reply_lines(turn, render_summary(turn.lang, result))


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CommandHandler("import", cmd_import),
        MessageHandler(filters.Document.ALL & filters.CaptionRegex(CAPTION), on_import_file),
    ]

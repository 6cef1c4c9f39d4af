"""What an import answers: the problems by line and cell, the summary, the usage, and the
hints the command line gives instead of the chat's."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from bot.texts import Safe, escape, t
from rules.import_errors import Bilingual, ImportFailed, RowError
from rules.tabular import MAX_BYTES, MAX_ROWS
from storage.importer import IMPORT_KINDS, ImportKind, ImportResult
from views.common import day_label

MAX_SHOWN_ERRORS = 20
# Hints that tell a chat user to send /import or the file again, and what the command line says
# instead: there the file is named on the command, and run again.
_CLI_KEYS = {
    "import.nothing_imported": "import.nothing_imported_cli",
    "import.err.unknown_column": "import.err.unknown_column_cli",
    "import.note.periods_without_bells": "import.note.periods_without_bells_cli",
}


_PLAIN_WORD = re.compile(r"[^\s'\"\\$`!&|;<>()*?#~{}\[\]]+")


@dataclass(frozen=True)
class Rerun:
    """The command-line import the answer is for, so that its hints name that command."""

    kind: str
    file: str
    school: str

    @property
    def command(self) -> str:
        words = ("staffroom", "import", self.kind, self.file, "--school", self.school)
        return " ".join(_shell_word(word) for word in words)

    def values(self, lang: str, key: str) -> dict[str, object]:
        """What a command-line hint needs besides the problem's own values."""
        spec = IMPORT_KINDS.get(self.kind)
        columns = _columns(lang, spec) if spec is not None else ""
        return {"command": self.command, "school": _shell_word(self.school), "columns": columns}


def _shell_word(word: str) -> str:
    """A word as it can be pasted into a shell: quoted only when the shell would split or
    expand it (shlex would quote every Chinese name too)."""
    return word if _PLAIN_WORD.fullmatch(word) else shlex.quote(word)


def _value(lang: str, value: object) -> object:
    """A placeholder value in `lang`: bilingual names picked, lists joined."""
    if isinstance(value, Bilingual):
        return value.in_language(lang)
    if isinstance(value, date) and not isinstance(value, datetime):
        return day_label(lang, value)
    if isinstance(value, list | tuple):
        separator = t(lang, "common.list_sep")
        return Safe(separator.join(escape(_value(lang, item)) for item in value))
    return value


def _text(lang: str, key: str, values: Mapping[str, object]) -> Safe:
    return t(lang, key, **{name: _value(lang, value) for name, value in values.items()})


def _hint(lang: str, key: str, values: Mapping[str, object], rerun: Rerun | None) -> Safe:
    """The text of a problem or notice, as the command line says it when `rerun` is given."""
    if rerun is not None and key in _CLI_KEYS:
        return _text(lang, _CLI_KEYS[key], {**values, **rerun.values(lang, key)})
    return _text(lang, key, values)


def render_error(lang: str, error: RowError, rerun: Rerun | None = None) -> Safe:
    problem = _hint(lang, error.key, error.values, rerun)
    if error.line is None:
        return t(lang, "import.at_file", problem=problem)
    if error.column is None:
        return t(lang, "import.at_line", line=error.line, problem=problem)
    return t(
        lang, "import.at_cell", line=error.line, column=_value(lang, error.column), problem=problem
    )


def render_errors(lang: str, failed: ImportFailed, rerun: Rerun | None = None) -> str:
    """Why nothing was imported: the first problems by line, and how many more there are."""
    lines = [t(lang, "import.failed", count=len(failed.errors))]
    lines += [render_error(lang, e, rerun) for e in failed.errors[:MAX_SHOWN_ERRORS]]
    if len(failed.errors) > MAX_SHOWN_ERRORS:
        lines.append(t(lang, "import.more_errors", count=len(failed.errors) - MAX_SHOWN_ERRORS))
    lines.append(_hint(lang, "import.nothing_imported", {}, rerun))
    return "\n".join(lines)


def render_summary(lang: str, result: ImportResult, rerun: Rerun | None = None) -> str:
    lines = [
        t(lang, "import.done", kind=t(lang, f"import.kind.{result.kind}"), rows=result.rows),
        t(
            lang,
            "import.counts",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
    ]
    if result.removed:
        lines.append(t(lang, "import.removed", count=result.removed))
    if not result.changed:
        lines.append(t(lang, "import.no_changes"))
    lines += [_hint(lang, n.key, n.values, rerun) for n in result.notices]
    return "\n".join(lines)


def _columns(lang: str, kind: ImportKind) -> Safe:
    names = [c.name.in_language(lang) + ("*" if c.required else "") for c in kind.columns]
    return Safe(t(lang, "common.list_sep").join(escape(n) for n in names))


def render_usage(lang: str, kind: str | None = None) -> str:
    """How to import: every kind with its columns, or one kind in detail."""
    chosen = [IMPORT_KINDS[kind]] if kind is not None else list(IMPORT_KINDS.values())
    lines: list[str] = [t(lang, "import.usage.title")]
    for spec in chosen:
        lines.append(
            t(
                lang,
                "import.usage.kind",
                name=spec.name,
                title=t(lang, f"import.kind.{spec.name}"),
                columns=_columns(lang, spec),
            )
        )
        if kind is not None:
            lines.append(t(lang, f"import.help.{spec.name}"))
    lines.append("")
    lines.append(
        t(lang, "import.usage.formats", limit_mb=MAX_BYTES // (1024 * 1024), max_rows=MAX_ROWS)
    )
    lines.append(t(lang, "import.usage.how", name=kind or chosen[0].name))
    return "\n".join(lines)

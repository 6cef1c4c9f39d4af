"""The staff roster import: one row per person, matched to existing staff by name.

An empty cell keeps what is stored: a roster re-exported without Telegram ids must not unlink
everyone, and one without a roles column must not demote the admins. A new person with no
roles is a teacher.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rules.classnames import ClassRef
from rules.import_errors import RowError
from rules.importing import (
    CellError,
    Parsed,
    RowReader,
    normalise,
    parse_class,
    parse_grade,
    parse_language,
    parse_telegram_id,
)
from rules.roles import HEAD_TEACHER, TEACHER, encode_roles, parse_roles, split_list
from rules.tabular import Column, Sheet

MAX_NAME = 50
MAX_SUBJECTS = 200  # the stored comma-separated list

COLUMNS = (
    Column("name", "姓名", "name", required=True, aliases=("教师姓名", "名字")),
    Column("roles", "角色", "roles", aliases=("role", "职务", "身份")),
    Column("subjects", "学科", "subjects", aliases=("subject", "任教学科", "科目")),
    Column("grade", "年级", "grade", aliases=("年级组",)),
    Column("head_of", "班主任", "head_of", aliases=("所带班级", "head_of_class")),
    Column("telegram_id", "telegram_id", "telegram_id", aliases=("telegram", "tg_id")),
    Column("language", "语言", "language", aliases=("lang",)),
    Column(
        "employment",
        "编制",
        "employment",
        aliases=("在编/外聘", "在编外聘", "编制类型", "用工性质", "用工形式", "external"),
    ),
)

# What offices write in the 编制 column: on the school's establishment (在编), or not (外聘,
# 代课, 非在编: hired from outside, often per lesson, kept on a separate sheet of the pay).
_EMPLOYMENT = {
    "在编": False, "正式": False, "编内": False, "在职": False,
    "regular": False, "internal": False, "permanent": False,
    "外聘": True, "代课": True, "代课教师": True, "非在编": True, "编外": True, "临聘": True,
    "external": True, "contract": True, "supply": True,
}  # fmt: skip


@dataclass(frozen=True)
class StaffRecord:
    """One roster row; None means the cell was empty (keep what is stored)."""

    line: int
    name: str
    roles: frozenset[str] | None
    subjects: tuple[str, ...] | None
    grade: int | None
    head_of: ClassRef | None
    telegram_id: int | None
    language: str | None
    external: bool | None = None


@dataclass(frozen=True)
class StaffState:
    """A staff member as stored, or as an import leaves them."""

    name: str
    roles: frozenset[str]
    subjects: tuple[str, ...]
    grade: int | None
    head_of: ClassRef | None
    telegram_id: int | None
    language: str | None
    external: bool = False  # 外聘/代课 (not on the school's establishment, 非在编)


def _roles(text: str) -> frozenset[str]:
    roles, unknown = parse_roles(text)
    if unknown:
        raise CellError("import.err.unknown_role", value="、".join(unknown))
    return roles


def _subjects(text: str) -> tuple[str, ...]:
    subjects = tuple(split_list(text))
    if len(",".join(subjects)) > MAX_SUBJECTS:
        raise CellError("import.err.too_long", limit=MAX_SUBJECTS)
    return subjects


def parse_employment(text: str) -> bool:
    """Whether a 编制 cell says the person is external (外聘, 代课, 非在编) or not (在编)."""
    external = _EMPLOYMENT.get(normalise(text))
    if external is None:
        raise CellError("import.err.bad_employment", value=text)
    return external


def parse_staff(sheet: Sheet) -> Parsed[StaffRecord]:
    parsed: Parsed[StaffRecord] = Parsed()
    seen: dict[str, int] = {}
    for row in sheet.rows:
        cells = RowReader(sheet, row, parsed.errors)
        name = cells.text("name", required=True, max_len=MAX_NAME)
        roles = cells.read("roles", _roles)
        subjects = cells.read("subjects", _subjects)
        grade = cells.read("grade", parse_grade)
        head_of = cells.read("head_of", parse_class)
        telegram_id = cells.read("telegram_id", parse_telegram_id)
        language = cells.read("language", parse_language)
        external = cells.read("employment", parse_employment)
        if name in seen:
            cells.fail("name", "import.err.duplicate_name", name=name, other_line=seen[name])
        if grade is not None and head_of is not None and head_of.grade != grade:
            cells.fail("grade", "import.err.grade_mismatch", grade=grade, class_name=head_of.name)
        if not cells.ok:
            continue
        seen[name] = row.line
        parsed.records.append(
            StaffRecord(
                row.line, name, roles, subjects, grade, head_of, telegram_id, language, external
            )
        )
    return parsed


def merge_staff(record: StaffRecord, stored: StaffState | None) -> StaffState:
    """The person as the import leaves them: the row's values over what is stored."""
    before = stored or StaffState(record.name, frozenset(), (), None, None, None, None)
    roles = record.roles if record.roles is not None else before.roles
    # Roles written in the file decide whether the stored class stays theirs.
    keeps_class = record.roles is None or HEAD_TEACHER in roles
    head_of = record.head_of or (before.head_of if keeps_class else None)
    roles = (roles or frozenset({TEACHER})) | ({HEAD_TEACHER} if head_of else set())
    return StaffState(
        name=record.name,
        roles=frozenset(roles),
        subjects=record.subjects if record.subjects is not None else before.subjects,
        grade=record.grade or (record.head_of.grade if record.head_of else before.grade),
        head_of=head_of,
        telegram_id=record.telegram_id or before.telegram_id,
        language=record.language or before.language,
        external=record.external if record.external is not None else before.external,
    )


def plan_staff(
    sheet: Sheet, records: list[StaffRecord], stored: Iterable[StaffState]
) -> tuple[list[tuple[StaffRecord, StaffState]], list[RowError]]:
    """Merges every row with the stored roster and checks the school as a whole afterwards.

    A class has one head teacher and a Telegram account belongs to one person of the school, so
    those are checked on the result, across the file and the staff the file does not mention.
    """
    by_name = {s.name: s for s in stored}
    plans = [(r, merge_staff(r, by_name.get(r.name))) for r in records]
    listed = {r.name for r in records}
    final: list[tuple[StaffState, int | None]] = [
        (s, None) for s in by_name.values() if s.name not in listed
    ]
    final += [(state, record.line) for record, state in plans]
    heads: dict[ClassRef, list[str]] = defaultdict(list)
    accounts: dict[int, list[str]] = defaultdict(list)
    for state, _line in final:
        if state.head_of is not None:
            heads[state.head_of].append(state.name)
        if state.telegram_id is not None:
            accounts[state.telegram_id].append(state.name)
    errors: list[RowError] = []
    for record, state in plans:
        if HEAD_TEACHER in state.roles and state.head_of is None:
            errors.append(
                RowError(record.line, sheet.label("head_of"), "import.err.head_without_class")
            )
        if state.head_of is not None and len(heads[state.head_of]) > 1:
            other = next(n for n in heads[state.head_of] if n != state.name)
            errors.append(
                RowError(
                    record.line,
                    sheet.label("head_of"),
                    "import.err.head_taken",
                    {"class_name": state.head_of.name, "other": other},
                )
            )
        if state.telegram_id is not None and len(accounts[state.telegram_id]) > 1:
            other = next(n for n in accounts[state.telegram_id] if n != state.name)
            errors.append(
                RowError(
                    record.line,
                    sheet.label("telegram_id"),
                    "import.err.telegram_taken",
                    {"telegram_id": state.telegram_id, "other": other},
                )
            )
    return plans, errors


def encoded(state: StaffState) -> dict[str, object]:
    """The stored column values of a state, for comparing and writing."""
    return {
        "roles": encode_roles(state.roles),
        "subjects": ",".join(state.subjects),
        "grade": state.grade,
        "telegram_id": state.telegram_id,
        "language": state.language,
        "external": state.external,
    }

"""Staff roles and how people write them in a roster."""

from __future__ import annotations

import re

TEACHER = "teacher"
HEAD_TEACHER = "head_teacher"
GRADE_LEADER = "grade_leader"
OFFICE = "office"
PRINCIPAL = "principal"
ADMIN = "admin"

ROLES = (TEACHER, HEAD_TEACHER, GRADE_LEADER, OFFICE, PRINCIPAL, ADMIN)

ROLE_ALIASES: dict[str, str] = {
    "教师": TEACHER,
    "老师": TEACHER,
    "任课教师": TEACHER,
    "teacher": TEACHER,
    "班主任": HEAD_TEACHER,
    "head_teacher": HEAD_TEACHER,
    "head teacher": HEAD_TEACHER,
    "年级组长": GRADE_LEADER,
    "年级主任": GRADE_LEADER,
    "grade_leader": GRADE_LEADER,
    "grade leader": GRADE_LEADER,
    "教导处": OFFICE,
    "教务处": OFFICE,
    "教导主任": OFFICE,
    "office": OFFICE,
    "academic office": OFFICE,
    "校长": PRINCIPAL,
    "副校长": PRINCIPAL,
    "principal": PRINCIPAL,
    "管理员": ADMIN,
    "admin": ADMIN,
}

_SEPARATORS = re.compile(r"[,，、;；/|]+|\s{2,}")


def parse_roles(text: str) -> tuple[frozenset[str], list[str]]:
    """Returns the role codes found and the parts that are not roles."""
    found: set[str] = set()
    unknown: list[str] = []
    parts = [p.strip() for p in _SEPARATORS.split(text or "") if p.strip()]
    for part in parts:
        code = ROLE_ALIASES.get(part.lower()) or ROLE_ALIASES.get(part)
        if code is None:
            unknown.append(part)
        else:
            found.add(code)
    return frozenset(found), unknown


def split_list(text: str) -> list[str]:
    """Splits a cell such as `语文、数学` into its items, keeping their order, no duplicates."""
    items: list[str] = []
    for part in _SEPARATORS.split(text or ""):
        part = part.strip()
        if part and part not in items:
            items.append(part)
    return items


def encode_roles(roles: frozenset[str] | set[str]) -> str:
    return ",".join(r for r in ROLES if r in roles)

"""The trigger that counts a school's staff changes in `schools.staff_version`.

Created by migration 0017 and, for a database made from the models alone (the tests'), by the
staff table's own creation; one text for both. See storage/staff_cache.py for why.
"""

from __future__ import annotations

from sqlalchemy import DDL, event

from storage.models import Staff
from storage.session_memo import table_of

_BUMP = "UPDATE schools SET staff_version = staff_version + 1 WHERE id = {row}.school_id"

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION staff_version_bump() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        {_BUMP.format(row="OLD")};
        RETURN OLD;
    END IF;
    {_BUMP.format(row="NEW")};
    IF TG_OP = 'UPDATE' AND OLD.school_id <> NEW.school_id THEN
        {_BUMP.format(row="OLD")};
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql""",
    "CREATE TRIGGER staff_version AFTER INSERT OR UPDATE OR DELETE ON staff "
    "FOR EACH ROW EXECUTE FUNCTION staff_version_bump()",
]
POSTGRES_DROP = ["DROP TRIGGER staff_version ON staff", "DROP FUNCTION staff_version_bump()"]

# SQLite has no function for a trigger to call: one trigger per kind of change. A row moved to
# another school counts in both.
_NEW, _OLD = _BUMP.format(row="NEW"), _BUMP.format(row="OLD")
SQLITE = [
    f"CREATE TRIGGER staff_version_insert AFTER INSERT ON staff BEGIN {_NEW}; END",
    f"CREATE TRIGGER staff_version_update AFTER UPDATE ON staff BEGIN {_NEW}; {_OLD}; END",
    f"CREATE TRIGGER staff_version_delete AFTER DELETE ON staff BEGIN {_OLD}; END",
]
SQLITE_DROP = [
    "DROP TRIGGER staff_version_insert",
    "DROP TRIGGER staff_version_update",
    "DROP TRIGGER staff_version_delete",
]


def statements(dialect: str, *, drop: bool = False) -> list[str]:
    if dialect == "postgresql":
        return POSTGRES_DROP if drop else POSTGRES
    return SQLITE_DROP if drop else SQLITE


for _dialect, _texts in (("postgresql", POSTGRES), ("sqlite", SQLITE)):
    for _text in _texts:
        # SQLAlchemy's DDL is not annotated.
        _ddl = DDL(_text)  # type: ignore[no-untyped-call]
        event.listen(table_of(Staff), "after_create", _ddl.execute_if(dialect=_dialect))

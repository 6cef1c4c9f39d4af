"""The demo school (青松路小学) for a bot in its own process: its database, and its people and
staff group in the simulator, as demo/stage.py sets them up in one process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bench.simproc import SimClient
from demo.files import demo_telegram_ids
from demo.roster import SCHOOL_NAME, Person, people
from demo.stage import ADMIN_NAME, GROUP_ID, GROUP_TITLE, SYSADMIN_ID, seed_demo_school

__all__ = ["ADMIN_NAME", "GROUP_ID", "SCHOOL_NAME", "SYSADMIN_ID", "DemoSchool", "open_school"]


@dataclass
class DemoSchool:
    ids: dict[str, int]  # name → Telegram id, for the staff with an account
    staff: list[Person]

    def id_of(self, name: str) -> int:
        return self.ids[name]

    def with_role(self, role: str) -> list[str]:
        return [p.name for p in self.staff if role in p.roles and p.name in self.ids]


async def open_school(sim: SimClient, database_url: str, now: datetime) -> DemoSchool:
    """Seeds the database (migrated, the group bound) and adds the people and the group to the
    simulator; everyone has talked to the bot before, so it may write to them first."""
    await seed_demo_school(database_url, now, bind=True)
    staff = people()
    ids = demo_telegram_ids(staff)
    for person in staff:
        if person.name in ids:
            await sim.user(ids[person.name], person.name, started=True)
    await sim.user(SYSADMIN_ID, "系统管理员", started=True)
    members = [*ids.values(), SYSADMIN_ID]
    await sim.group(GROUP_ID, GROUP_TITLE, members, add_bot_by=ids[ADMIN_NAME])
    return DemoSchool(ids, staff)

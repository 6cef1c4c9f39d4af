"""A running demo: the simulator, the demo school in its own database, and the real bot.

Shared by `staffroom playground`, `staffroom demo` and the end-to-end tests, so all three show
the same school behaving the same way.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.app import SIMULATOR_TOKEN, build_application
from bot.clock import ManualClock, OffsetClock
from bot.config import Settings
from bot.webhook import free_port_pair, health_address, webhook_arguments
from demo.files import demo_files, demo_telegram_ids
from demo.roster import DEMO_ID_BASE, NEWCOMER, SCHOOL_NAME, people
from jobs import scheduler
from simulator import SimMessage, Simulator
from storage import audit
from storage.chat_history import delivered_messages, highest_message_ids
from storage.db import create_engine, session_factory
from storage.migrate import upgrade_async
from storage.schools import bind_group, create_school, school_by_name
from storage.types import stored_id

GROUP_ID = -1_008_800_000_001
GROUP_TITLE = f"{SCHOOL_NAME}教师群"
SYSADMIN_ID = DEMO_ID_BASE + 900
NEWCOMER_ID = DEMO_ID_BASE + 901
ADMIN_NAME = "张思月"
BOT_USERNAME = "staffroom_demo_bot"

Clock = OffsetClock | ManualClock


@dataclass
class Stage:
    sim: Simulator
    app: Application[Any, Any, Any, Any, Any, Any]
    clock: Clock
    settings: Settings
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def names(self) -> dict[int, str]:
        return {telegram_id: name for name, telegram_id in self.ids.items()}

    def id_of(self, who: str | int) -> int:
        return who if isinstance(who, int) else self.ids[who]

    def chat_of(self, who: str | int, chat: str | int) -> int:
        if chat == "group":
            return GROUP_ID
        if chat == "private":
            return self.id_of(who)
        return int(chat)

    async def say(self, who: str | int, text: str, chat: str | int = "private") -> SimMessage:
        return await self.sim.send_text(self.id_of(who), self.chat_of(who, chat), text)

    async def ask(
        self,
        who: str | int,
        text: str,
        chat: str | int = "private",
        *,
        contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> SimMessage:
        """Sends `text` and waits for the bot's first answer in that chat."""
        chat_id = self.chat_of(who, chat)
        since = self.sim.seq
        await self.sim.send_text(self.id_of(who), chat_id, text)
        return await self.sim.wait_bot_message(
            chat_id, since=since, contains=contains, timeout=timeout
        )

    async def upload(
        self,
        who: str | int,
        filename: str,
        data: bytes,
        caption: str,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> SimMessage:
        chat_id = self.id_of(who)
        since = self.sim.seq
        await self.sim.send_document(chat_id, chat_id, filename, data, caption=caption)
        return await self.sim.wait_bot_message(chat_id, since=since, timeout=timeout)

    async def press(self, who: str | int, message: SimMessage, text: str) -> str:
        label = next(
            (b.text for row in message.buttons for b in row if text in b.text and b.callback_data),
            None,
        )
        if label is None:
            raise LookupError(f"no button {text!r} on {message.plain!r}")
        return await self.sim.press(self.id_of(who), message, text=label)

    async def advance(self, delta: timedelta) -> int:
        """Moves the simulated clock forward; every push due in between is sent."""
        before = self.clock.now()
        self.clock.advance(delta)
        sent = await scheduler.fire_due(self.app, before, self.clock.now())
        await scheduler.rebuild_all(self.app)
        return sent

    async def settle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Waits until the bot fetched every update and finished handling them."""
        await self.sim.wait_updates_consumed(timeout)
        # The application marks each update done only after its handlers ran.
        await asyncio.wait_for(self.app.update_queue.join(), timeout)
        await asyncio.wait_for(self.app.bot_data["services"].settle(), timeout)


async def seed_demo_school(database_url: str, now: datetime, *, bind: bool) -> None:
    """Creates the demo school from its CSV files (through the real importer), once."""
    from storage.importer import IMPORT_KINDS, import_table

    await upgrade_async(database_url)
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            if await school_by_name(session=session, name=SCHOOL_NAME) is not None:
                return
            school = await create_school(
                session=session,
                name=SCHOOL_NAME,
                timezone=str(now.tzinfo),
                now=now,
            )
            await audit.record(
                session=session, at=now, action="school_created", school_id=school.id
            )
            for kind, (filename, data) in demo_files(now.date()).items():
                if kind in IMPORT_KINDS:
                    await import_table(
                        session=session,
                        school_id=stored_id(school),
                        kind=kind,
                        data=data,
                        filename=filename,
                        now=now,
                        actor_telegram_id=None,
                    )
            if bind:
                await bind_group(
                    session=session,
                    school_id=stored_id(school),
                    chat_id=GROUP_ID,
                    title=GROUP_TITLE,
                    by=SYSADMIN_ID,
                    now=now,
                )
    finally:
        await engine.dispose()


async def resume_chats(
    sim: Simulator, database_url: str, chats: dict[str, Any] | None = None
) -> None:
    """A stage started again over its database shows the chats as they were: `chats`, what the
    simulator recorded of them last time (every message, edit and deletion), or else the bot's
    messages still kept in the database (their buttons can be pressed). Each chat's new
    messages are numbered past every id the database holds, as Telegram would: ids from 1 again
    would collide with them."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            delivered = [] if chats else await delivered_messages(session=session)
            highest = await highest_message_ids(session=session)
    finally:
        await engine.dispose()
    if chats:
        sim.restore_chats(chats)
    for row in delivered:
        markup = json.loads(row.markup) if row.markup else None
        sim.restore_bot_message(row.chat_id, row.message_id or 0, row.text, reply_markup=markup)
    for chat_id, message_id in highest.items():
        sim.number_messages_after(chat_id, message_id)


def write_demo_files(folder: Path, now: datetime) -> list[Path]:
    """The demo's CSV files, for people to open and copy the format from."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, data in demo_files(now.date()).values():
        path = folder / filename
        path.write_bytes(data)
        written.append(path)
    return written


@asynccontextmanager
async def open_stage(
    settings: Settings,
    clock: Clock,
    *,
    bind: bool = True,
    seed: bool = True,
    webhook: bool = False,
    chats: dict[str, Any] | None = None,
) -> AsyncIterator[Stage]:
    """Starts the simulator and the bot against `settings.database_url`, with the demo school.

    `chats`: the simulator's record of the chats from an earlier run over this database
    (`Simulator.chats_record`), shown again as they were.

    `webhook`: the simulator posts the updates to the bot's webhook server on this machine
    (with its secret) instead of the bot polling, and /healthz is served beside it, as a
    deployment in webhook mode runs.
    """
    if seed:
        await seed_demo_school(settings.database_url, clock.now(), bind=bind)
    sim = Simulator(
        token=SIMULATOR_TOKEN, bot_username=BOT_USERNAME, clock=lambda: clock.now().timestamp()
    )
    await sim.start()
    ids = demo_telegram_ids()
    ids[NEWCOMER] = NEWCOMER_ID
    ids["系统管理员"] = SYSADMIN_ID
    members = []
    for person in people():
        if person.name in ids:
            # Chinese names are written whole, family name first, as Telegram users set them.
            sim.add_user(ids[person.name], person.name)
            members.append(ids[person.name])
    sim.add_user(NEWCOMER_ID, NEWCOMER)
    sim.add_user(SYSADMIN_ID, "系统管理员")
    for telegram_id in [*members, SYSADMIN_ID]:
        # These people talked to the bot before, so it may write to them first.
        sim.user(telegram_id).started = True
    sim.add_group(
        GROUP_ID, GROUP_TITLE, supergroup=True, members=[*members, NEWCOMER_ID, SYSADMIN_ID]
    )
    sim.set_member_status(GROUP_ID, ids[ADMIN_NAME], "creator")
    if seed:  # the database has its tables (and, resumed, its messages)
        await resume_chats(sim, settings.database_url, chats)
    await sim.add_bot_to_group(GROUP_ID, ids[ADMIN_NAME])
    # As the README asks a school to: an admin of its staff group, allowed to delete a /leave
    # typed there.
    sim.promote_bot(GROUP_ID, by_user_id=ids[ADMIN_NAME])

    bot_settings = dataclasses.replace(
        settings,
        telegram_bot_token=SIMULATOR_TOKEN,
        telegram_api_base_url=sim.base_url,
        bootstrap_admin_ids=settings.bootstrap_admin_ids | {SYSADMIN_ID},
    )
    if webhook:
        port = free_port_pair()
        bot_settings = dataclasses.replace(
            bot_settings,
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            webhook_listen="127.0.0.1",
            webhook_port=port,
            webhook_secret=settings.webhook_secret or secrets.token_urlsafe(24),
        )
    app = build_application(
        bot_settings,
        clock=clock,
        health_address=health_address(bot_settings) if webhook else None,
    )
    try:
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        if webhook:
            await app.updater.start_webhook(**webhook_arguments(bot_settings))
        else:
            await app.updater.start_polling(poll_interval=0, timeout=5)
        await app.bot_data["services"].settle()
        try:
            yield Stage(sim, app, clock, bot_settings, ids)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
    finally:
        await sim.stop()

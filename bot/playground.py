"""`staffroom playground`: try the bot with no token.

Starts the local Telegram simulator, the demo school and the real bot, then a terminal where you
act as any demo staff member, in the staff group or in a private chat: type messages and
commands, press buttons, send files, and move the simulated clock to watch scheduled pushes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import re
import shlex
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.admin_cli import plain
from bot.clock import OffsetClock
from bot.config import Settings
from bot.texts import t
from demo.roster import SCHOOL_NAME, people
from demo.stage import ADMIN_NAME, GROUP_ID, GROUP_TITLE, Stage, open_stage, write_demo_files
from rules.classnames import display_name
from simulator import SimMessage, SimulatorError
from storage.schools import school_by_name
from storage.staff import school_staff
from storage.types import stored_id

PLAYGROUND_DB = Path("data/playground.db")
# The simulated time a session reached: the next one goes on from there, never back.
PLAYGROUND_CLOCK = Path("data/playground.clock")
# The chats as the last session left them (every message, edit and deletion, the files) and
# the order the messages were last shown in: the next session shows them again.
PLAYGROUND_CHATS = Path("data/playground.chats.json")
DEMO_FOLDER = Path("data/demo")
# Where the files the bot sends (a report's workbook, its chart) are saved to be opened.
RECEIVED_FOLDER = Path("data/received")

HELP = """\
Type a message or a /command: it is sent as the current person in the current chat.
  :as NAME         act as someone else (:who lists everyone)
  :group           talk in the staff group      :private   talk to the bot privately
  :press N [M]     press button N on the message with buttons shown last in this chat
                   (or on this chat's message #M)
  :file PATH [CAPTION]   send a file, e.g. :file data/demo/bells.csv /import bells
  :photo PATH [CAPTION]  send a picture as a photo, e.g. for a handover
  :clock           show the simulated time
  :clock +30m | +2h | +1d | 07:00 | 2026-11-26 07:00    move it forward; due pushes are sent
  :history [N]     the last N messages of the current chat (deleted ones marked so)
  :who             the school's staff, their roles, and who still has to /register
  :help            this help          :quit   leave (Ctrl-D too)
"""


class Playground:
    def __init__(self, stage: Stage, shown: dict[int, list[int]] | None = None) -> None:
        self.stage = stage
        self.person = ADMIN_NAME
        self.chat = "private"
        # Per chat, its bot messages' ids in the order they were last shown (an edit shows a
        # message again): `:press` takes the latest with buttons, as the person's eye would.
        self.shown: dict[int, list[int]] = shown or {}

    @property
    def chat_id(self) -> int:
        return self.stage.chat_of(self.person, self.chat)

    def prompt(self) -> str:
        where = GROUP_TITLE if self.chat == "group" else "私聊 / private"
        return f"[{self.stage.clock.now():%m-%d %H:%M}] {self.person} @ {where} > "

    def show(self, message: SimMessage, *, again: bool = False) -> None:
        """Prints a bot message as the person would see it, buttons numbered; `again`: only
        looked back at (:history), so it does not become the message `:press` means."""
        if message.deleted:
            return
        if not again:
            order = self.shown.setdefault(message.chat_id, [])
            if message.message_id in order:
                order.remove(message.message_id)
            order.append(message.message_id)
        names = self.stage.names
        where = (
            GROUP_TITLE
            if message.chat_id == GROUP_ID
            else f"→ {names.get(message.chat_id, message.chat_id)}"
        )
        marker = "✎ " if message.edited else ""
        print(f"\n  🤖 #{message.message_id} [{where}] {marker}")
        for line in message.plain.splitlines() or [""]:
            print(f"     {line}")
        media = message.document or message.photo
        if media is not None:
            saved = save_received(media.filename or f"{message.message_id}.png", media.data)
            print(f"     📎 {saved} ({max(1, media.size // 1024)} KB)")
        number = 1
        for row in message.buttons:
            cells = []
            for button in row:
                cells.append(
                    f"[{number}] {button.text}" + (f" ({button.url})" if button.url else "")
                )
                number += 1
            print("     " + "   ".join(cells))

    def last_with_buttons(self) -> SimMessage | None:
        """The message with buttons shown last in this chat (an edited one counts from its
        edit); messages never shown here (kept from before) in the chat's order."""
        messages = self.stage.sim.chat(self.chat_id).by_id
        order = self.shown.get(self.chat_id, [])
        seen = set(order)
        unseen = [m for m in messages if m not in seen]
        for message_id in reversed(sorted(unseen) + order):
            message = messages.get(message_id)
            if message is not None and _pressable(message):
                return message
        return None

    async def handle(self, line: str) -> bool:
        """Runs one line; False when the user wants to leave."""
        line = line.strip()
        if not line:
            return True
        if not line.startswith(":"):
            try:
                await self.stage.say(self.person, line, self.chat)
            except SimulatorError as exc:
                print(f"  ! {exc}")
            return True
        words = shlex.split(line[1:]) if line[1:].strip() else [""]
        command, args = words[0].lower(), words[1:]
        if command in ("quit", "exit", "q"):
            return False
        if command in ("help", "h", "?"):
            print(HELP)
        elif command == "who":
            await self.who()
        elif command == "as":
            self.switch(" ".join(args))
        elif command in ("group", "private"):
            self.chat = command
        elif command == "press":
            await self.press(args)
        elif command in ("file", "photo"):
            await self.send_upload(args, command)
        elif command == "clock":
            await self.clock(" ".join(args))
        elif command == "history":
            self.history(int(args[0]) if args and args[0].isdigit() else 10)
        else:
            print(f"  ! unknown :{command} — :help lists the playground commands")
        return True

    def history(self, count: int) -> None:
        """The chat's last messages; what the bot deleted shows as deleted, never its words."""
        written = [m for m in self.stage.sim.messages(self.chat_id) if not m.service]
        for message in written[-count:]:
            if message.from_bot and not message.deleted:
                self.show(message, again=True)
                continue
            sender = "🤖" if message.from_bot else f"👤 {self.stage.names.get(message.user_id)}"
            if message.deleted:
                print(f"  {sender} #{message.message_id}: 🗑 (deleted)")
                continue
            media = message.document or message.photo
            attached = f" 📎 {media.filename or media.kind}" if media is not None else ""
            print(f"  {sender} #{message.message_id}:{attached} {message.plain}".rstrip())

    async def who(self) -> None:
        """The school's staff as the bot's own table has them: roles, and who is linked to a
        Telegram account (the others must /register first)."""
        roster = {person.name: person for person in people()}
        async with self.stage.app.bot_data["services"].sessions() as session:
            school = await school_by_name(session=session, name=SCHOOL_NAME)
            staff = (
                []
                if school is None
                else await school_staff(session=session, school_id=stored_id(school))
            )
        for member in staff:
            if member.telegram_id is None:
                linked = "  (not linked: try /register)"
            elif member.name not in self.stage.ids:
                linked = "  (linked to an account the playground cannot act as)"
            else:
                linked = ""
            roles = "、".join(t("zh", f"role.{role}") for role in member.roles.split(",") if role)
            person = roster.get(member.name)
            extra = (
                f" 班主任 {display_name(*map(int, person.head_of.split('-')))}"
                if person is not None and person.head_of
                else ""
            )
            subjects = "、".join(member.subject_list)
            print(f"  {member.name:<4} {roles:<16} {subjects}{extra}{linked}")
        print("  系统管理员 (system admin)")

    def switch(self, name: str) -> None:
        if name not in self.stage.ids:
            close = [n for n in self.stage.ids if name and name[0] in n][:5]
            hint = "Did you mean: " + ", ".join(close) if close else ":who lists everyone"
            print(f"  ! no one called {name!r}. {hint}")
            return
        self.person = name

    async def press(self, args: list[str]) -> None:
        message = self.last_with_buttons()
        if len(args) > 1 and args[1].lstrip("#").isdigit():
            # Each chat numbers its own messages: #M is the one shown with #M in this chat.
            number = int(args[1].lstrip("#"))
            message = self.stage.sim.chat(self.chat_id).by_id.get(number)
            if message is None or message.deleted or not message.from_bot:
                print(f"  ! no message #{number} from the bot in this chat")
                return
        if message is None:
            print("  ! no message with buttons here")
            return
        flat = [b for row in message.buttons for b in row]
        if not args or not args[0].isdigit() or not 1 <= int(args[0]) <= len(flat):
            print(f"  ! press a number from 1 to {len(flat)}")
            return
        button = flat[int(args[0]) - 1]
        if not button.callback_data:
            print(f"  (a link: {button.url})")
            return
        try:
            query = await self.stage.sim.press(
                self.stage.id_of(self.person), message, data=button.callback_data
            )
        except SimulatorError as exc:
            print(f"  ! {exc}")
            return
        await self.stage.settle()
        answer = self.stage.sim.callback_answer(query)
        if answer and answer.get("text"):
            print(f"  💬 {answer['text']}")

    async def send_upload(self, args: list[str], command: str) -> None:
        """`:file` (a document) or `:photo`: a file of this machine sent as the person."""
        if not args:
            print(f"  ! :{command} PATH [CAPTION]")
            return
        path = Path(args[0])
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            print(f"  ! cannot read {path}: {exc.strerror}")
            return
        caption = " ".join(args[1:]) or None
        sender = self.stage.id_of(self.person)
        try:
            if command == "photo":
                await self.stage.sim.send_photo(sender, self.chat_id, data, caption=caption)
            else:
                await self.stage.sim.send_document(
                    sender, self.chat_id, path.name, data, caption=caption
                )
        except SimulatorError as exc:
            print(f"  ! {exc}")

    def record(self) -> dict[str, Any]:
        """What the next session needs to show the chats as this one leaves them."""
        return {
            "chats": self.stage.sim.chats_record(),
            "shown": {str(chat): order for chat, order in self.shown.items()},
        }

    async def clock(self, text: str) -> None:
        now = self.stage.clock.now()
        if not text:
            print(f"  🕒 {now:%Y-%m-%d %H:%M} ({'一二三四五六日'[now.weekday()]})")
            return
        target = parse_clock(text, now)
        if target is None:
            print("  ! :clock +30m | +2h | +1d | 07:00 | 2026-11-26 07:00")
            return
        sent = await self.stage.advance(target - now)
        await self.stage.settle()
        print(f"  🕒 now {self.stage.clock.now():%Y-%m-%d %H:%M}; {sent} scheduled push(es) sent")


def _pressable(message: SimMessage) -> bool:
    return (
        message.from_bot
        and not message.deleted
        and any(b.callback_data for r in message.buttons for b in r)
    )


def save_received(filename: str, data: bytes) -> Path:
    """Keeps a file the bot sent where the person can open it; returns its path."""
    RECEIVED_FOLDER.mkdir(parents=True, exist_ok=True)
    path = RECEIVED_FOLDER / Path(filename).name
    path.write_bytes(data)
    return path


def parse_clock(text: str, now: datetime) -> datetime | None:
    """A later time: +30m, +2h, +1d, HH:MM (the next such time) or YYYY-MM-DD HH:MM."""
    text = text.strip()
    relative = re.fullmatch(r"\+(\d+)\s*([mhd])", text)
    if relative:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[relative[2]]
        return now + timedelta(**{unit: int(relative[1])})
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if clock and int(clock[1]) < 24 and int(clock[2]) < 60:
        target = now.replace(hour=int(clock[1]), minute=int(clock[2]), second=0, microsecond=0)
        return target if target > now else target + timedelta(days=1)
    try:
        target = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=now.tzinfo)
    except ValueError:
        return None
    return target if target > now else None


def as_text(line: str) -> str:
    """A typed line as a Telegram client would send it.

    A terminal can cut a long paste in the middle of a character; Python keeps the stray bytes
    as lone surrogates, which no UTF-8 text can carry. They become U+FFFD, so the bot answers
    the line like any other (too long, say) instead of the simulator failing to encode it.
    """
    try:
        raw = line.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        raw = line.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def _tolerant_stdin() -> None:
    # Under a strict locale, input() raises on bytes that are not UTF-8; keep them to repair.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")


def _prepare_files(fresh: bool, now: datetime) -> list[Path]:
    if fresh:
        PLAYGROUND_DB.unlink(missing_ok=True)
        PLAYGROUND_CLOCK.unlink(missing_ok=True)
        PLAYGROUND_CHATS.unlink(missing_ok=True)
    return write_demo_files(DEMO_FOLDER, now)


def _carry_on(clock: OffsetClock) -> None:
    """Moves the clock to where the last session left it, if that is later than now: its pushes
    up to then were sent, and what it did should not seem to lie in the future."""
    try:
        reached = datetime.fromisoformat(PLAYGROUND_CLOCK.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return
    if reached.tzinfo is not None and reached > clock.now():
        clock.set(reached)


def _keep_time(clock: OffsetClock) -> None:
    PLAYGROUND_CLOCK.write_text(clock.now().isoformat(), encoding="utf-8")


def _kept_chats() -> dict[str, Any]:
    """The chats the last session left (empty when there was none, or its record is unreadable:
    the bot's own messages are then shown from its database)."""
    try:
        kept = json.loads(PLAYGROUND_CHATS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}


def _keep_chats(record: dict[str, Any]) -> None:
    # Written aside and then moved, so a session cut off while writing leaves the last record.
    PLAYGROUND_CHATS.parent.mkdir(parents=True, exist_ok=True)
    partial = PLAYGROUND_CHATS.with_suffix(".partial")
    partial.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    partial.replace(PLAYGROUND_CHATS)


async def playground(
    settings: Settings,
    *,
    fresh: bool = False,
    clock: OffsetClock | None = None,
    webhook: bool = False,
) -> int:
    settings = dataclasses.replace(settings, database_url=f"sqlite+aiosqlite:///{PLAYGROUND_DB}")
    clock = clock or OffsetClock(settings.timezone)
    _tolerant_stdin()
    files = await asyncio.to_thread(_prepare_files, fresh, clock.now())
    _carry_on(clock)
    kept = await asyncio.to_thread(_kept_chats)
    shown = {int(chat): list(order) for chat, order in kept.get("shown", {}).items()}
    print(f"Staffroom playground — {SCHOOL_NAME}, local Telegram simulator, no token needed.")
    print(f"Demo files (the import format): {', '.join(str(f) for f in files)}")
    async with open_stage(settings, clock, webhook=webhook, chats=kept.get("chats")) as stage:
        if webhook:
            local = stage.settings
            print(
                f"Updates arrive by webhook at {local.webhook_url} (with its secret); "
                f"health: http://{local.webhook_listen}:{local.health_port}/healthz"
            )
        shell = Playground(stage, shown)
        stage.sim.on_bot_message(shell.show)
        await stage.settle()
        print(HELP)
        print(f"You are {shell.person} (admin, academic office). Try /help, or :group then /help.")
        while True:
            try:
                line = as_text(await asyncio.to_thread(input, shell.prompt()))
            except (EOFError, KeyboardInterrupt):
                print()
                break
            try:
                if not await shell.handle(line):
                    break
                await stage.settle()
            except TimeoutError:
                # A bot that is stuck is worth a line, not the end of the session.
                print("  ! the bot has not finished within 10 s; go on, or :quit")
            finally:
                _keep_time(clock)
                await asyncio.to_thread(_keep_chats, shell.record())
        # What the bot sent while starting, before any line was typed, is kept too.
        await asyncio.to_thread(_keep_chats, shell.record())
    print(plain("Bye. Run `staffroom playground --fresh` to start over."))
    return 0

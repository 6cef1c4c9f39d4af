"""Delivering the outbox: one lane per chat, retried until delivered or given up for good.

Every message goes through a lane of its chat. A lane sends its messages in order, one at a
time; lanes run side by side, so a chat that must wait (Telegram's 429 with its retry_after, a
group's 20 messages a minute, a 5xx) holds up only its own messages, and no update handler ever
waits on Telegram.

A message meeting a timeout, a 5xx or a 429 is tried again later, for as long as it is worth
sending (`max_age`). It is given up only for reasons that will not heal: the person blocked the
bot or never started it, the bot left the group, the chat does not exist, Telegram refused the
message itself. A given-up message is recorded with its reason, and whatever it was for is told
(`on_outcome`): a request that cannot reach its approver moves on to someone else.

Outcomes are written in batches by one recorder: a row still pending when the process dies is
sent again by the next start, which can repeat at most the messages sent in the last moments.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import heapq
import itertools
import logging
import secrets
import warnings
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot, InputFile
from telegram import Message as TelegramMessage
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.messages import Answer, Attachment, Edit, Message, Send, call_markup, from_row, to_row
from bot.texts import fit_message
from storage import outbox as store
from storage.cover_boards import record_copies
from storage.cover_slips import record_slip_messages
from storage.db import without_transaction
from storage.schools import deactivate_group, migrate_group

log = logging.getLogger(__name__)

# Seconds before each retry of a message that met a timeout, a 5xx or a network error; the
# last one repeats until the message is too old to matter.
BACKOFF: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
# A message still undelivered this long after it was written is given up (and reported).
MAX_AGE = timedelta(hours=24)
# How long a process holds the rows it is sending before another may take them over.
LEASE = timedelta(seconds=30)
# Telegram's limits: about 30 messages a second in all, 20 a minute in one group.
PER_SECOND = 30
# Telegram counts a second where the messages arrive, this gate where they leave: messages that
# left a second apart can arrive closer together, and the 31st in Telegram's second is refused
# with a 429 (ten in the district's morning). The gate's second is a little longer.
OVERALL_SPAN = 1.05
GROUP_PER_MINUTE = 20
# Pushes leave room under the overall limit for answers to people.
BULK_PER_SECOND = 28
# How often `settle` and `delivered` look at the lanes again while none has finished.
LOOK_AGAIN = 0.05
# Telegram's limit for a document's or a photo's caption (a message's is 4,096).
CAPTION_LIMIT = 1024
# A stopping process waits this long for the last outcomes to be written (what is not written
# is sent again by the next start).
RECORD_AT_STOP = 2.0


@dataclass
class Delivered:
    """What became of one message, as the outcome hooks see it."""

    message: Message
    status: str  # sent | gone | failed
    error: str = ""


@dataclass
class OutcomeContext:
    """What an outcome hook gets: the recording transaction, and a list to queue messages in."""

    session: AsyncSession
    now: datetime
    delivered: Delivered
    out: list[Message] = field(default_factory=list)


OutcomeHook = Callable[[OutcomeContext], Awaitable[None]]
ALL_OUTCOMES = frozenset({"sent", "gone", "failed"})
# The hook told of every cover board sent, whatever its `about` (a push's board says `push:`).
BOARD_HOOK = "@board"


class _Window:
    """Sends in a sliding window: how long until one more fits."""

    def __init__(self, limit: int, span: float) -> None:
        self.limit = limit
        self.span = span
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.span:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.times[0] + self.span - now

    def add(self, now: float) -> None:
        self.times.append(now)


class _Turns:
    """One push at a time, group chats first, then in the order they asked.

    At 07:00 a district's groups wait for their duty announcement while every teacher's own
    morning message waits too; at 30 a second the people's messages alone take minutes, and
    first come first served put the last groups' announcements behind them. A group may take
    only 20 a minute, so groups first cannot keep the people's messages waiting long.
    """

    def __init__(self) -> None:
        self._busy = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._asked = itertools.count()

    async def take(self, chat_id: int) -> None:
        if not self._busy and not self._waiting:
            self._busy = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (0 if chat_id < 0 else 1, next(self._asked), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.give_back()  # the turn came as this waiter was cancelled: pass it on
            raise

    def give_back(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)
                return
        self._busy = False


class RateGate:
    """Keeps the bot under Telegram's limits without a 429: a lane waits here for its turn.

    Pushes (`bulk`) also keep a steady spacing, groups first (see `_Turns`), so that hundreds
    of 07:00 announcements leave one interval apart and an answer to a person slips between
    them.
    """

    def __init__(
        self,
        per_second: int = PER_SECOND,
        group_per_minute: int = GROUP_PER_MINUTE,
        bulk_per_second: int = BULK_PER_SECOND,
    ) -> None:
        self._overall = _Window(per_second, OVERALL_SPAN)
        self._groups: dict[int, _Window] = {}
        self._group_limit = group_per_minute
        self._bulk_interval = 1 / bulk_per_second
        self._bulk_last = float("-inf")
        self._bulk_queue = _Turns()

    async def take(self, chat_id: int, *, bulk: bool) -> None:
        loop = asyncio.get_running_loop()
        group = None
        if chat_id < 0:
            group = self._groups.setdefault(chat_id, _Window(self._group_limit, 60.0))
            await _room_in(group)
        if bulk:
            await self._bulk_queue.take(chat_id)
            try:
                at = self._bulk_last + self._bulk_interval
                if at > loop.time():
                    await asyncio.sleep(at - loop.time())
                self._bulk_last = loop.time()
            finally:
                self._bulk_queue.give_back()
        await _room_in(self._overall)
        now = loop.time()
        self._overall.add(now)
        if group is not None:
            group.add(now)


async def _room_in(window: _Window) -> None:
    loop = asyncio.get_running_loop()
    while True:
        wait = window.wait(loop.time())
        if wait <= 0:
            return
        await asyncio.sleep(wait)


Hooked = tuple["Message", "_Attempt", OutcomeHook]


def _sent_tagged(
    batch: list[tuple[Message, _Attempt]], tag_of: Callable[[Send], tuple[Any, ...] | None]
) -> list[Any]:
    """(*tag, chat, message id) of each message sent with a tag (a board's or a slip's), kept
    to be edited later."""
    return [
        (*tag, message.chat_id, message.message_id)
        for message, attempt in batch
        if isinstance(message, Send)
        and (tag := tag_of(message)) is not None
        and message.message_id is not None
        and attempt.status == "sent"
    ]


@dataclass
class _Lane:
    chat_id: int
    items: list[Message] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    napping: bool = False
    nap: float = 0.0  # how long the current wait is
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    gone: str = ""  # the chat refused: the rest of its messages are given up at once


def _order(message: Message) -> int:
    # Kept rows in the order written; within an action they were written in order too.
    return message.row_id if message.row_id is not None else 1 << 62


@dataclass
class _Attempt:
    status: str  # sent | gone | failed | retry
    error: str = ""
    retry_in: float = 0.0


class Dispatcher:
    def __init__(
        self,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        paced: bool = True,
        lease: timedelta = LEASE,
        backoff: tuple[float, ...] = BACKOFF,
        max_age: timedelta = MAX_AGE,
        owner: str | None = None,
    ) -> None:
        self.bot = bot
        self.sessions = sessions
        self.clock = clock
        # Whose rows these are in the outbox (bot/lease.py: sender_id under a lease).
        self.owner = owner or secrets.token_hex(6)
        self.lease = lease
        self.backoff = backoff
        self.max_age = max_age
        self.gate = RateGate() if paced else None
        self._bulk = RateGate(per_second=10**6, group_per_minute=10**6) if not paced else None
        self._lanes: dict[int, _Lane] = {}
        self._held: set[int] = set()  # rows in a lane of this process
        self._records: list[tuple[Message, _Attempt]] = []
        self._recorder: asyncio.Task[None] | None = None
        self._answers: set[asyncio.Task[None]] = set()
        self._hooks: dict[str, tuple[OutcomeHook, frozenset[str]]] = {}
        self._stopping = False
        self._tick: asyncio.Future[None] | None = None  # resolved when a message is done
        # Private chats the bot cannot write to (blocked, never started; kept in the database):
        # a message from one of them means it can again (handlers/core/turn.py).
        self.unreachable: set[int] = set()
        # Counted for the operators and the fault-soak test.
        self.stats: Counter[str] = Counter()
        # `_call` names the endpoints whose library methods it skips on purpose; the library's
        # advice to use those methods instead is not news at each message.
        warnings.filterwarnings(
            "ignore", r"Please use 'Bot\.(sendMessage|editMessageText)'", PTBUserWarning
        )

    # --- what others call -----------------------------------------------------------------

    def on_outcome(
        self, prefix: str, hook: OutcomeHook, statuses: frozenset[str] = ALL_OUTCOMES
    ) -> None:
        """Calls `hook` when a message whose `about` starts with `prefix:` is done with, in one
        of `statuses` (most hooks care only about one kind of outcome: no transaction is
        opened for the others)."""
        self._hooks[prefix] = (hook, statuses)

    def submit(self, messages: Sequence[Message | Answer]) -> None:
        """Hands messages to their chats' lanes; returns at once."""
        for message in messages:
            if isinstance(message, Answer):
                task = asyncio.create_task(self._answer(message), name="answer")
                self._answers.add(task)
                task.add_done_callback(self._answers.discard)
                continue
            if message.row_id is not None:
                if message.row_id in self._held:
                    continue
                self._held.add(message.row_id)
            if message.created_at is None:
                message.created_at = self.clock.now()
            lane = self._lanes.get(message.chat_id)
            if lane is None:
                lane = self._lanes[message.chat_id] = _Lane(message.chat_id)
            bisect.insort(lane.items, message, key=_order)
            if lane.task is None or lane.task.done():
                lane.task = asyncio.create_task(self._run(lane), name=f"lane:{lane.chat_id}")

    async def queue(
        self, session: AsyncSession, messages: list[Message], *, school_id: int | None = None
    ) -> None:
        """Writes the messages to the outbox in the caller's transaction, held by this process;
        `submit` them once it committed."""
        ids = await store.queue_messages(
            session=session,
            messages=[to_row(m, school_id) for m in messages],
            owner=self.owner,
            now=self.clock.now(),
            lease=self.lease,
        )
        now = self.clock.now()
        for message, row_id in zip(messages, ids, strict=True):
            message.row_id = row_id
            message.created_at = now

    async def sweep(self) -> int:
        """Keeps holding what this process is sending, and takes over what nobody holds (a
        process that died, a stop before delivery); returns how many were taken over."""
        now = self.clock.now()
        async with self.sessions() as session, session.begin():
            if self._held:
                await store.renew(session=session, owner=self.owner, until=now + self.lease)
            rows = await store.take_over(
                session=session, owner=self.owner, now=now, lease=self.lease, exclude=self._held
            )
        if rows:
            log.info("delivering %d messages left undelivered", len(rows))
            self.stats["taken_over"] += len(rows)
            self.submit([from_row(row) for row in rows])
        return len(rows)

    @property
    def holding(self) -> int:
        return len(self._held)

    async def settle(self) -> None:
        """Waits until everything that can go now has gone and its outcome is recorded; lanes
        waiting to retry later count as settled (`retry_now` wakes them)."""
        while True:
            busy: set[asyncio.Task[Any]] = {
                lane.task
                for lane in self._lanes.values()
                if lane.task is not None and not lane.task.done() and not lane.napping
            }
            busy |= self._answers
            if self._recorder is not None and not self._recorder.done():
                busy.add(self._recorder)
            if not busy:
                return
            done, _ = await asyncio.wait(busy, timeout=LOOK_AGAIN)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.error("a delivery task failed", exc_info=task.exception())

    async def delivered(self) -> None:
        """Waits until everything that can go now has gone (its outcome may still be being
        recorded): what a person waits for."""
        while True:
            busy: set[asyncio.Task[Any]] = {
                lane.task
                for lane in self._lanes.values()
                if lane.task is not None and not lane.task.done() and not lane.napping
            }
            busy |= self._answers
            if not busy:
                return
            # A lane that starts waiting to retry is done for now: it says so (`_notify`), and
            # the wait ends then, not at the next look.
            if self._tick is None:
                self._tick = asyncio.get_running_loop().create_future()
            await asyncio.wait(
                {*busy, self._tick}, timeout=LOOK_AGAIN, return_when=asyncio.FIRST_COMPLETED
            )

    @property
    def idle(self) -> bool:
        """Nothing is being sent or recorded (lanes waiting to retry later do not count)."""
        if self._answers or (self._recorder is not None and not self._recorder.done()):
            return False
        return all(
            lane.napping or lane.task is None or lane.task.done() for lane in self._lanes.values()
        )

    def waiting(self) -> dict[int, float]:
        """The chats waiting to try again, with how long they were told to wait."""
        return {chat: lane.nap for chat, lane in self._lanes.items() if lane.napping}

    def retry_now(self) -> None:
        """Lanes waiting to retry try at once (tests; a stop that still has time)."""
        for lane in self._lanes.values():
            if lane.napping:
                lane.napping = False  # busy again from now: `settle` waits for it
                lane.wake.set()

    async def stop(self, grace: float) -> None:
        """Delivers what it can within `grace` seconds; what is left stays in the outbox,
        released, for the next start."""
        try:
            async with asyncio.timeout(grace):
                await self.settle()
        except TimeoutError:
            pass
        self._stopping = True
        tasks = [lane.task for lane in self._lanes.values() if lane.task is not None]
        tasks.extend(self._answers)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._recorder is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(RECORD_AT_STOP):
                    await self._recorder
        left = sum(len(lane.items) for lane in self._lanes.values())
        self._lanes.clear()
        if left:
            log.warning(
                "stopping with %d messages not yet delivered; the next start sends them", left
            )
            with contextlib.suppress(Exception):
                async with self.sessions() as session, session.begin():
                    # Released, so the next start need not wait for the lease to run out.
                    await store.renew(session=session, owner=self.owner, until=self.clock.now())
        self._held.clear()

    # --- one chat's lane ----------------------------------------------------------------------

    async def _run(self, lane: _Lane) -> None:
        while lane.items:
            message = lane.items[0]
            if isinstance(message, Edit) and self._superseded(lane, message):
                lane.items.pop(0)
                self._record(message, _Attempt("sent", "superseded"))
                continue
            if lane.gone:
                lane.items.pop(0)
                self._record(message, _Attempt("gone", lane.gone))
                continue
            attempt = await self._attempt(message)
            if attempt.status == "retry":
                message.attempts += 1
                self.stats["retries"] += 1
                if message.created_at and self.clock.now() - message.created_at > self.max_age:
                    lane.items.pop(0)
                    self._record(message, _Attempt("failed", f"too old: {attempt.error}"))
                    continue
                if attempt.retry_in > 0:
                    lane.napping, lane.nap = True, attempt.retry_in
                    self._notify()
                    lane.wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(lane.wake.wait(), attempt.retry_in)
                    lane.napping = False
                continue
            lane.items.pop(0)
            if attempt.status == "gone":
                lane.gone = attempt.error
            self._record(message, attempt)
            await asyncio.sleep(0)  # other lanes' turn
        if self._lanes.get(lane.chat_id) is lane:
            del self._lanes[lane.chat_id]

    @staticmethod
    def _superseded(lane: _Lane, edit: Edit) -> bool:
        """A later edit of the same message is queued: this one would be drawn over at once."""
        return any(
            isinstance(other, Edit) and other.message_id == edit.message_id
            for other in lane.items[1:]
        )

    async def _attempt(self, message: Message) -> _Attempt:
        try:
            if self.gate is not None:
                await self.gate.take(message.chat_id, bulk=message.bulk)
            elif message.bulk and self._bulk is not None:
                await self._bulk.take(message.chat_id, bulk=True)
            # A markup kept in the outbox goes as its JSON dict, which PTB passes on unchanged
            # though its types name keyboard objects only: hence the two ignores below.
            if isinstance(message, Send) and message.attachment is not None:
                sent = await self._send_file(message, message.attachment)
                message.message_id = sent.message_id
            elif isinstance(message, Send):
                reply = None
                if message.reply_to is not None:
                    reply = {"message_id": message.reply_to, "allow_sending_without_reply": True}
                sent = await self._call(
                    "sendMessage",
                    chat_id=message.chat_id,
                    text=fit_message(message.text),
                    parse_mode=ParseMode.HTML,
                    reply_markup=call_markup(message.markup),
                    reply_parameters=reply,
                    message_thread_id=message.message_thread_id,
                )
                message.message_id = int(sent["message_id"])
            else:
                await self._call(
                    "editMessageText",
                    chat_id=message.chat_id,
                    message_id=message.message_id,
                    text=fit_message(message.text),
                    parse_mode=ParseMode.HTML,
                    reply_markup=call_markup(message.markup),
                )
            return _Attempt("sent")
        except ChatMigrated as exc:
            await self._follow_migration(message, exc.new_chat_id)
            return _Attempt("retry", "migrated")
        except RetryAfter as exc:
            self.stats["429"] += 1
            return _Attempt("retry", "429", _seconds(exc.retry_after))
        except Forbidden as exc:
            log.info("chat %s refused a message: %s", message.chat_id, exc.message)
            return _Attempt("gone", exc.message)
        except BadRequest as exc:
            if "not modified" in exc.message:
                return _Attempt("sent", "not modified")
            if "chat not found" in exc.message.lower():
                return _Attempt("gone", exc.message)
            if isinstance(message, Send) and message.message_thread_id is not None:
                if "thread not found" in exc.message.lower():
                    # The topic was deleted (or the group is no forum any more): the post goes
                    # to the general topic rather than being lost.
                    log.info("topic %s of %s is gone", message.message_thread_id, message.chat_id)
                    message.message_thread_id = None
                    return _Attempt("retry", "topic gone")
            log.warning("Telegram refused a %s to %s: %s", message.action, message.chat_id, exc)
            return _Attempt("failed", exc.message)
        except (NetworkError, TelegramError) as exc:  # timeouts, 5xx, a connection refused
            return _Attempt("retry", str(exc)[:120], self._backoff(message))
        except Exception as exc:  # a bug or the transport: worth another try, never a lost message
            log.exception("delivery to %s failed", message.chat_id)
            return _Attempt("retry", type(exc).__name__, self._backoff(message))

    async def _call(self, method: str, **params: Any) -> Any:
        """A Bot API call whose answer is read as Telegram's JSON: only a sent message's id is
        wanted, and building a `telegram.Message` from each answer took about a tenth of the
        bot's time in a busy stretch. Errors are raised as for the library's own methods."""
        return await self.bot.do_api_request(method, params)

    async def _send_file(self, message: Send, attachment: Attachment) -> TelegramMessage:
        """A document or a photo, with the message's text as its caption."""
        common: dict[str, Any] = {
            "caption": fit_message(message.text, CAPTION_LIMIT) if message.text else None,
            "parse_mode": ParseMode.HTML,
            "reply_markup": call_markup(message.markup),
            "reply_to_message_id": message.reply_to,
            "allow_sending_without_reply": True,
            "message_thread_id": message.message_thread_id,
        }
        upload: InputFile | str = attachment.file_id or InputFile(
            attachment.data, filename=attachment.filename
        )
        if attachment.kind == "photo":
            return await self.bot.send_photo(message.chat_id, upload, **common)
        return await self.bot.send_document(message.chat_id, upload, **common)

    def _backoff(self, message: Message) -> float:
        return self.backoff[min(message.attempts, len(self.backoff) - 1)]

    async def _follow_migration(self, message: Message, new_chat_id: int) -> None:
        """A group became a supergroup: the binding and this lane's messages follow it."""
        old = message.chat_id
        try:
            async with self.sessions() as session, session.begin():
                await migrate_group(session=session, old_chat_id=old, new_chat_id=new_chat_id)
        except Exception:
            log.exception("could not move the group %s to %s", old, new_chat_id)
        lane = self._lanes.get(old)
        for queued in lane.items if lane is not None else [message]:
            queued.chat_id = new_chat_id
        if lane is not None and new_chat_id not in self._lanes:
            # The group's later messages join this lane (and its pacing), under its new id.
            del self._lanes[old]
            lane.chat_id = new_chat_id
            self._lanes[new_chat_id] = lane

    async def _answer(self, answer: Answer) -> None:
        for attempt in range(3):
            try:
                await self.bot.answer_callback_query(
                    answer.query_id, text=answer.text, show_alert=answer.alert
                )
                return
            except RetryAfter as exc:
                await asyncio.sleep(min(_seconds(exc.retry_after), 5.0))
            except BadRequest:
                return  # too old: Telegram stopped the spinner itself
            except TelegramError as exc:
                if attempt == 2:
                    log.info("could not answer a button press: %s", exc)
                    return
                await asyncio.sleep(0.5)

    # --- recording outcomes -------------------------------------------------------------------

    def _done(self, message: Message) -> None:
        message.done = True
        self._notify()

    def _notify(self) -> None:
        """Wakes whoever waits for particular messages (`wait_for`) or for a person's
        (`delivered`)."""
        if self._tick is not None and not self._tick.done():
            self._tick.set_result(None)
        self._tick = None

    async def wait_for(self, messages: list[Message]) -> None:
        """Waits until each message was sent or given up, or waits in its chat to be tried
        again: what a push's job waits for. Only these messages are looked at, so hundreds of
        pushes waiting together cost little."""
        while not all(self._settled(message) for message in messages):
            if self._tick is None:
                self._tick = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._tick)

    def _settled(self, message: Message) -> bool:
        if message.done:
            return True
        lane = self._lanes.get(message.chat_id)
        return lane is None or lane.napping

    def _record(self, message: Message, attempt: _Attempt) -> None:
        self.stats[attempt.status] += 1
        if self.sessions is None or (message.row_id is None and attempt.status != "gone"):
            # Not kept (or no database, in the dispatcher's own tests): only a chat that
            # refuses the bot is worth writing down.
            self._done(message)
            return
        self._records.append((message, attempt))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_all(), name="outbox:record")

    async def _record_all(self) -> None:
        delays = iter(self.backoff)
        while self._records:
            batch, self._records = self._records, []
            try:
                try:
                    follow = await self._write(batch, hooks=True)
                except Exception:
                    # A hook failed (or the database): the outcomes alone, then each hook in a
                    # transaction of its own, so one failing hook is undone alone.
                    await self._write(batch, hooks=False)
                    follow = await self._hooks_one_by_one(batch)
            except Exception:  # the database: try again, the outcomes are kept meanwhile
                log.exception("could not record %d delivered messages; trying again", len(batch))
                self._records[:0] = batch
                await asyncio.sleep(next(delays, self.backoff[-1]))
                continue
            delays = iter(self.backoff)
            for message, _ in batch:
                self._held.discard(message.row_id or 0)
                self._done(message)
            if follow and not self._stopping:
                self.submit(follow)

    async def _write(self, batch: list[tuple[Message, _Attempt]], *, hooks: bool) -> list[Message]:
        """The outcomes, the boards' ids, the chats that refuse the bot and (`hooks`) what
        follows from them, in one transaction; returns the messages the hooks queued."""
        now = self.clock.now()
        boards = _sent_tagged(batch, lambda send: send.board)
        slips = _sent_tagged(batch, lambda send: send.slip)
        hooked = self._hooked(batch) if hooks else []
        gone = [(message, attempt) for message, attempt in batch if attempt.status == "gone"]
        async with self.sessions() as session, session.begin():
            if not (boards or slips or hooked or gone):
                # The outcomes alone: one statement, atomic by itself (most batches).
                await without_transaction(session)
            await store.finish(
                session=session,
                outcomes=[
                    store.Outcome(
                        row_id=message.row_id,
                        status=attempt.status,
                        message_id=message.message_id,
                        error=attempt.error,
                        attempts=message.attempts + 1,
                        chat_id=message.chat_id,
                    )
                    for message, attempt in batch
                    if message.row_id is not None
                ],
                now=now,
            )
            if boards:
                await record_copies(session=session, copies=boards, today=None)
            if slips:
                await record_slip_messages(session=session, sent=slips)
            for message, attempt in gone:
                await self._chat_gone(session, message, attempt, now)
            return await self._tell_hooks(session, hooked)

    def _hooked(self, batch: list[tuple[Message, _Attempt]]) -> list[Hooked]:
        """The outcomes a hook wants, delivered ones first (a teacher's message, kept for later
        edits), then the others (which may want to edit it)."""
        hooked = []
        for message, attempt in batch:
            names = [message.about.split(":", 1)[0]]
            if isinstance(message, Send) and message.board is not None:
                names.append(BOARD_HOOK)
            for name in names:
                found = self._hooks.get(name)
                if found is not None and attempt.status in found[1]:
                    hooked.append((message, attempt, found[0]))
        hooked.sort(key=lambda item: item[1].status != "sent")
        return hooked

    async def _tell_hooks(self, session: AsyncSession, hooked: list[Hooked]) -> list[Message]:
        """What each message was for hears of its outcome: a request that cannot reach its
        approver moves up, a push's ledger row follows. Returns the messages queued."""
        follow: list[Message] = []
        for message, attempt, hook in hooked:
            context = OutcomeContext(
                session, self.clock.now(), Delivered(message, attempt.status, attempt.error)
            )
            await hook(context)
            if context.out:
                await self.queue(session, context.out)
                follow.extend(context.out)
        return follow

    async def _hooks_one_by_one(self, batch: list[tuple[Message, _Attempt]]) -> list[Message]:
        follow: list[Message] = []
        for item in self._hooked(batch):
            try:
                async with self.sessions() as session, session.begin():
                    follow += await self._tell_hooks(session, [item])
            except Exception:
                log.exception("what follows the %s of %r failed", item[1].status, item[0].about)
        return follow

    async def _chat_gone(
        self, session: AsyncSession, message: Message, attempt: _Attempt, now: datetime
    ) -> None:
        if message.chat_id < 0:
            await deactivate_group(session=session, chat_id=message.chat_id)
        else:
            await store.note_unreachable(
                session=session, chat_id=message.chat_id, reason=attempt.error, now=now
            )
            self.unreachable.add(message.chat_id)


def _seconds(value: float | timedelta) -> float:
    # python-telegram-bot gives a timedelta when PTB_TIMEDELTA is set (as the CLI does), else int.
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)

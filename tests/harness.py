"""The fast tier: the real Application, driven by `process_update`, with a recording request.

No sockets. Every Bot API call the bot makes is recorded and answered with a plausible result,
read as the bot's own request reads Telegram's answers (`bot.transport.LeanAnswers`); messages the
bot sent can be read per chat, buttons pressed, files uploaded.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Chat, Document, Message, MessageEntity, PhotoSize, Update, User
from telegram.ext import Application
from telegram.request import RequestData

from bot.app import build_application
from bot.clock import ManualClock
from bot.config import Settings
from bot.transport import LeanAnswers

BOT_ID = 100000
_MESSAGE_IDS = itertools.count(1000)
BOT_USERNAME = "staffroom_bot"
FILE_URL = re.compile(r"/file/bot[^/]+/(?P<path>.+)$")


@dataclass
class Sent:
    """A message the bot sent (its current state after edits)."""

    message_id: int
    chat_id: int
    text: str
    markup: dict[str, Any] | None = None
    edited: bool = False
    deleted: bool = False
    thread_id: int | None = None  # the forum topic it was posted in (None: general)
    # A document or photo sent: (document | photo, file name, bytes); `text` is its caption.
    file: tuple[str, str, bytes] | None = None

    @property
    def plain(self) -> str:
        import html

        return html.unescape(re.sub(r"<[^>]+>", "", self.text))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data or url) of every inline button, row by row."""
        rows = (self.markup or {}).get("inline_keyboard", [])
        return [
            (b["text"], b.get("callback_data") or b.get("url", "")) for row in rows for b in row
        ]

    def data_of(self, text_part: str) -> str:
        for label, data in self.buttons:
            if text_part in label:
                return data
        raise AssertionError(f"no button {text_part!r} on: {self.plain!r} {self.buttons}")


@dataclass
class RecordingRequest(LeanAnswers):
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    forbidden: set[int] = field(default_factory=set)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    # method → answers to give before succeeding again: (HTTP status, description, parameters)
    faults: dict[str, list[tuple[int, str, dict[str, Any]]]] = field(default_factory=dict)
    # (method, chat) → the same, for that chat only (tried before `faults`)
    chat_faults: dict[tuple[str, int | None], list[tuple[int, str, dict[str, Any]]]] = field(
        default_factory=dict
    )
    # awaited inside every sendMessage, to look at the world while the bot waits on Telegram
    during_send: Any = None
    # Forum chats and their topics (message_thread_id): a message to any other topic of such a
    # chat is refused as Telegram refuses it once a topic was deleted.
    topics: dict[int, set[int]] = field(default_factory=dict)
    # Groups where the bot is a plain member: it may not delete other people's messages there
    # (elsewhere it is an admin allowed to, as a school sets it up).
    cannot_delete: set[int] = field(default_factory=set)
    # (chat, message id) of people's messages the bot deleted
    deleted: list[tuple[int, int]] = field(default_factory=list)
    # The database holds messages sent before this harness (the benchmarks' district sent its
    # morning through the simulator): an edit of one is answered as Telegram answers for a
    # message it has. Off in tests, where editing a message never sent is a mistake to catch.
    knows_earlier: bool = False
    # One count for every harness of a test run: a bot started again on the same database (a
    # restart) must not reuse the ids of the messages the first one sent, as Telegram would not.
    _ids: itertools.count = field(default_factory=lambda: _MESSAGE_IDS)
    _index: dict[tuple[int, int], Sent] = field(default_factory=dict)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        file_match = FILE_URL.search(url)
        if file_match:
            return 200, self.files[file_match["path"]]
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            for name, part in request_data.multipart_data.items():
                params[f"_file_{name}"] = (part[0], part[1])
        self.calls.append((api_method, params))
        faults = self.chat_faults.get((api_method, params.get("chat_id")))
        if not faults:
            faults = self.faults.get(api_method)
        if faults:
            status, description, parameters = faults.pop(0)
            body = {"ok": False, "error_code": status, "description": description}
            if parameters:
                body["parameters"] = parameters
            return status, json.dumps(body).encode()
        if api_method == "sendMessage" and self.during_send is not None:
            await self.during_send()
        status, result = self._answer(api_method, params)
        if status != 200:
            return status, json.dumps(
                {"ok": False, "error_code": status, "description": result}
            ).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        now = int(datetime.now(UTC).timestamp())
        if method == "getMe":
            return 200, {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Staffroom",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if method in ("setMyCommands", "deleteMyCommands", "deleteWebhook", "setChatMenuButton"):
            if method == "setMyCommands":
                scope = (params.get("scope") or {}).get("type", "default")
                self.commands[(scope, params.get("language_code", ""))] = params["commands"]
            return 200, True
        if method == "answerCallbackQuery":
            self.answers[params["callback_query_id"]] = params
            return 200, True
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            if chat_id in self.forbidden:
                return 403, "Forbidden: bot was blocked by the user"
            thread = params.get("message_thread_id")
            thread = int(thread) if thread is not None else None
            if thread is not None and thread not in self.topics.get(chat_id, set()):
                return 400, "Bad Request: message thread not found"
            sent = Sent(next(self._ids), chat_id, params["text"], params.get("reply_markup"))
            sent.thread_id = thread
            self._record(sent)
            return 200, self._message_json(sent, now)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
            if self.knows_earlier and (chat_id, message_id) not in self._index:
                # Known from now on, but not among `sent`: nothing presses its buttons.
                self._index[(chat_id, message_id)] = Sent(message_id, chat_id, "")
            target = self.find(chat_id, message_id)
            if "text" in params:
                target.text = params["text"]
            target.markup = params.get("reply_markup")
            target.edited = True
            return 200, self._message_json(target, now)
        if method == "deleteMessage":
            chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
            own = self._index.get((chat_id, message_id))
            if own is not None:
                own.deleted = True
            elif chat_id in self.cannot_delete:
                return 400, "Bad Request: message can't be deleted"
            else:
                self.deleted.append((chat_id, message_id))
            return 200, True
        if method == "sendChatAction":
            if int(params["chat_id"]) in self.forbidden:
                return 403, "Forbidden: bot can't initiate conversation with a user"
            return 200, True
        if method == "getChatMember":
            return 200, self._member_json(int(params["chat_id"]), int(params["user_id"]))
        if method == "getFile":
            return 200, {
                "file_id": params["file_id"],
                "file_unique_id": params["file_id"],
                "file_path": params["file_id"],
            }
        if method in ("sendDocument", "sendPhoto"):
            chat_id = int(params["chat_id"])
            if chat_id in self.forbidden:
                return 403, "Forbidden: bot was blocked by the user"
            kind = "document" if method == "sendDocument" else "photo"
            sent = Sent(
                next(self._ids), chat_id, params.get("caption", ""), params.get("reply_markup")
            )
            upload = next((v for k, v in params.items() if k.startswith("_file_")), None)
            if upload is not None:
                sent.file = (kind, str(upload[0]), bytes(upload[1]))
            elif isinstance(params.get(kind), str):
                # Sent on by the file id Telegram gave it: the id stands for the name.
                sent.file = (kind, params[kind], b"")
            self._record(sent)
            return 200, self._message_json(sent, now)
        return 400, f"Bad Request: method {method} not recorded"

    def _member_json(self, chat_id: int, user_id: int) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": user_id == BOT_ID, "first_name": "Staffroom"}
        if user_id != BOT_ID or chat_id > 0 or chat_id in self.cannot_delete:
            return {"status": "member", "user": user}
        rights = dict.fromkeys(
            (
                "can_be_edited",
                "is_anonymous",
                "can_promote_members",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
            ),
            False,
        )
        rights |= dict.fromkeys(
            (
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_change_info",
                "can_invite_users",
                "can_pin_messages",
            ),
            True,
        )
        return {"status": "administrator", "user": user, **rights}

    def _message_json(self, sent: Sent, now: int) -> dict[str, Any]:
        chat_type = "private" if sent.chat_id > 0 else "supergroup"
        data: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": now,
            "chat": {
                "id": sent.chat_id,
                "type": chat_type,
                "title": "g" if sent.chat_id < 0 else None,
            },
            "from": {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Staffroom",
                "username": BOT_USERNAME,
            },
            "text": sent.text,
        }
        if sent.markup:
            data["reply_markup"] = sent.markup
        return data

    def _record(self, sent: Sent) -> None:
        self.sent.append(sent)
        self._index[(sent.chat_id, sent.message_id)] = sent

    def find(self, chat_id: int, message_id: int) -> Sent:
        # An index, not a scan: the latency benchmark edits boards among thousands of messages,
        # and the harness's own search must not count as the bot's time.
        found = self._index.get((chat_id, message_id))
        if found is None:
            raise AssertionError(f"no message {message_id} in chat {chat_id}")
        return found


class BotHarness:
    """Builds the real bot on a test database and feeds it updates one by one."""

    def __init__(self, settings: Settings, engine: AsyncEngine, clock: ManualClock) -> None:
        self.request = RecordingRequest()
        self.clock = clock
        self.app: Application[Any, Any, Any, Any, Any, Any] = build_application(
            settings,
            clock=clock,
            engine=engine,
            request=self.request,
            get_updates_request=RecordingRequest(),
            rate_limiter=False,
            freeze_heap=False,
        )
        self._update_ids = itertools.count(1)
        # Off for the latency benchmark, which times the reply, not the planning behind it.
        self.settle_after_update = True
        self._message_ids = itertools.count(1)
        self.users: dict[int, User] = {}
        self.last_message: Message | None = None  # the last one a user sent

    async def __aenter__(self) -> BotHarness:
        await self.app.initialize()
        if self.app.post_init is not None:
            await self.app.post_init(self.app)
        await self.started()
        return self

    async def started(self) -> None:
        """Waits for the start-up planning (catch-up of missed pushes, jobs) to finish."""
        await self.services.settle()

    async def __aexit__(self, *exc: object) -> None:
        if self.app.job_queue is not None and self.app.job_queue.scheduler.running:
            await self.app.job_queue.stop()
        if self.app.post_stop is not None:
            await self.app.post_stop(self.app)
        await self.app.shutdown()
        if self.app.post_shutdown is not None:
            await self.app.post_shutdown(self.app)

    @property
    def services(self) -> Any:
        return self.app.bot_data["services"]

    def user(self, user_id: int, first_name: str = "Test", language_code: str = "zh-hans") -> User:
        user = User(user_id, first_name, False, language_code=language_code)
        self.users[user_id] = user
        return user

    def _chat(self, chat_id: int, user: User) -> Chat:
        if chat_id == user.id:
            return Chat(chat_id, Chat.PRIVATE, first_name=user.first_name)
        # A group given topics (`request.topics`) is a forum, as Telegram marks it.
        forum = True if chat_id in self.request.topics else None
        return Chat(chat_id, Chat.SUPERGROUP, title="教师群", is_forum=forum)

    def _message(self, user: User, chat_id: int, text: str | None, **extra: Any) -> Message:
        entities = []
        if text and text.startswith("/"):
            entities = [MessageEntity(MessageEntity.BOT_COMMAND, 0, len(text.split()[0]))]
        message = Message(
            next(self._message_ids),
            self.clock.now(),
            self._chat(chat_id, user),
            from_user=user,
            text=text,
            entities=entities,
            **extra,
        )
        message.set_bot(self.app.bot)
        self.last_message = message
        return message

    async def feed(self, update: Update) -> list[Sent]:
        # As when python-telegram-bot reads an update from the network.
        update.set_bot(self.app.bot)
        before = len(self.request.sent)
        if self.settle_after_update:
            await self.app.process_update(update)
            # The jobs a change moved are planned again in the background; tests look at them.
            await self.services.settle()
        else:
            # The action's own messages are delivered; what follows it for others waits for
            # `services.settle()`.
            self.services.background.hold()
            await self.app.process_update(update)
            await self.services.dispatcher.delivered()
        return self.request.sent[before:]

    async def send(
        self, user: User, text: str, chat_id: int | None = None, *, thread_id: int | None = None
    ) -> list[Sent]:
        """The user writes `text` in a chat (private by default), in a forum topic if
        `thread_id`; returns what the bot sent."""
        topic: dict[str, Any] = {}
        if thread_id is not None:
            topic = {"message_thread_id": thread_id, "is_topic_message": True}
        message = self._message(user, chat_id if chat_id is not None else user.id, text, **topic)
        return await self.feed(Update(next(self._update_ids), message=message))

    async def reply_to(self, user: User, prompt: Sent, text: str) -> list[Sent]:
        """The user answers a bot message with Telegram's reply; returns what the bot sent."""
        origin = Message(
            prompt.message_id,
            self.clock.now(),
            self._chat(prompt.chat_id, user),
            from_user=User(BOT_ID, "Staffroom", True, username=BOT_USERNAME),
            text=prompt.plain,
        )
        message = self._message(user, prompt.chat_id, text, reply_to_message=origin)
        return await self.feed(Update(next(self._update_ids), message=message))

    async def upload(
        self, user: User, filename: str, data: bytes, caption: str, chat_id: int | None = None
    ) -> list[Sent]:
        file_id = f"doc{len(self.request.files)}"
        self.request.files[file_id] = data
        document = Document(file_id, file_id, file_name=filename, file_size=len(data))
        document.set_bot(self.app.bot)
        caption_entities = []
        if caption.startswith("/"):
            caption_entities = [
                MessageEntity(MessageEntity.BOT_COMMAND, 0, len(caption.split()[0]))
            ]
        message = self._message(
            user,
            chat_id if chat_id is not None else user.id,
            None,
            document=document,
            caption=caption,
            caption_entities=caption_entities,
        )
        return await self.feed(Update(next(self._update_ids), message=message))

    async def photo(
        self, user: User, file_id: str, caption: str | None = None, chat_id: int | None = None
    ) -> list[Sent]:
        """The user sends a photo, which Telegram keeps as `file_id`."""
        size = PhotoSize(file_id, f"{file_id}-unique", 1280, 960)
        message = self._message(
            user, chat_id if chat_id is not None else user.id, None, photo=(size,), caption=caption
        )
        return await self.feed(Update(next(self._update_ids), message=message))

    async def press(self, user: User, sent: Sent, data: str) -> tuple[list[Sent], dict[str, Any]]:
        """The user presses a button carrying `data` on a bot message; returns (sent, answer)."""
        from telegram import CallbackQuery

        origin = Message(
            sent.message_id,
            self.clock.now(),
            self._chat(sent.chat_id, user)
            if sent.chat_id > 0
            else Chat(sent.chat_id, Chat.SUPERGROUP),
            from_user=User(BOT_ID, "Staffroom", True, username=BOT_USERNAME),
            text=sent.plain,
        )
        origin.set_bot(self.app.bot)
        query_id = f"q{next(self._update_ids)}"
        query = CallbackQuery(query_id, user, "instance", message=origin, data=data)
        query.set_bot(self.app.bot)
        result = await self.feed(Update(next(self._update_ids), callback_query=query))
        return result, self.request.answers.get(query_id, {})

    def in_chat(self, chat_id: int) -> list[Sent]:
        return [s for s in self.request.sent if s.chat_id == chat_id and not s.deleted]

    def last(self, chat_id: int) -> Sent:
        messages = self.in_chat(chat_id)
        assert messages, f"the bot sent nothing to {chat_id}"
        return messages[-1]

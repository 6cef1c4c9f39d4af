"""User-side actions: people, groups and everything they do to the bot.

Driver misuse (a user posting in a group they are not in, pressing a button
that does not exist...) raises :class:`SimulatorError` immediately, because
that is a bug in the test, not behaviour of the bot under test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from .errors import SimulatorError
from .models import (
    MEMBER_STATUSES,
    PRESENT_STATUSES,
    CallbackQueryRecord,
    MemberStatus,
    SimChat,
    SimMessage,
    SimUser,
)
from .state import ADMIN_RIGHTS, SERVICE_USER_ID, State, supergroup_id_for
from .text import MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, detect_entities

# What Telegram accepts after ?start= (https://core.telegram.org/bots/features#deep-linking).
_START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


class UserDriver:
    state: State

    # ------------------------------------------------------------ world setup
    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> SimUser:
        """Create (or update the profile of) a user; they have not started the bot yet."""
        if user_id <= 0 or user_id in (self.state.bot.id, SERVICE_USER_ID):
            raise SimulatorError(f"invalid user id {user_id}")
        user = self.state.users.get(user_id)
        if user is None:
            user = self.state.users[user_id] = SimUser(user_id, first_name)
            self.state.chats[user_id] = SimChat(id=user_id, type="private", bot_status="member")
        user.first_name, user.last_name = first_name, last_name
        user.username, user.language_code = username, language_code
        return user

    def add_group(
        self, chat_id: int, title: str, *, supergroup: bool = False, members: Iterable[int] = ()
    ) -> SimChat:
        """Create a group (the bot is not in it yet) with the given users as members."""
        if chat_id >= 0:
            raise SimulatorError("group chat ids are negative")
        if chat_id in self.state.chats:
            raise SimulatorError(f"chat {chat_id} already exists")
        chat = SimChat(id=chat_id, type="supergroup" if supergroup else "group", title=title)
        for user_id in members:
            self._user(user_id)
            chat.members[user_id] = "member"
        self.state.chats[chat_id] = chat
        return chat

    def set_member_status(
        self, chat_id: int, user_id: int, status: MemberStatus, *, by_user_id: int | None = None
    ) -> None:
        """Change someone's membership; for the bot's own id this emits my_chat_member."""
        if status not in MEMBER_STATUSES:
            raise SimulatorError(f"unknown status {status!r}; use one of {sorted(MEMBER_STATUSES)}")
        chat = self._group(chat_id)
        actor = by_user_id if by_user_id is not None else self._chat_owner(chat)
        if user_id == self.state.bot.id:
            if status == "creator":
                raise SimulatorError("the bot cannot own a group")
            self.state.set_bot_status(chat, status, actor)
            return
        self._user(user_id)
        old = chat.members.get(user_id, "left")
        chat.members[user_id] = status
        if old != status:
            self.state.emit_chat_member(chat, actor, user_id, old, status)
            self.state.changed.notify()

    async def add_member(
        self, chat_id: int, user_id: int, *, by_user_id: int | None = None
    ) -> None:
        """A user joins (or is added to) a group: new_chat_members message + chat_member."""
        chat = self._group(chat_id)
        user = self._user(user_id)
        old = chat.members.get(user_id, "left")
        if old in PRESENT_STATUSES:
            raise SimulatorError(f"user {user_id} is already in chat {chat_id}")
        chat.members[user_id] = "member"
        actor = by_user_id if by_user_id is not None else user_id
        self.state.emit_chat_member(chat, actor, user_id, old, "member")
        self._service_message(chat, actor, new_chat_members=[user.to_api()])

    async def remove_member(
        self, chat_id: int, user_id: int, *, by_user_id: int | None = None
    ) -> None:
        """A user leaves (or is removed from) a group: left_chat_member message."""
        chat = self._group(chat_id)
        user = self._user(user_id)
        old = chat.members.get(user_id, "left")
        if old not in PRESENT_STATUSES:
            raise SimulatorError(f"user {user_id} is not in chat {chat_id}")
        new = "left" if by_user_id in (None, user_id) else "kicked"
        chat.members[user_id] = new
        actor = by_user_id if by_user_id is not None else user_id
        self.state.emit_chat_member(chat, actor, user_id, old, new)
        self._service_message(chat, actor, left_chat_member=user.to_api())

    async def add_bot_to_group(
        self, chat_id: int, by_user_id: int, *, as_admin: bool = False
    ) -> None:
        """Delivers my_chat_member (left -> member) and a new_chat_members message."""
        chat = self._group(chat_id)
        self._require_member(chat, by_user_id)
        if chat.bot_present:
            raise SimulatorError(f"the bot is already in chat {chat_id}")
        self.state.set_bot_status(chat, "administrator" if as_admin else "member", by_user_id)
        self._service_message(chat, by_user_id, new_chat_members=[self.state.bot.to_api()])

    def promote_bot(self, chat_id: int, *, by_user_id: int | None = None, **rights: bool) -> None:
        """Makes the bot an admin of the group, with every right but those given as False
        (`promote_bot(GROUP, can_delete_messages=False)`); emits my_chat_member."""
        chat = self._group(chat_id)
        unknown = sorted(set(rights) - set(ADMIN_RIGHTS))
        if unknown:
            raise SimulatorError(f"unknown admin rights {unknown}")
        actor = by_user_id if by_user_id is not None else self._chat_owner(chat)
        changed = chat.bot_rights != rights and chat.bot_is_admin
        chat.bot_rights = dict(rights)
        if changed:
            # Telegram tells the bot of new rights as a change of its membership.
            self.state.emit_my_chat_member(chat, actor, "administrator", "administrator")
        self.state.set_bot_status(chat, "administrator", actor)

    async def open_link(self, user_id: int, url: str) -> SimMessage:
        """The user taps a `t.me/<bot>?start=<payload>` link: their app opens the private chat
        and sends `/start <payload>` there, as Telegram does."""
        parsed = urlsplit(url)
        username = parsed.path.strip("/")
        if parsed.netloc not in ("t.me", "telegram.me") or not username:
            raise SimulatorError(f"not a t.me link: {url!r}")
        if username.lower() != (self.state.bot.username or "").lower():
            raise SimulatorError(f"the link {url!r} is for another bot than this one")
        payload = parse_qs(parsed.query).get("start", [""])[0]
        if payload and not _START_PAYLOAD.fullmatch(payload):
            raise SimulatorError(f"Telegram refuses the start payload {payload!r}")
        return await self.send_text(user_id, user_id, f"/start {payload}".strip())

    async def tap_link(self, user_id: int, message: SimMessage, text: str) -> SimMessage:
        """The user taps the URL button whose label contains `text` (see `open_link`)."""
        for row in message.buttons:
            for button in row:
                if text in button.text and button.url:
                    return await self.open_link(user_id, button.url)
        raise SimulatorError(f"no link button {text!r} on message {message.message_id}")

    async def remove_bot_from_group(
        self, chat_id: int, by_user_id: int, *, kick: bool = True
    ) -> None:
        """my_chat_member to "kicked" (or "left" with kick=False); later sends get 403."""
        chat = self._group(chat_id)
        self._require_member(chat, by_user_id)
        if not chat.bot_present:
            raise SimulatorError(f"the bot is not in chat {chat_id}")
        self.state.set_bot_status(chat, "kicked" if kick else "left", by_user_id)
        # The bot is gone, so this service message is stored but never delivered.
        self._service_message(chat, by_user_id, left_chat_member=self.state.bot.to_api())

    async def migrate_group(self, chat_id: int, *, by_user_id: int | None = None) -> int:
        """Upgrade a basic group to a supergroup; returns the new -100... chat id."""
        chat = self._group(chat_id)
        if chat.type != "group":
            raise SimulatorError(f"chat {chat_id} is not a basic group")
        new_id = supergroup_id_for(chat_id)
        while new_id in self.state.chats:
            new_id -= 1
        new_chat = SimChat(
            id=new_id,
            type="supergroup",
            title=chat.title,
            members=dict(chat.members),
            bot_status=chat.bot_status,
            migrated_from=chat.id,
        )
        self.state.chats[new_id] = new_chat
        chat.migrated_to = new_id
        actor = by_user_id if by_user_id is not None else self._chat_owner(chat)
        self._service_message(chat, actor, migrate_to_chat_id=new_id)
        self._service_message(new_chat, actor, migrate_from_chat_id=chat.id)
        return new_id

    async def block_bot(self, user_id: int) -> None:
        """The user blocks the bot: my_chat_member (kicked); sends then get 403."""
        user = self._user(user_id)
        if not user.blocked:
            user.blocked = True
            self.state.emit_my_chat_member(self.state.chats[user_id], user_id, "member", "kicked")
            self.state.changed.notify()

    async def unblock_bot(self, user_id: int) -> None:
        """The user unblocks (restarts) the bot: my_chat_member (member)."""
        user = self._user(user_id)
        if user.blocked:
            user.blocked = False
            user.started = True
            self.state.emit_my_chat_member(self.state.chats[user_id], user_id, "kicked", "member")
            self.state.changed.notify()

    # ------------------------------------------------------------ forum topics
    def create_topic(self, chat_id: int, name: str) -> int:
        """Make the supergroup a forum (if not yet) and open a topic; returns its thread id."""
        chat = self._group(chat_id)
        if chat.type != "supergroup":
            raise SimulatorError("only a supergroup can have topics")
        chat.is_forum = True
        thread = chat.next_message_id  # a topic's id is that of the message creating it
        created = self.state.new_message(
            chat,
            user_id=self._chat_owner(chat),
            from_bot=False,
            service={"forum_topic_created": {"name": name, "icon_color": 7322096}},
            message_thread_id=thread,
        )
        chat.topics[thread] = name
        self.state.deliver_message(chat, created)
        self.state.changed.notify()
        return thread

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """Delete a topic: messages sent to it from now on are refused."""
        chat = self._group(chat_id)
        if chat.topics.pop(thread_id, None) is None:
            raise SimulatorError(f"no topic {thread_id} in chat {chat_id}")

    # --------------------------------------------------------------- posting
    async def send_text(
        self,
        user_id: int,
        chat_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> SimMessage:
        """Post a text message as a user (commands get bot_command entities), in a forum
        topic when `thread_id` is given."""
        if not text.strip() or len(text) > MAX_TEXT_LENGTH:
            raise SimulatorError("a user message must have 1..4096 characters")
        _check_unicode(text, "a user message")
        chat = await self._postable_chat(user_id, chat_id, reply_to)
        if thread_id is not None and thread_id not in chat.topics:
            raise SimulatorError(f"no topic {thread_id} in chat {chat_id}")
        msg = self.state.new_message(
            chat,
            user_id=user_id,
            from_bot=False,
            text=text,
            plain_text=text,
            entities=detect_entities(text),
            reply_to_message_id=reply_to,
            message_thread_id=thread_id,
        )
        self.state.deliver_message(chat, msg)
        return msg

    async def send_document(
        self,
        user_id: int,
        chat_id: int,
        filename: str,
        data: bytes,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        reply_to: int | None = None,
    ) -> SimMessage:
        """Upload a file as a user; the bot can fetch it with getFile."""
        return await self._send_file(
            user_id, chat_id, data, "document", filename, mime_type, caption, reply_to
        )

    async def send_photo(
        self,
        user_id: int,
        chat_id: int,
        data: bytes,
        *,
        caption: str | None = None,
        reply_to: int | None = None,
    ) -> SimMessage:
        """Send a picture as a user (Telegram keeps it as a photo, not a file with a name)."""
        return await self._send_file(user_id, chat_id, data, "photo", None, None, caption, reply_to)

    async def _send_file(
        self,
        user_id: int,
        chat_id: int,
        data: bytes,
        kind: str,
        filename: str | None,
        mime_type: str | None,
        caption: str | None,
        reply_to: int | None,
    ) -> SimMessage:
        if not data:
            raise SimulatorError(f"a {kind} must not be empty")
        if caption is not None and len(caption) > MAX_CAPTION_LENGTH:
            raise SimulatorError("a caption must have at most 1024 characters")
        if caption is not None:
            _check_unicode(caption, "a caption")
        chat = await self._postable_chat(user_id, chat_id, reply_to)
        sim_file = self.state.store_file(data, kind=kind, filename=filename, mime_type=mime_type)
        msg = self.state.new_message(
            chat,
            user_id=user_id,
            from_bot=False,
            **{kind: sim_file},
            caption=caption,
            plain_caption=caption,
            caption_entities=detect_entities(caption) if caption else [],
            reply_to_message_id=reply_to,
        )
        self.state.deliver_message(chat, msg)
        return msg

    async def press(
        self,
        user_id: int,
        message: SimMessage | int,
        *,
        chat_id: int | None = None,
        text: str | None = None,
        data: str | None = None,
    ) -> str:
        """Press an inline button (by its text or callback data); returns the query id.

        With a bare message id, ``chat_id`` defaults to the user's private chat.
        """
        if (text is None) == (data is None):
            raise SimulatorError("press() needs exactly one of text= or data=")
        if isinstance(message, SimMessage):
            chat_id, message_id = message.chat_id, message.message_id
        else:
            message_id = message
            chat_id = user_id if chat_id is None else chat_id
        chat = self._chat(chat_id)
        user = self._user(user_id)
        if chat.is_group:
            self._require_member(chat, user_id)
        elif chat.id != user_id:
            raise SimulatorError(f"user {user_id} cannot see private chat {chat_id}")
        elif user.blocked:
            raise SimulatorError(f"user {user_id} has blocked the bot")
        msg = chat.by_id.get(message_id)
        if msg is None or msg.deleted:
            raise SimulatorError(f"message {message_id} does not exist in chat {chat_id}")
        if msg.inline_keyboard is None:
            raise SimulatorError(f"message {message_id} in chat {chat_id} has no inline keyboard")
        button = msg.find_button(text=text, data=data)
        if button is None:
            wanted = f"text={text!r}" if text is not None else f"data={data!r}"
            raise SimulatorError(
                f"no button with {wanted} on message {message_id}; "
                f"buttons: {[(b.text, b.callback_data) for row in msg.buttons for b in row]}"
            )
        if button.callback_data is None:
            raise SimulatorError(f"button {button.text!r} is not a callback button")
        query_id = self.state.new_callback_query_id()
        self.state.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user_id, chat.id, message_id, button.callback_data
        )
        if chat.is_group and not chat.bot_present:
            return query_id  # a bot that left the group never hears about the press
        self.state.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": self.state.message_json(msg),
                "chat_instance": str(abs(chat.id) * 7919 + self.state.bot.id),
                "data": button.callback_data,
            },
        )
        return query_id

    # --------------------------------------------------------------- helpers
    def _user(self, user_id: int) -> SimUser:
        user = self.state.users.get(user_id)
        if user is None:
            raise SimulatorError(f"unknown user {user_id}; call add_user() first")
        return user

    def _chat(self, chat_id: int) -> SimChat:
        chat = self.state.chats.get(chat_id)
        if chat is None:
            raise SimulatorError(f"unknown chat {chat_id}")
        return chat

    def _group(self, chat_id: int) -> SimChat:
        chat = self._chat(chat_id)
        if not chat.is_group:
            raise SimulatorError(f"chat {chat_id} is a private chat, not a group")
        if chat.migrated_to is not None:
            raise SimulatorError(f"chat {chat_id} was migrated to {chat.migrated_to}")
        return chat

    def _require_member(self, chat: SimChat, user_id: int) -> None:
        self._user(user_id)
        if chat.members.get(user_id) not in PRESENT_STATUSES:
            raise SimulatorError(f"user {user_id} is not a member of chat {chat.id}")

    def _chat_owner(self, chat: SimChat) -> int:
        for wanted in ("creator", "administrator", "member"):
            for user_id, status in chat.members.items():
                if status == wanted:
                    return user_id
        return SERVICE_USER_ID

    async def _postable_chat(self, user_id: int, chat_id: int, reply_to: int | None) -> SimChat:
        user = self._user(user_id)
        chat = self._chat(chat_id)
        if chat.migrated_to is not None:
            raise SimulatorError(f"chat {chat_id} was migrated to {chat.migrated_to}; post there")
        if chat.is_group:
            self._require_member(chat, user_id)
        elif chat.id != user_id:
            raise SimulatorError(f"user {user_id} can only write in their own private chat")
        if reply_to is not None and (reply_to not in chat.by_id or chat.by_id[reply_to].deleted):
            raise SimulatorError(f"message {reply_to} does not exist in chat {chat_id}")
        if not chat.is_group:
            if user.blocked:
                await self.unblock_bot(user_id)  # writing to a blocked bot restarts it
            user.started = True
        return chat

    def _service_message(self, chat: SimChat, actor: int, **service: object) -> SimMessage:
        msg = self.state.new_message(chat, user_id=actor, from_bot=False, service=dict(service))
        self.state.deliver_message(chat, msg)
        self.state.changed.notify()
        return msg


def _check_unicode(text: str, what: str) -> None:
    """Telegram carries UTF-8: text with a lone surrogate could never be sent, and would only
    fail later, in the middle of answering the bot's getUpdates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SimulatorError(
            f"{what} must be valid Unicode (a lone surrogate at {exc.start})"
        ) from None

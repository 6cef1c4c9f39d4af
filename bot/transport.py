"""The bot's HTTP calls to Telegram, over aiohttp.

python-telegram-bot sends through httpx by default. Every reply, edit and notice is one call, and
an update makes two or three of them; httpx spent about 0.6 ms of the bot's own CPU on each
(cookie handling, its pure-Python HTTP parser), aiohttp about a quarter of that (measured with
the same local server, 2,000 sequential calls). The library takes any `BaseRequest`; this one keeps
its timeouts and its errors.
"""

from __future__ import annotations

import html
import logging
import os
from typing import overload

import aiohttp
from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)


class LeanAnswers(BaseRequest):
    """Reads Telegram's answers to the bot's own calls without the keyboards they echo.

    Telegram answers a sent or edited message with the whole message, its inline keyboard
    included, and python-telegram-bot builds an object for every button of it: about 40% of
    sending a cover board with a dozen buttons. The bot reads only the id of what it sent, so the
    keyboard is dropped before parsing. Only for the calls the bot makes: updates (a pressed
    button's message) come through the other request and keep everything.
    """

    __slots__ = ()

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        answer = BaseRequest.parse_json_payload(payload)
        result = answer.get("result")
        if isinstance(result, dict) and "message_id" in result:
            result.pop("reply_markup", None)
        return answer


# A button of ours has a text and a callback or a link; one with anything else is written out by
# the library itself.
_OTHER_FIELDS = (
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)


class LeanKeyboard(InlineKeyboardMarkup):
    """An inline keyboard written out for the call by hand.

    python-telegram-bot's generic `to_dict` visits every attribute of every button: for a cover
    board's 38 buttons about 0.7 ms, more than the rest of the call (measured: 1,000 edits of a
    board, recorded request). Buttons here carry a text and a callback or a link.
    """

    __slots__ = ()

    def to_dict(self, recursive: bool = True) -> JSONDict:
        return {"inline_keyboard": [[_button(b) for b in row] for row in self.inline_keyboard]}


def _button(button: InlineKeyboardButton) -> JSONDict:
    # Labels are written with bot.texts.t, which escapes names for HTML; Telegram shows a button's
    # text as it is (no parse mode), so the escapes are undone here, where every keyboard is
    # written out: a substitute named A&B is pressed as "A&B", not "A&amp;B".
    if any(getattr(button, name) is not None for name in _OTHER_FIELDS):
        written = button.to_dict()
        written["text"] = html.unescape(button.text)
        return written
    written = {"text": html.unescape(button.text)}
    if button.callback_data is not None:
        written["callback_data"] = button.callback_data
    if button.url is not None:
        written["url"] = button.url
    return written


Keyboard = InlineKeyboardMarkup | ReplyKeyboardRemove | ForceReply


@overload
def lean_markup(markup: Keyboard) -> Keyboard: ...
@overload
def lean_markup(markup: None) -> None: ...
def lean_markup(markup: Keyboard | None) -> Keyboard | None:
    """The markup to hand to a call: an inline keyboard as a `LeanKeyboard`, anything else as is."""
    if type(markup) is InlineKeyboardMarkup:
        return LeanKeyboard(markup.inline_keyboard)
    return markup


def _proxy_in_environment() -> bool:
    return any(
        os.environ.get(name) or os.environ.get(name.lower())
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")
    )


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a connection pool; made in `initialize`, inside the loop."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
    ) -> None:
        self._proxy = proxy
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                # Telegram sets no cookies; a jar would only cost time on every answer.
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.USER_AGENT},
                # PROXY_URL for the bot's calls alone, whatever their scheme; otherwise
                # HTTPS_PROXY (and HTTP_PROXY, NO_PROXY) from the environment: where Telegram is
                # blocked, a proxy is how a school reaches it at all. Only then: aiohttp that
                # trusts the environment reads ~/.netrc again on every call (about 0.1 ms).
                proxy=self._proxy,
                trust_env=self._proxy is None and _proxy_in_environment(),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data is not None and request_data.contains_files
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if files else self._write_timeout
        # aiohttp has no write timeout of its own: sending the body counts against the whole
        # call, which may last as long as its parts together. Its `connect` covers waiting for a
        # free connection as well as opening one.
        parts = (read, write_timeout, connect, pool)
        timeout = aiohttp.ClientTimeout(
            total=None if None in parts else sum(p for p in parts if p is not None),
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=read,
        )
        body: aiohttp.FormData | bytes | None = None
        headers = {}
        if request_data is not None:
            if files:
                body = _form(request_data)
            else:
                body = request_data.json_payload
                headers["Content-Type"] = "application/json"
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            # The URL holds the bot token: an error that quotes it must not carry it to a log.
            text = str(err).replace(url, _host_of(url))
            raise NetworkError(f"aiohttp.{type(err).__name__}: {text}") from err


class AiohttpCallsRequest(LeanAnswers, AiohttpRequest):
    """The bot's own calls (replies, edits, notices), as against `getUpdates`."""

    __slots__ = ()


def _host_of(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _form(request_data: RequestData) -> aiohttp.FormData:
    # Unquoted, as httpx sends them: Telegram takes a file name in plain UTF-8.
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, upload in request_data.multipart_data.items():
        if isinstance(upload, tuple):
            filename, content, mime_type = upload
            form.add_field(name, content, filename=filename, content_type=mime_type)
        else:
            form.add_field(name, upload)
    return form

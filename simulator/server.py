"""aiohttp routes for the Bot API and file downloads.

Every call goes through one pipeline: token check, method lookup, call
statistics, parameter decoding, injected faults, flood limits and finally the
method implementation. Errors are answered with the JSON shape and HTTP status
Telegram uses, which is what python-telegram-bot turns into its exceptions.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

# Imported for their @api_method registrations.
from . import methods_chats, methods_messages  # noqa: F401
from .errors import ApiError, bad_request, forbidden
from .faults import RATE_LIMITED_METHODS, Fault
from .params import Params, read_params
from .registry import METHODS, Handler

if TYPE_CHECKING:
    from .simulator import Simulator

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 60 * 1024 * 1024  # above the 50 MB upload limit of the Bot API


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(text=_dumps(data), status=status, content_type="application/json")


def build_app(sim: Simulator) -> web.Application:
    from .driver_http import add_driver_routes  # local import: driver_http imports us

    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    api = BotApi(sim)
    app.router.add_route("*", "/bot{token}/{method}", api.handle)
    app.router.add_get("/file/bot{token}/{path:.+}", api.download)
    add_driver_routes(app, sim)
    return app


class BotApi:
    def __init__(self, sim: Simulator):
        self.sim = sim
        self.state = sim.state

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.state.token:
            return json_response(ApiError(401, "Unauthorized").to_json(), 401)
        entry = METHODS.get(request.match_info["method"].lower())
        if entry is None:
            return json_response(ApiError(404, "Not Found").to_json(), 404)
        name, handler = entry
        self.state.stats.calls[name] += 1
        # wait_for() predicates may watch call counts, errors or answers, so
        # waiters re-check when a call starts and again when it has finished.
        self.state.changed.notify()
        try:
            return await self._call(name, handler, request)
        finally:
            self.state.changed.notify()

    async def _call(self, name: str, handler: Handler, request: web.Request) -> web.Response:
        stats = self.state.stats
        try:
            params = await read_params(request)
            fault = self.sim.faults.take(name.lower(), params.fault_chat_id())
            if fault is not None:
                return await self._apply_fault(fault, name, params)
            limited = self.sim.enforce_rate_limits and name.lower() in RATE_LIMITED_METHODS
            if limited:
                self._check_rate_limit(params)
            result = handler(self.state, params)
            if inspect.isawaitable(result):
                result = await result
            if limited:
                chat = self.state.chats.get(params.fault_chat_id() or 0)
                self.sim.rate_limiter.record(chat.id if chat else 0, bool(chat and chat.is_group))
        except ApiError as error:
            stats.errors[error.code] += 1
            self.state.recent_errors.append(f"{name}: {error.code} {error.description}")
            return json_response(error.to_json(), error.code)
        except Exception as exc:
            # A simulator bug: answer with JSON so the client reports it legibly.
            log.exception("simulator failure in %s", name)
            self.state.recent_errors.append(f"{name}: simulator failure {exc!r}")
            failure = ApiError(500, f"Internal Server Error: simulator failure: {exc!r}")
            return json_response(failure.to_json(), 500)
        return json_response({"ok": True, "result": result})

    def _check_rate_limit(self, params: Params) -> None:
        chat = self.state.chats.get(params.fault_chat_id() or 0)
        if chat is None:
            return  # the method itself will answer "chat not found"
        retry_after = self.sim.rate_limiter.check(chat.id, chat.is_group)
        if retry_after is not None:
            self.state.stats.rate_limited_429 += 1
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )

    async def _apply_fault(self, fault: Fault, name: str, params: Params) -> web.Response:
        stats = self.state.stats
        stats.injected[fault.kind] += 1
        if fault.kind == "timeout":
            # Hold the request so the client's read timeout fires first; stop()
            # releases held requests early so shutdown never waits for them.
            await self.sim.hold(self.sim.timeout_hold_seconds)
            error = ApiError(502, "Bad Gateway")
        elif fault.kind == "429":
            stats.injected_429 += 1
            error = ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        elif fault.kind == "500":
            error = ApiError(500, "Internal Server Error")
        elif fault.kind == "migrated":
            # The group really becomes a supergroup (members, the bot, service messages), so the
            # id in the answer is a chat the bot can then write to.
            chat = self.state.chats.get(params.fault_chat_id() or 0)
            if chat is not None and chat.type == "group" and chat.migrated_to is None:
                await self.sim.migrate_group(chat.id)
            if chat is None or chat.migrated_to is None:
                # Only reachable by arming the fault past inject_fault's checks.
                error = ApiError(500, "Internal Server Error: only a basic group can migrate")
            else:
                error = bad_request(
                    "group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": chat.migrated_to},
                )
        elif fault.kind == "blocked":
            error = forbidden("bot was blocked by the user")
        else:  # "kicked"
            error = forbidden("bot was kicked from the group chat")
        stats.errors[error.code] += 1
        self.state.recent_errors.append(f"{name}: injected {fault.kind}")
        return json_response(error.to_json(), error.code)

    async def download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.state.token:
            return json_response(ApiError(401, "Unauthorized").to_json(), 401)
        sim_file = self.state.files_by_path.get(request.match_info["path"])
        if sim_file is None:
            return json_response(ApiError(404, "Not Found").to_json(), 404)
        return web.Response(
            body=sim_file.data, content_type=sim_file.mime_type or "application/octet-stream"
        )


async def wait_closed_or(event: asyncio.Event, seconds: float) -> None:
    """Sleep up to ``seconds`` but return as soon as ``event`` is set."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass

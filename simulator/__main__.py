"""Run the simulator as a standalone server: ``python -m simulator``.

Meant for out-of-process drivers such as benchmarks, which talk to the
``/_sim/`` HTTP endpoints while the bot long-polls the Bot API routes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .simulator import Simulator


async def _serve(args: argparse.Namespace) -> None:
    sim = Simulator(
        token=args.token,
        bot_username=args.username,
        bot_first_name=args.first_name,
        enforce_rate_limits=args.rate_limits,
        privacy_mode=not args.no_privacy,
        webhook_retry_seconds=args.webhook_retry,
    )
    await sim.start(args.host, args.port)
    print(f"Bot API: {sim.api_base_url}  files: {sim.file_base_url}  driver: {sim.base_url}/_sim/")
    print(f"token: {sim.token}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await sim.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Local Telegram Bot API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:SIM")
    parser.add_argument("--username", default="staffroom_bot")
    parser.add_argument("--first-name", default="Staffroom")
    parser.add_argument("--rate-limits", action="store_true", help="enforce flood limits")
    parser.add_argument("--no-privacy", action="store_true", help="disable group privacy mode")
    parser.add_argument(
        "--webhook-retry",
        type=float,
        default=0.5,
        help="seconds before a webhook delivery that failed is tried again",
    )
    asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()

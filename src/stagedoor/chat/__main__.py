"""A Django-free chat gateway process: ``python -m stagedoor.chat --port 0 --key-hex KEY``.

For tests (two processes on one Redis), benchmarks and debugging. Production runs
``stagedoor chat`` (or the embedded service), which adds the database hooks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from stagedoor.chat.gateway import ChatGateway, GatewayConfig, start_chat_gateway
from stagedoor.chat.pipeline.message import PipelineConfig


def main(argv: Sequence[str] | None = None) -> None:
    """A Django-free gateway process (tests, benchmarks, debugging):

    python -m stagedoor.chat --port 0 --key-hex KEY [--redis URL --prefix P]

    Prints ``READY <port>`` once listening. Production uses ``stagedoor chat``, which adds
    the database hooks (persistence, moderation records, stored room state).
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m stagedoor.chat")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key-hex", required=True, help="the ticket key, hex")
    parser.add_argument("--redis", default=None, help="redis://… for cross-node fan-out")
    parser.add_argument("--prefix", default="stagedoor:", help="Redis channel/key prefix")
    parser.add_argument("--node", default=None)
    parser.add_argument("--no-ip-limit", action="store_true")
    args = parser.parse_args(argv)

    async def run() -> None:
        from stagedoor.chat.fanout import RedisChatBus

        cfg = GatewayConfig(
            ticket_key=bytes.fromhex(args.key_hex),
            pipeline=PipelineConfig(ip_burst=None) if args.no_ip_limit else PipelineConfig(),
        )
        if args.node:
            cfg.node = args.node
        bus = (
            RedisChatBus(args.redis, fanout_prefix=args.prefix, key_prefix=args.prefix + "chat:")
            if args.redis
            else None
        )
        running = await start_chat_gateway(args.host, args.port, ChatGateway(cfg, bus=bus))
        print(f"READY {running.port}", flush=True)
        try:
            await asyncio.Future()
        finally:
            await running.close()
            if bus is not None:
                await bus.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()

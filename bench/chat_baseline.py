"""The baseline for bench/chat.py: the smallest useful broadcast server with `websockets`.

Every text frame a client sends is broadcast (encoded once, by `websockets.broadcast`) to
every connected client. No auth, no persistence, no filters, compression off.

    .venv/bin/python bench/chat_baseline.py --port 0   # prints "READY <port>"
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

CONNECTIONS: set[ServerConnection] = set()


async def handler(ws: ServerConnection) -> None:
    CONNECTIONS.add(ws)
    try:
        async for message in ws:
            broadcast(CONNECTIONS, message)
    except ConnectionClosed:
        pass
    finally:
        CONNECTIONS.discard(ws)


async def main(host: str, port: int) -> None:
    async with serve(handler, host, port, compression=None, backlog=4096) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        print(f"READY {bound}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(main(args.host, args.port))
    else:
        asyncio.run(main(args.host, args.port))
    sys.exit(0)

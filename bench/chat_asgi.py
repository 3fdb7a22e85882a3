"""For comparison only: the same minimal broadcast as chat_baseline.py, as an ASGI app under
uvicorn (what serving chat from the web process would look like). Each delivery is an
``await send(...)`` per socket.

    .venv/bin/python bench/chat_asgi.py --port 0   # prints "READY <port>"
"""

from __future__ import annotations

import argparse
import resource
import socket
from typing import Any

SENDS: set[Any] = set()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    SENDS.add(send)
    try:
        while True:
            msg = await receive()
            if msg["type"] == "websocket.disconnect":
                return
            text = msg.get("text")
            if text is None:
                continue
            out = {"type": "websocket.send", "text": text}
            for s in list(SENDS):
                try:
                    await s(out)
                except Exception:  # noqa: S112 (a closed peer: skip it, like broadcast())
                    continue
    finally:
        SENDS.discard(send)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ws", default="websockets-sansio")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(4096)
    print(f"READY {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        app, ws=args.ws, ws_per_message_deflate=False, log_level="warning", loop="uvloop", backlog=4096
    )
    server = uvicorn.Server(config)
    import uvloop

    uvloop.run(server.serve(sockets=[sock]))


if __name__ == "__main__":
    main()

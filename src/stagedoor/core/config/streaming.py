"""Where the site listens (`stagedoor run` / `web`, the chat port) and the RTMP ingest."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from stagedoor.core.config.vars import (
    ConfigError,
    Var,
    _demo_performer,
    _executable,
    _file,
    _host,
    _port,
    _seconds,
    _url,
    require_together,
)

HOST = Var("STAGEDOOR_HOST", _host("127.0.0.1"))
PORT = Var("STAGEDOOR_PORT", _port(8000))
CHAT_PORT = Var("STAGEDOOR_CHAT_PORT", _port(8001))

RTMP_HOST = Var("STAGEDOOR_RTMP_HOST", _host("0.0.0.0"))  # noqa: S104 - an ingest listens for encoders
RTMP_PORT = Var("STAGEDOOR_RTMP_PORT", _port(1935))
RTMPS_PORT = Var("STAGEDOOR_RTMPS_PORT", _port(1936))
RTMPS_CERT = Var("STAGEDOOR_RTMPS_CERT", _file)
RTMPS_KEY = Var("STAGEDOOR_RTMPS_KEY", _file)
RTMP_PUBLIC_URL = Var("STAGEDOOR_RTMP_PUBLIC_URL", _url("", ("rtmp", "rtmps"), "rtmp://host[:port]/live"))
STREAM_GRACE_S = Var("STAGEDOOR_STREAM_GRACE_S", _seconds(15.0))
FFMPEG = Var("STAGEDOOR_FFMPEG", _executable)
DEMO_PERFORMER = Var("STAGEDOOR_DEMO_PERFORMER", _demo_performer)


def _proxies(name: str, raw: object) -> tuple[str, ...]:
    """Comma-separated addresses or networks (CIDR) of the proxies in front of the web and chat processes."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return ("127.0.0.1", "::1")
    found = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            found.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise ConfigError(name, f"expected IP addresses or networks (10.0.0.0/8), got {part!r}") from None
    return tuple(found)


# Whose X-Forwarded-For the web and chat processes believe: nginx on another host (compose, Kubernetes, a load
# balancer) must be listed, or every client looks like nginx's address to the per-address limits.
TRUSTED_PROXIES = Var("STAGEDOOR_TRUSTED_PROXIES", _proxies)


@dataclass(frozen=True)
class ServerConfig:
    """Where `stagedoor run` / `web` listen by default (`--host`/`--port` win)."""

    host: str
    port: int
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class StreamingConfig:
    rtmp_host: str
    rtmp_port: int
    rtmps_port: int
    rtmps_cert: str  # RTMPS is on when cert and key are both set
    rtmps_key: str
    rtmp_public_url: str  # "": rtmp://<the page's host>:<rtmp_port>/live
    grace_s: float
    ffmpeg: str  # "": the binary inside the imageio-ffmpeg wheel
    demo_performer: str  # "": no demo broadcaster


def _server_config(env: Mapping[str, str]) -> ServerConfig:
    return ServerConfig(host=HOST.read(env), port=PORT.read(env), trusted_proxies=TRUSTED_PROXIES.read(env))


def _streaming_config(env: Mapping[str, str]) -> StreamingConfig:
    streaming = StreamingConfig(
        rtmp_host=RTMP_HOST.read(env),
        rtmp_port=RTMP_PORT.read(env),
        rtmps_port=RTMPS_PORT.read(env),
        rtmps_cert=RTMPS_CERT.read(env),
        rtmps_key=RTMPS_KEY.read(env),
        rtmp_public_url=RTMP_PUBLIC_URL.read(env),
        grace_s=STREAM_GRACE_S.read(env),
        ffmpeg=FFMPEG.read(env),
        demo_performer=DEMO_PERFORMER.read(env),
    )
    require_together((RTMPS_CERT, streaming.rtmps_cert), (RTMPS_KEY, streaming.rtmps_key))
    if streaming.rtmps_cert:
        import ssl

        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
                streaming.rtmps_cert, streaming.rtmps_key
            )
        except (ssl.SSLError, OSError) as exc:
            raise ConfigError(RTMPS_CERT.name, f"cannot load it with {RTMPS_KEY.name}: {exc}") from None
    return streaming

"""The site-wide nginx config: a pure function of `SiteConfig` (`stagedoor deploy nginx` prints it).

One nginx in front of everything:

* TLS (the certificate files named; port 80 only redirects, and answers ACME HTTP-01 challenges from a directory);
* `/static/` from the collected static files (`stagedoor collectstatic`), gzip'd copies when there are any, with a
  `Cache-Control` a CDN honours;
* `/live/…` media from the origin's disk with the same token check as the media origin
  (`streaming.nginx.media_locations`: `auth_request` → the app's `/_media_auth`, answers cached per grant, cache
  headers per file type);
* the chat WebSocket (`/chat/`) to the chat gateways, least connections first. No stickiness: a socket stays on
  the gateway it opened by nature, a ticket is checked by any gateway and a reconnect resumes on any of them
  (the room's timeline is in Redis);
* everything else (pages, the API, `/thumbs/`) to the web nodes, round robin, no stickiness either (sessions
  are in the database, rate-limit counters in Redis). A node that refuses connections or answers 502/503/504
  is skipped for that request (`proxy_next_upstream`; never for a POST the node already received);
* rate limits per client address at the edge (`limit_req`): every dynamic request, a tighter one on sign-in,
  sign-up and recovery, one on opening chat sockets; a refusal is `429` with the API's error shape
  (`{"code": "edge.rate_limited", …}`). Media and static files are not limited (a CDN fetches them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from stagedoor.streaming.nginx import media_http_directives, media_locations

STATIC_CACHE = "public, max-age=300"  # file names are not content-hashed: an upgrade is seen within 5 minutes
RATE_LIMITED_CODE = "edge.rate_limited"
RATE_LIMITED_BODY = (
    '{"code": "edge.rate_limited", "message": "Too many requests from your address: wait a moment and try again.", '
    '"extra": {}}'
)
AUTH_PATHS = r"^/(login|signup|password/reset|recover|api/v1/auth/)"

_RATE_RE = re.compile(r"^[1-9][0-9]{0,5}r/[sm]$")
_HOST_RE = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?)$")
_NAME_RE = re.compile(r"^[A-Za-z0-9*]([A-Za-z0-9.*-]{0,252}[A-Za-z0-9])?$")
_CIDR_RE = re.compile(r"^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$")
_SAFE_PATH_RE = re.compile(r"^/[A-Za-z0-9_./@+-]*$")


DEFAULT_STATE_DIR = Path("/var/lib/stagedoor/nginx")  # pid, logs, temp files, the token-answer cache
DEFAULT_ACME_ROOT = Path("/var/lib/stagedoor/acme")  # ACME HTTP-01 challenges (certbot --webroot)


class SiteConfigError(ValueError):
    """A value that cannot go into the config; `str()` names it."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    rate: str  # nginx's syntax: "20r/s" or "10r/m"
    burst: int  # requests over the rate let through at once before refusing

    def __post_init__(self) -> None:
        if not _RATE_RE.match(self.rate):
            raise SiteConfigError(f"rate: expected N r/s or N r/m (e.g. 20r/s), got {self.rate!r}")
        if not 0 <= self.burst <= 100_000:
            raise SiteConfigError(f"burst: must be between 0 and 100000, got {self.burst}")

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """`20r/s:40` (rate:burst)."""
        rate, sep, burst = text.partition(":")
        if not sep or not burst.isdigit():
            raise SiteConfigError(f"expected RATE:BURST (e.g. 20r/s:40), got {text!r}")
        return cls(rate, int(burst))


DEFAULT_LIMITS = {"site": RateLimit("20r/s", 40), "auth": RateLimit("10r/m", 10), "chat": RateLimit("5r/s", 20)}


@dataclass(frozen=True, slots=True)
class SiteConfig:
    server_name: str
    web: tuple[str, ...]  # host:port of each `stagedoor web`
    chat: tuple[str, ...]  # host:port of each `stagedoor chat`
    media_root: Path  # STAGEDOOR_MEDIA_DIR of the ingest writing the ladders (this host's disk)
    static_root: Path  # $STAGEDOOR_VAR_DIR/static after `stagedoor collectstatic`
    tls_cert: Path
    tls_key: Path
    state_dir: Path = DEFAULT_STATE_DIR
    acme_root: Path = DEFAULT_ACME_ROOT
    https_listen: str = "443"
    http_listen: str = "80"
    site_limit: RateLimit = DEFAULT_LIMITS["site"]
    auth_limit: RateLimit = DEFAULT_LIMITS["auth"]
    chat_limit: RateLimit = DEFAULT_LIMITS["chat"]
    real_ip_from: tuple[str, ...] = ()  # a CDN's or load balancer's addresses: trust their X-Forwarded-For
    client_max_body_mb: int = 64  # the largest upload (fan posts 50 MB by default)
    auth_cache_s: int = 5
    user: str | None = None  # worker user (reads the media and static files, writes state_dir)

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.server_name):
            raise SiteConfigError(f"server name: expected a host name, got {self.server_name!r}")
        for kind, nodes in (("web", self.web), ("chat", self.chat)):
            if not nodes:
                raise SiteConfigError(f"{kind}: give at least one host:port")
            for node in nodes:
                _check_node(kind, node)
            if len(set(nodes)) != len(nodes):
                raise SiteConfigError(f"{kind}: a node is listed twice")
        for name in ("media_root", "static_root", "tls_cert", "tls_key", "state_dir", "acme_root"):
            path = str(getattr(self, name))
            if not _SAFE_PATH_RE.match(path):
                raise SiteConfigError(f"{name.replace('_', ' ')}: expected an absolute path, got {path!r}")
        for name in ("https_listen", "http_listen"):
            _check_listen(name.replace("_", " "), getattr(self, name))
        for cidr in self.real_ip_from:
            if not _CIDR_RE.match(cidr):
                raise SiteConfigError(f"real IP from: expected an address or CIDR, got {cidr!r}")
        if not 1 <= self.client_max_body_mb <= 10_000:
            raise SiteConfigError(f"client max body: must be 1-10000 MB, got {self.client_max_body_mb}")
        if self.user is not None and not re.match(r"^[a-z_][a-z0-9_-]{0,31}$", self.user):
            raise SiteConfigError(f"user: expected a user name, got {self.user!r}")


def _check_node(kind: str, node: str) -> None:
    host, sep, port = node.rpartition(":")
    if not sep or not _HOST_RE.match(host) or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise SiteConfigError(f"{kind}: expected host:port, got {node!r}")


def _check_listen(name: str, listen: str) -> None:
    port = listen.rpartition(":")[2]
    host = listen[: -len(port) - 1] if ":" in listen else ""
    if not port.isdigit() or not 1 <= int(port) <= 65535 or (host and not _HOST_RE.match(host)):
        raise SiteConfigError(f"{name}: expected PORT or ADDRESS:PORT, got {listen!r}")


def _upstream(name: str, nodes: tuple[str, ...], *, extra: str) -> str:
    servers = "".join(f"        server {node} max_fails=1 fail_timeout=10s;\n" for node in nodes)
    return f"""    upstream {name} {{
        zone {name} 64k;
{servers}{extra}    }}
"""


PROXY_TO_WEB = """            proxy_pass http://stagedoor_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-Id $request_id;
            proxy_next_upstream error timeout http_502 http_503 http_504;"""


def render_site_config(cfg: SiteConfig) -> str:
    state = cfg.state_dir
    tries = len(cfg.web)
    real_ip = "".join(f"    set_real_ip_from {cidr};\n" for cidr in cfg.real_ip_from)
    if real_ip:
        real_ip += "    real_ip_header X-Forwarded-For;\n    real_ip_recursive on;\n"
    user = f"user {cfg.user};\n" if cfg.user else ""
    return f"""# generated by `stagedoor deploy nginx` (src/stagedoor/deploy/nginx.py) - do not edit by hand
{user}worker_processes auto;
pid {state}/nginx.pid;
error_log {state}/error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log {state}/access.log combined buffer=64k flush=5s;
    client_body_temp_path {state}/client_body;
    proxy_temp_path {state}/proxy;
    fastcgi_temp_path {state}/fastcgi;
    uwsgi_temp_path {state}/uwsgi;
    scgi_temp_path {state}/scgi;
    types {{
        text/html html;
        text/css css;
        text/javascript js mjs;
        application/json json map;
        application/manifest+json webmanifest;
        image/svg+xml svg;
        image/png png;
        image/jpeg jpg jpeg;
        image/webp webp;
        image/x-icon ico;
        font/woff2 woff2;
        text/plain txt;
        application/vnd.apple.mpegurl m3u8;
        video/iso.segment m4s;
        video/mp4 mp4;
    }}
    default_type application/octet-stream;
    server_tokens off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65s;
    client_max_body_size {cfg.client_max_body_mb}m;
    proxy_connect_timeout 2s;
    proxy_read_timeout 60s;
    gzip on;
    gzip_proxied any;
    gzip_types text/css text/javascript application/json image/svg+xml text/plain;

{real_ip}    limit_req_zone $binary_remote_addr zone=stagedoor_req_site:10m rate={cfg.site_limit.rate};
    limit_req_zone $binary_remote_addr zone=stagedoor_req_auth:10m rate={cfg.auth_limit.rate};
    limit_req_zone $binary_remote_addr zone=stagedoor_req_chat:10m rate={cfg.chat_limit.rate};
    limit_req_status 429;

{_upstream("stagedoor_web", cfg.web, extra="        keepalive 32;\n")}
{_upstream("stagedoor_chat", cfg.chat, extra="        least_conn;\n")}
    map $http_upgrade $stagedoor_connection {{
        default upgrade;
        "" close;
    }}
{media_http_directives(state)}
    server {{
        listen {cfg.http_listen};
        server_name {cfg.server_name};
        location ^~ /.well-known/acme-challenge/ {{ root {cfg.acme_root}; }}
        location / {{ return 301 https://$host$request_uri; }}
    }}

    server {{
        listen {cfg.https_listen} ssl http2;
        server_name {cfg.server_name};
        ssl_certificate {cfg.tls_cert};
        ssl_certificate_key {cfg.tls_key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_prefer_server_ciphers off;
        ssl_session_cache shared:stagedoor_tls:10m;
        ssl_session_timeout 1d;
        ssl_session_tickets off;
        proxy_next_upstream_tries {tries};
        error_page 429 = @stagedoor_rate_limited;

        location @stagedoor_rate_limited {{
            default_type application/json;
            add_header Retry-After 1 always;
            add_header Cache-Control no-store always;
            return 429 '{RATE_LIMITED_BODY}';
        }}

        location ^~ /static/ {{
            alias {cfg.static_root}/;
            gzip_static on;
            add_header Cache-Control "{STATIC_CACHE}" always;
            access_log off;
            location ~ "/[.]" {{ return 404; }}
        }}
{media_locations(cfg.media_root, auth_upstream="stagedoor_web", auth_cache_s=cfg.auth_cache_s)}
        location ^~ /chat/ {{
            limit_req zone=stagedoor_req_chat burst={cfg.chat_limit.burst} nodelay;
            proxy_pass http://stagedoor_chat/;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $stagedoor_connection;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
        }}

        # each node's /metrics is scraped on the node itself, never through the edge
        location = /metrics {{ return 404; }}

        location ~ "{AUTH_PATHS}" {{
            limit_req zone=stagedoor_req_auth burst={cfg.auth_limit.burst} nodelay;
{PROXY_TO_WEB}
        }}

        location / {{
            limit_req zone=stagedoor_req_site burst={cfg.site_limit.burst} nodelay;
{PROXY_TO_WEB}
        }}
    }}
}}
"""

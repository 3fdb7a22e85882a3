"""Janus's configuration files, written by Stagedoor into its var directory (pure: no I/O here).

Only the VideoRoom plugin and the HTTP transport are loaded (`process` links just those two into the folders
Janus reads); the HTTP API listens on 127.0.0.1 only and every request must carry the API secret, which is
also the VideoRoom's admin key (rooms and RTP forwarders are created by Stagedoor alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PLUGIN = "janus.plugin.videoroom"
PLUGIN_LIBRARY = "libjanus_videoroom.so"
TRANSPORT_LIBRARY = "libjanus_http.so"


@dataclass(frozen=True)
class JanusSettings:
    """What Stagedoor decides about the Janus it runs (from `settings.STAGEDOOR.shows`)."""

    workdir: Path  # configs, linked plugin/transport folders, log
    http_port: int
    api_secret: str = field(repr=False)
    rtp_ports: tuple[int, int] = (20000, 20999)
    public_ip: str = ""  # nat_1_1_mapping: announced in host candidates (Janus behind a 1:1 NAT)
    stun_url: str = ""  # "stun:host:port": Janus learns its public address (only when no public_ip)
    session_timeout_s: int = 30  # Janus drops sessions Stagedoor stops keeping alive
    debug_level: int = 4

    @property
    def configs_dir(self) -> Path:
        return self.workdir / "conf"

    @property
    def plugins_dir(self) -> Path:
        return self.workdir / "plugins"

    @property
    def transports_dir(self) -> Path:
        return self.workdir / "transports"

    @property
    def log_file(self) -> Path:
        return self.workdir / "janus.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/janus"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_stun(url: str) -> tuple[str, int] | None:
    """`stun:host[:port]` (or `host[:port]`) → (host, port); None when empty."""
    if not url:
        return None
    rest = url.split(":", 1)[1] if url.lower().startswith(("stun:", "stuns:")) else url
    rest = rest.split("?", 1)[0]
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        return rest, 3478
    return host, int(port)


def janus_jcfg(s: JanusSettings) -> str:
    nat = []
    stun = parse_stun(s.stun_url)
    if s.public_ip:
        nat.append(f"  nat_1_1_mapping = {_quote(s.public_ip)}")
        nat.append("  keep_private_host = true")
    elif stun is not None:
        nat.append(f"  stun_server = {_quote(stun[0])}")
        nat.append(f"  stun_port = {stun[1]}")
    nat.append('  ice_ignore_list = "vmnet"')
    nat.append("  nice_debug = false")
    return "\n".join(
        [
            "# Written by Stagedoor (shows/sfu/config.py); regenerated at every start.",
            "general: {",
            f"  configs_folder = {_quote(str(s.configs_dir))}",
            f"  plugins_folder = {_quote(str(s.plugins_dir))}",
            f"  transports_folder = {_quote(str(s.transports_dir))}",
            f"  events_folder = {_quote(str(s.workdir / 'events'))}",
            f"  loggers_folder = {_quote(str(s.workdir / 'loggers'))}",
            f"  debug_level = {s.debug_level}",
            "  debug_timestamps = true",
            "  debug_colors = false",
            f"  api_secret = {_quote(s.api_secret)}",
            f"  session_timeout = {s.session_timeout_s}",
            '  server_name = "stagedoor"',
            "  protected_folders = []",
            "}",
            "certificates: {",
            "}",
            "media: {",
            f'  rtp_port_range = "{s.rtp_ports[0]}-{s.rtp_ports[1]}"',
            "  dtls_timeout = 500",
            "  nack_optimizations = false",
            "}",
            "nat: {",
            *nat,
            "}",
            "plugins: {",
            "}",
            "transports: {",
            "}",
            "events: {",
            "  broadcast = false",
            "}",
            "",
        ]
    )


def videoroom_jcfg(s: JanusSettings) -> str:
    return "\n".join(
        [
            "# Written by Stagedoor: no static rooms; Stagedoor creates each room with the admin key.",
            "general: {",
            f"  admin_key = {_quote(s.api_secret)}",
            "  lock_rtp_forward = true",
            "  string_ids = false",
            "}",
            "",
        ]
    )


def http_jcfg(s: JanusSettings) -> str:
    return "\n".join(
        [
            "# Written by Stagedoor: the Janus API on loopback only (Stagedoor's signalling is its only client).",
            "general: {",
            '  json = "compact"',
            '  base_path = "/janus"',
            "  http = true",
            f"  port = {s.http_port}",
            '  ip = "127.0.0.1"',
            "  https = false",
            "}",
            "admin: {",
            "  admin_http = false",
            "  admin_https = false",
            "}",
            "cors: {",
            "}",
            "",
        ]
    )


def janus_config_files(s: JanusSettings) -> dict[str, str]:
    """File name (inside `configs_dir`) → text."""
    return {
        "janus.jcfg": janus_jcfg(s),
        f"{PLUGIN}.jcfg": videoroom_jcfg(s),
        "janus.transport.http.jcfg": http_jcfg(s),
    }


def janus_argv(binary: str, s: JanusSettings) -> list[str]:
    return [
        binary,
        "--config",
        str(s.configs_dir / "janus.jcfg"),
        "--configs-folder",
        str(s.configs_dir),
        "--disable-colors",
        "--log-file",
        str(s.log_file),
        "--disable-stdout",
    ]

"""Runs the `janus` binary with the configuration `config` writes: start, wait until its API answers, stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from pathlib import Path

import httpx

from .config import PLUGIN_LIBRARY, TRANSPORT_LIBRARY, JanusSettings, janus_argv, janus_config_files

log = logging.getLogger("stagedoor.shows.sfu")

DEBIAN_LIBRARIES = Path("/usr/lib/x86_64-linux-gnu/janus")


class JanusNotStarted(Exception):
    """Janus is missing or did not come up (its log says why)."""


def load_or_create_secret(path: Path) -> str:
    """The API secret kept in the var directory (created on first use, readable by this user only)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value)
    return value


def libraries_dir(binary: str) -> Path:
    """Where the plugins and transports of this `janus` live (Debian's multiarch path, or `<prefix>/lib/janus`)."""
    prefix = Path(binary).resolve().parent.parent
    for candidate in (
        prefix / "lib/x86_64-linux-gnu/janus",
        prefix / "lib/aarch64-linux-gnu/janus",
        prefix / "lib/janus",
    ):
        if (candidate / "plugins" / PLUGIN_LIBRARY).exists():
            return candidate
    return DEBIAN_LIBRARIES


def write_config(s: JanusSettings, libraries: Path) -> None:
    """The config files, and plugin/transport folders holding only the VideoRoom and HTTP libraries."""
    for directory in (s.configs_dir, s.plugins_dir, s.transports_dir, s.workdir / "events", s.workdir / "loggers"):
        directory.mkdir(parents=True, exist_ok=True)
    for name, text in janus_config_files(s).items():
        path = s.configs_dir / name
        path.write_text(text)
        path.chmod(0o600)  # holds the API secret
    for folder, library in ((s.plugins_dir, PLUGIN_LIBRARY), (s.transports_dir, TRANSPORT_LIBRARY)):
        for stale in folder.iterdir():
            stale.unlink()
        (folder / library).symlink_to(libraries / folder.name / library)


class JanusProcess:
    def __init__(self, binary: str, s: JanusSettings) -> None:
        self.binary = binary
        self.settings = s
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    async def start(self, *, ready_timeout: float = 20.0) -> None:
        s = self.settings
        async with httpx.AsyncClient(timeout=1) as http:
            with contextlib.suppress(httpx.HTTPError):
                await http.get(s.url + "/info")
                raise JanusNotStarted(f"port {s.http_port} is taken (another Janus?): set STAGEDOOR_SHOWS_JANUS_PORT")
        write_config(s, libraries_dir(self.binary))
        self.proc = await asyncio.create_subprocess_exec(
            *janus_argv(self.binary, s),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = asyncio.get_running_loop().time() + ready_timeout
        async with httpx.AsyncClient(timeout=1) as http:
            while asyncio.get_running_loop().time() < deadline:
                if self.proc.returncode is not None:
                    break
                with contextlib.suppress(httpx.HTTPError):
                    resp = await http.get(s.url + "/info")
                    if resp.status_code == 200 and resp.json().get("janus") == "server_info" and self.alive():
                        log.info("janus %s up on %s (pid %s)", resp.json().get("version_string"), s.url, self.pid)
                        return
                await asyncio.sleep(0.1)
        await self.stop()
        raise JanusNotStarted(f"janus did not start on port {s.http_port}; see {s.log_file}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except TimeoutError:
            proc.kill()
            await proc.wait()

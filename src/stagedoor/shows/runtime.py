"""The embedded SFU service (`stagedoor run`, `stagedoor ingest`): starts Janus with the configuration Stagedoor
writes (unless `STAGEDOOR_SHOWS_JANUS_URL` names one already running), then every second:

* closes the media sessions whose grant lapsed — a viewer's paid minute ended, they left, the show ended, the
  performer was suspended — by destroying the Janus session (the browser's peer connection goes down);
* keeps the others alive on Janus (Janus drops sessions nobody keeps alive: a crashed Stagedoor leaves none);
* supervises one ffmpeg per browser broadcast into a public room: Janus forwards the feed's RTP to it, it
  pushes RTMP into the embedded ingest (so the ladder, HLS, thumbnails and moderation frames work as for OBS);
  a crashed ffmpeg is restarted, a closed session's ffmpeg is stopped.

Register as ``"stagedoor.shows.runtime.sfu_service"`` in ``STAGEDOOR_EMBEDDED_SERVICES``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from asgiref.sync import sync_to_async

from stagedoor.shows.sfu.client import JanusClient, JanusError
from stagedoor.shows.sfu.config import JanusSettings
from stagedoor.shows.sfu.forward import forward_argv, forward_sdp, free_udp_pair
from stagedoor.shows.sfu.process import JanusNotStarted, JanusProcess, load_or_create_secret
from stagedoor.shows.sfu.registry import set_current_sfu

log = logging.getLogger("stagedoor.shows.runtime")

TICK_S = 1.0
KEEPALIVE_EVERY_S = 10.0


def janus_binary(configured: str = "") -> str | None:
    if configured:
        return configured
    return shutil.which("janus") or shutil.which("janus", path="/usr/bin:/usr/local/bin")


def janus_settings() -> JanusSettings:
    from django.conf import settings

    config = settings.STAGEDOOR.shows
    workdir = Path(settings.STAGEDOOR.var_dir) / "janus"
    secret = config.janus_api_secret or load_or_create_secret(workdir / "api_secret")
    return JanusSettings(
        workdir=workdir,
        http_port=config.janus_port,
        api_secret=secret,
        rtp_ports=config.rtp_ports,
        public_ip=config.public_ip,
        stun_url=config.stun_url,
    )


# --- the reaper: one pass, in a worker thread --------------------------------------------------------------
@dataclass(frozen=True)
class Broadcast:
    """An open browser broadcast into a public room (what the forwarder needs)."""

    session_id: str
    user_id: str
    room_slug: str
    sfu_session: int
    sfu_handle: int
    sfu_room: int
    feed: int


def _reap_pass(keepalive: bool) -> list[Broadcast]:
    from django.db import close_old_connections

    from stagedoor.shows.selectors.media import open_sessions
    from stagedoor.shows.services.media import media_sessions_keepalive, media_sessions_reap

    close_old_connections()
    try:
        kept = media_sessions_reap(sessions=open_sessions())
        if keepalive:
            media_sessions_keepalive(sessions=kept)
        return [
            Broadcast(str(s.pk), str(s.user_id), s.room.slug, s.sfu_session, s.sfu_handle, s.sfu_room, s.feed)
            for s in kept
            if s.room is not None and s.feed is not None and s.closed_at is None
        ]
    finally:
        close_old_connections()


def _close_all(reason: str) -> int:
    from django.db import close_old_connections

    from stagedoor.shows.services.media import media_sessions_close_all

    close_old_connections()
    try:
        return media_sessions_close_all(reason=reason)
    finally:
        close_old_connections()


def _browser_key(user_id: str) -> str:
    from stagedoor.accounts.models import User
    from stagedoor.streaming.selectors import browser_publish_key

    return browser_publish_key(User.objects.get(pk=user_id), now=time.time())


# --- forwarders: Janus RTP → ffmpeg → RTMP into the ingest -------------------------------------------------
@dataclass
class Forwarder:
    broadcast: Broadcast
    video_port: int
    sdp_path: Path
    log_path: Path
    proc: asyncio.subprocess.Process | None = None
    log_file: IO[bytes] | None = None
    forwarded: bool = False
    starts: int = 0
    next_start: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class Forwarders:
    def __init__(self, client: JanusClient, workdir: Path, ffmpeg: str) -> None:
        self.client = client
        self.workdir = workdir
        self.ffmpeg = ffmpeg
        self.running: dict[str, Forwarder] = {}

    async def sync(self, broadcasts: list[Broadcast]) -> None:
        from stagedoor.streaming.local_ingest import current_ingest

        wanted = {b.session_id: b for b in broadcasts}
        for session_id in list(self.running):
            if session_id not in wanted:
                await self._stop(self.running.pop(session_id))
        ingest = current_ingest()
        if ingest is None or ingest.port is None:
            if wanted:
                log.warning("browser broadcast waiting: no RTMP ingest runs in this process")
            return
        for session_id, broadcast in wanted.items():
            fwd = self.running.get(session_id)
            if fwd is None:
                port = free_udp_pair()
                self.workdir.mkdir(parents=True, exist_ok=True)
                fwd = Forwarder(broadcast, port, self.workdir / f"{session_id}.sdp", self.workdir / f"{session_id}.log")
                fwd.sdp_path.write_text(forward_sdp(port, port + 2))
                self.running[session_id] = fwd
            if fwd.proc is not None and fwd.proc.returncode is None:
                continue
            if fwd.proc is not None:
                log.warning("browser broadcast ffmpeg for %s exited (%s); restarting", session_id, fwd.proc.returncode)
                fwd.proc = None
                fwd.next_start = time.monotonic() + min(5.0, 0.5 * fwd.starts)
            if time.monotonic() < fwd.next_start:
                continue
            await self._start(fwd, ingest.port)

    async def _start(self, fwd: Forwarder, rtmp_port: int) -> None:
        key = await sync_to_async(_browser_key, thread_sensitive=False)(fwd.broadcast.user_id)
        url = f"rtmp://127.0.0.1:{rtmp_port}/live/{key}"
        if fwd.log_file is None:
            fwd.log_file = fwd.log_path.open("ab")
        fwd.proc = await asyncio.create_subprocess_exec(
            *forward_argv(self.ffmpeg, str(fwd.sdp_path), url),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=fwd.log_file,
            stderr=fwd.log_file,
            start_new_session=True,
        )
        fwd.starts += 1
        log.info("browser broadcast of %s → ingest (ffmpeg pid %s)", fwd.broadcast.room_slug, fwd.proc.pid)
        if not fwd.forwarded:
            b = fwd.broadcast
            try:
                await asyncio.to_thread(
                    self.client.rtp_forward,
                    b.sfu_session,
                    b.sfu_handle,
                    b.sfu_room,
                    b.feed,
                    host="127.0.0.1",
                    video_port=fwd.video_port,
                    audio_port=fwd.video_port + 2,
                )
                fwd.forwarded = True
            except JanusError as exc:
                log.warning("rtp_forward for %s failed: %s", b.session_id, exc)

    async def _stop(self, fwd: Forwarder) -> None:
        proc = fwd.proc
        if proc is not None and proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if fwd.log_file is not None:
            fwd.log_file.close()
        with contextlib.suppress(FileNotFoundError):
            fwd.sdp_path.unlink()

    async def close(self) -> None:
        for fwd in self.running.values():
            await self._stop(fwd)
        self.running.clear()

    def pids(self) -> list[int]:
        return [f.proc.pid for f in self.running.values() if f.proc is not None and f.proc.returncode is None]


# --- the service ---------------------------------------------------------------------------------------------
_forwarders: Forwarders | None = None


def current_forwarders() -> Forwarders | None:
    return _forwarders


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def sfu_service(stop: asyncio.Event) -> None:
    global _forwarders
    from django.conf import settings

    from stagedoor.streaming.ingest import ffmpeg_binary

    config = settings.STAGEDOOR.shows
    process: JanusProcess | None = None
    if config.janus_url:
        client = JanusClient(config.janus_url, config.janus_api_secret)
    else:
        binary = janus_binary(config.janus_bin)
        if binary is None:
            log.warning(
                "shows' live video is off: no `janus` binary (install Debian's `janus` package — "
                "scripts/bootstrap.sh does — or set STAGEDOOR_SHOWS_JANUS_URL / STAGEDOOR_SHOWS_JANUS_BIN)"
            )
            await stop.wait()
            return
        janus = await asyncio.to_thread(janus_settings)
        process = JanusProcess(binary, janus)
        try:
            await process.start()
        except (JanusNotStarted, OSError) as exc:
            log.error("shows' live video is off: %s", exc)
            await stop.wait()
            return
        client = JanusClient(janus.url, janus.api_secret)
        await sync_to_async(_close_all, thread_sensitive=False)("sfu_restarted")  # a fresh Janus knows none
    set_current_sfu(client)
    forwarders = Forwarders(
        client,
        Path(settings.STAGEDOOR.var_dir) / "janus" / "forward",
        ffmpeg_binary(settings.STAGEDOOR.streaming.ffmpeg),
    )
    _forwarders = forwarders
    last_keepalive = 0.0
    try:
        while not stop.is_set():
            if process is not None and not process.alive():
                log.error("janus exited; restarting it (open media sessions are lost)")
                await sync_to_async(_close_all, thread_sensitive=False)("sfu_restarted")
                try:
                    await process.start()
                except JanusNotStarted as exc:
                    log.error("%s", exc)
                    await _wait(stop, 5)
                    continue
            keepalive = time.monotonic() - last_keepalive >= KEEPALIVE_EVERY_S
            try:
                broadcasts = await sync_to_async(_reap_pass, thread_sensitive=False)(keepalive)
                if keepalive:
                    last_keepalive = time.monotonic()
                await forwarders.sync(broadcasts)
            except Exception:
                log.exception("media reaper pass failed")
            await _wait(stop, TICK_S)
    finally:
        _forwarders = None
        await forwarders.close()
        with contextlib.suppress(Exception):
            await sync_to_async(_close_all, thread_sensitive=False)("sfu_stopped")
        set_current_sfu(None)
        client.close()
        if process is not None:
            await process.stop()

"""Embedded services for `stagedoor run` (see core.runtime): the RTMP ingest and the
demo broadcaster. Each is ``async def service(stop: asyncio.Event)``.

Register in settings::

    STAGEDOOR_EMBEDDED_SERVICES = [
        "stagedoor.streaming.runtime.ingest_service",
        "stagedoor.streaming.runtime.demo_broadcaster",
    ]

Settings: ``settings.STAGEDOOR.streaming`` (``core.config.StreamingConfig``, from
``STAGEDOOR_RTMP_HOST`` (default 0.0.0.0), ``STAGEDOOR_RTMP_PORT`` (1935),
``STAGEDOOR_RTMPS_PORT`` + ``STAGEDOOR_RTMPS_CERT`` + ``STAGEDOOR_RTMPS_KEY`` for RTMPS,
``STAGEDOOR_STREAM_GRACE_S`` (15), ``STAGEDOOR_FFMPEG``, ``STAGEDOOR_DEMO_PERFORMER``
(demo_performer; empty disables the demo broadcaster)).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from pathlib import Path
from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async

from stagedoor.core.gates import PUBLISH, GateContext, gate_refusal

from .ingest import IngestConfig, IngestServer, PublishGrant, PublishRefused, ffmpeg_binary
from .local_ingest import current_ingest, set_current_ingest
from .rtmp.errors import PUBLISH_REJECTED
from .samples import close_sample_consumer, configured_sample_consumer
from .supervisor import StreamState

if TYPE_CHECKING:
    from stagedoor.core.config import StreamingConfig

log = logging.getLogger("stagedoor.streaming.runtime")


def _authorize_sync(app: str, stream_key: str) -> PublishGrant:
    from stagedoor.rooms.services import room_for_performer

    from .selectors import stream_key_owner

    user = stream_key_owner(stream_key)
    if user is None:
        raise PublishRefused(PUBLISH_REJECTED, "unknown or revoked stream key")
    room = room_for_performer(performer=user)
    # Verification (identity, age, co-performers) and moderation (suspensions) decide who may go
    # live; they register on the publish gate. The encoder sees the reason; the studio page too.
    refusal = gate_refusal(PUBLISH, GateContext(user=user, room=room))
    if refusal is not None:
        log.info("publish refused for %s: %s", user.login, refusal.code)
        raise PublishRefused(PUBLISH_REJECTED, refusal.message)
    if not user.is_active:  # deactivated for a reason no gate named
        raise PublishRefused(PUBLISH_REJECTED, "this account is not active")
    return PublishGrant(room=room.slug, label=user.login)


async def db_authorize(app: str, stream_key: str) -> PublishGrant:
    """The ingest's key check: hashed keys in the database (a thread, not the event loop)."""
    return await sync_to_async(_authorize_sync, thread_sensitive=False)(app, stream_key)


def _state_changed_sync(room_slug: str, state: StreamState) -> None:
    from stagedoor.rooms.models import Room
    from stagedoor.rooms.services import room_set_status, room_set_thumbnail

    room = Room.objects.filter(slug=room_slug).first()
    if room is None:
        return
    status = {StreamState.LIVE: "live", StreamState.RECONNECTING: "reconnecting", StreamState.OFFLINE: "offline"}
    if state in status:
        room_set_status(room=room, status=status[state])
    if state is StreamState.LIVE:
        room_set_thumbnail(room_id=room.id, path=f"{room_slug}/thumb.jpg")


async def _state_changed(room: str, state: StreamState) -> None:
    try:
        await sync_to_async(_state_changed_sync, thread_sensitive=False)(room, state)
    except Exception:
        log.exception("could not record room %s as %s", room, state.value)


def _streaming() -> StreamingConfig:
    from django.conf import settings

    return settings.STAGEDOOR.streaming


def _ssl_context(streaming: StreamingConfig) -> ssl.SSLContext | None:
    if not streaming.rtmps_cert or not streaming.rtmps_key:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(streaming.rtmps_cert, streaming.rtmps_key)
    return context


def ingest_config() -> IngestConfig:
    from django.conf import settings

    streaming = _streaming()
    return IngestConfig(
        media_root=Path(settings.STAGEDOOR.media_dir),
        host=streaming.rtmp_host,
        port=streaming.rtmp_port,
        tls_port=streaming.rtmps_port,
        ssl_context=_ssl_context(streaming),
        ffmpeg=ffmpeg_binary(streaming.ffmpeg),
        grace_s=streaming.grace_s,
    )


async def ingest_service(stop: asyncio.Event) -> None:
    from . import health_store

    shared = health_store.sink()

    async def state_changed(room: str, state: StreamState) -> None:
        await _state_changed(room, state)
        if shared is not None and state is StreamState.OFFLINE:
            await shared.forget(room)

    consumer = configured_sample_consumer()  # moderation's frame scanner once it is wired
    server = IngestServer(
        ingest_config(),
        db_authorize,
        sample_consumer=consumer,
        on_state_change=state_changed,
        on_health=shared,
    )
    await server.start()
    set_current_ingest(server)
    try:
        await stop.wait()
    finally:
        set_current_ingest(None)
        await server.close()
        await close_sample_consumer(consumer)
        if shared is not None:
            await shared.close()


def demo_broadcaster_argv(ffmpeg: str, url: str) -> list[str]:
    """A synthetic 720p30 performer: test pattern with a wall clock, a tone, 1 s GOP."""
    clock = "drawtext=text='%{localtime\\:%T}':fontsize=64:fontcolor=white:box=1:boxcolor=black@0.6:x=40:y=40"
    return [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size=1280x720:rate=30,{clock}",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=330:sample_rate=48000",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-tune",
        "zerolatency",
        "-g",
        "30",
        "-b:v",
        "2000k",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-f",
        "flv",
        url,
    ]


def _demo_key_sync(login: str) -> str | None:
    from stagedoor.accounts.models import User

    from .services import stream_key_rotate

    user = User.objects.filter(login=login).first()
    if user is None:
        return None
    return stream_key_rotate(user=user, actor="demo")


async def demo_broadcaster(stop: asyncio.Event) -> None:
    """Pushes the synthetic stream to the embedded ingest for the demo performer."""
    streaming = _streaming()
    login = streaming.demo_performer
    if not login:
        return
    while current_ingest() is None and not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.2)
    server = current_ingest()
    if server is None:
        return
    key = await sync_to_async(_demo_key_sync, thread_sensitive=False)(login)
    if key is None:
        log.info("no %s account (run `stagedoor demo`): demo broadcaster idle", login)
        return
    url = f"rtmp://127.0.0.1:{server.port}/live/{key}"
    while not stop.is_set():
        proc = await asyncio.create_subprocess_exec(
            *demo_broadcaster_argv(ffmpeg_binary(streaming.ffmpeg), url), start_new_session=True
        )
        waiter = asyncio.create_task(proc.wait())
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()
            return
        log.warning("demo broadcaster exited with %s; restarting", proc.returncode)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 2)

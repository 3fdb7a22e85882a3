"""The asyncio RTMP(S) ingest server: the thin I/O adapter around ``ServerSession``.

Stream keys are checked by an injected ``authorize(app, stream_key)`` coroutine that
returns a :class:`PublishGrant` or raises :class:`PublishRefused`; the Django layer
provides the real one (keys hashed in the database), tests provide a dict.
One publisher per room: a second one gets ``NetStream.Publish.BadName``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import health as health_mod
from .inspector import MediaInspector, MediaLimits
from .rtmp.chunks import VIDEO
from .rtmp.errors import PUBLISH_BAD_NAME, PUBLISH_REJECTED, RTMPError
from .rtmp.session import (
    MediaReceived,
    MetadataReceived,
    PublishEnded,
    PublishRequested,
    ServerSession,
    SessionLimits,
)
from .samples import FrameSampleConsumer
from .supervisor import HealthCallback, StateCallback, StreamState, StreamSupervisor, SupervisorConfig
from .transcoder.ladder import LadderPreset

log = logging.getLogger("stagedoor.streaming.ingest")


@dataclass(frozen=True, slots=True)
class PublishGrant:
    room: str
    limits: MediaLimits = field(default_factory=MediaLimits)
    preset: LadderPreset | None = None
    label: str = ""  # for logs: the performer's login, never the key


class PublishRefused(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


Authorizer = Callable[[str, str], Awaitable[PublishGrant]]


def ffmpeg_binary(configured: str = "") -> str:
    """The transcoder binary: ``configured`` (the caller passes ``STAGEDOOR_FFMPEG``) or the one in the
    imageio-ffmpeg wheel."""
    if configured:
        return configured
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@dataclass(frozen=True)
class IngestConfig:
    media_root: Path
    host: str = "0.0.0.0"  # noqa: S104 - an ingest listens for encoders on the network
    port: int = 1935
    tls_port: int | None = None
    ssl_context: ssl.SSLContext | None = None
    ffmpeg: str = ""
    grace_s: float = 15.0
    preset: LadderPreset = field(default_factory=LadderPreset)
    session_limits: SessionLimits = field(default_factory=SessionLimits)
    handshake_timeout_s: float = 10.0
    idle_timeout_s: float = 20.0
    # While a publisher streams, wait this long between socket reads so that one wake-up handles
    # several chunks (an encoder writes every RTMP chunk separately: hundreds of tiny reads a
    # second per stream otherwise). Adds at most this much latency; 0 reads as soon as data arrives.
    read_coalesce_s: float = 0.05
    read_size: int = 256 * 1024


class IngestServer:
    def __init__(
        self,
        config: IngestConfig,
        authorize: Authorizer,
        *,
        sample_consumer: FrameSampleConsumer | None = None,
        on_state_change: StateCallback | None = None,
        on_health: HealthCallback | None = None,
    ) -> None:
        self.config = config
        self._on_health = on_health
        self._authorize = authorize
        self._sample_consumer = sample_consumer
        self._on_state_change = on_state_change
        self.streams: dict[str, StreamSupervisor] = {}
        self._servers: list[asyncio.Server] = []
        self._connections: set[asyncio.Task[None]] = set()
        self._supervisor_config = SupervisorConfig(
            media_root=config.media_root,
            ffmpeg=config.ffmpeg or ffmpeg_binary(),
            grace_s=config.grace_s,
            preset=config.preset,
        )
        self.port: int | None = None
        self.tls_port: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None  # the loop it serves on, once started

    async def start(self) -> None:
        self.config.media_root.mkdir(parents=True, exist_ok=True)
        self.loop = asyncio.get_running_loop()
        server = await asyncio.start_server(self._on_connection, self.config.host, self.config.port)
        self._servers.append(server)
        self.port = server.sockets[0].getsockname()[1]
        if self.config.ssl_context is not None and self.config.tls_port is not None:
            tls = await asyncio.start_server(
                self._on_connection, self.config.host, self.config.tls_port, ssl=self.config.ssl_context
            )
            self._servers.append(tls)
            self.tls_port = tls.sockets[0].getsockname()[1]
        log.info(
            "RTMP ingest listening on %s:%s%s",
            self.config.host,
            self.port,
            f" (RTMPS on {self.tls_port})" if self.tls_port else "",
        )

    async def close(self) -> None:
        """Stop accepting, drop publishers, stop every transcoder and clean up."""
        for server in self._servers:
            server.close()
        for task in list(self._connections):
            task.cancel()
        for task in list(self._connections):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for stream in list(self.streams.values()):
            await stream.go_offline()
        self.streams.clear()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)
        self._servers = []

    def stream(self, room: str) -> StreamSupervisor | None:
        return self.streams.get(room)

    async def end_stream(self, room: str, reason: str) -> bool:
        """End a live stream now (trust & safety): the publisher gets an error status with ``reason``
        and is disconnected, the transcoder stops and the room goes offline at once (no reconnect
        grace). False if the room has no stream on this node."""
        stream = self.streams.get(room)
        if stream is None or stream.closed:
            return False
        log.warning("room %s: ending the stream: %s", room, reason)
        publisher = stream.publisher
        if isinstance(publisher, _Connection):
            publisher.end(reason)
        await stream.go_offline()
        return True

    async def _state_changed(self, room: str, state: StreamState) -> None:
        if state is StreamState.OFFLINE:
            stream = self.streams.get(room)
            if stream is not None and stream.state is StreamState.OFFLINE:
                del self.streams[room]
        if self._on_state_change is not None:
            result = self._on_state_change(room, state)
            if result is not None:
                await result

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await _Connection(self, reader, writer).run()
        except asyncio.CancelledError:
            # close() cancels live connections (run() cleans up in its finally). This is the top of the
            # connection's own task, so ending it normally is safe; a cancelled task here makes asyncio's
            # start_server callback log a bogus "exception never retrieved" traceback on some 3.12 releases.
            pass
        finally:
            self._connections.discard(task)


class _Connection:
    def __init__(self, server: IngestServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.session = ServerSession(server.config.session_limits)
        self.peer = writer.get_extra_info("peername")
        self.stream: StreamSupervisor | None = None
        self.stream_id: int | None = None
        self.inspector: MediaInspector | None = None
        self.grant: PublishGrant | None = None

    def end(self, reason: str) -> None:
        """Stop this publisher from the server side: an error status, then close the socket (the
        read loop sees end-of-file and finishes). The caller takes the stream offline."""
        self.stream = None
        if self.stream_id is not None:
            self.session.refuse_publish(self.stream_id, PUBLISH_REJECTED, reason)
            self.session.events()  # the PublishEnded this produces needs no handling: the stream is gone
        out = self.session.data_to_send()
        with contextlib.suppress(Exception):
            if out:
                self.writer.write(out)
            self.writer.close()  # buffered bytes are flushed before the transport closes

    async def run(self) -> None:
        session = self.session
        config = self.server.config
        try:
            while True:
                timeout = config.idle_timeout_s if session.app else config.handshake_timeout_s
                try:
                    data = await asyncio.wait_for(self.reader.read(config.read_size), timeout)
                except TimeoutError:
                    log.warning("rtmp %s: no data for %.0f s, closing", self.peer, timeout)
                    session.receive_eof()
                    await self._handle_events()
                    break
                if not data:
                    session.receive_eof()
                    await self._handle_events()
                    break
                session.receive_data(data)
                await self._flush()
                await self._handle_events()
                await self._flush()
                if session.close_after_flush:
                    break
                if self.stream is not None:
                    await self.stream.flush()
                    if config.read_coalesce_s > 0:
                        await self._coalesce(config.read_coalesce_s)
        except RTMPError as exc:
            health_mod.PROTOCOL_ERRORS.labels(exc.code).inc()
            log.warning("rtmp %s: closing: %s (%s)", self.peer, exc, exc.code)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            log.info("rtmp %s: connection lost: %s", self.peer, exc)
        finally:
            if self.stream is not None:
                stream, self.stream = self.stream, None
                await stream.detach(self)
            with contextlib.suppress(Exception):
                self.writer.close()
                await asyncio.wait_for(self.writer.wait_closed(), 2)

    async def _coalesce(self, seconds: float) -> None:
        """Let the kernel gather the next chunks: stop reading the socket for a moment (the
        transport would otherwise wake up for every chunk the encoder writes)."""
        transport = self.writer.transport
        if not isinstance(transport, asyncio.ReadTransport):  # pragma: no cover - stream transports read too
            return
        transport.pause_reading()
        try:
            await asyncio.sleep(seconds)
        finally:
            if not transport.is_closing():
                transport.resume_reading()

    async def _flush(self) -> None:
        out = self.session.data_to_send()
        if out:
            self.writer.write(out)
            await self.writer.drain()

    async def _handle_events(self) -> None:
        for event in self.session.events():
            if isinstance(event, MediaReceived):
                await self._on_media(event)
            elif isinstance(event, MetadataReceived):
                if self.inspector is not None and self.stream is not None:
                    violation = self.inspector.observe_metadata(event.metadata)
                    if violation is not None:
                        await self._refuse_mid_stream(event.stream_id, violation.message, violation.code)
                        return
                    await self.stream.metadata(event.metadata)
            elif isinstance(event, PublishRequested):
                await self._on_publish(event)
            elif isinstance(event, PublishEnded) and self.stream is not None:
                stream, self.stream = self.stream, None
                log.info("rtmp %s: room %s publish ended (%s)", self.peer, stream.room, event.reason)
                await stream.detach(self)

    async def _on_media(self, event: MediaReceived) -> None:
        inspector, stream = self.inspector, self.stream
        if inspector is None or stream is None:
            return
        if event.type_id == VIDEO:
            violation = inspector.observe_video(event.timestamp, event.payload)
        else:
            violation = inspector.observe_audio(event.timestamp, event.payload)
        if violation is not None:
            await self._refuse_mid_stream(event.stream_id, violation.message, violation.code)
            return
        await stream.media(event.type_id, event.timestamp, event.payload)

    async def _refuse_mid_stream(self, stream_id: int, message: str, code: str) -> None:
        log.warning("rtmp %s: refusing stream: %s", self.peer, message)
        health_mod.PUBLISH_REFUSED.labels(code).inc()
        self.session.refuse_publish(stream_id, PUBLISH_REJECTED, message)
        self.session.events()  # the PublishEnded this produces is handled right here
        if self.stream is not None:
            stream, self.stream = self.stream, None
            await stream.detach(self)

    async def _on_publish(self, event: PublishRequested) -> None:
        server = self.server
        try:
            grant = await server._authorize(event.app, event.stream_key)
        except PublishRefused as refused:
            health_mod.PUBLISH_REFUSED.labels(refused.code).inc()
            log.warning("rtmp %s: publish refused: %s (%s)", self.peer, refused.reason, refused.code)
            self.session.refuse_publish(event.stream_id, refused.code, refused.reason)
            return
        existing = server.streams.get(grant.room)
        if existing is not None and existing.has_publisher:
            health_mod.PUBLISH_REFUSED.labels(PUBLISH_BAD_NAME).inc()
            log.warning("rtmp %s: room %s already has a publisher", self.peer, grant.room)
            self.session.refuse_publish(
                event.stream_id, PUBLISH_BAD_NAME, "this room is already live from another encoder"
            )
            return
        if existing is None or existing.closed:
            existing = StreamSupervisor(
                grant.room,
                server._supervisor_config,
                preset=grant.preset,
                sample_consumer=server._sample_consumer,
                on_state_change=server._state_changed,
                on_health=server._on_health,
            )
            server.streams[grant.room] = existing
        self.grant = grant
        self.inspector = MediaInspector(grant.limits)
        self.stream = existing
        self.stream_id = event.stream_id
        await existing.attach(self, self.inspector)
        self.session.accept_publish(event.stream_id)
        log.info("rtmp %s: %s publishing to room %s", self.peer, grant.label or "publisher", grant.room)

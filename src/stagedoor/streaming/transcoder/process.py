"""One running ffmpeg: its own process group, FLV on stdin, progress on stdout.

Orphans are impossible by construction: ffmpeg reads its input from our pipe, so if
this process dies for any reason (even SIGKILL) ffmpeg sees end-of-file and exits; on
an orderly stop we close stdin, wait briefly, then SIGKILL the whole process group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections import deque
from collections.abc import Callable

from ..health import ProgressParser, TranscoderProgress

log = logging.getLogger("stagedoor.streaming.transcoder")


class TranscoderProcess:
    def __init__(self, argv: list[str], *, on_progress: Callable[[TranscoderProgress], None] | None = None) -> None:
        self.argv = argv
        self.proc: asyncio.subprocess.Process | None = None
        self.progress = ProgressParser()
        self.stderr_tail: deque[str] = deque(maxlen=40)
        self._on_progress = on_progress
        self._readers: list[asyncio.Task[None]] = []
        self._stdin_closed = False
        self.broken_pipe = False

    @property
    def stopping(self) -> bool:
        """True once we asked ffmpeg to finish: its exit is not a crash."""
        return self._stdin_closed

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode if self.proc else None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # own process group: killpg reaches every child
        )
        self._readers = [
            asyncio.create_task(self._read_progress(), name=f"ffmpeg-progress-{self.proc.pid}"),
            asyncio.create_task(self._read_stderr(), name=f"ffmpeg-stderr-{self.proc.pid}"),
        ]

    async def _read_progress(self) -> None:
        assert self.proc and self.proc.stdout
        async for raw in self.proc.stdout:
            block = self.progress.feed_line(raw.decode("utf-8", "replace"))
            if block is not None and self._on_progress is not None:
                self._on_progress(block)

    async def _read_stderr(self) -> None:
        assert self.proc and self.proc.stderr
        async for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                self.stderr_tail.append(line)
                log.debug("ffmpeg[%s]: %s", self.proc.pid, line)

    async def write(self, data: bytes) -> bool:
        """Write FLV bytes; False when ffmpeg is gone (the supervisor restarts it)."""
        if not data or self.proc is None or self.proc.stdin is None or self._stdin_closed:
            return False
        stdin = self.proc.stdin
        try:
            stdin.write(data)
            if stdin.transport.get_write_buffer_size() > 1 << 20:
                await stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            self.broken_pipe = True
            return False
        return True

    def close_stdin(self) -> None:
        if self.proc and self.proc.stdin and not self._stdin_closed:
            self._stdin_closed = True
            with contextlib.suppress(Exception):
                self.proc.stdin.close()

    async def wait(self) -> int:
        assert self.proc is not None
        code = await self.proc.wait()
        for task in self._readers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 1.0)
        return code

    def kill(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    async def stop(self, timeout: float = 3.0) -> int | None:
        """Close stdin so ffmpeg finishes its last segment; SIGKILL the group after ``timeout``."""
        if self.proc is None:
            return None
        self.close_stdin()
        try:
            return await asyncio.wait_for(asyncio.shield(self.proc.wait()), timeout)
        except TimeoutError:
            self.kill()
            return await self.proc.wait()
        finally:
            for task in self._readers:
                task.cancel()

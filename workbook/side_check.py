"""A check that runs beside a write, on the machine's second core.

A rescore checks the sheet XML it writes (every cell it does not own must read back as it was).
Reading a big sheet back takes as long as writing it, so on systems that can fork, the check runs
in a child process fed, through a pipe, with the very bytes the writer puts into the new package:
the two halves of the work overlap. The child answers with a small JSON result and the CRC-32 and
length of what it read, which the parent compares with the member in the zip it wrote, so the
check is of the bytes that were stored.

Where fork is missing (Windows) or the child cannot answer, `SideCheck.start` returns None or
`result()` returns None, and the caller checks the written file itself, as before.
"""
from __future__ import annotations

import gc
import json
import os
import signal
import zlib

PIPE_SIZE = 1 << 20  # Bytes a pipe holds on Linux when asked (the default 64 KB makes the two wait on each other).
_F_SETPIPE_SZ = 1031


class Undecided(Exception):
    """Raised by a check that cannot decide from one pass over the stream (the parent checks instead)."""


class _PipeReader:
    """The child's end of the pipe as a read-only binary stream, counting what passes."""

    def __init__(self, fd: int):
        self.file = os.fdopen(fd, "rb", buffering=PIPE_SIZE)
        self.crc = 0
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.file.read(n)
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        return data

    def drain(self) -> None:
        """Read what is left, so that the CRC covers the whole stream."""
        while self.read(PIPE_SIZE):
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class SideCheck:
    """check(stream) run in a child process while the parent feeds it bytes; see the module docstring."""

    def __init__(self, pid: int, feed_fd: int, result_fd: int):
        self.pid = pid
        self.feed_fd = feed_fd
        self.result_fd = result_fd
        self.broken = False  # The child stopped reading (it failed): its answer does not count.

    @classmethod
    def start(cls, check) -> SideCheck | None:
        """Fork a child that runs check(stream) on what feed() sends; None where fork is missing.

        check returns something JSON can write; it raises Undecided when it cannot decide.
        """
        if not hasattr(os, "fork"):
            return None
        feed_r, feed_w = os.pipe()
        result_r, result_w = os.pipe()
        try:
            import fcntl

            fcntl.fcntl(feed_w, _F_SETPIPE_SZ, PIPE_SIZE)
        except (ImportError, OSError):
            pass  # A smaller pipe: slower, still right.
        try:
            pid = os.fork()
        except OSError:
            for fd in (feed_r, feed_w, result_r, result_w):
                os.close(fd)
            return None
        if pid == 0:  # The child.
            cls._child(check, feed_r, result_w, (feed_w, result_r))
        os.close(feed_r)
        os.close(result_w)
        return cls(pid, feed_w, result_r)

    @staticmethod
    def _child(check, feed_fd: int, result_fd: int, parent_fds) -> None:
        """Run the check and write its answer; never returns. Nothing of the parent's may run here:
        no garbage collection (a finaliser could flush a file of the parent's), no exit handlers."""
        code = 1
        try:
            gc.disable()
            for fd in parent_fds:
                os.close(fd)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            stream = _PipeReader(feed_fd)
            try:
                answer = {"result": check(stream)}
            except Undecided as e:
                answer = {"undecided": str(e)}
            stream.drain()
            answer.update(crc=stream.crc, size=stream.size)
            data = json.dumps(answer).encode()
            while data:
                data = data[os.write(result_fd, data):]
            code = 0
        except BaseException:  # noqa: BLE001 - any failure: no answer, the parent checks instead.
            pass
        finally:
            os._exit(code)

    def feed(self, chunk: bytes) -> None:
        """Send bytes to the child (a child that failed is left alone; its answer is then ignored)."""
        if self.broken or self.feed_fd < 0:
            return
        view = memoryview(chunk)
        try:
            while view:
                view = view[os.write(self.feed_fd, view):]
        except OSError:  # BrokenPipeError: the child has gone.
            self.broken = True

    def end(self) -> None:
        """No more bytes: the child finishes its check."""
        if self.feed_fd >= 0:
            os.close(self.feed_fd)
            self.feed_fd = -1

    def result(self) -> dict | None:
        """The child's answer ({"result": ..., "crc": .., "size": ..} or {"undecided": why, ...}), or
        None when it has none (it failed or was fed only part of the stream)."""
        self.end()
        chunks = []
        try:
            while chunk := os.read(self.result_fd, 1 << 16):
                chunks.append(chunk)
        finally:
            os.close(self.result_fd)
            self.result_fd = -1
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
        if self.broken or status != 0 or not chunks:
            return None
        try:
            return json.loads(b"".join(chunks))
        except ValueError:
            return None

    def cancel(self) -> None:
        """Stop the child and reap it (a write that failed)."""
        self.end()
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = 0
        if self.result_fd >= 0:
            os.close(self.result_fd)
            self.result_fd = -1

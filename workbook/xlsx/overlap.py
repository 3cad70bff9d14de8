"""Decompressing and compressing beside the parsing: zlib lets go of the interpreter while it works.

A big sheet is read as the parser goes (4 MB at a time) and written as the patcher makes it. zlib
releases Python's global lock while it inflates or deflates, so a thread that does the zip side
lets the other core do it while this one parses or patches. `ReadAhead` wraps a member being read;
`WriteBehind` a member being written. Both keep at most a few chunks in flight, so memory stays
bounded, and an error in the thread is raised in the caller at the next call.
"""
from __future__ import annotations

import queue
import threading

_DEPTH = 2  # Chunks in flight.
_END = object()


class ReadAhead:
    """stream.read(size) done by a thread ahead of the caller; read(size) gives the same bytes."""

    def __init__(self, stream, size: int):
        self.stream, self.size = stream, size
        self.chunks: queue.Queue = queue.Queue(_DEPTH)
        self.buffer = b""
        self.done = False
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="leadscore-read-ahead", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                chunk = self.stream.read(self.size)
                self._put(chunk if chunk else _END)
                if not chunk:
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the reader.
            self._put(exc)

    def _put(self, item) -> None:
        while not self.stop.is_set():
            try:
                self.chunks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read(self, n: int = -1) -> bytes:
        while not self.done and (n < 0 or len(self.buffer) < n):
            item = self.chunks.get()
            if item is _END:
                self.done = True
            elif isinstance(item, BaseException):
                self.done = True
                raise item
            else:
                self.buffer = self.buffer + item if self.buffer else item
        if n < 0:
            data, self.buffer = self.buffer, b""
        else:
            data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class WriteBehind:
    """writer.write(chunk) done by a thread behind the caller."""

    def __init__(self, writer):
        self.writer = writer
        self.chunks: queue.Queue = queue.Queue(_DEPTH)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="leadscore-write-behind", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.chunks.get()
            if item is _END:
                return
            if self.error is None:
                try:
                    self.writer.write(item)
                except BaseException as exc:  # noqa: BLE001 - raised in the caller.
                    self.error = exc

    def write(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.chunks.put(chunk)

    def close(self) -> None:
        """Wait for every chunk to be written; raise what writing them raised."""
        self.chunks.put(_END)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def abandon(self) -> None:
        """The caller failed: stop the thread (what it raised no longer matters)."""
        self.error = self.error or RuntimeError("abandoned")
        if self.thread.is_alive():  # It takes chunks until the end mark, writing none of them now.
            self.chunks.put(_END)
            self.thread.join()

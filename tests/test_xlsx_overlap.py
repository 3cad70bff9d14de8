"""Decompressing ahead of the parser and compressing behind the patcher, in a thread."""
from __future__ import annotations

import io
import zipfile

import pytest

from workbook.xlsx.overlap import ReadAhead, WriteBehind


def _member(tmp_path, data: bytes):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sheet.xml", data)
    return zipfile.ZipFile(path)


@pytest.mark.slow
def test_read_ahead_gives_the_same_bytes_in_any_sizes(tmp_path):
    data = bytes(range(256)) * 40_000  # 10 MB.
    with _member(tmp_path, data) as zf:
        for size, asks in ((1 << 20, [1 << 20] * 11), (1000, [7, 1 << 22, 5_000_000, -1])):
            got = []
            with ReadAhead(zf.open("sheet.xml"), size) as stream:
                for n in asks:
                    got.append(stream.read(n))
                assert stream.read(10) == b""
            assert b"".join(got) == data


def test_read_ahead_closed_early_stops_its_thread(tmp_path):
    with _member(tmp_path, b"x" * 5_000_000) as zf:
        stream = ReadAhead(zf.open("sheet.xml"), 1000)
        assert stream.read(10) == b"x" * 10
        stream.close()
        assert not stream.thread.is_alive()


def test_read_ahead_raises_what_reading_raised():
    class Broken(io.RawIOBase):
        def read(self, n=-1):
            raise OSError("Input/output error")

    with pytest.raises(OSError, match="Input/output error"):
        with ReadAhead(Broken(), 100) as stream:
            stream.read(10)


def test_write_behind_keeps_the_order_and_waits_on_close():
    out = io.BytesIO()
    behind = WriteBehind(out)
    for k in range(200):
        behind.write(b"%d," % k)
    behind.close()
    assert out.getvalue() == b"".join(b"%d," % k for k in range(200))
    assert not behind.thread.is_alive()


def test_write_behind_raises_a_write_error_in_the_caller():
    class Full:
        def write(self, chunk):
            raise OSError(28, "No space left on device")

    behind = WriteBehind(Full())
    behind.write(b"a")
    with pytest.raises(OSError, match="No space left"):
        for _ in range(10):  # Raised by a later write, or at close at the latest.
            behind.write(b"b")
        behind.close()
    behind.abandon()
    assert not behind.thread.is_alive()

"""The check of a big patched sheet, run in a child process while the sheet is written."""
from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
import zlib

import openpyxl
import pytest

from workbook import packagebook, template, workflow
from workbook.errors import DiskProblem, WriteRefused
from workbook.side_check import SideCheck, Undecided

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the side check needs fork (not on Windows)")
AS_OF = dt.datetime(2026, 11, 2, 9, 0)


def _book(path, n=60):
    template.new_workbook(path, sample=n, seed=5, as_of=dt.datetime(2026, 11, 1, 9, 0))
    return path


def _no_children():
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_the_child_reads_every_byte_fed_and_answers():
    def check(stream):
        total = 0
        while chunk := stream.read(1000):
            total += chunk.count(b"x")
        return {"x": total}

    data = [b"x" * 70_000, b"abc", b"x" * 3_000_000]
    check_ = SideCheck.start(check)
    for chunk in data:
        check_.feed(chunk)
    answer = check_.result()
    whole = b"".join(data)
    assert answer == {"result": {"x": 3_070_000}, "crc": zlib.crc32(whole), "size": len(whole)}
    _no_children()


def test_a_check_that_cannot_decide_or_fails_gives_no_verdict():
    def undecided(stream):
        stream.read(10)
        raise Undecided("prefixed XML")

    def fails(stream):
        raise RuntimeError("broken")

    first = SideCheck.start(undecided)
    first.feed(b"y" * 100)
    assert first.result() == {"undecided": "prefixed XML", "crc": zlib.crc32(b"y" * 100), "size": 100}
    second = SideCheck.start(fails)
    second.feed(b"z" * 2_000_000)  # The child has gone: feeding it does not fail.
    assert second.result() is None
    _no_children()


def test_cancel_stops_and_reaps_the_child():
    def waits(stream):
        while stream.read(10):
            pass

    check = SideCheck.start(waits)
    check.feed(b"a")
    check.cancel()
    _no_children()


@pytest.fixture
def side_checked(monkeypatch):
    """Every patched sheet checked by a child, and the parent's own read of the sheet counted."""
    monkeypatch.setattr(packagebook, "SIDE_CHECK_BYTES", 0)
    reads = []
    real = packagebook.PackageBook._verify_sheet

    def verify_sheet(self, *args):
        reads.append(args[1])
        return real(self, *args)

    monkeypatch.setattr(packagebook.PackageBook, "_verify_sheet", verify_sheet)
    return reads


def test_a_rescore_checked_beside_the_write_gives_the_same_file(tmp_path, side_checked):
    one, two = _book(tmp_path / "one.xlsx"), tmp_path / "two.xlsx"
    two.write_bytes(one.read_bytes())
    workflow.run(one, as_of=AS_OF, steps=("rescore", "tasks"))
    assert side_checked == []  # The child answered: the parent did not read the sheet again.
    packagebook.SIDE_CHECK_BYTES = 1 << 40
    workflow.run(two, as_of=AS_OF, steps=("rescore", "tasks"))
    assert side_checked == ["Leads"]
    with zipfile.ZipFile(one) as a, zipfile.ZipFile(two) as b:
        assert a.namelist() == b.namelist()
        assert all(a.read(n) == b.read(n) for n in a.namelist())
    _no_children()


def test_a_cell_not_ours_changed_is_refused_by_the_child(tmp_path, monkeypatch, side_checked):
    book = _book(tmp_path / "book.xlsx")
    before = book.read_bytes()
    header = [c.value for c in openpyxl.load_workbook(book)["Leads"][1]]
    company = openpyxl.utils.get_column_letter(header.index("Company") + 1)
    real = packagebook.iter_patch_columns

    def tampered(xml, columns, **kwargs):
        for chunk in real(xml, columns, **kwargs):
            yield re.sub(rb'<c r="%s3"[^>]*?(/>|>.*?</c>)' % company.encode(),
                         rb'<c r="%s3"><v>7</v></c>' % company.encode(), chunk, count=1)

    monkeypatch.setattr(packagebook, "iter_patch_columns", tampered)
    with pytest.raises(WriteRefused) as caught:
        workflow.run(book, as_of=AS_OF)
    assert str(caught.value) == (f"book.xlsx was not changed: the cell Leads!{company}3, which is not Lead "
                                 "Score's, would have changed (a defect of Lead Score; please report it)")
    assert side_checked == []
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]
    _no_children()


def test_a_sheet_stored_otherwise_than_checked_is_refused(tmp_path, monkeypatch, side_checked):
    book = _book(tmp_path / "book.xlsx")
    before = book.read_bytes()
    real = SideCheck.result

    def other_bytes(self):
        answer = real(self)
        answer["crc"] ^= 1
        return answer

    monkeypatch.setattr(SideCheck, "result", other_bytes)
    with pytest.raises(WriteRefused) as caught:
        workflow.run(book, as_of=AS_OF)
    assert str(caught.value) == ("book.xlsx was not changed: the sheet Leads was not written as it was checked "
                                 "(a defect of Lead Score; please report it)")
    assert book.read_bytes() == before
    _no_children()


def test_without_a_verdict_the_parent_reads_the_written_sheet(tmp_path, monkeypatch, side_checked):
    book = _book(tmp_path / "book.xlsx")

    def no_checker(plan, path, view):
        def check(stream):
            raise Undecided("not this time")
        return check

    monkeypatch.setattr(packagebook, "side_checker", no_checker)
    workflow.run(book, as_of=AS_OF)
    assert side_checked == ["Leads"]
    assert workflow.read_leads(book)["Grade"].notna().all()
    _no_children()


def test_a_failed_write_leaves_no_child_behind(tmp_path, monkeypatch, side_checked):
    book = _book(tmp_path / "book.xlsx")
    before = book.read_bytes()
    real = packagebook.iter_patch_columns

    def breaks(xml, columns, **kwargs):
        for chunk in real(xml, columns, **kwargs):
            yield chunk
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(packagebook, "iter_patch_columns", breaks)
    with pytest.raises(DiskProblem) as caught:
        workflow.run(book, as_of=AS_OF)
    assert str(caught.value) == (f"Cannot write {book}: the disk is full (no space left in {tmp_path}); free some "
                                 "space and run again. Nothing was changed.")
    assert book.read_bytes() == before
    _no_children()

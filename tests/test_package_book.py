"""The package backend's own bookkeeping: shared-string counts, blank output cells, streamed sheets."""
from __future__ import annotations

import pytest

import datetime as dt
import re
import zipfile

import openpyxl

from workbook import template, workflow


def _parts(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _book(path, n=40):
    template.new_workbook(path, sample=n, seed=5, as_of=dt.datetime(2026, 11, 1, 9, 0))
    return path


@pytest.mark.slow
def test_shared_string_counts_match_the_cells_after_rescores(tmp_path):
    book = _book(tmp_path / "book.xlsx")
    for day in (2, 3, 4):
        workflow.run(book, as_of=dt.datetime(2026, 11, day, 9, 0), steps=("rescore", "tasks", "report"))
        parts = _parts(book)
        sst = parts["xl/sharedStrings.xml"]
        unique = len(re.findall(rb"<si>", sst))
        refs = sum(len(re.findall(rb'<c [^>]*t="s"', data)) for name, data in parts.items()
                   if name.startswith("xl/worksheets/sheet"))
        head = sst[:sst.index(b">", sst.index(b"<sst")) + 1]
        assert int(re.search(rb'uniqueCount="(\d+)"', head).group(1)) == unique
        assert int(re.search(rb'count="(\d+)"', head).group(1)) == refs
        # Every reference points at a string that exists.
        indexes = [int(i) for data in parts.values() for i in re.findall(rb't="s"[^>]*><v>(\d+)</v>', data)]
        assert max(indexes) < unique


def test_blank_outputs_leave_empty_cells_that_read_as_blank(tmp_path):
    book = _book(tmp_path / "book.xlsx")
    workflow.run(book, as_of=dt.datetime(2026, 11, 2, 9, 0))
    ws = openpyxl.load_workbook(book)["Leads"]
    header = [c.value for c in ws[1]]
    problems = header.index("Problems") + 1
    blank_rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, problems).value is None]
    assert blank_rows  # Most sample leads have no problem.
    sheet = _parts(book)["xl/worksheets/sheet1.xml"]
    letter = openpyxl.utils.get_column_letter(problems)
    for r in blank_rows[:5]:
        cell = re.search(rb'<c r="%s%d"[^>]*?(/>|>.*?</c>)' % (letter.encode(), r), sheet).group(0)
        assert cell.endswith(b"/>") and b"<v>" not in cell
    # And the next rescore changes nothing a person sees.
    before = workflow.read_leads(book)
    workflow.run(book, as_of=dt.datetime(2026, 11, 2, 9, 0))
    assert workflow.read_leads(book).equals(before)


def test_a_write_that_would_change_a_cell_not_ours_is_refused(tmp_path, monkeypatch):
    # The check before saving is real: make the patcher also change an input cell (Company of
    # the first lead) and the save is refused, naming the cell, with the file left as it was.
    from workbook import packagebook
    from workbook.errors import WriteRefused
    import pytest

    book = _book(tmp_path / "book.xlsx")
    before = (tmp_path / "book.xlsx").read_bytes()
    header = [c.value for c in openpyxl.load_workbook(book)["Leads"][1]]
    company = openpyxl.utils.get_column_letter(header.index("Company") + 1)
    real = packagebook.iter_patch_columns

    def tampered(xml, columns, **kwargs):
        for chunk in real(xml, columns, **kwargs):
            yield re.sub(rb'<c r="%s2"[^>]*?(/>|>.*?</c>)' % company.encode(),
                         rb'<c r="%s2" t="inlineStr"><is><t>Changed</t></is></c>' % company.encode(), chunk,
                         count=1)

    monkeypatch.setattr(packagebook, "iter_patch_columns", tampered)
    with pytest.raises(WriteRefused) as caught:
        workflow.run(book, as_of=dt.datetime(2026, 11, 2, 9, 0))
    assert str(caught.value) == (f"book.xlsx was not changed: the cell Leads!{company}2, which is not Lead "
                                 "Score's, would have changed (a defect of Lead Score; please report it)")
    assert (tmp_path / "book.xlsx").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_shared_strings_that_would_not_only_grow_are_refused(tmp_path, monkeypatch):
    from workbook.errors import WriteRefused
    from workbook.xlsx import patch
    import pytest

    book = _book(tmp_path / "book.xlsx")
    before = book.read_bytes()
    real = patch.SharedStrings.xml

    def reordered(self):  # A defect that rewrites an existing string.
        return real(self).replace(b"<t>Lead ID</t>", b"<t>Lead Id</t>", 1)

    monkeypatch.setattr(patch.SharedStrings, "xml", reordered)
    with pytest.raises(WriteRefused) as caught:
        workflow.run(book, as_of=dt.datetime(2026, 11, 2, 9, 0))
    assert str(caught.value) == ("book.xlsx was not changed: its shared strings (xl/sharedStrings.xml) would "
                                 "have changed, not only grown (a defect of Lead Score; please report it)")
    assert book.read_bytes() == before

"""The package backend's own bookkeeping: shared-string counts, blank output cells, streamed sheets."""
from __future__ import annotations

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

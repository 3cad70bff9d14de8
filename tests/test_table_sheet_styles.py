"""The header cells of our Tasks, History and Duplicates sheets are bold on grey in the cells
themselves (LibreOffice shows no table style), whichever backend writes them."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

import xlstub
from workbook import template, workflow
from workbook.filebook import FileBook
from workbook.xlbook import XlBook

AS_OF = dt.datetime(2026, 11, 23, 8, 0)
SHEETS = ("Tasks 2026-11-23", "History", "Duplicates")


def _book(path):
    template.new_workbook(path, sample=20, seed=3, as_of=dt.datetime(2026, 11, 1, 9, 0))
    return path


def _header_styles(path, title) -> set:
    """(bold, fill) of every header cell of the sheet's table."""
    ws = openpyxl.load_workbook(path)[title]
    (table,) = ws.tables.values()
    first = ws[table.ref][0]
    return {(c.font.b, c.fill.fill_type, c.fill.fgColor.rgb) for c in first}


@pytest.mark.slow
def test_the_package_layer_writes_bold_grey_headers_on_every_table_sheet(tmp_path):
    book = _book(tmp_path / "book.xlsx")
    workflow.run(book, as_of=AS_OF, steps=("rescore", "tasks"))
    for title in SHEETS:
        assert _header_styles(book, title) == {(True, "solid", "FFD9D9D9")}, title
    note = openpyxl.load_workbook(book)["Tasks 2026-11-23"][1]  # The sample team's note, shaded across.
    assert note[0].value.startswith("Note: ") and {(c.font.b, c.fill.fgColor.rgb) for c in note} == {
        (True, "FFFFF2CC")} and len(note) == 10
    body = openpyxl.load_workbook(book)["Tasks 2026-11-23"]["A5"]
    assert not body.font.b and body.fill.fill_type is None  # Only the header row.


def test_the_openpyxl_backend_writes_bold_grey_headers_and_the_note(tmp_path):
    book = _book(tmp_path / "book.xlsx")
    with FileBook(book) as fb:
        fb.put_table_sheet("Tasks 2026-11-23", "tblTasks20261123", ["Lead ID", "Task"], [("L1", "Call")],
                           note="Note: a sample team.")
        fb.append_table_rows("History", "tblHistory", ["Lead ID", "When"], [("L1", AS_OF)])
        fb.save()
    assert _header_styles(book, "Tasks 2026-11-23") == {(True, "solid", "FFD9D9D9")}
    assert _header_styles(book, "History") == {(True, "solid", "FFD9D9D9")}
    ws = openpyxl.load_workbook(book)["Tasks 2026-11-23"]
    assert [(c.value, c.font.b, c.fill.fgColor.rgb) for c in ws[1]] == [
        ("Note: a sample team.", True, "FFFFF2CC"), (None, True, "FFFFF2CC")]  # Shaded across the table.
    assert ws.tables["tblTasks20261123"].ref == "A3:B4" and ws.freeze_panes == "A4"


@pytest.mark.slow
def test_excel_through_xlwings_gets_bold_grey_headers_and_the_note(tmp_path):
    book = xlstub.from_file(_book(tmp_path / "book.xlsx"))
    workflow.run_book(XlBook(book), AS_OF, ("rescore", "tasks"))
    tasks = book.sheets["Tasks 2026-11-23"]
    assert tasks.cells[(1, 1)].startswith("Note: ")
    assert [{k: tasks.formats[(1, c)].get(k) for k in ("bold", "color")} for c in (1, 10)] == [
        {"bold": True, "color": (255, 242, 204)}] * 2
    for title, row in (("Tasks 2026-11-23", 3), ("History", 1), ("Duplicates", 1)):
        sheet = book.sheets[title]
        width = max(c for r, c in sheet.cells if r == row)
        assert [{k: sheet.formats[(row, c)].get(k) for k in ("bold", "color")} for c in range(1, width + 1)] == \
            [{"bold": True, "color": (217, 217, 217)}] * width, title

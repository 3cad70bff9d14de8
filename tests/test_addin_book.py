"""The workflow through live Excel (XlBook), checked on a recording stand-in of xlwings.

The stand-in (xlstub.py) delivers values as xlwings does and converts written
text as Excel does, so these tests see what a user would see in the cells.
"""
from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter

import openpyxl
import pytest

import xlstub
from addin import macros
from scoring.defaults import header
from workbook import template, workflow
from workbook.xlbook import XlBook, bounds, cell_value
from workbooks import AS_OF, edit, known_book

ALL = ("rescore", "tasks", "report")
VALUE_CALLS = ("read", "write")


def _sample_book(path, n: int):
    template.new_workbook(path, sample=n, seed=3, as_of=dt.datetime(2026, 11, 1, 9, 0))
    return path


def _as_stored(v):
    """A file value as Excel stores it (numbers are doubles; dates are date-times)."""
    if v == "":
        return None  # A cell holding an empty string reads as empty through xlwings.
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    return v


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-15)
    return a == b


def _written_by_file_run(src, tmp_path, steps=ALL):
    copy = tmp_path / "file-run.xlsx"
    shutil.copy(src, copy)
    workflow.run(copy, as_of=AS_OF, steps=steps)
    return openpyxl.load_workbook(copy)


def _compare(wb, book, sheets):
    """Every cell of these sheets: the file run's value equals what the stand-in holds."""
    for title in sheets:
        ws, sheet = wb[title], book.sheets[title]
        for row in ws.iter_rows():
            for c in row:
                expected = _as_stored(c.value)
                got = sheet.cells.get((c.row, c.column))
                assert _same(expected, got), f"{title}!{c.coordinate}: file {expected!r}, Excel {got!r}"
        extra = [k for k in sheet.cells if ws.cell(*k).value is None]
        assert extra == [], f"{title}: cells written only through Excel: {extra[:5]}"


@pytest.mark.parametrize("lite", [False, True], ids=["desktop", "lite"])
@pytest.mark.parametrize("n", [10, pytest.param(300, marks=pytest.mark.slow)])
def test_same_outputs_as_the_file_backend(tmp_path, n, lite):
    src = _sample_book(tmp_path / "book.xlsx", n)
    wb = _written_by_file_run(src, tmp_path)
    book = xlstub.from_file(src, lite=lite)
    workflow.run_book(XlBook(book), AS_OF, ALL)
    assert [s.name for s in book.sheets] == wb.sheetnames
    _compare(wb, book, ["Leads", "History", "Tasks 2026-11-23", "Report", "LeadScore"])


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sizes")
    return {n: xlstub.from_file(_sample_book(folder / f"book{n}.xlsx", n)) for n in (10, 10_000)}


def _calls(books, n: int, steps) -> Counter:
    book = books[n]
    book.start_script()
    workflow.run_book(XlBook(book), AS_OF, steps)
    return Counter(kind for kind, *_ in book.log)


@pytest.mark.slow
def test_range_calls_do_not_grow_with_the_leads(books):
    rescore_small, rescore_large = _calls(books, 10, ("rescore",)), _calls(books, 10_000, ("rescore",))
    assert rescore_small == rescore_large
    # One read for the LeadScore blocks, one for the Leads table and one for the formulas of
    # its first row; one write for the output columns, one for the History rows and one for the
    # Duplicates sheet (the template looks for duplicates: the sheet is written afresh each time).
    assert rescore_large["read"] == 3 and rescore_large["write"] == 3, rescore_large
    small, large = _calls(books, 10, ALL), _calls(books, 10_000, ALL)
    # This second run also reads History (for the report); it writes the outputs, the
    # enrolment columns, the Duplicates, Tasks and Report sheets (no scores changed: no History rows).
    assert small["read"] + small["write"] == large["read"] + large["write"] <= 12, large
    assert small["write"] == large["write"] == 5, large
    # The Leads headers' styles and widths (issue 14) are a few calls per column, the same for any count of leads.
    assert sum(large.values()) <= 200, large


def test_second_rescore_reads_history_once_and_appends(tmp_path):
    src = known_book(tmp_path / "known.xlsx")
    book = xlstub.from_file(src)
    workflow.run_book(XlBook(book), AS_OF, ("rescore",))
    history = book.sheets["History"]
    first = history.value_rows()
    assert len(first) == 1 + 5  # Header and one row per lead (all new).
    book.start_script()
    workflow.run_book(XlBook(book), AS_OF + dt.timedelta(days=1), ("rescore", "report"))
    assert history.value_rows() == first  # Nothing changed, nothing appended, nothing rewritten.
    assert Counter(k for k, *_ in book.log)["read"] == 4  # LeadScore, Leads, its formulas, History.


def test_lead_text_never_becomes_a_formula_or_a_number(tmp_path):
    src = known_book(tmp_path / "known.xlsx")
    book = xlstub.from_file(src)
    workflow.run_book(XlBook(book), AS_OF, ALL)
    formulas = [(s.name, k, v) for s in book.sheets for k, v in s.cells.items()
                if isinstance(v, xlstub.Formula)]
    assert formulas == []
    tasks = book.sheets["Tasks 2026-11-23"].value_rows()
    companies = {row[2] for row in tasks[1:]}
    assert '=HYPERLINK("http://evil","x")' in companies
    history_ids = [row[0] for row in book.sheets["History"].value_rows()[1:]]
    assert history_ids == ["L1", "L2", "L3", "L4", "L5"]


@pytest.mark.parametrize("text, written", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("00123", "'00123"), ("TRUE", "'TRUE"), ("#N/A", "'#N/A"), ("'quoted", "''quoted"),
    ("Anna", "Anna"), ("A85", "A85"), ("\u221210 behaviour", "\u221210 behaviour"), ("", None)])
def test_text_is_written_so_excel_keeps_it_text(text, written):
    assert cell_value(text) == written
    if written is not None:
        assert xlstub.excel_converts(written) == text


def test_a_bad_leadscore_sheet_writes_nothing_and_says_where(tmp_path):
    src = known_book(tmp_path / "known.xlsx")
    edit(src, "LeadScore", {"E5": "abc"})
    book = xlstub.from_file(src)
    text = macros.rescore(book)
    assert text == "Nothing was changed: 1 problem(s).\nLeadScore!E5: points 'abc' is not a number"
    assert book.app.alerts == [("Lead Score", text)]
    assert [k for k, *_ in book.log if k not in ("read", "options")] == []


def test_macros_summarise_for_the_user(tmp_path):
    src = known_book(tmp_path / "known.xlsx")
    book = xlstub.from_file(src)
    text = macros.run_all(book, as_of=AS_OF)
    lines = text.splitlines()
    assert lines[0] == "5 leads scored (Customer 1, Lead 1, MQL 2, SQL 1)."
    assert lines[1] == "New SQLs: L3 Carla Bianchi (A100)."
    assert lines[-1] == "Report sheet updated."
    assert "Tasks 2026-11-23" in [s.name for s in book.sheets]


def test_tasks_twice_the_same_day_replace_the_sheet(tmp_path):
    src = known_book(tmp_path / "known.xlsx")
    book = xlstub.from_file(src, lite=True)
    macros.tasks(book, as_of=AS_OF, quiet=True)
    first = book.sheets["Tasks 2026-11-23"].value_rows()
    book.start_script()
    macros.tasks(book, as_of=AS_OF, quiet=True)
    names = [s.name for s in book.sheets]
    assert names.count("Tasks 2026-11-23") == 1
    assert book.sheets["Tasks 2026-11-23"].value_rows() == first


def test_output_columns_missing_from_the_table_are_added(tmp_path):
    src = known_book(tmp_path / "known.xlsx")
    wb = openpyxl.load_workbook(src)
    ws = wb["Leads"]
    table = ws.tables["tblLeads"]
    min_col, min_row, max_col, max_row = openpyxl.utils.range_boundaries(table.ref)
    # Drop the last column (Sequence start) from the table, as a user might.
    last = openpyxl.utils.get_column_letter(max_col - 1)
    table.ref = f"A{min_row}:{last}{max_row}"
    table.autoFilter.ref = table.ref
    table.tableColumns = table.tableColumns[:-1]
    for r in range(min_row, max_row + 1):
        ws.cell(r, max_col).value = None
    wb.save(src)
    book = xlstub.from_file(src)
    macros.tasks(book, as_of=AS_OF, quiet=True)
    leads = book.sheets["Leads"]
    assert leads.cells[(1, max_col)] == header("sequence_start", "en")
    assert leads.tables[0].bounds == [1, 1, max_row, max_col]


def test_bounds_reads_excel_addresses():
    assert bounds("$A$1:$AH$10001") == (1, 1, 10001, 34)
    assert bounds("Leads!B3") == (3, 2, 3, 2)


@pytest.mark.slow
def test_the_add_in_paths_need_no_template_cli_or_calendar_libraries():
    """What runs inside Excel (and in Pyodide for xlwings Lite) imports only the engine, pandas and openpyxl."""
    import subprocess
    import sys

    code = ("import sys\n"
            "for blocked in ('xlsxwriter', 'click', 'icalendar', 'xlwings'):\n"
            "    sys.modules[blocked] = None\n"
            "import addin.macros, addin.udf_core\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout == "ok\n", done.stderr

"""Any value in any cell of any LeadScore block: a sensible result, or errors that name cells.

Hypothesis puts random values (text, numbers, booleans, dates, error values, formulas'
results, huge numbers, long text, blanks) into random cells of every block of the
LeadScore sheet, including headers and the row just below each table, then runs check,
rescore, tasks and report through the workflow on a stand-in of live Excel (xlstub):
nothing may raise but SheetError; every error names a LeadScore cell; a failed run writes
nothing; a run that succeeds gives reasons adding up to each score, within the score limits.
A smaller run goes through the command line on real files: no traceback, and a file that
was refused is byte-for-byte unchanged.
"""
from __future__ import annotations

import copy
import datetime as dt
import re

import openpyxl
import pytest
from conftest import examples
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

import xlstub
from addin.cli import cli
from scoring.explain import Reason, number_text
from workbook import template, workflow
from workbook.errors import SheetError
from workbook.layout import BLOCKS, MODEL_SHEET
from workbook.xlbook import XlBook
from workbooks import AS_OF, sha256

STEPS = ("rescore", "tasks", "report")
CELL = re.compile(r"^[A-Z]{1,3}[1-9][0-9]*$")

TEXTS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "   ", "abc", "1,5", "1.5", "1.200", "1e308", "1e999", "-1e999", "nan", "inf",
                     "TRUE", "=SUM(A1)", "#N/A", "#VALUE!", "#REF!", "in", "not in", "between", "IN ",
                     "is blank", ">=", "1;2", "5;1", ";", "A;B", "Email", "sms", "Phone", "auto", ",", ".",
                     "it", "en", "Role", "Industry", "Employees", "Stage", "Customer", "SQL", "MQL", "A", "B",
                     "Standard", "Marketing", "Sales", "2026-12-25", "25/12/2026", "x" * 40_000,
                     "\u2212" + "5", "1\u00a0000", "Pricing page visits", "Lead"]))
NUMBERS = st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from([0, 1, -1, 0.5, 3, 45, 50, 90, 100, 1e308, -1e308, 2**63, 1e-9,
                                     1 / 3, 46000.0, 3650, 3651, 99, 100]))
VALUES = st.one_of(TEXTS, NUMBERS, st.booleans(), st.none(),
                   st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)))


@pytest.fixture(scope="module")
def template_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "book.xlsx"
    template.new_workbook(path, sample=25, seed=11, as_of=dt.datetime(2026, 11, 2, 9, 0))
    book = xlstub.from_file(path)
    spots = {t.name: tuple(t.bounds) for t in book.sheets[MODEL_SHEET].tables}
    return path, book, spots


def _cells(spots):
    """Every cell of every LeadScore table, and the row just below it."""
    out = []
    for block in BLOCKS:
        r1, c1, r2, c2 = spots[block.table]
        out += [(r, c) for r in range(r1, r2 + 2) for c in range(c1, c2 + 1)]
    return out


def _stored(value):
    """What Excel holds for a value typed into a cell (numbers are doubles; a formula shows its result)."""
    return xlstub.excel_converts(value) if not isinstance(value, str) else value


def _check_outputs(report, model_settings) -> None:
    """Reasons add up to every score; scores stay within the limits; ratings read grade + score."""
    frame = report.outputs
    scored = report.scored
    low, high = float(model_settings.score_min), float(model_settings.score_max)
    for position, (score, grade, rating) in enumerate(zip(frame["score"], frame["grade"], frame["rating"])):
        points = sum(item.points for item in scored.reasons.of(position) if isinstance(item, Reason))
        assert round(points, 6) == round(float(score), 6), (position, scored.reasons.of(position), score)
        assert low <= float(score) <= high
        assert rating == f"{grade}{number_text(score)}"


def _run_corrupted(template_book, changes) -> None:
    _, original, spots = template_book
    book = copy.deepcopy(original)
    sheet = book.sheets[MODEL_SHEET]
    for (r, c), value in changes:
        stored = _stored(value)
        if stored is None or stored == "":
            sheet.cells.pop((r, c), None)
        else:
            sheet.cells[(r, c)] = stored
    book.start_script()
    before = {s.name: dict(s.cells) for s in book.sheets}
    report = workflow.check_book(XlBook(book))
    for line in report.errors:
        where, _, message = line.partition(": ")
        assert where.startswith(f"{MODEL_SHEET}!") and CELL.match(where.split("!")[1]), line
        assert message, line
    try:
        result = workflow.run_book(XlBook(book), AS_OF, STEPS)
    except SheetError as exc:
        assert report.errors, exc.messages  # check said so first
        assert exc.messages == report.errors
        assert {s.name: dict(s.cells) for s in book.sheets} == before, "a failed run wrote"
        assert book.log.count("write") == 0
        event("refused with cell errors")
        return
    assert not report.errors
    _check_outputs(result, result.scored.checked.settings)
    event("scored" + (" with warnings" if result.model_warnings else ""))


def corruptions(draw_cells):
    return st.lists(st.tuples(st.sampled_from(draw_cells), VALUES), min_size=1, max_size=4)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
@pytest.mark.slow
def test_corrupted_cells_give_results_or_cell_errors(template_book, data):
    changes = data.draw(corruptions(_cells(template_book[2])))
    _run_corrupted(template_book, changes)


@pytest.mark.slow
@settings(max_examples=1200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_corrupted_cells_thoroughly(template_book, data):
    changes = data.draw(corruptions(_cells(template_book[2])))
    _run_corrupted(template_book, changes)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_corrupted_files_through_the_command_line(template_book, tmp_path_factory, data):
    path, _, spots = template_book
    changes = data.draw(corruptions(_cells(spots)))
    folder = tmp_path_factory.mktemp("cli")
    book = folder / "book.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb[MODEL_SHEET]
    for (r, c), value in changes:
        if isinstance(value, str):  # A file cannot hold control characters (Excel escapes them).
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if isinstance(value, str) and value.startswith("="):
            ws.cell(r, c).value = value
            ws.cell(r, c).data_type = "s"  # Typed as text; a formula's result is covered above.
        else:
            ws.cell(r, c).value = value
    wb.save(book)
    for command in (["check"], ["rescore"], ["tasks", "--csv", str(folder / "t.csv")], ["report"]):
        before = sha256(book)
        result = CliRunner().invoke(cli, [command[0], str(book), *command[1:], "--as-of", "2026-11-23"]
                                    if command[0] != "check" else ["check", str(book)])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output and "unexpected" not in result.output, result.output
        if result.exit_code != 0:
            assert sha256(book) == before
            assert not (folder / "t.csv").exists() or command[0] != "tasks"
            lines = [l for l in result.output.splitlines() if l.startswith("  ")]
            assert all(l.strip().startswith(f"{MODEL_SHEET}!") for l in lines), result.output

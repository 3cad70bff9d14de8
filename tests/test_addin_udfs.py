"""In-cell functions (LEADGRADE, LEADSCORE, ...) called with values shaped as xlwings delivers them."""
from __future__ import annotations

import inspect

import openpyxl
import pytest
from click.testing import CliRunner

from addin import udf_core, udfs
from addin.cli import cli
from scoring import default_model, score
from workbook import template, workflow
from workbook.layout import LEADS_TABLE, LISTS_COLUMN, MODEL_ROWS, model_area
from workbooks import AS_OF, edit, known_book


def _xl(v):
    """A value as xlwings hands it to a function: numbers as floats, blanks as None."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return float(v)
    if v == "":
        return None
    return v


def _model_values(path) -> list[list]:
    ws = openpyxl.load_workbook(path, data_only=True)["LeadScore"]
    return [[_xl(v) for v in row] for row in ws.iter_rows(min_row=1, max_row=MODEL_ROWS, max_col=LISTS_COLUMN - 1,
                                                            values_only=True)]


def _leads(path):
    ws = openpyxl.load_workbook(path, data_only=True)["Leads"]
    table = ws.tables[LEADS_TABLE]
    rows = [[_xl(v) for v in r] for r in ws.iter_rows(min_row=1, max_row=openpyxl.utils.range_boundaries(
        table.ref)[3], values_only=True)]
    inputs = [i for i, h in enumerate(rows[0]) if h == "Lead ID"][0], rows[0].index("Unsubscribed or bounced")
    cut = slice(inputs[0], inputs[1] + 1)
    return [rows[0][cut]], [r[cut] for r in rows[1:]]


@pytest.fixture()
def known(tmp_path):
    path = known_book(tmp_path / "known.xlsx")
    headers, rows = _leads(path)
    return path, headers, rows, _model_values(path)


@pytest.mark.slow
def test_one_row_gives_one_value_the_design_examples(known):
    _, headers, rows, model = known
    assert udfs.LEADRATING([rows[0]], headers, model) == "A85"
    assert udfs.LEADSTATUS([rows[0]], headers, model) == "MQL"
    assert udfs.LEADACTION([rows[0]], headers, model) == "Priority contact"
    assert udfs.LEADFIT([rows[0]], headers, model) == 50
    assert udfs.LEADBEHAVIOUR([rows[0]], headers, model) == 35
    assert udfs.LEADRATING([rows[1]], headers, model) == "B50"
    assert udfs.LEADGRADE([rows[1]], headers, model) == "B"
    assert udfs.LEADSCORE([rows[1]], headers, model) == 50
    assert udfs.LEADREASONS([rows[1]], headers, model) == \
        "Role level ≥ 3 +15; Employees > 50 +10; Annual revenue > 1,000,000 +15; White paper / case study downloaded +10"


@pytest.mark.slow
def test_whole_columns_give_a_column_equal_to_the_engine(tmp_path):
    path = tmp_path / "sample.xlsx"
    template.new_workbook(path, sample=300, seed=5)
    headers, rows = _leads(path)
    model = _model_values(path)
    expected = score(workflow.read_leads(path, outputs=False), default_model(hygiene=True))
    for name in udf_core.NAMES:
        got = getattr(udfs, "LEAD" + name)(rows, headers, model)
        want = [[v.item() if hasattr(v, "item") else v] for v in expected[name.lower()]]
        want = [[int(v[0]) if isinstance(v[0], float) and v[0].is_integer() else v[0]] for v in want]
        assert got == want, name


@pytest.mark.slow
def test_a_weight_edited_on_the_sheet_changes_the_result(known):
    path, headers, rows, _ = known
    edit(path, "LeadScore", {"E4": 5})  # Role level >= 3: 15 points -> 5.
    model = _model_values(path)
    assert udfs.LEADRATING([rows[0]], headers, model) == "B75"


def test_blank_rows_give_empty_cells(known):
    _, headers, rows, model = known
    blank = [None] * len(headers[0])
    assert udfs.LEADGRADE([rows[0], blank, rows[1]], headers, model) == [["A"], [""], ["B"]]


@pytest.mark.slow
def test_bad_model_is_a_short_message_naming_the_cell(known):
    path, headers, rows, _ = known
    edit(path, "LeadScore", {"E5": "abc"})
    assert udfs.LEADSCORE([rows[0]], headers, _model_values(path)) == \
        "Error: LeadScore!E5: points 'abc' is not a number"


def test_a_rule_on_a_column_not_passed_is_named(known):
    _, headers, rows, model = known
    short = [headers[0][:5]]
    got = udfs.LEADSCORE([rows[0][:5]], short, model)
    assert got == ("Error: LeadScore!B5: lead column 'Industry' is not a column of the leads "
                   "(none of its 5 headers is close) (and 11 more)")


def test_leads_and_headers_must_match(known):
    _, headers, rows, model = known
    assert udfs.LEADGRADE([rows[0][:3]], headers, model) == \
        f"Error: the leads have 3 columns but the headers {len(headers[0])}; pass the same columns for both"


def test_unknown_function_name_lists_the_valid_ones(known):
    _, headers, rows, model = known
    assert udf_core.call("LEADFOO", [rows[0]], headers, model) == (
        "Error: 'LEADFOO' is not a Lead Score function (LEADFIT, LEADGRADE, LEADBEHAVIOUR, LEADSCORE, "
        "LEADRATING, LEADSTATUS, LEADACTION, LEADREASONS, LEADPROBLEMS)")


def test_a_moved_block_is_reported(known):
    _, headers, rows, model = known
    model = [list(r) for r in model]
    model[2][1] = "Something else"  # B3, the Fit rules header.
    assert udfs.LEADGRADE([rows[0]], headers, model) == (
        "Error: LeadScore!B3: expected the Fit rules (who the lead is) table here (header 'Lead column'), "
        "found 'Something else'")


@pytest.mark.slow
def test_new_with_udf_formulas_writes_them_and_rescore_keeps_them(tmp_path):
    path = tmp_path / "udf.xlsx"
    result = CliRunner().invoke(cli, ["new", str(path), "--sample", "5", "--formulas", "udf"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Created {path} (b2b, en, 5 sample leads, udf formulas).\n"
    wb = openpyxl.load_workbook(path)
    assert wb.defined_names["LeadScoreModel"].attr_text == model_area()
    ws = wb["Leads"]
    headers = [c.value for c in ws[1]]
    span = "[Lead ID]:[Unsubscribed or bounced]"
    for row in (2, 6):
        assert ws.cell(row, headers.index("Grade") + 1).value == (
            f"=LEADGRADE(tblLeads[[#This Row],{span}],tblLeads[[#Headers],{span}],LeadScoreModel)")
    workflow.rescore(path, as_of=AS_OF)
    ws = openpyxl.load_workbook(path)["Leads"]
    assert ws.cell(2, headers.index("Rating") + 1).value.startswith("=LEADRATING(")
    assert ws.cell(2, headers.index("Scored at") + 1).value == AS_OF
    # The book was built with its results: nothing has changed since, so History has no row.
    history = openpyxl.load_workbook(path)["History"]
    assert [r for r in history.iter_rows(min_row=2, values_only=True) if any(r)] == []


def test_structured_reference_escapes_special_characters():
    assert template.udf_formula("LEADGRADE", ["ID#", "Visits [web]"]) == (
        "=LEADGRADE(tblLeads[@[ID'#]:[Visits '[web']]],tblLeads[[#Headers],[ID'#]:[Visits '[web']]],"
        "LeadScoreModel)")


def test_every_function_is_named_and_described_for_excel():
    for name in udf_core.NAMES:
        fn = getattr(udfs, "LEAD" + name)
        assert fn.__name__ == "LEAD" + name
        assert fn.__doc__ == udfs.DESCRIPTIONS[name]
        # The Events table and the time to count as of are optional: Excel may leave them out.
        assert str(inspect.signature(fn)) == "(leads, headers, model, events=None, as_of=None)"

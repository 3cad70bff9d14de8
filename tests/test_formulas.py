"""Native formulas as files: what `leadscore new --formulas native` and `leadscore formulas`
write, read back part by part (LibreOffice's recalculation is tests/test_formulas_libreoffice.py)."""
from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from addin.cli import cli
from native_leads import every_operator_model, generated_leads
from scoring import score
from scoring.defaults import header
from workbook import template
from workbook.workflow import read_leads, read_model
from workbook.formulas import FORMULA_OUTPUTS, HELPER_SHEET, PREFIX, for_template, formula_lengths
from workbooks import add_table_row, edit, sha256

# Functions of Excel 2016 (and LibreOffice 7.4) the formulas may use; no XLOOKUP, LET, LAMBDA,
# FILTER, TEXTJOIN, IFS, SWITCH or other later or dynamic-array functions.
EXCEL_2016 = {"ABS", "AND", "CHAR", "CHOOSE", "EXACT", "FIND", "IF", "IFERROR", "INDEX", "INT", "ISBLANK",
              "ISERROR", "ISLOGICAL", "ISNUMBER", "LEFT", "LEN", "LOG10", "LOWER", "MATCH", "MAX", "MEDIAN",
              "MID", "MIN", "MOD", "NA", "NOT", "OR", "REPT", "RIGHT", "ROUND", "SMALL", "SUBSTITUTE", "SUMPRODUCT",
              "TEXT", "TRIM", "_xlfn.UNICHAR", "VALUE"}


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def every_formula(plan) -> list[str]:
    return (list(plan.names.values()) + [f for _, f in plan.columns] + list(plan.outputs.values())
            + [v for v in plan.helper.values() if isinstance(v, str) and v.startswith("=")])


def functions(formula: str) -> set[str]:
    return set(re.findall(r"([A-Za-z_][A-Za-z0-9._]*)\(", re.sub(r'"[^"]*"', '""', formula)))


def nesting(formula: str) -> int:
    depth = deepest = 0
    for ch in re.sub(r'"[^"]*"', '""', formula):
        depth += (ch == "(") - (ch == ")")
        deepest = max(deepest, depth)
    return deepest


@pytest.fixture(scope="module")
def plan():
    model = every_operator_model()
    return for_template(model, list(generated_leads(20).columns), "en")


def test_formulas_use_only_functions_of_excel_2016(plan):
    used = set().union(*(functions(f) for f in every_formula(plan)))
    assert used <= EXCEL_2016, used - EXCEL_2016
    assert {"IF", "INDEX", "MATCH", "SUMPRODUCT", "MEDIAN", "CHOOSE"} <= used


@pytest.mark.slow
def test_formulas_stay_within_excel_limits(plan):
    """Excel: 8,192 characters and 64 nested functions per formula or name."""
    assert max(formula_lengths(plan).values()) < 8192
    assert max(nesting(f) for f in every_formula(plan)) < 64
    assert all(name.startswith(PREFIX) for name in plan.names)
    assert len(plan.names) < 1000


def sheet_xml(path, sheet="Leads") -> str:
    """The XML of a sheet by its name (openpyxl renumbers the parts by tab order when it saves)."""
    from workbook.shared_formulas import sheet_part

    with zipfile.ZipFile(path) as zf:
        return zf.read(sheet_part(zf, sheet)).decode("utf-8")


@pytest.mark.slow
def test_native_template_stores_each_formula_column_once(tmp_path):
    book = tmp_path / "Native.xlsx"
    outputs = template.new_workbook(book, sample=25, seed=2, formulas="native")
    xml = sheet_xml(book)
    masters = re.findall(r'<c r="([A-Z]+)2"[^>]*><f t="shared" ref="([A-Z]+)2:([A-Z]+)26" si="(\d+)">', xml)
    wb = openpyxl.load_workbook(book)
    ws = wb["Leads"]
    headers = [c.value for c in ws[1]]
    formula_columns = [h for h in headers if ws.cell(2, headers.index(h) + 1).data_type == "f"]
    assert len(masters) == len(formula_columns) > len(FORMULA_OUTPUTS)
    assert all(a == b == c for a, b, c, _ in masters)
    assert xml.count('<f t="shared" si="') == len(formula_columns) * 24
    assert xml.count("<f>") == 0
    # openpyxl (like Excel) reads the shared formula into every row.
    fit = headers.index("Fit") + 1
    assert ws.cell(26, fit).value == ws.cell(2, fit).value == "=IF(LSF_Blank,\"\",LSF_Fit1+LSF_Fit2+LSF_Fit3+LSF_Fit4)"
    table = ws.tables["tblLeads"]
    assert table.tableColumns[fit - 1].calculatedColumnFormula.attr_text == ws.cell(2, fit).value[1:]
    # Helpers are hidden; Reasons and Problems are left for rescore; Excel recalculates on open.
    assert wb[HELPER_SHEET].sheet_state == "hidden"
    helpers = [i + 1 for i, h in enumerate(headers) if str(h).startswith("LS calc: ")]
    hidden = [(int(a), int(b)) for a, b in re.findall(r'<col min="(\d+)" max="(\d+)"[^>]*hidden="1"', xml)]
    assert helpers and all(any(a <= c <= b for a, b in hidden) for c in helpers)
    assert not any(a <= headers.index("Fit") + 1 <= b for a, b in hidden)
    assert ws.cell(2, headers.index("Reasons") + 1).value is None
    assert wb.calculation.fullCalcOnLoad is True
    # The engine's results are cached, for readers that do not calculate.
    cached = openpyxl.load_workbook(book, data_only=True)["Leads"]
    for m in FORMULA_OUTPUTS:
        col = headers.index(header(m, "en")) + 1
        assert [cached.cell(r, col).value for r in range(2, 27)] == list(outputs[m])


def test_formulas_command_has_help():
    code, out, _ = run("formulas", "--help")
    assert code == 0 and out.startswith("Usage: cli formulas [OPTIONS] BOOK")
    assert "recalculate without it" in out


def fit_column_formulas(path) -> list:
    ws = openpyxl.load_workbook(path)["Leads"]
    headers = [c.value for c in ws[1]]
    col = headers.index("Fit") + 1
    return [ws.cell(r, col).value for r in range(2, ws.max_row + 1)]


@pytest.mark.slow
def test_formulas_command_turns_a_values_book_native_in_place(tmp_path):
    book = tmp_path / "Leads.xlsx"
    run("new", book, "--sample", 30, "--seed", 5)
    code, out, err = run("formulas", book)
    assert (code, err) == (0, "")
    assert out == (f"Wrote native formulas for 30 leads in {book}: 4 fit rules, 14 behaviour rules, 167 defined "
                   f"names, hidden helper columns and sheet 'LeadScoreCalc'. Excel and LibreOffice recalculate "
                   f"it when opened.\n")
    formulas = fit_column_formulas(book)
    assert len(formulas) == 30 and set(formulas) == {'=IF(LSF_Blank,"",LSF_Fit1+LSF_Fit2+LSF_Fit3+LSF_Fit4)'}
    assert sheet_xml(book).count('<f t="shared" ref="') > len(FORMULA_OUTPUTS)
    # Again, after a fit rule is added: one more rule, the same helper columns, no duplicates.
    add_table_row(book, "tblFitRules", ["Country", "=", "Italy", 3, "Italian"])
    code, out, _ = run("formulas", book)
    assert code == 0 and "5 fit rules" in out
    ws = openpyxl.load_workbook(book)["Leads"]
    headers = [c.value for c in ws[1]]
    assert len(headers) == len(set(headers))
    assert "LS calc: Country: key" in headers
    assert set(fit_column_formulas(book)) == {'=IF(LSF_Blank,"",LSF_Fit1+LSF_Fit2+LSF_Fit3+LSF_Fit4+LSF_Fit5)'}
    # And after it is removed (its row cleared): four rules again, its helper column emptied.
    edit(book, "LeadScore", {"B8": None, "C8": None, "D8": "", "E8": None, "F8": None})
    code, out, _ = run("formulas", book)
    assert code == 0 and "4 fit rules" in out
    ws = openpyxl.load_workbook(book)["Leads"]
    col = headers.index("LS calc: Country: key") + 1
    assert {ws.cell(r, col).value for r in range(2, 32)} == {None}
    assert set(fit_column_formulas(book)) == {'=IF(LSF_Blank,"",LSF_Fit1+LSF_Fit2+LSF_Fit3+LSF_Fit4)'}


@pytest.mark.slow
def test_rescore_of_a_native_book_keeps_the_formulas_shared(tmp_path):
    book = tmp_path / "Native.xlsx"
    template.new_workbook(book, sample=20, seed=1, formulas="native")
    code, out, _ = run("rescore", book)
    assert code == 0 and out.startswith(f"Scored 20 leads in {book}")
    xml = sheet_xml(book)
    assert xml.count("<f>") == 0 and xml.count('<f t="shared" ref="') > len(FORMULA_OUTPUTS)
    assert set(fit_column_formulas(book)) == {'=IF(LSF_Blank,"",LSF_Fit1+LSF_Fit2+LSF_Fit3+LSF_Fit4)'}
    ws = openpyxl.load_workbook(book)["Leads"]
    headers = [c.value for c in ws[1]]
    reasons = ws.cell(2, headers.index("Reasons") + 1).value
    assert reasons == score(read_leads(book), read_model(book))["reasons"][0] != ""


@pytest.mark.parametrize("cell, value, message", [
    ("B5", "Turnover", "LeadScore!B5: lead column 'Turnover' is not a column of the leads (none of its 23 headers is close)"),
    ("E4", "15", "LeadScore!E4: points '15' is text; type it as a number (native formulas compute with "
                 "numbers only)"),
    ("C4", "bigger", "LeadScore!C4: operator 'bigger' is not one of "),
    ("D5", ";".join(f"Industry {i}" for i in range(21)), "LeadScore!D5: value has 21 items; native formulas read at "
                                                     "most 20 (split the rule in two)"),
])
def test_formulas_command_refuses_a_bad_model_and_writes_nothing(tmp_path, cell, value, message):
    book = tmp_path / "Leads.xlsx"
    run("new", book, "--sample", 10)
    edit(book, "LeadScore", {cell: value})
    before = sha256(book)
    code, out, err = run("formulas", book)
    assert code == 1 and out == ""
    assert err.startswith("Error: 1 problem(s); nothing was written.\n  " + message), err
    assert sha256(book) == before


@pytest.mark.parametrize("formula, dest", [
    ('=IF(LSF_Blank,"",LSF_Fit1+LeadScoreCalc!$B$4)', "C9"),  # Names and absolute references: fixed.
    ("=A2*2+$B2+C$1+SUM(D2:D3)", "E7"),  # Relative references move.
    ("=tblLeads[[#This Row],[Fit]]*2", "F5"),
])
def test_fixed_translator_agrees_with_openpyxl(formula, dest):
    from openpyxl.formula.translate import Translator

    from workbook.shared_formulas import FixedTranslator

    assert FixedTranslator(formula, "C2").translate_formula(dest) == Translator(formula, "C2").translate_formula(dest)

"""Native formulas proven by a real spreadsheet engine: LibreOffice recalculates a native
workbook and every output cell must equal the engine's value.

The workbook holds more than 10,000 generated leads: sample leads (messy), every boundary of
the fit and score bands, blanks, numbers written as text the Italian and English way,
currency, scientific notation, garbage, yes/no words, booleans, negative behaviour, caps,
sales stages; the model uses each of the 12 operators, fractional and negative points and
caps. LibreOffice (headless, with a profile that forces recalculation on load) computes it;
openpyxl reads LibreOffice's results back; the engine scores the same workbook. Then the
LeadScore sheet is edited (weights, a threshold, a matrix label, a cap, a rule value and
operator, the decimal separator) and the comparison is repeated.

Skipped with a reason when LibreOffice is not installed, except under CI, where .ci/run
installs it and a missing soffice is a failure.
"""
from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

from native_leads import every_operator_model, generated_leads, with_boundaries
from scoring import score
from scoring.defaults import header
from workbook import template
from workbook.filebook import FileBook
from workbook import workflow
from workbook.workflow import read_checked, read_leads, read_model
from workbook.formulas import FORMULA_OUTPUTS, HELPER_SHEET, is_helper_column

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if SOFFICE is None and not os.environ.get("CI"):
    pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it", allow_module_level=True)

from libreoffice import recalculated_sheets  # noqa: E402

pytestmark = pytest.mark.slow  # A few minutes: LibreOffice recalculates thousands of native leads.

ERRORS = ("#VALUE!", "#NAME?", "#REF!", "#N/A", "#DIV/0!", "#NUM!", "#NULL!", "Err:")


def test_generated_leads_cover_every_boundary():
    """The generator reaches what the differential test is meant to prove (checked on the engine alone)."""
    model = every_operator_model()
    leads = with_boundaries(generated_leads(), model)
    out = score(leads, model)
    assert len(leads) >= 2_500
    fits = set(out["fit"].astype(float))
    for edge in (14, 15, 16, 29, 30, 31, 44, 45, 46, 49, 50, 51):
        assert edge in fits, edge
    scores = set(out["score"].astype(float))
    for edge in (0, 49, 50, 51, 89, 90, 91, 100):
        assert edge in scores, edge
    assert any(not float(f).is_integer() for f in fits)  # Fractional points: ratings like A87.5.
    assert (out["fit"] < 0).any() and (out["fit"] > 50).any()  # Below nothing, above the fit cap.
    assert set(out["grade"]) == {"A", "B", "C", "D"}
    assert {"Lead", "MQL", "SQL", "Opportunity", "Customer", "Disqualified"} <= set(out["status"])
    assert out["problems"].str.contains("not a number").any() and out["problems"].str.contains("not a count").any()
    reasons = " ".join(out["reasons"].head(3000))
    for word in ("cap", "behaviour cap"):
        assert word in reasons
    operators = {r.operator for r in model.fit_rules}
    assert operators == {"=", "<>", "in", "not in", ">", ">=", "<", "<=", "between", "contains", "is blank",
                         "not blank"}


# ---------------------------------------------------------------------------------------------
# The differential test: LibreOffice's results against the engine's, cell by cell.
# ---------------------------------------------------------------------------------------------

def recalculated_outputs(path, folder) -> tuple[pd.DataFrame, list[str]]:
    """LibreOffice recalculates the workbook; returns its Leads table as LibreOffice computed it
    (cells as text) and every error value found on any sheet, as 'Sheet row 3: #VALUE!'."""
    sheets = recalculated_sheets(path, folder)
    assert {"Leads", "LeadScore", HELPER_SHEET} <= set(sheets), sorted(sheets)
    errors = [f"{name} row {r}: {v}" for name, rows in sheets.items() for r, row in enumerate(rows, 1)
              for v in row if v.startswith(ERRORS)]
    rows = sheets["Leads"]
    return pd.DataFrame(rows[1:], columns=rows[0]), errors


def same(got: str, want) -> bool:
    """A LibreOffice cell (as CSV text) equals the engine's value: numbers to 1e-9 (sums in
    another order), text exactly, a blank output as the empty string."""
    if isinstance(want, (int, float, np.number)) and not isinstance(want, bool):
        try:
            return abs(float(got) - float(want)) <= 1e-9
        except ValueError:
            return False
    return got == ("" if want is None else want)


def differences(path, folder) -> tuple[list[str], int]:
    """Every output cell where LibreOffice and the engine disagree, as 'Leads row 12, Fit: ...',
    and the number of cells compared. The engine scores the workbook's own cells (read back)."""
    sheet, _, leads, _ = read_checked(FileBook(path))  # As `leadscore rescore` reads the workbook.
    model = sheet.model
    engine = score(leads, model)
    calc, errors = recalculated_outputs(path, folder)
    assert errors == [], errors[:20]
    assert len(calc) == len(engine)
    language = model.settings.language
    found, compared = [], 0
    for m in FORMULA_OUTPUTS:
        col = header(m, language)
        for i, (got, want) in enumerate(zip(calc[col], engine[m])):
            compared += 1
            if not same(got, want):
                inputs = {c: leads.iat[i, j] for j, c in enumerate(leads.columns)
                          if not is_helper_column(c) and c in {r.column for r in model.fit_rules}
                          | {r.column for r in model.behaviour_rules}}
                found.append(f"Leads row {i + 2}, {col}: LibreOffice {got!r}, engine {want!r}; inputs {inputs}")
    return found, compared


@pytest.fixture(scope="module")
def native_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("native")
    model = every_operator_model()
    leads = with_boundaries(generated_leads(), model)
    path = folder / "native.xlsx"
    # No cached results (outputs=None): every value read back is one LibreOffice computed.
    template.build(path, model, leads, None, "en", "b2b", formulas="native")
    return path


def test_libreoffice_agrees_with_the_engine_on_every_output_cell(native_book, tmp_path):
    found, compared = differences(native_book, tmp_path)
    assert compared >= 2_500 * len(FORMULA_OUTPUTS)
    assert found == [], f"{len(found)} of {compared} cells differ:\n" + "\n".join(found[:30])


def edit_model(path, out) -> None:
    """Edit the LeadScore sheet as a consultant would: weights, a threshold, a matrix label, a cap,
    a rule's value and operator, a grade edge, a score band edge, the decimal separator."""
    from workbook.filebook import FileBook
    from workbook.model_sheet import ModelSheet

    book = FileBook(path)
    sheet = ModelSheet(book)
    ws = book.wb["LeadScore"]
    b = sheet.blocks

    def put(key, index, fld, value):
        row, _ = b[key].rows[index]
        ws.cell(row, b[key].columns[fld]).value = value

    put("fit", 0, "points", 13)  # Weights.
    put("fit", 2, "points", 2.5)
    tier = [i for i, (_, v) in enumerate(b["fit"].rows) if b["fit"].get(v, "column") == "Tier"]
    put("fit", tier[0], "operator", "in")  # A rule's operator and value.
    put("fit", tier[0], "value", "2; 3,5 ;6")
    put("fit", tier[2], "operator", "between")
    put("fit", tier[2], "value", "1,5;4")
    put("behaviour", 0, "points", 7)
    put("behaviour", 0, "cap", 12)  # A cap.
    put("status", 0, "min", 72)  # A threshold (SQL).
    put("status", 1, "min", 45)  # MQL.
    put("grades", 1, "min", 27)  # A grade edge.
    put("bands", 1, "min", 55)  # A score band edge.
    row, _ = b["matrix"].rows[0]
    ws.cell(row, b["matrix"].extra[-1]).value = "Phone them today"  # A matrix label.
    (r, c), _ = sheet.setting_cells["decimal"]
    ws.cell(r, c).value = ","  # Text numbers: ',' decimals.
    (r, c), _ = sheet.setting_cells["behaviour_max"]
    ws.cell(r, c).value = 45
    book.save(out)


def test_libreoffice_agrees_after_the_leadscore_sheet_is_edited(native_book, tmp_path):
    edited = tmp_path / "edited.xlsx"
    edit_model(native_book, edited)
    model = read_model(edited)
    assert model.settings.decimal == "," and model.status_rules[0].min_score == 72
    assert "Phone them today" in score(read_leads(edited), model)["action"].tolist()
    found, compared = differences(edited, tmp_path)
    assert found == [], f"{len(found)} of {compared} cells differ:\n" + "\n".join(found[:30])


def test_formulas_command_after_rules_are_added_agrees_with_the_engine(tmp_path):
    """A values workbook, two rules added on the LeadScore sheet, `leadscore formulas`, LibreOffice."""
    from workbooks import add_table_row

    book = tmp_path / "Leads.xlsx"
    template.new_workbook(book, sample=300, seed=9)
    add_table_row(book, "tblFitRules", ["Country", "in", "Italy; Spain", 4, "South"])
    add_table_row(book, "tblBehaviourRules", ["Demo, again", "Demo requests", 3, 9])
    done = workflow.write_formulas(book)
    assert (done["rows"], done["fit_rules"], done["behaviour_rules"]) == (300, 5, 15)  # 5 hygiene rules among them.
    found, compared = differences(book, tmp_path)
    assert compared == 300 * len(FORMULA_OUTPUTS)
    assert found == [], "\n".join(found[:30])


def test_italian_consumer_native_template_agrees_with_the_engine(tmp_path):
    book = tmp_path / "Contatti.xlsx"
    template.new_workbook(book, language="it", profile="b2c", sample=400, seed=3, formulas="native")
    found, compared = differences(book, tmp_path)
    assert compared == 400 * len(FORMULA_OUTPUTS)
    assert found == [], "\n".join(found[:30])

"""Issue 12, part 4: placeholders (Select, n/a, unknown …) read as blank, with no problem raised."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from scoring import BehaviourRule, FitRule, default_model, score
from scoring.model import problems
from scoring.texts import PLACEHOLDERS
from workbook.filebook import FileBook
from workbook.model_sheet import ModelSheet
from workbook.workflow import check

from native_check import assert_same_as_engine, native_outputs
from workbooks import known_book, setting_cell


def blank_model(language="en"):
    model = default_model("b2b", language)
    model.fit_rules = [FitRule("Source", "is blank", None, 1), FitRule("Source", "not blank", None, 2),
                       FitRule("Source", "<>", "Fair", 4), FitRule("Size", ">", 10, 8),
                       FitRule("Source", "not in", "Fair;Web", 16)]
    model.behaviour_rules = [BehaviourRule("Visits", "Visits", 1),
                             BehaviourRule("Known source", "Source", 32, kind="condition", operator="not blank")]
    model.settings.behaviour_max = 100
    return model


LEADS = pd.DataFrame({
    "Source": ["Select", " N/A ", "unknown", "—", "Fair", "Referral", None, "Please  select"],
    "Size": ["n/a", "-", 20, "none", 5, "lots", None, 11],
    "Visits": ["-", "none", 2, "n/a", 1, "Select", None, 0],
})


def test_placeholders_read_as_blank_and_raise_no_problem():
    out = score(LEADS, blank_model())
    assert out["reasons"].tolist() == [
        "Source: blank +1", "Source: blank +1", "Source: blank +1; Size > 10 +8; Visits ×2 +2",
        "Source: blank +1",
        "Source: filled in +2; Visits +1; Known source +32",
        "Source: filled in +2; Source: not Fair +4; Source: none of Fair, Web +16; Known source +32",
        "Source: blank +1",
        "Source: blank +1; Size > 10 +8"]
    assert out["problems"].tolist() == ["", "", "", "", "", "Size: 'lots' is not a number", "", ""]


def test_an_italian_model_reads_its_own_placeholders():
    model = blank_model("it")
    assert model.settings.placeholders == PLACEHOLDERS["it"]
    leads = pd.DataFrame({"Source": ["Seleziona", "n.d.", "SCONOSCIUTO", "nessuno", "Select"],
                          "Size": ["n.d.", "non noto", 20, "nd", None], "Visits": [None] * 5})
    out = score(leads, model)
    assert out["fit"].tolist() == [1, 1, 9, 1, 22]  # 'Select' is no Italian placeholder: a value.
    assert out["problems"].tolist() == [""] * 5


def test_the_list_is_editable_and_empty_means_none():
    model = blank_model()
    model.settings.placeholders = ("TBD", "ask later")
    out = score(pd.DataFrame({"Source": ["tbd", "Ask  Later", "Select"], "Size": ["TBD", None, "x"],
                              "Visits": [None] * 3}), model)
    assert out["fit"].tolist() == [1, 1, 22]
    assert out["problems"].tolist() == ["", "", "Size: 'x' is not a number"]
    model.settings.placeholders = ()
    assert score(LEADS.iloc[[0]], model)["fit"].iat[0] == 22


def test_role_stage_and_created_placeholders_raise_no_problem(score_one):
    row = score_one(role="Select", industry="IT", stage="n/a", created="unknown", pricing="-")
    assert (row["fit"], row["status"], row["problems"]) == (10, "Lead", "")
    row = score_one(role="Selectt", created="someday")
    assert row["problems"] == "Role: 'Selectt' is not in the Roles table; Created: 'someday' is not a date " \
                              "(write it as yyyy-mm-dd)"


def test_a_number_is_refused_as_a_placeholder():
    model = blank_model()
    model.settings.placeholders = ("Select", "999", "1.200")
    assert [str(p) for p in problems(model)] == [
        "settings, placeholders: '999' is a number; placeholders are texts such as Select or n/a that read as blank"]


def test_the_template_lists_the_placeholders_of_its_language(tmp_path):
    for language, name in (("en", "Placeholders"), ("it", "Segnaposto")):
        path = known_book(tmp_path / f"{language}.xlsx", language=language)
        cell = setting_cell(openpyxl.load_workbook(path)["LeadScore"], name)
        assert cell.value == ";".join(PLACEHOLDERS[language])
        assert ModelSheet(FileBook(path)).model.settings.placeholders == PLACEHOLDERS[language]


def test_an_edited_cell_is_read_and_a_number_in_it_is_named_by_cell(tmp_path):
    path = known_book(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    cell = setting_cell(wb["LeadScore"], "Placeholders")
    cell.value = "Select; to be checked"
    wb.save(path)
    assert ModelSheet(FileBook(path)).model.settings.placeholders == ("Select", "to be checked")
    cell.value = "Select;0"
    wb.save(path)
    assert check(path).errors == [f"LeadScore!{cell.coordinate}: Placeholders '0' is a number; placeholders are "
                                  "texts such as Select or n/a that read as blank"]


def test_a_book_without_the_row_uses_its_languages_placeholders(tmp_path):
    path = known_book(tmp_path / "vecchio.xlsx", language="it")
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    cell = setting_cell(ws, "Segnaposto")
    for col in range(cell.column - 1, cell.column + 2):
        ws.cell(cell.row, col).value = None
    wb.save(path)
    sheet = ModelSheet(FileBook(path))
    assert sheet.errors == []
    assert sheet.model.settings.placeholders == PLACEHOLDERS["it"]


@pytest.mark.libreoffice
@pytest.mark.slow  # LibreOffice recalculates a native book: CI runs it.
def test_native_formulas_read_placeholders_as_blank(tmp_path):
    model = blank_model()
    model.fit_rules.append(FitRule("Source", "=", "Referral", 64))
    got = native_outputs(model, LEADS, tmp_path)
    assert got["Fit"] == ["1", "1", "9", "1", "2", "86", "", "9"]
    assert_same_as_engine(model, LEADS.iloc[:6], {k: v[:6] for k, v in got.items()})
    assert got["Behaviour"][7] == "0"

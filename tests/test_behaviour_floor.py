"""Issue 12, part 3: the Behaviour floor setting (default 0) lets negative behaviour take points from fit."""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from scoring import BehaviourRule, FitRule, default_model, score
from scoring.model import problems
from workbook.model_sheet import ModelSheet
from workbook.filebook import FileBook
from workbook.workflow import check

from native_check import assert_same_as_engine, native_outputs
from workbooks import known_book, setting_cell


def floor_model(floor):
    """Fit: 30 points for Industry = IT; behaviour: +10 per demo, -10 per unsubscribe."""
    model = default_model()
    model.fit_rules = [FitRule("Industry", "=", "IT", 30)]
    model.behaviour_rules = [BehaviourRule("Demo", "Demos", 10), BehaviourRule("Unsubscribed", "Unsubs", -10)]
    model.settings.behaviour_min = floor
    return model


LEADS = pd.DataFrame({"Industry": ["IT", "IT", "IT", "IT", "Retail"],
                      "Demos": [0, 0, 0, 1, 0], "Unsubs": [1, 2, 3, 1, 4]})


def added_up(row) -> float:
    """The points of a reasons text, summed (a true minus sign for negatives)."""
    total = 0.0
    for piece in row.split("; "):
        number = piece.rsplit(" ", 1)[1] if "(" not in piece else piece.split(" (")[0].rsplit(" ", 1)[1]
        total += float(number.replace("\u2212", "-"))
    return total


def test_default_floor_is_zero_and_keeps_behaviour_at_or_above_it():
    out = score(LEADS, floor_model(0))
    assert out["behaviour"].tolist() == [0, 0, 0, 0, 0]
    assert out["score"].tolist() == [30, 30, 30, 30, 0]
    assert out["reasons"].iloc[0] == "Industry: IT +30; Unsubscribed −10; behaviour floor +10"
    assert default_model().settings.behaviour_min == 0
    assert default_model("b2c", "it").settings.behaviour_min == 0


def test_a_negative_floor_lets_behaviour_take_points_from_fit():
    out = score(LEADS, floor_model(-20))
    assert out["behaviour"].tolist() == [-10, -20, -20, 0, -20]
    assert out["score"].tolist() == [20, 10, 10, 30, 0]
    assert out["reasons"].tolist() == [
        "Industry: IT +30; Unsubscribed −10",
        "Industry: IT +30; Unsubscribed ×2 −20",
        "Industry: IT +30; Unsubscribed ×3 −30; behaviour floor +10",
        "Industry: IT +30; Demo +10; Unsubscribed −10",
        "Unsubscribed ×4 −40; behaviour floor +20; score floor +20",
    ]
    for reasons, total in zip(out["reasons"], out["score"]):
        assert added_up(reasons) == total


def test_floor_boundary_exactly_at_the_floor_has_no_floor_reason():
    out = score(LEADS.iloc[[1]], floor_model(-20))
    assert (out["behaviour"].iat[0], out["reasons"].iat[0]) == (-20, "Industry: IT +30; Unsubscribed ×2 −20")
    out = score(LEADS.iloc[[1]], floor_model(-19.5))
    assert out["behaviour"].iat[0] == -19.5
    assert out["reasons"].iat[0] == "Industry: IT +30; Unsubscribed ×2 −20; behaviour floor +0.5"


def test_the_worked_examples_hold_with_the_default_floor(score_one):
    row = score_one(role="Purchasing manager", industry="IT", employees=1200, revenue=1_500_000, pricing=5,
                    papers=1)
    assert (row["rating"], row["status"], row["action"]) == ("A85", "MQL", "Priority contact")
    row = score_one(role="HR manager", industry="Retail", employees=1200, revenue=2_000_000, papers=1)
    assert row["rating"] == "B50"


def test_a_floor_above_zero_or_not_a_number_is_refused():
    for value, message in ((5, "5 must be a number from -100,000 to 0 (0: behaviour never takes points away "
                                "from fit)"),
                           ("abc", "'abc' must be a number from -100,000 to 0 (0: behaviour never takes points "
                                   "away from fit)")):
        model = floor_model(value)
        assert [str(p) for p in problems(model)] == [f"settings, behaviour floor: {message}"]


def test_the_template_has_the_floor_row_and_a_bad_value_names_its_cell(tmp_path):
    path = known_book(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    cell = setting_cell(wb["LeadScore"], "Behaviour floor")
    assert cell.value == 0
    cell.value = 10
    wb.save(path)
    report = check(path)
    assert report.errors == [f"LeadScore!{cell.coordinate}: Behaviour floor 10 must be a number from -100,000 "
                             "to 0 (0: behaviour never takes points away from fit)"]


def test_italian_template_names_the_floor_in_italian_and_reads_it(tmp_path):
    path = known_book(tmp_path / "libro.xlsx", language="it")
    wb = openpyxl.load_workbook(path)
    cell = setting_cell(wb["LeadScore"], "Minimo comportamento")
    cell.value = -15
    wb.save(path)
    assert ModelSheet(FileBook(path)).model.settings.behaviour_min == -15


def test_a_book_without_the_floor_row_reads_with_floor_zero(tmp_path):
    """Books made before the setting existed have no row for it: that is no error."""
    path = known_book(tmp_path / "old.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    cell = setting_cell(ws, "Behaviour floor")
    for col in range(cell.column - 1, cell.column + 2):
        ws.cell(cell.row, col).value = None
    wb.save(path)
    sheet = ModelSheet(FileBook(path))
    assert sheet.errors == []
    assert sheet.model.settings.behaviour_min == 0
    assert check(path).errors == []


@pytest.mark.libreoffice
@pytest.mark.slow  # LibreOffice recalculates a native book: CI runs it.
def test_native_formulas_compute_the_floor_as_the_engine(tmp_path):
    leads = LEADS.copy()
    got = native_outputs(floor_model(-20), leads, tmp_path)
    assert got["Behaviour"] == ["-10", "-20", "-20", "0", "-20"]
    assert got["Score"] == ["20", "10", "10", "30", "0"]
    assert_same_as_engine(floor_model(-20), leads, got)

"""`leadscore calibrate` (issue 13): the current model measured on the holdout, a suggested model of
integer points that the engine reproduces exactly, and the command's report and messages."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from addin.cli import cli
from scoring import BehaviourRule, FitRule, default_model, score
from scoring.auc import auc, auc_interval
from scoring.calibrate import CalibrationError, calibrate
from scoring.engine import rule_label
from workbook import template

from native_check import with_template_columns
from test_rule_kinds import bank_model

BANK = Path(__file__).parent / "data" / "uci-bank-marketing" / "bank-additional-full.csv.gz"


def label(column, operator, value) -> str:
    """How the engine names a rule without a label."""
    return rule_label(FitRule(column, operator, value, 0))


def test_auc_of_a_known_ranking_counts_ties_as_half():
    assert auc(np.array([1, 0, 1, 0], bool), np.array([4, 3, 2, 1])) == 0.75
    assert auc(np.array([1, 0], bool), np.array([5, 5])) == 0.5
    assert auc(np.array([1, 1], bool), np.array([1, 2])) is None  # No lost lead: no AUC.
    low, high = auc_interval(np.array([1, 0] * 50, bool), np.arange(100) % 7, seed=3)
    assert low < auc(np.array([1, 0] * 50, bool), np.arange(100) % 7) < high
    assert (low, high) == auc_interval(np.array([1, 0] * 50, bool), np.arange(100) % 7, seed=3)  # The seed holds.


# Per half (training before June, holdout from June on): (industry, demo requests, leads, won).
GROUPS = [("IT", 1, 20, 15), ("IT", 0, 30, 10), ("Retail", 1, 20, 5), ("Retail", 0, 30, 0)]


def hand_leads() -> pd.DataFrame:
    rows = []
    for created in (dt.datetime(2026, 3, 1), dt.datetime(2026, 7, 1)):
        for industry, demo, n, won in GROUPS:
            rows += [(created, industry, demo, "won" if i < won else "lost") for i in range(n)]
    return pd.DataFrame(rows, columns=["Created", "Industry", "Demo requests", "Outcome"])


def hand_model(industry="IT"):
    model = default_model()
    model.fit_rules = [FitRule("Industry", "=", industry, 30)]
    model.behaviour_rules = [BehaviourRule("Demo requested", "Demo requests", 20)]
    return model


@pytest.mark.slow
def test_the_current_model_is_measured_on_the_holdout_by_date():
    found = calibrate(hand_leads(), hand_model(), outcome="Outcome", since="2026-06-01")
    assert found.split == "by date (Created): learned before 2026-06-01, tested on 2026-06-01 and after"
    assert (found.train_leads, found.test_leads, found.test_won) == (100, 100, 30)
    # Holdout scores: IT + demo 50 (15 won of 20), IT 30 (10 of 30), Retail + demo 20 (5 of 20), Retail 0 (0 of 30).
    assert found.auc == pytest.approx(1750 / 2100)
    assert found.auc_low < found.auc < found.auc_high
    grade = found.tables["by_grade"]
    assert grade.loc["B"].tolist() == [50, 50, 25, 0.5] and grade.loc["D"].tolist() == [50, 50, 5, 0.1]
    assert grade.loc["A", "leads"] == 0 and grade.loc["A", "rate"] is None
    band = found.tables["by_band"]
    assert band.loc["0–49"].tolist() == [80, 80, 15, 15 / 80] and band.loc["50–89"].tolist() == [20, 20, 15, 0.75]
    status = found.tables["by_status"]
    assert status.loc["MQL"].tolist() == [20, 20, 15, 0.75] and status.loc["Lead"].tolist() == [80, 80, 15, 15 / 80]
    rules = found.rules.set_index("rule")
    assert rules.loc[label("Industry", "=", "IT")].tolist() == ["fit", 50, 25, 0.5, 0.1, pytest.approx(0.5 / 0.3)]
    assert rules.loc["Demo requested"].tolist() == ["behaviour", 40, 20, 0.5, 10 / 60, pytest.approx(0.5 / 0.3)]
    assert found.warnings == []


def test_a_better_grade_that_converts_less_is_a_warning():
    found = calibrate(hand_leads(), hand_model("Retail"), outcome="Outcome", since="2026-06-01")
    assert found.warnings == [
        "grade B converts less than grade D on the holdout: 10.0% (5 of 50) against 50.0% (25 of 50)",
        "score band 50–89 converts less than score band 0–49 on the holdout: 25.0% (5 of 20) against "
        "31.2% (25 of 80)"]


def test_the_random_split_is_stratified_and_follows_the_seed():
    leads = hand_leads()
    found = calibrate(leads, hand_model(), outcome="Outcome", seed=7)
    assert found.split == "random, stratified by outcome: 30% held out (seed 7)"
    assert (found.test_leads, found.test_won, found.train_leads) == (60, 18, 140)  # 30% of 60 won, of 140 lost.
    again = calibrate(leads, hand_model(), outcome="Outcome", seed=7)
    assert again.auc == found.auc and again.suggested_rules.equals(found.suggested_rules)


def test_a_lead_at_the_customer_stage_counts_as_won_whatever_its_outcome_cell_says():
    leads = hand_leads()
    leads["Stage"] = None
    lost_it = (leads["Industry"] == "IT") & (leads["Outcome"] == "lost")
    leads.loc[lost_it, "Stage"] = "Customer"
    found = calibrate(leads, hand_model(), outcome="Outcome", since="2026-06-01")
    assert found.test_won == 30 + int(lost_it[leads["Created"] >= "2026-06-01"].sum()) == 55
    assert "Stage" not in {c for c, _ in found.candidates}  # What sales did is never learned from.


def test_too_little_data_below_40_conversions_or_non_conversions():
    def leads(won, lost):
        return pd.DataFrame({"Industry": ["IT"] * won + ["Retail"] * lost, "Demo requests": 0,
                             "Outcome": ["won"] * won + ["lost"] * lost})

    with pytest.raises(CalibrationError) as error:
        calibrate(leads(39, 100), hand_model(), outcome="Outcome")
    assert str(error.value) == ("too little data: 39 conversions and 100 non-conversions in 'Outcome'; calibrate "
                                "needs at least 40 of each")
    with pytest.raises(CalibrationError, match="100 conversions and 39 non-conversions"):
        calibrate(leads(100, 39), hand_model(), outcome="Outcome")
    assert calibrate(leads(40, 40), hand_model(), outcome="Outcome").test_leads == 24


def test_a_column_that_gives_the_outcome_away_is_a_leak_left_out_of_the_suggestion():
    leads = hand_leads()
    leads["Close reason"] = np.where(leads["Outcome"] == "won", "signed", "no budget")
    found = calibrate(leads, hand_model(), outcome="Outcome", since="2026-06-01")
    assert [name for name, _ in found.leaks] == ["Close reason"]
    assert found.warnings == ["leak: 'Close reason' predicts the outcome almost perfectly (holdout AUC 1.000 alone); "
                              "is it filled after the contact? It is left out of the suggestion"]
    assert found.candidates == [("Industry", "fit"), ("Demo requests", "behaviour")]
    assert "Close reason" not in set(found.suggested_rules["rule"].str.split("=").str[0])


def random_leads(n=600, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n).astype(float)
    age[rng.random(n) < 0.1] = np.nan
    industry = rng.choice(["IT", "Retail", "Manufacturing", "Health", "Mining"], n, p=[0.3, 0.3, 0.2, 0.195, 0.005])
    demo = rng.integers(0, 4, n)
    chance = 0.05 + 0.3 * (industry == "IT") + 0.1 * demo + 0.004 * np.nan_to_num(age - 18)
    return pd.DataFrame({"Lead ID": [f"L{i}" for i in range(n)], "Age": age, "Industry": industry,
                         "Demo requests": demo, "Outcome": np.where(rng.random(n) < chance, "yes", "no")})


def test_the_suggested_points_are_integer_rules_the_engine_reproduces_exactly():
    leads = random_leads()
    found = calibrate(leads, hand_model(), outcome="Outcome", seed=0, capacity=0.2)
    suggestion = found.suggestion
    out = score(leads, suggestion.model)
    assert out["problems"].eq("").all()
    assert out["score"].to_numpy(dtype=float).tolist() == suggestion.scores.astype(float).tolist()
    rules = suggestion.model.fit_rules + suggestion.model.behaviour_rules
    assert all(float(r.points).is_integer() for r in rules)
    assert {r.operator for r in suggestion.model.fit_rules} <= {"=", "not in", "is blank", "<", ">="}
    # Identifiers are not candidates; the existing rules' columns keep their side.
    assert found.candidates == [("Age", "fit"), ("Industry", "fit"), ("Demo requests", "behaviour")]
    # Mining (0.5% of the leads, 3 leads) gets no rule; IT, which converts most, gets the most points.
    texts = dict(zip(found.suggested_rules["rule"], found.suggested_rules["points"]))
    it = label("Industry", "=", "IT")
    assert label("Industry", "=", "Mining") not in texts and it in texts
    # Too few others for a rule of their own.
    assert not any(r.column == "Industry" and r.operator == "not in" for r in suggestion.model.fit_rules)
    assert texts[it] == max(v for k, v in texts.items() if k.startswith("Industry"))
    # The best possible fit and behaviour points stay within their maxima.
    fit = out["fit"].to_numpy(dtype=float)
    assert fit.max() <= 50 and out["behaviour"].max() <= 50
    # Thresholds from the capacity: at most 20% of the training leads reach SQL, 40% MQL.
    assert suggestion.sql >= suggestion.mql
    sql = found.capture.set_index("status").loc["SQL"]
    assert sql["min_score"] == suggestion.sql and 0 < sql["share_leads"] <= 0.3
    assert found.suggested_auc > found.auc - 0.05
    # Grade bands cut at 10%, 30% and 60% of the training leads by fit points, falling strictly.
    mins = [b.min_fit for b in suggestion.model.grade_bands]
    assert mins[-1] is None and mins[:-1] == sorted(set(mins[:-1]), reverse=True)
    grade = out["grade"].to_numpy(dtype=object)[found.train]
    assert (grade == "A").mean() <= 0.1 and np.isin(grade, ["A", "B"]).mean() <= 0.3
    assert suggestion.model.validate() is not None


def test_the_columns_to_learn_from_and_their_side_can_be_chosen():
    leads = random_leads()
    found = calibrate(leads, hand_model(), outcome="Outcome", columns=["Age", "Demo requests"], behaviour=("Age",))
    assert found.candidates == [("Age", "behaviour"), ("Demo requests", "behaviour")]
    rules = found.suggestion.model.behaviour_rules
    assert any(r.column == "Age" and r.kind == "condition" for r in rules)
    assert not any(r.column == "Age" for r in found.suggestion.model.fit_rules)
    assert calibrate(leads, hand_model(), outcome="Outcome", exclude=("age",)).candidates == [
        ("Industry", "fit"), ("Demo requests", "behaviour")]


def test_bad_input_names_what_and_where():
    leads = hand_leads()
    with pytest.raises(CalibrationError) as error:
        calibrate(leads, hand_model())
    assert str(error.value).startswith("no outcome column: set the Outcome column setting")
    with pytest.raises(CalibrationError) as error:
        calibrate(leads, hand_model(), outcome="Outcomes")
    assert str(error.value) == "outcome column 'Outcomes' is not a column of the leads (closest: Outcome)"
    with pytest.raises(CalibrationError) as error:
        calibrate(leads, hand_model(), outcome="Outcome", exclude=("Industri",))
    assert str(error.value) == "column 'Industri' is not a column of the leads (closest: Industry)"
    with pytest.raises(CalibrationError) as error:
        calibrate(leads, hand_model(), outcome="Outcome", since="2027-01-01")
    assert str(error.value).startswith("the holdout has 0 conversions and 0 non-conversions")
    with pytest.raises(CalibrationError) as error:
        calibrate(leads.rename(columns={"Created": "Came in"}), hand_model(), outcome="Outcome", since="2026-06-01")
    assert str(error.value) == ("date column 'Created' is not a column of the leads (none of its 4 headers is close); "
                                "a split by date reads when each lead came in")


def bank_leads() -> tuple[pd.DataFrame, object]:
    leads = pd.read_csv(BANK, sep=";").drop(columns=["duration"])  # duration leaks the outcome.
    model = bank_model()
    model.behaviour_rules = [r for r in model.behaviour_rules if r.column != "duration"]
    return leads, model


@pytest.mark.slow
def test_the_real_bank_leads_get_a_suggestion_with_a_holdout_auc_of_at_least_073():
    leads, model = bank_leads()
    found = calibrate(leads, model, outcome="y", seed=42)
    assert (found.train_leads, found.test_leads) == (28_832, 12_356)
    assert found.suggested_auc >= 0.73 and found.suggested_auc > found.auc
    out = score(leads, found.suggestion.model)
    assert out["score"].to_numpy(dtype=float).tolist() == found.suggestion.scores.astype(float).tolist()


def run(*args):
    result = CliRunner().invoke(cli, ["calibrate", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def book(tmp_path, leads: pd.DataFrame, outcome_setting="Outcome", name="book.xlsx"):
    model = default_model()
    model.settings.outcome_column = outcome_setting
    path = tmp_path / name
    template.build(path, model, with_template_columns(leads), None, "en", "b2b")
    return path


def test_the_command_prints_the_holdout_figures_and_the_suggestion(tmp_path):
    path = book(tmp_path, hand_leads())
    code, out, err = run(path, "--since", "2026-06-01")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (f"Calibration of {path} on the outcome column 'Outcome': learned on 100 leads, measured on "
                        "100 held-out leads (30 conversions, 30.0%).")
    assert lines[1] == "Split: by date (Created): learned before 2026-06-01, tested on 2026-06-01 and after."
    # The default model on the holdout: IT + demo 30 points (15 won of 20), Retail + demo 20 (5 of 20),
    # IT 10 (10 of 30), Retail 0 (0 of 30): AUC 1700 / 2100.
    assert lines[3].startswith("Current model — AUC on the holdout: 0.810 (95% interval ")
    assert "  D        100   30       30.0%" in lines
    assert [line.split()[-4:] for line in lines if line.startswith("  " + label("Industry", "in", "IT;Manufacturing"))
            ] == [["50", "50.0%", "10.0%", "1.67"]]
    assert "  Demo or trial requested                 40       50.0%   16.7%  1.67" in lines
    assert "Warnings: none." in lines
    assert any(line.startswith("Suggested model — learned on the training part; AUC on the holdout: ") for line in lines)
    assert any(line.split()[-4:] == ["50", "50.0%", "10.0%", "1.67"] and label("Industry", "=", "IT") in line
               for line in lines if line.startswith("  ") and line.split()[0].lstrip("-").isdigit())
    assert any(line.startswith("Suggested SQL: score ≥ ") for line in lines)
    assert any(line.startswith("Suggested grade bands (fit points): A ≥ ") for line in lines)
    assert lines[-2:] == ["Wrote the sheet 'Calibration' (in place).",
                          f"The LeadScore sheet was not changed; `leadscore calibrate {path} --apply` applies the "
                          "suggestion."]


def test_the_command_says_what_is_wrong_in_one_line(tmp_path):
    path = book(tmp_path, hand_leads())
    assert run(path, "--outcome", "Outcomes") == (
        1, "", f"Error: {path}: outcome column 'Outcomes' is not a column of the leads (closest: Outcome)\n")
    assert run(path, "--exclude", "Industri") == (
        1, "", f"Error: {path}: column 'Industri' is not a column of the leads (closest: Industry)\n")
    assert run(path, "--columns", "Industry", "--behaviour", "Demo request") == (
        1, "", f"Error: {path}: column 'Demo request' is not a column of the leads (closest: Demo requests, Quote requests)\n")
    none = book(tmp_path, hand_leads(), outcome_setting="", name="none.xlsx")
    assert run(none) == (1, "", f"Error: {none}: no outcome column: set the Outcome column setting on the LeadScore "
                                "sheet, or name the column that says what happened to each lead (won / lost) with "
                                "--outcome\n")
    few = hand_leads().iloc[:139].copy()
    few["Outcome"] = ["won"] * 39 + ["lost"] * 100
    small = book(tmp_path, few, name="few.xlsx")
    assert run(small) == (1, "", f"Error: {small}: too little data: 39 conversions and 100 non-conversions in "
                                 "'Outcome'; calibrate needs at least 40 of each\n")
    code, out, err = run(path, "--holdout", "150%")
    assert (code, out) == (2, "") and err.splitlines()[-1] == (
        "Error: Invalid value for '--holdout': '150%' is not a share; write it as 0.3 or 30% (above 0, below 1)")
    code, _, err = run(path, "--since", "2026-13-01")
    assert code == 2 and err.splitlines()[-1] == ("Error: Invalid value for '--since': '2026-13-01' is not a date; "
                                                  "use YYYY-MM-DD")
    code, _, err = run(path, "--since", "2026-06-01", "--holdout", "0.2")
    assert code == 2 and err.splitlines()[-1] == "Error: Invalid value for --since: give --holdout or --since, not both"
    code, _, err = run(tmp_path / "missing.xlsx")
    assert code == 1 and "missing.xlsx" in err and "Traceback" not in err


def test_messy_values_still_give_rules_the_engine_reproduces_exactly():
    rng = np.random.default_rng(5)
    n = 800
    employees = rng.integers(1, 5000, n).astype(object)
    employees[rng.random(n) < 0.05] = "n/a"  # A placeholder: blank.
    employees[rng.random(n) < 0.03] = "lots"  # Not a number: no bin, and a problem.
    employees[:40] = [f"{v:,}".replace(",", ".") for v in rng.integers(1000, 5000, 40)]  # Italian thousands.
    industry = rng.choice([" IT", "it", "Retail ", "Select", None, "Food; Drink"], n)
    chance = 0.1 + 0.4 * np.isin(industry, [" IT", "it"])
    leads = pd.DataFrame({"Employees": employees, "Industry": industry,
                          "Outcome": np.where(rng.random(n) < chance, "vinto", "perso")})
    model = default_model("b2b", "it")
    model.fit_rules, model.behaviour_rules = [FitRule("Employees", ">", 50, 10)], []
    found = calibrate(leads, model, outcome="Outcome", seed=2)
    out = score(leads, found.suggestion.model)
    assert out["score"].to_numpy(dtype=float).tolist() == found.suggestion.scores.astype(float).tolist()
    rules = {f"{r.column} {r.operator} {r.value}" for r in found.suggestion.model.fit_rules}
    assert "Industry = IT" in rules or "Industry = it" in rules  # ' IT' and 'it' are one category.
    assert not any("Food" in rule for rule in rules)  # A value holding ';' cannot be listed.


def test_number_bins_are_made_monotone_where_the_data_mostly_rises_or_falls():
    # Conversion that falls steadily with the number of calls (with noise) gives bins that never
    # rise again as the calls grow; conversion highest at both ends (young and old) keeps its shape.
    import numpy as np

    from scoring.suggest import _monotone, _totals, Piece

    falling = np.array([5.0, 4.2, 4.4, 3.0, 1.0, 1.2, 0.0])
    leads = np.array([300, 250, 40, 200, 150, 30, 100])
    smooth = _monotone(falling, leads)
    assert smooth is not None and all(np.diff(smooth) <= 1e-12)
    assert _monotone(np.array([5.0, 1.0, 0.0, 1.0, 5.0]), np.full(5, 100)) is None  # A U shape stays.
    assert _monotone(np.array([1.0, 2.0, 3.0]), np.full(3, 10)) is None  # Monotone already: unchanged.

    pieces = [Piece("Calls", "<", 2, "fit", "low", 0)] + \
        [Piece("Calls", ">=", v, "fit", "step", 0) for v in (2, 3, 5, 8)]
    weights = np.array([4.0, 3.0, 0.5, -2.0, -1.0])  # Bins: 4, 3, 3.5, 1.5, 0.5 (a bump at 3-4 calls).
    counts = np.array([500, 400, 300, 150, 50])  # Leads in the low bin; at or above each step's edge.
    totals, _, monotone = _totals(pieces, weights, counts)
    bins = [totals[0]] + list(totals[1:])
    assert monotone == ["Calls"] and all(a >= b - 1e-12 for a, b in zip(bins, bins[1:]))
    assert min(bins) == 0  # Shifted so that the lowest bin has 0 points.
    assert _totals(pieces, weights)[2] == []  # Without the leads per bin: as learned.

"""Every fit-rule operator of scoring.OPERATORS, with its boundaries (DESIGN §2 part 1)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from scoring import OPERATORS, FitRule, default_model, score


def one_rule_model(rule, decimal="auto", language="en"):
    model = default_model(language=language)
    model.fit_rules = [rule]
    model.behaviour_rules = []
    model.settings.decimal = decimal
    return model


def run(operator, value, cells, column="X", decimal="auto", points=10):
    """Score one lead per cell with the single rule `column operator value`."""
    model = one_rule_model(FitRule(column, operator, value, points), decimal)
    return score(pd.DataFrame({column: pd.Series(cells, dtype=object)}), model)


def hits(operator, value, cells, **kw):
    out = run(operator, value, cells, **kw)
    fits = list(out["fit"])
    assert set(fits) <= {0, 10}
    return [f == 10 for f in fits]


def test_operator_list_is_the_designed_one():
    assert OPERATORS == ("=", "<>", "in", "not in", ">", ">=", "<", "<=", "between",
                         "contains", "is blank", "not blank")


# --- = and <> ---------------------------------------------------------------------------

def test_equals_ignores_case_and_surrounding_spaces():
    cells = ["IT", " it ", "It\t", "IT services", "I T", None, "", "  ", np.nan]
    assert hits("=", "IT", cells) == [True, True, True, False, False, False, False, False, False]


def test_equals_trims_the_rule_value():
    assert hits("=", "  Retail ", ["retail", "RETAIL ", "Retailer"]) == [True, True, False]


def test_equals_numbers_written_any_way():
    """Each cell read as its column shows: alone, '1.200' and '1,200' could be 1200 or 1.2."""
    cells = [1200, 1200.0, "1200", "1.200,00", "1,200.00", " 1 200 ", "€ 1.200", "1.200.000", 1201, "1.2"]
    assert [hits("=", 1200, [c])[0] for c in cells] == [True] * 7 + [False] * 3
    assert [hits("=", "1.200.000", [c])[0] for c in cells] == [False] * 7 + [True, False, False]
    assert [hits("=", 1200, [c])[0] for c in ("1.200", "1,200")] == [False, False]  # Ambiguous.
    # The column's other values show the convention: then '1.200' is 1200 (Italian) ...
    assert hits("=", 1200, ["1.200", "2,5"]) == [True, False]
    # ... or 1.2 (English decimals).
    assert hits("=", 1200, ["1.200", "0.5"]) == [False, False]


def test_equals_in_a_numeric_column():
    out = score(pd.DataFrame({"X": [3, 4, np.nan]}), one_rule_model(FitRule("X", "=", "3", 10)))
    assert list(out["fit"]) == [10, 0, 0]
    assert list(out["reasons"]) == ["X = 3 +10", "", ""]


def test_not_equal_never_matches_blank():
    cells = ["IT", " it", "Retail", None, "", "   ", np.nan, 5]
    assert hits("<>", "IT", cells) == [False, False, True, False, False, False, False, True]


def test_not_equal_numbers():
    assert hits("<>", 50, [50, "50", "50,0", 51, "abc", None]) == [False, False, False, True, True, False]


def test_not_equal_in_a_numeric_column_skips_nan():
    out = score(pd.DataFrame({"X": [1.0, 2.0, np.nan]}), one_rule_model(FitRule("X", "<>", 1, 10)))
    assert list(out["fit"]) == [0, 10, 0]


# --- in / not in ------------------------------------------------------------------------

def test_in_list():
    cells = ["IT", " manufacturing ", "MANUFACTURING", "Retail", "IT;Manufacturing", None, "", "Manu"]
    assert hits("in", "IT; Manufacturing", cells) == [True, True, True, False, False, False, False, False]


def test_in_list_with_spaces_and_empty_items():
    assert hits("in", " IT ;; Retail ; ", ["retail", "it", "", "Bank"]) == [True, True, False, False]


def test_in_numbers_written_the_italian_way():
    cells = [1200, "1200", "1.200", 50, "50,0", "51", 1200.5]  # '50,0' shows the Italian convention.
    assert hits("in", "1.200.000; 1200; 50", cells) == [True, True, True, True, True, False, False]


def test_not_in_list():
    cells = ["IT", "Retail", " manufacturing", None, "", "  ", "Banking"]
    assert hits("not in", "IT;Manufacturing", cells) == [False, True, False, False, False, False, True]


def test_not_in_numbers():
    assert hits("not in", "1200;50", ["1200", 1200, "51", None]) == [False, False, True, False]


# --- > >= < <= --------------------------------------------------------------------------

@pytest.mark.parametrize("operator,expected", [
    (">", [False, False, True, True]),
    (">=", [False, True, True, True]),
    ("<", [True, False, False, False]),
    ("<=", [True, True, False, False])])
def test_comparisons_at_the_boundary(operator, expected):
    assert hits(operator, 50, [49, 50, 51, "50,5"]) == expected
    assert hits(operator, "50", ["49", "50", "51", "50.5"]) == expected


def test_comparisons_with_messy_numbers():
    cells = ["1.200", "1 200", "1.200.000", "€ 60", "60 €", "  60  ", "+51", "-100", "49,99", 1e3, "\u22125"]
    # '1.200.000' and '49,99' show the Italian convention, so '1.200' is 1200 here.
    assert hits(">", 50, cells) == [True, True, True, True, True, True, True, False, False, True, False]
    assert hits("<", 0, ["\u22125", "\u2013 3", "-0,5"]) == [True, True, True]  # Minus signs people type.


def test_comparisons_with_rule_value_written_the_italian_way():
    assert hits(">", "1.000.000", [999_999, 1_000_000, "1.000.001", "2.000.000,50"]) == [
        False, False, True, True]
    assert hits("<=", "2,5", [2.5, "2,5", "2.5", 2.51]) == [True, True, True, False]


def test_comparisons_skip_blanks_without_problems():
    out = run(">", 50, [None, "", "   ", np.nan])
    assert list(out["fit"]) == [0, 0, 0, 0]
    assert list(out["problems"]) == ["", "", "", ""]


@pytest.mark.parametrize("operator", [">", ">=", "<", "<=", "between"])
def test_text_in_a_number_column_is_a_problem(operator):
    value = "1;100000" if operator == "between" else 50 if operator[0] == ">" else 10**9
    out = run(operator, value, ["1.2k", "lots", "€ 2M", "60"], column="Employees")
    assert list(out["fit"]) == [0, 0, 0, 10]
    assert list(out["problems"]) == ["Employees: '1.2k' is not a number",
                                     "Employees: 'lots' is not a number",
                                     "Employees: '€ 2M' is not a number", ""]


def test_dates_are_not_numbers():
    out = run(">", 50, ["2024-01-05", dt.date(2024, 1, 5), "05/01/2024"], column="Employees")
    assert list(out["fit"]) == [0, 0, 0]
    assert list(out["problems"]) == ["Employees: '2024-01-05' is not a number"] * 2 + [
        "Employees: '05/01/2024' is not a number"]


def test_default_model_employees_problem(score_one):
    row = score_one(employees="1.2k", industry="IT")
    assert row["fit"] == 10
    assert row["problems"] == "Employees: '1.2k' is not a number"


def test_a_bad_cell_is_reported_once_for_several_numeric_rules():
    model = one_rule_model(FitRule("Employees", ">", 50, 10))
    model.fit_rules.append(FitRule("Employees", "<=", 1000, 5))
    out = score(pd.DataFrame({"Employees": ["1.2k", "60", "2.000.000"]}), model)
    assert list(out["fit"]) == [0, 15, 10]
    assert list(out["problems"]) == ["Employees: '1.2k' is not a number", "", ""]
    assert list(out["reasons"]) == ["", "Employees > 50 +10; Employees ≤ 1,000 +5", "Employees > 50 +10"]


def test_text_operators_do_not_flag_text():
    out = run("=", 5, ["1.2k", "abc"])
    assert list(out["problems"]) == ["", ""]


def test_italian_problem_text():
    model = default_model(language="it")
    model.fit_rules = [FitRule("Dipendenti", ">", 50, 10)]
    model.behaviour_rules = []
    out = score(pd.DataFrame({"Dipendenti": ["1.2k", "1.200"]}), model)
    assert list(out["problems"]) == ["Dipendenti: '1.2k' non è un numero", ""]
    assert list(out["fit"]) == [0, 10]


# --- between ----------------------------------------------------------------------------

def test_between_is_inclusive():
    cells = [24, 25, "25", 35, 45, "45,0", 45.0001, 46, None, ""]
    assert hits("between", "25;45", cells) == [False, True, True, True, True, True, False, False,
                                               False, False]


def test_between_with_spaces_and_decimals():
    assert hits("between", " 1,5 ; 2,5 ", [1.49, 1.5, "2", "2,5", 2.51]) == [
        False, True, True, True, False]


def test_between_negative_range():
    assert hits("between", "-10;-5", [-11, "-10", -7, "-5", 0]) == [False, True, True, True, False]


# --- contains ---------------------------------------------------------------------------

def test_contains_any_alternative_ignoring_case():
    cells = ["Travel and food", "HOME decor", "wellness", "Sports", None, "", "travel;home"]
    assert hits("contains", "Travel; Home", cells) == [True, True, False, False, False, False, True]


def test_contains_numbers_as_text():
    assert hits("contains", "12", [1200, "3120", 13, None]) == [True, True, False, False]


# --- is blank / not blank ----------------------------------------------------------------

def test_is_blank():
    cells = [None, np.nan, "", "   ", "\t", "x", 0, "0", "-"]
    # '-' is one of the default placeholders (issue 12): it reads as blank.
    assert hits("is blank", None, cells) == [True, True, True, True, True, False, False, False, True]


def test_not_blank():
    cells = [None, np.nan, "", "   ", "x", 0, "0"]
    assert hits("not blank", None, cells) == [False, False, False, False, True, True, True]


def test_blank_operators_in_numeric_columns():
    leads = pd.DataFrame({"X": [1.0, np.nan, 0.0]})
    out = score(leads, one_rule_model(FitRule("X", "is blank", None, 10)))
    assert list(out["fit"]) == [0, 10, 0]
    out = score(leads, one_rule_model(FitRule("X", "not blank", "", 10)))
    assert list(out["fit"]) == [10, 0, 10]


def test_is_blank_with_pandas_missing_values():
    leads = pd.DataFrame({"X": pd.Series([pd.NA, "a", None], dtype="string")})
    out = score(leads, one_rule_model(FitRule("X", "is blank", None, 10)))
    assert list(out["fit"]) == [10, 0, 10]


# --- labels in reasons ------------------------------------------------------------------

@pytest.mark.parametrize("operator,value,cell,reason", [
    ("=", "IT", "it", "X: IT +10"),
    ("=", 3.0, "3", "X = 3 +10"),
    ("<>", "IT", "Retail", "X: not IT +10"),
    ("in", "IT ; Manufacturing", "IT", "X: IT or Manufacturing +10"),
    ("in", "a;b;c", "c", "X: a, b or c +10"),
    ("not in", "a;b", "c", "X: none of a, b +10"),
    (">", 50, 60, "X > 50 +10"),
    (">=", "1.000.000", 10**6, "X ≥ 1,000,000 +10"),  # The number the rule compares with, as English writes it.
    ("<", 2.5, 1, "X < 2.5 +10"),
    ("<=", 0, -1, "X ≤ 0 +10"),
    ("between", " 25 ; 45 ", 30, "X 25–45 +10"),
    ("contains", "gold; silver", "Silver plan", "X contains gold or silver +10"),
    ("is blank", None, None, "X: blank +10"),
    ("not blank", None, "x", "X: filled in +10")])
def test_rule_labels_in_reasons(operator, value, cell, reason):
    out = run(operator, value, [cell])
    assert out.loc[0, "reasons"] == reason


def test_negative_points_label():
    out = run("contains", "@gmail.", ["a@gmail.com"], points=-15)
    assert out.loc[0, "reasons"] == "X contains @gmail. \u221215; score floor +15"
    assert (out.loc[0, "fit"], out.loc[0, "score"]) == (-15, 0)


def test_column_names_match_ignoring_case_and_spaces():
    model = one_rule_model(FitRule("industry", "=", "IT", 10))
    out = score(pd.DataFrame({" Industry ": ["IT", "x"]}), model)
    assert list(out["fit"]) == [10, 0]


def test_decimal_setting_changes_comparisons():
    cells = ["1.200", "1,200", "1,5"]
    # auto: '1,5' shows a decimal comma, so the column is Italian: 1200, 1.2, 1.5.
    assert hits(">", 100, cells, decimal="auto") == [True, False, False]
    assert hits(">", 100, cells, decimal=",") == [True, False, False]   # 1200, 1.2, 1.5
    assert hits(">", 100, cells, decimal=".") == [False, True, False]   # 1.2, 1200, bad
    out = run(">", 100, cells, decimal=".")
    assert list(out["problems"]) == ["", "", "X: '1,5' is not a number"]
    # With no evidence in the column, auto reads neither way and says so.
    out = run(">", 100, ["1.200", "1,200"], decimal="auto")
    assert list(out["fit"]) == [0, 0]
    assert list(out["problems"]) == [
        "X: '1.200' is ambiguous: 1200 or 1.2? Type one of them, or set the Decimal separator on the LeadScore sheet",
        "X: '1,200' is ambiguous: 1200 or 1,2? Type one of them, or set the Decimal separator on the LeadScore sheet"]


@pytest.mark.parametrize("operator,value,cell,reason", [
    ("in", "IT;Manifatturiero", "IT", "X: IT o Manifatturiero +10"),
    ("not in", "a;b", "c", "X: nessuno di a, b +10"),
    (">", 1_000_000, 2_000_000, "X > 1.000.000 +10"),
    (">=", 2.5, 3, "X ≥ 2,5 +10"),
    ("between", "25;45", 30, "X 25–45 +10"),
    ("contains", "oro; argento", "Piano argento", "X contiene oro o argento +10"),
    ("is blank", None, None, "X: vuoto +10"),
    ("not blank", None, "x", "X: compilato +10")])
def test_rule_labels_in_an_italian_book_read_as_italian_writes_them(operator, value, cell, reason):
    model = one_rule_model(FitRule("X", operator, value, 10))
    model.settings.language = "it"
    assert score(pd.DataFrame({"X": [cell]}), model).loc[0, "reasons"] == reason


def test_a_rules_label_still_names_it_in_reasons():
    model = one_rule_model(FitRule("X", ">", 1_000_000, 10, label="Big company"))
    assert score(pd.DataFrame({"X": [2_000_000]}), model).loc[0, "reasons"] == "Big company +10"

"""Model validation: scoring.ModelError messages name the block, the entry and the field."""
from __future__ import annotations

import pandas as pd
import pytest

from scoring import (BehaviourRule, FitRule, GradeBand, ModelError, Problem, ScoreBand,
                     StatusRule, default_model, score)
from scoring.model import problems

OPS = "=, <>, in, not in, >, >=, <, <=, between, contains, is blank, not blank"


def messages(model) -> list[str]:
    return [str(p) for p in problems(model)]


def error_text(model) -> str:
    with pytest.raises(ModelError) as info:
        model.validate()
    return str(info.value)


def with_fit_rule(rule, position=None):
    model = default_model()
    if position is None:
        model.fit_rules = [rule]
    else:
        model.fit_rules.insert(position, rule)
    return model


@pytest.mark.parametrize("profile", ["b2b", "b2c"])
@pytest.mark.parametrize("language", ["en", "it"])
def test_default_models_are_valid(profile, language):
    model = default_model(profile, language)
    assert problems(model) == []
    model.validate()


def test_default_model_refuses_unknown_profile_and_language():
    with pytest.raises(ValueError) as info:
        default_model("b2x")
    assert str(info.value) == "profile 'b2x' is not one of b2b, b2c"
    with pytest.raises(ValueError) as info:
        default_model("b2b", "fr")
    assert str(info.value) == "language 'fr' is not one of en, it"


def test_problem_text_format():
    assert str(Problem("fit rule", 0, "column", "is blank")) == "fit rule 1, column: is blank"
    assert str(Problem("settings", None, "decimal", "bad")) == "settings, decimal: bad"
    error = ModelError([Problem("fit rule", 2, "points", "x"), Problem("matrix", None, "A", "y")])
    assert str(error) == "fit rule 3, points: x\nmatrix, A: y"
    assert isinstance(error, ValueError)
    assert [str(p) for p in error.problems] == ["fit rule 3, points: x", "matrix, A: y"]


# --- fit rules ------------------------------------------------------------------------

@pytest.mark.parametrize("rule,message", [
    (FitRule("Industry", "like", "IT", 10), f"fit rule 1, operator: 'like' is not one of {OPS}"),
    (FitRule("Industry", "in", "IT", "abc"), "fit rule 1, points: 'abc' is not a number"),
    (FitRule("Industry", "in", "IT", None), "fit rule 1, points: is blank; enter a number from -100,000 to 100,000"),
    (FitRule("Industry", "in", "IT", ""), "fit rule 1, points: is blank; enter a number from -100,000 to 100,000"),
    (FitRule("Industry", "in", "IT", True), "fit rule 1, points: True is not a number; enter a number from -100,000 to 100,000"),
    (FitRule("Industry", "in", "IT", float("nan")), "fit rule 1, points: is blank; enter a number from -100,000 to 100,000"),
    (FitRule("Age", "between", "5", 10),
     "fit rule 1, value: '5' must be two numbers 'min;max' for between"),
    (FitRule("Age", "between", "1;5;9", 10),
     "fit rule 1, value: '1;5;9' must be two numbers 'min;max' for between"),
    (FitRule("Age", "between", "45;25", 10), "fit rule 1, value: '45;25': min is above max"),
    (FitRule("Age", "between", "a;45", 10),
     "fit rule 1, value: 'a;45' is not a number (needed for between)"),
    (FitRule("Employees", ">", "abc", 10),
     "fit rule 1, value: 'abc' is not a number (needed for >)"),
    (FitRule("Employees", "<=", "1.2k", 10),
     "fit rule 1, value: '1.2k' is not a number (needed for <=)"),
    (FitRule("Employees", ">", "1.200", 10),
     "fit rule 1, value: '1.200' is ambiguous: 1200 or 1.2? Type one of them, or set the Decimal separator "
     "on the LeadScore sheet"),
    (FitRule("Industry", "in", "", 10), "fit rule 1, value: is blank; in needs a value"),
    (FitRule("Industry", "not in", " ; ", 10), "fit rule 1, value: is blank; not in needs a value"),
    (FitRule("Industry", "=", None, 10), "fit rule 1, value: is blank; = needs a value"),
    (FitRule("Industry", "contains", "  ", 10), "fit rule 1, value: is blank; contains needs a value"),
    (FitRule("", "=", "IT", 10), "fit rule 1, column: is blank; name a column of the Leads table"),
    (FitRule("   ", "=", "IT", 10), "fit rule 1, column: is blank; name a column of the Leads table")])
def test_fit_rule_problems(rule, message):
    model = with_fit_rule(rule)
    assert messages(model) == [message]
    assert error_text(model) == message


@pytest.mark.parametrize("rule", [
    FitRule("Age", "between", " 25 ; 45 ", 10), FitRule("Age", "between", "45;45", 10),
    FitRule("Employees", ">", "1.200.000", 10), FitRule("Employees", ">", "1,5", 10),
    FitRule("Employees", ">", 1200.5, -3.5),
    FitRule("Revenue", ">=", "€ 1.000.000", 10), FitRule("X", "is blank", None, -5),
    FitRule("X", "not blank", "", 5), FitRule("X", "=", 0, 0)])
def test_valid_fit_rules(rule):
    assert messages(with_fit_rule(rule)) == []


def test_fit_rule_numbering_and_several_fields():
    model = with_fit_rule(FitRule("", "like", "IT", "x"), position=2)
    assert messages(model) == [
        "fit rule 3, column: is blank; name a column of the Leads table",
        f"fit rule 3, operator: 'like' is not one of {OPS}",
        "fit rule 3, points: 'x' is not a number"]


# --- behaviour rules ------------------------------------------------------------------

@pytest.mark.parametrize("rule,message", [
    (BehaviourRule("", "Visits", 5), "behaviour rule 1, behaviour: is blank; give the behaviour a name"),
    (BehaviourRule("Visit", " ", 5), "behaviour rule 1, column: is blank; name a column of the Leads table"),
    (BehaviourRule("Visit", "Visits", "five"), "behaviour rule 1, points: 'five' is not a number"),
    (BehaviourRule("Visit", "Visits", None), "behaviour rule 1, points: is blank; enter a number from -100,000 to 100,000"),
    (BehaviourRule("Visit", "Visits", 5, cap=0),
     "behaviour rule 1, cap: 0 must be a number above 0 (at most 100,000), or blank for no cap"),
    (BehaviourRule("Visit", "Visits", 5, cap=-10),
     "behaviour rule 1, cap: -10 must be a number above 0 (at most 100,000), or blank for no cap"),
    (BehaviourRule("Visit", "Visits", 5, cap="lots"),
     "behaviour rule 1, cap: 'lots' must be a number above 0 (at most 100,000), or blank for no cap")])
def test_behaviour_rule_problems(rule, message):
    model = default_model()
    model.behaviour_rules = [rule]
    assert messages(model) == [message]
    assert error_text(model) == message


def test_behaviour_rule_numbering():
    model = default_model()
    model.behaviour_rules[4] = BehaviourRule("Newsletter signup", "Newsletter signup", "ten")
    assert messages(model) == ["behaviour rule 5, points: 'ten' is not a number"]


# --- roles, bands, matrix, statuses, settings ------------------------------------------

def test_role_level_not_a_number():
    model = default_model()
    model.roles["Wizard"] = "high"
    model.roles["Sorcerer"] = None
    assert messages(model) == ["roles, Wizard: 'high' is not a number",
                               "roles, Sorcerer: is blank; enter a number from 0 to 100"]


def test_grade_band_problems():
    model = default_model()
    model.grade_bands = [GradeBand("A", 45), GradeBand("A", 30), GradeBand("C", 15),
                         GradeBand("D", "low")]
    model.matrix = {"A": ("a", "b", "c"), "C": ("a", "b", "c"), "D": ("a", "b", "c")}
    model.status_rules = [StatusRule("SQL", 90, ())]
    # Both cells holding the duplicate are named.
    assert messages(model) == [
        "grade band 1, grade: 'A' appears twice",
        "grade band 2, grade: 'A' appears twice",
        "grade band 4, minimum fit: 'low' is not a number",
    ]


def test_blank_grade():
    model = default_model()
    model.grade_bands[2] = GradeBand(" ", 15)
    model.matrix[" "] = model.matrix.pop("C")
    assert messages(model) == ["grade band 3, grade: is blank; type the grade (a letter)",
                               "matrix, row 4: is blank; type the grade"]


def test_grade_minimums_must_fall():
    model = default_model()
    model.grade_bands = [GradeBand("A", 30), GradeBand("B", 45), GradeBand("C", 15),
                         GradeBand("D", None)]
    assert messages(model) == [
        "grade bands, minimum fit: minimums [30, 45, 15] must fall strictly from the best grade down"]
    model.grade_bands[1] = GradeBand("B", 30)
    assert messages(model) == [
        "grade bands, minimum fit: minimums [30, 30, 15] must fall strictly from the best grade down"]


def test_only_one_open_grade():
    model = default_model()
    model.grade_bands[2] = GradeBand("C", None)
    assert messages(model) == ["grade bands, minimum fit: only the lowest grade may have a blank minimum"]


def test_no_grades():
    model = default_model()
    model.grade_bands = []
    model.matrix = {}
    model.status_rules = [StatusRule("SQL", 90, ())]
    assert messages(model) == ["grade bands, grade: no grades; add at least one"]


def test_score_band_problems():
    model = default_model()
    model.score_bands = [ScoreBand("low", 0), ScoreBand("high", 90), ScoreBand("mid", 50)]
    assert messages(model) == [
        "score bands, minimum score: minimums [0, 90, 50] must rise strictly from the lowest band up"]
    model.score_bands = [ScoreBand("low", 0), ScoreBand("low", 50), ScoreBand(" ", "x")]
    assert messages(model) == [
        "score band 1, band: 'low' appears twice",
        "score band 2, band: 'low' appears twice",
        "score band 3, band: is blank; name the band",
        "score band 3, minimum score: 'x' is not a number"]


def test_no_score_bands():
    model = default_model()
    model.score_bands = []
    model.matrix = {g: () for g in "ABCD"}
    assert messages(model) == ["score bands, band: no score bands; add at least one"]


def test_matrix_problems():
    model = default_model()
    del model.matrix["D"]
    model.matrix["A"] = ("Wait", "Priority contact")
    model.matrix["B"] = ("Nurture", " ", "SQL")
    model.matrix["E"] = ("x", "y", "z")
    assert messages(model) == [
        "matrix, A: has 2 actions; needs one per score band (3)",
        "matrix, B: action for band 50\u201389 is blank",
        "matrix, D: grade 'D' has no row in the matrix",
        "matrix, E: 'E' is not a grade of the grade bands"]


def test_status_rule_problems():
    model = default_model()
    model.status_rules = [StatusRule("", "x", ()), StatusRule("MQL", 50, ("A", "Z", "Q"))]
    assert messages(model) == [
        "status rule 1, status: is blank; name the status",
        "status rule 1, minimum score: 'x' is not a number",
        "status rule 2, grades: Z;Q not among the grades A;B;C;D"]


@pytest.mark.parametrize("name,value,message", [
    ("fit_max", "fifty", "settings, fit_max: 'fifty' is not a number"),
    ("behaviour_max", None, "settings, behaviour_max: is blank; enter a number from 0 to 100,000"),
    ("behaviour_max", -1, "settings, behaviour_max: -1 is out of range; enter a number from 0 to 100,000"),
    ("score_min", 100, "settings, score_max: must be above score_min"),
    ("score_max", 0, "settings, score_max: must be above score_min"),
    ("decimal", ";", "settings, decimal: ';' is not one of auto, ,, ."),
    ("language", "fr", "settings, language: 'fr' is not one of en, it")])
def test_settings_problems(name, value, message):
    model = default_model()
    setattr(model.settings, name, value)
    assert messages(model) == [message]


def test_every_problem_at_once_in_sheet_order():
    model = default_model()
    model.fit_rules[1] = FitRule("Industry", "like", "IT", 10)
    model.fit_rules[3] = FitRule("Annual revenue", ">", "1M", 15)
    model.behaviour_rules[0] = BehaviourRule("Pricing page visit", "Pricing page visits", 5, cap=0)
    model.roles["CEO"] = "five"
    model.settings.language = "de"
    expected = "\n".join([
        f"fit rule 2, operator: 'like' is not one of {OPS}",
        "fit rule 4, value: '1M' is not a number (needed for >)",
        "behaviour rule 1, cap: 0 must be a number above 0 (at most 100,000), or blank for no cap",
        "roles, CEO: 'five' is not a number",
        "settings, language: 'de' is not one of en, it"])
    assert error_text(model) == expected
    with pytest.raises(ModelError) as info:
        score(pd.DataFrame({"Role": ["CEO"]}), model)
    assert str(info.value) == expected
    assert len(info.value.problems) == 5
    assert info.value.problems[0] == Problem("fit rule", 1, "operator", f"'like' is not one of {OPS}")


# --- columns the leads lack -------------------------------------------------------------

def test_missing_column_in_the_leads():
    model = with_fit_rule(FitRule("Foo", "=", "x", 10))
    model.behaviour_rules = []
    with pytest.raises(ModelError) as info:
        score(pd.DataFrame({"Name": ["a"], "Industry": ["IT"]}), model)
    message = "'Foo' is not a column of the leads (none of its 2 headers is close)"
    assert str(info.value) == f"fit rule 1, column: {message}"
    assert info.value.problems == [Problem("fit rule", 0, "column", message)]
    with pytest.raises(ModelError) as info:
        score(pd.DataFrame({"Name": ["a"], "Food": ["IT"], "Fool": [1]}), model)
    assert str(info.value) == "fit rule 1, column: 'Foo' is not a column of the leads (closest: Fool, Food)"


def test_every_missing_column_is_named_with_the_closest_headers(make_lead):
    """Never the whole header list: a few close ones. A missing Role column points at its setting."""
    row = make_lead()
    for name in ("Role", "Industry", "Webinars attended"):
        del row[name]
    with pytest.raises(ModelError) as info:
        score(pd.DataFrame([row]), default_model())
    assert str(info.value) == "\n".join([
        "fit rule 2, column: 'Industry' is not a column of the leads (none of its 20 headers is close)",
        "behaviour rule 6, column: 'Webinars attended' is not a column of the leads "
        "(none of its 20 headers is close)",
        "settings, role_column: 'Role' is not a column of the leads (none of its 20 headers is close); "
        "the 'Role level' rules read the job title from it"])


def test_model_problems_come_before_column_problems():
    model = with_fit_rule(FitRule("Foo", "like", "x", 10))
    with pytest.raises(ModelError) as info:
        score(pd.DataFrame({"Bar": [1]}), model)
    assert str(info.value) == f"fit rule 1, operator: 'like' is not one of {OPS}"


def test_role_column_alone_is_enough():
    """'Role level' may come from the Role column through the Roles table."""
    model = default_model()
    model.fit_rules = model.fit_rules[:1]
    model.behaviour_rules = []
    out = score(pd.DataFrame({"role": ["ceo", "Intern"]}), model)
    assert list(out["fit"]) == [15, 0]

"""Issue 16: the model as SQL gives what the engine gives, lead by lead and character for character.

Each test scores a small frame of messy cells with the query in DuckDB and with scoring.score, and
compares every output column (tests/sql_check.py): every operator, the three decimal settings with
numbers written the Italian and the English way, counts with yes/no words, per unit amounts, caps,
conditions, rule groups (sum, max, all, group caps), behaviour, fit and score limits, grade and score
bands, the matrix, status rules, sales stages, the Roles table, placeholders, numbers and TRUE/FALSE
stored as such, an Italian model. Then: the SQL of every dialect parses, and what SQL cannot do
(hygiene rules, duplicates) is refused, naming the rules.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scoring
from scoring import BehaviourRule, FitRule, GradeBand, RuleGroup, ScoreBand, StatusRule
from scoring.model import ModelError, Problem
from scoring.sql import DIALECTS, NotExpressible, build

from sql_check import TRICKY, assert_same, kind, sql_scores, text_frame

OPERATORS = [("=", "IT"), ("<>", "it"), ("in", "IT; Manufacturing;1200; strasse"), ("not in", "IT;finance"),
             (">", 50), (">=", 1200.5), ("<", 3), ("<=", 2), ("between", "1;1200"), ("contains", "it;ss;fi"),
             ("is blank", None), ("not blank", None), ("=", 1200), ("in", "5;7;12"), ("=", "n/a")]


def model_with(fit=(), behaviour=(), groups=(), language="en", **settings):
    model = scoring.default_model("b2b", language)
    model.fit_rules, model.behaviour_rules, model.groups = list(fit), list(behaviour), list(groups)
    for name, value in settings.items():
        setattr(model.settings, name, value)
    return model


def tricky_frame(*names, shift: int = 3) -> pd.DataFrame:
    """Columns of every TRICKY spelling, each column turned by shift against the one before."""
    values = list(TRICKY)
    return text_frame({name: values[i * shift:] + values[:i * shift] for i, name in enumerate(names)})


def test_a_small_model_gives_the_engines_results():
    frame = tricky_frame("Industry", "Visits")
    model = model_with([FitRule("Industry", "in", "IT;Manufacturing", 10)], [BehaviourRule("Visit", "Visits", 5)])
    want = assert_same(frame, model)
    assert want["reasons"].str.contains("Visit \u00d7").any() and want["reasons"].str.contains("Industry").any()


@pytest.mark.slow
@pytest.mark.parametrize("decimal", ["auto", ",", "."])
def test_every_operator_count_and_per_unit_on_messy_text(decimal):
    frame = tricky_frame("A", "B", "Role", "Stage")
    fit = [FitRule("A", op, value, 3 + i) for i, (op, value) in enumerate(OPERATORS)]
    fit += [FitRule("Role level", ">=", 3, 15), FitRule("Role level", "=", "5", 1), FitRule("B", "contains", "e", 2)]
    behaviour = [BehaviourRule("Count A", "A", 2), BehaviourRule("Per B", "B", 1.5, kind="per unit", cap=40),
                 BehaviourRule("Cond B", "B", -3, kind="condition", operator="between", value="0;10"),
                 BehaviourRule("Capped", "B", 7, cap=10), BehaviourRule("Negative", "A", -0.25, kind="per unit")]
    model = model_with(fit, behaviour, decimal=decimal, behaviour_min=-20, fit_max=60)
    want = assert_same(frame, model)
    assert want["reasons"].str.contains(r"\(cap\)").any()
    assert (want["status"] == "Customer").any() and (want["action"] == "Owned by sales").any()


@pytest.mark.slow
def test_the_column_decides_its_decimal_separator():
    """'4.857' is 4.857 in a column that shows '.', 4857 in one that shows ',', and neither in one that
    shows both or nothing (auto)."""
    frame = text_frame({"Dots": ["4.857", "1.200", "-2.500", None, "0.5", "1,250", "7"],
                        "Commas": ["4,857", "1,250", "2,5", "-1.200", None, "€ 2.500", "9"],
                        "Both": ["4.857", "1,250", "0.5", "1.200.000", "3", None, "2,5"],
                        "Neither": ["4.857", "1,250", "€ 1.200", "12", None, "-7", "$1,500"]})
    fit = [FitRule(c, op, v, p) for c in frame.columns for op, v, p in ((">", 100, 1), ("<", 10, 2), ("=", 1250, 4))]
    behaviour = [BehaviourRule(f"Per {c}", c, 0.01, kind="per unit") for c in frame.columns]
    want = assert_same(frame, model_with(fit, behaviour, decimal="auto", fit_max=100, behaviour_min=-100))
    reasons = "; ".join(want["reasons"])
    assert "Per Dots \u00d74.857 " in reasons and "Per Commas \u00d74.857 " in reasons
    assert "Per Dots \u00d71250 " in reasons and "Per Neither \u00d71200 " in reasons
    assert "Per Both \u00d74" not in reasons and "Per Neither \u00d74" not in reasons


@pytest.mark.slow
def test_numbers_and_true_false_stored_as_such():
    frame = pd.DataFrame({"N": [1200.0, 50, np.nan, -3, 0.5, 1e6, 2.5, 12],
                          "I": pd.Series([1, 0, 3, 7, 2, 0, 1, 12], dtype="int64"),
                          "T": [True, False, True, True, False, False, True, False],
                          "S": pd.Series(["5", None, "yes", "1.200", " 7 ", "x", "0", "-"], dtype=object)})
    fit = [FitRule("N", op, v, 1 + i) for i, (op, v) in enumerate(OPERATORS)]
    fit += [FitRule("T", "=", "TRUE", 5), FitRule("T", "=", 1, 6), FitRule("I", "in", "7;12", 3)]
    behaviour = [BehaviourRule("Count N", "N", 2, cap=100), BehaviourRule("Per N", "N", 0.5, kind="per unit"),
                 BehaviourRule("Count I", "I", 3), BehaviourRule("True", "T", 4), BehaviourRule("Words", "S", 1)]
    assert_same(frame, model_with(fit, behaviour, fit_max=200, behaviour_max=1000, score_max=100000))


@pytest.mark.slow
def test_rule_groups_sum_max_all_and_their_caps():
    frame = tricky_frame("A", "B", "C", shift=5)
    groups = [RuleGroup("Source", "max", 12), RuleGroup("Size", "sum", 8), RuleGroup("Both", "all"),
              RuleGroup("Acts", "max"), RuleGroup("Ties", "max"), RuleGroup("Engaged", "all", 9)]
    fit = [FitRule("A", "=", "IT", 10, group="Source"), FitRule("B", "not blank", None, 5),
           FitRule("A", "contains", "i", 14, group="Source"), FitRule("C", ">", 3, 6, group="Size"),
           FitRule("C", "<", 100, 4, group="Size"), FitRule("A", "not blank", None, 7, group="Both"),
           FitRule("B", "not blank", None, 8, group="Both"), FitRule("B", ">", 0, 3, group="Ties"),
           FitRule("C", ">", 0, 3, group="Ties"), FitRule("A", "=", "IT", 9, group="Source")]
    behaviour = [BehaviourRule("Visits", "A", 5, cap=12, group="Acts"), BehaviourRule("Demo", "B", 20, group="Acts"),
                 BehaviourRule("Per C", "C", 0.5, kind="per unit", group="Acts"),
                 BehaviourRule("Yes B", "B", 4, kind="condition", operator="=", value="yes", group="Engaged"),
                 BehaviourRule("Count C", "C", 3, group="Engaged"), BehaviourRule("Loose", "A", -1)]
    want = assert_same(frame, model_with(fit, behaviour, groups, behaviour_min=-10, fit_max=30))
    assert want["reasons"].str.contains("best of 2").any()
    assert want["reasons"].str.contains("group cap").any()


@pytest.mark.slow
def test_limits_bands_matrix_statuses_and_stages():
    values = [str(x) for x in range(-30, 131, 7)] + ["n/a", None, " Opportunity", "customer", "Lost", "-"]
    frame = text_frame({"Fit": values, "Act": values[::-1], "Stage": values[5:] + values[:5]})
    model = model_with([FitRule("Fit", "between", "-100;200", 0.5), FitRule("Fit", ">", 40, 20),
                        FitRule("Fit", "<", 0, -15)],
                       [BehaviourRule("Act", "Act", 1.25, kind="per unit"), BehaviourRule("Fit count", "Fit", 1)],
                       fit_max=15, behaviour_max=60, behaviour_min=-25, score_min=-10, score_max=70,
                       placeholders=("n/a", "-", "Lost"), default_status="Cold",
                       sales_stages=("Opportunity", "Customer", "customer"))
    model.grade_bands = [GradeBand("A", 20), GradeBand("B", 10), GradeBand("C", -5)]
    model.score_bands = [ScoreBand("low", -10), ScoreBand("mid", 20), ScoreBand("high", 60)]
    model.matrix = {"A": ("a1", "a2", "a3"), "B": ("b1", "b2", "b3"), "C": ("c1", "c2", "c3")}
    model.status_rules = [StatusRule("Hot", 60, ("A",)), StatusRule("Warm", 20, ()), StatusRule("Odd", 0, ("C", "B"))]
    want = assert_same(frame, model)
    for word in ("fit cap", "behaviour cap", "behaviour floor", "score cap", "score floor"):
        assert want["reasons"].str.contains(word).any(), word
    assert set(want["status"]) >= {"Hot", "Warm", "Odd", "Cold", "Opportunity", "customer"}


@pytest.mark.slow
def test_the_default_models_in_english_and_italian():
    from scoring.sample import sample_leads

    for language in ("en", "it"):
        leads = sample_leads(3000, seed=5, language=language)
        frame = text_frame({c: [None if v is None else str(v) for v in leads[c]] for c in leads.columns})
        want = assert_same(frame, scoring.default_model("b2b", language))
        assert set(want["status"]) >= {"Lead", "MQL", "SQL"}


@pytest.mark.slow
def test_the_sql_of_every_dialect_parses():
    import sqlglot

    frame = tricky_frame("Industry", "Employees", "Pricing page visits", "Stage")
    model = model_with([FitRule("Industry", "in", "IT;Manufacturing", 10), FitRule("Employees", ">", 50, 10)],
                       [BehaviourRule("Visit", "Pricing page visits", 5, cap=20)])
    query = build(model, {c: kind(frame[c]) for c in frame.columns}, "crm.leads")
    for dialect in DIALECTS:
        text = query.text(dialect)
        tree = sqlglot.parse_one(text, read=dialect)
        assert tree.find(sqlglot.exp.Select) is not None, dialect
        assert "crm" in text and "leads" in text, dialect
    assert "ARRAY_CONSTRUCT_COMPACT" in query.text("snowflake") and "ARRAY_TO_STRING" in query.text("bigquery")


def test_hygiene_rules_and_duplicates_are_refused_by_rule():
    from scoring.sample import sample_leads

    model = scoring.default_model("b2b", "en", hygiene=True)
    columns = {c: "text" for c in sample_leads(1).columns}
    with pytest.raises(NotExpressible) as caught:
        build(model, columns)
    found = caught.value.problems
    kinds = [p for p in found if p.field == "kind"]
    assert [(p.block, p.index) for p in kinds] == [("behaviour rule", i) for i in range(9, 14)]
    assert "'disposable email' (lead hygiene) cannot be written in SQL" in kinds[0].message
    assert found[-1] == Problem("settings", None, "duplicates by", found[-1].message)


def test_rules_over_events_are_refused_by_rule():
    # The Events sheet is not in a table of leads: a model that scores it is not written as SQL
    # (its points would silently be missing).
    from scoring import EventRule

    model = model_with([FitRule("Industry", "=", "IT", 10)])
    model.event_rules = [EventRule("Webinar attended", ("webinar",), 10)]
    with pytest.raises(NotExpressible) as caught:
        build(model, {"Industry": "text"})
    assert [(p.block, p.index, p.field) for p in caught.value.problems] == [("event rule", 0, "event")]
    assert "'Webinar attended' scores the Events sheet" in caught.value.problems[0].message


def test_a_missing_column_is_the_engines_problem():
    model = model_with([FitRule("Industri", "=", "IT", 10)])
    with pytest.raises(ModelError) as caught:
        build(model, {"Industry": "text", "Role": "text"})
    assert str(caught.value) == "fit rule 1, column: 'Industri' is not a column of the leads (closest: Industry)"


def test_whole_models_give_whole_numbers():
    frame = text_frame({"Industry": ["IT", "x"], "Visits": ["2", "yes"]})
    model = model_with([FitRule("Industry", "=", "IT", 10)], [BehaviourRule("Visit", "Visits", 5)])
    got, query = sql_scores(frame, model)
    assert query.whole and got["score"].tolist() == [20, 5] and got["score"].dtype == np.int64
    model.behaviour_rules[0].points = 2.5
    got, query = sql_scores(frame, model)
    assert not query.whole and got["score"].tolist() == [15.0, 2.5]


def test_an_italian_model_writes_decimal_points_with_a_comma_as_the_engine_does():
    from scoring import BehaviourRule

    frame = text_frame({"Settore": ["IT", "Retail", "IT", None], "Dipendenti": ["60", "10", "1.200", "x"],
                        "Visite": ["3", "1", "0", "2,5"]})
    model = scoring.default_model("b2b", "it")
    model.fit_rules = [FitRule("Settore", "=", "IT", 2.5), FitRule("Dipendenti", ">", 50, -0.25)]
    model.behaviour_rules = [BehaviourRule("Visite", "Visite", 1.5, kind="per unit", cap=4)]
    model.roles, model.groups, model.event_rules = {}, [], []
    want = assert_same(frame, model)
    assert want["reasons"].tolist()[0] == "Settore: IT +2,5; Dipendenti > 50 \u22120,25; Visite \u00d73 +4 (tetto)"
    assert want["reasons"].tolist()[3] == "Visite \u00d72,5 +3,75"  # A count with decimals: a comma too.

"""Numbers in an Italian book's reasons are written the Italian way: points with a decimal comma."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from scoring import BehaviourRule, FitRule, default_model, score
from scoring.defaults import LEAD_COLUMNS, header
from scoring.tasks import plan_tasks
from workbook import rescore
from workbooks import AS_OF, edit, known_book, leads_outputs


def _model(language: str):
    model = default_model("b2b", language, 2026)
    model.behaviour_rules = []
    model.fit_rules = [FitRule(header("industry", language), "in", "IT", 2.5),
                       FitRule(header("employees", language), ">", 50, -0.25)]
    return model


def _lead(language: str) -> pd.DataFrame:
    row = {header(m, language): None for m in LEAD_COLUMNS["b2b"]}
    row.update({header("id", language): "L1", header("industry", language): "IT", header("employees", language): 80})
    return pd.DataFrame([row])


def test_points_with_decimals_read_with_a_comma_in_an_italian_book_and_a_point_in_an_english_one():
    assert score(_lead("it"), _model("it")).loc[0, "reasons"] == "Settore: IT +2,5; Dipendenti > 50 \u22120,25"
    assert score(_lead("en"), _model("en")).loc[0, "reasons"] == "Industry: IT +2.5; Employees > 50 \u22120.25"


def test_counts_with_decimals_are_written_with_a_comma_in_an_italian_book_and_a_point_in_an_english_one():
    for language, name, want in (("it", "Pagine per visita", "Pagine per visita \u00d72,5 +5"),
                                 ("en", "Pages per visit", "Pages per visit \u00d72.5 +5")):
        model = _model(language)
        model.fit_rules = []
        model.behaviour_rules = [BehaviourRule(name, name, 2, kind="per unit")]
        leads = _lead(language).assign(**{name: ["2,5" if language == "it" else "2.5"]})
        assert score(leads, model).loc[0, "reasons"] == want


def test_the_reason_of_an_italian_task_writes_its_points_with_a_comma():
    model, leads = _model("it"), _lead("it")
    model.fit_rules[0].points = 92.5  # SQL: the lead gets a call.
    enrolment = pd.DataFrame({"sequence": [None], "start": [None]})
    tasks, _ = plan_tasks(leads, score(leads, model), model, enrolment, dt.date(2026, 12, 4))
    assert "Settore: IT +92,5" in tasks.iloc[0]["reason"]


def test_a_rescored_italian_book_writes_decimal_points_with_a_comma_in_its_reasons_cells(tmp_path):
    book = known_book(tmp_path / "libro.xlsx", language="it")
    edit(book, "LeadScore", {"E6": 7.5})  # The points of the third fit rule (Employees > 50).
    rescore(book, as_of=AS_OF)
    reasons = leads_outputs(book)[0]["Motivi"]
    assert reasons.startswith("Livello ruolo \u2265 3 +15; Settore: IT o Manifatturiero +10; Dipendenti > 50 +7,5; "
                              "Fatturato annuo > 1.000.000 +15; ")

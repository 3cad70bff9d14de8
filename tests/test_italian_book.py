"""An Italian book speaks Italian: operators, channels, lists, holidays, model errors and the tasks' notes;
either language's fixed words are read in any book."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
from click.testing import CliRunner

from addin.cli import cli
from scoring import FitRule, default_model, score
from scoring.defaults import LEAD_COLUMNS, header, holiday_name
from scoring.tasks import plan_tasks
from workbook import check, new_workbook, read_model
from workbooks import known_book

FRI = dt.date(2026, 12, 4)


def test_an_english_book_reads_italian_operator_words_and_the_other_way_round():
    lead = pd.DataFrame([{"Industry": "Manufacturing", "Employees": 80, "Notes": ""}])
    english = default_model("b2b", "en")
    english.behaviour_rules = []
    english.fit_rules = [FitRule("Industry", "uno di", "IT;Manufacturing", 10), FitRule("Employees", "tra", "50;100", 5),
                         FitRule("Notes", "è vuoto", None, 1), FitRule("Industry", "contains", "manu", 2)]
    out = score(lead, english)
    assert out.loc[0, "fit"] == 18
    italian = default_model("b2b", "it")
    italian.behaviour_rules = []
    italian.fit_rules = [FitRule("Industry", "in", "IT;Manufacturing", 10), FitRule("Employees", "between", "50;100", 5),
                         FitRule("Notes", "is blank", None, 1), FitRule("Industry", "contiene", "manu", 2)]
    assert score(lead, italian).loc[0, "fit"] == 18


def test_the_italian_template_reads_back_its_italian_words_as_the_model(tmp_path):
    path = tmp_path / "libro.xlsx"
    new_workbook(path, language="it")
    model = read_model(path)
    assert [r.operator for r in model.fit_rules] == [">=", "in", ">", ">"]
    assert {s.channel for s in model.sequences} == {"Phone", "Email", "WhatsApp", "Task"}


def test_italian_holidays_have_their_names():
    assert [holiday_name(dt.date(2026, m, d)) for m, d in ((1, 1), (4, 6), (8, 15), (12, 25), (3, 3))] == [
        "Capodanno", "Lunedì dell'Angelo", "Ferragosto", "Natale", ""]


def test_model_errors_of_an_italian_book_are_in_italian(tmp_path):
    path = tmp_path / "libro.xlsx"
    new_workbook(path, language="it")
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    ws["E6"], ws["C7"] = "dieci", "simile a"
    wb.save(path)
    assert check(path).errors == [
        "LeadScore!E6: punti 'dieci' non è un numero",
        "LeadScore!C7: operatore 'simile a' non è uno di =, <>, uno di, nessuno di, >, >=, <, <=, tra, contiene, "
        "è vuoto, non è vuoto"]


def test_tasks_of_an_italian_book_name_channels_in_italian():
    model = default_model("b2b", "it", 2026)
    row = {header(m, "it"): None for m in LEAD_COLUMNS["b2b"]}
    row.update({"ID lead": "L1", "Nome": "Anna", "Email": "senza indirizzo", "Ruolo": "Responsabile HR",
                "Settore": "Commercio", "Dipendenti": 1200, "Fatturato annuo": 2_000_000, "White paper scaricati": 1})
    leads = pd.DataFrame([row])
    enrolment = pd.DataFrame({"sequence": [None], "start": [None]})
    tasks, _ = plan_tasks(leads, score(leads, model), model, enrolment, FRI)
    first = tasks.iloc[0]
    assert (first["task"], first["channel"]) == ("Standard 1/5", "Telefono")
    assert first["reason"].endswith(" · senza indirizzo email: Telefono invece di Email")
    assert set(tasks["channel"]) == {"Telefono"}  # No consent for WhatsApp and no address: the phone.


def test_the_summary_of_an_italian_book_names_its_problems_column(tmp_path):
    book = known_book(tmp_path / "libro.xlsx", language="it")
    result = CliRunner().invoke(cli, ["rescore", str(book)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "(see the Problemi column; " in result.output

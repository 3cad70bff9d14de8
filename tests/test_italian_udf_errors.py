"""The in-cell functions of an Italian book (its Language setting it) write their problems in Italian.

A model whose values are no LeadScore sheet at all has no Language setting to read: its line stays English.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from addin import udf_core, udfs
from scoring import default_model
from test_events_sheet import B_LEAD, CLICK, DAY0, OTHER, WEBINAR, book_with
from test_italian_model_errors import ENGLISH
from test_udf_events import WIDE, _values
from workbook import template
from workbook.events_sheet import labels
from workbook.layout import MODEL_ROWS
from workbooks import known_leads

FUNCTIONS = ", ".join("LEAD" + name for name in udf_core.NAMES)
PASS_AS_OF = "passa una data, OGGI() o ADESSO(), o omettilo per contare da adesso"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """An Italian book with two rules over events and two leads: (headers, rows, model values, events)."""
    path = book_with(tmp_path_factory.mktemp("udf-it") / "libro.xlsx", [WEBINAR, CLICK], [B_LEAD, OTHER], "it")
    leads = _values(path, "Leads")
    events = [labels("it"), ["L1", "anna@alfa.it", dt.datetime(2026, 2, 20, 10), "webinar attended",
                             "Spring webinar", None, None, None, None]]
    return [leads[0]], leads[1:3], _values(path, "LeadScore", WIDE, MODEL_ROWS), events


def _italian(line: str) -> bool:
    """No English word is left outside quoted values, names (LEADFIT, tblEvents, LeadScoreModel) and as_of."""
    assert line.startswith("Errore: "), line
    text = re.sub(r"'[^']*'|\b(LEAD[A-Z]+|tbl\w+|LeadScore\w*|as_of|Lead Score)\b", "", line.split(": ", 1)[1])
    return not ENGLISH.search(text)


def test_the_functions_score_an_italian_book(book):
    headers, rows, model, events = book
    assert udfs.LEADREASONS(rows, headers, model, events, DAY0) == [
        ["Settore: IT o Manifatturiero +10; Dipendenti > 50 +10; Webinar, con decadimento +10"], [""]]


def test_a_rule_over_events_without_the_events_is_named_in_italian(book):
    headers, rows, model, _ = book
    line = udfs.LEADSCORE([rows[0]], headers, model)
    assert line == ("Errore: LeadScore!CD4: 'Webinar' è una regola sugli eventi: passa la tabella Eventi come 4° "
                    "argomento (tblEvents[#Tutti]) perché conti (e un altro)")
    assert _italian(line)


def test_leads_and_headers_that_do_not_match_are_named_in_italian(book):
    headers, rows, model, events = book
    line = udfs.LEADGRADE([rows[0][:3]], headers, model, events, DAY0)
    assert line == "Errore: i lead hanno 3 colonne ma le intestazioni 35; passa le stesse colonne per entrambi"
    assert _italian(line)


def test_an_unknown_function_is_named_in_italian(book):
    headers, rows, model, _ = book
    line = udf_core.call("LEADFOO", [rows[0]], headers, model)
    assert line == f"Errore: 'LEADFOO' non è una funzione di Lead Score ({FUNCTIONS})"
    assert _italian(line)


@pytest.mark.parametrize("as_of, what", [("la settimana prossima", "'la settimana prossima' non è una data e ora"),
                                         (True, "True non è una data e ora"),
                                         ([[DAY0, DAY0]], "è di 2 celle")])
def test_an_as_of_that_is_no_time_is_named_in_italian(book, as_of, what):
    headers, rows, model, events = book
    line = udfs.LEADSCORE([rows[0]], headers, model, events, as_of)
    assert line == f"Errore: as_of {what}: {PASS_AS_OF}"
    assert _italian(line)


def test_events_without_a_needed_column_are_named_in_italian(book):
    headers, rows, model, events = book
    line = udfs.LEADSCORE([rows[0]], headers, model, events[1:], DAY0)
    assert line == ("Errore: gli eventi non hanno la colonna Data e ora (le loro intestazioni: L1, anna@alfa.it, "
                    "2026-02-20 10:00:00, webinar attended, Spring webinar); passa la tabella Eventi con le sue "
                    "intestazioni: tblEvents[#Tutti]")
    no_lead = [[None if h in ("ID lead", "Email") else h for h in events[0]]] + events[1:]
    other = udfs.LEADSCORE([rows[0]], headers, model, no_lead, DAY0)
    assert other == ("Errore: gli eventi non hanno la colonna ID lead o Email (le loro intestazioni: Data e ora, "
                     "Evento, Dettaglio, Campagna, User agent, IP, Sospetto); passa la tabella Eventi con le sue "
                     "intestazioni: tblEvents[#Tutti]")
    blank = udfs.LEADSCORE([rows[0]], headers, model, [[None] * 9], DAY0)
    assert blank.startswith("Errore: gli eventi non hanno la colonna Data e ora (le loro intestazioni: nessuna); ")
    # The events' own words (webinar attended, User agent) are values, not the message's.
    assert all(_italian(re.sub(r"\(le loro intestazioni: [^)]*\)", "", x)) for x in (line, other, blank))


def test_leads_without_id_or_email_are_named_in_italian(tmp_path, book):
    events = book[3]
    model = default_model("b2b", "it")  # No hygiene rules: they read the Email column.
    model.event_rules = [WEBINAR]
    path = tmp_path / "semplice.xlsx"
    template.build(path, model, known_leads("it"), None, "it", "b2b")
    leads = _values(path, "Leads")
    keep = [i for i, h in enumerate(leads[0]) if h not in ("ID lead", "Email")]
    line = udfs.LEADSCORE([[leads[1][i] for i in keep]], [[leads[0][i] for i in keep]],
                          _values(path, "LeadScore", WIDE, MODEL_ROWS), events, DAY0)
    assert line == ("Errore: le regole sugli eventi trovano il lead di ogni evento dal suo ID lead o Email: "
                    "includi quella colonna nei lead e nelle loro intestazioni")
    assert _italian(line)


def test_a_name_that_stops_before_the_rules_over_events_is_named_in_italian(book):
    headers, rows, model, events = book
    line = udfs.LEADSCORE([rows[0]], headers, [r[:64] for r in model], events, DAY0)
    assert line == ("Errore: LeadScoreModel finisce alla colonna BL, prima delle regole sugli eventi (LeadScore!CD3): "
                    "fai riferire il nome a 'LeadScore'!$A$1:$CK$500 (Formule > Gestione nomi)")
    assert _italian(line)


def test_a_rule_column_the_leads_lack_starts_with_errore(book):
    # The problem itself is worded by scoring/columns.py, which has no Italian for it yet.
    headers, rows, model, events = book
    line = udfs.LEADSCORE([rows[0][:5]], [headers[0][:5]], model, events, DAY0)
    assert line.startswith("Errore: LeadScore!B5: colonna lead 'Settore' ") and line.endswith(" (e altri 11)")


def _set(model, cell: tuple[int, int], value) -> list[list]:
    """The model's values with one cell (row, column, 1-based) changed."""
    changed = [list(r) for r in model]
    changed[cell[0] - 1][cell[1] - 1] = value
    return changed


def test_a_bad_model_cell_and_a_broken_structure_are_named_in_italian(book):
    headers, rows, model, events = book
    line = udfs.LEADSCORE([rows[0]], headers, _set(model, (4, 5), "abc"), events, DAY0)  # E4: points.
    assert line == "Errore: LeadScore!E4: punti 'abc' non è un numero"
    twice = udfs.LEADSCORE([rows[0]], headers, _set(model, (5, 22), "CEO"), events, DAY0)  # V5: a role again.
    assert twice == "Errore: LeadScore!V5: il ruolo 'CEO' compare due volte"
    missing = udfs.LEADSCORE([rows[0]], headers, _set(model, (3, 5), "Pesi"), events, DAY0)  # E3: a header.
    assert missing == ("Errore: LeadScore!B3: la tabella Regole di profilo (chi è il lead) non ha la colonna 'Punti' "
                       "(o 'Points')")
    assert udf_core.call("LEADFOO", [rows[0]], headers, _set(model, (5, 22), "CEO")).startswith("Errore: ")
    assert all(_italian(x) for x in (line, twice, missing))


def test_a_language_setting_that_is_no_language_is_named_in_the_headers_language(book):
    headers, rows, model, events = book
    line = udfs.LEADSCORE([rows[0]], headers, _set(model, (14, 42), "francese"), events, DAY0)  # AP14: Lingua.
    assert line == "Errore: LeadScore!AP14: Lingua 'francese' non è uno di en, it"


def test_a_bug_is_one_italian_line(book, monkeypatch):
    headers, rows, model, events = book

    def broken(*_):
        raise RuntimeError("boom")

    monkeypatch.setattr(udf_core, "score", broken)
    line = udfs.LEADSCORE([rows[0]], headers, model, events, DAY0)
    assert line == "Errore: Lead Score si è fermato per un RuntimeError inatteso (un bug; segnalalo, per favore)"
    assert _italian(line)


def test_values_that_are_no_leadscore_sheet_stay_english(book):
    # No block where the template puts it: no Language setting can be read, so the line is English.
    headers, rows, model, _ = book
    line = udfs.LEADSCORE([rows[0]], headers, _set(model, (3, 2), "Altro"))
    assert line == ("Error: LeadScore!B3: expected the Fit rules (who the lead is) table here (header 'Lead column'), "
                    "found 'Altro'")
    assert udf_core.call("LEADFOO", [rows[0]], headers, [[None]]).startswith("Error: 'LEADFOO' is not a Lead Score "
                                                                            "function")

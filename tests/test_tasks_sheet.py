"""The day's Tasks sheet, enrolment in the Leads table, CSV and calendar exports."""
from __future__ import annotations

import pytest

import csv
import datetime as dt

import icalendar
import openpyxl
from click.testing import CliRunner

from addin.cli import cli
from workbook.workflow import run
from workbooks import known_book, leads_outputs, sha256

MONDAY = dt.datetime(2026, 11, 23, 8, 0)
TUESDAY = dt.datetime(2026, 11, 24, 8, 0)
D = dt.date


def sheet_rows(path, title) -> list[tuple]:
    """The rows of the sheet's one table, its header first."""
    ws = openpyxl.load_workbook(path)[title]
    (table,) = ws.tables.values()
    return [tuple(c.value for c in row) for row in ws[table.ref]]


SAMPLE_NOTE = ("Note: 11 of 11 tasks went to the template's sample people (Marco Bianchi, Laura Conti, Sara Ferri). "
               "Put your team in the Team table (LeadScore!BD4) and run again.")


def test_tasks_sheet_lists_the_days_work_sorted_and_records_enrolment(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    run(book, as_of=MONDAY, steps=("rescore", "tasks"))
    rows = sheet_rows(book, "Tasks 2026-11-23")
    assert rows[0] == ("Lead ID", "Lead", "Company", "Task", "Channel", "Content", "Owner", "Due", "Priority",
                       "Reason")
    # Lead, task, due, priority, owner: L1 and L2 start Standard, L3 (SQL) gets the call;
    # L4 (No action) and L5 (Customer, owned by sales) get nothing. Today's work first, by
    # priority (the call, due by the next business day, then today's emails), later steps after.
    assert [(r[0], r[3], r[7].date(), r[8], r[6]) for r in rows[1:]] == [
        ("L3", "SQL call 1/1", D(2026, 11, 24), 1, "Marco Bianchi"),
        ("L1", "Standard 1/5", D(2026, 11, 23), 2, "Sara Ferri"),
        ("L2", "Standard 1/5", D(2026, 11, 23), 2, "Sara Ferri"),
        ("L1", "Standard 2/5", D(2026, 11, 25), 2, "Sara Ferri"),
        ("L2", "Standard 2/5", D(2026, 11, 25), 2, "Sara Ferri"),
        ("L1", "Standard 3/5", D(2026, 11, 30), 2, "Sara Ferri"),
        ("L2", "Standard 3/5", D(2026, 11, 30), 2, "Sara Ferri"),
        ("L1", "Standard 4/5", D(2026, 12, 3), 2, "Sara Ferri"),
        ("L2", "Standard 4/5", D(2026, 12, 3), 2, "Sara Ferri"),
        ("L1", "Standard 5/5", D(2026, 12, 9), 2, "Marco Bianchi"),
        ("L2", "Standard 5/5", D(2026, 12, 9), 2, "Laura Conti"),
    ]
    # No email address and no consent: every step goes by phone.
    assert {r[4] for r in rows[1:]} == {"Phone"}
    call = rows[1]
    assert call[2] == '=HYPERLINK("http://evil","x")'  # Company text, kept as text.
    assert call[5].startswith("Call within 1 business day: qualify need, budget and timing — ")
    assert "score A100" in call[5]
    assert call[9].startswith("SQL · A100 · new in SQL call · ")
    wb = openpyxl.load_workbook(book)
    ws = wb["Tasks 2026-11-23"]
    assert ws["C4"].data_type == "s"
    # The Team table still lists the template's people: a note above the table says so.
    assert (ws["A1"].value, ws["A2"].value) == (SAMPLE_NOTE, None)
    assert ws.tables["tblTasks20261123"].ref == "A3:J14"
    assert ws.freeze_panes == "A4"  # The note and the headers stay in view.
    leads = leads_outputs(book)
    assert [(r["Sequence"], r["Sequence start"]) for r in leads] == [
        ("Standard", dt.datetime(2026, 11, 23)), ("Standard", dt.datetime(2026, 11, 23)),
        ("SQL call", dt.datetime(2026, 11, 23)), (None, None), (None, None)]


@pytest.mark.slow
def test_running_twice_on_the_same_day_gives_the_same_sheet(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    run(book, as_of=MONDAY, steps=("rescore", "tasks"))
    first = sheet_rows(book, "Tasks 2026-11-23")
    run(book, as_of=MONDAY, steps=("rescore", "tasks"))
    assert sheet_rows(book, "Tasks 2026-11-23") == first
    assert [s for s in openpyxl.load_workbook(book).sheetnames if s.startswith("Tasks")] == ["Tasks 2026-11-23"]


@pytest.mark.slow
def test_next_day_lists_only_what_falls_due_and_enrols_nobody_again(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    run(book, as_of=MONDAY, steps=("rescore", "tasks"))
    enrolled = [(r["Sequence"], r["Sequence start"]) for r in leads_outputs(book)]
    run(book, as_of=TUESDAY, steps=("rescore", "tasks"))
    rows = sheet_rows(book, "Tasks 2026-11-24")
    assert [(r[0], r[3]) for r in rows[1:]] == [("L3", "SQL call 1/1")]
    assert [(r["Sequence"], r["Sequence start"]) for r in leads_outputs(book)] == enrolled
    assert "Tasks 2026-11-23" in openpyxl.load_workbook(book).sheetnames


def test_italian_tasks_sheet(tmp_path):
    book = known_book(tmp_path / "libro.xlsx", language="it")
    run(book, as_of=MONDAY, steps=("rescore", "tasks"))
    rows = sheet_rows(book, "Attività 2026-11-23")
    assert openpyxl.load_workbook(book)["Attività 2026-11-23"]["A1"].value == (
        "Nota: 11 attività su 11 sono andate alle persone di esempio del modello (Marco Bianchi, Laura Conti, "
        "Sara Ferri). Inserisci la tua squadra nella tabella Squadra (LeadScore!BD4) e ricalcola.")
    assert rows[0] == ("ID lead", "Lead", "Azienda", "Attività", "Canale", "Contenuto", "Responsabile",
                       "Scadenza", "Priorità", "Motivo")
    assert rows[1][3] == "Chiamata SQL 1/1"  # Priority 1 first.
    assert {r[4] for r in rows[1:]} == {"Telefono"}  # Channels in Italian.


def test_cli_tasks_writes_csv_and_calendar(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    result = CliRunner().invoke(cli, ["tasks", str(book), "--as-of", "2026-11-23", "--csv",
                                      str(tmp_path / "t.csv"), "--ics", str(tmp_path / "t.ics")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Tasks: 11 in sheet 'Tasks 2026-11-23' (1 of priority 1)" in lines
    assert f"Wrote 11 tasks to {tmp_path / 't.csv'}" in lines
    assert f"Wrote 11 calendar entries to {tmp_path / 't.ics'}" in lines
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert table[0][:4] == ["Lead ID", "Lead", "Company", "Task"]
    # Text that a spreadsheet would run as a formula is neutralised (OWASP: a leading apostrophe).
    assert table[1][:4] == ["L3", "Carla Bianchi", '\'=HYPERLINK("http://evil","x")', "SQL call 1/1"]
    cal = icalendar.Calendar.from_ical((tmp_path / "t.ics").read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 11
    call = [e for e in events if "SQL call" in str(e["summary"])]
    assert len(call) == 1 and call[0].decoded("dtstart") == D(2026, 11, 24)
    assert str(call[0]["summary"]) == "Phone: Carla Bianchi — SQL call 1/1"
    # The same task keeps its calendar UID, so importing twice updates instead of duplicating.
    result = CliRunner().invoke(cli, ["tasks", str(book), "--as-of", "2026-11-23", "--ics",
                                      str(tmp_path / "again.ics")])
    again = icalendar.Calendar.from_ical((tmp_path / "again.ics").read_bytes())
    assert sorted(str(e["uid"]) for e in again.walk("VEVENT")) == sorted(str(e["uid"]) for e in events)


def test_failed_tasks_run_writes_nothing(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["LeadScore"]["AV5"] = "Fax"  # A channel that does not exist.
    wb.save(book)
    before = sha256(book)
    result = CliRunner().invoke(cli, ["tasks", str(book), "--as-of", "2026-11-23", "--csv",
                                      str(tmp_path / "t.csv")])
    assert result.exit_code == 1
    assert "LeadScore!AV5: channel 'Fax' is not one of Email, Phone, SMS, WhatsApp, Task" in result.stderr
    assert sha256(book) == before
    assert not (tmp_path / "t.csv").exists()


def test_tasks_for_the_templates_sample_people_are_called_out(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    result = CliRunner().invoke(cli, ["tasks", str(book), "--as-of", "2026-11-23"])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: 11 of 11 tasks went to the template's sample people (Marco Bianchi, Laura Conti, Sara Ferri); "
        "put your team in the Team table (LeadScore!BD4) and run again"]
    wb = openpyxl.load_workbook(book)  # A real team: no warning.
    for row, name in ((4, "Ada Verdi"), (5, "Ben Russo"), (6, "Cleo Neri")):
        wb["LeadScore"].cell(row, 56).value = name
    wb.save(book)
    result = CliRunner().invoke(cli, ["tasks", str(book), "--as-of", "2026-11-24"])
    assert result.exit_code == 0 and result.stderr == ""


@pytest.mark.slow
def test_a_real_team_gets_no_note_and_the_table_starts_at_a1(tmp_path):
    for language, title in (("en", "Tasks 2026-11-23"), ("it", "Attività 2026-11-23")):
        book = known_book(tmp_path / f"{language}.xlsx", language=language)
        wb = openpyxl.load_workbook(book)
        for row, name in ((4, "Ada Verdi"), (5, "Ben Russo"), (6, "Cleo Neri")):
            wb["LeadScore"].cell(row, 56).value = name
        wb.save(book)
        run(book, as_of=MONDAY, steps=("rescore", "tasks"))
        ws = openpyxl.load_workbook(book)[title]
        assert ws.tables["tblTasks20261123"].ref == "A1:J12"
        assert ws["A1"].value == header_of(language) and ws.freeze_panes == "A2"
        assert {r[6] for r in sheet_rows(book, title)[1:]} == {"Ada Verdi", "Ben Russo", "Cleo Neri"}


def test_the_note_counts_only_the_tasks_of_sample_people_left_in_the_team(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["LeadScore"].cell(6, 56).value = "Cleo Neri"  # Sara Ferri (Marketing) replaced; the two sales people stay.
    wb.save(book)
    run(book, as_of=MONDAY, steps=("rescore", "tasks"))
    assert openpyxl.load_workbook(book)["Tasks 2026-11-23"]["A1"].value == (
        "Note: 3 of 11 tasks went to the template's sample people (Marco Bianchi, Laura Conti). Put your team in "
        "the Team table (LeadScore!BD4) and run again.")


def header_of(language: str) -> str:
    return {"en": "Lead ID", "it": "ID lead"}[language]

"""The Events sheet and `leadscore import BOOK FILE --events`: events appended once, read back, the Suspect
column, the rules over events on the LeadScore sheet (problems by cell), the run's time, History's decay
notes and tasks leaving their sequence when a lead decays below MQL."""
from __future__ import annotations

import pytest

import csv
import datetime as dt
import shutil

import openpyxl
import pandas as pd
from click.testing import CliRunner

from addin.cli import cli
from scoring import EventRule, default_model
from scoring.defaults import LEAD_COLUMNS, header
from workbook import template
from workbooks import edit, leads_outputs, sha256

DAY0 = dt.datetime(2026, 3, 2, 12, 0)  # A Monday.
WEBINAR = EventRule("Webinar", ("webinar attended",), 20, half_life=10)
CLICK = EventRule("Email click", ("email clicked",), 3, cap=15, window=90)


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output, result.stderr


def book_with(path, rules, leads, language="en"):
    """A template with these rules over events and leads ({meaning: value} each)."""
    model = default_model("b2b", language, hygiene=True)
    model.event_rules = list(rules)
    columns = LEAD_COLUMNS["b2b"]
    rows = [[lead.get(m, 0 if m in ("pricing", "papers", "demo", "webinars") else None) for m in columns]
            for lead in leads]
    frame = pd.DataFrame(rows, columns=[header(m, language) for m in columns], dtype=object)
    template.build(path, model, frame, None, language, "b2b")
    return path


# Fit 35 (role level 3, IT, 1,200 employees): grade B; MQL from 50.
B_LEAD = {"id": "L1", "name": "Anna Rossi", "email": "anna@alfa.it", "company": "Alfa Srl",
          "role": "Purchasing manager", "industry": "IT", "employees": 1200, "revenue": 1000}
OTHER = {"id": "L2", "name": "Bruno Neri", "email": "bruno@beta.it", "company": "Beta Spa", "role": "Intern",
         "industry": "Retail", "employees": 5, "revenue": 1000}


def export(path, rows, header_row=("Email", "Timestamp", "Activity", "URL", "Campaign", "User-Agent")):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header_row)
        writer.writerows(rows)
    return path


def events_rows(path):
    ws = openpyxl.load_workbook(path)["Events"]
    return list(ws.iter_rows(values_only=True))


@pytest.mark.slow
def test_import_events_appends_them_once_marks_suspects_and_scores(tmp_path):
    book = book_with(tmp_path / "b.xlsx", [WEBINAR, CLICK], [B_LEAD, OTHER])
    csv_file = export(tmp_path / "activity.csv", [
        ["anna@alfa.it", "2026-03-01 10:00:00", "webinar attended", "Spring webinar", "", ""],
        ["ANNA@alfa.it ", "2026-03-01 09:00:00", "email delivered", "", "Spring", ""],
        ["anna@alfa.it", "2026-03-01 09:00:03", "email clicked", "https://x/a", "Spring", ""],
        ["bruno@beta.it", "2026-03-01 11:00:00", "email clicked", "https://x/b", "Spring", "Mimecast"],
        ["nobody@x.com", "yesterday", "email clicked", "https://x/c", "", ""],
    ])
    code, out, _ = run("import", book, csv_file, "--events", "--as-of", DAY0.isoformat())
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Imported 5 rows of activity.csv into the Events sheet of {book}: 4 events added, " \
                       "0 already there, 1 skipped."
    assert lines[1] == "Columns: Email, Time, Event, Detail, Campaign, User agent"
    assert lines[2] == "Skipped line 6: its time 'yesterday' is not a date and time (yyyy-mm-dd hh:mm)"
    assert lines[3] == "Events: 4 in all, 1 counted by the rules over events, 2 suspect (scanners, prefetched " \
                       "opens: marked in the Suspect column, they score nothing)."
    rows = events_rows(book)
    assert rows[0] == ("Lead ID", "Email", "Time", "Event", "Detail", "Campaign", "User agent", "IP", "Suspect")
    assert [r[8] for r in rows[1:]] == [None, None, "click within 5 s of delivery", "scanner user agent"]
    assert rows[1][2] == dt.datetime(2026, 3, 1, 10, 0)
    leads = {r["Lead ID"]: r for r in leads_outputs(book)}
    # 20 × 0.5 ** (26 h / 10 days) = 18.5 -> 19.
    assert leads["L1"]["Score"] == 35 + 19
    assert "Webinar, decayed +19" in leads["L1"]["Reasons"]
    assert leads["L1"]["Reasons"].endswith("1 suspect event ignored: click within 5 s of delivery \u00d71")
    assert leads["L2"]["Reasons"].endswith("1 suspect event ignored: scanner user agent \u00d71")
    code, out, _ = run("import", book, csv_file, "--events", "--as-of", DAY0.isoformat())
    assert out.splitlines()[0].endswith("0 events added, 4 already there, 1 skipped.")
    assert len(events_rows(book)) == 5


def test_an_export_without_a_time_column_is_refused_and_nothing_changes(tmp_path):
    book = book_with(tmp_path / "b.xlsx", [WEBINAR], [B_LEAD])
    before = sha256(book)
    csv_file = export(tmp_path / "a.csv", [["anna@alfa.it", "webinar attended"]], ("Email", "Activity"))
    code, _, err = run("import", book, csv_file, "--events")
    assert code == 1
    assert err == ("Error: a.csv: the export has no a Time column (headers: Email, Activity); name it, or use "
                   "--map \"THEIRS=Time\"\n")
    assert sha256(book) == before


@pytest.mark.slow
def test_the_same_book_and_as_of_give_the_same_bytes(tmp_path):
    book = book_with(tmp_path / "b.xlsx", [WEBINAR, CLICK], [B_LEAD, OTHER])
    csv_file = export(tmp_path / "a.csv", [["anna@alfa.it", "2026-02-20 10:00", "webinar attended", "x", "", ""]])
    run("import", book, csv_file, "--events", "--as-of", DAY0.isoformat())
    copy = tmp_path / "copy.xlsx"
    shutil.copy(book, copy)
    for b, out in ((book, tmp_path / "1.xlsx"), (copy, tmp_path / "2.xlsx")):
        assert run("rescore", b, "--out", out, "--as-of", "2026-03-20T09:00")[0] == 0
    assert (tmp_path / "1.xlsx").read_bytes() == (tmp_path / "2.xlsx").read_bytes()
    later = tmp_path / "3.xlsx"
    run("rescore", book, "--out", later, "--as-of", "2026-04-20T09:00")
    scores = [{r["Lead ID"]: r["Score"] for r in leads_outputs(p)}["L1"] for p in (tmp_path / "1.xlsx", later)]
    ages = [(dt.datetime(2026, m, 20, 9) - dt.datetime(2026, 2, 20, 10)).total_seconds() / 86_400 for m in (3, 4)]
    assert scores == [35 + int(20 * 0.5 ** (age / 10) + 0.5) for age in ages] == [38, 35]


@pytest.mark.slow
def test_decay_alone_is_noted_in_history_and_the_lead_leaves_its_sequence(tmp_path):
    book = book_with(tmp_path / "b.xlsx", [WEBINAR], [B_LEAD])
    csv_file = export(tmp_path / "a.csv", [["anna@alfa.it", DAY0.isoformat(sep=" "), "webinar attended", "x", "",
                                            ""]])
    run("import", book, csv_file, "--events", "--as-of", DAY0.isoformat())
    assert run("tasks", book, "--as-of", DAY0.isoformat())[0] == 0
    lead = leads_outputs(book)[0]
    assert (lead["Score"], lead["Status"], lead["Sequence"]) == (55, "MQL", "Standard")
    later = DAY0 + dt.timedelta(days=10)  # 20 -> 10 points: 45, below MQL, with nothing new.
    assert run("tasks", book, "--as-of", later.isoformat())[0] == 0
    lead = leads_outputs(book)[0]
    assert (lead["Score"], lead["Status"], lead["Action"]) == (45, "Lead", "Nurture")
    assert (lead["Sequence"], lead["Sequence start"]) == ("Nurture", later.replace(hour=0, minute=0))
    history = list(openpyxl.load_workbook(book)["History"].iter_rows(values_only=True))
    assert history[0][-1] == "Note"
    assert history[-1][4:] == (55, 45, "MQL", "Lead", "decay: band 50\u201389 \u2192 0\u201349 with no new activity")
    ws = openpyxl.load_workbook(book)[f"Tasks {later:%Y-%m-%d}"]
    (table,) = ws.tables.values()  # (Below the note on the template's sample team.)
    tasks = [tuple(c.value for c in row) for row in ws[table.ref]]
    assert [t[3] for t in tasks[1:]] == ["Nurture 1/3", "Nurture 2/3", "Nurture 3/3"]


def test_a_drop_that_is_not_time_alone_gets_no_note(tmp_path):
    book = book_with(tmp_path / "b.xlsx", [WEBINAR], [B_LEAD])
    csv_file = export(tmp_path / "a.csv", [["anna@alfa.it", DAY0.isoformat(sep=" "), "webinar attended", "x", "",
                                            ""]])
    run("import", book, csv_file, "--events", "--as-of", DAY0.isoformat())
    edit(book, "Leads", {"G2": 10})  # Employees 1,200 -> 10: fit 25, grade C (and time passes too).
    run("rescore", book, "--as-of", (DAY0 + dt.timedelta(days=10)).isoformat())
    history = list(openpyxl.load_workbook(book)["History"].iter_rows(values_only=True))
    assert history[-1][4:8] == (55, 35, "MQL", "Lead")
    assert len(history[0]) == 8  # No note was needed: no Note column.


def test_event_rules_on_the_sheet_are_checked_by_cell(tmp_path):
    book = book_with(tmp_path / "b.xlsx", [WEBINAR], [B_LEAD])
    edit(book, "LeadScore", {"CI4": "abc", "CE4": None})
    code, out, _ = run("check", book)
    assert code == 1
    assert out.splitlines()[:2] == [
        "LeadScore!CE4: event is blank; type the event types the rule counts, as the Events sheet's Event column "
        "names them (separate them with ;)",
        "LeadScore!CI4: window days 'abc' must be a number of days above 0 (at most 36,500), or blank to count "
        "events of any age"]


def test_check_names_event_times_it_cannot_read(tmp_path):
    book = book_with(tmp_path / "b.xlsx", [WEBINAR], [B_LEAD])
    csv_file = export(tmp_path / "a.csv", [["anna@alfa.it", "2026-03-01 10:00", "webinar attended", "x", "", ""],
                                           ["zed@x.com", "2026-03-01 10:00", "webinar attended", "x", "", ""]])
    run("import", book, csv_file, "--events", "--as-of", DAY0.isoformat())
    edit(book, "Events", {"C2": "tomorrow"})
    code, out, _ = run("check", book)
    assert "Events!C2: time 'tomorrow' is not a date and time (yyyy-mm-dd hh:mm); the event counts for nothing" in out
    assert "Events: 1 events match no lead of the Leads table (by Lead ID, else Email); they count for nothing " \
           "until the lead is added" in out


def test_an_italian_book_has_an_eventi_sheet_and_says_its_problems_in_italian(tmp_path):
    rule = EventRule("Clic email", ("email cliccata",), 3, window=30)
    book = book_with(tmp_path / "it.xlsx", [rule], [{**B_LEAD, "role": "Responsabile acquisti"}], language="it")
    csv_file = export(tmp_path / "a.csv", [["anna@alfa.it", "01/03/2026 09:00", "consegnata", "", "Primavera", ""],
                                           ["anna@alfa.it", "01/03/2026 09:00:04", "Email cliccata", "https://x/a",
                                            "Primavera", ""]])
    assert run("import", book, csv_file, "--events", "--as-of", DAY0.isoformat())[0] == 0
    rows = list(openpyxl.load_workbook(book)["Eventi"].iter_rows(values_only=True))
    assert rows[0] == ("ID lead", "Email", "Data e ora", "Evento", "Dettaglio", "Campagna", "User agent", "IP",
                       "Sospetto")
    assert [r[8] for r in rows[1:]] == [None, "clic entro 5 s dalla consegna"]
    lead = leads_outputs(book)[0]
    assert lead["Motivi"].endswith("1 evento sospetto ignorato: clic entro 5 s dalla consegna \u00d71")
    edit(book, "LeadScore", {"CI4": 0})
    code, out, _ = run("check", book)
    assert code == 1
    assert out.splitlines()[0] == ("LeadScore!CI4: finestra in giorni 0 deve essere un numero di giorni sopra 0 (al "
                                   "massimo 36.500), o vuoto per contare eventi di ogni età")

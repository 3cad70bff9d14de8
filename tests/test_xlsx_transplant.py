"""Copying XlsxWriter-made sheets into Excel-saved workbooks, and making a plain range a table.

A small source workbook (the model sheet and the Leads sheet as workbook/template.py makes
them: formats, rich text, tables, validations, conditional formats, panes, widths, merged
cells, defined names) is written by XlsxWriter; its sheets are copied into workbooks saved
by Excel (tests/data/excel-saved; all 261 of ../shared/data/excel-saved in the slow test).
Then openpyxl reads the copied sheets as it reads the source, every part of the target that
the copy does not have to change is the same bytes, the shared parts keep every entry they
had in its place, and LibreOffice opens the result.
"""
from __future__ import annotations

import datetime as dt
from copy import copy
import re
import shutil
import time
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
import pytest
import xlsxwriter
from defusedxml import ElementTree as ET

from workbook.xlsx.assemble import Edit
from workbook.xlsx.newparts import sheet_add_table_part
from workbook.xlsx.package import Package, rels_part_of
from workbook.xlsx.patch import Cell, SharedStrings, patch_cells
from workbook.xlsx.splice import SpliceError, parse_range, range_ref
from workbook.xlsx.styles_write import styles_copy
from workbook.xlsx.transplant import add_table, copy_defined_names, copy_sheet, existing_tables, rename_in_formula

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "excel-saved"
FULL = HERE.parents[1] / "shared" / "data" / "excel-saved" / "files"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

# Targets: shared strings or none, tables (one beside a drawing), the 1904 date system, a macro
# book, chart sheets, defined names and printer settings, an escaped sheet name, rich text.
TARGETS = ["simple01.xlsx", "date_examples01.xlsx", "date_1904_02.xlsx", "table10.xlsx", "table37.xlsx",
           "macro01.xlsm", "chartsheet02.xlsx", "defined_name01.xlsx", "escapes01.xlsx", "rich_string02.xlsx"]
NAMES = ["lsFit", "LeadScoreModel", "lsOther"]


# The source workbook.

def build_source(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    heading = wb.add_format({"bold": True, "font_size": 14})
    title = wb.add_format({"bold": True, "font_color": "#1F4E79"})
    header = wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1})
    date = wb.add_format({"font_color": "#1F4E79", "num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00", "align": "right", "italic": True})
    unlocked = wb.add_format({"locked": False, "align": "center", "text_wrap": True})

    ws = wb.add_worksheet("LeadScore")
    ws.write_string(0, 1, "Lead Score model — edit the values", heading)
    ws.write_rich_string(1, 1, "plain ", title, "blue bold", " tail")
    ws.write_string(2, 1, "Fit rules", title)
    ws.add_table(3, 1, 5, 3, {"name": "lsFitTable", "style": "Table Style Light 9", "autofilter": False,
                              "columns": [{"header": "Column"}, {"header": "Operator"}, {"header": "Points"}]})
    for r, row in enumerate([("Country", "=", 10), ("Revenue", ">", 5)], start=4):
        ws.write_string(r, 1, row[0], title)
        ws.write_string(r, 2, row[1])
        ws.write_number(r, 3, row[2])
    ws.add_table(3, 5, 5, 6, {"name": "lsHolidays", "columns": [{"header": "Day", "format": date},
                                                                {"header": "Note"}]})
    ws.write_datetime(4, 5, dt.datetime(2024, 12, 25), date)
    ws.write_datetime(5, 5, dt.datetime(1999, 1, 1), date)
    ws.write_string(4, 6, "Christmas & <more>")
    ws.write_string(5, 6, "  spaces kept  ")
    ws.data_validation(4, 2, 20, 2, {"validate": "list", "source": ["=", ">", "<"]})
    ws.conditional_format("D5:D20", {"type": "cell", "criteria": ">", "value": 7,
                                     "format": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})})
    ws.freeze_panes(3, 0)
    ws.set_column(1, 1, 24)
    ws.set_column(8, 8, 12, unlocked)
    ws.set_row(2, 20, title)
    ws.merge_range("I1:J1", "Merged title", header)
    ws.write_formula("I3", "='LeadScore'!D5+LeadScore!D6", money, 15)
    ws.write_number("I4", 1234.5, money)
    ws.write_boolean("I5", True)
    ws.write_string("I6", "unlocked", unlocked)
    wb.define_name("lsFit", "='LeadScore'!$B$4:$D$6")
    wb.define_name("LeadScoreModel", "='LeadScore'!$B$4:$G$6")
    wb.define_name("lsOther", "=42")
    wb.define_name("LeadScore!lsLocal", "=LeadScore!$A$1")

    leads = wb.add_worksheet("Leads")
    leads.add_table(0, 0, 1, 3, {"name": "LeadsTable", "style": "Table Style Medium 2", "columns": [
        {"header": "Name"}, {"header": "Created"}, {"header": "Grade", "header_format": header},
        {"header": "Status"}]})
    leads.set_column(1, 1, 12, date)
    leads.set_column(0, 0, 28)
    leads.conditional_format("C2:C1001", {"type": "cell", "criteria": "==", "value": '"A"',
                                          "format": wb.add_format({"bg_color": "#C6EFCE"})})
    leads.conditional_format("D2:D1001", {"type": "cell", "criteria": "==", "value": '"Hot"',
                                          "format": wb.add_format({"bg_color": "#FFEB9C", "bold": True})})
    leads.data_validation(1, 3, 1000, 3, {"validate": "list", "source": ["Lead", "MQL", "SQL"],
                                          "error_type": "warning"})
    leads.freeze_panes(1, 2)
    leads.activate()

    extras = wb.add_worksheet("Extras")
    extras.write_url("A1", "https://example.com/")
    extras.write_comment("B2", "a note")
    wb.close()
    return path


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return build_source(tmp_path_factory.mktemp("source") / "source.xlsx")


def corpus(full: bool = False) -> list[Path]:
    folder = FULL if full and FULL.is_dir() else DATA
    return sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".xlsm"))


def transplant(target: Path, source: Path, out: Path, **kw) -> Path:
    """Both template sheets copied into target (the model sheet with its names), written to out."""
    with Package.open(source) as src, Package.open(target) as tgt:
        edit = Edit(tgt)
        copy_sheet(src, "LeadScore", edit, defined_names=NAMES, **kw)
        copy_sheet(src, "Leads", edit)
        edit.write(out)
    return out


# Reading back.

def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def shared_parts(path: Path) -> set[str]:
    """The parts a copy may change: the workbook part and its rels, content types, styles,
    shared strings and docProps/app.xml."""
    with Package.open(path) as pkg:
        book = pkg.workbook_part
        return {book, rels_part_of(book), "[Content_Types].xml", pkg.styles_part, pkg.shared_strings_part,
                "docProps/app.xml"}


def assert_untouched(target: Path, out: Path, allowed: set[str]) -> None:
    before, after = members(target), members(out)
    assert list(after)[:len(before)] == list(before), "members keep their order"
    for name, data in before.items():
        if name not in allowed:
            assert after[name] == data, name


SECTIONS = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs"]


def assert_styles_appended(old: bytes, new: bytes) -> None:
    """Every entry of every section of old is in new at the same index; counts are right."""
    old_root, new_root = ET.fromstring(old), ET.fromstring(new)
    for section in SECTIONS:
        a, b = old_root.find(f"{{{MAIN}}}{section}"), new_root.find(f"{{{MAIN}}}{section}")
        if a is None:
            continue
        assert b is not None, section
        olds, news = [ET.tostring(c) for c in a], [ET.tostring(c) for c in b]
        assert news[:len(olds)] == olds, section
        if b.get("count") is not None:
            assert int(b.get("count")) == len(news), section


def style_of(cell) -> tuple:
    """What a cell's format shows (copies: openpyxl's style proxies do not compare)."""
    return (cell.number_format, *(copy(x) for x in (cell.font, cell.fill, cell.border, cell.alignment,
                                                     cell.protection)))


def assert_same_sheet(src_ws, ws) -> None:
    """ws shows what src_ws shows: values, formats, merged cells, panes, widths, validations,
    conditional formats and tables."""
    assert ws.max_row == src_ws.max_row and ws.max_column == src_ws.max_column
    for row in src_ws.iter_rows():
        for cell in row:
            got = ws[cell.coordinate]
            assert got.value == cell.value, cell.coordinate
            if cell.has_style and cell.style_id and not isinstance(cell, MergedCell):  # Those show nothing.
                assert style_of(got) == style_of(cell), cell.coordinate
    assert {str(r) for r in ws.merged_cells.ranges} == {str(r) for r in src_ws.merged_cells.ranges}
    assert ws.freeze_panes == src_ws.freeze_panes
    for got, want in [(ws.column_dimensions, src_ws.column_dimensions), (ws.row_dimensions, src_ws.row_dimensions)]:
        assert set(got) == set(want)
        for key, dim in want.items():
            assert getattr(got[key], "width", None) == getattr(dim, "width", None), key
            assert getattr(got[key], "height", None) == getattr(dim, "height", None), key
            if dim.style_id:
                assert style_of(got[key]) == style_of(dim), key
    assert [(str(v.sqref), v.formula1, v.errorStyle) for v in ws.data_validations.dataValidation] == \
           [(str(v.sqref), v.formula1, v.errorStyle) for v in src_ws.data_validations.dataValidation]
    got = {str(cf.sqref): [(r.formula, r.dxf.fill, r.dxf.font) for r in cf.rules] for cf in ws.conditional_formatting}
    want = {str(cf.sqref): [(r.formula, r.dxf.fill, r.dxf.font) for r in cf.rules]
            for cf in src_ws.conditional_formatting}
    assert got == want
    assert {t.name: (t.ref, [c.name for c in t.tableColumns], t.tableStyleInfo.name) for t in ws.tables.values()} \
        == {t.name: (t.ref, [c.name for c in t.tableColumns], t.tableStyleInfo.name) for t in src_ws.tables.values()}


def assert_tables_unique(out: Path) -> None:
    ids, names = [], []
    for name, data in members(out).items():
        if re.fullmatch(r"xl/tables/table\d+\.xml", name):
            root = ET.fromstring(data)
            ids.append(root.get("id"))
            names.append(root.get("name").casefold())
    assert len(set(ids)) == len(ids) and len(set(names)) == len(names), (ids, names)


def check_transplant(target: Path, source: Path, out: Path, new_name: str | None = None) -> None:
    name = new_name or "LeadScore"
    src = openpyxl.load_workbook(source)
    wb = openpyxl.load_workbook(out)
    before = openpyxl.load_workbook(target)
    assert wb.sheetnames == before.sheetnames + [name, "Leads"]
    assert_same_sheet(src["LeadScore"], wb[name])
    assert_same_sheet(src["Leads"], wb["Leads"])
    assert wb.defined_names["lsFit"].attr_text == f"'{name}'!$B$4:$D$6"
    assert wb.defined_names["lsOther"].attr_text == "42"
    assert "lsLocal" not in wb.defined_names  # Local names are not copied.
    for old_name, defined in before.defined_names.items():
        assert wb.defined_names[old_name].attr_text == defined.attr_text
    assert_tables_unique(out)
    allowed = shared_parts(target)
    assert_untouched(target, out, allowed)
    old, new = members(target), members(out)
    with Package.open(target) as pkg:
        assert_styles_appended(old[pkg.styles_part], new[pkg.styles_part])
        if pkg.shared_strings_part:
            assert new[pkg.shared_strings_part] == old[pkg.shared_strings_part]  # Inline strings.
    for part, data in new.items():
        if part.startswith("xl/worksheets/sheet") and part not in old:
            assert b"tabSelected" not in data


# The copies.

@pytest.mark.parametrize("book", TARGETS)
def test_copied_sheets_read_as_the_source(book, source, tmp_path):
    target = DATA / book
    out = transplant(target, source, tmp_path / book)
    check_transplant(target, source, out)


def test_renamed_and_placed_first(source, tmp_path):
    target = DATA / "defined_name01.xlsx"
    out = tmp_path / "renamed.xlsx"
    with Package.open(source) as src, Package.open(target) as tgt:
        edit = Edit(tgt)
        copy_sheet(src, "LeadScore", edit, index=0, new_name="Lead's Model", defined_names=["lsFit"])
        edit.write(out)
    wb, before = openpyxl.load_workbook(out), openpyxl.load_workbook(target)
    assert wb.sheetnames == ["Lead's Model"] + before.sheetnames
    ws = wb["Lead's Model"]
    assert ws["I3"].value == "='Lead''s Model'!D5+'Lead''s Model'!D6"
    assert wb.defined_names["lsFit"].attr_text == "'Lead''s Model'!$B$4:$D$6"
    for old_ws in before.worksheets:  # Local names (print areas) follow their sheets.
        assert wb[old_ws.title].print_area == old_ws.print_area
        assert set(wb[old_ws.title].defined_names) == set(old_ws.defined_names)
    assert_untouched(target, out, shared_parts(target))


def test_dates_move_to_the_1904_system(source, tmp_path):
    out = transplant(DATA / "date_1904_02.xlsx", source, tmp_path / "d.xlsx")
    with Package.open(out) as pkg:
        part = pkg.sheet("LeadScore").part
        xml = pkg.read(part)
    serial = (dt.datetime(2024, 12, 25) - dt.datetime(1904, 1, 1)).days
    assert re.search(rb'<c r="F5" s="\d+"><v>%d</v></c>' % serial, xml)
    assert openpyxl.load_workbook(out)["LeadScore"]["F5"].value == dt.datetime(2024, 12, 25)


def test_strings_go_to_the_shared_strings(source, tmp_path):
    target = DATA / "simple01.xlsx"
    out = tmp_path / "shared.xlsx"
    with Package.open(source) as src, Package.open(target) as tgt:
        edit = Edit(tgt)
        sst = SharedStrings(edit.read(tgt.shared_strings_part))
        existing = len(sst)
        copy_sheet(src, "LeadScore", edit, shared_strings=sst)
        edit.put(tgt.shared_strings_part, sst.xml())
        edit.write(out)
        sst_part = tgt.shared_strings_part
    old, new = members(target)[sst_part], members(out)[sst_part]
    old_si = re.findall(rb"<si>.*?</si>", old)
    new_si = re.findall(rb"<si>.*?</si>", new)
    assert len(old_si) == existing and new_si[:existing] == old_si and len(new_si) > existing
    assert re.search(rb'<c r="B2"[^>]* t="inlineStr"><is><r>', members(out)["xl/worksheets/sheet2.xml"])
    src_ws, ws = openpyxl.load_workbook(source)["LeadScore"], openpyxl.load_workbook(out)["LeadScore"]
    assert_same_sheet(src_ws, ws)
    root = ET.fromstring(new)
    assert int(root.get("uniqueCount")) == len(new_si) and int(root.get("count")) >= len(new_si)


def test_rich_text_is_kept_inline(source, tmp_path):
    out = transplant(DATA / "simple01.xlsx", source, tmp_path / "rich.xlsx")
    ws = openpyxl.load_workbook(out, rich_text=True)["LeadScore"]
    runs = ws["B2"].value
    assert str(runs) == "plain blue bold tail"
    bold = [r for r in runs if not isinstance(r, str)]
    assert bold[0].text == "blue bold" and bold[0].font.b and bold[0].font.color.rgb == "FF1F4E79"


def test_identical_styles_are_reused(source, tmp_path):
    once = transplant(DATA / "simple01.xlsx", source, tmp_path / "once.xlsx")
    with Package.open(source) as src, Package.open(once) as tgt:
        edit = Edit(tgt)
        # The tables' names are taken now: the second copy is refused before anything changes.
        with pytest.raises(ValueError, match="table named"):
            copy_sheet(src, "LeadScore", edit, new_name="Again")
        assert edit.parts == {}
    with Package.open(source) as src, Package.open(once) as tgt:
        sheets = b"".join(src.read(src.sheet(n).part) for n in ("LeadScore", "Leads"))
        tables = b"".join(src.read(n) for n in src.names if n.startswith("xl/tables/"))
        xfs = {int(s) for s in re.findall(rb'<(?:c|row)\s[^>]*?\bs="(\d+)"', sheets)}
        xfs |= {int(s) for s in re.findall(rb'<col\s[^>]*?\bstyle="(\d+)"', sheets)}
        dxfs = {int(s) for s in re.findall(rb'[dD]xfId="(\d+)"', sheets + tables)}
        styles = tgt.read(tgt.styles_part)
        xml, xf_map, dxf_map = styles_copy(styles, src.read(src.styles_part), xfs, dxfs)
        assert xml == styles, "every format is there already"
        assert len(xf_map) == len(xfs) > 5 and len(dxf_map) == len(dxfs) == 4


@pytest.mark.parametrize("sheet,message", [("Extras", "hyperlink"), ("Extras", "comments"),
                                           ("Nope", "no worksheet")])
def test_refused_sheets(sheet, message, source):
    with Package.open(source) as src, Package.open(DATA / "simple01.xlsx") as tgt:
        edit = Edit(tgt)
        with pytest.raises(ValueError, match=message):
            copy_sheet(src, sheet, edit)
        assert edit.parts == {}


def test_refused_names(source, tmp_path):
    with Package.open(source) as src, Package.open(DATA / "simple01.xlsx") as tgt:
        edit = Edit(tgt)
        with pytest.raises(ValueError, match="sheet named"):
            copy_sheet(src, "LeadScore", edit, new_name="sheet1")
        with pytest.raises(ValueError, match="no global defined name"):
            copy_sheet(src, "LeadScore", edit, defined_names=["lsLocal"])
        assert edit.parts == {}
        copy_sheet(src, "LeadScore", edit)
        snapshot = dict(edit.parts)
        with pytest.raises(ValueError, match="table named 'lsFitTable'"):
            copy_sheet(src, "LeadScore", edit, new_name="Copy")  # Its tables are in this same edit.
        assert edit.parts == snapshot
    # A table name already in the target, in another case.
    with Package.open(DATA / "table10.xlsx") as tgt:
        book = build_clash(tmp_path / "clash.xlsx")
        with Package.open(book) as src:
            edit = Edit(tgt)
            with pytest.raises(ValueError, match="table named 'TABLE1'"):
                copy_sheet(src, "Sheet1", edit, new_name="Clash")
            assert edit.parts == {}
            with pytest.raises(ValueError, match="name of a table"):
                copy_defined_names(src, edit, ["table1"])


def build_clash(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.add_table(0, 0, 2, 1, {"name": "TABLE1"})
    wb.define_name("table1", "=1")
    wb.close()
    return path


def test_copy_defined_names_replaces_global_ones(source, tmp_path):
    target = DATA / "defined_name01.xlsx"
    out = tmp_path / "names.xlsx"
    with Package.open(source) as src, Package.open(target) as tgt:
        edit = Edit(tgt)
        copy_sheet(src, "LeadScore", edit, new_name="Model")
        copy_defined_names(src, edit, ["lsOther", "lsFit"], renamed={"LeadScore": "Model"})
        copy_defined_names(src, edit, ["LSOTHER"])  # Replaced, not repeated.
        edit.write(out)
    wb = openpyxl.load_workbook(out)
    assert wb.defined_names["lsFit"].attr_text == "'Model'!$B$4:$D$6"
    assert [n for n in wb.defined_names if n.casefold() == "lsother"] == ["lsOther"]


def test_formula_renaming():
    assert rename_in_formula("=LeadScore!A1+'leadscore'!B2&\"LeadScore!A1\"", "LeadScore", "New One") == \
        "='New One'!A1+'New One'!B2&\"LeadScore!A1\""
    assert rename_in_formula("=MyLeadScore!A1+LeadScore2!A1", "LeadScore", "X") == "=MyLeadScore!A1+LeadScore2!A1"
    assert rename_in_formula("='It''s'!A1", "It's", "Its") == "='Its'!A1"


def test_styles_copy_between_prefixes():
    source = (b'<styleSheet xmlns="%s"><numFmts count="1"><numFmt numFmtId="170" formatCode="0.0%%"/></numFmts>'
              b'<fonts count="2"><font><sz val="11"/></font><font><b/><color rgb="FFFF0000"/></font></fonts>'
              b'<fills count="3"><fill><patternFill patternType="none"/></fill>'
              b'<fill><patternFill patternType="gray125"/></fill>'
              b'<fill><patternFill patternType="solid"><fgColor rgb="FF00FF00"/></patternFill></fill></fills>'
              b'<borders count="1"><border/></borders><cellXfs count="3"><xf numFmtId="0" fontId="0"/>'
              b'<xf numFmtId="170" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1"><alignment wrapText="1"/>'
              b'</xf><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
              b'<dxfs count="1"><dxf><font><i/></font></dxf></dxfs></styleSheet>' % MAIN.encode())
    target = (b'<x:styleSheet xmlns:x="%s"><x:numFmts count="1"><x:numFmt numFmtId="164" formatCode="0.0%%"/>'
              b'</x:numFmts><x:fonts count="1"><x:font><x:sz val="10"/></x:font></x:fonts><x:fills count="2"><x:fill>'
              b'<x:patternFill patternType="none"/></x:fill><x:fill><x:patternFill patternType="gray125"/></x:fill>'
              b'</x:fills><x:borders count="1"><x:border/></x:borders>'
              b'<x:cellStyleXfs count="1"><x:xf/></x:cellStyleXfs>'
              b'<x:cellXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></x:cellXfs>'
              b'<x:tableStyles count="0"/></x:styleSheet>' % MAIN.encode())
    xml, xf_map, dxf_map = styles_copy(target, source, [0, 1, 2, 9], [0])
    assert xf_map == {0: 0, 1: 1, 2: 2, 9: 0} and dxf_map == {0: 0}
    root = ET.fromstring(xml)
    xfs = root.find(f"{{{MAIN}}}cellXfs")
    assert xfs.get("count") == "3"
    # Fonts are copied as they are, the source's default font too (after the target's own).
    assert xfs[1].attrib == {"numFmtId": "164", "fontId": "2", "fillId": "2", "borderId": "0", "xfId": "0",
                             "applyFont": "1"}
    assert xfs[1][0].get("wrapText") == "1" and (xfs[2].get("numFmtId"), xfs[2].get("fontId")) == ("14", "1")
    assert root.find(f"{{{MAIN}}}fonts")[2].find(f"{{{MAIN}}}color").get("rgb") == "FFFF0000"
    assert root.find(f"{{{MAIN}}}fills")[2][0][0].get("rgb") == "FF00FF00"
    assert len(root.find(f"{{{MAIN}}}borders")) == 1
    dxfs = root.find(f"{{{MAIN}}}dxfs")  # Created before <tableStyles>, as the schema orders them.
    sections = list(root)
    assert dxfs.get("count") == "1" and sections.index(dxfs) == sections.index(root.find(f"{{{MAIN}}}tableStyles")) - 1
    assert b"<x:dxf><x:font><x:i/></x:font></x:dxf>" in xml
    assert styles_copy(xml, source, [0, 1, 2], [0])[0] == xml  # The second time, everything is reused.



def rewritten_source(source: Path, path: Path, change) -> Path:
    """A copy of the source workbook whose LeadScore sheet XML is change(xml)."""
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info)
            out.writestr(info, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return path


def test_cells_written_otherwise(source, tmp_path):
    """Cells whose attributes are in another order or quoted otherwise are rewritten too."""
    def shuffle(xml: bytes) -> bytes:
        xml = re.sub(rb'<c r="(\w+)" s="(\d+)" t="s">', rb"<c t='s' s='\2' r='\1'>", xml)
        return re.sub(rb'<c r="(\w+)" s="(\d+)"><v>', rb'<c s="\2"  r="\1"><v>', xml)

    odd = rewritten_source(source, tmp_path / "odd.xlsx", shuffle)
    assert b"<c t='s'" in members(odd)["xl/worksheets/sheet1.xml"]
    for book in ("simple01.xlsx", "date_1904_02.xlsx"):
        with Package.open(odd) as src, Package.open(DATA / book) as tgt:
            edit = Edit(tgt)
            copy_sheet(src, "LeadScore", edit)
            edit.write(tmp_path / book)
        assert_same_sheet(openpyxl.load_workbook(source)["LeadScore"],
                          openpyxl.load_workbook(tmp_path / book)["LeadScore"])


def test_cell_metadata_is_refused(source, tmp_path):
    meta = rewritten_source(source, tmp_path / "meta.xlsx",
                            lambda xml: xml.replace(b'<c r="I3" ', b'<c r="I3" cm="1" ', 1))
    with Package.open(meta) as src, Package.open(DATA / "simple01.xlsx") as tgt:
        edit = Edit(tgt)
        with pytest.raises(ValueError, match="cell I3 refers to the source's cell metadata"):
            copy_sheet(src, "LeadScore", edit)
        assert edit.parts == {}


@pytest.mark.parametrize("formulas", ["values", pytest.param("native", marks=pytest.mark.slow)])
def test_the_templates_sheets(formulas, tmp_path):
    """The Leads and model sheets as workbook/template.py writes them, with every global name."""
    import pandas as pd

    from scoring import default_model
    from scoring.defaults import LEAD_COLUMNS, header
    from workbook import template

    leads = pd.DataFrame([{header(m, "en"): None for m in LEAD_COLUMNS["b2b"]}]).iloc[:0]
    made = tmp_path / "template.xlsx"
    template.build(made, default_model("b2b", "en"), leads, None, "en", "b2b", formulas=formulas)
    for book in ("table10.xlsx", "date_1904_02.xlsx"):
        out = tmp_path / book
        with Package.open(made) as src, Package.open(DATA / book) as tgt:
            names = [d.name for d in src.defined_names if d.local_sheet_id is None]
            edit = Edit(tgt)
            copy_sheet(src, template.LEADS_SHEET, edit)
            copy_sheet(src, template.MODEL_SHEET, edit, defined_names=names)
            edit.write(out)
        src_wb, wb = openpyxl.load_workbook(made), openpyxl.load_workbook(out)
        for sheet in (template.LEADS_SHEET, template.MODEL_SHEET):
            assert_same_sheet(src_wb[sheet], wb[sheet])
        for name in names:
            assert wb.defined_names[name].attr_text == src_wb.defined_names[name].attr_text
        assert_tables_unique(out)
        assert_untouched(DATA / book, out, shared_parts(DATA / book))

# Tables over plain ranges.

def plain_range(path: Path):
    """(sheet title, part, ref, headers) of the first worksheet's A1 header row and the rows
    below, when that range can be a table; else None."""
    try:
        wb = openpyxl.load_workbook(path)
    except Exception:
        return None
    ws = wb.worksheets[0]
    if ws.tables or ws.max_row < 2:
        return None
    headers = []
    for cell in ws[1]:
        if not isinstance(cell.value, str) or not cell.value.strip() or cell.value.startswith("="):
            break
        headers.append(cell.value)
    if not headers or len({h.casefold() for h in headers}) != len(headers):
        return None
    ref = range_ref(1, 1, ws.max_row, len(headers))
    box = parse_range(ref)
    blocked = [str(r) for r in ws.merged_cells.ranges] + ([ws.auto_filter.ref] if ws.auto_filter.ref else [])
    for other in blocked:
        b = parse_range(other)
        if box[0] <= b[2] and b[0] <= box[2] and box[1] <= b[3] and b[1] <= box[3]:
            return None
    with Package.open(path) as pkg:
        entry = pkg.sheet(ws.title)
        return ws.title, entry.part, ref, headers


def make_table(path: Path, out: Path, found) -> Path:
    title, part, ref, headers = found
    with Package.open(path) as pkg:
        edit = Edit(pkg)
        add_table(edit, part, "NewTable", ref, headers)
        edit.write(out)
    return out


def check_table(path: Path, out: Path, found) -> None:
    title, part, ref, headers = found
    wb = openpyxl.load_workbook(out)
    table = wb[title].tables["NewTable"]
    assert table.ref == ref and [c.name for c in table.tableColumns] == headers
    assert_tables_unique(out)
    before, after = members(path), members(out)
    rels = rels_part_of(part)
    assert_untouched(path, out, {"[Content_Types].xml", part, rels})
    old, new = before[part], after[part]
    assert inserted(old, new, rb'<tableParts count="1"><tablePart r:id="rId\d+"/></tableParts>')


def inserted(old: bytes, new: bytes, pattern: bytes) -> bool:
    """Whether new is old with one run of bytes matching pattern inserted."""
    extra = len(new) - len(old)
    first = next((i for i in range(len(old)) if old[i] != new[i]), len(old))
    return any(new[:at] + new[at + extra:] == old and re.fullmatch(pattern, new[at:at + extra])
               for at in range(first, max(first - 200, -1), -1))


def fast_plain_ranges():
    return [p.name for p in corpus() if plain_range(p)]


@pytest.mark.parametrize("book", fast_plain_ranges())
def test_plain_range_becomes_a_table(book, tmp_path):
    path = DATA / book
    found = plain_range(path)
    check_table(path, make_table(path, tmp_path / book, found), found)


def test_table_beside_a_table_and_a_drawing(tmp_path):
    path = DATA / "table37.xlsx"
    out = tmp_path / "two.xlsx"
    with Package.open(path) as pkg:
        edit = Edit(pkg)
        part = pkg.sheet("Sheet1").part
        edit.put(part, patch_cells(edit.read(part), {(1, 4): Cell("Key"), (1, 5): Cell("Value"),
                                                     (2, 4): Cell("a"), (2, 5): Cell(1)}).xml)
        with pytest.raises(ValueError, match="overlaps table Table1"):
            add_table(edit, part, "Other", "B1:E3", ["x", "Key", "y", "Value"])
        with pytest.raises(ValueError, match="table named 'table1'"):
            add_table(edit, part, "table1", "D1:E3", ["Key", "Value"])
        add_table(edit, part, "Other", "D1:E3", ["Key", "Value"], style="TableStyleLight1")
        edit.write(out)
    ws = openpyxl.load_workbook(out)["Sheet1"]
    assert dict(ws.tables.items()) == {"Table1": "A1:B6", "Other": "D1:E3"}
    assert ws.tables["Other"].tableStyleInfo.name == "TableStyleLight1"
    assert_tables_unique(out)
    sheet = members(out)[part]
    assert re.search(rb'<drawing r:id="rId\d+"/><tableParts count="2"><tablePart r:id="rId\d+"/>'
                     rb'<tablePart r:id="rId\d+"/></tableParts></worksheet>', sheet)


@pytest.mark.parametrize("name,ref,headers,message", [
    ("T", "A1:D5", ["Region", " ", "Volume", "Month"], "header cell B1 is blank"),
    ("T", "A1:D5", ["Region", "Item", "region", "Month"], "header cell C1 repeats"),
    ("T", "A1:D5", ["Region", "Item"], "4 columns but 2 headers"),
    ("T", "A1:B1", ["Region", "Item"], "at least one row below"),
    ("AB12", "A1:B2", ["Region", "Item"], "cell reference"),
    ("1st", "A1:B2", ["Region", "Item"], "cannot be a table name")])
def test_refused_tables(name, ref, headers, message):
    with Package.open(DATA / "simple01.xlsx") as pkg:
        edit = Edit(pkg)
        with pytest.raises(ValueError, match=message):
            add_table(edit, pkg.sheet("Sheet1").part, name, ref, headers)
        with pytest.raises(ValueError, match="not a worksheet"):
            add_table(edit, "xl/styles.xml", "T", "A1:A2", ["x"])
        assert edit.parts == {}


def test_refused_over_the_sheets_filter():
    with Package.open(DATA / "autofilter01.xlsx") as pkg:
        edit = Edit(pkg)
        with pytest.raises(ValueError, match="the sheet's filter"):
            add_table(edit, pkg.sheet("Sheet1").part, "T", "A1:D51", ["Region", "Item", "Volume", "Month"])


DOC_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@pytest.mark.parametrize("xml,expected", [
    # A top-level extLst (the tableParts goes before it), and one inside a conditional format.
    (b'<worksheet xmlns="m" xmlns:r="%s"><sheetData/><conditionalFormatting><extLst/></conditionalFormatting>'
     b'<extLst><ext uri="u"/></extLst></worksheet>' % DOC_REL,
     b'<worksheet xmlns="m" xmlns:r="%s"><sheetData/><conditionalFormatting><extLst/></conditionalFormatting>'
     b'<tableParts count="1"><tablePart r:id="rId9"/></tableParts><extLst><ext uri="u"/></extLst></worksheet>'
     % DOC_REL),
    # Existing tableParts, with a namespace prefix and another prefix for relationships.
    (b'<x:worksheet xmlns:x="m" xmlns:rel="%s"><x:sheetData><x:row r="1"/></x:sheetData>'
     b'<x:tableParts count="1"><x:tablePart rel:id="rId1"/></x:tableParts></x:worksheet>' % DOC_REL,
     b'<x:worksheet xmlns:x="m" xmlns:rel="%s"><x:sheetData><x:row r="1"/></x:sheetData>'
     b'<x:tableParts count="2"><x:tablePart rel:id="rId1"/><x:tablePart rel:id="rId9"/></x:tableParts>'
     b'</x:worksheet>' % DOC_REL),
    # An empty tableParts; no relationships namespace declared.
    (b'<worksheet xmlns="m"><sheetData></sheetData><tableParts count="0"/></worksheet>',
     b'<worksheet xmlns="m"><sheetData></sheetData><tableParts count="1"><tablePart r:id="rId9" xmlns:r="%s"/>'
     b'</tableParts></worksheet>' % DOC_REL),
])
def test_table_part_splice(xml, expected):
    assert sheet_add_table_part(xml, "rId9") == expected


def test_table_part_splice_needs_cells():
    with pytest.raises(SpliceError):
        sheet_add_table_part(b'<worksheet xmlns="m"></worksheet>', "rId1")


def test_existing_tables_see_the_edit(source):
    with Package.open(source) as src, Package.open(DATA / "table10.xlsx") as tgt:
        edit = Edit(tgt)
        assert [t[1:3] for t in existing_tables(edit)] == [(1, "Table1")]
        copy_sheet(src, "LeadScore", edit)
        assert [t[1:3] for t in existing_tables(edit)] == [(1, "Table1"), (2, "lsFitTable"), (3, "lsHolidays")]


# The whole corpus and LibreOffice.

@pytest.mark.slow
def test_full_corpus(source, tmp_path):
    """Both sheets copied into each of the 261 Excel-saved books, and a table made where a
    first sheet starts with a header row; every result checked with openpyxl."""
    started, tables = time.perf_counter(), 0
    books = corpus(full=True)
    for path in books:
        out = transplant(path, source, tmp_path / path.name)
        check_transplant(path, source, out)
        found = plain_range(path)
        if found:
            check_table(path, make_table(path, tmp_path / ("t-" + path.name), found), found)
            tables += 1
        out.unlink()
    print(f"{len(books)} books, {tables} tables added, {time.perf_counter() - started:.1f} s")


@libreoffice
@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_opens_the_copies(source, tmp_path):
    from libreoffice import convert, recalculated_sheets

    for book in ["simple01.xlsx", "table10.xlsx", "date_1904_02.xlsx", "macro01.xlsm"]:
        folder = tmp_path / book
        folder.mkdir()
        out = transplant(DATA / book, source, folder / book)
        sheets = recalculated_sheets(out, folder)
        model = sheets["LeadScore"]
        assert model[0][1] == "Lead Score model — edit the values"
        assert model[1][1] == "plain blue bold tail"
        assert model[4][5:7] == ["2024-12-25", "Christmas & <more>"]
        assert model[5][5:7] == ["1999-01-01", "  spaces kept  "]
        assert model[2][8] == "15" and model[3][8] == "1234.5" and model[0][8] == "Merged title"
        assert sheets["Leads"][0] == ["Name", "Created", "Grade", "Status"]
        assert {"LeadScore", "Leads"} <= set(sheets)
        saved = openpyxl.load_workbook(convert(out, folder, to="xlsx", recalc=False))
        assert dict(saved["LeadScore"].tables.items()) == {"lsFitTable": "B4:D6", "lsHolidays": "F4:G6"}


@libreoffice
@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_opens_the_new_tables(tmp_path):
    from libreoffice import convert

    for book in fast_plain_ranges()[:3]:
        path = DATA / book
        found = plain_range(path)
        folder = tmp_path / book
        folder.mkdir()
        out = make_table(path, folder / book, found)
        saved = openpyxl.load_workbook(convert(out, folder, to="xlsx", recalc=False))
        table = saved[found[0]].tables["NewTable"]
        assert table.ref == found[2] and [c.name for c in table.tableColumns] == found[3]

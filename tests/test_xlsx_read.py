"""The reading side of workbook/xlsx: packages, relationships, workbook parts, tables, styles, cell values.

Over workbooks saved by Excel, the package reader gives what openpyxl gives (workbook/openpyxl_fixes.py
applied, as FileBook reads): the same sheets, values of the same types, tables and defined names. The
31 workbooks in tests/data/excel-saved/ always run; all 261 of ../shared/data/excel-saved/files/ run
when that folder is there (on a developer's machine and in CI, which lays shared/ beside the clone).

The cell reader has three paths that must agree: the block reader (numpy), the row scanner (regular
expressions) and the streaming parser that both fall back to; each corpus sheet is read all three ways.
Focused tests build small packages by hand for what the corpus lacks.
"""
from __future__ import annotations

import datetime as dt
import random
import time
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import DTDForbidden

from workbook import openpyxl_fixes  # noqa: F401  Values as FileBook reads them.
from workbook.errors import FileProblem
from workbook.openpyxl_fixes import NotADate
from workbook.xlsx import cells
from workbook.xlsx.package import Package, Rel, resolve_target, rels_part_of
from workbook.xlsx.styles import is_date_format, read_styles

HERE = Path(__file__).resolve().parent
SUBSET = HERE / "data" / "excel-saved"
CORPUS = HERE.parents[1] / "shared" / "data" / "excel-saved" / "files"
BOOKS = sorted(CORPUS.glob("*.xls*")) if CORPUS.is_dir() else sorted(SUBSET.glob("*.xls*"))
EVERY_CELL = 1_048_576


def _openpyxl(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Extensions openpyxl does not read.
        return openpyxl.load_workbook(path, keep_links=True, **kwargs)


def _read(package, part, mode, box=(1, 1, EVERY_CELL, 200)):
    """Read a rectangle one way: 'fast' (block reader and row scanner), 'rows' (row scanner) or 'parser'."""
    formulas: set = set()
    reader = cells._Reader(package, part, box[0], box[1], box[2], box[3], True, formulas)
    if mode == "parser":
        reader._slow(formulas)
        return reader.rows, formulas
    reader.blocks = mode == "fast"
    return reader.run(), formulas


def _typed(rows):
    return [[(type(v).__name__, v) for v in row] for row in rows]


def test_the_subset_is_what_its_readme_says():
    assert len(list(SUBSET.glob("*.xls*"))) == 31
    assert (SUBSET / "LICENSE.txt").read_text().startswith("BSD 2-Clause License")
    if CORPUS.is_dir():
        for book in SUBSET.glob("*.xls*"):
            assert book.read_bytes() == (CORPUS / book.name).read_bytes()


@pytest.mark.parametrize("path", BOOKS, ids=[p.name for p in BOOKS])
def test_excel_saved_workbooks_read_as_openpyxl_reads_them(path):
    values, formulas = _openpyxl(path, data_only=True), _openpyxl(path)
    with Package.open(path) as package:
        sheets = package.sheets
        assert [s.name for s in sheets if s.kind != "other"] == values.sheetnames
        assert package.date1904 == (values.epoch == openpyxl.utils.datetime.MAC_EPOCH)
        for index, sheet in enumerate(sheets):
            if sheet.kind != "worksheet":
                assert sheet.kind == "chartsheet"
                continue
            assert sheet.state == values[sheet.name].sheet_state
            ws, wf = values[sheet.name], formulas[sheet.name]
            theirs = [list(r) for r in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column,
                                                      values_only=True)]
            box = (1, 1, max(ws.max_row, 1), max(ws.max_column, 1))
            mine, found = _read(package, sheet.part, "fast", box)
            # Rows below the last that holds a cell are not returned (they are empty).
            assert _typed(mine + [[None] * ws.max_column] * (len(theirs) - len(mine))) == _typed(theirs)
            assert {(c.row, c.column) for row in wf.iter_rows() for c in row if c.data_type == "f"} == found
            assert cells.formula_cells(package, sheet.part, range(1, ws.max_row + 1), 1, ws.max_column) == found
            # The row scanner and the parser give the same.
            for mode in ("rows", "parser"):
                rows, found_too = _read(package, sheet.part, mode, box)
                assert _typed(rows) == _typed(mine) and found_too == found, mode
            tables = [(t.name, t.display_name, t.ref, [name for _, name in t.columns], t.totals_row_count,
                       t.autofilter_ref) for t in package.tables(sheet.part)]
            assert sorted(tables) == sorted(
                (t.name, t.displayName, t.ref, [c.name for c in t.tableColumns], t.totalsRowCount or 0,
                 t.autoFilter.ref if t.autoFilter else None) for t in ws.tables.values())
            # Defined names local to this sheet; openpyxl turns print areas and titles into settings.
            local = {(n.name, n.text) for n in package.defined_names
                     if n.local_sheet_id == index and not n.name.startswith("_xlnm.")}
            assert local == {(name, d.value) for name, d in ws.defined_names.items()}
            names = {n.name for n in package.defined_names if n.local_sheet_id == index}
            assert "_xlnm.Print_Area" in names or not ws.print_area  # openpyxl drops row-only areas.
            assert "_xlnm.Print_Titles" in names or not (ws.print_title_rows or ws.print_title_cols)
    assert {(n.name, n.text, n.hidden) for n in package.defined_names if n.local_sheet_id is None} == {
        (name, d.value, bool(d.hidden)) for name, d in values.defined_names.items()}


def test_package_members_content_types_and_relationships():
    path = SUBSET / "macro01.xlsm"
    with Package.open(path) as package, zipfile.ZipFile(path) as zf:
        assert [i.filename for i in package.infos] == zf.namelist()
        assert [(i.filename, i.compress_type) for i in package.infos] == [
            (i.filename, i.compress_type) for i in zf.infolist()]
        assert package.read("xl/vbaProject.bin") == zf.read("xl/vbaProject.bin")
        assert package.read("XL/WORKBOOK.XML") == zf.read("xl/workbook.xml")  # OPC names ignore case.
        assert package.content_type("xl/workbook.xml") == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        assert package.content_type("/xl/vbaProject.bin") == "application/vnd.ms-office.vbaProject"
        assert package.content_type("docProps/app.xml").endswith("extended-properties+xml")
        assert package.content_type("xl/no-such.part") is None
        assert package.workbook_part == "xl/workbook.xml"
        vba = [r for r in package.rels("xl/workbook.xml") if r.kind == "vbaProject"]
        assert vba == [Rel(vba[0].id, "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
                           "xl/vbaProject.bin", False)]
        assert package.calc_pr == {"calcId": "124519"}
        with pytest.raises(KeyError):
            package.read("xl/missing.xml")


def test_sheets_kinds_states_and_defined_names():
    with Package.open(SUBSET / "chartsheet02.xlsx") as package:
        assert [(s.name, s.sheet_id, s.kind, s.part) for s in package.sheets] == [
            ("Sheet1", 1, "worksheet", "xl/worksheets/sheet1.xml"),
            ("Chart1", 2, "chartsheet", "xl/chartsheets/sheet1.xml"),
            ("Sheet2", 3, "worksheet", "xl/worksheets/sheet2.xml")]
        assert package.sheet("chart1").name == "Chart1"  # Sheet names ignore case.
    with Package.open(SUBSET / "hide01.xlsx") as package:
        assert [s.state for s in package.sheets] == ["visible", "hidden", "visible"]
    with Package.open(SUBSET / "defined_name01.xlsx") as package:
        names = package.defined_names
        assert names[1] == ("_xlnm._FilterDatabase", 0, "Sheet1!$F$1:$G$1", True)
        assert ("Bar", 2, "'Sheet 3'!$A$1", False) in names and ("Baz", None, "0.98", False) in names
        assert len(names) == 10


def test_tables_of_a_sheet():
    with Package.open(SUBSET / "table10.xlsx") as package:
        (table,) = package.tables("xl/worksheets/sheet1.xml")
        assert table.part == "xl/tables/table1.xml"
        assert (table.id, table.name, table.ref, table.header_row_count, table.totals_row_count,
                table.autofilter_ref) == (1, "Table1", "B3:K6", 1, 1, "B3:K5")
        assert table.columns[:2] == ((1, "Column1"), (2, "Column2")) and len(table.columns) == 10
        assert cells.dimension(package, "xl/worksheets/sheet1.xml") == "A1:K6"
    with Package.open(SUBSET / "simple01.xlsx") as package:
        assert package.tables("xl/worksheets/sheet1.xml") == []


def test_relationship_targets_resolved():
    assert resolve_target("xl/workbook.xml", "worksheets/sheet1.xml") == "xl/worksheets/sheet1.xml"
    assert resolve_target("xl/worksheets/sheet1.xml", "../tables/table1.xml") == "xl/tables/table1.xml"
    assert resolve_target("xl/workbook.xml", "/xl/worksheets/sheet%201.xml") == "xl/worksheets/sheet 1.xml"
    assert resolve_target("", "xl/workbook.xml") == "xl/workbook.xml"
    assert resolve_target("xl/workbook.xml", "../../../x.xml") == "x.xml"
    assert resolve_target("xl/workbook.xml", "worksheets\\sheet2.xml") == "xl/worksheets/sheet2.xml"
    assert rels_part_of("") == "_rels/.rels"
    assert rels_part_of("/xl/workbook.xml") == "xl/_rels/workbook.xml.rels"


def test_styles_date_formats():
    assert all(is_date_format(code) for code in ("yyyy-mm-dd", "d/m/y h:mm", "[h]:mm:ss", "mmm-yy",
                                                 '[$-409]mmmm d, yyyy;@', "hh:mm AM/PM"))
    assert not any(is_date_format(code) for code in ("General", "0.00", '"day" 0', "#,##0_);[Red](#,##0)",
                                                     "[Red]0", "0_m", "\\d0", "@", None, ""))
    xfs = "".join(f'<xf numFmtId="{i}"/>' for i in (0, 14, 22, 27, 36, 45, 46, 50, 58, 23, 49, 164, 165, 166))
    styles = read_styles(
        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" '
        b'formatCode="&quot;d&quot;0"/><numFmt numFmtId="166" formatCode="[hh]:mm"/></numFmts>'
        b'<cellXfs count="14">' + xfs.encode() + b'</cellXfs></styleSheet>')
    assert styles.cell_xfs_count == 14 and styles.num_fmts_count == 3 and styles.next_num_fmt_id == 167
    # Built-in 14-22, 27-36, 45-47 and 50-58 as Excel shows them; custom codes by their tokens.
    assert styles.date_styles == {1, 2, 3, 4, 5, 6, 7, 8, 11, 13}
    assert styles.timedelta_styles == {6, 13}
    assert styles.format_code(1) == "mm-dd-yy" and styles.format_code(12) == '"d"0'
    assert styles.format_code(3) is None and styles.format_code(99) is None
    assert read_styles(None).date_styles == frozenset() and read_styles(None).cell_xfs_count == 1


def test_not_a_workbook_is_a_file_problem(tmp_path):
    (tmp_path / "leads.xlsx").write_text("Lead ID;Name\n1;Ann\n")
    with pytest.raises(FileProblem):
        Package.open(tmp_path / "leads.xlsx")


# Small packages made by hand.

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
TYPES = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _package(path, sheets, strings=None, styles='<cellXfs count="1"><xf numFmtId="0"/></cellXfs>', workbook_pr="", workbook_part="xl/workbook.xml",
             extra=None):
    """Write a minimal workbook package: sheets is a list of sheet XML (bytes as they are, or str: whole,
    or the content of sheetData only), strings the shared-strings XML content (<si> items), styles that
    of the styles part (one plain cell style by default, which openpyxl needs)."""
    folder = workbook_part.rsplit("/", 1)[0]
    types = [f'<Override PartName="/{workbook_part}" ContentType="{TYPES}.sheet.main+xml"/>']
    rels = []
    sheet_list = []
    parts = {}
    for n, xml in enumerate(sheets, start=1):
        if isinstance(xml, str):
            if "sheetData" not in xml:
                xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}" '
                       f'xmlns:r="{REL}"><sheetData>{xml}</sheetData></worksheet>')
            xml = xml.encode()
        parts[f"{folder}/worksheets/sheet{n}.xml"] = xml
        types.append(f'<Override PartName="/{folder}/worksheets/sheet{n}.xml" ContentType="{TYPES}.worksheet+xml"/>')
        rels.append(f'<Relationship Id="rId{n}" Type="{REL}/worksheet" Target="worksheets/sheet{n}.xml"/>')
        sheet_list.append(f'<sheet name="Sheet{n}" sheetId="{n}" r:id="rId{n}"/>')
    if strings is not None:
        parts[f"{folder}/sharedStrings.xml"] = (f'<sst xmlns="{MAIN}">{strings}</sst>').encode()
        rels.append(f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
        types.append(f'<Override PartName="/{folder}/sharedStrings.xml" ContentType="{TYPES}.sharedStrings+xml"/>')
    if styles is not None:
        parts[f"{folder}/styles.xml"] = (f'<styleSheet xmlns="{MAIN}">{styles}</styleSheet>').encode()
        rels.append(f'<Relationship Id="rIdT" Type="{REL}/styles" Target="/{folder}/styles.xml"/>')
        types.append(f'<Override PartName="/{folder}/styles.xml" ContentType="{TYPES}.styles+xml"/>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'content-types"><Default Extension="xml" ContentType="application/xml"/><Default '
                    'Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                    + "".join(types) + "</Types>")
        zf.writestr("_rels/.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    f'relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                    f'Target="{workbook_part}"/></Relationships>')
        zf.writestr(workbook_part, f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{workbook_pr}<sheets>'
                    + "".join(sheet_list) + '</sheets><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>')
        zf.writestr(f"{folder}/_rels/{workbook_part.rsplit('/', 1)[1]}.rels",
                    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    + "".join(rels) + "</Relationships>")
        for name, data in {**parts, **(extra or {})}.items():
            zf.writestr(name, data)
    return Package.open(path)


def _values(package, box=(1, 1, 50, 10), sheet=0):
    part = package.sheets[sheet].part
    results = [_read(package, part, mode, box) for mode in ("fast", "rows", "parser")]
    assert all(_typed(r[0]) == _typed(results[0][0]) and r[1] == results[0][1] for r in results), results
    return results[0][0]


DATE_STYLES = ('<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
               '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/>'
               '<xf numFmtId="46"/></cellXfs>')


@pytest.mark.parametrize("date1904", [False, True])
def test_dates_in_both_date_systems(tmp_path, date1904):
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    row = ('<row r="1"><c r="A1" s="1"><v>45000.5</v></c><c r="B1" s="2"><v>45000</v></c>'
           '<c r="C1" s="1"><v>0.25</v></c><c r="D1" s="3"><v>1.5</v></c><c r="E1" s="1"><v>1733011200</v></c>'
           '<c r="F1" s="2"><v>30</v></c><c r="G1"><v>45000</v></c><c r="H1" s="1"><v>61.000011574</v></c></row>')
    package = _package(tmp_path / "d.xlsx", [row], styles=DATE_STYLES, workbook_pr=pr)
    assert package.date1904 == date1904
    (values,) = _values(package, (1, 1, 1, 8))
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    assert values[0] == epoch + dt.timedelta(days=45000, hours=12)
    assert values[1] == epoch + dt.timedelta(days=45000)
    assert values[2] == dt.time(6, 0)
    assert values[3] == dt.timedelta(days=1.5)
    assert type(values[4]) is NotADate and values[4] == 1733011200  # No date: the number stays.
    assert values[5] == (dt.datetime(1904, 1, 31) if date1904 else dt.datetime(1900, 1, 30))
    assert values[6] == 45000 and type(values[6]) is int
    assert values[7] == epoch + dt.timedelta(days=61, seconds=1)
    # openpyxl reads the same.
    ws = _openpyxl(package.path, data_only=True).active
    assert [c.value for c in ws[1]] == values


def test_cells_and_rows_without_references_follow_on(tmp_path):
    xml = ('<row><c t="s"><v>0</v></c><c><v>2</v></c></row>'  # Row 1: A1, B1.
           '<row r="3"><c r="C3"><v>3</v></c><c><v>4</v></c><c r="F3"><v>6</v></c><c><v>7</v></c></row>'
           '<row><c><v>8</v></c></row>'  # Row 4.
           '<row><c r="B5"><v>9</v></c></row>'  # Row 5.
           '<row spans="1:2" r="7"><c s="0" r="A7"><v>10</v></c></row>')  # Attributes in another order.
    package = _package(tmp_path / "r.xlsx", [xml], strings="<si><t>x</t></si>")
    assert _values(package, (1, 1, 10, 7)) == [
        ["x", 2, None, None, None, None, None], [None] * 7,
        [None, None, 3, 4, None, 6, 7], [8] + [None] * 6, [None, 9] + [None] * 5, [None] * 7,
        [10] + [None] * 6]
    ws = _openpyxl(package.path, data_only=True).active
    assert [list(r) for r in ws.iter_rows(max_row=7, max_col=7, values_only=True)] == _values(package, (1, 1, 10, 7))


def test_rectangle_rows_columns_and_trailing_rows(tmp_path):
    xml = "".join(f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>{r * 10 + i}</v></c>'
                                             for i, col in enumerate("ABCDE", 1)) + "</row>" for r in range(2, 9))
    xml += '<row r="12"><c r="Z12"><v>1</v></c></row><row r="20" ht="30" customHeight="1"/>'
    package = _package(tmp_path / "t.xlsx", [xml])
    assert _values(package, (3, 2, 4, 3)) == [[32, 33], [42, 43]]
    assert _values(package, (1, 1, 2, 2)) == [[None, None], [21, 22]]
    # Down to the last row that holds a cell (row 12, in column Z): not to max_row.
    assert len(_values(package, (1, 1, 1000, 3))) == 12
    assert _values(package, (9, 1, 11, 3)) == []
    assert _values(package, (13, 1, EVERY_CELL, 3)) == []
    assert cells.read_values(package, package.sheets[0].part, 5, 7, 3, 9) == []


def test_reading_stops_after_max_row(tmp_path):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 6))
    broken = (f'<worksheet xmlns="{MAIN}"><sheetData>{rows}<row r="6"><c r="A6"><v>6</v></c></row>'
              '<row r="7"><c r="A7"').encode() + b"\x00 not XML at all"
    package = _package(tmp_path / "s.xlsx", [broken])
    assert _values(package, (1, 1, 5, 1)) == [[1], [2], [3], [4], [5]]


def test_shared_strings_rich_text_phonetics_and_escapes(tmp_path):
    strings = ('<si><t>plain</t></si>'
               '<si><r><t>ab</t></r><r><rPr><b/><color rgb="FF0000"/></rPr><t xml:space="preserve"> cd </t></r></si>'
               '<si><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="1"/></si>'
               '<si><t>1_x000B_200</t></si><si><t>_x005F_x000B_</t></si>'
               '<si><t>&lt;a&gt; &amp; &quot;b&quot; &#233;&#x4E2D;</t></si>'
               '<si><t>line\r\nbreak</t></si><si/><si><t></t></si><si><t>_x000D__x000A_</t></si>')
    xml = '<row r="1">' + "".join(f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate("ABCDEFGHIJ")) + "</row>"
    package = _package(tmp_path / "s.xlsx", [xml], strings=strings)
    expected = ["plain", "ab cd ", "漢字", "1\x0b200", "_x000B_", '<a> & "b" é中', "line\nbreak", "", "", "\r\n"]
    assert cells.shared_strings(package) == expected
    assert _values(package, (1, 1, 1, 10)) == [expected]
    assert cells._strings_slow(package.read("xl/sharedStrings.xml")) == expected
    ws = _openpyxl(package.path, data_only=True).active
    assert [c.value for c in ws[1]] == expected


def test_inline_strings_and_formula_results(tmp_path):
    xml = ('<row r="1">'
           '<c r="A1" t="inlineStr"><is><t>in_x0009_line</t></is></c>'
           '<c r="B1" t="inlineStr"><is><r><t>ri</t></r><r><rPr><i/></rPr><t>ch</t></r></is></c>'
           '<c r="C1"><f>200*5</f><v>1000</v></c>'
           '<c r="D1" t="str"><f>"a"&amp;"b"</f><v>a&amp;b</v></c>'
           '<c r="E1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
           '<c r="F1" t="b"><f>TRUE</f><v>1</v></c>'
           '<c r="G1"><f t="shared" ref="G1:G2" si="0">C1*2</f><v>2000</v></c>'
           '<c r="H1"><f>NOW()</f></c>'  # A formula never calculated: no value.
           '<c r="I1" t="str"><f>""</f><v></v></c>'
           '<c r="J1" t="n"><v>1.5E3</v></c></row>'
           '<row r="2"><c r="C2" t="b"><v>0</v></c><c r="G2"><f t="shared" si="0"/><v>0</v></c>'
           '<c r="H2" t="e"><v>#N/A</v></c><c r="I2"><v>-7</v></c><c r="J2" t="d"><v>2024-03-01T10:30:00</v></c></row>')
    package = _package(tmp_path / "f.xlsx", [xml])
    assert _values(package, (1, 1, 2, 10)) == [
        ["in\tline", "rich", 1000, "a&b", "#DIV/0!", True, 2000, None, None, 1500.0],
        [None, None, False, None, None, None, 0, "#N/A", -7, dt.datetime(2024, 3, 1, 10, 30)]]
    part = package.sheets[0].part
    formulas = {(1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8), (1, 9), (2, 7)}
    assert cells.formula_cells(package, part, [1, 2], 1, 10) == formulas
    assert cells.formula_cells(package, part, 2, 1, 10) == {(2, 7)}
    assert cells.formula_cells(package, part, 1, 4, 5) == {(1, 4), (1, 5)}
    found: set = set()
    cells.read_values(package, part, 1, 1, 2, 10, formulas=found)
    assert found == formulas
    ws = _openpyxl(package.path, data_only=True).active
    theirs = [list(r) for r in ws.iter_rows(max_row=2, max_col=10, values_only=True)]
    assert theirs[0][1:] == _values(package, (1, 1, 2, 10))[0][1:]  # openpyxl keeps inline escapes.


def test_prefixed_and_strict_namespaces(tmp_path):
    rows = '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:v>5</x:v></x:c></x:row>'
    prefixed = (f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>{rows}</x:sheetData></x:worksheet>')
    strict = ('<worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><sheetData><row r="1">'
              '<c r="A1" t="s"><v>0</v></c><c r="B1"><v>5</v></c></row></sheetData></worksheet>')
    package = _package(tmp_path / "p.xlsx", [prefixed, strict], strings="<si><t>a</t></si>")
    assert _values(package, (1, 1, 1, 2), 0) == [["a", 5]]
    assert _values(package, (1, 1, 1, 2), 1) == [["a", 5]]


def test_xml_the_scanner_does_not_read_goes_to_the_parser(tmp_path):
    comment = '<row r="1"><c r="A1"><v>1</v></c><!-- a comment --><c r="B1"><v>2</v></c></row>'
    cdata = '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<b>&]]></t></is></c><c r="B1"><v>2</v></c></row>'
    spaced = '<row r="1"><c\n r="A1"><v>1</v></c><c r="B1"\n><v>2</v></c></row>'
    utf16 = (f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{MAIN}"><sheetData><row r="1">'
             '<c r="A1" t="inlineStr"><is><t>é</t></is></c><c r="B1"><v>2</v></c></row></sheetData></worksheet>')
    package = _package(tmp_path / "c.xlsx", [comment, cdata, spaced, utf16.encode("utf-16")])
    assert _values(package, (1, 1, 1, 2), 0) == [[1, 2]]
    assert _values(package, (1, 1, 1, 2), 1) == [["<b>&", 2]]
    assert _values(package, (1, 1, 1, 2), 2) == [[1, 2]]
    assert _values(package, (1, 1, 1, 2), 3) == [["é", 2]]


def test_a_dtd_is_refused(tmp_path):
    bomb = (f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c>'
            '</row></sheetData></worksheet>')
    package = _package(tmp_path / "b.xlsx", [bomb])
    with pytest.raises(DTDForbidden):
        cells.read_values(package, package.sheets[0].part, 1, 1, 1, 1)


def test_workbook_part_found_through_the_package_relationships(tmp_path):
    package = _package(tmp_path / "w.xlsx", ['<row r="1"><c r="A1"><v>1</v></c></row>'],
                       workbook_part="book/main.xml")
    assert package.workbook_part == "book/main.xml"
    assert package.sheets[0].part == "book/worksheets/sheet1.xml"
    assert package.calc_pr == {"calcId": "191029", "fullCalcOnLoad": "1"}
    assert _values(package, (1, 1, 1, 1)) == [[1]]


def test_tables_follow_table_parts(tmp_path):
    table = (f'<table xmlns="{MAIN}" id="{{id}}" name="T{{id}}" displayName="T{{id}}" ref="A1:B3" '
             'headerRowCount="1"><autoFilter ref="A1:B3"/><tableColumns count="2"><tableColumn id="1" '
             'name="Lead ID"/><tableColumn id="2" name="Line_x000a_break"/></tableColumns></table>')
    sheet = (f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
             '</sheetData><tableParts count="2"><tablePart r:id="rT2"/><tablePart r:id="rT1"/></tableParts>'
             '</worksheet>')
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rT1" Type="{REL}/table" Target="../tables/table1.xml"/>'
            f'<Relationship Id="rT2" Type="{REL}/table" Target="/xl/tables/table%202.xml"/>'
            f'<Relationship Id="rT3" Type="{REL}/table" Target="../tables/table3.xml"/>'
            f'<Relationship Id="rH" Type="{REL}/hyperlink" Target="https://example.com/a%20b" '
            'TargetMode="External"/></Relationships>')
    extra = {"xl/tables/table1.xml": table.format(id=1), "xl/tables/table 2.xml": table.format(id=2),
             "xl/tables/table3.xml": table.format(id=3), "xl/worksheets/_rels/sheet1.xml.rels": rels}
    package = _package(tmp_path / "t.xlsx", [sheet], extra=extra)
    tables = package.tables("xl/worksheets/sheet1.xml")
    assert [(t.name, t.part) for t in tables] == [("T2", "xl/tables/table 2.xml"), ("T1", "xl/tables/table1.xml")]
    assert tables[0].columns == ((1, "Lead ID"), (2, "Line_x000a_break"))
    assert package.rel("xl/worksheets/sheet1.xml", "rH") == Rel(
        "rH", f"{REL}/hyperlink", "https://example.com/a%20b", True)


def _big_sheet(rows: int) -> bytes:
    """A leads-like sheet: text, whole and decimal numbers, dates, a formula column, blanks."""
    out = [f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()]
    for r in range(1, rows + 1):
        out.append((
            f'<row r="{r}" spans="1:10"><c r="A{r}" t="s"><v>{r % 500}</v></c><c r="B{r}"><v>{r}</v></c>'
            f'<c r="C{r}"><v>{r / 8}</v></c><c r="D{r}" s="1"><v>{44000 + r % 900 + 0.25}</v></c>'
            f'<c r="E{r}" t="s"><v>{(r * 7) % 500}</v></c><c r="F{r}"><f>B{r}*2</f><v>{2 * r}</v></c>'
            + (f'<c r="G{r}" t="s"><v>{r % 3}</v></c>' if r % 4 else "")
            + f'<c r="H{r}"><v>{r % 10}</v></c><c r="I{r}" t="str"><v>s{r}</v></c>'
              f'<c r="J{r}" t="b"><v>{r % 2}</v></c></row>').encode())
    out.append(b"</sheetData></worksheet>")
    return b"".join(out)


@pytest.mark.parametrize("rows", [20_000, pytest.param(100_000, marks=pytest.mark.slow)])
def test_many_rows_read_fast(tmp_path, rows):
    """A sheet of 100,000 rows of 10 columns (one million cells) reads in about 0.9 s on 2 cores, its
    formula cells in 0.5 s (the row scanner alone takes twice that); building it takes 2 s, so it is
    slow, and the fast run reads 20,000 rows."""
    strings = "".join(f"<si><t>text {i}</t></si>" for i in range(500))
    package = _package(tmp_path / "big.xlsx", [_big_sheet(rows)], strings=strings, styles=DATE_STYLES)
    part = package.sheets[0].part
    cells.shared_strings(package)
    bound = 0.5 + 4 * rows / 100_000  # Four times what it takes, for a machine that is busy.
    start = time.perf_counter()
    values = cells.read_values(package, part, 1, 1, rows, 10)
    seconds = time.perf_counter() - start
    assert len(values) == rows
    for r in (1, 2, 4, rows // 3, rows - 1, rows):
        assert values[r - 1] == [
            f"text {r % 500}", r, r / 8, dt.datetime(1899, 12, 30) + dt.timedelta(days=44000 + r % 900, hours=6),
            f"text {(r * 7) % 500}", 2 * r, f"text {r % 3}" if r % 4 else None, r % 10, f"s{r}", bool(r % 2)]
    assert seconds < bound, seconds
    start = time.perf_counter()
    found = cells.formula_cells(package, part, range(2, rows + 1), 1, 10)
    assert len(found) == rows - 1 and (5, 6) in found
    assert time.perf_counter() - start < bound


def test_random_sheets_read_alike_by_every_path(tmp_path):
    """Cells of every kind in random places, written by openpyxl: the three paths and openpyxl agree."""
    rng = random.Random(11)
    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(1500):
        r, c = rng.randint(1, 400), rng.randint(1, 30)
        kind = rng.randrange(7)
        value = [lambda: rng.randint(-10**6, 10**6), lambda: rng.uniform(-1e9, 1e9), lambda: rng.random() < 0.5,
                 lambda: "".join(rng.choice("ab c_x\n&<>é") for _ in range(rng.randint(0, 12))),
                 lambda: dt.datetime(2020, 1, 1) + dt.timedelta(minutes=rng.randint(0, 10**6)),
                 lambda: f"=ROW()*{rng.randint(1, 9)}", lambda: None][kind]()
        ws.cell(r, c).value = value
    path = tmp_path / "random.xlsx"
    wb.save(path)
    with Package.open(path) as package:
        mine = _values(package, (1, 1, 400, 30))
        theirs = [list(row) for row in _openpyxl(path, data_only=True).active.iter_rows(
            max_row=len(mine), max_col=30, values_only=True)]
        assert _typed(mine) == _typed(theirs)
        mine = _values(package, (37, 5, 333, 21))
        assert _typed(mine) == _typed([row[4:21] for row in theirs[36:36 + len(mine)]])


def test_plain_shared_strings_decoded_at_once_read_the_same(tmp_path):
    # Without rich text every string is decoded in one go (joined by NUL): the same texts.
    strings = ('<si><t>plain</t></si><si><t>1_x000B_200</t></si><si><t>_x005F_x000B_</t></si>'
               '<si><t>&lt;a&gt; &amp; &quot;b&quot; &#233;&#x4E2D;</t></si>'
               '<si><t>line\r\nbreak</t></si><si/><si><t></t></si><si><t>_x000D__x000A_</t></si>'
               '<si><t xml:space="preserve"> two  spaces </t></si><si><t>ends\r</t></si>')
    xml = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    package = _package(tmp_path / "s.xlsx", [xml], strings=strings)
    expected = ["plain", "1\x0b200", "_x000B_", '<a> & "b" é中', "line\nbreak", "", "", "\r\n", " two  spaces ",
                "ends\n"]
    assert cells.shared_strings(package) == expected
    assert cells._texts([b"a&amp;b", b"", b"c\r\n"]) == ["a&b", "", "c\n"]
    assert cells._texts([]) == []


def test_a_big_sheets_tables_come_from_its_relationships(monkeypatch):
    # Streaming a 1 GB sheet to its end for <tableParts> costs seconds: a big sheet's tables are
    # its table relationships. The same tables as the tableParts give.
    from workbook.xlsx import package as package_module

    with Package.open(SUBSET / "table10.xlsx") as package:
        exact = package.tables("xl/worksheets/sheet1.xml")
    monkeypatch.setattr(package_module, "_BIG", 1)
    with Package.open(SUBSET / "table10.xlsx") as package:
        monkeypatch.setattr(package_module, "_table_part_ids", lambda *a: pytest.fail("the sheet was read"))
        assert package.tables("xl/worksheets/sheet1.xml") == exact

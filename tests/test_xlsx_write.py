"""The writing side of workbook/xlsx: parts patched in place byte for byte, new parts, shared entries.

Real workbooks saved by Excel (tests/data/excel-write, a subset of XlsxWriter's reference
files under their BSD licence; the full set of 261 from ../shared/data/excel-saved when it is
there) are patched: some cells written, a column and rows added, a table grown. Then every
other cell reads the same in openpyxl (formulas and cached values), every part we did not
touch is the same bytes, and LibreOffice opens the result and shows the new values. New
sheets, styles, a Report with its chart are put into those workbooks the same way and read
back by openpyxl and LibreOffice.

The package is put together here by a small helper (Package); the product's own file layer
does that job for real.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import posixpath
import random
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree as ET

from workbook.openpyxl_fixes import unescape
from workbook.xlsx import newparts as NP
from workbook.xlsx.chart import BarChart, bar_chart_xml, sheet_range
from workbook.xlsx.patch import (Cell, Column, PatchError, SharedStrings, date_serial, iter_patch_columns,
                                 patch_cells, patch_columns, remove_calc_chain_cells, resize_table, set_attributes)
from workbook.xlsx.report_xml import REPORT_STYLES, SheetCell, report_layout, report_parts, sheet_xml
from workbook.xlsx.splice import CELL_LIMIT, excel_text, parse_range
from workbook.xlsx.styles_write import StyleSpec, styles_append

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "excel-write"
FULL = HERE.parents[1] / "shared" / "data" / "excel-saved" / "files"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"

libreoffice = pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                                 reason="LibreOffice (soffice) is not installed; .ci/run installs it")


def books(full: bool = False) -> list[Path]:
    folder = FULL if full and FULL.is_dir() else DATA
    return sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".xlsm"))


# A package put together by hand.

class Package:
    """A workbook's members in order; parts can be replaced, added and removed, then saved."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as z:
            self.infos = z.infolist()
            self.parts = {i.filename: z.read(i) for i in self.infos}
        self.order = [i.filename for i in self.infos]

    def __getitem__(self, name):
        return self.parts[name]

    def __setitem__(self, name, data: bytes):
        if name not in self.parts:
            self.order.append(name)
        self.parts[name] = data

    def __contains__(self, name):
        return name in self.parts

    def remove(self, name):
        del self.parts[name]
        self.order.remove(name)

    def save(self, path: Path) -> Path:
        infos = {i.filename: i for i in self.infos}
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name in self.order:
                info = infos.get(name)
                if info is not None:
                    z.writestr(info, self.parts[name], compress_type=info.compress_type)
                else:
                    z.writestr(name, self.parts[name])
        return path

    @staticmethod
    def rels_of(part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", name + ".rels")

    def targets(self, part: str) -> dict[str, tuple[str, str]]:
        """{rel id: (type, absolute part name)} of a part's relationships."""
        rels = self.rels_of(part)
        if rels not in self.parts:
            return {}
        out = {}
        for r in ET.fromstring(self.parts[rels]).iter(f"{{{REL}}}Relationship"):
            target = r.get("Target")
            if r.get("TargetMode") == "External":
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(posixpath.dirname(part), target))
            out[r.get("Id")] = (r.get("Type").rsplit("/", 1)[-1], path)
        return out

    def sheets(self) -> dict[str, str]:
        """{sheet name: part} for worksheets (chartsheets left out), in order."""
        targets = self.targets("xl/workbook.xml")
        out = {}
        for s in ET.fromstring(self.parts["xl/workbook.xml"]).iter(f"{{{MAIN}}}sheet"):
            kind, path = targets[s.get(f"{{{DOC_REL}}}id")]
            if kind == "worksheet":
                out[s.get("name")] = path
        return out

    def sheet_id(self, name: str) -> int:
        for s in ET.fromstring(self.parts["xl/workbook.xml"]).iter(f"{{{MAIN}}}sheet"):
            if s.get("name") == name:
                return int(s.get("sheetId"))
        raise KeyError(name)


def values(path: Path, data_only: bool) -> dict:
    """{sheet: {(row, col): value}} as openpyxl reads it (shared strings' escapes undone)."""
    wb = openpyxl.load_workbook(path, data_only=data_only)
    out = {}

    def plain(value):  # openpyxl's array formulas compare by identity.
        return (type(value).__name__, value.ref, value.text) if hasattr(value, "ref") else value

    for ws in wb.worksheets:
        out[ws.title] = {(c.row, c.column): plain(c.value) for row in ws.iter_rows() for c in row
                         if c.value is not None}
    return out


def styles_of(path: Path) -> dict:
    """{sheet: {(row, col): (number format, bold, fill colour)}} as openpyxl reads them."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = {(c.row, c.column): (c.number_format, c.font.b, c.fill.fgColor.rgb, c.font.sz)
                         for row in ws.iter_rows() for c in row}
    return out


def lo_csv(books_: list[Path], folder: Path) -> dict[str, dict[str, list[list[str]]]]:
    """Every sheet of each book as CSV rows, by LibreOffice headless in one run: {stem: {sheet: rows}}."""
    assert SOFFICE, "CI must have LibreOffice: .ci/run installs libreoffice-calc-nogui"
    out = folder / "csv"
    for start in range(0, len(books_), 40):  # In batches: one run of hundreds of files loses the last ones.
        result = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{folder / 'lo-profile'}", "--headless",
                                 "--convert-to", CSV_ALL_SHEETS, "--outdir", str(out),
                                 *map(str, books_[start:start + 40])],
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
    sheets: dict = {}
    for book in books_:
        sheets[book.stem] = {}
        for path in out.glob(f"{book.stem}-*.csv"):
            with open(path, newline="", encoding="utf-8") as f:
                sheets[book.stem][path.stem[len(book.stem) + 1:]] = list(csv.reader(f))
    return sheets


def lo_cell(rows: list[list[str]], row: int, col: int) -> str:
    return rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else ""


# Structure: what a patch may change.

CELL_RE = re.compile(rb"<c(?=[\s/>])[^>]*?(?:/>|>.*?</c>)", re.S)
REF_RE = re.compile(rb'\sr="([A-Z]+[0-9]+)"')
ROW_RE = re.compile(rb"<row(?=[\s/>])[^>]*?/?>")


def split_sheet(xml: bytes):
    """(bytes outside sheetData with the dimension's ref blanked, [row start tags without spans],
    {ref: cell bytes})."""
    a = xml.index(b"<sheetData")
    b = xml.find(b"</sheetData>")
    b = xml.index(b">", a) + 1 if b == -1 else b + len(b"</sheetData>")
    outside = re.sub(rb'(<dimension ref=")[^"]*"', rb'\1"', xml[:a]) + xml[b:]
    data = xml[a:b]
    rows = [re.sub(rb'\s(spans="[^"]*")', b"", m.group(0)).replace(b"/>", b">") for m in ROW_RE.finditer(data)]
    cells = {}
    for m in CELL_RE.finditer(data):
        ref = REF_RE.search(m.group(0))
        cells[ref.group(1).decode()] = m.group(0)
    return outside, rows, cells


def assert_only_targets_changed(old: bytes, new: bytes, targets) -> None:
    """Every byte of the sheet but the target cells, the dimension and row spans is as it was."""
    from workbook.xlsx.splice import cell_ref
    refs = {cell_ref(r, c) for r, c in targets}
    o_out, o_rows, o_cells = split_sheet(old)
    n_out, n_rows, n_cells = split_sheet(new)
    assert o_out == n_out
    row_nums = lambda tags: [re.search(rb'r="([0-9]+)"', t).group(1) for t in tags]  # noqa: E731
    kept = {t for t in n_rows}
    assert all(t in kept for t in o_rows), "an old row's start tag changed"
    assert row_nums(n_rows) == sorted(row_nums(n_rows), key=int)
    for ref, cell in o_cells.items():
        if ref not in refs:
            assert n_cells.get(ref) == cell, ref
    assert set(n_cells) - set(o_cells) <= refs
    order = list(n_cells)
    assert [parse_range(r) for r in order] == sorted(parse_range(r) for r in order), "cells out of order"


# Small sheets.

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
MODERN = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
          b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
          b'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr xr2 xr3" '
          b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
          b'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" '
          b'xr:uid="{00000000-0001-0000-0000-000000000000}"><dimension ref="A1:C3"/>'
          b'<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
          b'<sheetFormatPr defaultRowHeight="14.4" x14ac:dyDescent="0.3"/>'
          b'<sheetData><row r="1" spans="1:3" x14ac:dyDescent="0.3"><c r="A1" t="s"><v>0</v></c>'
          b'<c r="B1" s="3" t="s"><v>1</v></c><c r="C1" s="4"><f>A2*2</f><v>2</v></c></row>'
          b'<row r="3" spans="1:3" ht="20" customHeight="1" x14ac:dyDescent="0.3"><c r="A3" s="2"><v>7</v></c>'
          b'<c r="C3" t="b"><v>1</v></c></row></sheetData>'
          b'<conditionalFormatting sqref="A1:A3"><cfRule type="cellIs" dxfId="0" priority="1" operator="greaterThan">'
          b'<formula>5</formula></cfRule></conditionalFormatting>'
          b'<dataValidations count="1"><dataValidation type="list" allowBlank="1" showInputMessage="1" '
          b'showErrorMessage="1" sqref="B2:B9" xr:uid="{11111111-0000-0000-0000-000000000000}">'
          b'<formula1>"a,b"</formula1></dataValidation></dataValidations>'
          b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
          b'<legacyDrawing r:id="rId2"/><tableParts count="1"><tablePart r:id="rId1"/></tableParts>'
          b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
          b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings/>'
          b"</ext></extLst></worksheet>")


def test_modern_sheet_keeps_every_byte_but_the_written_cells():
    targets = {(1, 2): Cell("new"), (2, 2): Cell(5), (3, 2): Cell(1.25, style=9), (1, 3): Cell(3),
               (3, 5): Cell("far"), (5, 1): Cell(True)}
    new, removed = patch_cells(MODERN, targets)
    assert_only_targets_changed(MODERN, new, targets)
    assert removed == [(1, 3)]  # C1 held a formula.
    assert b'<c r="B1" s="3" t="inlineStr"><is><t xml:space="preserve">new</t></is></c>' in new
    assert b'<c r="C1" s="4"><v>3</v></c>' in new  # Style kept, formula gone.
    assert b'<row r="2"><c r="B2"><v>5</v></c></row>' in new  # A new row, in order.
    assert b'<c r="B3" s="9"><v>1.25</v></c>' in new  # Between A3 and C3.
    assert b'<dimension ref="A1:E5"/>' in new
    assert b'<row r="3" spans="1:5" ht="20" customHeight="1" x14ac:dyDescent="0.3">' in new
    # Namespaces, mc:Ignorable, xr:uid, extLst, validations and the legacy drawing stay.
    assert new.startswith(MODERN[:MODERN.index(b"<sheetData>")].replace(b"A1:C3", b"A1:E5"))
    assert new.endswith(MODERN[MODERN.index(b"</sheetData>"):])
    ET.fromstring(new)


def test_blank_keeps_the_style_and_loses_the_value():
    new, _ = patch_cells(MODERN, {(1, 2): Cell(None), (1, 1): None, (3, 1): Cell(None, style=5),
                                  (4, 4): Cell(None)})
    assert b'<c r="B1" s="3"/>' in new
    assert b'<c r="A1"' not in new  # No style, no value: the cell goes.
    assert b'<c r="A3" s="5"/>' in new
    assert b"D4" not in new and b'<row r="4"' not in new
    assert b'<dimension ref="A1:C3"/>' in new


def test_prefixed_namespace_and_cells_without_references():
    xml = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<x:sheetData><x:row><x:c><x:v>1</x:v></x:c><x:c t="inlineStr"><x:is><x:t>b</x:t></x:is></x:c></x:row>'
           b'<x:row><x:c/><x:c s="1"><x:v>4</x:v></x:c></x:row><x:row r="5"><x:c r="C5"><x:v>9</x:v></x:c></x:row>'
           b"</x:sheetData></x:worksheet>")
    new, _ = patch_cells(xml, {(1, 2): Cell("B1!"), (2, 2): Cell(8), (2, 4): Cell("D2"), (4, 1): Cell(1),
                               (5, 2): Cell(2)})
    assert new == (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   b'<x:sheetData><x:row><x:c><x:v>1</x:v></x:c><x:c r="B1" t="inlineStr"><x:is>'
                   b'<x:t xml:space="preserve">B1!</x:t></x:is></x:c></x:row><x:row><x:c/><x:c r="B2" s="1">'
                   b'<x:v>8</x:v></x:c><x:c r="D2" t="inlineStr"><x:is><x:t xml:space="preserve">D2</x:t></x:is>'
                   b'</x:c></x:row><x:row r="4"><x:c r="A4"><x:v>1</x:v></x:c></x:row><x:row r="5"><x:c r="B5">'
                   b'<x:v>2</x:v></x:c><x:c r="C5"><x:v>9</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    wb = openpyxl.load_workbook(_one_sheet_book(new.replace(b"x:", b"").replace(b"xmlns:x", b"xmlns").replace(b' s="1"', b"")))
    assert [[c.value for c in r] for r in wb.active.iter_rows()] == [
        [1, "B1!", None, None], [None, 8, None, "D2"], [None] * 4, [1, None, None, None], [None, 2, 9, None]]


def test_empty_sheet_data_and_a_sheet_without_rows():
    xml = b'<worksheet %s><dimension ref="A1"/><sheetData/><pageMargins/></worksheet>' % NS
    new, _ = patch_cells(xml, {(2, 3): Cell("x"), (1, 1): Cell(1)})
    assert new == (b'<worksheet %s><dimension ref="A1:C2"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
                   b'<row r="2"><c r="C2" t="inlineStr"><is><t xml:space="preserve">x</t></is></c></row>'
                   b"</sheetData><pageMargins/></worksheet>" % NS)
    xml = b'<worksheet %s><dimension ref="A1"/><sheetData></sheetData></worksheet>' % NS
    assert b'<dimension ref="B2"/>' in patch_cells(xml, {(2, 2): Cell(1)}).xml


def test_rows_and_cells_out_of_order_are_refused():
    bad_rows = b'<worksheet %s><sheetData><row r="3"/><row r="2"/></sheetData></worksheet>' % NS
    with pytest.raises(PatchError):
        patch_cells(bad_rows, {(9, 1): Cell(1)})
    # (Rows whose cells all start '<c r="' are trusted to be in order, as Excel writes them.)
    bad_cells = b'<worksheet %s><sheetData><row r="1"><c s="1" r="C1"/><c r="B1"/></row></sheetData></worksheet>' % NS
    with pytest.raises(PatchError):
        patch_cells(bad_cells, {(1, 1): Cell(1)})


def test_values_of_every_kind():
    xml = b'<worksheet %s><sheetData/></worksheet>' % NS
    cells = {(1, 1): Cell(dt.date(2024, 3, 1), style=1), (1, 2): Cell(dt.datetime(2024, 3, 1, 18), "date", 2),
             (1, 3): Cell(False), (1, 4): Cell(float("nan")), (1, 5): Cell(1e-7), (1, 6): Cell(10 ** 20),
             (1, 7): Cell("=HYPERLINK(\"http://x\")"), (1, 8): Cell("SUM(A1:B1)", "formula", cached=3),
             (1, 9): Cell(12, "text"), (1, 10): Cell("3.5", "number"), (1, 11): Cell(2.0)}
    new = patch_cells(xml, cells).xml
    assert b'<c r="A1" s="1"><v>45352</v></c>' in new
    assert b'<c r="B1" s="2"><v>45352.75</v></c>' in new
    assert b'<c r="C1" t="b"><v>0</v></c>' in new
    assert b"D1" not in new
    assert b"<v>1e-07</v>" in new and b"<v>1e+20</v>" in new
    assert b'<c r="G1" t="inlineStr"><is><t xml:space="preserve">=HYPERLINK("http://x")</t></is></c>' in new
    assert b'<c r="H1"><f>SUM(A1:B1)</f><v>3</v></c>' in new
    assert b'<c r="I1" t="inlineStr"><is><t xml:space="preserve">12</t></is></c>' in new
    assert b'<c r="J1"><v>3.5</v></c>' in new and b'<c r="K1"><v>2</v></c>' in new
    assert date_serial(dt.date(1900, 1, 1)) == 1 and date_serial(dt.date(1900, 3, 1)) == 61
    assert date_serial(dt.date(1904, 1, 2), date1904=True) == 1
    with pytest.raises(ValueError):
        patch_cells(xml, {(1, 1): Cell(float("inf"))})


def test_text_is_cut_and_escaped_as_excel_does():
    assert excel_text("a\x01b\rc\nd\te") == "a_x0001_b_x000D_c\nd\te"
    assert excel_text("_x0041_ stays") == "_x005F_x0041_ stays"
    assert excel_text("x" * 40_000) == "x" * CELL_LIMIT
    assert excel_text("\U0001F600" * 20_000) == "\U0001F600" * (CELL_LIMIT // 2)  # Pairs are not split.
    assert excel_text("lone \ud800 half") == "lone \ufffd half"
    assert unescape(excel_text("1_x000B_2 \x0b _x")) == "1_x000B_2 \x0b _x"


def test_shared_formula_master_overwritten_hands_its_formula_on():
    xml = (b'<worksheet %s><sheetData>'
           b'<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c></row>'
           b'<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
           b'<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6</v></c></row>'
           b"</sheetData></worksheet>" % NS)
    new, removed = patch_cells(xml, {(1, 2): Cell(10)})
    assert removed == [(1, 2)]
    assert b'<c r="B2"><f>A2*2</f><v>4</v></c>' in new and b'<c r="B3"><f>A3*2</f><v>6</v></c>' in new
    ws = openpyxl.load_workbook(_one_sheet_book(new)).active
    assert [ws["B1"].value, ws["B2"].value, ws["B3"].value] == [10, "=A2*2", "=A3*2"]
    # The whole column written: nothing to hand on.
    new, removed = patch_cells(xml, {(r, 2): Cell(r) for r in (1, 2, 3)})
    assert removed == [(1, 2), (2, 2), (3, 2)] and b"<f" not in new


def test_shared_strings_appended_never_reordered():
    sst = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<sst %s count="3" uniqueCount="2">'
           b"<si><t>old</t></si><si><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r></si></sst>" % NS)
    strings = SharedStrings(sst)
    xml = b'<worksheet %s><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>' % NS
    new, _ = patch_cells(xml, {(1, 1): Cell("new"), (1, 2): Cell("old"), (1, 3): Cell("new"), (1, 4): Cell("a&b")},
                         shared_strings=strings)
    assert b'<c r="A1" t="s"><v>2</v></c><c r="B1" t="s"><v>0</v></c><c r="C1" t="s"><v>2</v></c>' in new
    out = strings.xml()
    assert out.startswith(sst[:sst.index(b"count")])
    assert out.endswith(b'<si><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r></si>'
                        b'<si><t xml:space="preserve">new</t></si><si><t xml:space="preserve">a&amp;b</t></si></sst>')
    assert b'count="6" uniqueCount="4"' in out  # 3 - 1 (A1 overwritten) + 4.


def test_columns_and_cells_give_the_same_bytes():
    rng = random.Random(11)
    rows = []
    for r in range(1, 60):
        cells = []
        for c in range(1, 9):
            if rng.random() < 0.6:
                kind = rng.choice([b'<c r="%s%d"><v>1</v></c>', b'<c r="%s%d" s="2" t="s"><v>0</v></c>',
                                   b'<c r="%s%d" s="1"/>', b'<c r="%s%d" t="str"><f>1+1</f><v>2</v></c>',
                                   b'<c r="%s%d" s="3" cm="1"><v>5</v></c>'])
                cells.append(kind % (b"ABCDEFGH"[c - 1:c], r))
        if rng.random() < 0.8:
            rows.append(b'<row r="%d" spans="1:8">' % r + b"".join(cells) + b"</row>")
    xml = b'<worksheet %s><dimension ref="A1:H59"/><sheetData>%s</sheetData></worksheet>' % (NS, b"".join(rows))
    pool = [None, 1, 2.5, "t<x>", True, dt.date(2020, 1, 1), "", float("nan")]
    columns = [Column(c, 3, [rng.choice(pool) for _ in range(70)], style=rng.choice([None, 7])) for c in (2, 3, 4, 7, 8)]
    columns.append(Column(9, 1, [rng.choice([None, dt.date(2021, 2, 3), 45000]) for _ in range(50)], "date", 5))
    by_cols = patch_columns(xml, columns)
    cells = {(c.first_row + i, c.col): Cell(v, c.kind, c.style) for c in columns for i, v in enumerate(c.values)}
    by_cells = patch_cells(xml, cells)
    assert by_cols.xml == by_cells.xml
    assert sorted(by_cols.formulas_removed) == sorted(by_cells.formulas_removed)
    assert b"".join(iter_patch_columns(xml, columns)) == by_cols.xml
    assert_only_targets_changed(xml, by_cols.xml, cells)
    ET.fromstring(by_cols.xml)


def test_far_rows_found_by_their_reference():
    rows = [b'<row r="%d" spans="1:2"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(1, 1001) if r != 700]
    xml = b'<worksheet %s><dimension ref="A1:A1000"/><sheetData>%s</sheetData></worksheet>' % (NS, b"".join(rows))
    targets = {(2, 2): Cell(2), (500, 2): Cell(500), (700, 1): Cell(7), (1000, 1): Cell(None, style=3),
               (2000, 2): Cell("end")}
    new = patch_cells(xml, targets).xml
    assert_only_targets_changed(xml, new, targets)
    assert b'<row r="699" spans="1:2"><c r="A699"><v>699</v></c></row><row r="700"><c r="A700"><v>7</v></c></row>' \
        in new
    assert new.endswith(b'<row r="1000" spans="1:2"><c r="A1000" s="3"/></row><row r="2000"><c r="B2000" '
                        b't="inlineStr"><is><t xml:space="preserve">end</t></is></c></row></sheetData></worksheet>')
    assert b'<dimension ref="A1:B2000"/>' in new
    columns = [Column(2, 990, list(range(990, 1011)))]
    by_columns = patch_columns(xml, columns).xml
    assert by_columns == patch_cells(xml, {(990 + i, 2): Cell(v) for i, v in enumerate(range(990, 1011))}).xml
    assert b'<row r="1010"><c r="B1010"><v>1010</v></c></row>' in by_columns


def test_dates_in_the_1904_system(tmp_path):
    book = DATA / "date_1904_02.xlsx"
    pkg = Package(book)
    assert b'date1904="1"' in pkg["xl/workbook.xml"]
    name, part = next(iter(pkg.sheets().items()))
    when = dt.datetime(2024, 5, 17, 12, 30)
    pkg[part] = patch_cells(pkg[part], {(40, 1): Cell(when, style=1)}, date1904=True).xml
    out = pkg.save(tmp_path / book.name)
    ws = openpyxl.load_workbook(out)[name]
    assert ws["A40"].value == when


def test_calc_chain_entries_removed():
    chain = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<calcChain %s><c r="K4" i="1"/>'
             b'<c r="K5"/><c r="A1" i="2"/><c r="K6" i="1"/></calcChain>' % NS)
    assert remove_calc_chain_cells(chain, 1, [(4, 11)]) == chain.replace(b'<c r="K4" i="1"/><c r="K5"/>',
                                                                         b'<c r="K5" i="1"/>')
    assert remove_calc_chain_cells(chain, 2, [(4, 11)]) == chain
    assert remove_calc_chain_cells(chain, 1, [(4, 11), (5, 11), (6, 11)]).endswith(b'<c r="A1" i="2"/></calcChain>')
    assert remove_calc_chain_cells(chain, 1, [(4, 11), (5, 11), (6, 11)] + []) is not None
    assert remove_calc_chain_cells(remove_calc_chain_cells(chain, 1, [(4, 11), (5, 11), (6, 11)]), 2,
                                   [(1, 1)]) is None


def test_resize_table_and_set_attributes():
    table = Package(DATA / "table10.xlsx")["xl/tables/table1.xml"]
    new = resize_table(table, "B3:L8", ["Fit & fun", "Score"][:1])
    assert b'ref="B3:L8"' in new and b'<autoFilter ref="B3:L7"/>' in new  # One totals row.
    assert b'<tableColumns count="11">' in new
    assert b'<tableColumn id="11" name="Fit &amp; fun"/></tableColumns>' in new
    assert new.replace(b"B3:L8", b"B3:K6").replace(b"B3:L7", b"B3:K5").replace(
        b'<tableColumn id="11" name="Fit &amp; fun"/>', b"").replace(b'count="11"', b'count="10"') == table
    with pytest.raises(ValueError):
        resize_table(table, "B3:L8", ["Column1"])  # A name already there.
    with pytest.raises(ValueError):
        resize_table(table, "B3:M8", ["New"])  # The range must be as wide as the columns.
    assert b'<autoFilter ref="A1:B2"/>' in set_attributes(table, "autoFilter", {"ref": "A1:B2"})
    assert b"totalsRowCount" not in set_attributes(table, "table", {"totalsRowCount": None})


# Whole workbooks saved by Excel.

def _one_sheet_book(sheet: bytes) -> Path:
    """A minimal workbook around one sheet's XML (for openpyxl to read)."""
    import tempfile
    path = Path(tempfile.mkdtemp()) / "one.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
                   'formats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocu'
                   'ment.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentTy'
                   'pe="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{REL}"><Relationship Id="rId1" '
                   f'Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_REL}">'
                   '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{REL}">'
                   f'<Relationship Id="rId1" Type="{DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                   "</Relationships>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


HARD_TEXT = "=HYPERLINK(\"http://example.com\",\"click\")"
CONTROL_TEXT = "tab\tnew\nline\x01\x1f end"
LONG_TEXT = "L" * 40_000


def patch_book(source: Path, out: Path) -> dict:
    """Patch the first worksheet of a workbook as a rescore would: a few cells overwritten, a new
    column right of the used range (or of its table, which grows), new rows below. Returns what
    was done: {sheet, part, targets, table, untouched parts, calc chain...}."""
    pkg = Package(source)
    before = {name: data for name, data in pkg.parts.items()}
    wb = openpyxl.load_workbook(source)
    sheets = pkg.sheets()
    name = next(iter(sheets))
    part = sheets[name]
    ws = wb[name]
    max_row, max_col = max(ws.max_row, 1), max(ws.max_column, 1)
    targets: dict = {}
    table_part = None
    rels = pkg.targets(part)
    tables = [path for kind, path in rels.values() if kind == "table"]
    if tables:
        table_part = tables[0]
        ref = ET.fromstring(pkg[table_part]).get("ref")
        r1, c1, r2, c2 = parse_range(ref)
        new_col = c2 + 1
        if any(ws.cell(r, new_col).value is not None for r in range(1, max_row + 1)):
            table_part = None
    if table_part is None:
        new_col = max_col + 1
    # Overwrite the first value cell and the first formula cell, if there are any.
    plain = next(((c.row, c.column) for row in ws.iter_rows() for c in row
                  if c.value is not None and not str(c.value).startswith("=")), None)
    formula = next(((c.row, c.column) for row in ws.iter_rows() for c in row
                    if isinstance(c.value, str) and c.value.startswith("=")), None)
    if plain:
        targets[plain] = Cell("overwritten")
    if formula:
        targets[formula] = Cell(42)
    for r in range(1, max_row + 3):
        targets[(r, new_col)] = Cell(r * 10 if r % 2 else f"text {r}")
    targets[(max_row + 3, 1)] = Cell(HARD_TEXT)
    targets[(max_row + 3, 2)] = Cell(CONTROL_TEXT)
    targets[(max_row + 3, 3)] = Cell(LONG_TEXT)
    targets[(max_row + 4, new_col + 1)] = Cell(dt.date(2024, 5, 17))
    if table_part is not None:
        targets[(r1, new_col)] = Cell("Lead Score")
        pkg[table_part] = resize_table(pkg[table_part], NP.range_ref(r1, c1, r2, new_col), ["Lead Score"])
    xml, removed = patch_cells(pkg[part], targets)
    pkg[part] = xml
    chain = "xl/calcChain.xml"
    if removed and chain in pkg:
        left = remove_calc_chain_cells(pkg[chain], pkg.sheet_id(name), removed)
        if left is None:
            pkg.remove(chain)
            rel = next(i for i, (kind, _) in pkg.targets("xl/workbook.xml").items() if kind == "calcChain")
            pkg["xl/_rels/workbook.xml.rels"] = NP.rels_remove(pkg["xl/_rels/workbook.xml.rels"], rel)
            pkg["[Content_Types].xml"] = NP.content_types_remove_override(pkg["[Content_Types].xml"],
                                                                          "/" + chain)
        else:
            pkg[chain] = left
    pkg.save(out)
    return {"sheet": name, "part": part, "targets": targets, "table": table_part, "before": before,
            "after": dict(pkg.parts), "order": (list(before), pkg.order), "removed": removed,
            "new_col": new_col, "max_row": max_row}


def check_patched(source: Path, out: Path, done: dict) -> None:
    """Every cell but the targets reads the same; every part we did not own is the same bytes."""
    targets = done["targets"]
    owned = {done["part"], done["table"], "xl/calcChain.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    before, after = done["before"], done["after"]
    for name, data in before.items():
        if name not in owned:
            assert after[name] == data, f"{source.name}: {name} changed"
    old_order, new_order = done["order"]
    assert [n for n in new_order if n in before] == [n for n in old_order if n in after]
    assert_only_targets_changed(before[done["part"]], after[done["part"]], targets)
    for data_only in (False, True):
        old, new = values(source, data_only), values(out, data_only)
        assert old.keys() == new.keys()
        for sheet in old:
            if sheet != done["sheet"]:
                assert old[sheet] == new[sheet], (source.name, sheet)
                continue
            for ref, value in old[sheet].items():
                if ref not in targets:
                    assert new[sheet].get(ref) == value, (source.name, ref)
            for ref, cell in targets.items():
                got = new[sheet].get(ref)
                want = cell.value
                if isinstance(want, str):
                    want = excel_text(want)
                if isinstance(want, dt.date):
                    assert got is not None
                    continue
                assert got == want, (source.name, ref, got, want)


@pytest.mark.parametrize("book", books(), ids=lambda p: p.name)
def test_patched_workbook_keeps_everything_else(book, tmp_path):
    out = tmp_path / book.name
    done = patch_book(book, out)
    check_patched(book, out, done)


@pytest.mark.slow
@pytest.mark.skipif(not FULL.is_dir(), reason="the full corpus (../shared/data/excel-saved) is not here")
def test_patched_full_corpus_keeps_everything_else(tmp_path):
    failures = []
    for book in books(full=True):
        out = tmp_path / book.name
        try:
            check_patched(book, out, patch_book(book, out))
        except Exception as e:  # Collect them all: one report.
            failures.append(f"{book.name}: {type(e).__name__}: {e}"[:300])
    assert not failures, "\n".join(failures)


def everything(book: Path, out: Path) -> dict:
    """A rescore's patch, then a History sheet with its table and a Report with its chart added."""
    patched = out.with_name("patched-" + out.name)
    done = patch_book(book, patched)
    pkg = Package(patched)
    add_table_sheet(pkg, "History", "tblLsHistory", HISTORY_ROWS)
    add_report(pkg, report_layout(sample_funnel(), "en"), date1904=b'date1904="1"' in pkg["xl/workbook.xml"])
    pkg.save(out)
    return done


@pytest.mark.slow
@pytest.mark.skipif(not FULL.is_dir(), reason="the full corpus (../shared/data/excel-saved) is not here")
def test_full_corpus_with_our_sheets_read_by_openpyxl(tmp_path):
    failures = []
    for book in books(full=True):
        try:
            out = tmp_path / book.name
            done = everything(book, out)
            wb = openpyxl.load_workbook(out)
            assert wb["History"]["A2"].value == "00123" and wb["Report"]["A1"].value.startswith("Lead funnel")
            assert len(wb["Report"]._charts) == 1
            old = values(book, False)
            new = values(out, False)
            for sheet, cells in old.items():
                if sheet != done["sheet"]:
                    assert new[sheet] == cells, sheet
        except Exception as e:
            failures.append(f"{book.name}: {type(e).__name__}: {e}"[:300])
    assert not failures, "\n".join(failures)


@libreoffice
@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(not FULL.is_dir(), reason="the full corpus (../shared/data/excel-saved) is not here")
def test_libreoffice_full_corpus_with_our_sheets(tmp_path):
    outs, done = [], {}
    for book in books(full=True):
        out = tmp_path / book.name
        done[out.stem] = everything(book, out)
        outs.append(out)
    sheets = lo_csv(outs, tmp_path)
    failures = []
    for stem, d in done.items():
        got = sheets.get(stem, {})
        try:
            assert got.get("History", [[]])[0] == HISTORY_ROWS[0], "History"
            assert got["Report"][0][0].startswith("Lead funnel report"), "Report"
            rows = got[d["sheet"]]
            for (r, c), cell in d["targets"].items():
                if isinstance(cell.value, int):
                    assert lo_cell(rows, r, c) == str(cell.value), (r, c)
        except Exception as e:
            failures.append(f"{stem}: {type(e).__name__}: {e}"[:300])
    assert not failures, "\n".join(failures)


@libreoffice
@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_opens_patched_workbooks_and_shows_the_new_values(tmp_path):
    outs, done = [], {}
    for book in books():
        out = tmp_path / book.name
        done[out.stem] = patch_book(book, out)
        outs.append(out)
    sheets = lo_csv(outs, tmp_path)
    for stem, d in done.items():
        rows = sheets[stem].get(d["sheet"])
        assert rows is not None, (stem, list(sheets[stem]))
        for (r, c), cell in d["targets"].items():
            if isinstance(cell.value, int):
                assert lo_cell(rows, r, c) == str(cell.value), (stem, r, c)
            elif cell.value in (HARD_TEXT, "overwritten", "Lead Score") or str(cell.value).startswith("text "):
                assert lo_cell(rows, r, c) == cell.value, (stem, r, c)
        r = d["max_row"] + 3
        assert lo_cell(rows, r, 2) == CONTROL_TEXT.replace("\x01", "").replace("\x1f", "") or \
            lo_cell(rows, r, 2).startswith("tab\tnew\nline"), (stem, lo_cell(rows, r, 2))
        assert lo_cell(rows, r, 3) == "L" * CELL_LIMIT


# Styles.

WANTED = list(REPORT_STYLES.values()) + [StyleSpec("yyyy-mm-dd hh:mm"), StyleSpec("0.00"), StyleSpec()]


@pytest.mark.parametrize("book", books(), ids=lambda p: p.name)
def test_styles_appended_renumber_nothing(book, tmp_path):
    pkg = Package(book)
    old_styles = pkg["xl/styles.xml"]
    new_styles, index = styles_append(old_styles, WANTED)
    assert styles_append(new_styles, WANTED)[0] == new_styles  # Everything is reused the second time.
    assert styles_append(new_styles, WANTED)[1] == index
    # Every old entry keeps its bytes and place: the old sections are prefixes of the new ones.
    for section in (b"numFmts", b"fonts", b"fills", b"cellXfs"):
        a = re.search(rb"<%s[^>]*>(.*?)</%s>" % (section, section), old_styles, re.S)
        b = re.search(rb"<%s[^>]*>(.*?)</%s>" % (section, section), new_styles, re.S)
        if a is not None:
            assert b.group(1).startswith(a.group(1)), section
    def format_ids(xml):
        section = re.search(rb"<numFmts[^>]*>(.*?)</numFmts>", xml, re.S)
        return [int(i) for i in re.findall(rb'<numFmt numFmtId="([0-9]+)"', section.group(1))] if section else []
    old_ids = format_ids(old_styles)
    new_ids = format_ids(new_styles)[len(old_ids):]
    assert all(i > max([163, *old_ids]) for i in new_ids)
    pkg["xl/styles.xml"] = new_styles
    # Show every new format in new cells of the first sheet.
    name, part = next(iter(pkg.sheets().items()))
    ws = openpyxl.load_workbook(book)[name]
    row = ws.max_row + 2
    cells = {(row, c): Cell(1.5 if spec.num_format else "x", style=index[spec]) for c, spec in enumerate(WANTED, 1)}
    pkg[part] = patch_cells(pkg[part], cells).xml
    out = pkg.save(tmp_path / book.name)
    old, new = styles_of(book), styles_of(out)
    for sheet in old:
        for ref, style in old[sheet].items():
            assert new[sheet].get(ref, style) == style, (sheet, ref)
    got = new[name]
    for c, spec in enumerate(WANTED, 1):
        fmt, bold, fill, size = got[(row, c)]
        assert fmt == (spec.num_format or "General"), spec
        assert bool(bold) == spec.bold
        assert (fill == "FF" + spec.fill) if spec.fill else fill in (None, "00000000"), spec
        if spec.size:
            assert size == spec.size


def test_styles_without_number_formats_or_fonts():
    bare = (b'<?xml version="1.0"?><styleSheet %s><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            b'borderId="0" xfId="0"/></cellXfs></styleSheet>' % NS)
    new, index = styles_append(bare, [StyleSpec("0.0%", bold=True), StyleSpec()])
    ET.fromstring(new)
    assert index == {StyleSpec("0.0%", bold=True): 1, StyleSpec(): 0}
    assert new.index(b"<numFmts") < new.index(b"<fonts") < new.index(b"<fills") < new.index(b"<borders") \
        < new.index(b"<cellStyleXfs") < new.index(b"<cellXfs")
    assert b'<fonts count="2">' in new and b'<numFmt numFmtId="164" formatCode="0.0%"/>' in new


# New sheets, names and the shared parts.

HISTORY_ROWS = [["Lead ID", "When", "Old grade", "New grade", "Score"],
                ["00123", dt.datetime(2024, 5, 17, 9, 30), "B", "A", 85],
                ["L-2", dt.datetime(2024, 5, 17, 9, 31), None, "C", 40.5],
                [HARD_TEXT, dt.date(2024, 5, 18), CONTROL_TEXT, "D", 0]]


def add_table_sheet(pkg: Package, title: str, table_name: str, rows, index=None) -> str:
    """A History-like sheet with its table, added with every entry it needs; returns its part."""
    n = 1
    while f"xl/worksheets/sheet{n}.xml" in pkg:
        n += 1
    part = f"xl/worksheets/sheet{n}.xml"
    t = 1
    while f"xl/tables/table{t}.xml" in pkg:
        t += 1
    table_part = f"xl/tables/table{t}.xml"
    ids = [int(i) for p, d in pkg.parts.items() if p.startswith("xl/tables/")
           for i in re.findall(rb'<table[^>]*\sid="([0-9]+)"', d)]
    styles, index_of = styles_append(pkg["xl/styles.xml"], [StyleSpec("yyyy-mm-dd hh:mm"), StyleSpec("yyyy-mm-dd"),
                                                            StyleSpec(bold=True)])
    pkg["xl/styles.xml"] = styles
    sheet_rels, table_rel = NP.rels_add(None, "table", f"../tables/table{t}.xml")
    pkg[part] = NP.table_sheet_xml(rows, [12, 18, 10, 10, 8], {
        "datetime": index_of[StyleSpec("yyyy-mm-dd hh:mm")], "date": index_of[StyleSpec("yyyy-mm-dd")],
        "header": index_of[StyleSpec(bold=True)]}, table_rel_id=table_rel,
        date1904=re.search(rb'date1904="(1|true)"', pkg["xl/workbook.xml"]) is not None)
    pkg[Package.rels_of(part)] = sheet_rels
    pkg[table_part] = NP.table_xml(max(ids, default=0) + 1, table_name, NP.table_ref(len(rows), len(rows[0])),
                                   rows[0])
    wb_rels, rel = NP.rels_add(pkg["xl/_rels/workbook.xml.rels"], "worksheet", f"worksheets/sheet{n}.xml")
    pkg["xl/_rels/workbook.xml.rels"] = wb_rels
    pkg["xl/workbook.xml"] = NP.workbook_add_sheet(pkg["xl/workbook.xml"], title, rel, index=index)
    ct = NP.content_types_add_override(pkg["[Content_Types].xml"], "/" + part, "worksheet")
    pkg["[Content_Types].xml"] = NP.content_types_add_override(ct, "/" + table_part, "table")
    if "docProps/app.xml" in pkg:
        names = NP.sheet_names(pkg["xl/workbook.xml"])
        worksheets = [s for s in names if s in pkg.sheets()]
        pkg["docProps/app.xml"] = NP.app_xml_sheet_titles(pkg["docProps/app.xml"], worksheets)
    return part


@pytest.mark.parametrize("book", books(), ids=lambda p: p.name)
def test_new_sheet_with_its_table(book, tmp_path):
    pkg = Package(book)
    before = dict(pkg.parts)
    add_table_sheet(pkg, "History & <log>", "tblHistory", HISTORY_ROWS, index=0 if "01" in book.name else None)
    names = {"LSF_Grades": "'History & <log>'!$D$2:$D$4", "LSF_Total": "SUM('History & <log>'!$E:$E)"}
    without_names = pkg["xl/workbook.xml"]
    pkg["xl/workbook.xml"] = NP.workbook_set_defined_names(pkg["xl/workbook.xml"], names, "LSF_")
    out = pkg.save(tmp_path / book.name)
    shared = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "docProps/app.xml",
              "xl/styles.xml"}
    for name, data in before.items():
        if name not in shared:
            assert pkg[name] == data, name
    wb = openpyxl.load_workbook(out)
    ws = wb["History & <log>"]
    assert [[c.value for c in r] for r in ws.iter_rows()][:3] == [
        HISTORY_ROWS[0], HISTORY_ROWS[1], ["L-2", dt.datetime(2024, 5, 17, 9, 31), None, "C", 40.5]]
    assert ws["A4"].value == HARD_TEXT and unescape(ws["C4"].value) == CONTROL_TEXT
    assert ws["B2"].number_format == "yyyy-mm-dd hh:mm" and ws["A1"].font.b
    assert ws.freeze_panes == "A2" and ws.column_dimensions["B"].width == 18
    assert ws.tables["tblHistory"].ref == "A1:E4"
    assert wb.defined_names["LSF_Grades"].attr_text == "'History & <log>'!$D$2:$D$4"
    old = openpyxl.load_workbook(book)
    expected = list(old.sheetnames)
    expected.insert(0 if "01" in book.name else len(expected), "History & <log>")
    assert wb.sheetnames == expected
    # Old names (local ones too) still point where they did.
    for name, dn in old.defined_names.items():
        assert wb.defined_names[name].attr_text == dn.attr_text
    for ws_old in old.worksheets:
        for name, dn in ws_old.defined_names.items():
            assert wb[ws_old.title].defined_names[name].attr_text == dn.attr_text
    # Our names again, now without one: only ours change.
    again = NP.workbook_set_defined_names(pkg["xl/workbook.xml"], {"LSF_Total": "1"}, "LSF_")
    assert b"LSF_Grades" not in again and b'<definedName name="LSF_Total">1</definedName>' in again
    assert NP.workbook_set_defined_names(again, {}, "LSF_") == without_names


@libreoffice
@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_sees_the_new_sheets(tmp_path):
    outs = []
    for book in books():
        pkg = Package(book)
        add_table_sheet(pkg, "History", "tblHistory", HISTORY_ROWS)
        outs.append(pkg.save(tmp_path / book.name))
    sheets = lo_csv(outs, tmp_path)
    for out in outs:
        rows = sheets[out.stem]["History"]
        assert rows[0] == HISTORY_ROWS[0]
        assert rows[1][0] == "00123" and rows[1][1].startswith("2024-05-17 09:30") and rows[1][4] == "85"
        assert rows[3][0] == HARD_TEXT


def test_remove_sheet_and_put_one_back_at_its_place():
    pkg = Package(DATA / "defined_name01.xlsx")
    book = pkg["xl/workbook.xml"]
    names = NP.sheet_names(book)
    without, rel, index = NP.workbook_remove_sheet(book, names[1])
    assert NP.sheet_names(without) == names[:1] + names[2:]
    assert rel.startswith("rId")
    back = NP.workbook_add_sheet(without, names[1], rel, NP.next_sheet_id(book) - 1 if False else None, index=index)
    assert NP.sheet_names(back) == names
    # Local names of the removed sheet went with it; the others point at the same sheets again.
    local = re.findall(rb'<definedName name="([^"]+)" localSheetId="([0-9]+)"', book)
    local_back = re.findall(rb'<definedName name="([^"]+)" localSheetId="([0-9]+)"', back)
    assert local_back == [(n, i) for n, i in local if i != b"%d" % index]
    with pytest.raises(ValueError):
        NP.workbook_add_sheet(book, names[0].upper(), "rId99")
    for bad in ("", "a" * 32, "x/y", "[x]", "'x"):
        with pytest.raises(ValueError):
            NP.workbook_add_sheet(book, bad, "rId99")


def test_rels_content_types_and_app_xml():
    pkg = Package(DATA / "chartsheet02.xlsx")
    rels, rid = NP.rels_add(pkg["xl/_rels/workbook.xml.rels"], "worksheet", "worksheets/sheet9.xml")
    ids = NP.rels_ids(pkg["xl/_rels/workbook.xml.rels"])
    assert rid not in ids and rid == "rId%d" % (max(int(i[3:]) for i in ids) + 1)
    assert NP.rels_remove(rels, rid) == pkg["xl/_rels/workbook.xml.rels"]
    ct = pkg["[Content_Types].xml"]
    added = NP.content_types_add_override(ct, "xl/worksheets/sheet9.xml", "worksheet")
    assert NP.content_types_remove_override(added, "/XL/worksheets/sheet9.xml") == ct
    assert NP.content_types_add_override(added, "/xl/worksheets/sheet9.xml", "worksheet") == added
    assert NP.content_types_add_default(ct, "XML", "application/xml") == ct
    app = pkg["docProps/app.xml"]
    # A chartsheet's heading pair ('Charts') stays; the worksheets' one follows the new titles.
    titled = NP.app_xml_sheet_titles(app, ["Sheet1", "Leads & co", "Report"])
    doc = ET.fromstring(titled)
    ep = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
    pairs = [v[0].text for v in doc.find(f"{ep}HeadingPairs")[0]]
    titles = [t.text for t in doc.find(f"{ep}TitlesOfParts")[0]]
    old_doc = ET.fromstring(app)
    old_titles = [t.text for t in old_doc.find(f"{ep}TitlesOfParts")[0]]
    old_pairs = [v[0].text for v in old_doc.find(f"{ep}HeadingPairs")[0]]
    assert old_pairs[0] == "Worksheets" and "Charts" in old_pairs
    assert pairs[0] == "Worksheets" and pairs[1] == "3" and pairs[2:] == old_pairs[2:]
    assert titles[:3] == ["Sheet1", "Leads & co", "Report"] and titles[3:] == old_titles[int(old_pairs[1]):]
    assert int(doc.find(f"{ep}TitlesOfParts")[0].get("size")) == len(titles)
    assert NP.app_xml_sheet_titles(titled, old_titles[:int(old_pairs[1])]) == app


# The Report.

def sample_funnel():
    import pandas as pd
    from scoring.report import Funnel
    heat = pd.DataFrame([[3, 1, 0], [0, 2, 5]], index=["A", "B"], columns=["0-39", "40-69", "70-100"])
    conversion = pd.DataFrame({"leads": [4, 7], "customers": pd.Series([1, None], dtype=object).values,
                               "rate": pd.Series([0.25, None], dtype=object).values}, index=["0-39", "40-100"])
    return Funnel(leads=11, heat=heat, status_counts={"Lead": 6, "MQL": 3, "SQL": 2},
                  status_shares={"Lead": 6 / 11, "MQL": 3 / 11, "SQL": 2 / 11}, pct_mql=3 / 11, pct_sql=2 / 11,
                  mql_to_sql=0.5, lead_to_customer=None, conversion_by_band=conversion,
                  median_days_to_sql=12.5, median_days_to_customer=None, as_of=dt.date(2024, 5, 17),
                  customer_stage="Customer", ever_mql=4, days_to_sql_leads=2)


def add_report(pkg: Package, layout, date1904=False) -> str:
    styles, index = styles_append(pkg["xl/styles.xml"], list(REPORT_STYLES.values()))
    pkg["xl/styles.xml"] = styles
    keys = {key: index[spec] for key, spec in REPORT_STYLES.items()}
    n = 1
    while f"xl/worksheets/sheet{n}.xml" in pkg:
        n += 1
    d = 1
    while f"xl/drawings/drawing{d}.xml" in pkg:
        d += 1
    c = 1
    while f"xl/charts/chart{c}.xml" in pkg:
        c += 1
    parts = report_parts(layout, keys, drawing_target=f"../drawings/drawing{d}.xml",
                         chart_target=f"../charts/chart{c}.xml", date1904=date1904)
    sheet = f"xl/worksheets/sheet{n}.xml"
    pkg[sheet] = parts["sheet"]
    pkg[Package.rels_of(sheet)] = parts["sheet_rels"]
    pkg[f"xl/drawings/drawing{d}.xml"] = parts["drawing"]
    pkg[f"xl/drawings/_rels/drawing{d}.xml.rels"] = parts["drawing_rels"]
    pkg[f"xl/charts/chart{c}.xml"] = parts["chart"]
    rels, rel = NP.rels_add(pkg["xl/_rels/workbook.xml.rels"], "worksheet", f"worksheets/sheet{n}.xml")
    pkg["xl/_rels/workbook.xml.rels"] = rels
    pkg["xl/workbook.xml"] = NP.workbook_add_sheet(pkg["xl/workbook.xml"], layout.sheet_name, rel)
    ct = pkg["[Content_Types].xml"]
    for part, kind in ((sheet, "worksheet"), (f"xl/drawings/drawing{d}.xml", "drawing"),
                       (f"xl/charts/chart{c}.xml", "chart")):
        ct = NP.content_types_add_override(ct, part, kind)
    pkg["[Content_Types].xml"] = ct
    return sheet


def test_report_matches_write_report(tmp_path):
    from workbook.report_sheet import write_report
    funnel = sample_funnel()
    for language in ("en", "it"):
        wb = openpyxl.Workbook()
        write_report(wb, funnel, language, new_sql=[("L-1", "A85"), ("=cmd", "B70")])
        wb.save(tmp_path / "openpyxl.xlsx")
        pkg = Package(DATA / "table10.xlsx")
        add_report(pkg, report_layout(funnel, language, new_sql=[("L-1", "A85"), ("=cmd", "B70")]))
        out = pkg.save(tmp_path / f"ours-{language}.xlsx")
        theirs = openpyxl.load_workbook(tmp_path / "openpyxl.xlsx")["Report"]
        ours = openpyxl.load_workbook(out)["Report"]
        assert ours.max_row == theirs.max_row and ours.max_column == theirs.max_column
        for row in theirs.iter_rows():
            for t in row:
                o = ours.cell(t.row, t.column)
                value = t.value.date() if isinstance(t.value, dt.datetime) else t.value
                got = o.value.date() if isinstance(o.value, dt.datetime) else o.value
                assert got == (pytest.approx(value, rel=1e-15) if isinstance(value, float) else value), \
                    (language, t.coordinate)
                assert (o.number_format, bool(o.font.b), o.font.sz or 11, o.fill.fgColor.rgb[-6:] if o.fill.fill_type else None,
                        o.alignment.horizontal) == (t.number_format, bool(t.font.b), t.font.sz or 11,
                                                    t.fill.fgColor.rgb[-6:] if t.fill.fill_type else None,
                                                    t.alignment.horizontal), (language, t.coordinate)
        assert [str(r.sqref) for r in ours.conditional_formatting] == [
            str(r.sqref) for r in theirs.conditional_formatting]
        assert ours.column_dimensions["A"].width == 36 and ours.column_dimensions["B"].width == 19
        assert len(ours._charts) == 1
        chart = ours._charts[0]
        series = chart.series[0]
        ref = series.val.numRef.f
        assert ref == theirs._charts[0].series[0].val.numRef.f.replace("Report!", "'Report'!")
        assert [p.v for p in series.val.numRef.numCache.pt] == [3, 2]  # Without Lead, which would dwarf them.
        assert [p.v for p in series.cat.strRef.strCache.pt] == ["MQL", "SQL"]


@libreoffice
@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_opens_the_report_and_its_chart(tmp_path):
    funnel = sample_funnel()
    pkg = Package(DATA / "macro01.xlsm")
    add_report(pkg, report_layout(funnel, "en"))
    out = pkg.save(tmp_path / "report.xlsm")
    rows = lo_csv([out], tmp_path)["report"]["Report"]
    assert rows[0][0] == "Lead funnel report \u2013 2024-05-17"
    status = next(i for i, r in enumerate(rows) if r and r[0] == "Leads by status")
    assert rows[status + 2][:2] == ["Lead", "6"] and rows[status + 4][:2] == ["SQL", "2"]


@libreoffice
@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_renders_the_report_chart_and_saves_it_back(tmp_path):
    pkg = Package(DATA / "macro01.xlsm")
    add_report(pkg, report_layout(sample_funnel(), "en"))
    out = pkg.save(tmp_path / "report.xlsm")
    # Rendered: the chart is drawn (its title and labels are in the PDF's text).
    pdf = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                          "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(out)],
                         capture_output=True, text=True, timeout=300)
    assert pdf.returncode == 0, pdf.stderr
    assert (tmp_path / "pdf" / "report.pdf").stat().st_size > 1000
    # LibreOffice saves it back with the chart and its cached values.
    resaved = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                              "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(out)],
                             capture_output=True, text=True, timeout=300)
    assert resaved.returncode == 0, resaved.stderr
    with zipfile.ZipFile(tmp_path / "lo" / "report.xlsx") as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts and any(b"Leads by status" in z.read(n) for n in charts)


def test_chart_and_sheet_parts_are_well_formed():
    chart = bar_chart_xml(BarChart(sheet_range("It's", 2, 1, 4), ["a<b", "c", "d"],
                                   sheet_range("It's", 2, 2, 4), [1, None, 2.5], sheet_range("It's", 1, 2), "N"))
    doc = ET.fromstring(chart)
    assert b"<c:f>'It''s'!$A$2:$A$4</c:f>" in chart and b'<c:ptCount val="3"/>' in chart
    assert b'<c:pt idx="2"><c:v>2.5</c:v></c:pt>' in chart and b'idx="1"><c:v>' not in chart.split(b"<c:val>")[1]
    assert doc is not None
    sheet = sheet_xml([SheetCell(2, 2, "x", "k"), SheetCell(1, 3, 5), SheetCell(1, 1, "=1+1")], {"k": 4},
                      widths={1: 30, 3: 9}, merged=["A5:C5"])
    ET.fromstring(sheet)
    assert b'<dimension ref="A1:C2"/>' in sheet and b'<mergeCell ref="A5:C5"/>' in sheet
    assert b'<c r="A1" t="inlineStr">' in sheet


# Speed.

def big_sheet(rows: int, columns: int = 20) -> bytes:
    from workbook.xlsx.splice import col_letter
    letters = [col_letter(c) for c in range(1, columns + 1)]
    parts = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet %s '
             b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"><dimension ref="A1:%s%d"/>'
             b"<sheetData>" % (NS, letters[-1].encode(), rows)]
    templates = []
    for i, letter in enumerate(letters):
        if i % 3 == 0:
            templates.append('<c r="%s{r}" t="s"><v>{s}</v></c>' % letter)
        elif i % 3 == 1:
            templates.append('<c r="%s{r}" s="1"><v>{r}.5</v></c>' % letter)
        else:
            templates.append('<c r="%s{r}"><v>%d</v></c>' % (letter, i))
    row_template = '<row r="{r}" spans="1:%d" x14ac:dyDescent="0.25">%s</row>' % (columns, "".join(templates))
    for r in range(1, rows + 1):
        parts.append(row_template.format(r=r, s=r % 100).encode())
    parts.append(b'</sheetData><pageMargins left="0.7"/></worksheet>')
    return b"".join(parts)


def output_columns(first_col: int, rows: int) -> list[Column]:
    grades = ["A", "B", "C", "D"]
    return [Column(first_col + k, 2, [grades[i % 4] if k % 2 else float(i % 100) for i in range(rows - 1)],
                   style=None if k != 3 else 2) for k in range(10)]


@pytest.mark.slow
def test_speed_twenty_thousand_rows():
    """10 output columns over 20,000 rows, there or new: about half a second each."""
    xml = big_sheet(20_000)
    for first_col in (11, 21):
        start = time.perf_counter()
        out = patch_columns(xml, output_columns(first_col, 20_000))
        took = time.perf_counter() - start
        assert took < 5, took
        new_cells = 0 if first_col == 11 else 10 * 19_999  # Rows 2.. of ten new columns.
        assert out.xml.count(b"<row ") == 20_000 and out.xml.count(b"<c ") == 20 * 20_000 + new_cells


@pytest.mark.slow
def test_speed_full_sheet():
    """10 output columns into all 1,048,576 rows of a 20-column sheet (the figures in patch.py)."""
    rows = 1_048_576
    xml = big_sheet(rows)
    for first_col in (11, 21):
        columns = output_columns(first_col, rows)
        start = time.perf_counter()
        size = sum(len(chunk) for chunk in iter_patch_columns(xml, columns))
        took = time.perf_counter() - start
        print(f"columns from {first_col}: {took:.1f} s, {len(xml) / 1e6:.0f} MB -> {size / 1e6:.0f} MB")
        assert took < 90, took


def test_a_run_of_columns_with_cells_missing_is_written_as_the_cell_merge_writes_it():
    # Output columns written by another program: some cells of the run missing inside it or at
    # its end (a blank Problems cell, no enrolment yet). The block writer and the cell merge agree.
    rng = random.Random(5)
    rows = []
    for r in range(1, 80):
        cells = [b'<c r="A%d" t="s"><v>0</v></c>' % r]
        for letter in b"CDEFG":
            if rng.random() < 0.7:
                cells.append(rng.choice([b'<c r="%s%d"><v>1</v></c>', b'<c r="%s%d" s="2" t="s"><v>0</v></c>',
                                         b'<c r="%s%d" s="1"/>']) % (bytes([letter]), r))
        if rng.random() < 0.3:
            cells.append(b'<c r="H%d" s="4"><v>9</v></c>' % r)
        rows.append(b'<row r="%d" spans="1:8">' % r + b"".join(cells) + b"</row>")
    xml = b'<worksheet %s><dimension ref="A1:H79"/><sheetData>%s</sheetData></worksheet>' % (NS, b"".join(rows))
    pool = [1, 2.5, "t<x>", "Lead", None]
    columns = [Column(c, 2, [rng.choice(pool) for _ in range(78)], style=7 if c == 5 else None) for c in range(3, 8)]
    by_cols = patch_columns(xml, columns)
    cells = {(c.first_row + i, c.col): Cell(v, c.kind, c.style) for c in columns for i, v in enumerate(c.values)}
    assert by_cols.xml == patch_cells(xml, cells).xml
    assert_only_targets_changed(xml, by_cols.xml, cells)
    assert b'<c r="H' in by_cols.xml  # The cells after the run stay.


def _run_sheet(rng, rows: int, formula_at: int | None = None) -> bytes:
    """A sheet whose rows 2..rows all hold cells C..F (the run), a header in row 1, cells around."""
    out = [b'<row r="1"><c r="A1" t="s"><v>0</v></c>' +
           b"".join(b'<c r="%s1" t="s"><v>1</v></c>' % L for L in (b"C", b"D", b"E", b"F")) + b"</row>"]
    kinds = [b'<c r="%s%d"><v>1</v></c>', b'<c r="%s%d" s="2" t="s"><v>0</v></c>', b'<c r="%s%d" s="1"/>',
             b'<c r="%s%d" t="inlineStr"><is><t xml:space="preserve">a &amp; b</t></is></c>',
             b'<c r="%s%d" t="b"><v>1</v></c>']
    for r in range(2, rows + 1):
        cells = [b'<c r="A%d" t="s"><v>0</v></c>' % r, b'<c r="B%d"><v>%d</v></c>' % (r, r)]
        for L in (b"C", b"D", b"E", b"F"):
            if r == formula_at and L == b"E":
                cells.append(b'<c r="E%d"><f>B%d*2</f><v>4</v></c>' % (r, r))
            else:
                cells.append(rng.choice(kinds) % (L, r))
        cells.append(b'<c r="G%d" s="4"><v>9</v></c>' % r)
        out.append(b'<row r="%d" spans="1:7">' % r + b"".join(cells) + b"</row>")
    out.append(b'<row r="%d"><c r="C%d"><v>555</v></c><c r="D%d"><v>555</v></c><c r="E%d"><v>555</v></c>'
               b'<c r="F%d"><v>555</v></c></row>' % ((rows + 3,) * 5))
    return b'<worksheet %s><dimension ref="A1:G%d"/><sheetData>%s</sheetData></worksheet>' % (
        NS, rows + 3, b"".join(out))


@pytest.mark.parametrize("formula_at", [None, 7])
def test_every_rows_run_written_at_once_equals_the_cell_merge(formula_at):
    # The steady state of a rescore: every lead's row holds the whole run of output cells. They are
    # found by one pattern and replaced at once (runs.py); the header and the row below the table,
    # which hold cells in the same columns, stay. With a formula in one row's run, the row-by-row
    # writer does it instead; both write what the cell merge writes.
    from workbook.xlsx.runs import find_runs, run_pattern

    rng = random.Random(8)
    xml = _run_sheet(rng, 40, formula_at)
    start, end = xml.index(b"<sheetData>") + 11, xml.index(b"</sheetData>")
    found = find_runs(xml, start, end, run_pattern(b"", [b"C", b"D", b"E", b"F"]), 4, range(2, 41))
    assert (found is None) == (formula_at is not None)
    if found is not None:
        # Shared-string cells of the runs (the header's, in row 1, are not the table's).
        assert len(found.starts) == 39 and found.strings == xml.count(b' s="2" t="s"')
    pool = [1, 2.5, "t<x>", "Lead", None, True]
    for style in (None, 7):
        columns = [Column(c, 2, [rng.choice(pool) for _ in range(39)], style=style if c == 4 else None)
                   for c in range(3, 7)]
        by_cols = patch_columns(xml, columns)
        cells = {(c.first_row + i, c.col): Cell(v, c.kind, c.style) for c in columns for i, v in enumerate(c.values)}
        by_cells = patch_cells(xml, cells)
        assert by_cols.xml == by_cells.xml
        assert by_cols.formulas_removed == by_cells.formulas_removed
        assert_only_targets_changed(xml, by_cols.xml, cells)
        assert by_cols.xml.count(b"<v>555</v>") == 4
        # With shared strings: new text may be numbered in another order, the cells read the same.
        old = b'<sst %s count="3" uniqueCount="2"><si><t>h0</t></si><si><t>h1</t></si></sst>' % NS
        sst_a, sst_b = SharedStrings(old), SharedStrings(old)
        a = b"".join(iter_patch_columns(xml, columns, shared_strings=sst_a))
        b = patch_cells(xml, cells, shared_strings=sst_b).xml
        assert _strings_resolved(a, sst_a) == _strings_resolved(b, sst_b)
        assert sst_a.refs_delta == sst_b.refs_delta


def _strings_resolved(xml: bytes, sst: SharedStrings) -> bytes:
    """The sheet with each new shared-string reference replaced by its text."""
    text = {i: t for t, i in (sst._lookup or {}).items() if i >= sst.existing}
    return re.sub(rb' t="s"><v>([0-9]+)</v>',
                  lambda m: b' t="s"><v>' + text.get(int(m.group(1)), m.group(1).decode()).encode() + b"</v>", xml)


def test_shared_strings_lookup_from_the_strings_read_equals_the_parts_own():
    # PackageBook hands the strings it read to SharedStrings; where that is allowed (no rich
    # text, no _xHHHH_ escapes) the lookup is the same as the one made from the part's XML.
    from workbook.xlsx import cells as xcells

    class Part:  # What cells.shared_strings needs of a package.
        def __init__(self, data):
            self.data, self._memo, self.shared_strings_part = data, {}, "xl/sharedStrings.xml"

        def __contains__(self, name):
            return True

        def read(self, name):
            return self.data

    entries = [b"<si><t>Lead</t></si>", b'<si><t xml:space="preserve"> a &amp; b </t></si>', b"<si><t>Lead</t></si>",
               b"<si><t>&#233;t&#xE9;</t></si>", b"<si/>", b"<si>\n  <t>x\ny</t>\n</si>", b"<si><t></t></si>"]
    xml = b'<sst %s count="7" uniqueCount="7">%s</sst>' % (NS, b"".join(entries))
    parsed = xcells.shared_strings(Part(xml))
    fast, slow = SharedStrings(xml, parsed), SharedStrings(xml)
    assert fast._build_lookup() == {k: v for k, v in slow._build_lookup().items() if k} == {
        "Lead": 0, " a & b ": 1, "été": 3, "x\ny": 5}
    # Rich text or Excel's escapes: the part's own XML is read instead.
    for extra in (b"<si><r><t>bold</t></r></si>", b"<si><t>a_x000D_b</t></si>"):
        other = xml.replace(b"</sst>", extra + b"</sst>")
        strings = xcells.shared_strings(Part(other))
        assert SharedStrings(other, strings)._build_lookup() == SharedStrings(other)._build_lookup()


def test_new_shared_strings_are_numbered_in_the_order_the_cells_go():
    # Files come out the same on every run: text is numbered as it first appears, never in the
    # order of a set (which changes from one run of Python to the next).
    xml = b'<worksheet %s><sheetData></sheetData></worksheet>' % NS
    sst = SharedStrings()
    values = ["zeta", "alpha", "zeta", "mu"] * 30
    patch_columns(xml, [Column(2, 2, values)], shared_strings=sst)
    assert sorted(sst._lookup, key=sst._lookup.get) == ["zeta", "alpha", "mu"]
    assert sst.refs_delta == 120


@pytest.mark.parametrize("blank_share", [0.0, 0.3, 0.8, 1.0])
@pytest.mark.slow
def test_new_rows_made_a_chunk_at_a_time_equal_the_cell_merge(blank_share, monkeypatch):
    # Rows added below the sheet's last row (an import) are laid out a chunk at a time; whatever the
    # share of blank cells, with or without a style, in columns of one type or of several (texts,
    # numbers beyond 2**53, many datetimes), they are what the cell merge writes, and the shared
    # strings are counted alike.
    rng = random.Random(int(blank_share * 10))
    xml = b'<worksheet %s><dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row>' \
          b'<row r="2"><c r="B2" t="s"><v>0</v></c></row></sheetData></worksheet>' % NS
    stamps = [dt.datetime(2020, 1, 1) + dt.timedelta(seconds=rng.randrange(10 ** 8), microseconds=rng.randrange(10 ** 6))
              for _ in range(300)]
    pools = [["a<b", "c&d", "e", "f\x01g", "_x0041_"], [1, 2, 3, 2 ** 60, -(2 ** 60)], stamps,
             ["x", 4, 2.5, dt.date(2021, 5, 6), dt.datetime(1900, 1, 1, 12), True] + stamps[:5]]

    def values(pool, n):
        return [None if rng.random() < blank_share else rng.choice(pool) for _ in range(n)]

    from workbook.xlsx import patch as xpatch

    monkeypatch.setattr(xpatch._Pass, "CHUNK", 256)
    n = 1000  # Several chunks of rows (of 256 here; 8,192 in use).
    styles = (None, None) if blank_share == 1.0 else (None, 5)  # All blank, no style: no row at all.
    columns = [Column(c, 3, values(pools[c % 4], n), style=styles[c % 2]) for c in range(1, 9)]
    columns.append(Column(10, 3, values(stamps, n)))  # No style and blank cells: rows may hold no cell.
    cells = {(c.first_row + i, c.col): Cell(v, c.kind, c.style) for c in columns for i, v in enumerate(c.values)}
    old = b'<sst %s count="1" uniqueCount="1"><si><t>h</t></si></sst>' % NS
    sst_a, sst_b = SharedStrings(old), SharedStrings(old)
    by_cols = b"".join(iter_patch_columns(xml, columns, shared_strings=sst_a))
    by_cells = patch_cells(xml, cells, shared_strings=sst_b).xml
    if blank_share == 1.0:  # (Without a cell written, the cell merge leaves the dimension as it was.)
        by_cells = by_cells.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:J1002"/>')
    # New text may be numbered in another order (column by column): the cells read the same.
    assert _strings_resolved(by_cols, sst_a) == _strings_resolved(by_cells, sst_b)
    assert sorted(sst_a._new) == sorted(sst_b._new) and sst_a.refs_delta == sst_b.refs_delta
    ET.fromstring(by_cols)
    assert (b'<row r="3"' in by_cols) == (blank_share < 1.0)
    assert by_cols.count(b"<row ") == len({r for (r, c), cell in cells.items() if cell.value is not None or
                                           cell.style is not None} | {1, 2})


def test_many_texts_made_as_excel_holds_them_at_once_equal_one_by_one():
    from hypothesis import given, settings, strategies as st
    from workbook.xlsx.splice import escape_text, escape_texts, excel_texts

    @settings(max_examples=100, deadline=None)
    @given(st.lists(st.text(alphabet=st.characters(), max_size=30), max_size=12))
    def check(texts):
        kept = excel_texts(texts)
        assert kept == [excel_text(t) for t in texts]
        assert escape_texts(kept) == [escape_text(t) for t in kept]

    check()
    long = ["y" * (CELL_LIMIT // 2 + 1) * 2, "z"]
    assert excel_texts(long) == [excel_text(t) for t in long] and len(excel_texts(long)[0]) == CELL_LIMIT
    assert escape_texts(["a\x00b", "<"]) == [b"a\x00b", b"&lt;"]  # A NUL (never left by excel_text): one by one.


def test_many_dates_as_serial_numbers_at_once_equal_one_by_one():
    from workbook.xlsx.patch import date_serials

    rng = random.Random(3)
    moments = [dt.datetime(1899, 12, 30) + dt.timedelta(microseconds=rng.randrange(200 * 365 * 86400 * 10 ** 6))
               for _ in range(20000)]
    moments += [dt.datetime(1900, 2, 28, 23, 59, 59, 999999), dt.datetime(1900, 3, 1), dt.datetime(1, 1, 1),
                dt.datetime(9999, 12, 31, 23, 59, 59, 999999), dt.datetime(1904, 1, 1)]
    for date1904 in (False, True):
        assert [repr(x) for x in date_serials(moments, date1904)] == \
               [repr(date_serial(m, date1904)) for m in moments]

"""Renaming table columns in a table part (workbook/xlsx/patch.resize_table's renamed): only the name
attributes change, names stay unique, and the book backends keep header cells and names equal."""
from __future__ import annotations

import openpyxl
import pytest

from workbook.packagebook import PackageBook
from workbook.xlsx.patch import resize_table

TABLE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         b'<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="3" name="tblMatrix" '
         b'displayName="tblMatrix" ref="AE3:AH7"><autoFilter ref="AE3:AH7"/><tableColumns count="4">'
         b'<tableColumn id="1" name="Grade"/><tableColumn id="2" name="0&#8211;49"/>'
         b'<tableColumn id="3" name="50-89" dataDxfId="4"><calculatedColumnFormula>1+1</calculatedColumnFormula>'
         b'</tableColumn><tableColumn id="4" name="90+"/></tableColumns>'
         b'<tableStyleInfo name="TableStyleLight9" showRowStripes="1"/></table>')


def test_only_the_renamed_columns_name_attributes_change():
    out = resize_table(TABLE, "AE3:AH7", renamed={1: "0–27", 2: "28 & up"})
    assert out == TABLE.replace(b'name="0&#8211;49"', 'name="0–27"'.encode()).replace(
        b'name="50-89"', b'name="28 &amp; up"')


def test_a_rename_with_new_columns_and_a_new_range():
    out = resize_table(TABLE, "AE3:AI9", ["Extra"], renamed={3: "top"})
    assert b'<tableColumn id="4" name="top"/><tableColumn id="5" name="Extra"/></tableColumns>' in out
    assert b'ref="AE3:AI9"' in out and b'<tableColumns count="5">' in out


@pytest.mark.parametrize("renamed, message", [
    ({1: "grade"}, "are empty or repeated"), ({2: ""}, "are empty or repeated"),
    ({4: "x"}, "the table has no column 5 to rename (it has 4)")])
def test_a_repeated_empty_or_missing_column_is_refused(renamed, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resize_table(TABLE, "AE3:AH7", renamed=renamed)


def test_the_package_book_renames_header_cells_and_table_columns_together(tmp_path):
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Name", "Old", "Kept"])
    ws.append(["a", 1, 2])
    table = openpyxl.worksheet.table.Table(displayName="tblData", ref="A1:C2")
    ws.add_table(table)
    ws["E1"] = "not ours"
    wb.save(path)
    with PackageBook(path) as book:
        spot = book.table("tblData")
        book.rename_table_columns(spot, {2: "New"})
        book.save()
    back = openpyxl.load_workbook(path)["Data"]
    assert [c.value for c in back[1]] == ["Name", "New", "Kept", None, "not ours"]
    assert [c.name for c in back.tables["tblData"].tableColumns] == ["Name", "New", "Kept"]
    assert [c.value for c in back[2]][:3] == ["a", 1, 2]


def test_the_openpyxl_book_renames_them_too(tmp_path):
    from workbook.filebook import FileBook

    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "Old"])
    ws.append(["a", 1])
    ws.add_table(openpyxl.worksheet.table.Table(displayName="tblData", ref="A1:B2"))
    wb.save(path)
    book = FileBook(path)
    book.rename_table_columns(book.table("tblData"), {2: "New"})
    book.save()
    back = openpyxl.load_workbook(path).active
    assert back["B1"].value == "New" and [c.name for c in back.tables["tblData"].tableColumns] == ["Name", "New"]

"""Saving a user's workbook: refusals, atomic writes and detection of what openpyxl drops."""
from __future__ import annotations

import errno
import hashlib
import importlib.util
import os
import stat
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from workbook.errors import DiskProblem
from workbook.safety import WriteRefused, atomic_save, check_not_open, lost_parts, safe_save


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def temp_files(folder) -> list[str]:
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith(".~leadscore-"))


def load(path, **options):
    # openpyxl warns about each extension it drops; the tests check the result instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, **options)


def rescored(path, **options):
    """Load a workbook like the product does and change a cell value."""
    wb = load(path, **options)
    wb["Leads"]["A1"] = "rescored"
    return wb


def button_workbook(path, comment=False):
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Leads")
    ws.write("A1", "Name")
    ws.insert_button("B2", {"macro": "Rescore", "caption": "Rescore"})
    if comment:
        ws.write_comment("C3", "Checked by sales")
    wb.close()
    return path


def add_to_package(path, parts, overrides=(), root_rels=(), sheet_rels=()):
    """Add parts to an existing package, with content types and relationships."""
    with zipfile.ZipFile(path) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    types = files["[Content_Types].xml"].decode()
    extra = "".join(f'<Override PartName="/{name}" ContentType="{kind}"/>' for name, kind in overrides)
    files["[Content_Types].xml"] = types.replace("</Types>", extra + "</Types>").encode()

    def link(rels_name, rels):
        text = files.get(rels_name, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                         b'relationships"></Relationships>').decode()
        new = "".join(f'<Relationship Id="rIdX{i}" Type="{kind}" Target="{target}"/>'
                      for i, (kind, target) in enumerate(rels))
        files[rels_name] = text.replace("</Relationships>", new + "</Relationships>").encode()

    if root_rels:
        link("_rels/.rels", root_rels)
    if sheet_rels:
        link("xl/worksheets/_rels/sheet1.xml.rels", sheet_rels)
    files.update(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


# A form button assigned to a macro lives only in the sheet's legacy VML drawing.

def test_button_in_place_is_refused_and_file_untouched(tmp_path):
    book = button_workbook(tmp_path / "Leads.xlsx")
    before = sha256(book)
    wb = rescored(book)
    with pytest.raises(WriteRefused) as refused:
        safe_save(wb.save, book)
    message = str(refused.value)
    assert message.startswith("Leads.xlsx was not changed")
    assert "  - xl/drawings/vmlDrawing1.vml (form controls such as buttons, or comment shapes)" \
        in message.splitlines()
    assert "  - sheet 'Leads': 1 form button (form control in the legacy VML drawing)" \
        in message.splitlines()
    assert message.endswith("Use --out OUT.xlsx to write a copy instead (the original keeps them).")
    assert refused.value.lost == [
        "xl/drawings/vmlDrawing1.vml (form controls such as buttons, or comment shapes)",
        "sheet 'Leads': 1 form button (form control in the legacy VML drawing)",
    ]
    assert sha256(book) == before
    assert temp_files(tmp_path) == []


def test_button_next_to_comment_is_still_detected(tmp_path):
    # openpyxl rewrites the VML drawing for the comment, so only the shape count shows the loss.
    book = button_workbook(tmp_path / "Leads.xlsx", comment=True)
    out = tmp_path / "rescored.xlsx"
    rescored(book).save(out)
    assert lost_parts(book, out) == [
        "sheet 'Leads': 1 form button (form control in the legacy VML drawing)"]


def test_button_with_out_writes_copy_and_reports_loss(tmp_path):
    book = button_workbook(tmp_path / "Leads.xlsx")
    before = sha256(book)
    out = tmp_path / "Leads rescored.xlsx"
    lost = safe_save(rescored(book).save, book, out=out)
    assert lost == [
        "xl/drawings/vmlDrawing1.vml (form controls such as buttons, or comment shapes)",
        "sheet 'Leads': 1 form button (form control in the legacy VML drawing)",
    ]
    assert load(out)["Leads"]["A1"].value == "rescored"
    assert sha256(book) == before
    assert temp_files(tmp_path) == []


def xlwings_vba_project():
    """Return a real vbaProject.bin from xlwings' quickstart workbook, if installed."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        return None
    quickstart = Path(list(spec.submodule_search_locations)[0]) / "quickstart.xlsm"
    if not quickstart.exists():
        return None
    with zipfile.ZipFile(quickstart) as zf:
        return zf.read("xl/vbaProject.bin")


def test_macro_workbook_needs_keep_vba(tmp_path):
    vba = xlwings_vba_project()
    if vba is None:
        pytest.skip("xlwings' quickstart.xlsm is needed for a real vbaProject.bin")
    (tmp_path / "vbaProject.bin").write_bytes(vba)
    book = tmp_path / "Leads.xlsm"
    wb = xlsxwriter.Workbook(book)
    wb.add_vba_project(str(tmp_path / "vbaProject.bin"))
    ws = wb.add_worksheet("Leads")
    ws.insert_button("B2", {"macro": "Rescore", "caption": "Rescore"})
    ws.write_comment("C3", "Checked by sales")
    wb.close()
    before = sha256(book)

    with pytest.raises(WriteRefused) as refused:
        safe_save(rescored(book).save, book)
    assert refused.value.lost == [
        "xl/vbaProject.bin (macros)",
        "sheet 'Leads': 1 form button (form control in the legacy VML drawing)",
    ]
    assert str(refused.value).endswith("Use --out OUT.xlsm to write a copy instead "
                                       "(the original keeps them).")
    assert sha256(book) == before

    # With keep_vba openpyxl carries the macros and the button's drawing over.
    assert safe_save(rescored(book, keep_vba=True).save, book) == []
    assert sha256(book) != before
    assert load(book)["Leads"]["A1"].value == "rescored"
    assert temp_files(tmp_path) == []


def test_form_control_properties_left_unlinked_count_as_lost(tmp_path):
    # Excel 2010+ also writes xl/ctrlProps parts for form controls. With keep_vba
    # openpyxl copies them into the zip but drops the sheet's link to them.
    book = add_to_package(
        button_workbook(tmp_path / "Leads.xlsx"),
        parts={"xl/ctrlProps/ctrlProp1.xml":
               b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               b'<formControlPr xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"'
               b' objectType="Button" lockText="1"/>'},
        overrides=[("xl/ctrlProps/ctrlProp1.xml", "application/vnd.ms-excel.controlproperties+xml")],
        sheet_rels=[("http://schemas.openxmlformats.org/officeDocument/2006/relationships/ctrlProp",
                     "../ctrlProps/ctrlProp1.xml")])
    for keep_vba in (False, True):
        out = tmp_path / f"keep_vba_{keep_vba}.xlsx"
        rescored(book, keep_vba=keep_vba).save(out)
        assert "xl/ctrlProps/ctrlProp1.xml (form control)" in lost_parts(book, out)


def test_plain_workbook_round_trips_without_loss(tmp_path):
    book = tmp_path / "Leads.xlsx"
    wb = xlsxwriter.Workbook(book)
    ws = wb.add_worksheet("Leads")
    lists = wb.add_worksheet("Lists")
    ws.write_row("A1", ["Name", "Score", "Grade", "Stage"])
    for i in range(5):
        ws.write_row(i + 1, 0, [f"Lead {i}", i * 20, "A"])
    ws.add_table("A1:D6", {"name": "LeadsTable", "columns": [
        {"header": h} for h in ("Name", "Score", "Grade", "Stage")]})
    ws.data_validation("C2:C100", {"validate": "list", "source": ["A", "B", "C", "D"]})
    ws.data_validation("D2:D100", {"validate": "list", "source": "=Stages"})
    ws.conditional_format("B2:B100", {"type": "cell", "criteria": ">", "value": 50,
                                      "format": wb.add_format({"bold": True})})
    ws.conditional_format("B2:B100", {"type": "3_color_scale"})
    ws.write_comment("B1", "0 to 100")
    lists.write_column("A1", ["Lead", "MQL", "SQL"])
    wb.define_name("Stages", "=Lists!$A$1:$A$3")
    wb.close()
    before = sha256(book)

    assert safe_save(rescored(book).save, book) == []
    assert sha256(book) != before
    again = load(book)
    assert again["Leads"]["A1"].value == "rescored"
    assert "LeadsTable" in again["Leads"].tables
    assert "Stages" in again.defined_names
    assert temp_files(tmp_path) == []


def tiny_png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def test_pictures_are_kept_only_with_pillow(tmp_path):
    (tmp_path / "dot.png").write_bytes(tiny_png())
    book = tmp_path / "Leads.xlsx"
    wb = xlsxwriter.Workbook(book)
    ws = wb.add_worksheet("Leads")
    ws.insert_image("B2", str(tmp_path / "dot.png"))
    wb.close()
    out = tmp_path / "rescored.xlsx"
    rescored(book).save(out)
    # openpyxl needs Pillow to read pictures; without it they vanish without a
    # warning, and so does the drawing that held them.
    expected = [] if importlib.util.find_spec("PIL") else [
        "xl/drawings/drawing1.xml (drawing: pictures, charts and shapes)",
        "xl/media/image1.png (picture)",
    ]
    assert lost_parts(book, out) == expected


def test_sheet_extensions_are_detected(tmp_path):
    book = tmp_path / "Leads.xlsx"
    wb = xlsxwriter.Workbook(book)
    ws = wb.add_worksheet("Leads")
    ws.write_row("A2", [1, 2, 3, 4])
    ws.add_sparkline("E2", {"range": "Leads!A2:D2"})
    ws.conditional_format("A2:D2", {"type": "data_bar", "data_bar_2010": True})
    wb.close()
    out = tmp_path / "rescored.xlsx"
    rescored(book).save(out)
    assert lost_parts(book, out) == [
        "sheet 'Leads': extension <x14:conditionalFormattings> (extLst)",
        "sheet 'Leads': extension <x14:sparklineGroups> (extLst)",
    ]


X14_VALIDATIONS = (
    b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:dataValidations count="1" '
    b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    b'<x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>D2:D100</xm:sqref>'
    b'</x14:dataValidation></x14:dataValidations></ext></extLst></worksheet>')


def test_dropdowns_from_another_sheet_saved_by_excel_are_detected(tmp_path):
    # Excel 2010+ stores list validations that point at another sheet in the
    # sheet's extLst, which openpyxl drops.
    book = tmp_path / "Leads.xlsx"
    wb = xlsxwriter.Workbook(book)
    wb.add_worksheet("Leads").write("A1", "Name")
    wb.add_worksheet("Lists").write_column("A1", ["Lead", "MQL", "SQL"])
    wb.close()
    with zipfile.ZipFile(book) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    files["xl/worksheets/sheet1.xml"] = files["xl/worksheets/sheet1.xml"].replace(
        b"</worksheet>", X14_VALIDATIONS)
    with zipfile.ZipFile(book, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    out = tmp_path / "rescored.xlsx"
    rescored(book).save(out)
    assert lost_parts(book, out) == ["sheet 'Leads': extension <x14:dataValidations> (extLst)"]


def test_custom_xml_is_detected_and_printer_settings_are_not(tmp_path):
    book = tmp_path / "Leads.xlsx"
    wb = xlsxwriter.Workbook(book)
    wb.add_worksheet("Leads").write("A1", "Name")
    wb.set_custom_property("Source", "CRM")
    wb.close()
    add_to_package(
        book,
        parts={"customXml/item1.xml": b'<?xml version="1.0"?><metadata xmlns="urn:example"/>',
               "xl/printerSettings/printerSettings1.bin": bytes(64)},
        overrides=[("xl/printerSettings/printerSettings1.bin",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings")],
        root_rels=[("http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
                    "customXml/item1.xml")],
        sheet_rels=[("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                     "printerSettings", "../printerSettings/printerSettings1.bin")])
    out = tmp_path / "rescored.xlsx"
    rescored(book).save(out)
    with zipfile.ZipFile(out) as zf:
        assert "xl/printerSettings/printerSettings1.bin" not in zf.namelist()
        assert "docProps/custom.xml" in zf.namelist()
    assert lost_parts(book, out) == [
        "customXml/item1.xml (custom XML data, e.g. document-management or Power Query metadata)"]


WEBEXTENSION = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<we:webextension xmlns:we="http://schemas.microsoft.com/office/webextensions/webextension/2010/11" id="{8A5B2F0E-0000-4000-8000-000000000001}">
<we:reference id="wa200008175" version="1.0.0.0" store="en-US" storeType="OMEX"/>
<we:alternateReferences/><we:properties><we:property name="main.py" value="&quot;print(1)&quot;"/></we:properties>
<we:bindings/><we:snapshot xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>
</we:webextension>"""

TASKPANES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11">
<wetp:taskpane dockstate="right" visibility="0" width="350" row="4">
<wetp:webextensionref xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/>
</wetp:taskpane></wetp:taskpanes>"""

TASKPANES_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2011/relationships/webextension" Target="webextension1.xml"/>
</Relationships>"""


def test_xlwings_lite_code_is_detected(tmp_path):
    book = tmp_path / "Leads.xlsx"
    wb = xlsxwriter.Workbook(book)
    wb.add_worksheet("Leads").write("A1", "Name")
    wb.close()
    add_to_package(
        book,
        parts={"xl/webextensions/webextension1.xml": WEBEXTENSION,
               "xl/webextensions/taskpanes.xml": TASKPANES,
               "xl/webextensions/_rels/taskpanes.xml.rels": TASKPANES_RELS},
        overrides=[("xl/webextensions/webextension1.xml", "application/vnd.ms-office.webextension+xml"),
                   ("xl/webextensions/taskpanes.xml",
                    "application/vnd.ms-office.webextensiontaskpanes+xml")],
        root_rels=[("http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes",
                    "xl/webextensions/taskpanes.xml")])
    before = sha256(book)
    with pytest.raises(WriteRefused) as refused:
        safe_save(rescored(book).save, book)
    assert refused.value.lost == [
        "xl/webextensions/webextension1.xml (xlwings Lite code / Office add-in)",
        "xl/webextensions/taskpanes.xml (Office add-in task pane)",
    ]
    assert sha256(book) == before
    assert temp_files(tmp_path) == []


def test_lock_file_refuses_and_changes_nothing(tmp_path):
    book = button_workbook(tmp_path / "Book.xlsx")
    (tmp_path / "~$Book.xlsx").write_bytes(b"\x05Alice")
    before = sha256(book)
    saves = []
    with pytest.raises(WriteRefused) as refused:
        safe_save(saves.append, book)
    assert str(refused.value) == ("Book.xlsx is open in Excel (lock file ~$Book.xlsx): "
                                  "close it in Excel, or write to another file with --out")
    assert saves == []
    assert sha256(book) == before
    assert temp_files(tmp_path) == []


def test_lock_file_with_shortened_name_is_recognised(tmp_path):
    # Word-style owner files replace the first two characters of long names.
    book = tmp_path / "Leads 2024.xlsx"
    book.write_bytes(b"")
    (tmp_path / "~$ads 2024.xlsx").write_bytes(b"")
    with pytest.raises(WriteRefused, match=r"lock file ~\$ads 2024\.xlsx"):
        check_not_open(book)
    check_not_open(tmp_path / "Other.xlsx")


def test_copy_is_refused_when_the_copy_is_open_in_excel(tmp_path):
    book = button_workbook(tmp_path / "Leads.xlsx")
    out = tmp_path / "Copy.xlsx"
    out.write_bytes(b"the user's copy")
    (tmp_path / "~$Copy.xlsx").write_bytes(b"")
    with pytest.raises(WriteRefused, match="Copy.xlsx is open in Excel"):
        safe_save(rescored(book).save, book, out=out)
    assert out.read_bytes() == b"the user's copy"


def test_atomic_save_failure_leaves_target_untouched(tmp_path):
    target = tmp_path / "Leads.xlsx"
    target.write_bytes(b"original bytes")

    def write(temp):
        with open(temp, "wb") as f:
            f.write(b"half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(DiskProblem) as failed:
        atomic_save(write, target)
    assert str(failed.value) == (f"Cannot write {target}: the disk is full (no space left in {tmp_path}); "
                                 "free some space and run again. Nothing was changed.")
    assert target.read_bytes() == b"original bytes"
    assert temp_files(tmp_path) == []


def test_atomic_save_replaces_target_and_keeps_permissions(tmp_path):
    target = tmp_path / "Leads.xlsx"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    seen = []

    def write(temp):
        seen.append(Path(temp))
        Path(temp).write_bytes(b"new")

    atomic_save(write, target)
    assert target.read_bytes() == b"new"
    assert seen[0].parent == tmp_path and seen[0].name.startswith(".~leadscore-")
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert temp_files(tmp_path) == []

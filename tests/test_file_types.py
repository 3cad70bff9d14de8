"""Files that are not workbooks Lead Score can read: one line each, saying what the file is and what to do.

Every case runs `leadscore check` and `leadscore rescore` on the file, as a user
would, and asserts the exact message on stderr, exit code 1, the file unchanged
and nothing left in its folder.
"""
from __future__ import annotations

import io
import os
import struct
import time
import zipfile
from pathlib import Path

import olefile
import openpyxl
import openpyxl.xml
import pytest
from click.testing import CliRunner
from msoffcrypto.format.ooxml import OOXMLFile

from addin.cli import cli
from workbook import opening
from workbook.errors import WrongFileType
from workbook.filebook import FileBook, load
from workbooks import known_book, sha256

READS = "Lead Score reads .xlsx, .xlsm, .xltx and .xltm"
SAVE_AS = "open it in Excel and save it as Excel Workbook (.xlsx)"
COMMANDS = [("check",), ("rescore",)]


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def leftovers(folder: Path) -> list[str]:
    """Our temporary and lock files (none may be left behind)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~leadscore-"))


def refused(path: Path, command=("check",)) -> str:
    """Run a command on path; assert exit 1, one error line, the file unchanged; return the line."""
    before = sha256(path) if path.is_file() else None
    code, out, err = run(*command[:1], path, *command[1:])
    assert code == 1, out + err
    assert err.count("\n") == 1 and err.startswith("Error: "), err
    if before is not None:
        assert sha256(path) == before
    assert leftovers(path.parent) == []
    return err[len("Error: "):-1]


def write_zip(path: Path, parts: dict) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def content_types(*overrides) -> str:
    items = "".join(f'<Override PartName="/{part}" ContentType="{kind}"/>' for part, kind in overrides)
    return ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/content-types"><Default Extension="xml" ContentType="application/xml"/>{items}</Types>')


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A Compound File (OLE2, version 3, 512-byte sectors) holding these streams, as Office writes.

    Each stream must be at least 4096 bytes (so it lives in regular sectors, not the
    mini stream). Sector 0 is the FAT, sector 1 the directory, then the streams.
    """
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    assert len(streams) <= 3 and all(len(d) >= 4096 for d in streams.values())
    fat, data, starts = [fat_sector, end], b"", []
    for blob in streams.values():
        blob += b"\0" * (-len(blob) % 512)
        first, count = len(fat), len(blob) // 512
        starts.append(first)
        fat += [first + k + 1 for k in range(count - 1)] + [end]
        data += blob
    assert len(fat) <= 128

    def entry(name, kind, child, right, start, size):
        raw = (name + "\0").encode("utf-16-le")
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, no_stream, right, child)
                + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))

    # Siblings are chained in the order the format sorts names (shorter first, then by upper case).
    names = list(streams)
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    right = {order[k]: 1 + order[k + 1] for k in range(len(order) - 1)}
    directory = entry("Root Entry", 5, 1 + order[0], no_stream, end, 0) + b"".join(
        entry(n, 2, no_stream, right.get(i, no_stream), starts[i], len(streams[n])) for i, n in enumerate(names))
    directory = directory.ljust(512, b"\0")
    header = (opening.OLE_MAGIC + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + struct.pack("<I", free) * (128 - len(fat))
    return header + fat_bytes + directory + data


@pytest.fixture(scope="module")
def book_bytes(tmp_path_factory) -> bytes:
    return known_book(tmp_path_factory.mktemp("book") / "book.xlsx").read_bytes()


# --- what the file is -----------------------------------------------------------------------------

CSV_TEXT = "Lead ID,Name,Company,Role\r\nL1,Anna Rossi,Alfa Srl,CEO\r\nL2,Bruno Neri,Beta Spa,Intern\r\n"
CSV_LINE = (f"is a CSV text file, not a workbook: Lead Score works on Excel workbooks (.xlsx, .xlsm, .xltx "
            f"and .xltm); {SAVE_AS} (a `leadscore import` command for CSV exports is planned)")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", ["leads.csv", "leads.xlsx"])
def test_a_csv_export_is_named_and_the_import_command_announced(tmp_path, name, command):
    path = tmp_path / name
    path.write_text(CSV_TEXT, encoding="utf-8")
    assert refused(path, command) == f"{name} {CSV_LINE}"


def test_an_italian_csv_with_semicolons_and_a_byte_order_mark_is_a_csv(tmp_path):
    path = tmp_path / "contatti.csv"
    path.write_text("ID lead;Nome;Azienda\r\nL1;Anna Rossi;Alfa Srl\r\n", encoding="utf-8-sig")
    assert refused(path) == f"contatti.csv {CSV_LINE}"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_text_file_named_xlsx(tmp_path, command):
    path = tmp_path / "notes.xlsx"
    path.write_text("Call Anna on Monday\nThen send the offer\n", encoding="utf-8")
    assert refused(path, command) == f"notes.xlsx is a text file, not an Excel workbook ({READS}): {SAVE_AS}"


def test_a_web_page_saved_as_xls(tmp_path):
    # Many CRMs export an HTML table under an .xls name.
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>Anna</td></tr></table></body></html>", encoding="utf-8")
    assert refused(path) == (f"export.xls is a web page (HTML), as some programs export under a spreadsheet "
                             f"name, not an Excel workbook ({READS}): {SAVE_AS}")


def test_a_pdf(tmp_path):
    path = tmp_path / "leads.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert refused(path) == f"leads.xlsx is a PDF document, not an Excel workbook ({READS}): {SAVE_AS}"


@pytest.mark.parametrize("command", COMMANDS)
def test_an_empty_file(tmp_path, command):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"")
    assert refused(path, command) == ("book.xlsx is empty (0 bytes), so it holds no workbook: choose the right "
                                      "file, or restore it from a backup")


def test_a_missing_file(tmp_path):
    assert refused(tmp_path / "nope.xlsx") == f"{tmp_path / 'nope.xlsx'}: no such file"


def test_a_folder(tmp_path):
    folder = tmp_path / "leads.xlsx"
    folder.mkdir()
    code, _, err = run("check", folder)  # The command line refuses it as a usage error.
    assert code == 2 and f"Error: Invalid value for 'BOOK': File '{folder}' is a directory." in err
    with pytest.raises(WrongFileType) as failed:  # And so does the file layer, for any other caller.
        load(folder)
    assert str(failed.value) == (f"{folder} is a folder, not a workbook: give the path of a workbook file "
                                 f"({READS})")


def test_an_unreadable_file(tmp_path, monkeypatch):
    # As root no permission is ever denied, so the refusal is simulated.
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04")
    real_open = open

    def denied(file, *args, **kwargs):
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", denied)
    assert refused(path) == ("book.xlsx cannot be read: permission denied; ask its owner for read access, or "
                             "copy it to a folder of yours")


XLS_LINE = f"is an Excel 97-2003 workbook (.xls), which Lead Score cannot read (it reads .xlsx, .xlsm, .xltx and .xltm): {SAVE_AS}"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", ["old.xls", "old.xlsx"])
def test_a_legacy_xls(tmp_path, name, command):
    path = tmp_path / name
    path.write_bytes(compound_file({"Workbook": b"\x09\x08\x10\x00" + b"\0" * 5000,
                                    "\x05SummaryInformation": b"\xfe\xff" + b"\0" * 4094}))
    assert olefile.OleFileIO(str(path)).exists("Workbook")  # A well-formed compound file.
    assert refused(path, command) == f"{name} {XLS_LINE}"


def test_a_word_97_document(tmp_path):
    path = tmp_path / "letter.xls"
    path.write_bytes(compound_file({"WordDocument": b"\xec\xa5" + b"\0" * 5000}))
    assert refused(path) == ("letter.xls is an old Office document (OLE2), not an Excel workbook (Lead Score "
                             "reads .xlsx, .xlsm, .xltx and .xltm): open it in its program and save it as Excel "
                             "Workbook (.xlsx)")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_password_protected_workbook(tmp_path, book_bytes, command):
    plain = tmp_path / "plain.xlsx"
    plain.write_bytes(book_bytes)
    path = tmp_path / "secret.xlsx"
    with open(plain, "rb") as src, open(path, "wb") as dst:
        OOXMLFile(src).encrypt("s3cret", dst)  # As Excel's Encrypt with Password does (agile encryption).
    plain.unlink()
    assert refused(path, command) == (
        "secret.xlsx is protected with a password (encrypted), so Lead Score cannot read it: open it in Excel, "
        "choose File > Info > Protect Workbook > Encrypt with Password, delete the password, save, and run "
        "Lead Score again")


ODS_LINE = ("is an OpenDocument spreadsheet (.ods), which Lead Score cannot read (it reads .xlsx, .xlsm, .xltx "
            "and .xltm): in LibreOffice Calc choose File > Save As and the type Excel 2007-365 (.xlsx)")


def opendocument(path: Path, mimetype: str) -> Path:
    """An OpenDocument package: its mimetype member first and stored, as ODF requires."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        zf.writestr("content.xml", '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:'
                                   'xmlns:office:1.0"/>', zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", "<manifest/>", zipfile.ZIP_DEFLATED)
    return path


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", ["leads.ods", "leads.xlsx"])
def test_an_opendocument_spreadsheet(tmp_path, name, command):
    path = opendocument(tmp_path / name, "application/vnd.oasis.opendocument.spreadsheet")
    assert refused(path, command) == f"{name} {ODS_LINE}"


def test_an_opendocument_text(tmp_path):
    path = opendocument(tmp_path / "letter.xlsx", "application/vnd.oasis.opendocument.text")
    assert refused(path) == ("letter.xlsx is an OpenDocument file (text), not an Excel workbook (Lead Score reads "
                             ".xlsx, .xlsm, .xltx and .xltm): give the path of the workbook")


def test_a_binary_workbook_xlsb(tmp_path):
    path = write_zip(tmp_path / "big.xlsb", {
        "[Content_Types].xml": content_types(("xl/workbook.bin",
                                              "application/vnd.ms-excel.sheet.binary.macroEnabled.main")),
        "xl/workbook.bin": b"\x83\x01\x00\x80\x01\x00", "_rels/.rels": "<Relationships/>"})
    assert refused(path) == ("big.xlsb is an Excel Binary Workbook (.xlsb), which Lead Score cannot read (it "
                             f"reads .xlsx, .xlsm, .xltx and .xltm): {SAVE_AS}")


def test_a_word_document_named_xlsx(tmp_path):
    path = write_zip(tmp_path / "offer.xlsx", {
        "[Content_Types].xml": content_types(("word/document.xml", "application/vnd.openxmlformats-"
                                              "officedocument.wordprocessingml.document.main+xml")),
        "word/document.xml": "<w:document/>"})
    assert refused(path) == (f"offer.xlsx is a Word document, not an Excel workbook ({READS}): give the path of "
                             "the workbook")


def test_a_plain_zip(tmp_path):
    path = write_zip(tmp_path / "leads.zip", {"leads.xlsx": b"PK\x03\x04", "readme.txt": "hello"})
    assert refused(path) == (f"leads.zip is a zip archive, not an Excel workbook ({READS}): if the workbook is "
                             "inside it, extract it first")


def test_a_workbook_under_another_name(tmp_path, book_bytes):
    path = tmp_path / "leads.csv"
    path.write_bytes(book_bytes)
    assert refused(path) == ("leads.csv is an Excel workbook, but its name ends in '.csv' and Lead Score reads "
                             ".xlsx, .xlsm, .xltx and .xltm files: rename it to leads.xlsx (or leads.xlsm if it "
                             "has macros)")


# --- damaged workbooks ----------------------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_a_truncated_workbook(tmp_path, book_bytes, keep, command):
    path = tmp_path / "book.xlsx"
    path.write_bytes(book_bytes[:int(len(book_bytes) * keep)])  # An interrupted download or copy.
    assert refused(path, command) == ("book.xlsx is damaged: its zip package is truncated or corrupt; open it in "
                                      "Excel, which may offer to repair it, or restore it from a backup")


@pytest.mark.parametrize("command", COMMANDS)
def test_a_workbook_with_a_corrupt_part(tmp_path, book_bytes, command):
    # The zip's directory is intact, but a worksheet's compressed data is not.
    data = bytearray(book_bytes)
    info = zipfile.ZipFile(io.BytesIO(book_bytes)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 20, start + 60):
        data[k] ^= 0x5A
    path = tmp_path / "book.xlsx"
    path.write_bytes(bytes(data))
    line = refused(path, command)
    assert line.startswith("book.xlsx cannot be read as an Excel workbook (")
    assert line.endswith("); open it in Excel and save it again, or restore it from a backup")


# --- hostile packages -----------------------------------------------------------------------------

def with_part(book_bytes: bytes, path: Path, name: str, data, replace=False) -> Path:
    """The book with one part added (or replaced), streamed so a large part costs little memory."""
    with zipfile.ZipFile(io.BytesIO(book_bytes)) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if not (replace and item.filename == name):
                dst.writestr(item, src.read(item))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as out:
            for chunk in (data if not isinstance(data, (bytes, str)) else [data]):
                out.write(chunk.encode() if isinstance(chunk, str) else chunk)
    return path


def bomb_rows(megabytes: int):
    """Sheet XML of identical empty rows, in 1 MB chunks: it compresses about 1000 times."""
    yield '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    chunk = '<row r="1"/>' * (1_000_000 // 12)
    for _ in range(megabytes):
        yield chunk
    yield "</sheetData></worksheet>"


@pytest.fixture(scope="module")
def bomb_bytes(tmp_path_factory, book_bytes) -> bytes:
    """The book with an unused sheet that inflates from about 100 KB to 100 MB."""
    return with_part(book_bytes, tmp_path_factory.mktemp("bomb") / "bomb.xlsx", "xl/worksheets/sheet9.xml",
                     bomb_rows(100)).read_bytes()


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.slow
def test_a_decompression_bomb_is_refused_at_once(tmp_path, bomb_bytes, command):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb_bytes)
    started = time.monotonic()
    line = refused(path, command)
    assert time.monotonic() - started < 2
    assert line.startswith("bomb.xlsx: its part xl/worksheets/sheet9.xml would expand from ")
    assert " to 100.0 MB (" in line
    assert line.endswith(" times), which no real workbook does (a decompression bomb?), so Lead Score does not "
                         "open it; if it is your workbook, delete unused sheets and cells in Excel and save it again")


def test_size_limits_pass_real_big_workbooks():
    # A full sheet of 1,048,576 rows is about 2 GB of XML at some 20 times compression.
    assert opening.MAX_PART > 2 * 10**9 and opening.MAX_RATIO >= 5 * 20
    assert opening.RATIO_FROM <= 100 * 2**20 < 1.1e9  # The reported 1.1 GB bomb is ratio-checked.


def test_a_part_that_declares_more_than_the_limit_is_refused(tmp_path, book_bytes, monkeypatch):
    monkeypatch.setattr(opening, "MAX_PART", 1000)
    path = tmp_path / "book.xlsx"
    path.write_bytes(book_bytes)
    line = refused(path)
    assert line.startswith("book.xlsx: its part ") and line.endswith(
        ", more than the 1.0 KB Lead Score reads; delete unused sheets and cells in Excel and save it again")


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + ']><lolz>&lol9;</lolz>')


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("command", COMMANDS)
def test_a_billion_laughs_in_a_sheet_fails_fast_in_one_line(tmp_path, book_bytes, command):
    path = with_part(book_bytes, tmp_path / "book.xlsx", "xl/worksheets/sheet1.xml", LAUGHS, replace=True)
    started = time.monotonic()
    assert refused(path, command) == (
        "book.xlsx cannot be read as an Excel workbook (it declares XML entities, which Excel never writes); "
        "open it in Excel and save it again, or restore it from a backup")
    assert time.monotonic() - started < 2


def test_a_billion_laughs_in_the_list_of_parts(tmp_path, book_bytes):
    path = with_part(book_bytes, tmp_path / "book.xlsx", "[Content_Types].xml", LAUGHS, replace=True)
    assert refused(path) == ("book.xlsx cannot be read: its list of parts ([Content_Types].xml) is not valid (it "
                             "declares XML entities, which Excel never writes); open it in Excel and save it again")


# --- real files from a real spreadsheet program ---------------------------------------------------

@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_files_saved_by_libreoffice(tmp_path, book_bytes, kind):
    from libreoffice import SOFFICE, convert

    if SOFFICE is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    source = tmp_path / "book.xlsx"
    source.write_bytes(book_bytes)
    path = convert(source, tmp_path, to=kind, recalc=False)
    line = refused(path)
    assert line == f"book.{kind} {XLS_LINE if kind == 'xls' else ODS_LINE}"


def test_a_billion_laughs_in_a_part_lead_score_does_not_read(tmp_path, book_bytes):
    # Relationships of custom XML are not ours: the package backend never parses them and copies
    # them as they are, so the rescore goes through (fast) and the part keeps its bytes.
    path = with_part(book_bytes, tmp_path / "book.xlsx", "customXml/_rels/item1.xml.rels", LAUGHS)
    path = with_part(path.read_bytes(), tmp_path / "book2.xlsx", "customXml/item1.xml", "<root/>")
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as src:
        rels = src.read("_rels/.rels").decode().replace(
            "</Relationships>", '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/'
                                '2006/relationships/customXml" Target="customXml/item1.xml"/></Relationships>')
    path = with_part(path.read_bytes(), tmp_path / "book3.xlsx", "_rels/.rels", rels, replace=True)
    started = time.monotonic()
    code, _, err = run("rescore", path)
    assert code == 0, err
    assert time.monotonic() - started < 5
    with zipfile.ZipFile(path) as zf:
        assert zf.read("customXml/_rels/item1.xml.rels").decode() == LAUGHS


# --- absurd ranges --------------------------------------------------------------------------------

def test_a_table_resized_to_a_million_rows_reads_only_its_real_rows(tmp_path, book_bytes):
    path = tmp_path / "book.xlsx"
    path.write_bytes(book_bytes)
    wb = openpyxl.load_workbook(path)
    table = wb["Leads"].tables["tblLeads"]
    table.ref = table.ref.rstrip("0123456789") + "1048576"  # A1:AI1048576 over five leads.
    wb.save(path)
    book = FileBook(path)
    ws = book.wb["Leads"]
    extent = ws.max_row * ws.max_column
    started = time.monotonic()
    grid = book.read("Leads", 1, 1, 1_048_576, 35)
    assert time.monotonic() - started < 1
    assert grid.value(2, 1) == "L1" and grid.value(1_048_576, 1) is None and grid.value(7, 35) is None
    assert grid.row_values(1_000_000, 1, 3) == [None, None, None]
    assert ws.max_row == 6 and len(ws._cells) <= extent  # No cell was made beyond the sheet's own rows.

"""Checking a file before openpyxl opens it: is it a workbook Lead Score can read?

openpyxl reads .xlsx, .xlsm, .xltx and .xltm packages. Given anything else (a
CSV export, an old .xls, a password-protected workbook, an .ods, a truncated
download) it fails deep inside with BadZipFile or InvalidFileException. This
module looks at the file's content first, not only its name, and raises one
FileProblem whose message says what the file is, what Lead Score reads and
what to do.

It also refuses decompression bombs, from the zip's central directory alone:
nothing is decompressed to decide. zipfile never inflates a part beyond the
size the directory declares (it stops there and fails the CRC check), so the
declared sizes bound what reading the package can cost.
"""
from __future__ import annotations

import os
import zipfile
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from .errors import FileProblem, TooBig, Unreadable, WrongFileType

ACCEPTED = (".xlsx", ".xlsm", ".xltx", ".xltm")
ACCEPTED_TEXT = ".xlsx, .xlsm, .xltx and .xltm"  # What openpyxl reads.
SAVE_AS_XLSX = "open it in Excel and save it as Excel Workbook (.xlsx)"

MIB, GIB = 1 << 20, 1 << 30
# Size limits. Real workbooks compress 5-20x: even a sheet of a million rows of
# identical formulas or empty styled cells stays near 20x, because every cell
# carries its own address. A bomb repeats the same bytes and reaches 100-1000x
# (the reported one: a 4.5 MB file whose unused sheet inflates to 1.1 GB, 250x).
# Apache POI refuses parts beyond the same 100x ratio.
MAX_RATIO = 100
# Parts (and packages) smaller than this are not ratio-checked: they cost little
# to read, and small parts such as styles may compress better than 100x.
RATIO_FROM = 64 * MIB
# A full sheet of 1,048,576 rows is about 2 GB of XML; no real part is twice that.
MAX_PART = 4 * GIB
MAX_PACKAGE = 8 * GIB

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, .doc, encrypted OOXML.
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
HEAD_BYTES = 64 * 1024

# Stream names in a compound file, as its directory stores them (UTF-16).
ENCRYPTED_STREAMS = ("EncryptedPackage", "EncryptionInfo")
XLS_STREAMS = ("Workbook", "Book")

# Content types of the main part of each kind of Office package.
READABLE_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
XLSB_TYPE = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
OTHER_PACKAGES = {
    "application/vnd.ms-excel.addin.macroEnabled.main+xml": "an Excel add-in (.xlam)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "a Word document",
    "application/vnd.ms-word.document.macroEnabled.main+xml": "a Word document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml":
        "a PowerPoint presentation",
}
OPENDOCUMENT = "application/vnd.oasis.opendocument."

# Other files people pick by mistake, by their first bytes.
MAGICS = {b"%PDF": "a PDF document", b"\x1f\x8b": "a gzip archive", b"7z\xbc\xaf": "a 7-Zip archive",
          b"Rar!": "a RAR archive"}


def check_workbook_file(path) -> None:
    """Raise a FileProblem unless path holds a workbook package openpyxl can read."""
    path = os.fspath(path)
    name = os.path.basename(path)
    if os.path.isdir(path):
        raise WrongFileType(path, f"{path} is a folder, not a workbook: give the path of a workbook file "
                                  f"(Lead Score reads {ACCEPTED_TEXT})")
    if not os.path.exists(path):
        raise Unreadable(path, f"{path}: no such file")
    try:
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
    except PermissionError:
        raise Unreadable(path, f"{name} cannot be read: permission denied; ask its owner for read "
                               "access, or copy it to a folder of yours") from None
    except OSError as exc:
        raise Unreadable(path, f"{name} cannot be read ({exc.strerror or exc}); copy it to a local "
                               "folder and try again") from None
    if not head:
        raise Unreadable(path, f"{name} is empty (0 bytes), so it holds no workbook: choose the right "
                               "file, or restore it from a backup")
    if head.startswith(OLE_MAGIC):
        raise WrongFileType(path, _compound_file(path, name))
    if head.startswith(ZIP_MAGICS):
        _check_package(path, name)
        return
    raise WrongFileType(path, _not_a_package(name, head))


def _compound_file(path: str, name: str) -> str:
    """What a Compound File (OLE2) is: an encrypted workbook, a legacy .xls, or another document."""
    streams = _streams(path, ENCRYPTED_STREAMS + XLS_STREAMS)
    if streams & set(ENCRYPTED_STREAMS):
        return (f"{name} is protected with a password (encrypted), so Lead Score cannot read it: open it in "
                "Excel, choose File > Info > Protect Workbook > Encrypt with Password, delete the password, "
                "save, and run Lead Score again")
    if streams & set(XLS_STREAMS):
        return (f"{name} is an Excel 97-2003 workbook (.xls), which Lead Score cannot read (it reads "
                f"{ACCEPTED_TEXT}): {SAVE_AS_XLSX}")
    return (f"{name} is an old Office document (OLE2), not an Excel workbook (Lead Score reads "
            f"{ACCEPTED_TEXT}): open it in its program and save it as Excel Workbook (.xlsx)")


def _streams(path: str, wanted) -> set[str]:
    """Which of the wanted stream names a compound file's directory holds.

    Directory entries are 128 bytes long and start at file offsets that are
    multiples of 128 (sectors of 512 or 4096 bytes follow a 512-byte header).
    Each holds its name in UTF-16 ending in NUL, at byte 64 the name's length in
    bytes and at byte 66 the entry's type (2: a stream). The directory may sit
    anywhere, so the whole file is scanned, in blocks that keep that alignment.
    """
    entries = {(name + "\0").encode("utf-16-le"): name for name in wanted}
    found = set()
    with open(path, "rb") as f:
        while block := f.read(4 * MIB):
            for raw, name in entries.items():
                at = block.find(raw)
                while at >= 0:
                    if (at % 128 == 0 and block[at + 64:at + 66] == len(raw).to_bytes(2, "little")
                            and block[at + 66:at + 67] == b"\x02"):
                        found.add(name)
                    at = block.find(raw, at + 1)
    return found


def _not_a_package(name: str, head: bytes) -> str:
    """What a file that is neither a zip nor a compound file is: CSV, HTML, other text, or else."""
    kind = next((label for magic, label in MAGICS.items() if head.startswith(magic)), None)
    if kind is None:
        text = _as_text(head)
        if text is None:
            kind = "not a file type Lead Score knows"
        else:
            start = text.lstrip().lower()
            if start.startswith(("<!doctype html", "<html", "<table")):
                kind = "a web page (HTML), as some programs export under a spreadsheet name"
            elif start.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in start:
                kind = "an Excel 2003 XML spreadsheet"
            elif _looks_like_csv(text):
                return (f"{name} is a CSV text file, not a workbook: Lead Score works on Excel workbooks "
                        f"({ACCEPTED_TEXT}); {SAVE_AS_XLSX} (a `leadscore import` command for CSV exports "
                        "is planned)")
            else:
                kind = "a text file"
    return f"{name} is {kind}, not an Excel workbook (Lead Score reads {ACCEPTED_TEXT}): {SAVE_AS_XLSX}"


def _as_text(head: bytes) -> str | None:
    """The head of the file as text, or None if it is binary."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, "replace")
    if b"\x00" in head:
        return None
    # Text that is not UTF-8 is most likely Windows-1252 (an export from an older program).
    return head.decode("utf-8", "ignore") if _utf8(head) else head.decode("cp1252", "replace")


def _utf8(head: bytes) -> bool:
    """Whether head is UTF-8, allowing for a character cut in two at its end."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3
    return True


def _looks_like_csv(text: str) -> bool:
    """Lines that share a separator (comma, semicolon or tab), as an export has."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    return any(lines and all(sep in line for line in lines) for sep in ",;\t")


def _check_package(path: str, name: str) -> None:
    """A zip: refuse a damaged one, a bomb, and any package that is not a readable workbook."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_sizes(path, name, infos)
            kind = _package_kind(zf, {i.filename for i in infos}, name)
    except zipfile.BadZipFile:
        raise Unreadable(path, f"{name} is damaged: its zip package is truncated or corrupt; open it "
                               "in Excel, which may offer to repair it, or restore it from a backup") from None
    except (DefusedXmlException, ParseError) as exc:
        raise Unreadable(path, f"{name} cannot be read: its list of parts ([Content_Types].xml) is not "
                               f"valid ({_reason(exc)}); open it in Excel and save it again") from None
    if kind is not None:
        raise WrongFileType(path, kind)
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in ACCEPTED:
        stem = os.path.splitext(name)[0]
        raise WrongFileType(path, f"{name} is an Excel workbook, but its name ends in '{suffix}' and Lead Score "
                                  f"reads {ACCEPTED_TEXT} files: rename it to {stem}.xlsx (or {stem}.xlsm if it "
                                  "has macros)")


def _check_sizes(path: str, name: str, infos) -> None:
    """Refuse a package whose declared sizes are beyond what any real workbook holds."""
    checks = [(f"its part {i.filename}", i.file_size, i.compress_size, MAX_PART) for i in infos]
    checks.append(("its parts together", sum(i.file_size for i in infos),
                   sum(i.compress_size for i in infos), MAX_PACKAGE))
    for what, size, stored, limit in checks:
        if size > limit:
            raise TooBig(path, f"{name}: {what} would expand to {_size(size)}, more than the {_size(limit)} "
                               "Lead Score reads; delete unused sheets and cells in Excel and save it again")
        if size >= RATIO_FROM and size > MAX_RATIO * max(stored, 1):
            raise TooBig(path, f"{name}: {what} would expand from {_size(stored)} to {_size(size)} "
                               f"({size // max(stored, 1):,} times), which no real workbook does (a "
                               "decompression bomb?), so Lead Score does not open it; if it is your workbook, "
                               "delete unused sheets and cells in Excel and save it again")


def _package_kind(zf: zipfile.ZipFile, names: set[str], name: str) -> str | None:
    """Why a zip is not a readable workbook (one line), or None when it is one."""
    if "mimetype" in names:
        with zf.open("mimetype") as f:
            mimetype = f.read(100).decode("ascii", "replace").strip()
        if mimetype.startswith(OPENDOCUMENT + "spreadsheet"):
            return (f"{name} is an OpenDocument spreadsheet (.ods), which Lead Score cannot read (it reads "
                    f"{ACCEPTED_TEXT}): in LibreOffice Calc choose File > Save As and the type "
                    "Excel 2007-365 (.xlsx)")
        if mimetype.startswith(OPENDOCUMENT):
            return _not_a_workbook(name, f"an OpenDocument file ({mimetype[len(OPENDOCUMENT):]})")
    if "[Content_Types].xml" not in names:
        if any(n.startswith("Index/") and n.endswith(".iwa") for n in names):
            return _not_a_workbook(name, "an Apple Numbers document", "in Numbers choose File > Export To > Excel")
        return _not_a_workbook(name, "a zip archive", "if the workbook is inside it, extract it first")
    types = _content_types(zf)
    if types & READABLE_TYPES:
        return None
    if XLSB_TYPE in types:
        return (f"{name} is an Excel Binary Workbook (.xlsb), which Lead Score cannot read (it reads "
                f"{ACCEPTED_TEXT}): {SAVE_AS_XLSX}")
    other = next((label for kind, label in OTHER_PACKAGES.items() if kind in types), None)
    return _not_a_workbook(name, other or "an Office package without a workbook in it")


def _not_a_workbook(name: str, kind: str, advice: str = "give the path of the workbook") -> str:
    return f"{name} is {kind}, not an Excel workbook (Lead Score reads {ACCEPTED_TEXT}): {advice}"


def _content_types(zf: zipfile.ZipFile) -> set[str]:
    """Every content type [Content_Types].xml declares (defaults and overrides)."""
    root = SafeET.fromstring(zf.read("[Content_Types].xml"))
    return {e.get("ContentType", "") for e in root.iter() if e.get("ContentType")}


def _size(n: int) -> str:
    """A size the way people read it: 4.5 MB, 1.1 GB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _reason(exc: BaseException) -> str:
    """What went wrong, as a short phrase: the first cause (openpyxl wraps it in its own error)."""
    while not isinstance(exc, DefusedXmlException) and (exc.__cause__ or exc.__context__):
        exc = exc.__cause__ or exc.__context__
    if isinstance(exc, DefusedXmlException):
        return "it declares XML entities, which Excel never writes"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:200].rstrip(": ")


def unreadable(path, exc: Exception) -> FileProblem:
    """The error for a package openpyxl failed to read, after check_workbook_file passed it."""
    name = os.path.basename(os.fspath(path))
    return Unreadable(path, f"{name} cannot be read as an Excel workbook ({_reason(exc)}); open it in Excel "
                            "and save it again, or restore it from a backup")

"""A workbook package as it is: its zip members, content types, relationships and workbook part.

`Package.open(path)` checks the file (workbook/opening.py: type, damage, bombs)
and opens its zip; nothing else is read until asked, and what is parsed is kept.
It gives:

* the members in zip order with their ZipInfo (`infos`, `names`, `info(name)`),
  and `read(name)` or `open(name)` for a member's bytes;
* `[Content_Types].xml` (`content_types`, `content_type(part)`);
* the relationships of any part (`rels(part)`), targets resolved to part names;
* the workbook part, found through `_rels/.rels`, and what it declares: `sheets`,
  `defined_names`, `date1904`, `calc_pr`;
* the tables of a worksheet (`tables(sheet_part)`) and the number formats of
  the cell styles (`styles`, see styles.py).

Part names are zip member names: no leading slash (`xl/workbook.xml`). OPC
names are case-insensitive, so a member is also found under another case.
Cell values are read by cells.py. The small XML parts are parsed with
defusedxml (no entity expansion); the package's sizes were checked first.
"""
from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from typing import NamedTuple
from urllib.parse import unquote

from defusedxml import ElementTree as SafeET

from ..opening import check_workbook_file
from .styles import Styles, read_styles

CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
DEFAULT_WORKBOOK = "xl/workbook.xml"

# Relationship types are compared by their last segment: transitional and strict files name them alike.
OFFICE_DOCUMENT = "officeDocument"
WORKSHEET, CHARTSHEET = "worksheet", "chartsheet"
STYLES, SHARED_STRINGS, TABLE = "styles", "sharedStrings", "table"
# The content types of a workbook's main part (workbook/opening.py READABLE_TYPES).
_MAIN_TYPES = ("sheet.main+xml", "template.main+xml", "sheet.macroEnabled.main+xml",
               "template.macroEnabled.main+xml")


class Rel(NamedTuple):
    """One relationship: its id, type (a URI), the part it points to, and whether that is outside."""

    id: str
    type: str
    target_part: str  # A part name; for an external target, the target as written (a URL, a path).
    external: bool

    @property
    def kind(self) -> str:
        """The type's last segment: 'worksheet', 'styles', 'table', 'hyperlink'..."""
        return rel_kind(self.type)


class SheetEntry(NamedTuple):
    """A sheet as the workbook part lists it, in tab order."""

    name: str
    sheet_id: int
    rel_id: str
    part: str | None  # None when its relationship is missing.
    state: str  # 'visible', 'hidden' or 'veryHidden'.
    kind: str  # 'worksheet', 'chartsheet' or 'other' (dialog sheets, Excel 4 macro sheets).


class DefinedName(NamedTuple):
    """A defined name: global when local_sheet_id is None, else local to that sheet (0-based, tab order)."""

    name: str
    local_sheet_id: int | None
    text: str  # What it refers to, as written ('Sheet1!$A$1:$B$4', '0.98', a formula).
    hidden: bool


class TableDef(NamedTuple):
    """An Excel Table of a worksheet, as its table part defines it."""

    part: str
    id: int
    name: str
    display_name: str
    ref: str  # 'B3:K6': header row, data and totals row.
    header_row_count: int  # 1, or 0 for a table without a header row.
    totals_row_count: int
    columns: tuple  # ((id, name), ...) in order; names as stored (Excel writes a line feed as _x000a_).
    autofilter_ref: str | None


class ContentTypes(NamedTuple):
    """[Content_Types].xml: defaults by extension (lower case) and overrides by part name."""

    defaults: dict
    overrides: dict  # Part name (as written, without its leading slash) -> content type.


def rel_kind(rel_type: str) -> str:
    """The last segment of a relationship type."""
    return rel_type.rstrip("/").rsplit("/", 1)[-1]


def rels_part_of(part: str) -> str:
    """The part holding the relationships of a part ('' or '/' is the package itself)."""
    part = part.strip("/")
    if not part:
        return PACKAGE_RELS
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    """A relationship's target as a part name: %-escapes undone, '/'-absolute or relative to the source's folder."""
    target = unquote(target.replace("\\", "/"))
    if target.startswith("/"):
        path = target
    else:
        path = posixpath.join(posixpath.dirname(source_part.strip("/")), target)
    path = posixpath.normpath("/" + path)  # Anchored at the root, so '..' cannot climb above it.
    return path.lstrip("/")


_BIG = 1 << 26  # Members of 64 MB or more are read a piece at a time.


class Package:
    """An OOXML workbook package, read lazily; use as a context manager, or call close()."""

    def __init__(self, path, zf: zipfile.ZipFile):
        self.path = os.fspath(path)
        self.zip = zf
        self.infos: list[zipfile.ZipInfo] = zf.infolist()  # Zip order.
        self._by_name = {i.filename: i for i in self.infos}
        self._by_folded = {}
        for info in self.infos:
            self._by_folded.setdefault(info.filename.casefold(), info)
        self._rels: dict[str, list[Rel]] = {}
        self._memo: dict = {}  # Parsed parts, kept for the package's life (cells.py keeps its strings here).

    @classmethod
    def open(cls, path) -> Package:
        """Open a workbook file; a file that is not a readable workbook raises workbook.errors.FileProblem."""
        check_workbook_file(path)
        return cls(path, zipfile.ZipFile(os.fspath(path)))

    def close(self) -> None:
        self.zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"Package({self.path!r})"

    # Members.

    @property
    def names(self) -> list[str]:
        """Member names in zip order."""
        return [i.filename for i in self.infos]

    def info(self, name: str) -> zipfile.ZipInfo | None:
        """The ZipInfo of a member (found under any case), or None."""
        name = name.lstrip("/")
        return self._by_name.get(name) or self._by_folded.get(name.casefold())

    def __contains__(self, name: str) -> bool:
        return self.info(name) is not None

    def read(self, name: str) -> bytes:
        """A member's bytes, decompressed (KeyError if the package has no such member)."""
        info = self.info(name)
        if info is None:
            raise KeyError(f"{os.path.basename(self.path)} has no part {name}")
        if info.file_size < _BIG:
            return self.zip.read(info)
        # A big member is gathered a piece at a time: zipfile's read would hold it twice at once.
        gathered = io.BytesIO()
        with self.zip.open(info) as stream:
            while piece := stream.read(1 << 22):
                gathered.write(piece)
        return gathered.getvalue()  # The buffer itself, not a copy.

    def open_member(self, name: str):
        """A member as a binary stream, decompressed as it is read (for parts too big to hold)."""
        info = self.info(name)
        if info is None:
            raise KeyError(f"{os.path.basename(self.path)} has no part {name}")
        return self.zip.open(info)

    def _xml(self, name: str):
        """A small XML member parsed (defusedxml), or None when there is no such member."""
        return SafeET.fromstring(self.read(name)) if name in self else None

    # Content types and relationships.

    @property
    def content_types(self) -> ContentTypes:
        if "content_types" not in self._memo:
            defaults, overrides = {}, {}
            root = self._xml(CONTENT_TYPES)
            for el in root if root is not None else ():
                kind = _local(el.tag)
                if kind == "Default" and el.get("Extension") is not None:
                    defaults[el.get("Extension").lower()] = el.get("ContentType", "")
                elif kind == "Override" and el.get("PartName") is not None:
                    overrides[unquote(el.get("PartName")).lstrip("/")] = el.get("ContentType", "")
            self._memo["content_types"] = ContentTypes(defaults, overrides)
        return self._memo["content_types"]

    def content_type(self, part: str) -> str | None:
        """A part's content type: its override, else its extension's default, else None."""
        types = self.content_types
        part = part.lstrip("/")
        if part in types.overrides:
            return types.overrides[part]
        folded = part.casefold()
        for name, kind in types.overrides.items():
            if name.casefold() == folded:
                return kind
        ext = posixpath.splitext(part)[1][1:].lower()
        return types.defaults.get(ext)

    def rels(self, part: str = "") -> list[Rel]:
        """The relationships of a part ('' for the package's own), in document order; [] when it has none."""
        part = part.strip("/")
        if part not in self._rels:
            found = []
            root = self._xml(rels_part_of(part))
            for el in root if root is not None else ():
                if _local(el.tag) != "Relationship":
                    continue
                target = el.get("Target", "")
                external = el.get("TargetMode", "Internal") == "External"
                found.append(Rel(el.get("Id", ""), el.get("Type", ""),
                                 target if external else resolve_target(part, target), external))
            self._rels[part] = found
        return self._rels[part]

    def rel(self, part: str, rel_id: str) -> Rel | None:
        """One relationship of a part by its id."""
        return next((r for r in self.rels(part) if r.id == rel_id), None)

    def related(self, part: str, kind: str) -> list[Rel]:
        """The relationships of a part of one kind ('worksheet', 'table', 'styles'...)."""
        return [r for r in self.rels(part) if r.kind == kind]

    # The workbook part.

    @property
    def workbook_part(self) -> str:
        """The workbook part: the package's officeDocument, else the part typed as a workbook."""
        if "workbook_part" not in self._memo:
            found = next((r.target_part for r in self.rels("") if r.kind == OFFICE_DOCUMENT and not r.external
                          and r.target_part in self), None)
            if found is None:
                found = next((name for name, kind in self.content_types.overrides.items()
                              if kind.endswith(_MAIN_TYPES) and name in self), DEFAULT_WORKBOOK)
            self._memo["workbook_part"] = self.info(found).filename if found in self else found
        return self._memo["workbook_part"]

    def _workbook(self) -> dict:
        if "workbook" not in self._memo:
            wb_part = self.workbook_part
            root = self._xml(wb_part)
            info = {"sheets": [], "names": [], "date1904": False, "calc_pr": None}
            rels = {r.id: r for r in self.rels(wb_part)}
            for section in root if root is not None else ():
                name = _local(section.tag)
                if name == "workbookPr":
                    info["date1904"] = _true(section.get("date1904"))
                elif name == "calcPr":
                    info["calc_pr"] = dict(section.attrib)
                elif name == "sheets":
                    for sheet in section:
                        if _local(sheet.tag) == "sheet":
                            info["sheets"].append(_sheet_entry(sheet, rels))
                elif name == "definedNames":
                    for dn in section:
                        if _local(dn.tag) == "definedName":
                            local = dn.get("localSheetId")
                            info["names"].append(DefinedName(
                                dn.get("name", ""), int(local) if _is_int(local) else None,
                                dn.text or "", _true(dn.get("hidden"))))
            self._memo["workbook"] = info
        return self._memo["workbook"]

    @property
    def sheets(self) -> list[SheetEntry]:
        """Every sheet in tab order (worksheets, chart sheets and others)."""
        return list(self._workbook()["sheets"])

    def sheet(self, name: str) -> SheetEntry | None:
        """A sheet by name; Excel's sheet names ignore case."""
        folded = name.casefold()
        return next((s for s in self._workbook()["sheets"] if s.name.casefold() == folded), None)

    @property
    def defined_names(self) -> list[DefinedName]:
        """Every defined name of the workbook, in its order (print areas and filters included)."""
        return list(self._workbook()["names"])

    @property
    def date1904(self) -> bool:
        """Whether dates count from 1904-01-01 (the Mac date system) instead of 1899-12-30."""
        return self._workbook()["date1904"]

    @property
    def calc_pr(self) -> dict | None:
        """The attributes of the workbook's calcPr element, or None when it has none."""
        pr = self._workbook()["calc_pr"]
        return None if pr is None else dict(pr)

    # Parts the workbook refers to.

    def _workbook_target(self, kind: str) -> str | None:
        rel = next((r for r in self.related(self.workbook_part, kind) if not r.external), None)
        return None if rel is None else rel.target_part

    @property
    def styles_part(self) -> str | None:
        return self._workbook_target(STYLES)

    @property
    def shared_strings_part(self) -> str | None:
        return self._workbook_target(SHARED_STRINGS)

    @property
    def styles(self) -> Styles:
        """The number formats of the cell styles (which style indexes are dates), see styles.py."""
        if "styles" not in self._memo:
            part = self.styles_part
            self._memo["styles"] = read_styles(self.read(part) if part and part in self else None)
        return self._memo["styles"]

    def tables(self, sheet_part: str) -> list[TableDef]:
        """The tables of a worksheet, as its tableParts element lists them.

        A sheet without table relationships has none, and is not read. Otherwise
        the sheet's XML is streamed to its end for the tableParts element (it
        follows the cells): about 0.1 s for 40,000 rows of 35 columns. A sheet of
        more than _BIG bytes is not read through (4 s for a million rows): its
        table relationships, in their order, stand for its tableParts.
        """
        sheet_part = sheet_part.strip("/")
        key = ("tables", sheet_part)
        if key not in self._memo:
            table_rels = {r.id: r for r in self.related(sheet_part, TABLE) if not r.external}
            found = []
            if table_rels:
                info = self.info(sheet_part)
                big = info is not None and info.file_size >= _BIG
                for rel_id in list(table_rels) if big else _table_part_ids(self, sheet_part):
                    rel = table_rels.get(rel_id)
                    if rel is not None and rel.target_part in self:
                        found.append(_table_def(self.info(rel.target_part).filename,
                                                self._xml(rel.target_part)))
            self._memo[key] = found
        return list(self._memo[key])


def _sheet_entry(el, rels: dict) -> SheetEntry:
    rel_id = _rel_id(el)
    rel = rels.get(rel_id)
    kind = rel_kind(rel.type) if rel is not None else ""
    return SheetEntry(el.get("name", ""), int(el.get("sheetId")) if _is_int(el.get("sheetId")) else 0,
                      rel_id, None if rel is None or rel.external else rel.target_part,
                      el.get("state", "visible"), kind if kind in (WORKSHEET, CHARTSHEET) else "other")


def _table_def(part: str, root) -> TableDef:
    columns, autofilter = [], None
    for section in root:
        name = _local(section.tag)
        if name == "tableColumns":
            columns = [(int(c.get("id")) if _is_int(c.get("id")) else 0, c.get("name", ""))
                       for c in section if _local(c.tag) == "tableColumn"]
        elif name == "autoFilter":
            autofilter = section.get("ref")
    return TableDef(part, int(root.get("id")) if _is_int(root.get("id")) else 0, root.get("name", ""),
                    root.get("displayName", root.get("name", "")), root.get("ref", ""),
                    int(root.get("headerRowCount", 1)), int(root.get("totalsRowCount", 0)),
                    tuple(columns), autofilter)


# The start tag of a worksheet's root element.
_ROOT = re.compile(rb"<(?![?!])[^>]*>")
_TAIL_CHUNK = 1 << 22
_TAIL_KEEP = 64  # Bytes kept between chunks, so that an end tag split by a chunk border is found.


def _cells_end(buf: bytes, start: int = 0) -> int:
    """Where the cells of a worksheet's XML end (after </sheetData> or <sheetData/>), or -1."""
    at = buf.find(b"sheetData", start)
    while at >= 0:
        gt = buf.find(b">", at)
        if gt < 0:
            return -1
        before = buf.rfind(b"<", 0, at)
        if before >= 0 and (buf[before + 1:before + 2] == b"/" or buf[gt - 1:gt] == b"/"):
            return gt + 1
        at = buf.find(b"sheetData", gt)
    return -1


def _table_part_ids(package: Package, sheet_part: str) -> list[str]:
    """The relationship ids of a worksheet's tableParts, in order, from the part after its cells."""
    with package.open_member(sheet_part) as stream:
        buf = stream.read(_TAIL_CHUNK)
        if not _utf8(buf):
            root_el = SafeET.fromstring(buf + stream.read())  # Not what Excel writes: parsed whole.
            return [_rel_id(tp) for parts in root_el if _local(parts.tag) == "tableParts"
                    for tp in parts if _local(tp.tag) == "tablePart"]
        while (root := _ROOT.search(buf)) is None:
            chunk = stream.read(_TAIL_CHUNK)
            if not chunk:
                return []
            buf += chunk
        head = root.group(0)
        end = _cells_end(buf, root.end())
        while end < 0:
            chunk = stream.read(_TAIL_CHUNK)
            if not chunk:
                return []
            buf = buf[-_TAIL_KEEP:] + chunk
            end = _cells_end(buf)
        tail = buf[end:] + stream.read()
    if head.endswith(b"/>"):
        return []  # An empty root element.
    # The elements after the cells, parsed inside the root's start tag (which declares the namespaces).
    close = b"</" + re.match(rb"<([^\s>/]+)", head).group(1) + b">"
    at = tail.rfind(close)
    try:
        root_el = SafeET.fromstring(head + (tail[:at] if at >= 0 else tail) + close)
    except SafeET.ParseError:
        return []
    return [_rel_id(tp) for parts in root_el if _local(parts.tag) == "tableParts"
            for tp in parts if _local(tp.tag) == "tablePart"]


def _utf8(head: bytes) -> bool:
    """Whether XML starting with these bytes is in UTF-8 (no UTF-16 mark, no other encoding declared)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    decl = re.match(rb"""<\?xml[^>]*?encoding\s*=\s*["']([^"']+)""", head.lstrip(b"\xef\xbb\xbf"))
    return decl is None or decl.group(1).lower() in (b"utf-8", b"utf8")


def _rel_id(el) -> str:
    """An element's r:id, whichever namespace (transitional or strict) spells it."""
    return next((v for k, v in el.attrib.items() if k.endswith("}id")), "")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _true(value) -> bool:
    return value in ("1", "true")


def _is_int(value) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return True

"""The XML of the parts Lead Score owns, and its entries in the package's shared parts.

Parts generated whole from data: `table_sheet_xml` (the History and Tasks sheets: a header
row and rows, a frozen header, column widths, one table) and `table_xml` (its table part).
The Report sheet, its drawing and chart are in report_xml.py and chart.py; styles in
styles_write.py.

Entries spliced into parts that are not ours, every other byte kept: `workbook_add_sheet`,
`workbook_remove_sheet` and `workbook_set_defined_names` (xl/workbook.xml), `rels_add` and
`rels_remove` (any .rels part), `content_types_add_override` / `_remove_override` /
`_add_default` ([Content_Types].xml), `app_xml_sheet_titles` (docProps/app.xml) and
`sheet_add_table_part` (a worksheet listing a new table).
Sheet names, defined names and their formulas are XML-escaped here.
"""
from __future__ import annotations

import re
from typing import Sequence

from .patch import Cell, cell_xml
from .splice import (DOC_REL_NS, MAIN_NS, PKG_REL_NS, STRICT_DOC_REL_NS, STRICT_MAIN_NS, SpliceError, escape_attr,
                     escape_text, find_element, get_attr, name_text, open_empty, prefix_for, range_ref, root,
                     set_attrs)

XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'

# Relationship types and content types of the parts we add.
REL = {
    "worksheet": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet",
    "table": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table",
    "drawing": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing",
    "chart": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart",
    "styles": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles",
    "sharedStrings": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings",
    "calcChain": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain",
}
CONTENT_TYPE = {
    "worksheet": "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
    "table": "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml",
    "drawing": "application/vnd.openxmlformats-officedocument.drawing+xml",
    "chart": "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
    "styles": "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml",
    "sharedStrings": "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
    "calcChain": "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml",
}


# Sheets of one table: History, Tasks.

def cols_xml(widths: Sequence[float | None]) -> bytes:
    """`<cols>` giving columns 1.. the widths (None: the default width); b'' when none is set."""
    cols = [b'<col min="%d" max="%d" width="%s" customWidth="1"/>' % (c, c, repr(float(w)).encode())
            for c, w in enumerate(widths, start=1) if w is not None]
    return b"<cols>" + b"".join(cols) + b"</cols>" if cols else b""


FROZEN_HEADER = (b'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                 b'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
                 b'sqref="A2"/></sheetView></sheetViews>')
PLAIN_VIEW = b'<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
PAGE_MARGINS = b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'


def frozen_view(row: int) -> bytes:
    """A sheet view whose rows 1 to row stay in view (row 1: FROZEN_HEADER)."""
    if row == 1:
        return FROZEN_HEADER
    below = b"A%d" % (row + 1)
    return (b'<sheetViews><sheetView workbookViewId="0"><pane ySplit="%d" topLeftCell="%s" activePane="bottomLeft" '
            b'state="frozen"/><selection pane="bottomLeft" activeCell="%s" sqref="%s"/></sheetView></sheetViews>'
            % (row, below, below, below))


def table_sheet_xml(rows: Sequence[Sequence], widths: Sequence[float | None] = (), styles: dict | None = None,
                    *, table_rel_id: str | None = "rId1", date1904: bool = False, freeze: bool = True,
                    header_row: int = 1) -> bytes:
    """A worksheet holding rows (the one at header_row is the header) from A1, for a table over them.

    Values: text (inline strings, never formulas, cut to Excel's limit), numbers, bools,
    dates and datetimes (as serial numbers with styles["date"] and styles["datetime"]),
    None (no cell). styles maps "header", "date", "datetime", "number", "text" to cellXfs
    indexes (all optional). A Cell may be given for any value. Rows above header_row (a note over
    the table) are written as the others are. The header row and those above it are frozen when
    freeze; table_rel_id is the relationship of the sheet to its table part (None: no table).
    The dimension covers at least two rows, as the table's range does (see table_ref).
    """
    import datetime as dt

    styles = styles or {}
    out = []
    width = max((len(r) for r in rows), default=0)
    for r, values in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(values, start=1):
            if isinstance(value, Cell):
                cell = value
            elif r == header_row:
                cell = Cell(None if value is None else str(value), "text", styles.get("header"))
            elif isinstance(value, dt.datetime):
                cell = Cell(value, "date", styles.get("datetime", styles.get("date")))
            elif isinstance(value, dt.date):
                cell = Cell(value, "date", styles.get("date"))
            elif isinstance(value, str):
                cell = Cell(value, "text", styles.get("text"))
            elif value is None:
                continue
            else:
                cell = Cell(value, None, styles.get("number"))
            xml = cell_xml(r, c, cell, date1904=date1904)
            if xml is not None:
                cells.append(xml)
        out.append(b'<row r="%d">' % r + b"".join(cells) + b"</row>" if cells else b"")
    ref = table_ref(len(rows), width) if width else "A1"
    parts = [XML_DECL, b'<worksheet xmlns="%s" xmlns:r="%s">' % (MAIN_NS, DOC_REL_NS),
             b'<dimension ref="%s"/>' % ref.encode(),
             frozen_view(header_row) if freeze else PLAIN_VIEW,
             b'<sheetFormatPr defaultRowHeight="15"/>', cols_xml(list(widths)),
             b"<sheetData>", *out, b"</sheetData>", PAGE_MARGINS]
    if table_rel_id is not None:
        parts.append(b'<tableParts count="1"><tablePart r:id="%s"/></tableParts>' % escape_attr(table_rel_id))
    parts.append(b"</worksheet>")
    return b"".join(parts)


def table_ref(rows: int, columns: int, first_row: int = 1, first_col: int = 1) -> str:
    """The range of a table whose header is at (first_row, first_col) with rows rows in all
    (header included): at least a header and one data row, as Excel requires."""
    return range_ref(first_row, first_col, first_row + max(rows, 2) - 1, first_col + columns - 1)


_TABLE_NAME = re.compile(r"[A-Za-z_\\][A-Za-z0-9_.\\]*$")


def table_xml(id: int, name: str, ref: str, headers: Sequence[str], style: str = "TableStyleMedium2") -> bytes:
    """A table part: id (unique in the workbook), name (its displayName too), its range, its
    column names (the header cells' text, unique ignoring case), an autofilter and a style."""
    if not _TABLE_NAME.match(name) or len(name) > 255:
        raise ValueError(f"{name!r} cannot be a table name")
    seen = set()
    columns = []
    for i, header in enumerate(headers, start=1):
        header = str(header)
        if not header or header.casefold() in seen:
            raise ValueError(f"table column name {header!r} is empty or repeated")
        seen.add(header.casefold())
        columns.append(b'<tableColumn id="%d" name="%s"/>' % (i, escape_attr(name_text(header))))
    n = escape_attr(name)
    return b"".join([
        XML_DECL,
        b'<table xmlns="%s" id="%d" name="%s" displayName="%s" ref="%s">' % (MAIN_NS, id, n, n, ref.encode()),
        b'<autoFilter ref="%s"/>' % ref.encode(),
        b'<tableColumns count="%d">' % len(columns), *columns, b"</tableColumns>",
        b'<tableStyleInfo name="%s" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
        b'showColumnStripes="0"/>' % escape_attr(style),
        b"</table>"])


# xl/workbook.xml

_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def check_sheet_name(name: str) -> None:
    """Raise ValueError unless Excel accepts name for a sheet: 1-31 characters, none of []:*?/\\
    nor control characters, no apostrophe at either end."""
    if not name or len(name) > 31 or _FORBIDDEN_IN_SHEET_NAME.search(name) or name[0] == "'" or name[-1] == "'":
        raise ValueError(f"{name!r} cannot be a sheet name")


class _Book:
    """Positions in workbook.xml: the root's prefix, <sheets> and its <sheet> elements."""

    def __init__(self, xml: bytes):
        start, end, prefix, local = root(xml)
        if local != b"workbook":
            raise SpliceError(f"not a workbook part: root element <{local.decode()}>")
        self.xml = xml
        self.root_tag = xml[start:end]
        self.p = prefix
        self.r = prefix_for(self.root_tag, DOC_REL_NS, STRICT_DOC_REL_NS)
        sheets = find_element(xml, prefix, b"sheets")
        if sheets is None:
            raise SpliceError("the workbook has no <sheets>")
        self.sheets = sheets
        pattern = re.compile(rb"<%ssheet(?=[\s/>])[^>]*?/?>" % re.escape(prefix))
        self.items = [(m.start(), m.end(), m.group(0)) for m in pattern.finditer(xml, sheets[1], sheets[2])]

    def names(self) -> list[str]:
        return [get_attr(tag, b"name") or "" for _, _, tag in self.items]

    def rel_attr(self) -> bytes:
        return b"r:id" if self.r is None else self.r + b"id"

    def ids(self) -> list[int]:
        out = []
        for _, _, tag in self.items:
            value = get_attr(tag, b"sheetId")
            if value and value.isdigit():
                out.append(int(value))
        return out


def sheet_names(workbook_xml: bytes) -> list[str]:
    """The sheets' names in workbook.xml, in order."""
    return _Book(workbook_xml).names()


def next_sheet_id(workbook_xml: bytes) -> int:
    """The next free sheetId: one above every sheetId there."""
    return max(_Book(workbook_xml).ids(), default=0) + 1


_LOCAL_ID = re.compile(rb"""(?<![\w:.-])localSheetId\s*=\s*["']([0-9]+)["']""")


def _shift_sheet_indexes(xml: bytes, p: bytes, index: int, delta: int, drop: int | None = None) -> bytes:
    """Defined names' localSheetId and bookViews' activeTab/firstSheet after a sheet is inserted
    at (delta +1) or removed from (delta -1) position index; names local to drop are removed."""
    names = find_element(xml, p, b"definedNames")
    if names is not None and names[1] != names[2]:
        inner_start, inner_end = names[1], names[2] - len(b"</%sdefinedNames>" % p)
        pattern = re.compile(rb"<%sdefinedName(?=[\s/>])([^>]*?)(?:/>|>.*?</%sdefinedName>)"
                             % (re.escape(p), re.escape(p)), re.S)
        out, pos = [], inner_start
        for m in pattern.finditer(xml, inner_start, inner_end):
            lm = _LOCAL_ID.search(m.group(1))
            if lm is None:
                continue
            local = int(lm.group(1))
            out.append(xml[pos:m.start()])
            pos = m.end()
            if drop is not None and local == drop:
                continue  # A name of the removed sheet goes with it.
            if local >= index and (delta > 0 or local > index):
                tag_end = m.group(0).index(b">") + 1
                tag = set_attrs(m.group(0)[:tag_end], {"localSheetId": str(local + delta)})
                out.append(tag + m.group(0)[tag_end:])
            else:
                out.append(m.group(0))
        out.append(xml[pos:inner_end])
        inner = b"".join(out)
        if re.search(rb"<%sdefinedName[\s/>]" % re.escape(p), inner) is None:
            xml = xml[:names[0]] + xml[names[2]:]  # No name left: the element goes.
        else:
            xml = xml[:inner_start] + inner + xml[inner_end:]
    views = re.compile(rb"<%sworkbookView(?=[\s/>])[^>]*?/?>" % re.escape(p))
    out, pos = [], 0
    for m in views.finditer(xml):
        tag = m.group(0)
        attrs = {}
        for name in (b"activeTab", b"firstSheet"):
            value = get_attr(tag, name)
            if value is not None and value.isdigit():
                v = int(value)
                if v > index or (v == index and delta > 0):
                    attrs[name.decode()] = str(max(0, v + delta))
        if attrs:
            out.append(xml[pos:m.start()])
            out.append(set_attrs(tag, attrs))
            pos = m.end()
    out.append(xml[pos:])
    return b"".join(out)


def workbook_add_sheet(workbook_xml: bytes, name: str, rel_id: str, sheet_id: int | None = None, *,
                       index: int | None = None, state: str | None = None) -> bytes:
    """workbook.xml with a `<sheet name= sheetId= r:id=>` entry for a new sheet.

    sheet_id None takes the next free sheetId; index (0-based) puts the sheet before the
    sheet now at that position (None: last), shifting defined names' localSheetId and the
    active tab so that they keep pointing at the same sheets; state is "hidden" or
    "veryHidden" for a hidden sheet. The name must be a valid, new sheet name (Excel compares
    names ignoring case).
    """
    check_sheet_name(name)
    book = _Book(workbook_xml)
    if name.casefold() in {n.casefold() for n in book.names()}:
        raise ValueError(f"the workbook already has a sheet named {name!r}")
    if sheet_id is None:
        sheet_id = max(book.ids(), default=0) + 1
    elif sheet_id in book.ids():
        raise ValueError(f"sheetId {sheet_id} is taken")
    p = book.p
    attrs = b'name="%s" sheetId="%d"' % (escape_attr(name), sheet_id)
    if state is not None:
        attrs += b' state="%s"' % escape_attr(state)
    attrs += b' %s="%s"' % (book.rel_attr(), escape_attr(rel_id))
    if book.r is None:
        attrs += b' xmlns:r="%s"' % DOC_REL_NS
    entry = b"<%ssheet %s/>" % (p, attrs)
    xml = workbook_xml
    count = len(book.items)
    if index is None or index >= count:
        index = count
        s_start, s_tag_end, s_end = book.sheets
        if s_tag_end == s_end:
            xml, at = open_empty(xml, s_start, s_end, p, b"sheets")
        else:
            at = s_end - len(b"</%ssheets>" % p)
    else:
        at = book.items[max(index, 0)][0]
    xml = xml[:at] + entry + xml[at:]
    if index < count:
        xml = _shift_sheet_indexes(xml, p, index, +1)
    return xml


def workbook_remove_sheet(workbook_xml: bytes, name: str) -> tuple[bytes, str, int]:
    """workbook.xml without the sheet named name (ignoring case): returns the new bytes, the
    sheet's relationship id (its part and relationship are the caller's to remove) and the
    position it had. Names local to it go; later sheets' localSheetId and the active tab
    shift down."""
    book = _Book(workbook_xml)
    folded = [n.casefold() for n in book.names()]
    if name.casefold() not in folded:
        raise KeyError(f"the workbook has no sheet {name!r}")
    index = folded.index(name.casefold())
    start, end, tag = book.items[index]
    rel_id = get_attr(tag, book.rel_attr()) or ""
    xml = workbook_xml[:start] + workbook_xml[end:]
    return _shift_sheet_indexes(xml, book.p, index, -1, drop=index), rel_id, index


_NAME = re.compile(r"[A-Za-z_\\][A-Za-z0-9_.\\?]*$")
_LOOKS_LIKE_REF = re.compile(r"([A-Za-z]{1,3}[0-9]+|[RrCc]|[Rr][0-9]*[Cc][0-9]*)$")


def workbook_set_defined_names(workbook_xml: bytes, names: dict, prefix: str) -> bytes:
    """workbook.xml whose own defined names are exactly names ({name: formula without '='}).

    Ours are the global names (no localSheetId) that start with prefix or are in names
    (ignoring case, as Excel does); they are replaced, and every other name stays as it
    was. A name whose formula is None is removed. `<definedNames>` is added where the
    schema wants it when missing, and removed when it ends up empty.
    """
    book = _Book(workbook_xml)
    p = book.p
    wanted = {k: v for k, v in names.items() if v is not None}
    for name in wanted:
        if not _NAME.match(name) or _LOOKS_LIKE_REF.match(name) or len(name) > 255:
            raise ValueError(f"{name!r} cannot be a defined name")
    ours = {k.casefold() for k in names}
    folded_prefix = prefix.casefold()
    xml = workbook_xml
    found = find_element(xml, p, b"definedNames")
    entries = b"".join(b'<%sdefinedName name="%s">%s</%sdefinedName>'
                       % (p, escape_attr(k), escape_text(str(v)[1:] if str(v).startswith("=") else str(v)), p)
                       for k, v in sorted(wanted.items(), key=lambda kv: kv[0].casefold()))
    if found is None:
        if not entries:
            return xml
        after = None
        for local in (b"externalReferences", b"functionGroups", b"sheets"):
            element = find_element(xml, p, local)
            if element is not None:
                after = element[2]
                break
        return xml[:after] + b"<%sdefinedNames>" % p + entries + b"</%sdefinedNames>" % p + xml[after:]
    start, tag_end, end = found
    if tag_end == end:
        xml, inner = open_empty(xml, start, end, p, b"definedNames")
        start, tag_end, end = find_element(xml, p, b"definedNames")
    inner_end = end - len(b"</%sdefinedNames>" % p)
    pattern = re.compile(rb"<%sdefinedName(?=[\s/>])([^>]*?)(?:/>|>.*?</%sdefinedName>)"
                         % (re.escape(p), re.escape(p)), re.S)
    out, pos = [], tag_end
    for m in pattern.finditer(xml, tag_end, inner_end):
        if _LOCAL_ID.search(m.group(1)):
            continue
        name = (get_attr(m.group(0)[:m.group(0).index(b">") + 1], b"name") or "").casefold()
        if name.startswith(folded_prefix) or name in ours:
            out.append(xml[pos:m.start()])
            pos = m.end()
    out.append(xml[pos:inner_end])
    inner = b"".join(out) + entries
    if re.search(rb"<%sdefinedName[\s/>]" % re.escape(p), inner) is None:
        return xml[:start] + xml[end:]
    return xml[:tag_end] + inner + xml[inner_end:]


# Relationships.

_REL = re.compile(rb"<(?:[\w.-]+:)?Relationship(?=[\s/>])[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?Relationship>)", re.S)


def rels_ids(rels_xml: bytes) -> list[str]:
    return [get_attr(m.group(0), b"Id") or "" for m in _REL.finditer(rels_xml)]


def rels_add(rels_xml: bytes | None, type: str, target: str, *, target_mode: str | None = None) -> tuple[bytes, str]:
    """A relationships part with one more relationship, and its new Id (the next free rIdN).

    type is a full relationship type or a key of REL ("worksheet", "table", "drawing",
    "chart"...); target is relative to the source part's folder. rels_xml None makes a new
    part.
    """
    rel_type = REL.get(type, type)
    if rels_xml is None:
        rels_xml = XML_DECL + b'<Relationships xmlns="%s"></Relationships>' % PKG_REL_NS
    ids = rels_ids(rels_xml)
    numbers = [int(i[3:]) for i in ids if i.startswith("rId") and i[3:].isdigit()]
    n = max(numbers, default=0) + 1
    while f"rId{n}" in ids:
        n += 1
    rel_id = f"rId{n}"
    start, end, p, local = root(rels_xml)
    if local != b"Relationships":
        raise SpliceError("not a relationships part")
    entry = b'<%sRelationship Id="%s" Type="%s" Target="%s"%s/>' % (
        p, rel_id.encode(), escape_attr(rel_type), escape_attr(target),
        b' TargetMode="%s"' % escape_attr(target_mode) if target_mode else b"")
    if rels_xml[start:end].endswith(b"/>"):
        rels_xml, at = open_empty(rels_xml, start, end, p, local)
    else:
        at = rels_xml.rfind(b"</%sRelationships>" % p)
    return rels_xml[:at] + entry + rels_xml[at:], rel_id


def rels_remove(rels_xml: bytes, rel_id: str) -> bytes:
    """A relationships part without the relationship rel_id (KeyError when it has none)."""
    for m in _REL.finditer(rels_xml):
        if get_attr(m.group(0), b"Id") == rel_id:
            return rels_xml[:m.start()] + rels_xml[m.end():]
    raise KeyError(f"no relationship {rel_id}")


# [Content_Types].xml

_OVERRIDE = re.compile(rb"<(?:[\w.-]+:)?Override(?=[\s/>])[^>]*?/?>")
_DEFAULT = re.compile(rb"<(?:[\w.-]+:)?Default(?=[\s/>])[^>]*?/?>")


def _part_name(part: str) -> str:
    return part if part.startswith("/") else "/" + part


def _types_insert(ct_xml: bytes, entry_local: bytes, attrs: bytes) -> bytes:
    start, end, p, local = root(ct_xml)
    if local != b"Types":
        raise SpliceError("not a content types part")
    entry = b"<%s%s %s/>" % (p, entry_local, attrs)
    if ct_xml[start:end].endswith(b"/>"):
        ct_xml, at = open_empty(ct_xml, start, end, p, local)
    else:
        at = ct_xml.rfind(b"</%sTypes>" % p)
    return ct_xml[:at] + entry + ct_xml[at:]


def content_types_add_override(ct_xml: bytes, part: str, type: str) -> bytes:
    """[Content_Types].xml with an Override for part ('/xl/worksheets/sheet5.xml'; the leading
    '/' may be left out). type is a content type or a key of CONTENT_TYPE. An Override already
    there for the part (part names compare ignoring case) gets the type."""
    content_type = CONTENT_TYPE.get(type, type)
    name = _part_name(part)
    for m in _OVERRIDE.finditer(ct_xml):
        if (get_attr(m.group(0), b"PartName") or "").casefold() == name.casefold():
            tag = set_attrs(m.group(0), {"ContentType": content_type})
            return ct_xml[:m.start()] + tag + ct_xml[m.end():]
    return _types_insert(ct_xml, b"Override", b'PartName="%s" ContentType="%s"'
                         % (escape_attr(name), escape_attr(content_type)))


def content_types_remove_override(ct_xml: bytes, part: str) -> bytes:
    """[Content_Types].xml without the Override for part (unchanged when there is none)."""
    name = _part_name(part).casefold()
    for m in _OVERRIDE.finditer(ct_xml):
        if (get_attr(m.group(0), b"PartName") or "").casefold() == name:
            return ct_xml[:m.start()] + ct_xml[m.end():]
    return ct_xml


def content_types_add_default(ct_xml: bytes, extension: str, type: str) -> bytes:
    """[Content_Types].xml with a Default for extension, unless it has one."""
    for m in _DEFAULT.finditer(ct_xml):
        if (get_attr(m.group(0), b"Extension") or "").casefold() == extension.casefold():
            return ct_xml
    return _types_insert(ct_xml, b"Default", b'Extension="%s" ContentType="%s"'
                         % (escape_attr(extension), escape_attr(CONTENT_TYPE.get(type, type))))


# docProps/app.xml

VT_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# What Excel calls the worksheets' heading, in the languages it is most often set to.
WORKSHEET_HEADINGS = {"worksheets", "fogli di lavoro", "arbeitsblätter", "feuilles de calcul",
                      "hojas de cálculo", "planilhas", "werkbladen", "arkusze", "листы", "ワークシート",
                      "工作表", "regneark", "kalkylblad", "laskentataulukot", "munkalapok", "listy"}


def app_xml_sheet_titles(app_xml: bytes, titles: Sequence[str]) -> bytes:
    """docProps/app.xml listing titles as the workbook's worksheets.

    The worksheets' heading pair (found by its name, in any of the languages of
    WORKSHEET_HEADINGS, else the first pair) gets the new count, its entries in
    TitlesOfParts are replaced by titles, and both vectors' sizes follow. Charts, named
    ranges and every other property stay. A part without HeadingPairs or TitlesOfParts is
    returned unchanged (both are optional).
    """
    start, end, p, _ = root(app_xml)
    vt = prefix_for(app_xml[start:end], VT_NS)
    if vt is None:
        return app_xml
    heading = find_element(app_xml, p, b"HeadingPairs")
    parts = find_element(app_xml, p, b"TitlesOfParts")
    if heading is None or parts is None:
        return app_xml
    vec = re.escape(vt) + b"vector"
    variant = re.compile(rb"<%svariant>(.*?)</%svariant>" % (re.escape(vt), re.escape(vt)), re.S)
    value = re.compile(rb"<%s(lpstr|i4)>(.*?)</%s\1>" % (re.escape(vt), re.escape(vt)), re.S)
    pairs = []  # (name, count, span of the count's text)
    items = [m for m in variant.finditer(app_xml, heading[1], heading[2])]
    for a, b in zip(items[0::2], items[1::2]):
        na = value.search(app_xml, a.start(1), a.end(1))
        nb = value.search(app_xml, b.start(1), b.end(1))
        if na is None or nb is None or nb.group(1) != b"i4":
            return app_xml
        pairs.append((na.group(2).decode("utf-8"), int(nb.group(2)), nb.span(2)))
    which = next((i for i, pair in enumerate(pairs) if pair[0].casefold() in WORKSHEET_HEADINGS), None)
    if which is None and pairs and pairs[0][0].casefold() not in {"charts", "named ranges", "grafici",
                                                                  "intervalli denominati"}:
        which = 0
    lpstr = re.compile(rb"<%slpstr>.*?</%slpstr>|<%slpstr/>" % ((re.escape(vt),) * 3), re.S)
    names = list(lpstr.finditer(app_xml, parts[1], parts[2]))
    new_titles = b"".join(b"<%slpstr>%s</%slpstr>" % (vt, escape_text(t), vt) for t in titles)
    xml = app_xml
    if which is None:
        # No worksheets' heading: add one in front.
        offset, old_count = 0, 0
        pair = (b"<%svariant><%slpstr>Worksheets</%slpstr></%svariant><%svariant><%si4>%d</%si4></%svariant>"
                % (vt, vt, vt, vt, vt, vt, len(titles), vt, vt))
        first = items[0].start() if items else None
    else:
        offset = sum(count for _, count, _ in pairs[:which])
        old_count = pairs[which][1]
    if offset + old_count > len(names):
        return app_xml  # The part does not add up: leave it as it is.
    # TitlesOfParts first (it comes after HeadingPairs, so the earlier offsets stay valid).
    if old_count:
        a, b = names[offset].start(), names[offset + old_count - 1].end()
    else:
        a = b = names[offset].start() if offset < len(names) else _vector_end(app_xml, vec, parts)
    xml = xml[:a] + new_titles + xml[b:]
    xml = _set_vector_size(xml, vec, p + b"TitlesOfParts", len(names) - old_count + len(titles))
    if which is None:
        h = find_element(xml, p, b"HeadingPairs")
        at = first if first is not None else _vector_end(xml, vec, h)
        xml = xml[:at] + pair + xml[at:]
        xml = _set_vector_size(xml, vec, p + b"HeadingPairs", 2 * len(pairs) + 2)
    else:
        s, e = pairs[which][2]
        xml = xml[:s] + b"%d" % len(titles) + xml[e:]
    return xml


def _vector_end(xml: bytes, vec: bytes, element) -> int:
    close = re.compile(rb"</%s>" % vec).search(xml, element[1], element[2])
    if close is None:
        raise SpliceError("a vector is not closed")
    return close.start()


def _set_vector_size(xml: bytes, vec: bytes, container: bytes, size: int) -> bytes:
    at = xml.find(b"<%s" % container)
    m = re.compile(rb"<%s(?=[\s/>])[^>]*?>" % vec).search(xml, at)
    return xml[:m.start()] + set_attrs(m.group(0), {"size": str(size)}) + xml[m.end():]


# A table part listed by a worksheet that is not ours.

_MARKUP = re.compile(rb"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<(/?)([^\s/>!?]+)[^>]*?(/?)>", re.S)


def _top_level(xml: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """The elements between start and end that are children of the root: (name, start, end)."""
    out, depth, open_at = [], 0, None
    for m in _MARKUP.finditer(xml, start, end):
        if m.group(2) is None:
            continue
        if m.group(1):  # An end tag.
            depth -= 1
            if depth < 0:
                break  # The root's own end tag.
            if depth == 0:
                out.append((name, open_at, m.end()))
        elif m.group(3):  # An empty element.
            if depth == 0:
                out.append((m.group(2), m.start(), m.end()))
        else:
            if depth == 0:
                name, open_at = m.group(2), m.start()
            depth += 1
    return out


def sheet_add_table_part(sheet_xml: bytes, rel_id: str) -> bytes:
    """A worksheet's XML listing one more table part (its relationship rel_id).

    The `<tablePart>` goes at the end of the sheet's `<tableParts>` (its count updated), or a
    new `<tableParts>` goes where CT_Worksheet wants it: after every other element that
    follows the cells, before `<extLst>`. Every other byte stays.
    """
    start, end, p, local = root(sheet_xml)
    if local != b"worksheet" or sheet_xml[start:end].endswith(b"/>"):
        raise SpliceError("not a worksheet part (or an empty one)")
    tag = sheet_xml[start:end]
    strict = prefix_for(tag, STRICT_MAIN_NS) is not None
    r = prefix_for(tag, DOC_REL_NS, STRICT_DOC_REL_NS)
    if r is None:
        attr = b'r:id="%s" xmlns:r="%s"' % (escape_attr(rel_id), STRICT_DOC_REL_NS if strict else DOC_REL_NS)
    else:
        attr = b'%sid="%s"' % (r, escape_attr(rel_id))
    entry = b"<%stablePart %s/>" % (p, attr)
    close = sheet_xml.rfind(b"</%ssheetData>" % p)
    if close >= 0:
        after = close + len(b"</%ssheetData>" % p)
    else:
        empty = re.compile(rb"<%ssheetData(?=[\s/>])[^>]*?/>" % re.escape(p)).search(sheet_xml, end)
        if empty is None:
            raise SpliceError("the worksheet has no <sheetData>")
        after = empty.end()
    children = _top_level(sheet_xml, after, len(sheet_xml))
    parts = next((c for c in children if c[0] == p + b"tableParts"), None)
    if parts is None:
        ext = next((c for c in children if c[0] == p + b"extLst"), None)
        at = ext[1] if ext is not None else sheet_xml.rfind(b"</%sworksheet>" % p)
        if at < after:
            raise SpliceError("<worksheet> is not closed")
        return sheet_xml[:at] + b'<%stableParts count="1">%s</%stableParts>' % (p, entry, p) + sheet_xml[at:]
    _, s, e = parts
    element = sheet_xml[s:e]
    count = len(re.findall(rb"<%stablePart(?=[\s/>])" % re.escape(p), element)) + 1
    head_end = element.index(b">") + 1
    head = set_attrs(element[:head_end], {"count": str(count)})
    if head.endswith(b"/>"):
        new = head[:-2].rstrip() + b">" + entry + b"</%stableParts>" % p
    else:
        inner_end = element.rfind(b"</")
        new = head + element[head_end:inner_end] + entry + element[inner_end:]
    return sheet_xml[:s] + new + sheet_xml[e:]

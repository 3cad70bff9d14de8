"""Copying a worksheet from another package into the one being edited, and making a range a table.

`copy_sheet(source, "LeadScore", edit)` copies one worksheet of a source Package (a small
workbook XlsxWriter has just written) into the package an Edit changes. The sheet's XML is
taken as it is, with what refers to the source's shared parts rewritten: shared strings
become inline strings (or go to the caller's SharedStrings), style indexes point at cell
formats copied into the target's styles.xml (styles_write.styles_copy), conditional formats
at copied dxfs, and its tables become new table parts with ids unique in the target. Data
validations, panes, widths and merged cells are in the sheet's XML and come along.
`copy_defined_names` copies global defined names. A sheet with relationships other than
tables (drawings, comments, hyperlinks, printer settings) is refused.

`add_table(edit, sheet_part, name, ref, headers)` makes a range of an existing sheet an Excel
Table: a new table part, its relationship and a `<tablePart>` spliced into the sheet's XML.

Nothing is changed in the edit until every check has passed, so a ValueError leaves it as
it was.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from defusedxml import ElementTree as SafeET

from .newparts import (CONTENT_TYPE, check_sheet_name, sheet_add_table_part, sheet_names, table_xml,
                       workbook_set_defined_names)
from .package import CONTENT_TYPES, Package, rels_part_of, resolve_target
from .splice import escape_text, get_attr, parse_range, range_ref, root, set_attrs, unescape
from .styles_write import reprefix, styles_copy

if TYPE_CHECKING:
    from .assemble import Edit
    from .patch import SharedStrings

# The 1904 date system counts from 1904-01-01: its serial numbers are 1462 days lower.
DAYS_1904 = 1462
# Attributes of table parts that index the workbook's dxfs.
_DXF_ATTR = re.compile(rb"""(?<![\w:.-])((?:headerRow|data|totalsRow|headerRowBorder|tableBorder|totalsRowBorder)"""
                       rb"""DxfId)\s*=\s*(["'])([0-9]+)\2""")
_FORMULA = re.compile(rb"<((?:[\w.-]+:)?(?:f|formula|formula1|formula2|calculatedColumnFormula|totalsRowFormula))"
                      rb"(\s[^>]*?)?(?<!/)>(.*?)</\1>", re.S)
_STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
_LOOKS_LIKE_REF = re.compile(r"[A-Za-z]{1,3}[0-9]+|[RrCc]|[Rr][0-9]*[Cc][0-9]*")


# What the target already has.

def _head(xml: bytes) -> bytes:
    start, end, _, _ = root(xml)
    return xml[start:end]


def existing_tables(edit: Edit) -> list[tuple[str, int, str, str]]:
    """The tables of the package as edited: (part, id, name, displayName) for each table part."""
    types = SafeET.fromstring(edit.read(CONTENT_TYPES))
    out = []
    for el in types:
        if el.tag.rsplit("}", 1)[-1] != "Override" or el.get("ContentType") != CONTENT_TYPE["table"]:
            continue
        part = (el.get("PartName") or "").lstrip("/")
        data = edit.read(part)
        if data is None:
            continue
        head = _head(data)
        number = get_attr(head, b"id") or ""
        name = get_attr(head, b"name") or ""
        out.append((part, int(number) if number.isdigit() else 0, name, get_attr(head, b"displayName") or name))
    return out


def _defined_names(edit: Edit) -> set[str]:
    """Every defined name of the edited workbook (any scope), folded."""
    book = SafeET.fromstring(edit.read(edit.package.workbook_part))
    return {(el.get("name") or "").casefold() for el in book.iter() if el.tag.endswith("}definedName")}


def _check_new_tables(edit: Edit, names: Sequence[str]) -> None:
    """Raise ValueError when a table name is taken in the target by a table or a defined name."""
    tables = {n.casefold() for _, _, name, display in existing_tables(edit) for n in (name, display)}
    defined = _defined_names(edit)
    for name in names:
        if name.casefold() in tables:
            raise ValueError(f"the workbook already has a table named {name!r}")
        if name.casefold() in defined:
            raise ValueError(f"the workbook already has a defined name {name!r}, which a table cannot take")


# Formulas of a renamed sheet.

def rename_in_formula(formula: str, old: str, new: str) -> str:
    """A formula whose references to sheet old ('Old'!A1, Old!A1; any case) name sheet new.
    String literals are left alone."""
    quoted = re.compile(r"'%s'!" % re.escape(old.replace("'", "''")), re.I)
    bare = re.compile(r"(?<![\w.'\]])%s!" % re.escape(old), re.I)
    target = "'%s'!" % new.replace("'", "''")
    out, pos = [], 0
    for m in list(_STRING_LITERAL.finditer(formula)) + [None]:
        end = m.start() if m is not None else len(formula)
        piece = quoted.sub(lambda _: target, formula[pos:end])
        out.append(bare.sub(lambda _: target, piece))
        if m is not None:
            out.append(m.group(0))
            pos = m.end()
    return "".join(out)


def _rename_formulas(xml: bytes, old: str, new: str) -> bytes:
    if old == new:
        return xml

    def one(m):
        text = unescape(m.group(3).decode("utf-8"))
        renamed = rename_in_formula(text, old, new)
        if renamed == text:
            return m.group(0)
        return b"<%s%s>%s</%s>" % (m.group(1), m.group(2) or b"", escape_text(renamed), m.group(1))

    return _FORMULA.sub(one, xml)


# The source's strings and the sheet's XML.

def _shared_strings(source: Package) -> tuple[list[bytes], bytes]:
    """The source's shared strings as the inner XML of each <si>, and the part's prefix."""
    part = source.shared_strings_part
    if not part or part not in source:
        return [], b""
    xml = source.read(part)
    _, _, p, _ = root(xml)
    pattern = re.compile(rb"<%ssi(?=[\s/>])[^>]*?(?:/>|>(.*?)</%ssi>)" % (re.escape(p), re.escape(p)), re.S)
    return [m.group(1) or b"" for m in pattern.finditer(xml)], p


def _plain_text(si: bytes, p: bytes) -> str | None:
    """The text of a shared string that is one <t> (no runs, no phonetics), else None."""
    m = re.fullmatch(rb"\s*<%st(?:\s[^>]*)?(?:/>|>([^<]*)</%st>)\s*" % (re.escape(p), re.escape(p)), si)
    return None if m is None else unescape((m.group(1) or b"").decode("utf-8"))


def _style_uses(xml: bytes, p: bytes) -> tuple[set[int], set[int]]:
    """The cellXfs indexes (cells, rows, columns) and dxf ids (conditional formats) a sheet uses."""
    e = re.escape(p)
    xfs = {int(v) for v in re.findall(rb"<%s(?:c|row)(?=[\s/>])[^>]*?(?<![\w:.-])s\s*=\s*[\"']([0-9]+)" % e, xml)}
    xfs |= {int(v) for v in re.findall(rb"<%scol(?=[\s/>])[^>]*?(?<![\w:.-])style\s*=\s*[\"']([0-9]+)" % e, xml)}
    dxfs = {int(v) for v in re.findall(rb"<%scfRule(?=[\s/>])[^>]*?(?<![\w:.-])dxfId\s*=\s*[\"']([0-9]+)" % e, xml)}
    return xfs, dxfs


def _number(value: float) -> bytes:
    return b"%d" % value if value == int(value) else repr(value).encode()


class _SheetRewrite:
    """The source sheet's XML with its references to the source's shared parts rewritten.

    Cells as XlsxWriter and Excel write them (`<c r="A1" s="2" t="s"><v>0</v></c>`) take a fast
    path; any other cell is parsed attribute by attribute.
    """

    def __init__(self, source: Package, xml: bytes, xf_map: dict, dxf_map: dict, target_1904: bool,
                 shared_strings: SharedStrings | None):
        self.p = root(xml)[2]
        self.strings, self.sst_p = _shared_strings(source)
        self.xf_map, self.dxf_map = xf_map, dxf_map
        self.xf_bytes = {b"%d" % k: b"%d" % v for k, v in xf_map.items()}
        self.shared = shared_strings
        styles = source.styles
        self.dates = {b"%d" % i for i in styles.date_styles - styles.timedelta_styles}
        self.shift = 0 if source.date1904 == target_1904 else (DAYS_1904 if target_1904 else -DAYS_1904)
        self.xml = xml
        self._strings: dict[bytes, tuple[bytes, bytes]] = {}

    def style(self, value: str | None) -> str | None:
        return None if value is None or not value.isdigit() else str(self.xf_map.get(int(value), 0))

    def string(self, index: bytes) -> tuple[bytes, bytes]:
        """The type and body of a cell that held shared string index."""
        found = self._strings.get(index)
        if found is None:
            p = self.p
            n = int(index) if index.strip().isdigit() else -1
            si = self.strings[n] if 0 <= n < len(self.strings) else b""
            text = _plain_text(si, self.sst_p)
            if self.shared is not None and text is not None:
                found = (b"s", b"<%sv>%d</%sv>" % (p, self.shared.index(text), p))
            else:
                found = (b"inlineStr", b"<%sis>%s</%sis>" % (p, reprefix(si, self.sst_p, p), p))
            self._strings[index] = found
        if found[0] == b"s":
            self.shared.refs_delta += 1
        return found

    def shifted(self, value: bytes) -> bytes:
        """A date serial number moved to the target's date system."""
        try:
            return _number(float(value) - self.shift)
        except ValueError:
            return value

    def fast(self, m) -> bytes:
        ref, s, t, v = m.group("ref", "s", "t", "v")
        p = self.p
        if t == b"s" and v is not None:
            t, body = self.string(v)
        elif v is None:
            body = None
        elif self.shift and s in self.dates and t in (None, b"n"):
            body = b"<%sv>%s</%sv>" % (p, self.shifted(v), p)
        else:
            body = b"<%sv>%s</%sv>" % (p, v, p)
        return b"".join((b'<%sc r="%s"' % (p, ref), b' s="%s"' % self.xf_bytes.get(s, b"0") if s is not None else b"",
                         b' t="%s"' % t if t is not None else b"",
                         b"/>" if body is None else b">%s</%sc>" % (body, p)))

    def cell(self, whole: bytes) -> bytes:
        head_end = whole.index(b">") + 1
        head, body = whole[:head_end], whole[head_end:]
        old_s = get_attr(head, b"s")
        attrs = {"s": self.style(old_s)} if old_s is not None else {}
        kind = get_attr(head, b"t")
        p = self.p
        v = re.search(rb"<%sv(?:\s[^>]*)?>([^<]*)</%sv>" % (re.escape(p), re.escape(p)), body)
        if kind == "s" and v is not None:
            new_kind, new = self.string(v.group(1))
            attrs["t"] = new_kind.decode()
            body = body[:v.start()] + new + body[v.end():]
        elif (self.shift and kind in (None, "n") and v is not None and old_s is not None
              and old_s.encode() in self.dates):
            body = body[:v.start(1)] + self.shifted(v.group(1)) + body[v.end(1):]
        return set_attrs(head, attrs) + body if attrs else head + body

    def run(self) -> bytes:
        xml, e = self.xml, re.escape(self.p)
        cells = re.compile(
            rb'(?P<fast><%sc r="(?P<ref>[A-Z]{1,3}[0-9]+)"(?: s="(?P<s>[0-9]+)")?(?: t="(?P<t>[a-zA-Z]+)")?'
            rb'(?:/>|><%sv>(?P<v>[^<]*)</%sv></%sc>))'
            rb'|(?P<row><%srow(?=[\s/>])[^>]*?(?<![\w:.-])s\s*=[^>]*>)'
            rb'|<%sc(?=[\s/>])[^>]*?(?:/>|>.*?</%sc>)' % ((e,) * 7), re.S)

        def one(m):
            if m.group("fast") is not None:
                return self.fast(m)
            if m.group("row") is not None:
                return set_attrs(m.group(0), {"s": self.style(get_attr(m.group(0), b"s"))})
            return self.cell(m.group(0))

        xml = cells.sub(one, xml)
        xml = re.sub(rb"<%scol(?=[\s/>])[^>]*>" % e,
                     lambda m: set_attrs(m.group(0), {"style": self.style(get_attr(m.group(0), b"style"))})
                     if get_attr(m.group(0), b"style") is not None else m.group(0), xml)
        xml = re.sub(rb"<%scfRule(?=[\s/>])[^>]*>" % e,
                     lambda m: set_attrs(m.group(0), {"dxfId": str(self.dxf_map.get(int(d), 0))})
                     if (d := get_attr(m.group(0), b"dxfId")) is not None and d.isdigit() else m.group(0), xml)
        # One selected tab is the target's own; a code name would belong to the source's VBA project.
        xml = re.sub(rb"<%ssheetView(?=[\s/>])[^>]*>" % e, lambda m: set_attrs(m.group(0), {"tabSelected": None}), xml)
        xml = re.sub(rb"<%ssheetPr(?=[\s/>])[^>]*>" % e, lambda m: set_attrs(m.group(0), {"codeName": None}), xml)
        return xml


def _table_part_rel_ids(xml: bytes, p: bytes) -> list[tuple[int, int, str]]:
    """The sheet's <tablePart> elements: (start, end, relationship id)."""
    out = []
    for m in re.finditer(rb"<%stablePart(?=[\s/>])[^>]*?/?>" % re.escape(p), xml):
        rid = re.search(rb"""(?<![\w.-])(?:[\w.-]+:)?id\s*=\s*["']([^"']*)["']""", m.group(0))
        out.append((m.start(), m.end(), rid.group(1).decode() if rid else ""))
    return out


# The public functions.

def copy_sheet(source: Package, sheet_name: str, edit: Edit, *, index: int | None = None,
               new_name: str | None = None, defined_names: Sequence[str] = (),
               shared_strings: SharedStrings | None = None) -> str:
    """Copy worksheet sheet_name of source into the edited package; returns the new sheet part.

    index puts it before the sheet now at that position (None: last); new_name renames it
    (its formulas and the copied names follow). defined_names are global names of the
    source copied along (see copy_defined_names). Strings become inline strings, or with
    shared_strings (the target's, which the caller writes back) plain ones are appended there.
    Raises ValueError, changing nothing, when the sheet is missing or not a worksheet, has
    relationships other than tables, a table name or the sheet name is taken in the target.
    """
    entry = source.sheet(sheet_name)
    if entry is None or entry.kind != "worksheet" or entry.part is None:
        raise ValueError(f"{source.path} has no worksheet {sheet_name!r}")
    name = new_name or entry.name
    check_sheet_name(name)
    book = edit.package.workbook_part
    if name.casefold() in {n.casefold() for n in sheet_names(edit.read(book))}:
        raise ValueError(f"the workbook already has a sheet named {name!r}")
    others = [r for r in source.rels(entry.part) if r.kind != "table" or r.external]
    if others:
        raise ValueError(f"sheet {entry.name!r} has parts that are not copied: "
                         + ", ".join(f"{r.kind} ({r.target_part})" for r in others))
    xml = source.read(entry.part)
    p = root(xml)[2]
    meta = re.search(rb"<%sc\s[^>]*?(?<![\w:.-])(?:cm|vm)\s*=[^>]*>" % re.escape(p), xml)
    if meta is not None:
        raise ValueError(f"cell {get_attr(meta.group(0), b'r')} refers to the source's cell metadata "
                         "(dynamic arrays, rich values), which is not copied")
    tables = []
    for _, _, rid in _table_part_rel_ids(xml, p):
        rel = source.rel(entry.part, rid)
        if rel is None or rel.target_part not in source:
            raise ValueError(f"sheet {entry.name!r} lists a table part {rid!r} it has no relationship to")
        if source.rels(rel.target_part):
            raise ValueError(f"table part {rel.target_part} has relationships of its own (a query), not copied")
        tables.append(source.read(rel.target_part))
    table_names = [n for t in tables for n in {get_attr(_head(t), b"name"), get_attr(_head(t), b"displayName")} if n]
    _check_new_tables(edit, table_names)
    names = _source_names(source, defined_names, entry.name, name)
    _check_names(edit, names, table_names)

    xfs, dxfs = _style_uses(xml, p)
    for t in tables:
        dxfs |= {int(m.group(3)) for m in _DXF_ATTR.finditer(t)}
    styles_part = edit.package.styles_part
    target_styles = edit.read(styles_part) if styles_part else None
    if target_styles is None:
        raise ValueError("the target workbook has no styles part")
    source_styles = source.read(source.styles_part) if source.styles_part and source.styles_part in source else None
    xf_map, dxf_map = {}, {}
    new_styles = target_styles
    if source_styles is not None and (xfs or dxfs):
        new_styles, xf_map, dxf_map = styles_copy(target_styles, source_styles, xfs, dxfs)
    sheet = _SheetRewrite(source, xml, xf_map, dxf_map, edit.package.date1904, shared_strings).run()
    sheet = _rename_formulas(sheet, entry.name, name)

    # Every check has passed: change the edit.
    if new_styles != target_styles:
        edit.put(styles_part, new_styles)
    part = edit.add_sheet(name, sheet, index=index)
    next_id = max((n for _, n, _, _ in existing_tables(edit)), default=0) + 1
    rel_ids = {}
    for (_, _, rid), table in zip(_table_part_rel_ids(sheet, p), tables):
        start, end, _, _ = root(table)
        table = table[:start] + set_attrs(table[start:end], {"id": str(next_id)}) + table[end:]
        table = _DXF_ATTR.sub(lambda m: b"%s=%s%d%s" % (m.group(1), m.group(2), dxf_map.get(int(m.group(3)), 0),
                                                        m.group(2)), table)
        table_part = edit.free_name("xl/tables/table{}.xml")
        edit.put(table_part, _rename_formulas(table, entry.name, name), "table")
        rel_ids[rid] = edit.relate(part, "table", table_part)
        next_id += 1
    if rel_ids:
        out, pos = [], 0
        for start, end, rid in _table_part_rel_ids(sheet, p):
            tag = sheet[start:end]
            attr = re.search(rb"""(?<![\w.-])(?:[\w.-]+:)?id\s*=\s*["']([^"']*)["']""", tag)
            out += [sheet[pos:start], tag[:attr.start(1)], rel_ids[rid].encode(), tag[attr.end(1):]]
            pos = end
        out.append(sheet[pos:])
        edit.put(part, b"".join(out))
    if names:
        _set_names(edit, names)
    return part


def _source_names(source: Package, wanted: Sequence[str], old: str | None, new: str | None) -> dict:
    """{name: formula} of global defined names of source, sheet old renamed new in them."""
    found = {}
    for dn in source.defined_names:
        if dn.local_sheet_id is None:
            found.setdefault(dn.name.casefold(), dn)
    out = {}
    for name in wanted:
        dn = found.get(name.casefold())
        if dn is None:
            raise ValueError(f"{source.path} has no global defined name {name!r}")
        out[dn.name] = rename_in_formula(dn.text, old, new) if old and new and old != new else dn.text
    return out


def _check_names(edit: Edit, names: dict, new_tables: Sequence[str] = ()) -> None:
    tables = {n.casefold() for _, _, name, display in existing_tables(edit) for n in (name, display)}
    tables |= {t.casefold() for t in new_tables}
    for name in names:
        if name.casefold() in tables:
            raise ValueError(f"defined name {name!r} is the name of a table of the workbook")


# No defined name starts with a NUL, so workbook_set_defined_names replaces only the names given.
_NO_PREFIX = "\0"


def _set_names(edit: Edit, names: dict) -> None:
    book = edit.package.workbook_part
    edit.put(book, workbook_set_defined_names(edit.read(book), names, _NO_PREFIX))


def copy_defined_names(source: Package, edit: Edit, names: Sequence[str], *,
                       renamed: dict | None = None) -> None:
    """Copy global defined names of source into the edited workbook, replacing global names
    of the same names (ignoring case); renamed ({old sheet: new sheet}) rewrites their sheet
    references. Raises ValueError, changing nothing, for a name the source lacks or that is a
    table's name in the target."""
    found = _source_names(source, names, None, None)
    for old, new in (renamed or {}).items():
        found = {k: rename_in_formula(v, old, new) for k, v in found.items()}
    _check_names(edit, found)
    if found:
        _set_names(edit, found)


def add_table(edit: Edit, sheet_part: str, name: str, ref: str, headers: Sequence[str],
              style: str = "TableStyleMedium2") -> str:
    """Make the range ref of an existing worksheet an Excel Table named name; returns its part.

    headers are the text of the header cells, one per column of ref (the caller has checked
    that the cells hold them); ref covers the header row and at least one row below. Raises
    ValueError, changing nothing, for a blank or repeated header (naming its cell), a name
    taken by a table or defined name, or a range overlapping a table or the sheet's filter.
    """
    xml = edit.read(sheet_part)
    if xml is None:
        raise ValueError(f"the package has no part {sheet_part}")
    r1, c1, r2, c2 = parse_range(ref)
    if c2 - c1 + 1 != len(headers):
        raise ValueError(f"{ref} has {c2 - c1 + 1} columns but {len(headers)} headers were given")
    if r2 <= r1:
        raise ValueError(f"a table needs a header row and at least one row below it: {ref}")
    seen = {}
    for col, header in enumerate(headers, start=c1):
        cell = range_ref(r1, col, r1, col)
        text = "" if header is None else str(header)
        if not text.strip():
            raise ValueError(f"header cell {cell} is blank")
        if text.casefold() in seen:
            raise ValueError(f"header cell {cell} repeats {text!r} (as {seen[text.casefold()]})")
        seen[text.casefold()] = cell
    if _LOOKS_LIKE_REF.fullmatch(name):
        raise ValueError(f"{name!r} cannot be a table name: it reads as a cell reference")
    _check_new_tables(edit, [name])
    sheet_add_table_part(xml, "rId1")  # Raises SpliceError (a ValueError) for a part that is not a worksheet.
    box = (r1, c1, r2, c2)
    rels = rels_part_of(sheet_part)
    for table_ref, what in _sheet_ranges(edit, sheet_part, rels, xml):
        if _overlap(box, parse_range(table_ref)):
            raise ValueError(f"{ref} overlaps {what} ({table_ref})")
    number = max((n for _, n, _, _ in existing_tables(edit)), default=0) + 1
    data = table_xml(number, name, range_ref(*box), [str(h) for h in headers], style)
    part = edit.free_name("xl/tables/table{}.xml")
    edit.put(part, data, "table")
    rel_id = edit.relate(sheet_part, "table", part)
    edit.put(sheet_part, sheet_add_table_part(xml, rel_id))
    return part


def _sheet_ranges(edit: Edit, sheet_part: str, rels: str, xml: bytes):
    """(ref, what) of the tables, the filter and the merged cells of a sheet's header rows."""
    data = edit.read(rels)
    if data is not None:
        for el in SafeET.fromstring(data):
            if el.get("Type", "").endswith("/table") and el.get("TargetMode") != "External":
                table = edit.read(resolve_target(sheet_part, el.get("Target", "")))
                if table is not None and (ref := get_attr(_head(table), b"ref")):
                    yield ref, f"table {get_attr(_head(table), b'name')}"
    p = root(xml)[2]
    tail = xml[max(xml.rfind(b"</%ssheetData>" % p), 0):]
    for m in re.finditer(rb"<%s(autoFilter|mergeCell)(?=[\s/>])[^>]*>" % re.escape(p), tail):
        ref = get_attr(m.group(0), b"ref")
        if ref:
            yield ref, "the sheet's filter" if m.group(1) == b"autoFilter" else "merged cells"


def _overlap(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]

"""Hiding worksheet columns in place: the `<cols>` element edited, every other byte kept.

`hide_columns(sheet_xml, [5, 6])` returns the sheet's XML with those columns hidden. A `<col>`
entry that covers a column is split where needed so that only the asked columns change; its
width, style and other attributes are kept on every piece. A column no entry covers gets one
of its own (the default width); `<cols>` is added before `<sheetData>` when the sheet has none.
Entries stay sorted and never overlap, as Excel requires.
"""
from __future__ import annotations

import re

from .splice import SpliceError, find_element, get_attr, root, set_attrs

DEFAULT_WIDTH = "9.140625"  # Excel's width of a column of the default font (Calibri 11).


def _entries(xml: bytes, p: bytes, start: int, end: int) -> list[tuple[int, int, bytes]]:
    """The `<col>` entries of `<cols>` between start and end: (min, max, tag)."""
    pattern = re.compile(rb"<%scol(?=[\s/>])[^>]*?/>|<%scol(?=[\s/>])[^>]*?>\s*</%scol>"
                         % (re.escape(p), re.escape(p), re.escape(p)), re.S)
    out = []
    for m in pattern.finditer(xml, start, end):
        tag = m.group(0)
        if not tag.endswith(b"/>"):
            tag = tag[:tag.index(b">")].rstrip() + b"/>"
        lo, hi = get_attr(tag, b"min"), get_attr(tag, b"max")
        if not (lo and hi and lo.isdigit() and hi.isdigit()):
            raise SpliceError("a <col> entry has no min or max")
        out.append((int(lo), int(hi), tag))
    return out


def _piece(tag: bytes, lo: int, hi: int, hidden: bool) -> bytes:
    attrs = {"min": str(lo), "max": str(hi)}
    if hidden:
        attrs["hidden"] = "1"
    return set_attrs(tag, attrs)


def hide_columns(sheet_xml: bytes, columns) -> bytes:
    """The sheet's XML with these 1-based columns hidden (see the module docstring)."""
    wanted = sorted(set(int(c) for c in columns))
    if not wanted:
        return sheet_xml
    _, _, p, _ = root(sheet_xml)
    found = find_element(sheet_xml, p, b"cols")
    if found is None:
        data = find_element(sheet_xml, p, b"sheetData")
        if data is None:
            raise SpliceError("the sheet has no <sheetData>")
        at = data[0]
        new = b"".join(b'<%scol min="%d" max="%d" width="%s" hidden="1"/>' % (p, c, c, DEFAULT_WIDTH.encode())
                       for c in wanted)
        return sheet_xml[:at] + b"<%scols>" % p + new + b"</%scols>" % p + sheet_xml[at:]
    start, tag_end, end = found
    if tag_end == end:
        raise SpliceError("the sheet's <cols> is empty, which the schema does not allow")
    close = end - len(b"</%scols>" % p)
    entries = _entries(sheet_xml, p, tag_end, close)
    hide = set(wanted)
    pieces: list[tuple[int, bytes]] = []
    covered: set[int] = set()
    for lo, hi, tag in entries:
        inside = [c for c in wanted if lo <= c <= hi]
        covered.update(inside)
        if not inside:
            pieces.append((lo, tag))
            continue
        run_start, state = lo, lo in hide
        for c in range(lo + 1, hi + 2):
            now = c in hide if c <= hi else None
            if now != state:
                pieces.append((run_start, _piece(tag, run_start, c - 1, state)))
                run_start, state = c, now
    template = b'<%scol min="1" max="1" width="%s"/>' % (p, DEFAULT_WIDTH.encode())
    for c in wanted:
        if c not in covered:
            pieces.append((c, _piece(template, c, c, True)))
    pieces.sort(key=lambda item: item[0])
    body = b"".join(tag for _, tag in pieces)
    return sheet_xml[:tag_end] + body + sheet_xml[close:]

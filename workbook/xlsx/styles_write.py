"""Appending the cell formats Lead Score's sheets need to a workbook's styles.xml, renumbering nothing.

`styles_append(styles_xml, [StyleSpec(...), ...])` returns the new styles.xml and, for each
spec, the index of a cellXfs entry showing it. Existing number formats keep their ids, and
fonts, fills, borders and cell formats their indexes: new entries are only appended (new
custom number formats get ids above 163 and above every id there), the sections' `count`
attributes follow, and every other byte stays. An existing identical entry (number format
code, font, fill, cell format) is reused rather than added again.

Fonts are the workbook's default font (font 0) made bold or resized, so that our sheets look
like the rest of the user's workbook.

`styles_copy(styles_xml, source_xml, xfs, dxfs)` appends, the same way, cell formats and
differential formats taken from another workbook's styles.xml (a sheet copied by transplant.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .splice import SpliceError, escape_attr, find_element, get_attr, root, set_attrs, unescape

# Number formats every spreadsheet knows by id (ECMA-376 Part 1, 18.8.30), which are the same
# in every locale. Ids 14-22 (dates, times) depend on the locale, so our date formats are custom.
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
                   "0.00E+00": 11, "# ?/?": 12, "# ??/??": 13, "#,##0 ;(#,##0)": 37, "@": 49}
FIRST_CUSTOM_FORMAT = 164


def _default_font(p: bytes) -> bytes:
    """Excel's default font, for a styles part that has none."""
    return (b'<%sfont><%ssz val="11"/><%scolor theme="1"/><%sname val="Calibri"/><%sfamily val="2"/>'
            b'<%sscheme val="minor"/></%sfont>' % ((p,) * 7))


@dataclass(frozen=True)
class StyleSpec:
    """A cell format: number format code (None: General), bold, font size (None: the default
    font's), solid fill colour as RGB hex ('DDEBF7'; None: no fill), horizontal alignment
    ('left', 'center', 'right'; None: the default) and text wrapping."""

    num_format: str | None = None
    bold: bool = False
    size: float | None = None
    fill: str | None = None
    horizontal: str | None = None
    wrap: bool = False


_SECTIONS = [b"numFmts", b"fonts", b"fills", b"borders", b"cellStyleXfs", b"cellXfs", b"cellStyles", b"dxfs",
             b"tableStyles", b"colors", b"extLst"]


def _items(xml: bytes, p: bytes, section, local: bytes) -> list[tuple[int, int, bytes]]:
    """The child elements named local of a section: (start, end, bytes), top level only."""
    start, tag_end, end = section
    if tag_end == end:
        return []
    pattern = re.compile(rb"<%s%s(?=[\s/>])[^>]*?(/?)>" % (re.escape(p), local))
    close = b"</%s%s>" % (p, local)
    out = []
    pos = tag_end
    while True:
        m = pattern.search(xml, pos, end)
        if m is None:
            return out
        if m.group(1):
            item_end = m.end()
        else:
            item_end = xml.find(close, m.end(), end)
            if item_end == -1:
                raise SpliceError(f"<{local.decode()}> is not closed")
            item_end += len(close)
        out.append((m.start(), item_end, xml[m.start():item_end]))
        pos = item_end


class _Styles:
    """styles.xml being appended to, section by section."""

    def __init__(self, xml: bytes):
        start, end, prefix, local = root(xml)
        if local != b"styleSheet":
            raise SpliceError(f"not a styles part: root element <{local.decode()}>")
        self.xml = xml
        self.p = prefix

    def section(self, local: bytes, default_items: bytes = b""):
        """The section named local, created (holding default_items) where the schema wants it."""
        found = find_element(self.xml, self.p, local)
        if found is not None:
            return found
        p = self.p
        count = len(re.findall(rb"<%s[a-zA-Z]+(?=[\s/>])" % re.escape(p), default_items)) if default_items else 0
        # Only the section's own children count: the defaults hold one kind of child each.
        children = {b"fonts": b"font", b"fills": b"fill", b"borders": b"border", b"cellStyleXfs": b"xf",
                    b"cellXfs": b"xf", b"numFmts": b"numFmt"}
        if local in children:
            count = len(re.findall(rb"<%s%s(?=[\s/>])" % (re.escape(p), children[local]), default_items))
        element = b'<%s%s count="%d">%s</%s%s>' % (p, local, count, default_items, p, local)
        later = _SECTIONS[_SECTIONS.index(local) + 1:]
        at = None
        for other in later:
            f = find_element(self.xml, p, other)
            if f is not None:
                at = f[0]
                break
        if at is None:
            at = self.xml.rfind(b"</%sstyleSheet>" % p)
            if at == -1:
                raise SpliceError("<styleSheet> is not closed (or is empty)")
        self.xml = self.xml[:at] + element + self.xml[at:]
        return find_element(self.xml, p, local)

    def append(self, local: bytes, child: bytes, items: bytes) -> None:
        """Append items (children named child) to a section and update its count."""
        section = self.section(local)
        p = self.p
        start, tag_end, end = section
        existing = len(_items(self.xml, p, section, child))
        added = len(re.findall(rb"<%s%s(?=[\s/>])" % (re.escape(p), child), items))
        tag = set_attrs(self.xml[start:tag_end], {"count": str(existing + added)})
        if tag_end == end:
            tag = tag[:-2].rstrip() + b">"
            self.xml = self.xml[:start] + tag + items + b"</%s%s>" % (p, local) + self.xml[end:]
        else:
            close = end - len(b"</%s%s>" % (p, local))
            self.xml = self.xml[:start] + tag + self.xml[tag_end:close] + items + self.xml[close:]


def _number_formats(styles: _Styles, codes: list[str]) -> dict[str, int]:
    """Ids for format codes: built-in, existing custom ones, or new ones appended."""
    p = styles.p
    found = find_element(styles.xml, p, b"numFmts")
    existing: dict[str, int] = {}
    ids = []
    if found is not None:
        for _, _, item in _items(styles.xml, p, found, b"numFmt"):
            fid, code = get_attr(item, b"numFmtId"), get_attr(item, b"formatCode")
            if fid is not None and fid.isdigit():
                ids.append(int(fid))
                if code is not None:
                    existing.setdefault(code, int(fid))
    out = {}
    new = []
    next_id = max([FIRST_CUSTOM_FORMAT - 1, *ids]) + 1
    for code in codes:
        if code in out:
            continue
        if code in BUILTIN_FORMATS:
            out[code] = BUILTIN_FORMATS[code]
        elif code in existing:
            out[code] = existing[code]
        else:
            out[code] = next_id
            new.append(b'<%snumFmt numFmtId="%d" formatCode="%s"/>' % (p, next_id, escape_attr(code)))
            next_id += 1
    if new:
        styles.append(b"numFmts", b"numFmt", b"".join(new))
    return out


def _font_xml(base: bytes, p: bytes, bold: bool, size: float | None) -> bytes:
    """The default font made bold and/or resized (its other properties kept)."""
    font = base
    if bold and not re.search(rb"<%sb(?=[\s/>])" % re.escape(p), font):
        head = font.index(b">") + 1
        if font[head - 2:head] == b"/>":  # <font/>
            font = font[:head - 2].rstrip() + b">" + b"</%sfont>" % p
            head = font.index(b">") + 1
        font = font[:head] + b"<%sb/>" % p + font[head:]
    if size is not None:
        value = repr(float(size)).removesuffix(".0").encode()
        sz = re.search(rb"<%ssz(?=[\s/>])[^>]*?/>" % re.escape(p), font)
        if sz is not None:
            font = font[:sz.start()] + b'<%ssz val="%s"/>' % (p, value) + font[sz.end():]
        else:
            close = font.rfind(b"</%sfont>" % p)
            font = font[:close] + b'<%ssz val="%s"/>' % (p, value) + font[close:]
    return font


def _indexes(styles: _Styles, local: bytes, child: bytes, wanted: list[bytes], default: bytes) -> list[int]:
    """Indexes of the wanted children of a section (reusing identical ones, appending others)."""
    p = styles.p
    section = styles.section(local, default)
    items = [item for _, _, item in _items(styles.xml, p, section, child)]
    known = {}
    for i, item in enumerate(items):
        known.setdefault(item, i)
    out, new = [], []
    for item in wanted:
        if item not in known:
            known[item] = len(items) + len(new)
            new.append(item)
        out.append(known[item])
    if new:
        styles.append(local, child, b"".join(new))
    return out


_ALIGNMENT = re.compile(rb"<(?:[\w.-]+:)?alignment(?=[\s/>])([^>]*?)/?>")


def _xf_key(item: bytes):
    """What an xf shows: its format, font, fill and border ids, its cell style and alignment;
    None when it holds anything else (protection, extensions), so it is never reused."""
    head = item[:item.index(b">") + 1]
    ids = tuple(int(v) if (v := get_attr(head, name)) and v.isdigit() else 0
                for name in (b"numFmtId", b"fontId", b"fillId", b"borderId", b"xfId"))
    body = item[len(head):]
    alignment = ()
    if body:
        m = _ALIGNMENT.search(body)
        rest = _ALIGNMENT.sub(b"", body)
        rest = re.sub(rb"</(?:[\w.-]+:)?xf>\s*$", b"", rest).strip()
        if rest:
            return None
        if m is not None:
            alignment = tuple(sorted((k.decode(), unescape(v.decode())) for k, _, v in
                                     re.findall(rb"""([\w:.-]+)\s*=\s*(["'])(.*?)\2""", m.group(1))))
            alignment = tuple((k, v) for k, v in alignment if not (k == "wrapText" and v in ("0", "false")))
    return ids, alignment


def styles_append(styles_xml: bytes, wanted: Sequence[StyleSpec]) -> tuple[bytes, dict]:
    """styles.xml with what wanted needs appended; returns it and {spec: cellXfs index}."""
    specs = list(dict.fromkeys(wanted))
    styles = _Styles(styles_xml)
    p = styles.p
    codes = _number_formats(styles, [s.num_format or "General" for s in specs])

    fonts_section = styles.section(b"fonts", _default_font(p))
    fonts = _items(styles.xml, p, fonts_section, b"font")
    base = fonts[0][2] if fonts else _default_font(p)
    font_wanted = [base if not s.bold and s.size is None else _font_xml(base, p, s.bold, s.size) for s in specs]
    font_ids = _indexes(styles, b"fonts", b"font", font_wanted, b"")

    fill_defaults = (b'<%sfill><%spatternFill patternType="none"/></%sfill><%sfill><%spatternFill '
                     b'patternType="gray125"/></%sfill>' % ((p,) * 6))
    fill_wanted = []
    for s in specs:
        if s.fill is None:
            fill_wanted.append(None)
            continue
        rgb = s.fill.lstrip("#").upper()
        rgb = ("FF" + rgb if len(rgb) == 6 else rgb).encode()
        fill_wanted.append(b'<%sfill><%spatternFill patternType="solid"><%sfgColor rgb="%s"/><%sbgColor indexed="64"/>'
                           b"</%spatternFill></%sfill>" % (p, p, p, rgb, p, p, p))
    styles.section(b"fills", fill_defaults)
    solid = [f for f in fill_wanted if f is not None]
    solid_ids = iter(_indexes(styles, b"fills", b"fill", solid, b"")) if solid else iter(())
    fill_ids = [0 if f is None else next(solid_ids) for f in fill_wanted]

    styles.section(b"borders", b"<%sborder><%sleft/><%sright/><%stop/><%sbottom/><%sdiagonal/></%sborder>"
                   % ((p,) * 7))
    styles.section(b"cellStyleXfs", b'<%sxf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' % p)
    xfs_section = styles.section(b"cellXfs", b'<%sxf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' % p)

    existing = {}
    for i, (_, _, item) in enumerate(_items(styles.xml, p, xfs_section, b"xf")):
        key = _xf_key(item)
        if key is not None:
            existing.setdefault(key, i)
    count = len(_items(styles.xml, p, xfs_section, b"xf"))
    result, new = {}, []
    for spec, font_id, fill_id in zip(specs, font_ids, fill_ids):
        fmt = codes[spec.num_format or "General"]
        alignment = []
        if spec.horizontal:
            alignment.append(("horizontal", spec.horizontal))
        if spec.wrap:
            alignment.append(("wrapText", "1"))
        key = ((fmt, font_id, fill_id, 0, 0), tuple(sorted(alignment)))
        if key in existing:
            result[spec] = existing[key]
            continue
        attrs = b'numFmtId="%d" fontId="%d" fillId="%d" borderId="0" xfId="0"' % (fmt, font_id, fill_id)
        if fmt:
            attrs += b' applyNumberFormat="1"'
        if font_id:
            attrs += b' applyFont="1"'
        if fill_id:
            attrs += b' applyFill="1"'
        if alignment:
            align = b" ".join(b'%s="%s"' % (k.encode(), escape_attr(v)) for k, v in alignment)
            item = b'<%sxf %s applyAlignment="1"><%salignment %s/></%sxf>' % (p, attrs, p, align, p)
        else:
            item = b"<%sxf %s/>" % (p, attrs)
        existing[key] = result[spec] = count + len(new)
        new.append(item)
    if new:
        styles.append(b"cellXfs", b"xf", b"".join(new))
    return styles.xml, result


# Formats copied from another workbook's styles.xml (a sheet transplanted, see transplant.py).

_TAG_NAME = rb"[A-Za-z_][\w.-]*(?=[\s/>])"


def reprefix(fragment: bytes, source_prefix: bytes, target_prefix: bytes) -> bytes:
    """An XML fragment with the elements of the source's main prefix renamed to the target's."""
    if source_prefix == target_prefix:
        return fragment
    pattern = re.compile(rb"<(/?)%s(%s)" % (re.escape(source_prefix), _TAG_NAME))
    return pattern.sub(lambda m: b"<" + m.group(1) + target_prefix + m.group(2), fragment)


def _section_items(styles: _Styles, local: bytes, child: bytes) -> list[bytes]:
    found = find_element(styles.xml, styles.p, local)
    return [] if found is None else [item for _, _, item in _items(styles.xml, styles.p, found, child)]


_EXT_LST = re.compile(rb"<(?:[\w.-]+:)?extLst(?=[\s/>])(?:[^>]*?/>|.*?</(?:[\w.-]+:)?extLst>)", re.S)


def styles_copy(styles_xml: bytes, source_xml: bytes, xfs, dxfs=()) -> tuple[bytes, dict, dict]:
    """styles.xml with the source styles.xml's cell formats xfs and differential formats dxfs
    (indexes) appended; returns it, {source xf: new xf} and {source dxf: new dxf}.

    Each copied xf keeps its number format (by code: an existing or built-in one is reused, a
    new code gets a new id), font, fill, border, alignment and protection; its cell style
    becomes Normal. Source xf 0 (the look of cells without a style) is the target's xf 0, and
    fills 0 and 1 (none, gray125: fixed by the format) and border 0 are the target's own.
    A dxf's number format takes the id its code has in the target. Identical fonts, fills,
    borders, xfs and dxfs already there are reused; nothing is renumbered and every other
    byte stays.
    """
    src = _Styles(source_xml)
    styles = _Styles(styles_xml)
    sp, p = src.p, styles.p
    xfs = sorted({i for i in xfs if i is not None})
    dxfs = sorted({i for i in dxfs if i is not None})
    src_xfs = _section_items(src, b"cellXfs", b"xf")
    src_fonts = _section_items(src, b"fonts", b"font")
    src_fills = _section_items(src, b"fills", b"fill")
    src_borders = _section_items(src, b"borders", b"border")
    codes = {}
    for item in _section_items(src, b"numFmts", b"numFmt"):
        fid = get_attr(item, b"numFmtId")
        if fid is not None and fid.isdigit():
            codes[int(fid)] = get_attr(item, b"formatCode") or "General"

    copied = [i for i in xfs if 0 < i < len(src_xfs)]
    heads = {}
    for i in copied:
        item = src_xfs[i]
        heads[i] = item[:item.index(b">") + 1]

    def ref(i: int, name: bytes) -> int:
        value = get_attr(heads[i], name)
        return int(value) if value and value.isdigit() else 0

    fmt_ids = _number_formats(styles, [codes[ref(i, b"numFmtId")] for i in copied if ref(i, b"numFmtId") in codes])

    def parts(name: bytes, items: list, keep: tuple) -> dict:
        """{source id: target id} of the fonts, fills or borders the copied xfs use."""
        wanted = sorted({ref(i, name) for i in copied} - set(keep))
        wanted = [k for k in wanted if k < len(items)]
        local = {b"fontId": (b"fonts", b"font"), b"fillId": (b"fills", b"fill"),
                 b"borderId": (b"borders", b"border")}[name]
        ids = _indexes(styles, *local, [reprefix(items[k], sp, p) for k in wanted], b"") if wanted else []
        return {**{k: k for k in keep}, **dict(zip(wanted, ids))}

    fonts = parts(b"fontId", src_fonts, ())
    fills = parts(b"fillId", src_fills, (0, 1))
    borders = parts(b"borderId", src_borders, (0,))

    xf_map = {i: 0 for i in xfs}
    section = styles.section(b"cellXfs", b'<%sxf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' % p)
    existing = {}
    for k, (_, _, item) in enumerate(_items(styles.xml, p, section, b"xf")):
        existing.setdefault(item, k)
    count = len(_items(styles.xml, p, section, b"xf"))
    new = []
    for i in copied:
        fmt = ref(i, b"numFmtId")
        attrs = {"numFmtId": str(fmt_ids.get(codes[fmt], 0) if fmt in codes else fmt),
                 "fontId": str(fonts.get(ref(i, b"fontId"), 0)), "fillId": str(fills.get(ref(i, b"fillId"), 0)),
                 "borderId": str(borders.get(ref(i, b"borderId"), 0)), "xfId": "0"}
        head = set_attrs(reprefix(heads[i], sp, p), attrs)
        body = _EXT_LST.sub(b"", reprefix(src_xfs[i][len(heads[i]):], sp, p))
        if head.endswith(b"/>") or not re.search(rb"<(?!/)", body):
            item = head if head.endswith(b"/>") else head[:-1].rstrip() + b"/>"
        else:
            item = head + body
        if item not in existing:
            existing[item] = count + len(new)
            new.append(item)
        xf_map[i] = existing[item]
    if new:
        styles.append(b"cellXfs", b"xf", b"".join(new))

    dxf_map = {}
    src_dxfs = _section_items(src, b"dxfs", b"dxf")
    wanted = [i for i in dxfs if i < len(src_dxfs)]
    if wanted:
        items = [_dxf_number_format(styles, reprefix(src_dxfs[i], sp, p)) for i in wanted]
        dxf_map = dict(zip(wanted, _indexes(styles, b"dxfs", b"dxf", items, b"")))
    return styles.xml, xf_map, dxf_map


def _dxf_number_format(styles: _Styles, dxf: bytes) -> bytes:
    """A dxf whose number format has the id its code has in the target (added there if new),
    so that one id never means two codes in one styles part."""
    m = re.search(rb"<%snumFmt(?=[\s/>])[^>]*>" % re.escape(styles.p), dxf)
    code = None if m is None else get_attr(m.group(0), b"formatCode")
    if code is None:
        return dxf
    fmt = _number_formats(styles, [code])[code]
    return dxf[:m.start()] + set_attrs(m.group(0), {"numFmtId": str(fmt)}) + dxf[m.end():]

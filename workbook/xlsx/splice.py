"""Byte-level helpers for editing package parts in place: tags, attributes, escapes, cell references.

The writers of this package never re-serialise a part they did not generate. They find
the few elements they change with regular expressions over the part's bytes and splice
new bytes in, so that every other byte (namespace prefixes, attribute order and quotes,
extensions, whitespace) stays exactly as Excel or another program wrote it.

Assumptions, which hold for every part Excel, LibreOffice, openpyxl and XlsxWriter write:
the parts are UTF-8, element names are matched with the prefix the root element uses for
its own namespace, and no comment or CDATA section holds markup that looks like an element.
"""
from __future__ import annotations

import re
from xml.sax.saxutils import escape as _sax_escape

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
DOC_REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_DOC_REL_NS = b"http://purl.oclc.org/ooxml/officeDocument/relationships"
PKG_REL_NS = b"http://schemas.openxmlformats.org/package/2006/relationships"

CELL_LIMIT = 32_767  # Characters (UTF-16 code units) Excel keeps in a cell.

_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)(\s[^>]*)?/?>")
_XMLNS = re.compile(rb"""xmlns(?::([\w.-]+))?\s*=\s*(["'])(.*?)\2""", re.S)


class SpliceError(ValueError):
    """A part does not have the structure an edit needs (an element missing, rows out of order)."""


def root(xml: bytes) -> tuple[int, int, bytes, bytes]:
    """The root element's start tag: (start, end, prefix with its colon or b'', local name)."""
    pos = 0
    while True:
        m = _ROOT.search(xml, pos)
        if m is None:
            raise SpliceError("no root element")
        # Skip the XML declaration, processing instructions and comments before the root.
        if xml[m.start() + 1:m.start() + 2] in (b"?", b"!"):
            pos = m.end()
            continue
        before = xml.rfind(b"<!--", 0, m.start())
        if before != -1 and xml.find(b"-->", before) > m.start():
            pos = xml.find(b"-->", before) + 3
            continue
        return m.start(), m.end(), m.group(1) or b"", m.group(2)


def namespaces(tag: bytes) -> dict[bytes, bytes]:
    """The namespace declarations of a start tag: {prefix (b'' for the default): uri}."""
    return {(m.group(1) or b""): m.group(3) for m in _XMLNS.finditer(tag)}


def prefix_for(tag: bytes, *uris: bytes) -> bytes | None:
    """The prefix (with its colon, b'' for the default namespace) a start tag binds to one of uris."""
    for prefix, uri in namespaces(tag).items():
        if uri in uris:
            return prefix + b":" if prefix else b""
    return None


def attr_pattern(name: bytes) -> re.Pattern:
    """A pattern for one attribute (its name exactly, prefix included) in a start tag."""
    return re.compile(rb"""(?<![\w:.-])%s\s*=\s*(["'])(.*?)\1""" % re.escape(name), re.S)


_ATTR_CACHE: dict[bytes, re.Pattern] = {}


def _attr_re(name: bytes) -> re.Pattern:
    pattern = _ATTR_CACHE.get(name)
    if pattern is None:
        pattern = _ATTR_CACHE[name] = attr_pattern(name)
    return pattern


def get_attr(tag: bytes, name: bytes) -> str | None:
    """An attribute's value, with XML escapes undone; None when the tag has no such attribute."""
    m = _attr_re(name).search(tag)
    return None if m is None else unescape(m.group(2).decode("utf-8"))


def set_attrs(tag: bytes, attrs: dict) -> bytes:
    """A start tag with attributes set (str values, escaped here) or removed (None).

    An attribute already there keeps its place and quotes; a new one goes at the end of the
    tag. Every other byte of the tag is kept.
    """
    for name, value in attrs.items():
        key = name if isinstance(name, bytes) else name.encode()
        m = _attr_re(key).search(tag)
        if value is None:
            if m is not None:
                start = m.start()
                while start > 0 and tag[start - 1:start] in b" \t\r\n":
                    start -= 1
                tag = tag[:start] + tag[m.end():]
            continue
        text = escape_attr(str(value))
        if m is not None:
            quote = m.group(1)
            if quote == b"'":
                text = text.replace(b"'", b"&apos;")
            tag = tag[:m.start(2)] + text + tag[m.end(2):]
        else:
            end = len(tag) - (2 if tag.endswith(b"/>") else 1)
            while end > 0 and tag[end - 1:end] in b" \t\r\n":
                end -= 1
            tag = tag[:end] + b" %s=\"%s\"" % (key, text) + tag[end:]
    return tag


def element_pattern(prefix: bytes, local: bytes) -> re.Pattern:
    """A pattern for the start tag of an element: group 1 its attributes, group 2 b'/' when empty."""
    return re.compile(rb"<%s%s(?=[\s/>])([^>]*?)(/?)>" % (re.escape(prefix), re.escape(local)), re.S)


def find_element(xml: bytes, prefix: bytes, local: bytes, start: int = 0, end: int | None = None):
    """The first element named local: (start, end of start tag, end of element) or None.

    For an empty element (`<x/>`) the end of the start tag is the end of the element. The
    element must not contain another element of the same name.
    """
    end = len(xml) if end is None else end
    m = element_pattern(prefix, local).search(xml, start, end)
    if m is None:
        return None
    if m.group(2):
        return m.start(), m.end(), m.end()
    close = xml.find(b"</%s%s>" % (prefix, local), m.end(), end)
    if close == -1:
        raise SpliceError(f"<{(prefix + local).decode()}> is not closed")
    return m.start(), m.end(), close + len(prefix) + len(local) + 3


def set_element_attrs(xml: bytes, local: str, attrs: dict, *, within: str | None = None) -> bytes:
    """Set or remove attributes of the first element named local (optionally inside the first
    element named within), splicing its start tag only; raises SpliceError when it is missing."""
    _, _, prefix, _ = root(xml)
    start, end = 0, len(xml)
    if within is not None:
        outer = find_element(xml, prefix, within.encode())
        if outer is None:
            raise SpliceError(f"no <{within}> element")
        start, end = outer[0], outer[2]
    found = find_element(xml, prefix, local.encode(), start, end)
    if found is None:
        raise SpliceError(f"no <{local}> element")
    tag = xml[found[0]:found[1]]
    return xml[:found[0]] + set_attrs(tag, attrs) + xml[found[1]:]


def open_empty(xml: bytes, start: int, end: int, prefix: bytes, local: bytes) -> tuple[bytes, int]:
    """Turn the empty element xml[start:end] (`<x .../>`) into `<x ...></x>`; returns the new
    bytes and the position between the two tags."""
    tag = xml[start:end]
    opened = tag[:-2].rstrip() + b">"
    return xml[:start] + opened + b"</%s%s>" % (prefix, local) + xml[end:], start + len(opened)


# Text.

def escape_text(text: str) -> bytes:
    """Character data for an element, XML-escaped."""
    return _sax_escape(text).encode("utf-8")


def escape_attr(text: str) -> bytes:
    """An attribute value for double quotes, XML-escaped (line breaks and tabs as references)."""
    return _sax_escape(text, {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}).encode("utf-8")


_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def unescape(text: str) -> str:
    """XML character data or an attribute value with entity and character references undone."""
    if "&" not in text:
        return text

    def one(m):
        ref = m.group(1)
        if ref[0] != "#":
            return _NAMED[ref]
        return chr(int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:]))

    return _ENTITY.sub(one, text)


# Characters XML 1.0 cannot hold, and carriage returns (which XML parsers turn into line
# feeds): Excel writes them as _xHHHH_. Lone surrogates cannot be encoded at all.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\r\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LITERAL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")


def excel_text(text: str, limit: int = CELL_LIMIT) -> str:
    """Text as Excel stores it in a cell's XML: at most `limit` characters (UTF-16 code units,
    as Excel counts them, never splitting a surrogate pair), a literal '_x0041_' kept literal by
    escaping its underscore ('_x005F_x0041_'), and characters XML cannot hold as '_xHHHH_'.
    Lone surrogates, which no encoding can carry, become U+FFFD."""
    if _SURROGATE.search(text):
        # Pairs that are valid survive the round trip; lone halves become U+FFFD.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if len(text) > limit // 2:
        units = text.encode("utf-16-le")
        if len(units) > 2 * limit:
            cut = units[:2 * limit]
            if 0xD800 <= int.from_bytes(cut[-2:], "little") <= 0xDBFF:
                cut = cut[:-2]  # Do not split a surrogate pair.
            text = cut.decode("utf-16-le")
    if "_x" in text:
        text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    return _ILLEGAL.sub(lambda m: "_x%04X_" % ord(m.group()), text)


# Anything excel_text would change, apart from length: checked over many texts joined by NUL.
_CHANGED = re.compile("[\x01-\x08\x0b\x0c\r\x0e-\x1f\ufffe\uffff\ud800-\udfff]|_x")


def excel_texts(texts: list, limit: int = CELL_LIMIT) -> list:
    """excel_text of each text, at once: the texts themselves when none needs a change (the usual
    case: one search over all of them joined instead of three per text)."""
    if not texts:
        return []
    joined = "\x00".join(texts)
    if joined.count("\x00") == len(texts) - 1 and not _CHANGED.search(joined) and \
            max(map(len, texts)) <= limit // 2:
        return list(texts)
    return [excel_text(t, limit) for t in texts]


def escape_texts(texts: list) -> list:
    """escape_text of each text, at once. The texts must be as excel_text leaves them (no NUL)."""
    if not texts:
        return []
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:
        return [escape_text(t) for t in texts]
    return _sax_escape(joined).encode("utf-8").split(b"\x00")


def name_text(text: str) -> str:
    """Text for a name attribute (a table column's name): control characters, line breaks and
    tabs as '_xHHHH_', as Excel writes them there."""
    if "_x" in text:
        text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    return re.sub("[\x00-\x1f\ufffe\uffff]", lambda m: "_x%04x_" % ord(m.group()), text)


# Cell references.

_LETTERS = [""]


def col_letter(col: int) -> str:
    """1 -> 'A', 27 -> 'AA', 16384 -> 'XFD'."""
    if not 1 <= col <= 16384:
        raise ValueError(f"column {col} is outside Excel's 1..16384")
    while len(_LETTERS) <= col:
        n, letters = len(_LETTERS), ""
        while n:
            n, r = divmod(n - 1, 26)
            letters = chr(65 + r) + letters
        _LETTERS.append(letters)
    return _LETTERS[col]


def col_number(letters: str) -> int:
    """'A' -> 1, 'XFD' -> 16384 (case-insensitive)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)$")


def parse_ref(ref: str) -> tuple[int, int]:
    """'B3' -> (3, 2): (row, column)."""
    m = _REF.match(ref.strip())
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_number(m.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'B3:K6' -> (3, 2, 6, 11): first row, first column, last row, last column ('B3' is B3:B3)."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_ref(first)
    r2, c2 = parse_ref(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def cell_ref(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


def range_ref(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    """(3, 2, 6, 11) -> 'B3:K6'; a single cell is written as 'B3'."""
    if (first_row, first_col) == (last_row, last_col):
        return cell_ref(first_row, first_col)
    return f"{cell_ref(first_row, first_col)}:{cell_ref(last_row, last_col)}"

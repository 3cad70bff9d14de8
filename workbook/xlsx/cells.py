"""Cell values of a rectangle of a worksheet, read from its XML as Excel last calculated them.

`read_values(package, sheet_part, min_row, min_col, max_row, max_col)` gives the
rows of the rectangle as lists of values, the way workbook/filebook.py's
FileBook.read gives them through openpyxl (`values_only`, with
workbook/openpyxl_fixes.py applied):

* shared and inline strings as text (rich text runs joined, phonetic runs left
  out), with Excel's `_xHHHH_` escapes undone; an empty string stays '';
* numbers as int when written without a point or exponent, else as float;
* numbers in a date-styled cell (styles.py) as datetime, or time below one day,
  or timedelta for a duration format, in the 1900 or the 1904 date system; a
  serial no date can be stays a number (openpyxl_fixes.NotADate, a float);
* t="b" as bool, t="e" as the error text ('#N/A'), t="d" as an ISO date;
* a formula cell as its cached value (a t="str" cached string too);
* None where the sheet has no cell or the cell no value.

Rows are returned from min_row down to the last row, at most max_row, that
holds a cell (in any column): rows below are empty, and a table resized to row
1,048,576 over a few leads costs those few rows. Each row has
max_col - min_col + 1 values. `formula_cells` says which cells hold a formula.

How it reads. The sheet's XML is streamed in 4 MiB blocks, never held whole,
and reading stops at the first row below max_row. Rows are found with
bytes.find and the cells of a row by one regular expression for the forms
Excel, LibreOffice, openpyxl and XlsxWriter write (`<c r="B2" s="1"
t="s"><v>7</v></c>`, with or without a formula before the value). Anything
else (other attribute orders, missing r=, inline strings, namespace prefixes)
still goes through the expression's general branch; XML it does not read
(comments, CDATA, processing instructions inside the cells, another encoding,
a DOCTYPE, cells it could not count) makes the whole sheet go through the
slower defusedxml streaming parser, which gives the same values.

Why this reader (benchmarks/bench_read.py, 2 cores, values of the whole
leads table, seconds and peak memory of the read):

                                             100,000 leads (35 columns)  41,188 bank rows (21 columns)
  this scanner (read_values)                   2.2 s     ~110 MB            0.43 s     ~20 MB
  python-calamine 0.9 (whole sheet)            3.2 s     ~230 MB            0.56 s     ~40 MB
  openpyxl 3.1 read-only, values_only         13.3 s      ~30 MB            3.4 s      ~15 MB
  the defusedxml streaming parser (fallback)  10.8 s      ~85 MB            2.5 s      ~25 MB

(see the benchmark's output for the figures of a run; memory is the read's
peak above what the process held before.) python-calamine is a Rust library but
not faster here: it parses the whole sheet and the whole string table into
Rust values and then copies them into Python objects, and it would still need
a second pass: it gives every number as a float (2.0 for 2), no NotADate, no
formulas (`formula_cells`), by sheet name only, and no table definitions. A
streaming lxml parse costs a Python object per element (about 11 s for the
100,000 leads), as does the stdlib parser used for the fallback. So the
scanner, with no new dependency.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from functools import lru_cache
from xml.etree import ElementTree as ET

import numpy as np
from defusedxml import DTDForbidden

from .overlap import ReadAhead

_CHUNK = 1 << 22  # Bytes of sheet XML decompressed at a time.
_READ_AHEAD = 1 << 24  # Sheets bigger than this are decompressed by a thread ahead of the parser.

MAIN_NAMESPACES = (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                   b"http://purl.oclc.org/ooxml/spreadsheetml/main")

# Kinds of cell, from its t= attribute and, for numbers, its style.
NUMBER, DATE, DURATION, SHARED, STR, BOOL, ERROR, INLINE, ISO, OTHER = range(10)
_TYPES = {"n": NUMBER, "s": SHARED, "str": STR, "b": BOOL, "e": ERROR, "inlineStr": INLINE, "d": ISO}

_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ENTITY = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(r"\s*([A-Za-z]{1,3})(\d+)\s*$")
_XML_DECL = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([^"']+)""")
_ROOT = re.compile(rb"<(?![?!])(?:([\w.-]+):)?([\w.-]+)([^>]*)>")
_UNREAD = (b"<!", b"<?")  # XML the scanner does not read between cells: comments, CDATA, instructions.


class _Fallback(Exception):
    """The scanner met XML it does not read: the part is read by the streaming parser instead."""


# Public functions.

def read_values(package, sheet_part: str, min_row: int, min_col: int, max_row: int, max_col: int, *,
                formulas: set | None = None) -> list[list]:
    """The values of a rectangle (1-based, inclusive), as rows of values (see the module's docstring).

    With `formulas`, a set, the (row, column) of every cell of the rectangle
    that holds a formula is added to it, in the same pass.
    """
    reader = _Reader(package, sheet_part, min_row, min_col, max_row, max_col, True, formulas)
    return reader.run()


def formula_cells(package, sheet_part: str, rows, min_col: int, max_col: int) -> set[tuple[int, int]]:
    """The (row, column) of the cells holding a formula, in a row (an int) or rows (any iterable of ints),
    between min_col and max_col. Shared formulas count in every cell they fill; the cached values of an
    array formula's other cells do not."""
    wanted = {rows} if isinstance(rows, int) else set(rows)
    if not wanted:
        return set()
    found: set = set()
    _Reader(package, sheet_part, min(wanted), min_col, max(wanted), max_col, False, found).run()
    return {cell for cell in found if cell[0] in wanted}


def shared_strings(package) -> list[str]:
    """The workbook's shared strings as text (kept on the package once read)."""
    memo = package._memo
    if "shared_strings" not in memo:
        part = package.shared_strings_part
        if part is None or part not in package:
            memo["shared_strings"] = []
        else:
            data = package.read(part)
            try:
                memo["shared_strings"] = _strings_fast(data)
            except _Fallback:
                memo["shared_strings"] = _strings_slow(data)
    return memo["shared_strings"]


def dimension(package, sheet_part: str) -> str | None:
    """The ref of a worksheet's dimension element ('A1:AI100001'), as written (it may be missing or stale)."""
    with package.open_member(sheet_part) as stream:
        head = b""
        while b"sheetData" not in head and len(head) < 1 << 24 and (chunk := stream.read(1 << 16)):
            head += chunk
    if not is_utf8(head):
        return None  # Not what Excel writes; the cells are still read (by the parser).
    match = re.search(rb"""<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*["']([^"']*)""", head)
    return match.group(1).decode() if match else None


# Text.

def unescape(text: str) -> str:
    """Excel's escapes undone: '1_x000B_200' -> '1\\x0b200', '_x005F_x000B_' -> '_x000B_'
    (as workbook/openpyxl_fixes.unescape)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _entity(match) -> str:
    hex_code, dec_code, name = match.groups()
    if name:
        return _NAMED[name]
    return chr(int(hex_code, 16) if hex_code else int(dec_code))


def _text(raw: bytes) -> str:
    """Character data of the XML as a parser gives it (line ends normalised, references resolved),
    then Excel's escapes undone."""
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    if "_x" in text:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


# Values.

def _number(v):
    """openpyxl's _cast_number: a float when written with a point or an exponent, else an int."""
    point, upper, lower = (b".", b"E", b"e") if isinstance(v, bytes) else (".", "E", "e")
    if point in v or upper in v or lower in v:
        return float(v)
    try:
        return int(v)
    except ValueError:
        return float(v)  # 'NaN', 'INF': not what Excel writes, but numbers all the same.


def _from_excel(value, epoch: dt.datetime, duration: bool):
    """A date serial as openpyxl.utils.datetime.from_excel reads it (time below one day)."""
    if duration:
        td = dt.timedelta(days=value)
        if td.microseconds:
            td = dt.timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = dt.timedelta(milliseconds=round(fraction * 86400 * 1000))
    if 0 <= value < 1 and diff.days == 0:
        mins, seconds = divmod(diff.seconds, 60)
        hours, mins = divmod(mins, 60)
        return dt.time(hours, mins, seconds, diff.microseconds)
    if 0 < value < 60 and epoch is _EPOCH_1900:
        day += 1  # Excel's 1900-02-29, which never was: serials below 60 are a day early.
    return epoch + dt.timedelta(days=day) + diff


def _date(value, epoch, duration: bool):
    """A number of a date-styled cell as a date; one that no date can be stays the number."""
    try:
        return _from_excel(value, epoch, duration)
    except (OverflowError, ValueError):
        from ..openpyxl_fixes import NotADate  # Only here: it imports openpyxl.

        return NotADate(value)


def _iso(text: str):
    from openpyxl.utils.datetime import from_ISO8601  # Only for t="d" cells, which Excel rarely writes.

    try:
        return from_ISO8601(text)
    except ValueError:
        return text


def _value(kind: int, v, strings, epoch):
    """A cell's value from its kind and its <v> text (a str, or bytes still to decode)."""
    if isinstance(v, bytes):
        v = _text(v) if kind in (STR, ERROR, OTHER, ISO) else v.decode("utf-8")
    if not v:
        return None
    if kind == NUMBER:
        return _number(v)
    if kind in (DATE, DURATION):
        return _date(_number(v), epoch, kind == DURATION)
    if kind == SHARED:
        try:
            return strings[int(v)]
        except (IndexError, ValueError):
            return None  # A string the table does not hold: Excel would repair the file.
    if kind == BOOL:
        return v.strip() in ("1", "true")
    if kind == ISO:
        return _iso(v)
    return unescape(v) if kind == STR else v


def _kind(t: str | None, s: str | None, styles) -> int:
    """A cell's kind from its t= and s= attributes."""
    kind = _TYPES.get(t or "n", OTHER)
    if kind == NUMBER and s:
        try:
            style = int(s)
        except ValueError:
            return NUMBER
        if style in styles.date_styles:
            return DURATION if style in styles.timedelta_styles else DATE
    return kind


def _column(letters) -> int:
    """'A' -> 1, 'AI' -> 35 (bytes or str)."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + ord(ch) - 64
    return n


# The scanner's expressions, for the prefix that the sheet's XML gives the main namespace.

class _Patterns:
    def __init__(self, prefix: bytes):
        self.prefix = prefix
        p = re.escape(prefix)
        self.row_open = b"<" + prefix + b"row"
        self.row_close = b"</" + prefix + b"row>"
        self.data_close = b"</" + prefix + b"sheetData>"
        self.cell_opens = (b"<" + prefix + b"c ", b"<" + prefix + b"c>", b"<" + prefix + b"c/>")
        # A cell: column letters of r= when first, the other attributes, then either nothing (/>), or
        # an optional formula and a value, or any content (inline strings, other orders, extensions).
        self.cell = re.compile(
            rb"<" + p + rb"c(?: r=\"([A-Z]{1,3})\d+\")?([^>/]*)(?:/>|>(?:(<" + p + rb"f\b[^>]*?(?:/>|>[^<]*</"
            + p + rb"f>))?<" + p + rb"v>([^<]*)</" + p + rb"v></" + p + rb"c>|(.*?)</" + p + rb"c>))", re.S)
        self.first_ref = re.compile(rb"<" + p + rb"c\b[^>]*?\sr\s*=\s*[\"'][A-Za-z]{1,3}(\d+)")
        self.has_formula = re.compile(rb"<" + p + rb"f\b")
        self.value = re.compile(rb"<" + p + rb"v(?:\s[^>]*)?>([^<]*)</" + p + rb"v>")
        self.inline = re.compile(rb"<" + p + rb"is\b[^>]*?(?:/>|>(.*?)</" + p + rb"is>)", re.S)
        self.phonetic = re.compile(rb"<" + p + rb"rPh\b.*?</" + p + rb"rPh>", re.S)
        self.texts = re.compile(rb"<" + p + rb"t(?:\s[^>]*)?>([^<]*)</" + p + rb"t>")
        self.si = re.compile(
            rb"<" + p + rb"si(?:/>|>(?:<" + p + rb"t>([^<]*)</" + p + rb"t>|(.*?))</" + p + rb"si>)", re.S)
        self.si_opens = (b"<" + prefix + b"si>", b"<" + prefix + b"si/>")

    def rich_text(self, body: bytes) -> str:
        """The text of a string item's content (<t> alone, or runs): runs joined, phonetic runs left out."""
        if self.phonetic.search(body):
            body = self.phonetic.sub(b"", body)
        return _text(b"".join(self.texts.findall(body)))


@lru_cache(maxsize=8)
def _patterns(prefix: bytes) -> _Patterns:
    return _Patterns(prefix)


def is_utf8(head: bytes) -> bool:
    """Whether XML starting with these bytes is in UTF-8 (no UTF-16 mark, no other encoding declared)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    decl = _XML_DECL.match(head.lstrip(b"\xef\xbb\xbf"))
    return decl is None or decl.group(1).lower() in (b"utf-8", b"utf8")


def _check_encoding(head: bytes) -> None:
    if not is_utf8(head):
        raise _Fallback("encoding")


def _main_prefix(head: bytes, root_name: bytes) -> bytes:
    """The prefix of the main namespace on the root element (b'' or b'x:'); _Fallback if unusual."""
    _check_encoding(head)
    if b"<!DOCTYPE" in head:
        raise _Fallback("DOCTYPE")
    root = _ROOT.search(head)
    if root is None or root.group(2) != root_name or b"<!--" in head[:root.start()]:
        raise _Fallback("root")
    prefix = root.group(1) or b""
    declaration = b"xmlns:" + prefix if prefix else b"xmlns"
    for m in _ATTR.finditer(root.group(3)):
        if m.group(1) == declaration and (m.group(2) or m.group(3)) in MAIN_NAMESPACES:
            return prefix + b":" if prefix else b""
    raise _Fallback("namespace")


# Shared strings.

def _strings_fast(data: bytes) -> list[str]:
    prefix = _main_prefix(data[:4096], b"sst")
    if b"<!" in data or data.count(b"<?") > data[:64].count(b"<?xml"):
        raise _Fallback("unread XML")
    pat = _patterns(prefix)
    found = pat.si.findall(data)
    if len(found) != data.count(pat.si_opens[0]) + data.count(pat.si_opens[1]):
        raise _Fallback("string items not all read")
    if all(plain or not body for plain, body in found):  # No rich text: every string decoded at once.
        return _texts([plain for plain, _ in found])
    text, rich = _text, pat.rich_text
    return [text(plain) if plain or not body else rich(body) for plain, body in found]


def _texts(raws: list[bytes]) -> list[str]:
    """[_text(raw) for raw in raws], done on all of them joined by NUL, which XML cannot hold (where
    one does all the same, the pieces do not come out as many: then one by one)."""
    texts = _text(b"\0".join(raws)).split("\0")
    return texts if len(texts) == len(raws) else [_text(raw) for raw in raws]


def _strings_slow(data: bytes) -> list[str]:
    strings = []
    for _, el in _iterparse(io.BytesIO(data)):
        if _local(el.tag) == "si":
            strings.append(unescape(_element_text(el)))
            el.clear()
    return strings


def _iterparse(stream, chunk: int = 1 << 20):
    """The end events of a part's elements, from the standard library's C parser, with any DTD refused.

    Without a DTD no entity can be declared, so none can expand or reach outside: what defusedxml
    guards against (its own iterparse runs the pure-Python parser, ten times slower than this)."""
    parser = ET.XMLPullParser(events=("end",))
    data = stream.read(chunk)
    _refuse_dtd(data)
    while data:
        parser.feed(data)
        yield from parser.read_events()
        data = stream.read(chunk)
    parser.close()
    yield from parser.read_events()


def _refuse_dtd(head: bytes) -> None:
    """Raise defusedxml's DTDForbidden if a document type declaration comes before the root element."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[:len(head) // 2 * 2].decode("utf-16", "replace")
    else:
        text = head.decode("latin-1")
    at = 0
    while (at := text.find("<", at)) >= 0:
        if text.startswith("<?", at):
            at = text.find("?>", at)
        elif text.startswith("<!--", at):
            at = text.find("-->", at)
        elif text.startswith("<!", at):
            raise DTDForbidden(None, None, None)
        else:
            return  # The root element.
        if at < 0:
            break
    if "<!" in text:
        raise DTDForbidden(None, None, None)  # A prolog longer than the head: not what Excel writes.


refuse_dtd = _refuse_dtd  # For callers that check a part's head before reading it.


def _element_text(el) -> str:
    """The text of a string item element (si or is): <t>, then the <t> of each run."""
    parts = []
    for child in el:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


# The readers.

class _Reader:
    """One read of a rectangle: the fast scanner, or the streaming parser when the scanner declines."""

    def __init__(self, package, part, min_row, min_col, max_row, max_col, values: bool, formulas):
        self.package, self.part = package, part.strip("/")
        self.min_row, self.min_col = max(1, min_row), max(1, min_col)
        self.max_row, self.max_col = max_row, max_col
        self.width = max(0, max_col - self.min_col + 1)
        self.values, self.formulas = values, formulas
        self.strings = shared_strings(package) if values else []
        self.styles = package.styles
        self.epoch = _EPOCH_1904 if package.date1904 else _EPOCH_1900
        self.rows: list[list] = []
        # Kinds of cell by attribute text (b' s="3" t="s"'), kept while the package is open.
        self.kinds = package._memo.setdefault("cell kinds", {})
        self.dates: dict = {}  # Values of the date cells met, by their text (many share a stamp).
        self.blocks = True  # Whether blocks of plain rows go through the block reader (tests turn it off).

    @property
    def string_array(self):
        """The shared strings as a numpy array, for the block reader to index at once."""
        memo = self.package._memo
        if "string array" not in memo:
            memo["string array"] = np.array(self.strings + [None], dtype=object)[:-1]
        return memo["string array"]

    @property
    def style_kinds(self):
        """For each cell style index: NUMBER, DATE or DURATION, as a numpy array."""
        memo = self.package._memo
        if "style kinds" not in memo:
            styles = self.styles
            memo["style kinds"] = np.array(
                [DURATION if i in styles.timedelta_styles else DATE if i in styles.date_styles else NUMBER
                 for i in range(styles.cell_xfs_count)], dtype=np.int64)
        return memo["style kinds"]

    def run(self) -> list[list]:
        if self.max_row < self.min_row or self.width == 0:
            return []
        found = set() if self.formulas is not None else None
        try:
            self._fast(found)
        except _Fallback:
            self.rows, found = [], (set() if found is not None else None)
            self._slow(found)
        if found:
            self.formulas |= found
        return self.rows

    def _row(self, number: int) -> list:
        """The list for a row of the result, with the empty rows above it added (a row met again: the same)."""
        rows, width = self.rows, self.width
        if number - self.min_row < len(rows):
            return rows[number - self.min_row]
        while len(rows) < number - self.min_row:
            rows.append([None] * width)
        row = [None] * width
        rows.append(row)
        return row

    # The scanner.

    def _open(self):
        """The sheet's XML as a stream; a big one decompressed by a thread ahead of the parser."""
        stream = self.package.open_member(self.part)
        info = getattr(self.package, "info", None)
        member = info(self.part) if info is not None else None
        if member is not None and member.file_size > _READ_AHEAD:
            return ReadAhead(stream, _CHUNK)
        return stream

    def _fast(self, formulas) -> None:
        with self._open() as stream:
            buf = stream.read(_CHUNK)
            _check_encoding(buf)
            while True:
                start = re.search(rb"<(?:[\w.-]+:)?sheetData\b[^>]*?(/?)>", buf)
                if start is not None:
                    break
                chunk = stream.read(_CHUNK)
                if not chunk:
                    return  # No cells.
                buf += chunk
            prefix = _main_prefix(buf[:start.start()], b"worksheet")
            if not buf.startswith(b"<" + prefix + b"sheetData", start.start()):
                raise _Fallback("prefix")
            if start.group(1):
                return  # <sheetData/>
            self._scan(stream, buf, start.end(), _patterns(prefix), formulas)

    def _scan(self, stream, buf: bytes, pos: int, pat: _Patterns, formulas) -> None:
        min_row, max_row, min_col, max_col = self.min_row, self.max_row, self.min_col, self.max_col
        row_open, row_close, data_close = pat.row_open, pat.row_close, pat.data_close
        open_len, close_len = len(row_open), len(row_close)
        plain = not pat.prefix and self.blocks  # The block reader reads unprefixed XML.
        number = 0
        while True:
            end = buf.find(data_close, pos)
            limit = end if end >= 0 else len(buf)
            last = buf.rfind(row_close, pos, limit) if plain else -1
            if last >= 0:
                done, stop, last_row = _plain_block(self, buf, pos, last + close_len, formulas)
                if stop:
                    return
                if done:
                    pos, number = last + close_len, last_row or number
            for token in _UNREAD:
                if buf.find(token, pos, limit) >= 0:
                    raise _Fallback("unread XML")
            while True:
                i = buf.find(row_open, pos, limit)
                if i < 0:
                    break
                j = buf.find(b">", i, limit)
                if j < 0:
                    break
                empty = buf[j - 1] == 47  # '/': <row r="5"/>
                if empty:
                    k = nxt = j + 1
                else:
                    k = buf.find(row_close, j, limit)
                    if k < 0:
                        break
                    nxt = k + close_len
                attrs = buf[i + open_len:j - 1 if empty else j]
                if attrs[:4] == b' r="':
                    number = int(attrs[4:attrs.index(b'"', 4)])
                else:
                    number = self._row_number(attrs, buf, j + 1, k, pat, number)
                if number > max_row:
                    return
                if number >= min_row and not empty and k > j + 1:
                    self._cells(buf, j + 1, k, number, pat, formulas, min_col, max_col)
                pos = nxt
            if end >= 0:
                return
            chunk = stream.read(_CHUNK)
            if not chunk:
                return  # A part cut short: what it holds is read.
            buf = buf[pos:] + chunk
            pos = 0

    @staticmethod
    def _row_number(attrs: bytes, buf: bytes, start: int, end: int, pat: _Patterns, previous: int) -> int:
        """A row's number from r= in any form, else its first cell's reference, else the next one."""
        for m in _ATTR.finditer(attrs):
            if m.group(1) == b"r":
                return int(float(m.group(2) or m.group(3)))
        ref = pat.first_ref.search(buf, start, end)
        return int(ref.group(1)) if ref else previous + 1

    def _cells(self, buf, start, end, number, pat, formulas, min_col, max_col) -> None:
        """Read the cells of one row (buf[start:end], between its tags) into the result."""
        found = pat.cell.findall(buf, start, end)
        opens = pat.cell_opens
        if len(found) != buf.count(opens[0], start, end) and len(found) != (
                buf.count(opens[0], start, end) + buf.count(opens[1], start, end)
                + buf.count(opens[2], start, end)):
            raise _Fallback("cells not all read")
        if not found:
            return  # Only white space: the row holds no cell.
        kinds, columns, strings, dates = self.kinds, _COLUMNS, self.strings, self.dates
        want_formulas, values = formulas is not None, self.values
        row = self._row(number) if values else None
        col = 0
        # The loop every cell goes through: kept to dictionary look-ups and the common kinds.
        for letters, attrs, formula, v, body in found:
            if letters:
                col = columns[letters]
            else:
                col += 1
            try:
                kind = kinds[attrs]
            except KeyError:
                kind, ref = self._attr_kind(attrs)
                if ref is None:
                    kinds[attrs] = kind
                else:
                    col = ref
            if col < min_col or col > max_col:
                continue
            if body:
                formula = pat.has_formula.match(body)
                if kind == INLINE:
                    if formula and want_formulas:
                        formulas.add((number, col))
                    if values:
                        inline = pat.inline.search(body)
                        row[col - min_col] = None if inline is None else pat.rich_text(inline.group(1) or b"")
                    continue
                m = pat.value.search(body)
                v = m.group(1) if m else b""
            if formula and want_formulas:
                formulas.add((number, col))
            if not v or not values:
                continue
            if kind == SHARED:
                try:
                    row[col - min_col] = strings[int(v)]
                except (IndexError, ValueError):
                    pass  # A string the table does not hold: Excel would repair the file.
            elif kind == NUMBER:
                row[col - min_col] = int(v) if v.isdigit() else _number(v)
            elif kind == DATE:
                try:
                    row[col - min_col] = dates[v]
                except KeyError:
                    row[col - min_col] = dates[v] = _value(kind, v, strings, self.epoch)
            else:
                row[col - min_col] = _value(kind, v, strings, self.epoch)

    def _attr_kind(self, attrs: bytes) -> tuple[int, int | None]:
        """The kind of cell an attribute text gives, and the column of an r= it holds (else None)."""
        found = {m.group(1): (m.group(2) if m.group(2) is not None else m.group(3)).decode("utf-8")
                 for m in _ATTR.finditer(attrs)}
        ref = found.get(b"r")
        col = None
        if ref is not None:
            m = _REF.match(ref)
            col = _column(m.group(1)) if m else None
        return _kind(found.get(b"t"), found.get(b"s"), self.styles), col

    # The streaming parser.

    def _slow(self, formulas) -> None:
        """The same read through the streaming parser (any namespace prefix, encoding, comments)."""
        max_row = self.max_row
        number = 0
        with self.package.open_member(self.part) as stream:
            for _, el in _iterparse(stream):
                tag = el.tag
                if tag in _ROW_TAGS:
                    r = el.get("r")
                    if r is not None:
                        number = int(float(r))
                    else:
                        first = next((c.get("r") for c in el if c.get("r")), None)
                        m = _REF.match(first) if first else None
                        number = int(m.group(2)) if m else number + 1
                    if number > max_row:
                        return
                    if number >= self.min_row and any(child.tag in _CELL_TAGS for child in el):
                        self._slow_row(number, el, formulas)
                    el.clear()
                elif tag in _DATA_TAGS:
                    return

    def _slow_row(self, number, row_el, formulas) -> None:
        min_col, max_col = self.min_col, self.max_col
        row = self._row(number) if self.values else None
        col = 0
        for c in row_el:
            if c.tag not in _CELL_TAGS:
                continue
            ref = c.get("r")
            m = _REF.match(ref) if ref else None
            col = _column(m.group(1)) if m else col + 1
            if col < min_col or col > max_col:
                continue
            v = inline = None
            has_formula = False
            for child in c:
                name = child.tag
                if name in _V_TAGS:
                    v = child.text or "" if v is None else v
                elif name in _F_TAGS:
                    has_formula = True
                elif name in _IS_TAGS and inline is None:
                    inline = child
            if has_formula and formulas is not None:
                formulas.add((number, col))
            if not self.values:
                continue
            kind = _kind(c.get("t"), c.get("s"), self.styles)
            if kind == INLINE:
                row[col - min_col] = None if inline is None else unescape(_element_text(inline))
            elif v is not None:
                row[col - min_col] = _value(kind, v, self.strings, self.epoch)


def _tags(name: str) -> frozenset:
    """An element's tag in each main namespace, as ElementTree spells it."""
    return frozenset("{%s}%s" % (ns.decode(), name) for ns in MAIN_NAMESPACES)


_ROW_TAGS, _CELL_TAGS, _DATA_TAGS = _tags("row"), _tags("c"), _tags("sheetData")
_V_TAGS, _F_TAGS, _IS_TAGS = _tags("v"), _tags("f"), _tags("is")


# The block reader: complete rows in the plain form, read with numpy a block at a time.

_PAD = b"\0" * 64  # Gathers look a few bytes past a tag; the pad keeps them inside the array.
_LT, _SLASH, _GT, _QUOTE, _SPACE, _EQ = 60, 47, 62, 34, 32, 61
_DECLINED = (False, False, 0)


def _digits(a, at, most: int):
    """The run of decimal digits starting at each position `at` of array a (at most `most` long):
    its length and its value. Each step looks only at the runs still going (most are short)."""
    length = np.zeros(len(at), np.int64)
    value = np.zeros(len(at), np.int64)
    going = np.arange(len(at))
    pos = np.asarray(at, dtype=np.int64)
    for _ in range(most):
        ch = a[pos].astype(np.int64) - 48
        ok = (ch >= 0) & (ch <= 9)
        if not ok.all():
            going, pos, ch = going[ok], pos[ok], ch[ok]
            if not len(going):
                break
        length[going] += 1
        value[going] = value[going] * 10 + ch
        pos = pos + 1
    return length, value


_MS_PER_DAY = 86400 * 1000
_LAST_SERIAL = 2958466  # 10000-01-01: the first serial no date is.


def _dates(text: bytes, starts, ends, epoch: dt.datetime):
    """Date serials (their text at starts:ends) as datetimes, at once: (which ones, their datetimes).
    Serials below 61 (a time, Excel's 1900-02-29, a day early) or beyond year 9999 are left to _value."""
    serial = np.array([text[a:b] for a, b in zip(starts.tolist(), ends.tolist())], dtype="S32").astype(float)
    ok = (serial >= 61) & (serial < _LAST_SERIAL)
    serial = serial[ok]
    # As openpyxl.utils.datetime.from_excel: whole days, then the fraction rounded to milliseconds.
    day = np.floor(serial)
    ms = np.rint(np.fmod(serial, 1) * 86400 * 1000).astype(np.int64)
    stamp = np.datetime64(epoch, "ms") + (day.astype(np.int64) * _MS_PER_DAY + ms).astype("timedelta64[ms]")
    return ok, stamp.astype("datetime64[us]").astype(object)


def _plain_block(reader, buf: bytes, start: int, end: int, formulas) -> tuple[bool, bool, int]:
    """Read the rows of buf[start:end] (complete rows, no namespace prefix) at once, when every tag there
    is a row, a cell, a value or a formula, every row is <row r="2"...> and every cell is
    <c r="B2"[ s="1"][ t="s|str|b|e|n"]>. Returns whether it read them, whether a row below max_row
    was met, and the number of the block's last row. Nothing is read otherwise (False, False, 0), and
    the row-by-row scanner reads the block instead."""
    a = np.frombuffer(buf[start:end] + _PAD, np.uint8)
    size = end - start
    lt = np.flatnonzero(a[:size] == _LT)
    if not len(lt):
        return True, False, 0
    c1, c2 = a[lt + 1], a[lt + 2]
    is_cell = (c1 == 99) & (c2 == _SPACE)  # <c
    is_v = (c1 == 118) & (c2 == _GT)  # <v>
    is_f = (c1 == 102) & ((c2 == _SPACE) | (c2 == _GT) | (c2 == _SLASH))  # <f
    is_row = (c1 == 114) & (c2 == 111) & (a[lt + 3] == 119)  # <row
    closing = (c1 == _SLASH) & ((c2 == 99) | (c2 == 118) | (c2 == 102) | (c2 == 114))  # </c </v </f </row
    if not (is_cell | is_v | is_f | is_row | closing).all():
        return _DECLINED  # Inline strings, extensions, comments...: not this reader's.
    rows_at = lt[is_row]
    if not ((a[rows_at + 4] == _SPACE) & (a[rows_at + 5] == 114) & (a[rows_at + 6] == _EQ)
            & (a[rows_at + 7] == _QUOTE)).all():
        return _DECLINED  # A row without r= first: its number depends on the rows before.
    block_last = 0
    if len(rows_at):
        length, number = _digits(a, rows_at[-1:] + 8, 8)
        block_last = int(number[0])
    cells = lt[is_cell]
    if not len(cells):
        return True, block_last > reader.max_row, block_last
    if not ((a[cells + 3] == 114) & (a[cells + 4] == _EQ) & (a[cells + 5] == _QUOTE)).all():
        return _DECLINED  # Not r= first.
    # The reference: one to three capital letters, then the row's digits, then the quote.
    at = cells + 6
    up = [(a[at + k] >= 65) & (a[at + k] <= 90) for k in range(4)]
    if not up[0].all() or (up[1] & up[2] & up[3]).any():
        return _DECLINED
    letters = 1 + up[1] + (up[1] & up[2])
    l0, l1, l2 = (a[at + k].astype(np.int64) - 64 for k in range(3))
    col = np.where(letters == 1, l0, np.where(letters == 2, l0 * 26 + l1, (l0 * 26 + l1) * 26 + l2))
    at = at + letters
    length, row = _digits(a, at, 8)
    at = at + length
    if not ((length > 0) & (a[at] == _QUOTE)).all():
        return _DECLINED
    at = at + 1
    # An optional s="digits", then an optional t= of one of the plain kinds.
    has_s = (a[at] == _SPACE) & (a[at + 1] == 115) & (a[at + 2] == _EQ) & (a[at + 3] == _QUOTE)
    s_len, style = _digits(a, at + 4, len(str(reader.styles.cell_xfs_count)) + 1)
    if not (~has_s | ((s_len > 0) & (a[at + 4 + s_len] == _QUOTE))).all():
        return _DECLINED
    at = np.where(has_s, at + 5 + s_len, at)
    has_t = (a[at] == _SPACE) & (a[at + 1] == 116) & (a[at + 2] == _EQ) & (a[at + 3] == _QUOTE)
    t0, t1 = a[at + 4], a[at + 5]
    one = has_t & (t1 == _QUOTE)
    is_str = has_t & (t0 == 115) & (t1 == 116) & (a[at + 6] == 114) & (a[at + 7] == _QUOTE)
    if not (~has_t | (one & ((t0 == 115) | (t0 == 98) | (t0 == 101) | (t0 == 110))) | is_str).all():
        return _DECLINED  # inlineStr, d or another kind.
    at = np.where(one, at + 6, np.where(is_str, at + 8, at))
    empty = (a[at] == _SLASH) & (a[at + 1] == _GT)
    if not (empty | (a[at] == _GT)).all():
        return _DECLINED  # Another attribute (cm=, vm=, ph=).
    # Rows must come in order, below the rows read so far.
    first_row = reader.min_row + len(reader.rows)
    if (np.diff(row) < 0).any():
        return _DECLINED
    stop = bool(row[-1] > reader.max_row)
    keep = (row >= reader.min_row) & (row <= reader.max_row)
    if not keep.any():
        return True, stop, block_last
    if row[keep][0] < first_row:
        return _DECLINED
    # The value: the first <v> after the cell's start and before the next cell's; empty <v></v> is no value.
    next_cell = np.append(cells[1:], size)
    vs = lt[is_v]
    j = np.searchsorted(vs, cells)
    v_at = vs[np.minimum(j, len(vs) - 1)] if len(vs) else np.zeros(len(cells), np.int64)
    has_v = (j < len(vs)) & (v_at < next_cell) & ~empty if len(vs) else np.zeros(len(cells), bool)
    v_start = v_at + 3
    v_end = lt[np.minimum(np.searchsorted(lt, v_start), len(lt) - 1)]
    has_v &= v_end > v_start
    in_cols = (col >= reader.min_col) & (col <= reader.max_col)
    if formulas is not None:
        fs = lt[is_f]
        if len(fs):
            jf = np.searchsorted(fs, cells)
            has_f = (jf < len(fs)) & (fs[np.minimum(jf, len(fs) - 1)] < next_cell) & keep & in_cols
            formulas.update(zip(row[has_f].tolist(), col[has_f].tolist()))
    if not reader.values:
        return True, stop, block_last
    # The rows from the next one of the result to the last one holding a cell (in any column).
    last = int(row[keep][-1])
    grid = np.empty((last - first_row + 1, reader.width), dtype=object)
    take = keep & in_cols & has_v
    r, c = row[take] - first_row, col[take] - reader.min_col
    starts, ends = v_start[take], v_end[take]
    typed, t_char = has_t[take], t0[take]
    kind = np.full(len(r), NUMBER)
    kind[typed & (t_char == 115)] = SHARED
    kind[is_str[take]] = STR
    kind[typed & (t_char == 98)] = BOOL
    kind[typed & (t_char == 101)] = ERROR
    number = kind == NUMBER
    if number.any():
        style_of = reader.style_kinds
        st = np.where(has_s[take], style[take], 0)
        st = np.where(st < len(style_of), st, 0)
        kind = np.where(number, style_of[st], kind)
    # Shared strings, whole numbers and dates, as arrays; any other value one by one.
    n_len, n_val = _digits(a, starts, min(16, int((ends - starts).max(initial=0))))
    whole = n_len == ends - starts
    shared = (kind == SHARED) & whole & (n_val < len(reader.strings))
    if shared.any():
        grid[r[shared], c[shared]] = reader.string_array[n_val[shared]]
    ints = (kind == NUMBER) & whole
    if ints.any():
        grid[r[ints], c[ints]] = n_val[ints]
    rest = ~(shared | ints)
    text = buf[start:end]
    dated = kind == DATE
    if dated.any():
        done = _dates(text, starts[dated], ends[dated], reader.epoch)
        grid[r[dated][done[0]], c[dated][done[0]]] = done[1]
        rest[np.flatnonzero(dated)[done[0]]] = False
    if rest.any():
        strings, epoch = reader.strings, reader.epoch
        for rr, cc, k, s0, s1 in zip(r[rest].tolist(), c[rest].tolist(), kind[rest].tolist(),
                                     starts[rest].tolist(), ends[rest].tolist()):
            v = text[s0:s1]
            grid[rr, cc] = _number(v) if k == NUMBER else _value(k, v, strings, epoch)
    reader.rows.extend(grid.tolist())
    return True, stop, block_last


def _all_columns() -> dict[bytes, int]:
    """Every column's letters (b'A' ... b'XFD') and number."""
    letters = [chr(65 + i).encode() for i in range(26)]
    two = [a + b for a in letters for b in letters]
    three = [a + b for a in two for b in letters]
    return {name: n for n, name in enumerate(letters + two + three, start=1)}  # Beyond XFD too: harmless.


_COLUMNS = _all_columns()


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""

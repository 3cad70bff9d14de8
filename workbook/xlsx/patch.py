"""Editing a worksheet's XML in place: the cells Lead Score owns are rewritten, every other byte kept.

`patch_cells(sheet_xml, {(row, col): Cell, ...})` and its column-wise twin `patch_columns`
return the sheet's XML with those cells written and everything else exactly as it was:
other cells, rows and their attributes, namespaces and their prefixes, `mc:Ignorable`,
`x14ac:dyDescent`, `xr:uid`, conditional formats, validations, extensions, whitespace.
The XML is never parsed into a tree and written back: one pass walks the rows of
`<sheetData>` with regular expressions, copies untouched stretches as slices and splices
new bytes in where a cell of ours goes.

* A written cell keeps its `s=` style unless the Cell gives one; it loses its type, its
  value, its formula and its cell/value metadata (`cm`, `vm`); other attributes stay.
* A blank Cell (value None) keeps the cell's style and drops its value; a blank cell with
  no style at all is removed, and none is created for it.
* Text goes in as an inline string (`t="inlineStr"`), or, given a SharedStrings, appended
  to the shared strings (existing strings are never reordered). It is XML-escaped; characters
  XML cannot hold are written as Excel writes them (`_xHHHH_`), and it is cut to Excel's
  32,767 characters. Text that starts with '=' stays text.
* Rows missing from the sheet are inserted in row order, cells in column order within a row;
  rows and cells without an `r=` attribute are placed by counting, as Excel does.
* `<dimension ref>` grows to cover the new cells; a touched row's `spans` are widened when a
  new cell falls outside them.
* A cell that held a formula and is now written loses it; such cells are returned so that
  their calcChain entries can be removed (`remove_calc_chain_cells`). When the master of a
  shared formula is overwritten, the cells that shared it and are not written get the
  formula itself, translated to their position.

Speed (2 cores, CPython 3.11, tests/test_xlsx_write.py::test_speed_full_sheet): writing 10
output columns (text and numbers, one of them with a new style) into all 1,048,576 rows of a
20-column sheet (775 MB of XML) takes about 29 s with iter_patch_columns when the columns are
there, and about 24 s when they are new (1.3 GB out); 20,000 rows take about 0.5 s. Rows
whose every cell starts `<c r="` (as Excel, LibreOffice, openpyxl and XlsxWriter write them)
have each run of adjacent columns spliced as one block; other rows are parsed cell by cell.
patch_cells (a Cell per cell) takes about three times as long per cell, plus the time to
build the Cells: it is for scattered cells, patch_columns for whole columns.
"""
from __future__ import annotations

import datetime as dt
import math
import operator
from collections import Counter
import re
from dataclasses import dataclass
from functools import partial
from typing import Iterable, Iterator, NamedTuple, Sequence

from .runs import find_runs, run_pattern
from .splice import (MAIN_NS, STRICT_MAIN_NS, SpliceError, cell_ref, col_letter, col_number,
                     escape_text, escape_texts, excel_text, excel_texts, find_element, get_attr, open_empty,
                     parse_range, prefix_for, range_ref, root, set_attrs, unescape)

KINDS = ("number", "text", "bool", "date", "formula", "blank")


@dataclass(frozen=True, slots=True)
class Cell:
    """What to write into one cell.

    value: a number, str, bool, date/datetime/time/timedelta, or None (blank). For kind
      "formula", the formula text (with or without its leading '=').
    kind: "number", "text", "bool", "date" (a date or a serial number, shown as a date by its
      style), "formula", "blank", or None to take it from the value's type. NaN is blank.
    style: the index of a cellXfs entry in styles.xml; None keeps the cell's own style (a new
      cell then gets no s=).
    cached: for a formula, the value shown until the formula is recalculated (optional).
    """

    value: object = None
    kind: str | None = None
    style: int | None = None
    cached: object = None


@dataclass(slots=True)
class Column:
    """One column written into consecutive rows (what a table's output column is), for patch_columns.

    values[i] goes to row first_row + i. kind and style apply to every cell (as for Cell);
    styles, when given, is a style per row (None keeps that cell's style) and wins over style.
    keep_blank: a blank value leaves an empty cell (`<c r="X5"/>`, its style kept) rather than
    none, so that the next patch of the column finds every cell of its rows in place and splices
    them as one block (where all columns share their rows; otherwise blanks leave no cell).
    """

    col: int
    first_row: int
    values: Sequence
    kind: str | None = None
    style: int | None = None
    styles: Sequence | None = None
    keep_blank: bool = False


class Patched(NamedTuple):
    """The patched sheet XML, and the (row, col) cells whose formula was removed."""

    xml: bytes
    formulas_removed: list


class PatchError(SpliceError):
    """The sheet XML cannot be patched: rows or cells out of order, no <sheetData>."""


# Dates.

_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_LEAP_BUG = dt.datetime(1900, 3, 1)


def date_serial(value, date1904: bool = False) -> float:
    """Excel's serial number of a date, datetime, time or timedelta (days; time as a fraction).

    The 1900 system counts Excel's phantom 29 February 1900, so dates before 1 March 1900
    are one day lower than the plain count from 30 December 1899.
    """
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError("Excel has no time zones: give a naive datetime")
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    else:
        raise TypeError(f"not a date: {value!r}")
    if date1904:
        delta = moment - _EPOCH_1904
    else:
        delta = moment - _EPOCH_1900
        if moment < _LEAP_BUG:
            delta -= dt.timedelta(days=1)
    serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return float(serial) if serial % 1 else serial


def date_serials(values: list, date1904: bool = False) -> list:
    """date_serial of many naive datetimes (or many dates) at once, equal to it value by value:
    the same sum of days, seconds and microseconds in floating point, done by numpy."""
    import numpy as np  # Only big columns of dates need it.

    moments = np.array(values, dtype="datetime64[us]").astype(np.int64)
    epoch = _EPOCH_1904 if date1904 else _EPOCH_1900
    micros = moments - int((epoch - dt.datetime(1970, 1, 1)) / dt.timedelta(microseconds=1))
    days, rest = np.divmod(micros, 86_400_000_000)
    if not date1904:
        days -= moments < int((_LEAP_BUG - dt.datetime(1970, 1, 1)) / dt.timedelta(microseconds=1))
    seconds, micro = np.divmod(rest, 1_000_000)
    return (days.astype(np.float64) + seconds / 86400 + micro / 86400e6).tolist()


# Values as XML.

def _number(value) -> bytes | None:
    """A number's <v> text, or None for NaN (blank)."""
    if isinstance(value, int) and -(1 << 53) <= value <= 1 << 53:
        return b"%d" % value
    value = float(value)
    if value != value:
        return None
    if math.isinf(value):
        raise ValueError("Excel cannot store an infinite number")
    if value.is_integer() and abs(value) < 1e15:
        return b"%d" % int(value)
    return repr(value).encode()


def _kind_of(value) -> str:
    if value is None:
        return "blank"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return "date"
    return "number"


def _plain(value):
    """numpy and pandas scalars as Python values; pandas' NaT and NA as None."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    if hasattr(value, "item") and not isinstance(value, (dt.date, dt.time, dt.timedelta)):
        try:
            return value.item()
        except (ValueError, TypeError):
            return value
    if type(value).__name__ == "Timestamp":
        return value.to_pydatetime()
    return value


class SharedStrings:
    """The shared strings part, to which new text is appended; existing strings keep their indexes.

    Built from the part's bytes (or None when the workbook has none: `xml()` then makes a new
    part, which the caller adds with its relationship and content type). `index(text)` gives
    the index of a plain string equal to text, appending it when there is none. `xml()`
    returns the part with the new `<si>` entries spliced in before `</sst>` and its
    `count`/`uniqueCount` updated; every existing byte stays.
    """

    _SI = re.compile(rb"<(?:[\w.-]+:)?si(?=[\s/>])[^>]*?(/?)>")

    def __init__(self, sst_xml: bytes | None = None, parsed: list[str] | None = None):
        """parsed: the part's strings as cells.shared_strings read them, when the caller has them
        (the lookup is then built from them where they cannot differ from the part's text)."""
        self.original = sst_xml
        self.parsed = parsed
        self._new: list[bytes] = []
        self._lookup: dict[str, int] | None = None
        self.refs_delta = 0  # References added minus references removed by patches.
        if sst_xml is None:
            self.prefix = b""
            self.existing = 0
            return
        _, _, self.prefix, local = root(sst_xml)
        if local != b"sst":
            raise SpliceError("not a shared strings part")
        p = self.prefix
        quick = sst_xml.count(b"<%ssi>" % p) + sst_xml.count(b"<%ssi/>" % p) + sst_xml.count(b"<%ssi " % p)
        # The entries counted by their usual opening tags when that agrees with the strings read.
        self.existing = quick if parsed is not None and quick == len(parsed) else \
            sum(1 for _ in self._SI.finditer(sst_xml))

    def __len__(self) -> int:
        return self.existing + len(self._new)

    def _build_lookup(self) -> dict[str, int]:
        parsed = self.parsed
        if parsed is not None and len(parsed) == self.existing and b"_x" not in (self.original or b"") and \
                not _RICH.search(self.original or b""):
            # Every entry is plain text with no escape of Excel's: its text as read is its key
            # (the first entry of a text wins, as below).
            n = len(parsed)
            lookup = dict(zip(reversed(parsed), range(n - 1, -1, -1)))
            lookup.pop("", None)  # An empty entry may be <t/>: not reused (the pattern below skips it).
            return lookup
        # Only plain strings (one <t>, no runs, no phonetics) can be reused for plain text.
        plain = re.compile(rb"<%ssi>\s*<%st(?:\s[^>]*)?>([^<]*)</%st>\s*</%ssi>|<%ssi(?=[\s/>])[^>]*?(/?)>"
                           % ((re.escape(self.prefix),) * 5), re.S)
        lookup: dict[str, int] = {}
        index = 0
        for m in plain.finditer(self.original or b""):
            if m.group(1) is not None:
                lookup.setdefault(unescape(m.group(1).decode("utf-8")), index)
            index += 1
        return lookup

    def index(self, text: str) -> int:
        """The index of text (already in Excel's form: see splice.excel_text), appended if new."""
        if self._lookup is None:
            self._lookup = self._build_lookup()
        found = self._lookup.get(text)
        if found is None:
            found = self._lookup[text] = len(self)
            p = self.prefix
            self._new.append(b'<%ssi><%st xml:space="preserve">%s</%st></%ssi>' % (p, p, escape_text(text), p, p))
        return found

    def indices(self, texts: list) -> list:
        """index() of each of texts (distinct, already in Excel's form), new ones appended in order."""
        if self._lookup is None:
            self._lookup = self._build_lookup()
        found = list(map(self._lookup.get, texts))
        new = [t for t, f in zip(texts, found) if f is None]
        if not new:
            return found
        first = len(self)
        numbers = iter(range(first, first + len(new)))
        self._lookup.update(zip(new, range(first, first + len(new))))
        p = self.prefix
        start, end = b'<%ssi><%st xml:space="preserve">' % (p, p), b"</%st></%ssi>" % (p, p)
        self._new.extend(start + e + end for e in escape_texts(new))
        return [f if f is not None else next(numbers) for f in found]

    def xml(self) -> bytes:
        """The part's bytes with the new strings appended."""
        if self.original is None:
            body = b"".join(self._new)
            n = len(self._new)
            refs = max(self.refs_delta, n)
            return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
                    b'<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>' % (MAIN_NS, refs, n, body))
        xml = self.original
        if not self._new and not self.refs_delta:
            return xml
        start, end, prefix, _ = root(xml)
        tag = xml[start:end]
        count = get_attr(tag, b"count")
        attrs = {"uniqueCount": str(len(self))} if get_attr(tag, b"uniqueCount") is not None else {}
        if count is not None and count.isdigit():
            attrs["count"] = str(max(int(count) + self.refs_delta, len(self)))
        new_tag = set_attrs(tag, attrs)
        body = b"".join(self._new)
        if tag.endswith(b"/>"):
            xml = xml[:start] + new_tag + xml[end:]
            xml, inside = open_empty(xml, start, start + len(new_tag), prefix, b"sst")
            return xml[:inside] + body + xml[inside:]
        close = xml.rfind(b"</%ssst>" % prefix)
        if close == -1:
            raise SpliceError("<sst> is not closed")
        return xml[:start] + new_tag + xml[end:close] + body + xml[close:]


# The sheet's structure.

_REF_ATTR = re.compile(rb"""(?<![\w:.-])r\s*=\s*["']\$?([A-Za-z]{1,3})\$?([0-9]+)["']""")
_ROWNUM_ATTR = re.compile(rb"""(?<![\w:.-])r\s*=\s*["']([0-9]+)["']""")
_SPANS_ATTR = re.compile(rb"""(?<![\w:.-])spans\s*=\s*["']([^"']*)["']""")
# The usual attributes of a cell as Excel writes them: r, then s, then t.
_CANONICAL = re.compile(rb'\s*r="[A-Z]{1,3}[0-9]+"(?:\s+s="([0-9]+)")?(?:\s+t="([a-zA-Z]+)")?\s*')
_ANY_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(["'])(.*?)\2""", re.S)
_DROPPED = {b"r", b"s", b"t", b"cm", b"vm"}


class _Sheet:
    """The prefix and compiled patterns for one sheet's XML."""

    def __init__(self, xml: bytes):
        start, end, prefix, local = root(xml)
        if local != b"worksheet":
            raise PatchError(f"not a worksheet: root element <{local.decode()}>")
        main = prefix_for(xml[start:end], MAIN_NS, STRICT_MAIN_NS)
        self.prefix = prefix if main is None else main
        p = re.escape(self.prefix)
        self.row = re.compile(rb"<%srow(?=[\s/>])([^>]*?)(/?)>" % p, re.S)
        self.cell = re.compile(rb"<%sc(?=[\s/>])([^>]*?)(/?)>" % p, re.S)
        self.row_close = b"</%srow>" % self.prefix
        self.cell_close = b"</%sc>" % self.prefix
        self.formula = re.compile(rb"<%sf(?=[\s/>])([^>]*?)(/?)>(?:(.*?)</%sf>)?" % (p, p), re.S)
        self.any_cell = re.compile(rb"<%sc[\s/>]" % p)


# Plans: the cells to write, row by row.

class _Plan:
    """Targets row by row: rows (sorted) and, for each, a list of (col, value, kind, style, cached)."""

    def __init__(self, rows: list[int], cells_of, bbox, columns=None):
        self.rows = rows
        self.cells_of = cells_of
        self.bbox = bbox  # (first row, first col, last row, last col) of cells written, or None.
        self.columns = columns  # Columns sharing their rows, for writing by blocks; else None.


def _plan_cells(cells: dict) -> _Plan:
    by_row: dict[int, list] = {}
    first_row = first_col = 1 << 30
    last_row = last_col = 0
    for (row, col), cell in cells.items():
        if not (1 <= row <= 1_048_576 and 1 <= col <= 16_384):
            raise ValueError(f"cell ({row}, {col}) is outside Excel's sheet")
        if not isinstance(cell, Cell):
            cell = Cell(cell)
        by_row.setdefault(row, []).append((col, cell.value, cell.kind, cell.style, cell.cached))
        if cell.value is not None or cell.style is not None:
            first_row, last_row = min(first_row, row), max(last_row, row)
            first_col, last_col = min(first_col, col), max(last_col, col)
    for targets in by_row.values():
        targets.sort(key=lambda t: t[0])
    bbox = (first_row, first_col, last_row, last_col) if last_row else None
    return _Plan(sorted(by_row), by_row.__getitem__, bbox)


def _plan_columns(columns: Sequence[Column]) -> _Plan:
    columns = sorted(columns, key=lambda c: c.col)
    if len({c.col for c in columns}) != len(columns):
        raise ValueError("two Columns write the same column")
    for c in columns:
        if not 1 <= c.col <= 16_384 or c.first_row < 1 or c.first_row + len(c.values) - 1 > 1_048_576:
            raise ValueError(f"column {c.col} rows {c.first_row}.. are outside Excel's sheet")
        if c.styles is not None and len(c.styles) != len(c.values):
            raise ValueError(f"column {c.col}: {len(c.styles)} styles for {len(c.values)} values")
    spans = [(c, c.first_row, c.first_row + len(c.values)) for c in columns]
    same_rows = len({(a, b) for _, a, b in spans}) == 1
    if same_rows:
        rows = list(range(spans[0][1], spans[0][2]))
    else:
        rows = sorted({r for c in columns for r in range(c.first_row, c.first_row + len(c.values))})

    if same_rows and all(c.styles is None for c in columns):
        first = spans[0][1]
        fixed = [(c.col, c.values, c.kind, c.style) for c in columns]

        def cells_of(row):
            i = row - first
            return [(col, values[i], kind, style, None) for col, values, kind, style in fixed]
    else:
        def cells_of(row):
            out = []
            for c, a, b in spans:
                if a <= row < b:
                    i = row - a
                    style = c.style if c.styles is None else c.styles[i]
                    out.append((c.col, c.values[i], c.kind, style, None))
            return out

    bbox = None
    if rows:
        bbox = (rows[0], columns[0].col, rows[-1], columns[-1].col)
    return _Plan(rows, cells_of, bbox, columns if same_rows and rows else None)


# Writing one cell.

class _Writer:
    """Turns targets into cell XML for one sheet.

    A cell is written as its start `<c r=".." s=".."` (the style kept from the old cell unless
    given) followed by a body that depends on the value only: ` t="inlineStr"><is>..</is></c>`,
    `><v>..</v></c>` and so on.
    """

    def __init__(self, prefix: bytes, shared_strings: SharedStrings | None, date1904: bool):
        self.p = p = prefix
        self.sst = shared_strings
        self.date1904 = date1904
        self.inline_open = b' t="inlineStr"><%sis><%st xml:space="preserve">' % (p, p)
        self.inline_close = b"</%st></%sis></%sc>" % (p, p, p)
        self.v_open = b"><%sv>" % p
        self.v_close = b"</%sv></%sc>" % (p, p)
        self.close = b"</%sc>" % p
        self.c_open = b'<%sc r="' % p

    def body(self, value, kind, cached) -> bytes | None:
        """The cell's XML after its r= and s= attributes; None for a blank cell."""
        t = type(value)
        if kind is None:
            if t is float or t is int:
                kind = "number"
            elif t is str:
                kind = "text"
            else:
                value = _plain(value)
                kind = _kind_of(value)
        if kind == "number" or kind == "date":
            if value is None:
                return None
            if t is not float and t is not int:
                value = _plain(value)
                if value is None:
                    return None
                if isinstance(value, (dt.date, dt.time, dt.timedelta)):
                    value = date_serial(value, self.date1904)
                elif not isinstance(value, (int, float)) or isinstance(value, bool):
                    value = float(value)
            text = _number(value)
            return None if text is None else self.v_open + text + self.v_close
        if kind == "text":
            if value is None:
                return None
            text = excel_text(value if t is str else str(_plain(value)))
            if self.sst is not None:
                self.sst.refs_delta += 1
                return b' t="s"' + self.v_open + b"%d" % self.sst.index(text) + self.v_close
            return self.inline_open + escape_text(text) + self.inline_close
        if kind == "bool":
            value = _plain(value)
            if value is None:
                return None
            return b' t="b"' + self.v_open + (b"1" if value else b"0") + self.v_close
        if kind == "formula":
            return self.formula(value, cached)
        if kind == "blank":
            return None
        raise ValueError(f"unknown cell kind {kind!r}; one of {KINDS}")

    def bodies(self, values, kind) -> list:
        """The bodies of many values (a column). Output columns repeat their values (grades,
        statuses, a run's timestamp), so bodies are remembered per type and value."""
        if kind not in (None, "number", "text", "date", "bool"):
            return [self.body(v, kind, None) for v in values]
        kinds = set(map(type, values))
        if kinds <= _PLAIN and len(kinds & _NUMERIC) <= 1:
            return self._bodies_by_value(values, kind, str in kinds)
        body = self.body
        sst = self.sst
        caches: dict = {}
        out = []
        add = out.append
        missing = _MISSING
        reused = 0  # Text cells whose body came from the cache: each is one more shared-string reference.
        for v in values:
            t = type(v)
            cache = caches.get(t)
            if cache is None:
                cache = caches[t] = {}
            try:
                b = cache.get(v, missing)
            except TypeError:  # Not hashable: encode it each time.
                add(body(v, kind, None))
                continue
            if b is missing:
                b = body(v, kind, None)
                if len(cache) > 50_000:
                    cache.clear()
                cache[v] = b
            elif t is str and b is not None and sst is not None and b.startswith(b' t="s"'):
                reused += 1
            add(b)
        if reused:
            sst.refs_delta += reused
        return out

    def _bodies_by_value(self, values: list, kind, texts: bool) -> list:
        """bodies() where no two values of different types are equal (one type of number): each
        distinct value is encoded once, and looked up without a loop in Python (a NaN is its own
        key: found by identity)."""
        body = self.body
        # In order of first appearance, so that new shared strings are numbered as the cells go.
        distinct = dict.fromkeys(values)
        kinds = set(map(type, distinct))
        if kind is None and not kinds <= {str, type(None)}:
            return self._bodies_by_type(values, distinct, kinds)
        if kind in (None, "text") and kinds <= {str, type(None)} and self.sst is not None:
            encoded = self._shared_text_bodies(distinct)  # Text: the common case, without body()'s turns.
            # Each distinct text counted one reference; the repeats are the others.
            self.sst.refs_delta += len(values) - values.count(None) - (len(encoded) - (None in encoded))
        else:
            encoded = {v: body(v, kind, None) for v in distinct}  # Each text body counts one reference.
        if texts and self.sst is not None and not kinds <= {str, type(None)}:
            counts = Counter(values)
            self.sst.refs_delta += sum(counts[v] - 1 for v, b in encoded.items()
                                       if type(v) is str and b is not None and b.startswith(b' t="s"'))
        return list(map(encoded.__getitem__, values))

    def _bodies_by_type(self, values: list, distinct: dict, kinds: set) -> list:
        """_bodies_by_value for a column of several types (no kind given): the values of each type
        are encoded together."""
        encoded: dict = {None: None}
        rest = []
        if str in kinds and self.sst is not None:
            encoded.update(self._shared_text_bodies([v for v in distinct if type(v) is str]))
            repeats = list(map(type, values)).count(str) - (len(encoded) - 1)
            self.sst.refs_delta += repeats  # Each repeat of a text is one more reference.
            kinds = kinds - {str}
        v_open, v_close = self.v_open, self.v_close
        for t in kinds - {type(None)}:
            some = [v for v in distinct if type(v) is t]
            if t is int and all(-(1 << 53) <= v <= 1 << 53 for v in some):
                encoded.update(zip(some, [v_open + b"%d" % v + v_close for v in some]))
            elif t is dt.datetime and len(some) > 100 and not any(v.tzinfo is not None for v in some):
                texts = [_number(x) for x in date_serials(some, self.date1904)]
                encoded.update(zip(some, [v_open + x + v_close for x in texts]))
            else:
                rest.extend(some)
        encoded.update((v, self.body(v, None, None)) for v in rest)
        return list(map(encoded.__getitem__, values))

    def _shared_text_bodies(self, distinct) -> dict:
        """{text: body} for distinct texts (and None), as body() writes them with shared strings."""
        sst, v_open, v_close = self.sst, b' t="s"' + self.v_open, self.v_close
        texts = [v for v in distinct if v is not None]
        keys = excel_texts(texts)
        if len(set(keys)) == len(keys):
            numbers = sst.indices(keys)
        else:  # Two texts Excel stores alike (cut at its length limit): the first one's entry serves both.
            numbers = list(map(sst.index, keys))
        out = dict(zip(texts, [v_open + b"%d" % n + v_close for n in numbers]))
        if None in distinct:
            out[None] = None
        sst.refs_delta += len(texts)
        return out

    def formula(self, text, cached) -> bytes:
        p = self.p
        text = str(text)
        if text.startswith("="):
            text = text[1:]
        f = b"<%sf>%s</%sf>" % (p, escape_text(excel_text(text, limit=8192)), p)
        cached = _plain(cached)
        if isinstance(cached, str):
            v, t = escape_text(excel_text(cached)), b' t="str"'
        elif isinstance(cached, bool):
            v, t = (b"1" if cached else b"0"), b' t="b"'
        elif isinstance(cached, (dt.date, dt.time, dt.timedelta)):
            v, t = _number(date_serial(cached, self.date1904)), b""
        elif cached is None:
            v, t = None, b""
        else:
            v, t = _number(cached), b""
        if v is None:
            return b">" + f + self.close
        return t + b">" + f + b"<%sv>%s</%sv>" % (p, v, p) + self.close

    def compose(self, ref: bytes, body: bytes | None, style, old: bytes | None) -> tuple[bytes | None, bytes | None]:
        """The new cell (None: no cell needed) from its body, and the old cell's t= attribute.

        old is the old cell's attributes (None for a new cell): its style is kept unless style
        is given, its other attributes except t, cm and vm stay.
        """
        old_type = None
        extra = b""
        if old is not None:
            m = _CANONICAL.fullmatch(old)
            if m is not None:
                if style is None and m.group(1) is not None:
                    style = int(m.group(1))
                old_type = m.group(2)
            else:
                for a in _ANY_ATTR.finditer(old):
                    name = a.group(1)
                    if name == b"s" and style is None and a.group(3).isdigit():
                        style = int(a.group(3))
                    elif name == b"t":
                        old_type = a.group(3)
                    elif name not in _DROPPED:
                        extra += b" " + a.group(0)
        if style is None:
            if body is None:
                return (self.c_open + ref + b'"' + extra + b"/>" if extra else None), old_type
            return self.c_open + ref + b'"' + extra + body, old_type
        head = self.c_open + ref + b'" s="%d"' % style + extra
        return head + (b"/>" if body is None else body), old_type


# The pass over the sheet.

def _spans_cover(spans: bytes, cols: list[int]) -> bytes | None:
    """The spans value after adding cols: unchanged (the same bytes), widened, or None (drop it)."""
    ranges = []
    for part in spans.split():
        a, sep, b = part.partition(b":")
        if not sep or not a.isdigit() or not b.isdigit():
            return None
        ranges.append((int(a), int(b)))
    if not ranges:
        return None
    if all(any(a <= c <= b for a, b in ranges) for c in cols):
        return spans
    low = min(min(a for a, _ in ranges), min(cols))
    high = max(max(b for _, b in ranges), max(cols))
    return b"%d:%d" % (low, high)


class _Pending:
    """A shared formula whose master was overwritten: its other cells get the formula itself."""

    def __init__(self, si: bytes, text: str, origin: str, last_row: int):
        self.si = si
        self.text = text
        self.origin = origin
        self.last_row = last_row
        self.translator = None

    def at(self, ref: str) -> str:
        if self.translator is None:
            from openpyxl.formula.translate import Translator
            self.translator = Translator("=" + self.text, origin=self.origin)
        return self.translator.translate_formula(ref)[1:]


_COLS: dict[bytes, int] = {}
_LETTER_BYTES: dict[int, bytes] = {}
_BODY = object()  # A target's kind when its value is the cell's body, already encoded.
_EMPTY = b"/>"  # The body of an empty cell kept in place (Column.keep_blank).
_MISSING = object()
_NOTHING = (b"", b"", b"")
_is_none = partial(operator.is_, None)
_RICH = re.compile(rb"<(?:[\w.-]+:)?(?:r|rPh|phoneticPr)[\s/>]")  # Rich text runs and phonetic guides.
_NUMERIC = frozenset((int, float, bool))
_PLAIN = frozenset((str, int, float, bool, type(None), dt.datetime, dt.date))  # Types whose equal values have equal bodies.


def _letters(col: int) -> bytes:
    letters = _LETTER_BYTES.get(col)
    if letters is None:
        letters = _LETTER_BYTES[col] = col_letter(col).encode()
    return letters


def _col_of(letters: bytes) -> int:
    col = _COLS.get(letters)
    if col is None:
        col = _COLS[letters] = col_number(letters.decode())
    return col


_DIGITS = b"0123456789"


class _Pass:
    """One pass over a worksheet's XML: rows copied or patched in order, new rows inserted."""

    def __init__(self, xml: bytes, plan: _Plan, shared_strings, date1904: bool, removed: list):
        self.xml = xml
        self.plan = plan
        self.sheet = _Sheet(xml)
        self.writer = _Writer(self.sheet.prefix, shared_strings, date1904)
        self.removed = removed
        self.pending: list[_Pending] = []
        p = self.sheet.prefix
        self.c_start = b"<%sc" % p
        self.c_start_r = b'<%sc r="' % p
        self.f_start = b"<%sf" % p
        self.row_start_r = b'<%srow r="' % p
        self.runs = None
        self.spans_memo: dict = {}
        if plan.columns is not None:
            self.by_columns(plan.columns)

    # Writing whole columns: bodies encoded a chunk of rows at a time, cells spliced by blocks.

    CHUNK = 8192

    def by_columns(self, columns: list) -> None:
        self.columns = columns
        self.first_row = columns[0].first_row
        self.chunk_no = -1
        self.chunk: list = []
        runs: list[list[int]] = []
        for k, c in enumerate(columns):
            if runs and columns[runs[-1][-1]].col == c.col - 1:
                runs[-1].append(k)
            else:
                runs.append([k])
        self.runs = [([_letters(columns[k].col) for k in run], run, columns[run[0]].col) for run in runs]
        self.fixed_styles = [None if c.style is None else b' s="%d"' % c.style for c in columns]
        cs = self.c_start_r
        # Per run: the cells' fixed parts, `<c r="K` before the row number and `" s="3"` after it
        # (None after it where the old cell's style is kept), when no column styles row by row.
        self.run_parts = []
        for letters, idx, _ in self.runs:
            if any(columns[k].styles is not None for k in idx):
                self.run_parts.append(None)
                continue
            # The run's new cells as one format: (row, style attribute, body) for each cell.
            template = b"".join(cs.replace(b"%", b"%%") + L + b'%s"%s%s' for L in letters)
            fixed = [(n, self.fixed_styles[k]) for n, k in enumerate(idx) if self.fixed_styles[k] is not None]
            self.run_parts.append((template, fixed, len(fixed) == len(idx)))
        self.old_cells = re.compile(rb'<%sc r="[A-Z]{1,3}[0-9]+"( s="[0-9]+")?(?: t="([a-zA-Z]+)")?/?>'
                                    % re.escape(self.sheet.prefix))
        self.lettered_cells = re.compile(rb'<%sc r="([A-Z]{1,3})([0-9]+)"( s="[0-9]+")?( t="[a-zA-Z]+")?/?>'
                                         % re.escape(self.sheet.prefix))
        self.old_styles = re.compile(rb'<%sc r="[A-Z]{1,3}[0-9]+"( s="[0-9]+")?(?: t="[a-zA-Z]+")?/?>'
                                     % re.escape(self.sheet.prefix))
        self.plan.cells_of = self.column_targets

    def load(self, i: int) -> int:
        """Make sure the chunk holding row index i is encoded; returns i's place in it."""
        no = i // self.CHUNK
        if no != self.chunk_no:
            a = no * self.CHUNK
            self.chunk = [self.writer.bodies(c.values[a:a + self.CHUNK], c.kind) for c in self.columns]
            for k, c in enumerate(self.columns):
                if c.keep_blank:  # An empty cell's body: `<c r="X5"` + style + `/>`.
                    self.chunk[k] = [_EMPTY if b is None else b for b in self.chunk[k]]
            self.chunk_no = no
        return i - no * self.CHUNK

    def style_attr(self, k: int, i: int):
        styles = self.columns[k].styles
        if styles is None:
            return self.fixed_styles[k]
        return None if styles[i] is None else b' s="%d"' % styles[i]

    def column_targets(self, rnum: int) -> list:
        i = rnum - self.first_row
        j = self.load(i)
        return [(c.col, self.chunk[k][j], _BODY, c.style if c.styles is None else c.styles[i], None)
                for k, c in enumerate(self.columns)]

    def block_row(self, start: int, close: int, rnum: int):
        """A row's new content, each run of adjacent columns spliced as one block; None when the
        row is not the simple case (a formula, a missing cell inside a run, other attributes)."""
        xml = self.xml
        i = rnum - self.first_row
        j = self.load(i)
        chunk = self.chunk
        row = b"%d" % rnum
        cs = self.c_start_r
        skip = len(cs)
        cell_close = self.sheet.cell_close
        out = []
        new_cols = []
        seg = start
        strings_gone = 0
        for (letters, idx, first_col), parts in zip(self.runs, self.run_parts):
            a = xml.find(cs + letters[0] + row + b'"', seg, close)
            if a == -1:
                # The run's first cell is missing: only when the row ends before the run is it simple.
                last = xml.rfind(cs, seg, close)
                if last != -1:
                    q = xml.find(b'"', last + skip, close)
                    if _col_of(xml[last + skip:q].rstrip(_DIGITS).upper()) >= first_col:
                        return None
                pieces = []
                for L, k in zip(letters, idx):
                    body, sa = chunk[k][j], self.style_attr(k, i)
                    if body is not None:
                        pieces.append(cs + L + row + b'"' + (sa or b"") + body)
                    elif sa is not None:
                        pieces.append(cs + L + row + b'"' + sa + b"/>")
                if pieces:
                    out.append(xml[seg:close])
                    out.append(b"".join(pieces))
                    seg = close
                    new_cols.extend((first_col, first_col + len(letters) - 1))
                continue
            n = len(letters)
            t = a if n == 1 else xml.find(cs + letters[-1] + row + b'"', a, close)
            if t == -1:
                # The run's last cells are missing: its last cell that is there ends the block.
                t = next((at for at in (xml.find(cs + L + row + b'"', a, close) for L in reversed(letters[1:-1]))
                          if at != -1), a)
            gt = xml.find(b">", t, close)
            e = gt + 1 if xml[gt - 1] == 47 else xml.find(cell_close, gt, close) + len(cell_close)
            if xml.find(self.f_start, a, e) != -1:
                return None
            count = xml.count(cs, a, e)
            if count != n:
                # Cells of the run missing between its first and last: the run is written whole,
                # each cell keeping its old style where it had one.
                piece = self._sparse_run(a, e, count, row, letters, idx, i, j)
                if piece is None:
                    return None
                pieces, gone = piece
                strings_gone += gone
                out.append(xml[seg:a])
                out.append(pieces)
                seg = e
                continue
            if parts is not None:
                bodies = [chunk[k][j] for k in idx]
                if None not in bodies:
                    template, fixed, all_fixed = parts
                    if all_fixed:
                        # Nothing to keep from the old cells, as long as they have no other attributes.
                        if xml.count(b'="', a, e) != xml.count(b' r="', a, e) + xml.count(b' s="', a, e) \
                                + xml.count(b' t="', a, e):
                            return None
                        styles = [attr for _, attr in fixed]
                    else:
                        styles = self.old_styles.findall(xml, a, e)
                        if len(styles) != n:
                            return None
                        for at, attr in fixed:
                            styles[at] = attr
                    args = [row] * (3 * n)
                    args[1::3] = styles
                    args[2::3] = bodies
                    if self.writer.sst is not None:
                        strings_gone += xml.count(b' t="s"', a, e)
                    out.append(xml[seg:a])
                    out.append(template % tuple(args))
                    seg = e
                    continue
            old = self.old_cells.findall(xml, a, e)
            if len(old) != n:
                return None
            out.append(xml[seg:a])
            seg = e
            pieces = []
            for L, k, (old_s, old_t) in zip(letters, idx, old):
                body, sa = chunk[k][j], self.style_attr(k, i)
                if sa is None:
                    sa = old_s
                if body is not None:
                    pieces.append(cs + L + row + b'"' + sa + body)
                elif sa:
                    pieces.append(cs + L + row + b'"' + sa + b"/>")
                if old_t == b"s":
                    strings_gone += 1
            out.append(b"".join(pieces))
        if strings_gone and self.writer.sst is not None:
            self.writer.sst.refs_delta -= strings_gone
        out.append(xml[seg:close])
        return b"".join(out), new_cols

    def fresh_rows(self, first: int) -> Iterator[bytes]:
        """New rows for the column values from index first on (rows the sheet does not have), as
        new_row writes them: a cell only where there is a body or a style. A chunk of rows is one
        join of its pieces, laid out by slice assignment: Python loops only over blank cells."""
        p = self.sheet.prefix
        c_open = self.writer.c_open
        heads = [c_open + _letters(c.col) for c in self.columns]
        tails = [b'"' if c.style is None else b'" s="%d"' % c.style for c in self.columns]
        row_open, row_close = b'<%srow r="' % p, b"</%srow>" % p
        # Per row: `<row r="`, its number, `">`, then per cell `<c r="B`, number, `" s="3"`, body; `</row>`.
        width = 4 + 4 * len(self.columns)
        total = len(self.columns[0].values)
        for a in range(first - first % self.CHUNK, total, self.CHUNK):
            self.load(a)
            start = max(a, first)
            numbers = [b"%d" % (self.first_row + i) for i in range(start, min(a + self.CHUNK, total))]
            n = len(numbers)
            pieces: list = [b""] * (n * width)
            pieces[0::width] = [row_open] * n
            pieces[1::width] = numbers
            pieces[2::width] = [b'">'] * n
            pieces[width - 1::width] = [row_close] * n
            every_row = False  # Whether some column gives every row a cell (then no row is empty).
            for k, c in enumerate(self.columns):
                bodies = self.chunk[k][start - a:]
                at = 3 + 4 * k
                head, tail = heads[k], tails[k]
                blanks = bodies.count(None)
                if blanks and c.style is None:  # A blank cell without a style is not written.
                    if blanks * 2 > n:
                        for i in [i for i, b in enumerate(bodies) if b is not None]:
                            j = i * width + at
                            pieces[j:j + 4] = head, numbers[i], tail, bodies[i]
                    else:
                        pieces[at::width] = [head] * n
                        pieces[at + 1::width] = numbers
                        pieces[at + 2::width] = [tail] * n
                        pieces[at + 3::width] = [b"" if b is None else b for b in bodies]
                        for i in [i for i, b in enumerate(bodies) if b is None]:
                            j = i * width + at
                            pieces[j:j + 3] = _NOTHING
                    continue
                every_row = True
                pieces[at::width] = [head] * n
                pieces[at + 1::width] = numbers
                pieces[at + 2::width] = [tail] * n
                # A blank cell with a style keeps it: `<c r="B5" s="3"/>`.
                pieces[at + 3::width] = [_EMPTY if b is None else b for b in bodies] if blanks else bodies
            if every_row:
                yield b"".join(pieces)
            else:  # A row without any cell is not written.
                rows = [b"".join(pieces[i:i + width]) for i in range(0, n * width, width)]
                empty = b'">' + row_close
                yield b"".join(r for r in rows if not r.endswith(empty))

    def whole_runs(self, start: int, end: int):
        """The rows' new content when every row holds its run of cells whole (runs.py), else None."""
        if self.runs is None or len(self.runs) != 1 or self.run_parts[0] is None or self.pending:
            return None
        letters, idx, _ = self.runs[0]
        rows = range(self.first_row, self.first_row + len(self.columns[0].values))
        found = find_runs(self.xml, start, end, run_pattern(self.sheet.prefix, letters), len(letters), rows)
        if found is None:
            return None
        if self.writer.sst is not None:
            self.writer.sst.refs_delta -= found.strings
        return self._spliced(start, end, found, letters, idx, rows)

    def _spliced(self, start: int, end: int, found, letters, idx, rows, size: int = 1 << 22):
        xml, cs, n = self.xml, self.c_start_r, len(idx)
        fixed = [self.fixed_styles[k] for k in idx]
        # For each combination of old styles, the run's cells with the styles filled in: only the
        # row number and each cell's body are left to format.
        templates = []
        for old in found.styles:
            styles = [f if f is not None else (s or b"") for f, s in zip(fixed, old)]
            templates.append((b"".join(cs.replace(b"%", b"%%") + L + b'%s"' + s.replace(b"%", b"%%") + b"%s"
                                       for L, s in zip(letters, styles)), styles))
        out: list[bytes] = []
        length = 0
        pos = start
        starts, ends, style_of = found.starts, found.ends, found.style_of
        for a in range(0, len(rows), self.CHUNK):
            self.load(a)
            bodies = zip(*[self.chunk[k] for k in idx])
            for i, cells in enumerate(bodies, start=a):
                row = b"%d" % (rows.start + i)
                template, styles = templates[style_of[i]]
                if None in cells:  # A blank cell keeps only its style, or goes.
                    new = b"".join(cs + L + row + b'"' + s + (b"/>" if body is None else body)
                                   for L, s, body in zip(letters, styles, cells) if body is not None or s)
                else:
                    args = [row] * (2 * n)
                    args[1::2] = cells
                    new = template % tuple(args)
                b = starts[i]
                out.append(xml[pos:b])
                out.append(new)
                length += b - pos + len(new)
                pos = ends[i]
                if length > size:
                    yield b"".join(out)
                    out, length = [], 0
        out.append(xml[pos:end])
        yield b"".join(out)

    def _sparse_run(self, a: int, e: int, count: int, row: bytes, letters, idx, i: int, j: int):
        """A run's new cells when some of its cells are missing in the row: (bytes, shared strings
        no longer referenced), or None when the old cells are not the simple kind."""
        old = self.lettered_cells.findall(self.xml, a, e)
        if len(old) != count or any(m[1] != row for m in old) or \
                self.xml.count(b'="', a, e) != count + sum(bool(s) + bool(t) for _, _, s, t in old):
            return None
        by_letter = {L: (s, t) for L, _, s, t in old}
        if len(by_letter) != count or not set(by_letter) <= set(letters):
            return None
        cs, chunk = self.c_start_r, self.chunk
        pieces = []
        for L, k in zip(letters, idx):
            body, sa = chunk[k][j], self.style_attr(k, i)
            if sa is None:
                sa = by_letter.get(L, (b"", b""))[0]
            if body is not None:
                pieces.append(cs + L + row + b'"' + sa + body)
            elif sa:
                pieces.append(cs + L + row + b'"' + sa + b"/>")
        gone = sum(t == b' t="s"' for _, t in by_letter.values()) if self.writer.sst is not None else 0
        return b"".join(pieces), gone

    def run(self, chunk: int = 1 << 22) -> Iterator[bytes]:
        xml, plan, sheet = self.xml, self.plan, self.sheet
        p = sheet.prefix
        data = find_element(xml, p, b"sheetData")
        if data is None:
            raise PatchError("the worksheet has no <sheetData>")
        data_start, tag_end, data_end = data
        if tag_end == data_end:  # <sheetData/>: open it.
            sheet_data_tag = xml[data_start:tag_end][:-2].rstrip() + b">"
            content_start = content_end = data_end
            tail = b"</%ssheetData>" % p + xml[data_end:]
        else:
            sheet_data_tag = xml[data_start:tag_end]
            content_start = tag_end
            content_end = data_end - len(b"</%ssheetData>" % p)
            tail = xml[content_end:]
        empty = sheet.any_cell.search(xml, content_start, content_end) is None
        out: list[bytes] = [_with_dimension(xml[:data_start], p, plan.bbox, empty), sheet_data_tag]
        whole = None if empty else self.whole_runs(content_start, content_end)
        if whole is not None:  # Every row's run of cells replaced at once (see runs.py).
            yield b"".join(out)
            yield from whole
            yield tail
            return
        size = 0
        rows, cells_of = plan.rows, plan.cells_of
        ti, nt = 0, len(rows)
        pos = content_start  # Bytes before pos have been emitted.
        prev_row = 0
        row_search = sheet.row.search
        row_close = sheet.row_close
        m = row_search(xml, content_start, content_end)
        while m is not None:
            attrs = m.group(1)
            if attrs.startswith(b' r="'):
                q = attrs.find(b'"', 4)
                rnum = int(attrs[4:q]) if attrs[4:q].isdigit() else prev_row + 1
            else:
                rm = _ROWNUM_ATTR.search(attrs)
                rnum = int(rm.group(1)) if rm is not None else prev_row + 1
            if rnum <= prev_row:
                raise PatchError(f"row {rnum} comes after row {prev_row}")
            if m.group(2):
                row_end = close = m.end()
            else:
                close = xml.find(row_close, m.end(), content_end)
                if close == -1:
                    raise PatchError(f"row {rnum} is not closed")
                row_end = close + len(row_close)
            if ti < nt and rows[ti] < rnum:  # New rows before this one.
                out.append(xml[pos:m.start()])
                pos = m.start()
                while ti < nt and rows[ti] < rnum:
                    new = self.new_row(rows[ti], cells_of(rows[ti]))
                    out.append(new)
                    size += len(new)
                    ti += 1
            touched = ti < nt and rows[ti] == rnum
            if touched or (self.pending and xml.find(b"shared", m.end(), close) != -1):
                if touched:
                    ti += 1
                out.append(xml[pos:m.start()])
                piece = self.row(m, close, row_end, rnum, touched)
                out.append(piece)
                size += len(piece) + m.start() - pos
                pos = row_end
                if self.pending:
                    self.pending[:] = [g for g in self.pending if g.last_row > rnum]
                if size > chunk:
                    yield b"".join(out)
                    out, size = [], 0
            prev_row = rnum
            nxt = row_end
            if ti < nt and rows[ti] > rnum + 16 and not self.pending:
                nxt, prev_row = self.skip(row_end, content_end, rows[ti], prev_row)
            m = row_search(xml, nxt, content_end)
        out.append(xml[pos:content_end])
        if ti < nt and self.runs is not None and all(c.styles is None for c in self.columns):
            # The rest are new rows below the last one: made a chunk of rows at a time.
            yield b"".join(out)
            yield from self.fresh_rows(rows[ti] - self.first_row)
            yield tail
            return
        while ti < nt:
            out.append(self.new_row(rows[ti], cells_of(rows[ti])))
            ti += 1
            if ti % 8192 == 0:
                yield b"".join(out)
                out = []
        out.append(tail)
        yield b"".join(out)

    def skip(self, start: int, end: int, target: int, prev_row: int) -> tuple[int, int]:
        """Where to look for the next row when the next row to write is far: at that row (found by
        its r=), or at the last row when the target is past it; otherwise right here."""
        xml = self.xml
        at = xml.find(self.row_start_r + b'%d"' % target, start, end)
        if at != -1:
            return at, target - 1
        last = xml.rfind(self.row_start_r, start, end)
        if last != -1:
            q = xml.find(b'"', last + len(self.row_start_r), end)
            number = xml[last + len(self.row_start_r):q]
            if number.isdigit() and int(number) < target:
                return last, int(number) - 1
        return start, prev_row

    def new_row(self, rnum: int, targets) -> bytes:
        p = self.sheet.prefix
        row = b"%d" % rnum
        writer = self.writer
        c_open = writer.c_open
        cells = []
        last = 0
        for col, value, kind, style, cached in targets:
            if col <= last:
                raise ValueError(f"cell ({rnum}, {col}) given twice")
            last = col
            body = value if kind is _BODY else writer.body(value, kind, cached)
            if body is None and style is None:
                continue
            # A new cell, as compose() writes one with no old cell: <c r="K7"[ s="3"] + body.
            head = c_open + _letters(col) + row + (b'"' if style is None else b'" s="%d"' % style)
            cells.append(head + (b"/>" if body is None else body))
        if not cells:
            return b""
        return b'<%srow r="%s">' % (p, row) + b"".join(cells) + b"</%srow>" % p

    def row(self, m, close: int, row_end: int, rnum: int, touched: bool) -> bytes:
        """One row's new bytes: its cells merged with its targets (both in column order)."""
        xml = self.xml
        start_tag = xml[m.start():m.end()]
        was_empty = bool(m.group(2))
        if was_empty:
            start_tag = start_tag[:-2].rstrip() + b">"
        content_start = m.end()
        fast = (not self.pending and
                xml.count(self.c_start, content_start, close) == xml.count(self.c_start_r, content_start, close))
        merged = None
        if fast and touched and self.runs is not None:
            merged = self.block_row(content_start, close, rnum)
        if merged is None:
            targets = self.plan.cells_of(rnum) if touched else []
            merge = self.merge_fast if fast else self.merge_general
            merged = merge(content_start, close, rnum, targets)
        content, new_cols = merged
        if new_cols:
            sm = _SPANS_ATTR.search(start_tag)
            if sm is not None:
                key = (sm.group(1), tuple(new_cols))
                spans = self.spans_memo.get(key, _MISSING)
                if spans is _MISSING:
                    spans = self.spans_memo[key] = _spans_cover(sm.group(1), new_cols)
                if spans is None:
                    start_tag = set_attrs(start_tag, {"spans": None})
                elif spans != sm.group(1):
                    start_tag = start_tag[:sm.start(1)] + spans + start_tag[sm.end(1):]
        end = self.sheet.row_close if was_empty else xml[close:row_end]
        return start_tag + content + end

    def replaced(self, istart: int, iend: int, rnum: int, col: int, old_type) -> None:
        """Book-keeping for an overwritten cell: its formula, its shared string reference."""
        if istart != iend and self.xml.find(self.f_start, istart, iend) != -1:
            _formula_gone(self.xml, self.sheet, istart, iend, rnum, col, self.removed, self.pending)
        if old_type == b"s" and self.writer.sst is not None:
            self.writer.sst.refs_delta -= 1

    def merge_fast(self, start: int, close: int, rnum: int, targets):
        """Merge for a row whose every cell starts `<c r="`: cells found by their reference."""
        xml, writer = self.xml, self.writer
        c_start_r = self.c_start_r
        skip = len(c_start_r)
        lead = len(self.c_start)
        c_start = self.c_start
        cell_close = self.sheet.cell_close
        close_len = len(cell_close)
        sst = writer.sst
        # Only a row with a formula, or shared strings to count, needs each old cell looked at.
        check = sst is not None or xml.find(self.f_start, start, close) != -1
        row = b"%d" % rnum
        out = []
        new_cols = []
        seg = start  # Bytes of the row before seg are emitted.
        appending = False  # Every cell left in the row is before the target: append.
        last_target = 0
        for col, value, kind, style, cached in targets:
            if col <= last_target:
                raise ValueError(f"cell ({rnum}, {col}) given twice")
            last_target = col
            body = value if kind is _BODY else writer.body(value, kind, cached)
            ref = _letters(col) + row
            at = -1 if appending else xml.find(c_start_r + ref + b'"', seg, close)
            if at == -1 and not appending:
                # Not there: find where it goes, checking the last cell first.
                last = xml.rfind(c_start_r, seg, close)
                if last == -1:
                    appending = True
                else:
                    q = xml.find(b'"', last + skip, close)
                    if _col_of(xml[last + skip:q].rstrip(_DIGITS).upper()) < col:
                        appending = True
                    else:
                        at, found = self.scan_to(seg, close, col)
                        if not found:
                            if body is not None or style is not None:
                                out.append(xml[seg:at])
                                out.append(writer.compose(ref, body, style, None)[0])
                                new_cols.append(col)
                                seg = at
                            continue
            if at == -1:  # A new cell at the end of the row.
                if body is not None or style is not None:
                    out.append(xml[seg:close])
                    out.append(writer.compose(ref, body, style, None)[0])
                    new_cols.append(col)
                    seg = close
                continue
            gt = xml.find(b">", at, close)
            if xml[gt - 1] == 47:  # '/': an empty cell.
                attrs = xml[at + lead:gt - 1]
                cend = istart = iend = gt + 1
            else:
                attrs = xml[at + lead:gt]
                iend = xml.find(cell_close, gt, close)
                istart = gt + 1
                cend = iend + close_len
            # The usual case, attributes r, s and t only: the new tag is the old one without t.
            k = attrs.find(b' t="')
            s_at = attrs.find(b' s="')
            if style is None and attrs.count(b'="') == 1 + (k != -1) + (s_at != -1) and (k == -1 or s_at < k):
                old_type = None if k == -1 else attrs[k + 4:-1]
                if body is None:
                    new = None if s_at == -1 else c_start + attrs[:k] + b"/>" if k != -1 else (
                        None if s_at == -1 else c_start + attrs + b"/>")
                else:
                    new = c_start + (attrs if k == -1 else attrs[:k]) + body
            else:
                new, old_type = writer.compose(ref, body, style, attrs)
            if check:
                self.replaced(istart, iend, rnum, col, old_type)
            out.append(xml[seg:at])
            if new is not None:
                out.append(new)
            seg = cend
        out.append(xml[seg:close])
        return b"".join(out), new_cols

    def scan_to(self, seg: int, close: int, col: int) -> tuple[int, bool]:
        """The start of the first cell at or after col (fast rows), and whether it is col itself."""
        xml = self.xml
        c_start_r = self.c_start_r
        skip = len(c_start_r)
        at = xml.find(c_start_r, seg, close)
        while at != -1:
            q = xml.find(b'"', at + skip, close)
            here = _col_of(xml[at + skip:q].rstrip(_DIGITS).upper())
            if here >= col:
                return at, here == col
            at = xml.find(c_start_r, q, close)
        return close, False

    def merge_general(self, content_start: int, close: int, rnum: int, targets):
        """Merge for any row: every cell parsed (positions counted where r= is missing)."""
        xml, sheet, writer = self.xml, self.sheet, self.writer
        row_bytes = b"%d" % rnum
        cells = []  # (col, start, end, attributes, inner start, inner end)
        prev_col = 0
        cell_search = sheet.cell.search
        c = cell_search(xml, content_start, close) if close > content_start else None
        while c is not None:
            attrs = c.group(1)
            rm = _REF_ATTR.search(attrs)
            if rm is not None:
                col = _col_of(rm.group(1).upper())
                if rm.group(2) != row_bytes:
                    raise PatchError(f"cell {rm.group(1).decode()}{rm.group(2).decode()} is in row {rnum}")
            else:
                col = prev_col + 1
            if col <= prev_col:
                raise PatchError(f"row {rnum}: column {col} comes after column {prev_col}")
            if c.group(2):
                cend = istart = iend = c.end()
            else:
                iend = xml.find(sheet.cell_close, c.end(), close)
                if iend == -1:
                    raise PatchError(f"row {rnum}: a cell is not closed")
                istart = c.end()
                cend = iend + len(sheet.cell_close)
            cells.append((col, c.start(), cend, attrs, istart, iend))
            prev_col = col
            c = cell_search(xml, cend, close)

        out = []
        new_cols = []
        seg = content_start
        ei, n = 0, len(cells)
        last_target = 0
        pending = self.pending
        for col, value, kind, style, cached in targets:
            if col <= last_target:
                raise ValueError(f"cell ({rnum}, {col}) given twice")
            last_target = col
            while ei < n and cells[ei][0] < col:
                if pending:
                    seg = _unshare(xml, sheet, cells[ei], rnum, pending, out, seg)
                ei += 1
            ref = col_letter(col).encode() + row_bytes
            body = value if kind is _BODY else writer.body(value, kind, cached)
            if ei < n and cells[ei][0] == col:
                _, cstart, cend, attrs, istart, iend = cells[ei]
                new, old_type = writer.compose(ref, body, style, attrs)
                self.replaced(istart, iend, rnum, col, old_type)
                out.append(xml[seg:cstart])
                if new is not None:
                    out.append(new)
                seg = cend
                ei += 1
            elif body is not None or style is not None:
                at = cells[ei][1] if ei < n else close
                out.append(xml[seg:at])
                out.append(writer.compose(ref, body, style, None)[0])
                new_cols.append(col)
                seg = at
        if pending:
            while ei < n:
                seg = _unshare(xml, sheet, cells[ei], rnum, pending, out, seg)
                ei += 1
        out.append(xml[seg:close])
        return b"".join(out), new_cols


def _patch(xml: bytes, plan: _Plan, shared_strings, date1904: bool, removed: list) -> Iterator[bytes]:
    return _Pass(xml, plan, shared_strings, date1904, removed).run()


def _with_dimension(head: bytes, p: bytes, bbox, empty: bool) -> bytes:
    """The bytes before <sheetData> with <dimension ref> covering bbox as well."""
    if bbox is None:
        return head
    found = find_element(head, p, b"dimension")
    if found is None:
        return head
    tag = head[found[0]:found[1]]
    old = get_attr(tag, b"ref")
    r1, c1, r2, c2 = bbox
    if old and not empty:
        try:
            o1, oc1, o2, oc2 = parse_range(old)
        except ValueError:
            o1, oc1, o2, oc2 = r1, c1, r2, c2
        new = (min(o1, r1), min(oc1, c1), max(o2, r2), max(oc2, c2))
        if new == (o1, oc1, o2, oc2):
            return head
    else:
        new = (r1, c1, r2, c2)
    return head[:found[0]] + set_attrs(tag, {"ref": range_ref(*new)}) + head[found[1]:]



_SI_ATTR = re.compile(rb"""(?<![\w:.-])si\s*=\s*["']([0-9]+)["']""")
_T_ATTR = re.compile(rb"""(?<![\w:.-])t\s*=\s*["']([a-zA-Z]+)["']""")
_FREF_ATTR = re.compile(rb"""(?<![\w:.-])ref\s*=\s*["']([^"']+)["']""")


def _formula_gone(xml, sheet, istart, iend, rnum, col, removed, pending) -> None:
    """Note a formula in an overwritten cell; an overwritten shared master hands its formula on."""
    f = sheet.formula.search(xml, istart, iend)
    if f is None:
        return
    removed.append((rnum, col))
    fattrs = f.group(1)
    t = _T_ATTR.search(fattrs)
    if t is None or t.group(1) != b"shared":
        return
    ref = _FREF_ATTR.search(fattrs)
    si = _SI_ATTR.search(fattrs)
    if ref is None or si is None or f.group(3) is None:
        return  # A cell that only refers to a shared formula: nothing to hand on.
    _, _, last_row, _ = parse_range(ref.group(1).decode())
    text = unescape(f.group(3).decode("utf-8"))
    pending.append(_Pending(si.group(1), text, cell_ref(rnum, col), last_row))


def _unshare(xml, sheet, cell, rnum, pending, out, seg) -> int:
    """A cell kept as it is, unless it refers to a shared formula whose master is gone: then it
    gets that formula, translated to its own position. Returns the new emitted-up-to position."""
    col, cstart, cend, attrs, istart, iend = cell
    if istart == iend or xml.find(b"shared", istart, iend) == -1:
        return seg
    f = sheet.formula.search(xml, istart, iend)
    if f is None:
        return seg
    si = _SI_ATTR.search(f.group(1))
    t = _T_ATTR.search(f.group(1))
    if si is None or t is None or t.group(1) != b"shared" or _FREF_ATTR.search(f.group(1)):
        return seg
    group = next((g for g in pending if g.si == si.group(1)), None)
    if group is None:
        return seg
    text = group.at(cell_ref(rnum, col))
    p = sheet.prefix
    out.append(xml[seg:f.start()])
    out.append(b"<%sf>%s</%sf>" % (p, escape_text(text), p))
    return f.end()


# The public functions.

def cell_xml(row: int, col: int, cell, *, prefix: bytes = b"", shared_strings: SharedStrings | None = None,
             date1904: bool = False) -> bytes | None:
    """One new cell's XML (`<c r="B3" s="2" t="inlineStr">...</c>`), as patch_cells writes it;
    None for a blank cell without a style. cell is a Cell or a plain value."""
    if not isinstance(cell, Cell):
        cell = Cell(cell)
    writer = _Writer(prefix, shared_strings, date1904)
    body = writer.body(cell.value, cell.kind, cell.cached)
    if body is None and cell.style is None:
        return None
    return writer.compose(cell_ref(row, col).encode(), body, cell.style, None)[0]


def iter_patch_cells(sheet_xml: bytes, cells: dict, *, shared_strings: SharedStrings | None = None,
                     date1904: bool = False, formulas_removed: list | None = None) -> Iterator[bytes]:
    """patch_cells as a stream of byte chunks (for writing a big sheet into a zip without
    holding the new XML whole); formulas_removed, when given, is filled as the pass goes."""
    removed = [] if formulas_removed is None else formulas_removed
    return _patch(sheet_xml, _plan_cells(cells), shared_strings, date1904, removed)


def patch_cells(sheet_xml: bytes, cells: dict, *, shared_strings: SharedStrings | None = None,
                date1904: bool = False) -> Patched:
    """Write cells ({(row, col): Cell or plain value}, 1-based) into a worksheet's XML.

    Returns Patched(xml, formulas_removed): the new XML, every byte outside the written cells
    (and the dimension and touched rows' spans) as it was, and the (row, col) cells that held a
    formula before. shared_strings, when given, receives new text instead of inline strings;
    date1904 is the workbook's date system (workbookPr date1904="1").
    """
    removed: list = []
    xml = b"".join(_patch(sheet_xml, _plan_cells(cells), shared_strings, date1904, removed))
    return Patched(xml, removed)


def iter_patch_columns(sheet_xml: bytes, columns: Sequence[Column], *, shared_strings=None,
                       date1904: bool = False, formulas_removed: list | None = None) -> Iterator[bytes]:
    """patch_columns as a stream of byte chunks; see iter_patch_cells."""
    removed = [] if formulas_removed is None else formulas_removed
    return _patch(sheet_xml, _plan_columns(columns), shared_strings, date1904, removed)


def patch_columns(sheet_xml: bytes, columns: Sequence[Column], *, shared_strings=None,
                  date1904: bool = False) -> Patched:
    """Write whole columns (output columns of a table: Column(col, first_row, values, kind, style))
    into a worksheet's XML, as patch_cells does, without a Cell object per cell."""
    removed: list = []
    xml = b"".join(_patch(sheet_xml, _plan_columns(columns), shared_strings, date1904, removed))
    return Patched(xml, removed)


# Tables.

def resize_table(table_xml: bytes, ref: str, new_columns: Iterable[str] = (), renamed: dict | None = None) -> bytes:
    """A table part with its range set to ref and new columns (header names) appended at its right.

    Updates the table's `ref` and its `<autoFilter ref>` (the same range without the totals
    row), appends a `<tableColumn id= name=>` per new column with the next free ids, and
    updates `<tableColumns count>`; renamed {position from 0: name} gives existing columns new
    names (only their name attribute changes). Other bytes stay. The caller writes the header
    cells (they must equal the names) and makes ref as wide as the columns.
    """
    new_columns = list(new_columns)
    if renamed:
        table_xml = _rename_columns(table_xml, renamed)
    start, end, prefix, local = root(table_xml)
    if local != b"table":
        raise SpliceError(f"not a table part: root element <{local.decode()}>")
    p = prefix
    first_row, first_col, last_row, last_col = parse_range(ref)
    tag = table_xml[start:end]
    xml = table_xml[:start] + set_attrs(tag, {"ref": range_ref(first_row, first_col, last_row, last_col)}) \
        + table_xml[end:]
    totals = get_attr(tag, b"totalsRowCount")
    totals_rows = int(totals) if totals and totals.isdigit() else 0
    filt = find_element(xml, p, b"autoFilter")
    if filt is not None:
        filter_ref = range_ref(first_row, first_col, max(first_row, last_row - totals_rows), last_col)
        xml = xml[:filt[0]] + set_attrs(xml[filt[0]:filt[1]], {"ref": filter_ref}) + xml[filt[1]:]
    columns = find_element(xml, p, b"tableColumns")
    if columns is None:
        raise SpliceError("the table has no <tableColumns>")
    col_tag = re.compile(rb"<%stableColumn(?=[\s/>])([^>]*?)/?>" % re.escape(p))
    ids, names = [], set()
    for c in col_tag.finditer(xml, columns[1], columns[2]):
        cid = get_attr(c.group(0), b"id")
        if cid and cid.isdigit():
            ids.append(int(cid))
        names.add((get_attr(c.group(0), b"name") or "").casefold())
    count = len(names)
    if count + len(new_columns) != last_col - first_col + 1:
        raise ValueError(f"{ref} is {last_col - first_col + 1} columns wide; the table will have "
                         f"{count + len(new_columns)}")
    from .splice import escape_attr, name_text
    next_id = max(ids, default=0) + 1
    added = []
    for name in new_columns:
        if not name or name.casefold() in names:
            raise ValueError(f"table column name {name!r} is empty or already in the table")
        names.add(name.casefold())
        added.append(b'<%stableColumn id="%d" name="%s"/>' % (p, next_id, escape_attr(name_text(name))))
        next_id += 1
    if not added:
        return xml
    ctag = xml[columns[0]:columns[1]]
    new_tag = set_attrs(ctag, {"count": str(count + len(added))})
    if columns[1] == columns[2]:  # <tableColumns/> (not valid, but be kind).
        new_tag = new_tag[:-2].rstrip() + b">"
        return xml[:columns[0]] + new_tag + b"".join(added) + b"</%stableColumns>" % p + xml[columns[2]:]
    close = columns[2] - len(b"</%stableColumns>" % p)
    return xml[:columns[0]] + new_tag + xml[columns[1]:close] + b"".join(added) + xml[close:]


def _rename_columns(table_xml: bytes, renamed: dict) -> bytes:
    """A table part whose columns at these positions (from 0) have new names; names stay unique."""
    from .splice import name_text
    _, _, p, _ = root(table_xml)
    columns = find_element(table_xml, p, b"tableColumns")
    if columns is None:
        raise SpliceError("the table has no <tableColumns>")
    col_tag = re.compile(rb"<%stableColumn(?=[\s/>])[^>]*?/?>" % re.escape(p))
    found = list(col_tag.finditer(table_xml, columns[1], columns[2]))
    names = [(get_attr(m.group(0), b"name") or "") for m in found]
    for k, name in renamed.items():
        if not 0 <= k < len(found):
            raise ValueError(f"the table has no column {k + 1} to rename (it has {len(found)})")
        names[k] = str(name)
    folded = [n.casefold() for n in names]
    if any(not n for n in names) or len(set(folded)) != len(folded):
        raise ValueError(f"table column names {names!r} are empty or repeated")
    out, at = [], 0
    for k, m in enumerate(found):
        if k in renamed:
            out += [table_xml[at:m.start()], set_attrs(m.group(0), {"name": name_text(names[k])})]
            at = m.end()
    out.append(table_xml[at:])
    return b"".join(out)


def set_attributes(xml: bytes, element: str, attrs: dict, *, within: str | None = None) -> bytes:
    """Set (str) or remove (None) attributes of the first element named element (a local name,
    optionally inside the first element named within), splicing only its start tag."""
    from .splice import set_element_attrs
    return set_element_attrs(xml, element, attrs, within=within)


# calcChain.

def remove_calc_chain_cells(calc_chain_xml: bytes, sheet_id: int, cells: Iterable[tuple[int, int]]) -> bytes | None:
    """calcChain.xml without the entries of cells ((row, col)) of the sheet whose sheetId is sheet_id.

    An entry without `i=` belongs to the sheet of the entry before it; when the entry that
    carried `i=` goes, the next kept entry gets it. Returns None when no entry is left: the
    part, its relationship and its content type must then be removed.
    """
    gone = {cell_ref(r, c).encode() for r, c in cells}
    start, end, prefix, local = root(calc_chain_xml)
    if local != b"calcChain":
        raise SpliceError("not a calcChain part")
    entry = re.compile(rb"<%sc(?=[\s/>])([^>]*?)(?:/>|>.*?</%sc>)" % (re.escape(prefix), re.escape(prefix)), re.S)
    i_attr = re.compile(rb"""(?<![\w:.-])i\s*=\s*["']([0-9]+)["']""")
    sid = str(sheet_id).encode()
    out = []
    pos = end
    current = None  # The sheet of the entry before.
    carry = None  # The sheet id a removed entry carried for those after it.
    kept = 0
    total = 0
    for m in entry.finditer(calc_chain_xml, end):
        total += 1
        attrs = m.group(1)
        im = i_attr.search(attrs)
        if im is not None:
            current = im.group(1)
        rm = _REF_ATTR.search(attrs)
        ref = rm.group(1).upper() + rm.group(2) if rm else None
        if current == sid and ref in gone:
            out.append(calc_chain_xml[pos:m.start()])
            pos = m.end()
            if im is not None:
                carry = current
            continue
        kept += 1
        if carry is not None and im is None:
            out.append(calc_chain_xml[pos:m.start()])
            out.append(set_attrs(m.group(0)[:m.group(0).index(b">") + 1], {"i": carry.decode()})
                       + m.group(0)[m.group(0).index(b">") + 1:])
            pos = m.end()
        carry = None
    if kept == 0:
        return None
    if kept == total:
        return calc_chain_xml
    out.append(calc_chain_xml[pos:])
    return calc_chain_xml[:end] + b"".join(out)

"""Bringing leads in from CRM and form exports: `leadscore import BOOK FILE`.

An export is a CSV file (comma, semicolon or tab separated; UTF-8 with or without a
byte-order mark, or Windows-1252; quoted fields may hold line breaks) or another
workbook (its first table, else the first sheet with a header row). Its columns are
matched to the Leads table by header, ignoring case and spacing, after the mappings
given on the command line (`--map "Their header=Our column"`) and those kept in the
Import map block of the LeadScore sheet. Columns the table lacks become new input
columns. A lead is found by its key (`--key`, else Lead ID, else the e-mail address,
compared without case and spaces): a known lead is updated in place (blank cells of the
export never erase what the table holds), a new one is appended; no lead is deleted.

Values keep their types: whole numbers without a leading zero become numbers
('00123' stays text), ISO dates become dates, and the rest stays text for the engine
to read as a person would (scoring/parse.py).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from scoring.columns import by_meaning
from scoring.parse import is_blank, text_key

from .errors import CellProblem, FileProblem, SheetError, WrongFileType
from .leads import output_meaning

ENCODINGS = ("utf-8", "cp1252")
DELIMITERS = ",;\t"
_INTEGER = re.compile(r"-?(?:0|[1-9]\d{0,14})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?")


@dataclass
class Incoming:
    """The leads of an export: its headers, its columns (typed values, one list per header, a value
    per lead) and each lead's line in the file."""

    source: str
    headers: list
    columns: list
    lines: list
    skipped: list = field(default_factory=list)  # (line, reason)
    typed: bool = False  # Blank fields are None (a CSV's fields, typed): no other value is blank.

    @property
    def rows(self) -> list:
        """The leads as rows (a list of values per lead)."""
        return [list(row) for row in zip(*self.columns)]

    def blank(self, j: int) -> list:
        """Per lead: whether its value in column j is blank."""
        if self.typed:
            return [v is None for v in self.columns[j]]
        return list(map(is_blank, self.columns[j]))


def typed(text):
    """A CSV field as a cell value: blank -> None, 1200 -> 1200, 2026-11-23 -> a date, else the text."""
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    if not (value[0].isdigit() or value[0] == "-"):
        return text  # Neither a number nor a date (names, emails, most text): no pattern to try.
    if _INTEGER.fullmatch(value):
        return int(value)
    if _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return text
    if _ISO_STAMP.fullmatch(value):
        try:
            return dt.datetime.fromisoformat(value.replace("T", " "))
        except ValueError:
            return text
    return text


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise WrongFileType(name, f"{name} is neither UTF-8 nor Windows-1252 text; save it from its program as "
                              "CSV UTF-8 and import it again")


def _delimiter(text: str) -> str:
    """The separator of a CSV text: the one of , ; tab that splits the header line most often."""
    sample = text[:64 * 1024]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        return max(DELIMITERS, key=header.count)


def read_csv(path) -> Incoming:
    """The leads of a CSV export (see the module docstring)."""
    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileProblem(path, f"{name} cannot be read: {exc.strerror or exc}") from None
    if b"\x00" in data[:4096]:
        raise WrongFileType(path, f"{name} is not a text file (CSV) nor a workbook; export the leads as CSV or "
                                  "as an Excel workbook (.xlsx)")
    text = _decode(data, name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    headers, rows, lines, skipped = None, [], [], []
    add_row, add_line = rows.append, lines.append
    width = -1
    for fields in reader:
        if not "".join(fields).strip():  # No field with anything but spaces: a blank line.
            continue
        if len(fields) == width:
            add_row(fields)
            add_line(reader.line_num)
            continue
        line = reader.line_num
        if headers is None:
            headers = [f.strip() for f in fields]
            width = len(headers)
            continue
        if len(fields) > width and "".join(fields[width:]).strip():
            skipped.append((line, f"it has {len(fields)} fields but the header has {width}"))
            continue
        add_row(fields[:width] + [""] * (width - len(fields)))
        add_line(line)
    if headers is None:
        raise WrongFileType(path, f"{name} holds no header row; an export needs one line of column names "
                                  "and one line per lead")
    columns = list(map(_typed_column, zip(*rows))) if rows else [[] for _ in headers]
    return Incoming(name, headers, columns, lines, skipped, typed=True)


# Whole columns of one kind, checked in one search over the column's fields joined by line breaks
# (blank fields allowed): the fields are then typed without trying each pattern on each.
_COLUMN_OF = {kind: re.compile(r"(?:(?:%s)?\n)*(?:%s)?" % (p.pattern, p.pattern))
              for kind, p in (("int", _INTEGER), ("date", _ISO_DATE), ("stamp", _ISO_STAMP))}
_STARTS_LIKE_NUMBER = re.compile(r"^[^\S\n]*[\d-]", re.M)  # (After spaces: typed() strips them first.)
_MAKE = {"int": int, "date": dt.date.fromisoformat, "stamp": dt.datetime.fromisoformat}


def _typed_column(column) -> list:
    """typed() of each field of a column: a value repeated (a country, a source) is typed once; a
    column of distinct numbers, dates or texts is recognised as a whole."""
    distinct = set(column)
    if len(distinct) * 2 < len(column):
        types = {text: typed(text) for text in distinct}
        return list(map(types.__getitem__, column))
    joined = "\n".join(column)
    if joined.count("\n") == len(column) - 1:  # No field holds a line break.
        if not _STARTS_LIKE_NUMBER.search(joined):  # Texts (and blanks): kept as they are.
            return [text if text.strip() else None for text in column]
        for kind, whole in _COLUMN_OF.items():
            if whole.fullmatch(joined):
                make = _MAKE[kind]
                try:
                    return [make(text) if text else None for text in column]
                except ValueError:  # Not a real date (2026-02-30): field by field.
                    break
    return list(map(typed, column))


def read_incoming(path) -> Incoming:
    """An export by its content: a workbook (zip) or a CSV text file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic.startswith(b"PK"):
        return _read_workbook(path)
    return read_csv(path)


def _read_workbook(path: Path) -> Incoming:
    """The leads of another workbook: its Leads table, else its first table, else its first sheet."""
    from .filebook import FileBook  # Only a workbook export needs the file backend.
    from .leads import LeadsTable, find_table

    book = FileBook(path)
    try:
        lt = find_table(book)
    except SheetError:
        tables = book.tables()
        if tables:
            lt = LeadsTable(book, tables[0])
        else:
            raise WrongFileType(path, f"{path.name} has no Excel Table of leads; select the leads and use "
                                      "Insert > Table, or export them as CSV") from None
    spot = lt.spot
    rows, lines = [], []
    for r in range(spot.first_data_row, spot.max_row + 1):
        values = lt.grid.row_values(r, spot.min_col, spot.max_col)
        if any(not is_blank(v) for v in values):
            rows.append(values)
            lines.append(r)
    columns = [list(c) for c in zip(*rows)] if rows else [[] for _ in lt.headers]
    return Incoming(path.name, [str(h) for h in lt.headers], columns, lines)


# --- matching ---------------------------------------------------------------------------------

def parse_maps(maps) -> dict:
    """['Their header=Our column', ...] -> {their key: our column}; ValueError names a bad one."""
    found = {}
    for item in maps or ():
        theirs, sep, ours = str(item).partition("=")
        if not sep or not theirs.strip() or not ours.strip():
            raise ValueError(f"--map {item!r}: write it as \"Their header=Our column\"")
        found[text_key(theirs)] = ours.strip()
    return found


@dataclass
class ColumnPlan:
    """Where each column of the export goes: a table column, a new column, or nowhere (and why)."""

    targets: list  # Per export column: the table header it fills, or None.
    new: list  # Headers to add to the table (input columns).
    ignored: list  # (export header, reason)


def plan_columns(incoming: Incoming, table_headers: list, maps: dict, kept: dict) -> ColumnPlan:
    """Match the export's headers to the table's: --map first, then the Import map, then by header."""
    by_key = {}
    for h in table_headers:
        by_key.setdefault(text_key(h), h)
    targets, new, ignored, taken = [], [], [], set()
    for header in incoming.headers:
        key = text_key(header)
        wanted = maps.get(key) or kept.get(key) or header
        target = by_key.get(text_key(wanted))
        if not str(header).strip():
            targets.append(None)
            ignored.append((header, "it has no header"))
            continue
        if target is not None and output_meaning(target) is not None:
            targets.append(None)
            ignored.append((header, f"'{target}' is computed by Lead Score"))
            continue
        if target is None:
            target = str(wanted).strip()
            if text_key(target) not in {text_key(n) for n in new}:
                new.append(target)
        if text_key(target) in taken:
            targets.append(None)
            ignored.append((header, f"another column of the export already fills '{target}'"))
            continue
        taken.add(text_key(target))
        targets.append(target)
    return ColumnPlan(targets, new, ignored)


def lead_key_column(headers: list, key: str | None, filled=()) -> str | None:
    """The table column that identifies a lead: --key, else Lead ID, else Email, the first that the
    export fills too (filled: the table columns the export fills). None: no key."""
    if key:
        return next((h for h in headers if text_key(h) == text_key(key)), None)
    wanted = {text_key(f) for f in filled if f}
    for meaning in ("id", "email"):
        column = by_meaning(headers, meaning)
        if column is not None and text_key(column) in wanted:
            return column
    return None


def key_of(value) -> str:
    """A lead key as compared: an e-mail address or ID without case and spaces; numbers as numbers."""
    if is_blank(value):
        return ""
    return text_key(value).replace(" ", "")


def keys_of(values) -> list:
    """key_of of each value; texts (the usual key: an e-mail address, an ID) all at once."""
    if all(map(str.__instancecheck__, values)):
        # text_key joins the words by one space and case-folds; key_of then drops the spaces.
        return list(map(str.casefold, map("".join, map(str.split, values))))
    return list(map(key_of, values))


def bad_key(key: str | None, headers: list) -> SheetError:
    return SheetError([CellProblem("Leads", None, f"--key {key!r} is not a column of the Leads table "
                                                   f"(columns: {', '.join(map(str, headers[:12]))}"
                                                   f"{', ...' if len(headers) > 12 else ''})")])

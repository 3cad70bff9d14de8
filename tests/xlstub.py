"""A recording stand-in for the xlwings objects XlBook uses: Book, Sheets, Sheet, Range, Table.

It holds cell values the way Excel does and hands them out the way xlwings does
(whole numbers as floats, blanks as None, dates as datetime), converts written
text the way Excel does (a leading '=' makes a formula, '123' a number, an
apostrophe keeps text), and records every call that reads or writes a range.

With lite=True it behaves like xlwings Lite: reads see the workbook as it was
when the script started; writes land in the workbook but are not read back.
"""
from __future__ import annotations

import datetime as dt
import re

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries


class Formula(str):
    """What a cell holds when text starting with '=' was written to it."""


def excel_converts(value):
    """What Excel stores when Python writes value into a cell through xlwings."""
    if isinstance(value, str):
        if value.startswith("'"):
            return value[1:]
        if value.startswith("="):
            return Formula(value)
        if re.fullmatch(r"\s*[-+]?\d+(\.\d+)?\s*", value):
            return float(value)
        if value.strip().upper() in ("TRUE", "FALSE"):
            return value.strip().upper() == "TRUE"
        if value.startswith(("+", "-", "@")) and len(value) > 1:
            return Formula("=" + value[1:])
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


class Log(list):
    def count(self, *kinds) -> int:
        return sum(1 for k, *_ in self if k in kinds)


class Range:
    def __init__(self, sheet, r1, c1, r2, c2, ndim=None):
        self.sheet, self.r1, self.c1, self.r2, self.c2, self.ndim = sheet, r1, c1, r2, c2, ndim
        self.font = _Font(self)

    @property
    def address(self) -> str:
        return f"${get_column_letter(self.c1)}${self.r1}:${get_column_letter(self.c2)}${self.r2}"

    @property
    def row(self):
        return self.r1

    @property
    def column(self):
        return self.c1

    @property
    def shape(self):
        return (self.r2 - self.r1 + 1, self.c2 - self.c1 + 1)

    @property
    def last_cell(self):
        return Range(self.sheet, self.r2, self.c2, self.r2, self.c2)

    @property
    def left(self):
        return 64.0 * (self.c1 - 1)

    @property
    def top(self):
        return 15.0 * (self.r1 - 1)

    def options(self, ndim=None, **_):
        self.sheet.book.log.append(("options", self.sheet.name, self.address))
        return Range(self.sheet, self.r1, self.c1, self.r2, self.c2, ndim)

    def resize(self, row_size=None, column_size=None):
        self.sheet.book.log.append(("resize", self.sheet.name, self.address))
        rows = row_size or self.shape[0]
        cols = column_size or self.shape[1]
        return Range(self.sheet, self.r1, self.c1, self.r1 + rows - 1, self.c1 + cols - 1, self.ndim)

    def _deliver(self, v):
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return float(v)
        return v

    @property
    def value(self):
        self.sheet.book.log.append(("read", self.sheet.name, self.address))
        cells = self.sheet.snapshot if self.sheet.book.lite else self.sheet.cells
        rows = [[self._deliver(cells.get((r, c))) for c in range(self.c1, self.c2 + 1)]
                for r in range(self.r1, self.r2 + 1)]
        if self.ndim == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        if all(len(r) == 1 for r in rows):
            return [r[0] for r in rows]
        return rows

    @value.setter
    def value(self, data):
        self.sheet.book.log.append(("write", self.sheet.name, self.address))
        if not isinstance(data, list):
            data = [[data]]
        elif data and not isinstance(data[0], list):
            data = [data]
        for i, row in enumerate(data):
            for j, v in enumerate(row):
                key = (self.r1 + i, self.c1 + j)
                self.sheet.formulas.pop(key, None)
                if v is None:
                    self.sheet.cells.pop(key, None)
                else:
                    self.sheet.cells[key] = excel_converts(v)

    @property
    def formula(self):
        """As xlwings: a tuple of row tuples; a formula's text, else the value as text."""
        self.sheet.book.log.append(("read", self.sheet.name, self.address))
        cells = self.sheet.snapshot if self.sheet.book.lite else self.sheet.cells
        def text(r, c):
            if (r, c) in self.sheet.formulas:
                return self.sheet.formulas[(r, c)]
            return "" if cells.get((r, c)) is None else str(cells.get((r, c)))
        return tuple(tuple(text(r, c) for c in range(self.c1, self.c2 + 1)) for r in range(self.r1, self.r2 + 1))

    def _format(self, what, value):
        self.sheet.book.log.append((what, self.sheet.name, self.address))
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                self.sheet.formats.setdefault((r, c), {})[what] = value

    number_format = property(lambda self: None, lambda self, v: self._format("number_format", v))
    color = property(lambda self: None, lambda self, v: self._format("color", v))
    column_width = property(lambda self: None, lambda self, v: self._format("column_width", v))


class _Font:
    def __init__(self, rng):
        self._rng = rng

    bold = property(lambda self: None, lambda self, v: self._rng._format("bold", v))


class Table:
    def __init__(self, sheet, name, r1, c1, r2, c2, totals=False):
        self.sheet, self.name = sheet, name
        self.bounds = [r1, c1, r2, c2]
        self.show_totals = totals

    @property
    def range(self):
        return Range(self.sheet, *self.bounds)

    def resize(self, rng):
        self.sheet.book.log.append(("table_resize", self.sheet.name, rng.address))
        self.bounds = [rng.r1, rng.c1, rng.r2, rng.c2]


class Tables(list):
    def __init__(self, sheet):
        super().__init__()
        self.sheet = sheet

    def add(self, source=None, name=None, **_):
        self.sheet.book.log.append(("table_add", self.sheet.name, source.address))
        table = Table(self.sheet, name, source.r1, source.c1, source.r2, source.c2)
        self.append(table)
        return table


class Chart:
    def __init__(self, sheet):
        self.sheet, self.source, self.chart_type = sheet, None, None

    def set_source_data(self, rng):
        self.source = rng.address


class Charts(list):
    def __init__(self, sheet):
        super().__init__()
        self.sheet = sheet

    def add(self, left=0, top=0, width=355, height=211):
        self.sheet.book.log.append(("chart_add", self.sheet.name, ""))
        chart = Chart(self.sheet)
        self.append(chart)
        return chart


class Sheet:
    def __init__(self, book, name):
        self.book, self.name = book, name
        self.cells, self.formats = {}, {}
        self.formulas = {}  # Cells holding formulas: their text (cells holds the last result).
        self.snapshot = {}
        self.tables = Tables(self)
        self.charts = Charts(self)

    def range(self, cell1, cell2=None):
        if isinstance(cell1, str):
            min_col, min_row, max_col, max_row = range_boundaries(cell1)
            return Range(self, min_row, min_col, max_row, max_col)
        r1, c1 = cell1
        r2, c2 = cell2 if cell2 is not None else cell1
        return Range(self, r1, c1, r2, c2)

    def __getitem__(self, address):
        return self.range(address)

    @property
    def used_range(self):
        if not self.cells:
            return Range(self, 1, 1, 1, 1)
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return Range(self, min(rows), min(cols), max(rows), max(cols))

    def delete(self):
        self.book.log.append(("sheet_delete", self.name, ""))
        self.book.sheets._items.remove(self)

    def value_rows(self, r1=1, c1=1, r2=None, c2=None) -> list[list]:
        """Cell values (as stored) for tests."""
        used = self.used_range
        r2 = r2 or used.r2
        c2 = c2 or used.c2
        return [[self.cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


class Sheets:
    def __init__(self, book):
        self.book, self._items = book, []

    def __iter__(self):
        return iter(list(self._items))

    def __len__(self):
        return len(self._items)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._items[key]
        for s in self._items:
            if s.name.casefold() == str(key).casefold():
                return s
        raise KeyError(key)

    def add(self, name=None, before=None, after=None):
        self.book.log.append(("sheet_add", name, ""))
        sheet = Sheet(self.book, name)
        if before is not None:
            self._items.insert(self._items.index(before), sheet)
        elif after is not None:
            self._items.insert(self._items.index(after) + 1, sheet)
        else:
            self._items.insert(0, sheet)
        return sheet


class App:
    def __init__(self):
        self.alerts = []

    def alert(self, prompt, title=None, **_):
        self.alerts.append((title, prompt))


class Book:
    def __init__(self, name="Leads.xlsx", lite=False):
        self.name, self.lite = name, lite
        self.log = Log()
        self.sheets = Sheets(self)
        self.app = App()

    def start_script(self):
        """Take the snapshot xlwings Lite hands to a script, and clear the log."""
        for s in self.sheets:
            s.snapshot = dict(s.cells)
        self.log.clear()


def from_file(path, lite=False) -> Book:
    """A stand-in Book holding a workbook file's values (as last calculated) and tables."""
    wb = openpyxl.load_workbook(path, data_only=True)
    formulas = openpyxl.load_workbook(path)
    book = Book(name=str(path).rsplit("/", 1)[-1], lite=lite)
    for ws in wb.worksheets:
        sheet = Sheet(book, ws.title)
        book.sheets._items.append(sheet)
        for row in ws.iter_rows():
            for cell in row:
                source = formulas[ws.title].cell(cell.row, cell.column)
                if source.data_type == "f":
                    sheet.formulas[(cell.row, cell.column)] = str(source.value)
                if cell.value is not None and cell.value != "":  # Excel has no empty-text cells.
                    sheet.cells[(cell.row, cell.column)] = excel_converts(cell.value) \
                        if not isinstance(cell.value, str) else cell.value
        for t in ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(t.ref)
            sheet.tables.append(Table(sheet, t.name, min_row, min_col, max_row, max_col,
                                      bool(t.totalsRowCount)))
    book.start_script()
    return book

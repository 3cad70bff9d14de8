"""The book interface: what the workflow needs from a workbook, whatever holds it.

Rescore, tasks and report (workflow.py) are written once against `Book`. Two
backends implement it: `FileBook` (filebook.py, a file through openpyxl, used by
the command line) and `XlBook` (xlbook.py, a live xlwings Book in desktop Excel,
or the `book` that xlwings Lite hands to a script in Excel on the web).

The interface is deliberately coarse, because in live Excel every call is a
round trip: a whole rectangle is read or written at once, never a cell.
Coordinates are 1-based sheet rows and columns, as in Excel.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from .errors import SheetError


@dataclass
class TableSpot:
    """Where an Excel Table sits: sheet, name and bounds (header row to last data row)."""

    sheet: str
    name: str
    min_row: int
    min_col: int
    max_row: int  # Last data row, without a totals row.
    max_col: int
    totals: int = 0
    handle: object = field(default=None, repr=False, compare=False)  # The backend's own table object.

    @property
    def first_data_row(self) -> int:
        return self.min_row + 1


class Grid:
    """Values of one rectangle of a sheet, addressed by sheet row and column."""

    def __init__(self, top: int, left: int, rows, copy: bool = True):
        self.top, self.left = top, left
        # copy=False: rows are lists the caller made for this grid (and nobody changes).
        self.rows = [list(r) for r in rows] if copy else rows

    def value(self, row: int, col: int):
        r, c = row - self.top, col - self.left
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    def column(self, rows, col: int) -> list:
        """[value(r, col) for r in rows], without a call per row."""
        top, c, data = self.top, col - self.left, self.rows
        n = len(data)
        if c < 0:
            return [None] * len(rows)
        return [data[r - top][c] if 0 <= r - top < n and c < len(data[r - top]) else None for r in rows]

    def row_values(self, row: int, min_col: int, max_col: int) -> list:
        r = row - self.top
        width = max_col - min_col + 1
        if not 0 <= r < len(self.rows) or min_col < self.left:
            return [self.value(row, c) for c in range(min_col, max_col + 1)]
        values = self.rows[r][min_col - self.left:max_col - self.left + 1]
        return values + [None] * (width - len(values))


def refuse_totals_row(table: TableSpot) -> None:
    """Rows cannot be appended below a table's totals row: say so at the cell (SheetError)."""
    if table.totals:
        raise SheetError([f"{table.sheet}!A{table.max_row + 1}: the table {table.name} has a totals row; "
                          "turn it off (Table Design > Total Row) to add leads below it"])


def plain(value):
    """numpy scalars -> Python values; '' -> None (an empty cell)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if value == "" or value is None:
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value


def column_runs(columns: dict) -> list[tuple[int, list]]:
    """{sheet column: values} -> [(first column, [values per column])] for contiguous columns."""
    runs = []
    for col in sorted(columns):
        if runs and runs[-1][0] + len(runs[-1][1]) == col:
            runs[-1][1].append(columns[col])
        else:
            runs.append((col, [columns[col]]))
    return runs


DATE_FORMAT = "yyyy-mm-dd"
STAMP_FORMAT = "yyyy-mm-dd hh:mm"


def number_format_of(values) -> str | None:
    """The format a column of written values needs: a stamp for datetimes, a date for dates."""
    for v in values:
        if isinstance(v, dt.datetime):
            return STAMP_FORMAT
        if isinstance(v, dt.date):
            return DATE_FORMAT
    return None


class Book:
    """What a workflow needs from a workbook. Backends: FileBook, XlBook."""

    language_hint = None

    def sheet_names(self) -> list[str]:
        raise NotImplementedError

    def tables(self, sheet: str | None = None) -> list[TableSpot]:
        """The Excel Tables of one sheet, or of every sheet."""
        raise NotImplementedError

    def read(self, sheet: str, min_row: int, min_col: int, max_row: int, max_col: int) -> Grid:
        """Values (as calculated) of a rectangle, in one read."""
        raise NotImplementedError

    def formula_columns(self, table: TableSpot) -> set[int]:
        """Sheet columns whose first data cell holds a formula (in-cell functions compute those)."""
        return set()

    def write_columns(self, table: TableSpot, columns: dict, first_row: int) -> None:
        """Write {sheet column: values from first_row down}; strings stay text, never formulas."""
        raise NotImplementedError

    def write_cells(self, table: TableSpot, cells: dict) -> None:
        """Write single cells {(sheet row, sheet column): value} of a table; strings stay text."""
        raise NotImplementedError

    def append_rows(self, table: TableSpot, rows: list[list]) -> None:
        """Write rows (one value per table column) below the table's last row and grow the table."""
        raise NotImplementedError

    def append_columns(self, table: TableSpot, columns: list[list]) -> None:
        """append_rows given column by column (one list of values per table column, all as long)."""
        self.append_rows(table, [list(row) for row in zip(*columns)])

    def formula_cells(self, table: TableSpot, cells) -> set:
        """Which of these (row, column) cells hold a formula (an import never overwrites one)."""
        return set()

    def add_table_columns(self, table: TableSpot, headers: list[str]) -> None:
        """Widen a table by columns at its right edge with these headers (the cells must be empty)."""
        raise NotImplementedError

    def rename_table_columns(self, table: TableSpot, names: dict) -> None:
        """Give columns of a table new header names {sheet column: name} (the header cells and the
        table's own column names, which Excel keeps equal)."""
        raise NotImplementedError

    def hide_columns(self, table: TableSpot, columns: list[int]) -> None:
        """Hide these sheet columns (columns of ours that people need not see)."""
        raise NotImplementedError

    def put_table_sheet(self, title: str, table_name: str, headers, rows, widths=None, note=None) -> None:
        """Add sheet `title` holding one table of rows, replacing a sheet of that name in place; its header
        cells bold on grey; a note (text) goes in A1, above the table, which then starts at row 3."""
        raise NotImplementedError

    def append_table_rows(self, title: str, table_name: str, headers, rows, widths=None) -> None:
        """Append rows below a sheet's table (creating sheet and table when missing)."""
        raise NotImplementedError

    def put_report(self, funnel, language: str, as_of, new_sql) -> None:
        """Add or replace the Report sheet for a scoring.report.Funnel."""
        raise NotImplementedError

    def save(self, out=None) -> list[str]:
        """Make the changes permanent (a file backend saves atomically); returns parts lost, if any."""
        raise NotImplementedError

    def defined_name(self, name: str) -> str | None:
        """What a global defined name refers to (without '='), or None (backends that cannot say)."""
        return None

    def close(self) -> None:
        """Let go of the file (a file backend keeps it open while it reads)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # Derived helpers, the same for every backend.

    def table(self, name: str) -> TableSpot | None:
        return next((t for t in self.tables() if t.name.casefold() == name.casefold()), None)

    def table_grid(self, table: TableSpot) -> Grid:
        return self.read(table.sheet, table.min_row, table.min_col, table.max_row, table.max_col)

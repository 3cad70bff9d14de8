"""XlBook: the book interface over a live xlwings Book (desktop Excel or xlwings Lite).

Every call into Excel is a round trip, so this backend reads and writes whole
rectangles: one read for the LeadScore blocks, one for the Leads table, one
write per run of adjacent output columns. The number of calls does not grow
with the number of leads.

xlwings Lite hands a script a snapshot of the workbook and applies the script's
writes when it ends, so nothing here reads back what it wrote: written blocks,
added sheets and resized tables are remembered and laid over later reads.
Only the xlwings API shared by desktop xlwings and xlwings Lite is used; the
module does not import xlwings, so it is tested with a recording stand-in.
"""
from __future__ import annotations

import re

from .book import Book, Grid, TableSpot, column_runs, number_format_of, plain
from .errors import SheetError

_A1 = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")
_BOOLEAN_WORDS = {"true", "false", "vero", "falso"}
HEADER_FILL = (217, 217, 217)  # Our table sheets' header cells (bold on this grey).
NOTE_FILL = (255, 242, 204)  # A note above a table.


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def bounds(address: str) -> tuple[int, int, int, int]:
    """'$A$1:$D$10' (or 'Sheet!A1:D10') -> (min_row, min_col, max_row, max_col)."""
    match = _A1.match(address.split("!")[-1].upper())
    if not match:
        raise ValueError(f"not a cell range: {address!r}")
    c1, r1, c2, r2 = match.groups()
    c2, r2 = c2 or c1, r2 or r1
    return int(r1), _column_number(c1), int(r2), _column_number(c2)


def cell_value(value):
    """A plain value as written to Excel: text that Excel would turn into a formula, number, date,
    boolean or error gets the apostrophe prefix that keeps it text."""
    if type(value) is str:
        if not value:
            return None
        first = value.lstrip()[:1]
        if (first and (first in "=+-@'#.,(" or first.isdigit())) or value.strip().lower() in _BOOLEAN_WORDS \
                or value != value.strip():
            return "'" + value
    return value


def read_value(value):
    """Excel delivers whole numbers as floats; give them back as ints, as a file read does."""
    if type(value) is float and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


class XlBook(Book):
    """Wraps an xlwings Book (desktop or Lite)."""

    def __init__(self, book):
        self.book = book
        self._names = [s.name for s in book.sheets]
        self._tables: dict[str, list[TableSpot]] = {}
        self._written: dict[str, list[tuple[int, int, list]]] = {}  # sheet -> [(top, left, rows)]
        self._fresh: set[str] = set()  # Sheets this run created: nothing to read from Excel.

    # Reading.

    def defined_name(self, name) -> str | None:
        """A workbook-level name's formula (xlwings: book.names), or None."""
        try:
            found = self.book.names[name]
        except Exception:  # noqa: BLE001  xlwings raises its backend's own error for a missing name.
            return None
        return str(found.refers_to).lstrip("=")

    def sheet_names(self) -> list[str]:
        return list(self._names)

    def _sheet(self, title: str):
        return self.book.sheets[title]

    def tables(self, sheet=None) -> list[TableSpot]:
        found = []
        for title in ([sheet] if sheet is not None else self._names):
            if title not in self._tables:
                spots = []
                if title not in self._fresh:
                    for t in self._sheet(title).tables:
                        r1, c1, r2, c2 = bounds(t.range.address)
                        totals = 1 if t.show_totals else 0
                        spots.append(TableSpot(title, t.name, r1, c1, r2 - totals, c2, totals, t))
                self._tables[title] = spots
            found += self._tables[title]
        return found

    def read(self, sheet, min_row, min_col, max_row, max_col) -> Grid:
        height, width = max_row - min_row + 1, max_col - min_col + 1
        if sheet in self._fresh:
            rows = [[None] * width for _ in range(height)]
        else:
            rng = self._sheet(sheet).range((min_row, min_col), (max_row, max_col))
            rows = rng.options(ndim=2).value
            rows = [[read_value(v) for v in row] for row in rows]
        for top, left, block in self._written.get(sheet, []):
            for i, row in enumerate(block):
                r = top + i - min_row
                if not 0 <= r < height:
                    continue
                for j, v in enumerate(row):
                    c = left + j - min_col
                    if 0 <= c < width:
                        rows[r][c] = v
        return Grid(min_row, min_col, rows)

    # Writing.

    def _put(self, sheet: str, top: int, left: int, rows: list[list]) -> None:
        """One write of a rectangle of values, remembered for later reads."""
        if not rows or not rows[0]:
            return
        rows = [[plain(v) for v in row] for row in rows]
        target = self._sheet(sheet).range((top, left), (top + len(rows) - 1, left + len(rows[0]) - 1))
        target.value = [[cell_value(v) for v in row] for row in rows]
        self._written.setdefault(sheet, []).append((top, left, rows))

    def _formats(self, sheet: str, first_row: int, last_row: int, columns: dict) -> None:
        """Date and stamp formats, one call per column that holds dates."""
        for col, values in columns.items():
            fmt = number_format_of(values)
            if fmt:
                self._sheet(sheet).range((first_row, col), (last_row, col)).number_format = fmt

    def formula_columns(self, table) -> set[int]:
        if table.sheet in self._fresh:
            return set()
        row = table.first_data_row
        found = self._sheet(table.sheet).range((row, table.min_col), (row, table.max_col)).formula
        if isinstance(found, str):
            found = [found]
        elif found and isinstance(found[0], (list, tuple)):
            found = found[0]
        return {table.min_col + j for j, f in enumerate(found) if isinstance(f, str) and f.startswith("=")}

    def write_columns(self, table, columns, first_row) -> None:
        for left, values in column_runs(columns):
            rows = [list(r) for r in zip(*values)]
            self._put(table.sheet, first_row, left, rows)
        n = len(next(iter(columns.values()), []))
        if n:
            self._formats(table.sheet, first_row, first_row + n - 1, columns)

    def write_cells(self, table, cells) -> None:
        for (r, c), value in sorted(cells.items()):  # One round trip a cell: imports are for files.
            self._put(table.sheet, r, c, [[value]])

    def append_rows(self, table, rows) -> None:
        if not rows:
            return
        start = table.max_row + 1
        self._put(table.sheet, start, table.min_col, [list(r) for r in rows])
        table.max_row = start + len(rows) - 1
        sheet = self._sheet(table.sheet)
        table.handle.resize(sheet.range((table.min_row, table.min_col), (table.max_row, table.max_col)))

    def add_table_columns(self, table, headers) -> None:
        last = table.max_row + table.totals
        right = self.read(table.sheet, table.min_row, table.max_col + 1, last, table.max_col + len(headers))
        for j, name in enumerate(headers):
            for i, row in enumerate(right.rows):
                if row[j] not in (None, ""):
                    cell = f"{column_letter(table.max_col + 1 + j)}{table.min_row + i}"
                    raise SheetError([f"{table.sheet}!{cell}: the table needs a column '{name}' here "
                                      "but the cell is not empty"])
        self._put(table.sheet, table.min_row, table.max_col + 1, [list(headers)])
        table.max_col += len(headers)
        sheet = self._sheet(table.sheet)
        table.handle.resize(sheet.range((table.min_row, table.min_col), (last, table.max_col)))

    def rename_table_columns(self, table, names) -> None:
        for col, name in sorted(names.items()):  # Excel renames a table's column with its header cell.
            self._put(table.sheet, table.min_row, col, [[str(name)]])

    def hide_columns(self, table, columns) -> None:
        sheet = self._sheet(table.sheet)
        for col in columns:
            sheet.range((table.min_row, col)).column_width = 0  # A width of 0 hides a column in Excel.

    def _new_sheet(self, title: str):
        """Add sheet `title`, replacing one of that name at the same position."""
        if title in self._names:
            index = self._names.index(title)
            self._sheet(title).delete()
            self._names.remove(title)
            if index < len(self._names):
                sheet = self.book.sheets.add(title, before=self.book.sheets[self._names[index]])
            else:
                sheet = self.book.sheets.add(title, after=self.book.sheets[self._names[-1]])
            self._names.insert(index, title)
        else:
            sheet = self.book.sheets.add(title, after=self.book.sheets[self._names[-1]])
            self._names.append(title)
        self._fresh.add(title)
        self._written[title] = []
        self._tables[title] = []
        return sheet

    def put_table_sheet(self, title, table_name, headers, rows, widths=None, note=None) -> None:
        sheet = self._new_sheet(title)
        body = [list(r) for r in rows]
        top = 3 if note else 1  # A note goes in A1, above the table (written with it: one call).
        above = [[note] + [None] * (len(headers) - 1), [None] * len(headers)] if note else []
        self._put(title, 1, 1, above + [list(headers)] + body)
        if note:  # The note's row shaded across the table.
            row = sheet.range((1, 1), (1, len(headers)))
            row.font.bold = True
            row.color = NOTE_FILL
        head = sheet.range((top, 1), (top, len(headers)))  # Bold on grey: not every program shows table styles.
        head.font.bold = True
        head.color = HEADER_FILL
        last = max(len(body) + 1, 2) + top - 1
        self._formats(title, top + 1, last, {c + 1: [r[c] for r in body] for c in range(len(headers))})
        handle = sheet.tables.add(source=sheet.range((top, 1), (last, len(headers))), name=table_name)
        self._tables[title].append(TableSpot(title, table_name, top, 1, last, len(headers), 0, handle))
        for c, width in enumerate(widths or [], start=1):
            sheet.range((1, c)).column_width = width

    def append_table_rows(self, title, table_name, headers, rows, widths=None) -> None:
        rows = [list(r) for r in rows]
        if title not in self._names:
            self.put_table_sheet(title, table_name, headers, rows, widths)
            return
        table = next((t for t in self.tables(title) if t.name == table_name), None)
        if not rows:
            return
        if table is None:
            used = self._sheet(title).used_range
            self._put(title, used.last_cell.row + 1, 1, rows)
            return
        start = table.max_row + 1
        if table.max_row == table.first_data_row:
            last_row = self.read(title, table.max_row, table.min_col, table.max_row, table.max_col)
            if all(v is None for v in last_row.rows[0]):
                start = table.max_row  # An empty table keeps one blank row; fill it.
        self._put(title, start, table.min_col, rows)
        last = start + len(rows) - 1
        self._formats(title, start, last, {table.min_col + c: [r[c] for r in rows]
                                           for c in range(len(rows[0]))})
        table.max_row = last
        sheet = self._sheet(title)
        table.handle.resize(sheet.range((table.min_row, table.min_col), (last, table.max_col)))

    def put_report(self, funnel, language, as_of, new_sql) -> None:
        from .xlreport import put_report

        put_report(self, funnel, language, as_of, new_sql)

    def save(self, out=None) -> list[str]:
        """Live Excel holds the changes already; saving the file is left to the user."""
        if out is not None:
            self.book.save(str(out))
        return []

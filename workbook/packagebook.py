"""PackageBook: the book interface over a workbook file, read and written part by part.

Reads go straight to the sheet XML (xlsx/cells.py): only the sheets asked for,
values as Excel last calculated them. Writes wait until save(), which copies
every zip member the product does not own unchanged and rewrites only what it
owns (xlsx/assemble.py): the cells of the output columns and of rows added by
an import, the tables' ranges and columns, the hidden columns of ours; its own
sheets (History, Tasks, Report) with their entries in the workbook part, its
relationships, the content types and docProps/app.xml; the cell formats it
needs, appended to styles.xml. Before the new file replaces anything it is
checked: every member we did not change must have the same bytes, and every
cell of a sheet we patched that we did not write must read back as it was.
"""
from __future__ import annotations

import datetime as dt
import os
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException

from . import collector, progress
from .book import DATE_FORMAT, STAMP_FORMAT, Book, Grid, TableSpot, plain, refuse_totals_row
from .errors import SheetError, Unreadable, WriteRefused
from .opening import unreadable
from .report_sheet import REPORT_SHEET
from .safety import safe_save
from .sheet_check import SheetPlan, StreamedSheet, side_checker
from .sheets import cell_text
from .side_check import SideCheck
from .xlsx import cells as xcells
from .xlsx.assemble import Edit
from .xlsx.cols import hide_columns
from .xlsx.newparts import table_ref, table_sheet_xml, table_xml, workbook_set_defined_names
from .xlsx.package import Package
from .xlsx.patch import Cell, Column, SharedStrings, iter_patch_columns, patch_cells, patch_columns, remove_calc_chain_cells, resize_table, \
    set_attributes
from .xlsx.report_xml import REPORT_STYLES, report_layout, report_parts
from .xlsx.splice import SpliceError, col_letter, get_attr, parse_range, range_ref, root
from .xlsx.styles_write import StyleSpec, styles_append

CALC_CHAIN = "calcChain"
# What a damaged or hostile package raises while it is read (defusedxml's errors are ValueErrors).
DAMAGED = (zlib.error, zipfile.BadZipFile, EOFError, ParseError, SpliceError, DefusedXmlException,
           UnicodeDecodeError)
SIDE_CHECK_BYTES = 8 << 20  # Sheets of this much XML or more are checked by a child process as they are written.
DATE_STYLES = {"date": StyleSpec(num_format=DATE_FORMAT), "datetime": StyleSpec(num_format=STAMP_FORMAT)}
# Our table sheets' header cells (bold on grey, as the Leads output headers: LibreOffice shows no
# table style) and a note above a table.
TABLE_STYLES = {"header": StyleSpec(bold=True, fill="D9D9D9"), "note": StyleSpec(bold=True, fill="FFF2CC")}


@dataclass
class _Table:
    """A table as this run sees it: where it is now, and what changed."""

    sheet: str
    part: str  # The table part.
    name: str
    min_row: int
    min_col: int
    max_row: int  # Last data row (a table resized far below its data: the last row with a cell).
    max_col: int
    totals: int
    ref_last: int  # Last row of the table's range as stored (totals included); it never shrinks.
    new_columns: list = field(default_factory=list)
    renamed: dict = field(default_factory=dict)  # Position in the table (from 0) -> new column name.
    changed: bool = False

    def spot(self) -> TableSpot:
        return TableSpot(self.sheet, self.name, self.min_row, self.min_col, self.max_row, self.max_col,
                         self.totals, self)


class _Pending:
    """Writes waiting for save on one sheet: column segments and single cells, never overlapping."""

    def __init__(self):
        self.segments: dict[int, list[list]] = {}  # col -> [[first row, values], ...] sorted.
        self.cells: dict[int, dict[int, object]] = {}  # col -> {row: value}
        self.hidden: set[int] = set()
        self.keep_blank: set[int] = set()  # Output columns: a blank leaves an empty cell (fast next time).

    def __bool__(self) -> bool:
        return bool(self.segments or self.cells or self.hidden)

    def put_column(self, col: int, first: int, values: list) -> None:
        last = first + len(values) - 1
        singles = self.cells.get(col)
        if singles:
            for r in [r for r in singles if first <= r <= last]:
                del singles[r]
        kept = []
        for a, old in self.segments.get(col, []):
            b = a + len(old) - 1
            if b < first or a > last:
                kept.append([a, old])
                continue
            if a < first:
                kept.append([a, old[:first - a]])
            if b > last:
                kept.append([last + 1, old[last + 1 - a:]])
        kept.append([first, list(values)])
        kept.sort(key=lambda s: s[0])
        self.segments[col] = kept

    def put_cell(self, row: int, col: int, value) -> None:
        for a, old in self.segments.get(col, []):
            if a <= row < a + len(old):
                old[row - a] = value
                return
        self.cells.setdefault(col, {})[row] = value

    def runs(self, col: int) -> list[list]:
        """The writes of one column as runs of consecutive rows: [[first row, values], ...]."""
        pieces = [(a, v) for a, v in self.segments.get(col, []) if v]
        pieces += [(r, [v]) for r, v in self.cells.get(col, {}).items()]
        pieces.sort(key=lambda p: p[0])
        out: list[list] = []
        for a, values in pieces:
            if out and out[-1][0] + len(out[-1][1]) == a:
                out[-1][1] = list(out[-1][1]) + list(values)
            else:
                out.append([a, values])
        return out

    def last_row(self) -> int:
        ends = [a + len(v) - 1 for segs in self.segments.values() for a, v in segs if v]
        ends += [max(c) for c in self.cells.values() if c]
        return max(ends, default=0)

    def owned(self, col: int):
        """(first row, last row) ranges this sheet writes in col."""
        out = [(a, a + len(v) - 1) for a, v in self.segments.get(col, []) if v]
        out += [(r, r) for r in self.cells.get(col, {})]
        return out

    def overlay(self, rows: list, top: int, left: int, bottom: int, right: int) -> list:
        """rows (from row top, columns left..right) with these writes laid over them."""
        width = right - left + 1
        last = min(bottom, self.last_row())
        below = last - (top + len(rows) - 1)  # Rows written below what was read.
        if below > 0:
            rows.extend([None] * width for _ in range(below))
        for col in range(left, right + 1):
            j = col - left
            for a, values in self.segments.get(col, []):
                lo, hi = max(a, top), min(a + len(values) - 1, top + len(rows) - 1)
                if lo > hi:
                    continue
                for row, value in zip(rows[lo - top:hi - top + 1], values[lo - a:hi - a + 1]):
                    row[j] = value
            for r, value in self.cells.get(col, {}).items():
                if top <= r < top + len(rows):
                    rows[r - top][j] = value
        return rows


def _value(value):
    """A value as written: plain Python, None for blanks (text is made what a cell can hold when
    it is written: xlsx/patch.py)."""
    t = type(value)
    if t is str:
        return value or None
    if (t is int or t is bool) or (t is float and value == value):
        return value
    return plain(value)


_PLAIN_TYPES = frozenset((str, int, float, bool, type(None), dt.datetime, dt.date))


def _values(values) -> list:
    """[_value(v) for v in values], without a call per value where all are plain Python."""
    values = list(values)
    kinds = set(map(type, values))
    if kinds <= _PLAIN_TYPES:
        if kinds <= {int, bool, type(None)} or (float not in kinds and not (str in kinds and "" in values)):
            return values
        return [None if v != v or v == "" else v for v in values]  # NaN and empty text are blanks.
    return [_value(v) for v in values]


def _columns_of(rows: list, width: int) -> list:
    """Rows (lists, some maybe shorter) as width columns, None where a row is short."""
    if all(len(r) == width for r in rows):
        return [list(c) for c in zip(*rows)] if rows else [[] for _ in range(width)]
    return [[r[j] if j < len(r) else None for r in rows] for j in range(width)]


class PackageBook(Book):
    """A workbook file, edited as a package (see the module docstring)."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self.package = Package.open(self.path)
        self.edit = Edit(self.package)
        self.date1904 = self.package.date1904
        self._entries = {e.name: e for e in self.package.sheets}
        self._names = [e.name for e in self.package.sheets]
        self._pending: dict[str, _Pending] = {}
        self._tables: list[_Table] | None = None
        self._formulas_seen = False
        self._styles: dict[str, int] = {}
        self._new_sheets: set[str] = set()
        self._next_table_id = None
        self._sst = None
        self._sst_part = None
        self._names_set: dict[str, str | None] = {}  # Defined names set by this run.
        self._formula_cells: dict[str, set] = {}  # sheet -> formula cells seen by reads.
        self._raw: dict[str, tuple] = {}  # sheet -> (top, left, bottom, right, rows, formulas) as first read.
        self._side_checks: dict[str, SideCheck] = {}  # sheet -> the child checking its new XML.
        self._released = False
        collector.hold()  # Until close (collector.py).

    def close(self) -> None:
        self.package.close()
        if not getattr(self, "_released", True):
            self._released = True
            collector.release()

    @contextmanager
    def _reading(self):
        """Errors of a damaged package, as one line that names the file."""
        try:
            yield
        except DAMAGED as exc:
            raise unreadable(self.path, exc) from None

    def _check_sheet(self, part: str) -> None:
        """Refuse a worksheet part that is not one: another root element, or XML entities."""
        key = ("checked", part)
        if key in self.package._memo:
            return
        with self._reading():
            with self.package.open_member(part) as stream:
                head = stream.read(1 << 12)
            xcells.refuse_dtd(head)
            if b"worksheet" not in head:
                raise Unreadable(self.path, f"{os.path.basename(self.path)} cannot be read as an Excel workbook "
                                            f"(its part {part} is not a worksheet); open it in Excel and save it "
                                            "again, or restore it from a backup")
        self.package._memo[key] = True

    # Reading.

    def sheet_names(self) -> list[str]:
        return list(self._names)

    def _part(self, sheet: str) -> str:
        entry = self._entries.get(sheet)
        if entry is None or entry.part is None or entry.kind != "worksheet" or sheet in self._new_sheets:
            raise KeyError(f"no worksheet {sheet!r} to read")
        self._check_sheet(entry.part)
        return entry.part

    def _all_tables(self) -> list[_Table]:
        if self._tables is None:
            found = []
            for entry in self.package.sheets:
                if entry.kind != "worksheet" or entry.part is None or entry.part not in self.package:
                    continue
                self._check_sheet(entry.part)
                with self._reading():
                    defined = self.package.tables(entry.part)
                for t in defined:
                    r1, c1, r2, c2 = parse_range(t.ref)
                    totals = t.totals_row_count or 0
                    found.append(_Table(entry.name, t.part, t.display_name or t.name, r1, c1, r2 - totals, c2,
                                        totals, r2))
            self._tables = found
        return self._tables

    def tables(self, sheet=None) -> list[TableSpot]:
        return [t.spot() for t in self._all_tables() if sheet is None or t.sheet == sheet]

    def _record(self, spot: TableSpot) -> _Table:
        rec = spot.handle
        if not isinstance(rec, _Table):
            rec = next(t for t in self._all_tables() if t.name == spot.name)
        return rec

    def read(self, sheet, min_row, min_col, max_row, max_col) -> Grid:
        part = self._part(sheet)
        found: set = set()
        if max_row - min_row > 10_000:
            progress.step(f"Reading {sheet}", max_row - min_row)
        with self._reading():
            rows = xcells.read_values(self.package, part, min_row, min_col, max_row, max_col, formulas=found)
        if found:
            self._formulas_seen = True
            self._formula_cells.setdefault(sheet, set()).update(found)
        pending = self._pending.get(sheet)
        if pending:
            rows = pending.overlay(rows, min_row, min_col, max_row, max_col)
        else:
            old = self._raw.get(sheet)
            if old is None or (max_row - min_row) * (max_col - min_col) > (old[2] - old[0]) * (old[3] - old[1]):
                self._raw[sheet] = (min_row, min_col, max_row, max_col, rows, found)
        return Grid(min_row, min_col, rows, copy=False)

    def table_grid(self, table: TableSpot) -> Grid:
        grid = self.read(table.sheet, table.min_row, table.min_col, table.max_row, table.max_col)
        # Rows below the sheet's last cell are empty: a table resized to row 1,048,576 over a
        # few leads is read and written as far as its data goes (its range stays as it is).
        if not table.totals:
            last = max(grid.top + len(grid.rows) - 1, table.min_row + 1)
            if last < table.max_row:
                rec = self._record(table)
                rec.max_row = table.max_row = last
        return grid

    def formula_columns(self, table) -> set[int]:
        part = self._part(table.sheet)
        row = table.first_data_row
        with self._reading():
            found = xcells.formula_cells(self.package, part, row, table.min_col, table.max_col)
        if found:
            self._formulas_seen = True
        return {c for _, c in found}

    def formula_cells(self, table, cells) -> set:
        cells = list(cells)
        if not cells:
            return set()
        part = self._part(table.sheet)
        rows = {r for r, _ in cells}
        with self._reading():
            found = xcells.formula_cells(self.package, part, rows, table.min_col, table.max_col)
        return found & set(cells)

    # Writing (kept until save).

    def _pending_of(self, sheet: str) -> _Pending:
        return self._pending.setdefault(sheet, _Pending())

    def write_columns(self, table, columns, first_row) -> None:
        pending = self._pending_of(table.sheet)
        for col, values in columns.items():
            pending.put_column(col, first_row, _values(values))
            pending.keep_blank.add(col)

    def write_cells(self, table, cells) -> None:
        pending = self._pending_of(table.sheet)
        for (r, c), value in cells.items():
            pending.put_cell(r, c, _value(value))

    def append_rows(self, table, rows) -> None:
        if not rows:
            return
        refuse_totals_row(table)
        self._append(table, _columns_of(rows, table.max_col - table.min_col + 1))

    def append_columns(self, table, columns) -> None:
        if columns and columns[0]:
            refuse_totals_row(table)
            self._append(table, columns)

    def _append(self, table, columns: list) -> None:
        rec = self._record(table)
        start = table.max_row + 1
        pending = self._pending_of(table.sheet)
        for j, values in enumerate(columns):
            pending.put_column(table.min_col + j, start, _values(values))
        rec.max_row = table.max_row = start + len(columns[0]) - 1
        rec.ref_last = max(rec.ref_last, rec.max_row)
        rec.changed = True

    def add_table_columns(self, table, headers) -> None:
        rec = self._record(table)
        last = rec.ref_last
        width = len(headers)
        grid = self.read(table.sheet, table.min_row, table.max_col + 1, last, table.max_col + width)
        for k, name in enumerate(headers):
            col = table.max_col + 1 + k
            for i, row in enumerate(grid.rows):
                if row[k] not in (None, ""):
                    raise SheetError([f"{table.sheet}!{col_letter(col)}{table.min_row + i}: the table needs a "
                                      f"column '{name}' here but the cell is not empty; move what is there (Lead Score adds its "
                                      "columns at the table's right edge)"])
        pending = self._pending_of(table.sheet)
        for name in headers:
            table.max_col += 1
            pending.put_cell(table.min_row, table.max_col, cell_text(str(name)))
            rec.new_columns.append(str(name))
        rec.max_col = table.max_col
        rec.changed = True

    def rename_table_columns(self, table, names) -> None:
        rec = self._record(table)
        pending = self._pending_of(table.sheet)
        stored = rec.max_col - len(rec.new_columns)  # The last column the table part already has.
        for col, name in names.items():
            if not rec.min_col <= col <= rec.max_col:
                raise ValueError(f"column {col} is not in table {rec.name}")
            pending.put_cell(rec.min_row, col, cell_text(str(name)))
            if col <= stored:
                rec.renamed[col - rec.min_col] = str(name)
            else:  # A column this run adds: it is added under its new name.
                rec.new_columns[col - stored - 1] = str(name)
        rec.changed = True

    def defined_name(self, name: str) -> str | None:
        """What a global defined name refers to (its formula, without '='), or None."""
        if name.casefold() in self._names_set:
            return self._names_set[name.casefold()]
        return next((n.text for n in self.package.defined_names
                     if n.local_sheet_id is None and n.name.casefold() == name.casefold()), None)

    def set_defined_name(self, name: str, text: str | None) -> None:
        """Set (or with None remove) a global defined name of ours in the workbook part."""
        book = self.package.workbook_part
        self.edit.put(book, workbook_set_defined_names(self.edit.read(book), {name: text}, name))
        self._names_set[name.casefold()] = text

    def hide_columns(self, table, columns) -> None:
        self._pending_of(table.sheet).hidden.update(columns)

    def _table_id(self) -> int:
        """An id no table of the workbook has (ids are unique across the workbook)."""
        if self._next_table_id is None:
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
            parts = [n for n in self.package.names if self.package.content_type(n) == kind]
            self._next_table_id = max((_table_id_of(self.package.read(p)) for p in parts), default=0) + 1
        n = self._next_table_id
        self._next_table_id += 1
        return n

    def _style(self, key: str) -> int:
        """The cellXfs index of one of our formats, appended to styles.xml once."""
        if key not in self._styles:
            part = self.package.styles_part
            if part is None or not self.edit.exists(part):
                raise SheetError([f"{os.path.basename(self.path)}: the workbook has no styles part; "
                                  "open it in Excel and save it again"])
            specs = {**DATE_STYLES, **TABLE_STYLES, **{f"report:{k}": v for k, v in REPORT_STYLES.items()}}
            xml, index = styles_append(self.edit.read(part), list(specs.values()))
            self.edit.put(part, xml)
            for k, spec in specs.items():
                self._styles[k] = index[spec]
        return self._styles[key]

    def _table_sheet(self, title, table_name, headers, rows, widths, index=None, note=None) -> None:
        """Add a sheet holding one new table of rows (our Tasks, History and Duplicates sheets); a note
        goes in A1, above the table (which then starts at row 3)."""
        rows = rows if isinstance(rows, list) else list(rows)  # Rows are only read: tuples will do.
        top = 3 if note else 1
        shade = self._style("note") if note else None  # The note's row shaded across the table.
        above = [[Cell(note, "text", shade)] + [Cell(None, "blank", shade)] * (len(headers) - 1), []] if note else []
        xml = table_sheet_xml(above + [list(headers)], list(widths or []), {"header": self._style("header")},
                              table_rel_id="rId1", date1904=self.date1904, header_row=top)
        if rows:  # The rows go in column by column, as the leads' outputs do (fast for 100,000s of rows).
            columns = []
            for j, values in enumerate(_columns_of(rows, len(headers))):
                values = _values(values)
                columns.append(Column(j + 1, top + 1, values, style=self._date_style(values)))
            xml = patch_columns(xml, columns, shared_strings=self._shared_strings(), date1904=self.date1904).xml
        part = self.edit.add_sheet(title, xml, index)
        table_part = self.edit.free_name("xl/tables/table{}.xml")
        ref = table_ref(len(rows) + 1, len(headers), first_row=top)
        self.edit.put(table_part, table_xml(self._table_id(), table_name, ref, [str(h) for h in headers]), "table")
        rel = self.edit.relate(part, "table", table_part)
        if rel != "rId1":
            raise RuntimeError(f"the new sheet's table relationship is {rel}, not rId1")
        self._added(title)

    def _added(self, title: str) -> None:
        if title not in self._names:
            self._names = self._sheet_order()
        self._new_sheets.add(title)
        self._entries.pop(title, None)

    def _sheet_order(self) -> list[str]:
        from .xlsx.newparts import sheet_names

        return sheet_names(self.edit.read(self.package.workbook_part))

    def _remove_sheet(self, title: str) -> int:
        index = self.edit.remove_sheet(title)
        self._names = self._sheet_order()
        self._entries.pop(title, None)
        self._pending.pop(title, None)
        if self._tables is not None:
            self._tables = [t for t in self._tables if t.sheet != title]
        return index

    def put_table_sheet(self, title, table_name, headers, rows, widths=None, note=None) -> None:
        index = self._remove_sheet(title) if title in self._names else None
        clash = [t for t in self._all_tables() if t.name.casefold() == table_name.casefold()]
        if clash:
            raise SheetError([f"{clash[0].sheet}!A1: a table named {table_name} is already there; "
                              f"rename it to let Lead Score add its sheet '{title}'"])
        self._table_sheet(title, table_name, headers, rows, widths, index, note)

    def append_table_rows(self, title, table_name, headers, rows, widths=None) -> None:
        rows = list(rows)
        if title not in self._names:
            self._table_sheet(title, table_name, headers, rows, widths)
            return
        if not rows:
            return
        rec = next((t for t in self._all_tables() if t.sheet == title and t.name == table_name), None)
        pending = self._pending_of(title)
        if rec is None:  # The sheet is there without its table: the rows go below its last row.
            grid = self.read(title, 1, 1, 1_048_576, max(len(headers), 1))
            start, first_col = len(grid.rows) + 1, 1
        else:
            start, first_col = rec.max_row + 1, rec.min_col
            if rec.max_row == rec.min_row + 1:  # An empty table keeps one blank data row: fill it.
                row = self.read(title, rec.max_row, rec.min_col, rec.max_row, rec.max_col).rows
                if not row or all(v in (None, "") for v in row[0]):
                    start = rec.max_row
        width = max(len(r) for r in rows)
        for j, values in enumerate(_columns_of(rows, width)):
            pending.put_column(first_col + j, start, _values(values))
        if rec is not None:
            rec.max_row = start + len(rows) - 1
            rec.ref_last = max(rec.ref_last, rec.max_row + rec.totals)
            rec.changed = True

    def put_report(self, funnel, language, as_of, new_sql) -> None:
        existing = next((n for n in self._names if n.casefold() == REPORT_SHEET.casefold()), None)
        index = self._remove_sheet(existing) if existing is not None else None
        layout = report_layout(funnel, language, as_of, new_sql, sheet_name=REPORT_SHEET)
        styles = {k: self._style(f"report:{k}") for k in REPORT_STYLES}
        drawing = self.edit.free_name("xl/drawings/drawing{}.xml")
        chart = self.edit.free_name("xl/charts/chart{}.xml")
        parts = report_parts(layout, styles, drawing_target="../" + drawing.removeprefix("xl/"),
                             chart_target="../" + chart.removeprefix("xl/"), date1904=self.date1904)
        part = self.edit.add_sheet(REPORT_SHEET, parts["sheet"], index)
        if parts["chart"] is not None:
            from .xlsx.package import rels_part_of

            self.edit.put(rels_part_of(part), parts["sheet_rels"])
            self.edit.put(drawing, parts["drawing"], "drawing")
            self.edit.put(rels_part_of(drawing), parts["drawing_rels"])
            self.edit.put(chart, parts["chart"], "chart")
        self._added(REPORT_SHEET)

    def styles_for(self, specs: dict) -> dict:
        """{key: cellXfs index} of these formats ({key: StyleSpec}), appended to styles.xml where missing."""
        self._style("date")  # The product's own formats first (it checks that there is a styles part).
        part = self.package.styles_part
        xml, index = styles_append(self.edit.read(part), list(specs.values()))
        self.edit.put(part, xml)
        return {key: index[spec] for key, spec in specs.items()}

    def put_sheet(self, title: str, sheet_xml: bytes, charts=()) -> None:
        """Add a sheet of ours, replacing one of that name (any case) at the same position. With charts,
        [(xlsx.chart.Anchor, chart part bytes)], sheet_xml names its drawing as relationship rId1."""
        from dataclasses import replace

        from .xlsx.chart import drawing_xml

        existing = next((n for n in self._names if n.casefold() == title.casefold()), None)
        index = self._remove_sheet(existing) if existing is not None else None
        part = self.edit.add_sheet(title, sheet_xml, index)
        if charts:
            drawing = self.edit.free_name("xl/drawings/drawing{}.xml")
            anchors = []
            for anchor, xml in charts:
                chart = self.edit.free_name("xl/charts/chart{}.xml")
                self.edit.put(chart, xml, "chart")
                anchors.append(replace(anchor, rel_id=self.edit.relate(drawing, "chart", chart)))
            self.edit.put(drawing, drawing_xml(anchors), "drawing")
            if self.edit.relate(part, "drawing", drawing) != "rId1":
                raise RuntimeError("the new sheet's drawing relationship is not rId1")
        self._added(title)

    def add_table(self, sheet: str, name: str, top: int, left: int, headers, rows, style="TableStyleLight9"):
        """Make a new table on an existing sheet: its header row at (top, left), then rows (at least one,
        blank if none); the cells must be empty. Returns its TableSpot."""
        from .xlsx.transplant import add_table

        rows = [list(r) for r in rows] or [[None] * len(headers)]
        cells = {(top, left + j): h for j, h in enumerate(headers)}
        cells.update({(top + 1 + i, left + j): v for i, row in enumerate(rows) for j, v in enumerate(row)})
        grid = self.read(sheet, top, left, top + len(rows), left + len(headers) - 1)
        busy = next(((r, c) for r, c in cells if grid.value(r, c) not in (None, "")), None)
        if busy is not None:
            raise SheetError([f"{sheet}!{col_letter(busy[1])}{busy[0]}: Lead Score adds its table {name} here but "
                              "the cell is not empty; move what is there"])
        self.write_cells(TableSpot(sheet, name, top, left, top, left), cells)
        ref = range_ref(top, left, top + len(rows), left + len(headers) - 1)
        try:
            table_part = add_table(self.edit, self._part(sheet), name, ref, [str(h) for h in headers], style)
        except ValueError as exc:
            raise SheetError([f"{sheet}!{col_letter(left)}{top}: {exc}"]) from None
        rec = _Table(sheet, table_part, name, top, left, top + len(rows), left + len(headers) - 1, 0,
                     top + len(rows))
        self._all_tables().append(rec)
        return rec.spot()

    # Saving.

    def _shared_strings(self) -> SharedStrings:
        """The workbook's shared strings, to which our text is appended (a new part when it has none)."""
        if self._sst is None:
            part = self.package.shared_strings_part
            self._sst_part = part if part and part in self.package else None
            if self._sst_part is None:
                self._sst = SharedStrings(None)
            else:
                memo = self.package._memo
                self._sst = SharedStrings(self.package.read(self._sst_part), memo.get("shared_strings"))
        return self._sst

    def _strings_after(self, part: str) -> bool:
        """Whether the shared strings part comes after this sheet in the zip, so that it can take the
        strings a streamed sheet adds as it is written."""
        self._shared_strings()
        if self._sst_part is None:
            return False  # A new part is made from what the patches added: they must run first.
        names = self.package.names
        return names.index(self.package.info(self._sst_part).filename) > names.index(self.package.info(part).filename)

    def _write_shared_strings(self) -> None:
        sst = self._sst
        if sst is None:
            return
        if self._sst_part is not None:
            # Built when the package is written, after the sheets that add to it (see _strings_after).
            self.edit.put_stream(self._sst_part, lambda: [sst.xml()])
            return
        if not len(sst):
            return
        part = self.edit.free_name("xl/sharedStrings{}.xml").replace("sharedStrings1", "sharedStrings")
        self.edit.put(part, sst.xml(), "sharedStrings")
        self.edit.relate(self.package.workbook_part, "sharedStrings", part)

    def _write_sheets(self) -> dict:
        """Patch every sheet with pending writes; returns {sheet: formulas removed}."""
        removed = {}
        sst = self._shared_strings()
        for sheet, pending in self._pending.items():
            if not pending:
                continue
            part = self._part(sheet)
            progress.step(f"Writing {sheet}", pending.last_row())
            xml = self.edit.read(part)
            if pending.hidden:
                xml = hide_columns(xml, sorted(pending.hidden))
            gone: list = []
            columns, singles = [], {}
            for col in sorted(set(pending.segments) | set(pending.cells)):
                runs = pending.runs(col)
                longest = max(range(len(runs)), key=lambda k: len(runs[k][1]))
                for k, (first, values) in enumerate(runs):
                    if k == longest:
                        columns.append(Column(col, first, values, style=self._date_style(values),
                                              keep_blank=col in pending.keep_blank))
                    else:
                        for r, value in enumerate(values, start=first):
                            singles[(r, col)] = Cell(value, None, self._date_style([value]))
            formulas = self._formula_cells.get(sheet, set())
            if columns and not singles and self._strings_after(part) and \
                    not any(self._owns(pending, cell) for cell in formulas):
                # No formula of the sheet is overwritten (calcChain stays as it is): the patched
                # sheet is streamed into the new package, never held whole.
                self.edit.put_stream(part, lambda sheet=sheet, pending=pending, xml=xml, columns=columns:
                                     self._streamed(sheet, pending, xml, columns, sst))
                removed[sheet] = []
                continue
            if columns:
                patched = patch_columns(xml, columns, shared_strings=sst, date1904=self.date1904)
                xml, gone = patched.xml, list(patched.formulas_removed)
            if singles:
                patched = patch_cells(xml, singles, shared_strings=sst, date1904=self.date1904)
                xml = patched.xml
                gone += patched.formulas_removed
            self.edit.put(part, xml)
            removed[sheet] = gone
        return removed

    def _date_style(self, values) -> int | None:
        """Our date or date-time format for a run of values holding dates (None: the cells keep theirs)."""
        kinds = set(map(type, values))
        if any(issubclass(k, dt.datetime) for k in kinds):
            return self._style("datetime")
        if any(issubclass(k, dt.date) for k in kinds):
            return self._style("date")
        return None

    def _write_tables(self) -> None:
        for rec in self._all_tables():
            if rec.changed:
                ref = range_ref(rec.min_row, rec.min_col, rec.ref_last, rec.max_col)
                self.edit.put(rec.part, resize_table(self.edit.read(rec.part), ref, rec.new_columns,
                                                           rec.renamed))

    def _write_calc(self, removed: dict) -> None:
        book = self.package.workbook_part
        chain = next((r for r in self.package.rels(book) if r.kind == CALC_CHAIN and not r.external), None)
        if chain is not None and chain.target_part in self.package:
            self._formulas_seen = True
            xml = self.edit.read(chain.target_part)
            for sheet, cells in removed.items():
                if cells:
                    xml = remove_calc_chain_cells(xml, self._entries[sheet].sheet_id, cells)
                    if xml is None:
                        break
            if xml is None:
                self.edit.remove(chain.target_part)
                self.edit.unrelate(book, chain.id)
            elif xml != self.package.read(chain.target_part):
                self.edit.put(chain.target_part, xml)
        if self._formulas_seen:
            # Formulas of the user's may depend on what changed: Excel recalculates on opening.
            workbook = self.edit.read(book)
            try:
                self.edit.put(book, set_attributes(workbook, "calcPr", {"fullCalcOnLoad": "1"}))
            except SpliceError:
                self.edit.put(book, _add_calc_pr(workbook))

    def save(self, out=None) -> list[str]:
        with self._reading():
            removed = self._write_sheets()
            self._write_shared_strings()
            self._write_tables()
            self._write_calc(removed)
        target = None if out is None else os.fspath(out)
        progress.step("Saving and checking the new file")
        def write(temp):
            self.edit.write(temp)
            self.edit.let_go()  # The old sheet XML is not needed to check the new file.

        try:
            lost = safe_save(write, self.path, target, verify=self._verify)
        finally:
            self._cancel_side_checks()
        progress.finish()  # The summary follows on the terminal.
        return lost

    def _verify(self, temp) -> None:
        """Refuse (WriteRefused) unless the new package keeps every part and cell we do not own."""
        name = os.path.basename(self.path)
        changed = self.edit.changed
        with zipfile.ZipFile(temp) as new:
            new_infos = {i.filename: i for i in new.infolist()}
            for info in self.package.infos:
                if info.filename in changed:
                    continue
                other = new_infos.get(info.filename)
                if other is None or (other.CRC, other.file_size) != (info.CRC, info.file_size):
                    raise WriteRefused(f"{name} was not changed: the part {info.filename} would have changed "
                                       "(a defect of Lead Score; please report it)")
        with Package.open(temp) as new:
            self._verify_strings(new, name)
            for sheet, pending in self._pending.items():
                if not (pending.segments or pending.cells):
                    continue
                check = self._side_checks.pop(sheet, None)
                answer = check.result() if check is not None else None
                if answer is None or "result" not in answer:
                    self._verify_sheet(new, sheet, pending, name)  # No answer: read the written sheet.
                    continue
                info = new.info(self._part(sheet))
                if info is None or (info.CRC, info.file_size) != (answer["crc"], answer["size"]):
                    raise WriteRefused(f"{name} was not changed: the sheet {sheet} was not written as it was "
                                       "checked (a defect of Lead Score; please report it)")
                if answer["result"] is not None:
                    raise _cell_changed(name, sheet, answer["result"])

    def _verify_strings(self, new: Package, name: str) -> None:
        """The shared strings only gained entries: the old ones are there byte for byte, in order.
        Then the new package's strings are the old ones read before plus ours (not parsed again)."""
        sst, part = self._sst, self._sst_part
        if sst is None or part is None or part not in self.package:
            return
        old_xml, new_xml = self.package.read(part), new.read(part)
        if new_xml == old_xml:
            return
        _, old_end, _, _ = root(old_xml)
        _, new_end, _, _ = root(new_xml)
        close = old_xml.rfind(b"</")
        body = old_xml[old_end:close] if close > old_end else b""
        if new_xml[new_end:new_end + len(body)] != body:
            raise WriteRefused(f"{name} was not changed: its shared strings ({part}) would have changed, not "
                               "only grown (a defect of Lead Score; please report it)")
        if "shared_strings" in self.package._memo:
            added = sorted((i, text) for text, i in (sst._lookup or {}).items() if i >= sst.existing)
            if [i for i, _ in added] == list(range(sst.existing, len(sst))):
                new._memo["shared_strings"] = xcells.shared_strings(self.package) + \
                    [xcells.unescape(text) for _, text in added]

    def _plan(self, sheet: str, pending: _Pending) -> SheetPlan:
        tables_right = max([t.max_col for t in self._all_tables() if t.sheet == sheet], default=0)
        return SheetPlan.make(self.package, self._part(sheet), pending, tables_right, self._raw.get(sheet))

    def _verify_sheet(self, new: Package, sheet: str, pending: _Pending, name: str) -> None:
        plan = self._plan(sheet, pending)
        plan.read_old(self.package)
        where = plan.difference(*plan.read_new(new))
        if where is not None:
            raise _cell_changed(name, sheet, where)

    def _start_side_check(self, sheet: str, pending: _Pending, size: int):
        """A child process that checks the sheet's new XML as it is written (see side_check.py), or None."""
        old = self._side_checks.pop(sheet, None)
        if old is not None:
            old.cancel()
        if size < SIDE_CHECK_BYTES:
            return None
        plan = self._plan(sheet, pending)
        strings = xcells.shared_strings(self.package) if self._sst_part is not None else []
        sst = self._sst
        # Strings this run may still add: at most one per value written.
        added = (len(sst) - len(strings) if sst is not None else 0) + \
            sum(len(values) for p in self._pending.values() for values in p.segments.values()) + 1
        styles = self.package.styles_part
        view = StreamedSheet(self.package, plan.part, strings,
                             self.edit.read(styles) if styles else None, added)
        check = SideCheck.start(side_checker(plan, self.path, view))
        if check is not None:
            self._side_checks[sheet] = check
        return check

    def _streamed(self, sheet: str, pending: _Pending, xml: bytes, columns: list, sst):
        """The patched sheet's chunks, fed to a side check as they go to the zip."""
        # The new sheet's size, roughly: what it was and some 24 bytes per cell written.
        check = self._start_side_check(sheet, pending, len(xml) + 24 * sum(len(c.values) for c in columns))
        try:
            for chunk in iter_patch_columns(xml, columns, shared_strings=sst, date1904=self.date1904):
                if check is not None:
                    check.feed(chunk)
                yield chunk
        finally:
            if check is not None:
                check.end()

    def _cancel_side_checks(self) -> None:
        for check in self._side_checks.values():
            check.cancel()
        self._side_checks.clear()

    @staticmethod
    def _owns(pending: _Pending, cell) -> bool:
        r, c = cell
        return any(lo <= r <= hi for lo, hi in pending.owned(c))


def _cell_changed(name: str, sheet: str, where) -> WriteRefused:
    r, c = where
    return WriteRefused(f"{name} was not changed: the cell {sheet}!{col_letter(c)}{r}, which is not Lead "
                        "Score's, would have changed (a defect of Lead Score; please report it)")


def _table_id_of(xml: bytes) -> int:
    start, end, _, _ = root(xml)
    value = get_attr(xml[start:end], b"id")
    return int(value) if value and value.isdigit() else 0


def _add_calc_pr(workbook_xml: bytes) -> bytes:
    """workbook.xml with `<calcPr fullCalcOnLoad="1"/>` where the schema wants it (after the sheets
    and defined names)."""
    from .xlsx.splice import find_element

    _, _, p, _ = root(workbook_xml)
    for local in (b"definedNames", b"sheets"):
        found = find_element(workbook_xml, p, local)
        if found is not None:
            at = found[2]
            return workbook_xml[:at] + b'<%scalcPr fullCalcOnLoad="1"/>' % p + workbook_xml[at:]
    raise SpliceError("the workbook part has no <sheets>")

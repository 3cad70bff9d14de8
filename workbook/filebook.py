"""FileBook: the book interface over a workbook file, through openpyxl.

The command line works on files with this backend. Values are read as Excel
last calculated them: a rectangle that holds formulas is read from a second,
values-only load (made once, when first needed). Nothing reaches the disk
until save(), which is atomic and refuses to drop parts openpyxl cannot keep.
"""
from __future__ import annotations

import os
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import TableColumn, TableFormula

from . import openpyxl_fixes  # noqa: F401  Cells read as Excel reads them (see there).
from . import shared_formulas  # Also makes openpyxl load shared formulas fast (see there).
from .book import Book, Grid, TableSpot, plain, refuse_totals_row
from .errors import SheetError
from .layout import NATIVE_PREFIX, NATIVE_SHEET
from .leads import is_helper_column
from .opening import check_workbook_file, unreadable
from .report_sheet import write_report
from .safety import safe_save
from .sheets import append_to_table, replace_table_sheet, set_value


def load(path, data_only: bool = False):
    """Open a workbook file with openpyxl. A file that is not a readable workbook (wrong type,
    damaged, too big) raises a FileProblem with one line saying what it is and what to do."""
    path = Path(path)
    check_workbook_file(path)
    try:
        return openpyxl.load_workbook(path, data_only=data_only, keep_links=True,
                                      keep_vba=path.suffix.lower() in (".xlsm", ".xltm"))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001  A damaged package fails inside openpyxl in many ways.
        raise unreadable(path, exc) from exc


class FileBook(Book):
    """A workbook file (or an openpyxl Workbook already in memory, when path is None)."""

    def __init__(self, path=None, wb=None):
        self.path = None if path is None else os.fspath(path)
        self.wb = wb if wb is not None else load(path)
        self._values = None

    def _values_wb(self):
        if self._values is None:
            self._values = load(self.path, data_only=True) if self.path else self.wb
        return self._values

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def tables(self, sheet=None) -> list[TableSpot]:
        sheets = [self.wb[sheet]] if sheet is not None else self.wb.worksheets
        found = []
        for ws in sheets:
            for t in ws.tables.values():
                min_col, min_row, max_col, max_row = range_boundaries(t.ref)
                totals = t.totalsRowCount or 0
                last = max_row - totals
                if not totals and last > ws.max_row:
                    # Rows below the sheet's last cell are empty: a table resized to row 1,048,576
                    # over a few leads is read and written as far as its data goes.
                    last = max(ws.max_row, min_row + 1)
                found.append(TableSpot(ws.title, t.name, min_row, min_col, last, max_col, totals, t))
        return found

    def read(self, sheet, min_row, min_col, max_row, max_col) -> Grid:
        ws = self.wb[sheet]
        # Cells beyond the sheet's extent are empty: they are not read (the Grid gives None
        # there), so a table resized to A1:AI1048576 over a few rows reads those rows only.
        max_row, max_col = min(max_row, ws.max_row), min(max_col, ws.max_column)
        if max_row < min_row or max_col < min_col:
            return Grid(min_row, min_col, [])
        cells = ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col)
        if any(c.data_type == "f" for row in cells for c in row):
            ws = self._values_wb()[sheet]
        rows = ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
                            values_only=True)
        return Grid(min_row, min_col, rows)

    def formula_columns(self, table) -> set[int]:
        ws = self.wb[table.sheet]
        row = table.first_data_row
        return {c for c in range(table.min_col, table.max_col + 1) if ws.cell(row, c).data_type == "f"}

    def write_columns(self, table, columns, first_row) -> None:
        ws = self.wb[table.sheet]
        for col, values in columns.items():
            for r, value in enumerate(values, start=first_row):
                set_value(ws.cell(r, col), plain(value))

    def write_cells(self, table, cells) -> None:
        ws = self.wb[table.sheet]
        for (r, c), value in cells.items():
            set_value(ws.cell(r, c), plain(value))

    def formula_cells(self, table, cells) -> set:
        ws = self.wb[table.sheet]
        return {(r, c) for r, c in cells if ws.cell(r, c).data_type == "f"}

    def append_rows(self, table, rows) -> None:
        if not rows:
            return
        refuse_totals_row(table)
        ws = self.wb[table.sheet]
        start = table.max_row + 1
        for r, row in enumerate(rows, start=start):
            for c, value in enumerate(row, start=table.min_col):
                set_value(ws.cell(r, c), plain(value))
        table.max_row = start + len(rows) - 1
        t = table.handle
        left, right = get_column_letter(table.min_col), get_column_letter(table.max_col)
        t.ref = f"{left}{table.min_row}:{right}{table.max_row}"
        if t.autoFilter is not None:
            t.autoFilter.ref = t.ref

    def add_table_columns(self, table, headers) -> None:
        ws = self.wb[table.sheet]
        last = range_boundaries(table.handle.ref)[3]  # The table's own last row (maybe below the data).
        for k in range(len(headers)):
            col = table.max_col + 1 + k
            occupied = [r for r in range(table.min_row, min(last, ws.max_row) + 1)
                        if ws.cell(r, col).value not in (None, "")]
            if occupied:
                raise SheetError([f"{ws.title}!{get_column_letter(col)}{occupied[0]}: the table needs a "
                                  f"column '{headers[k]}' here but the cell is not empty"])
        t = table.handle
        for name in headers:
            table.max_col += 1
            set_value(ws.cell(table.min_row, table.max_col), name)
            ids = [c.id for c in t.tableColumns]
            t.tableColumns.append(TableColumn(id=max(ids, default=0) + 1, name=name))
        left = get_column_letter(table.min_col)
        right = get_column_letter(table.max_col)
        t.ref = f"{left}{table.min_row}:{right}{last}"
        if t.autoFilter is not None:
            t.autoFilter.ref = f"{left}{table.min_row}:{right}{last - table.totals}"

    def rename_table_columns(self, table, names) -> None:
        ws = self.wb[table.sheet]
        columns = table.handle.tableColumns  # Empty for a table made in this run: openpyxl names them on save.
        for col, name in names.items():
            set_value(ws.cell(table.min_row, col), str(name))
            if columns:
                columns[col - table.min_col].name = str(name)

    def defined_name(self, name) -> str | None:
        found = self.wb.defined_names.get(name)
        return None if found is None else found.attr_text

    def hide_columns(self, table, columns) -> None:
        ws = self.wb[table.sheet]
        for col in columns:
            ws.column_dimensions[get_column_letter(col)].hidden = True

    def put_table_sheet(self, title, table_name, headers, rows, widths=None, note=None) -> None:
        replace_table_sheet(self.wb, title, table_name, headers, rows, widths, note)

    def append_table_rows(self, title, table_name, headers, rows, widths=None) -> None:
        append_to_table(self.wb, title, table_name, headers, rows, widths)

    def put_report(self, funnel, language, as_of, new_sql) -> None:
        write_report(self.wb, funnel, language, as_of, new_sql=new_sql)

    def put_native_formulas(self, table: TableSpot, headers: list, plan) -> None:
        """Write a native-formula plan (workbook.formulas.Plan): defined names, the hidden helper
        sheet, and the formula of every output and helper column of the table (a helper column
        no rule needs any more is emptied). The workbook recalculates when next opened."""
        wb, ws = self.wb, self.wb[table.sheet]
        for name in [n for n in list(wb.defined_names) if n.startswith(NATIVE_PREFIX)]:
            del wb.defined_names[name]
        for name, formula in plan.names.items():
            wb.defined_names[name] = DefinedName(name, attr_text=formula)
        index = wb.sheetnames.index(NATIVE_SHEET) if NATIVE_SHEET in wb.sheetnames else None
        if index is not None:
            wb.remove(wb[NATIVE_SHEET])
        helper = wb.create_sheet(NATIVE_SHEET, index)
        for (row, col), value in plan.helper.items():
            helper.cell(row, col).value = value
        for col, width in plan.helper_widths.items():
            helper.column_dimensions[get_column_letter(col)].width = width
        helper.sheet_state = "hidden"
        filled = plan.by_header
        for i, name in enumerate(headers):
            col = table.min_col + i
            if name in filled or is_helper_column(name):
                formula = filled.get(name)
                for r in range(table.first_data_row, table.max_row + 1):
                    ws.cell(r, col).value = formula
                table.handle.tableColumns[i].calculatedColumnFormula = (
                    TableFormula(attr_text=formula[1:]) if formula else None)
            if is_helper_column(name):
                ws.column_dimensions[get_column_letter(col)].hidden = True
        wb.calculation.fullCalcOnLoad = True

    def save(self, out=None) -> list[str]:
        return safe_save(lambda temp: save_workbook(self.wb, temp), self.path,
                         None if out is None else os.fspath(out))


def save_workbook(wb, path) -> None:
    """Save an openpyxl workbook, keeping each native formula column of its tables stored once
    (openpyxl reads a shared formula into every cell and would write it out in full)."""
    runs = []
    for ws in wb.worksheets:
        for t in ws.tables.values():
            min_col, min_row, max_col, max_row = range_boundaries(t.ref)
            first = min_row + (t.headerRowCount if t.headerRowCount is not None else 1)
            last = max_row - (t.totalsRowCount or 0)
            if last > first:
                columns = shared_formulas.repeated_columns(ws, first, last, min_col, max_col, NATIVE_PREFIX)
                if columns:
                    runs.append((ws.title, columns, first, last))
    shared_formulas.save(wb, path, runs)

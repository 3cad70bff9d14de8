"""Sheets the product owns that hold one Excel Table: Tasks, History.

Written with openpyxl into an existing workbook. Strings are always stored as
text, never as formulas.
"""
from __future__ import annotations

import datetime as dt
import re

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.table import Table, TableStyleInfo

DATE_FORMAT = "yyyy-mm-dd"
STAMP_FORMAT = "yyyy-mm-dd hh:mm"


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # Characters a worksheet cannot hold.
CELL_LIMIT = 32_767  # Characters Excel keeps in a cell.


def cell_text(value: str) -> str:
    """Text a cell can hold: control characters shown as U+FFFD, at most CELL_LIMIT characters."""
    value = CONTROL.sub("\ufffd", value)
    return value if len(value) <= CELL_LIMIT else value[:CELL_LIMIT - 1] + "\u2026"


def set_value(cell, value) -> None:
    """Set a cell; strings stay strings even when they start with '=', '+', '-' or '@'."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, str):
        value = cell_text(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, dt.datetime):
        cell.number_format = STAMP_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT


def _write_rows(ws, first_row: int, rows, first_col: int = 1) -> int:
    r = first_row
    for row in rows:
        for c, value in enumerate(row, start=first_col):
            set_value(ws.cell(r, c), value)
        r += 1
    return r - 1


def _table(name: str, ref: str) -> Table:
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    return table


HEADER_FILL = "FFD9D9D9"  # Header cells bold on this grey: not every program shows table styles.
NOTE_FILL = "FFFFF2CC"  # A note above a table.


def _fill(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def replace_table_sheet(wb, title: str, table_name: str, headers, rows, widths=None, note=None):
    """Add sheet `title` holding a table of rows; an existing sheet of that name is replaced in place.
    Header cells are bold on grey; a note goes in A1, above the table (which then starts at row 3)."""
    index = None
    if title in wb.sheetnames:
        index = wb.sheetnames.index(title)
        wb.remove(wb[title])
    ws = wb.create_sheet(title, index)
    top = 3 if note else 1
    if note:
        set_value(ws.cell(1, 1), note)
        for c in range(1, len(headers) + 1):  # The note's row shaded across the table.
            ws.cell(1, c).font, ws.cell(1, c).fill = Font(bold=True), _fill(NOTE_FILL)
    _write_rows(ws, top, [headers])
    for c in range(1, len(headers) + 1):
        ws.cell(top, c).font, ws.cell(top, c).fill = Font(bold=True), _fill(HEADER_FILL)
    last = max(_write_rows(ws, top + 1, rows), top + 1)
    ws.add_table(_table(table_name, f"A{top}:{get_column_letter(len(headers))}{last}"))
    ws.freeze_panes = f"A{top + 1}"
    for c, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    return ws


def append_to_table(wb, title: str, table_name: str, headers, rows, widths=None):
    """Append rows below a sheet's table (creating sheet and table when missing); old rows stay as they are."""
    rows = list(rows)
    if title not in wb.sheetnames:
        return replace_table_sheet(wb, title, table_name, headers, rows, widths)
    ws = wb[title]
    table = next((t for t in ws.tables.values() if t.name == table_name), None)
    if table is None:
        last = ws.max_row
        _write_rows(ws, last + 1, rows)
        return ws
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    # An empty table keeps one blank data row; fill it rather than leave a gap.
    start = max_row + 1
    if max_row == min_row + 1 and all(ws.cell(max_row, c).value is None for c in range(min_col, max_col + 1)):
        start = max_row
    if not rows:
        return ws
    last = _write_rows(ws, start, rows, min_col)
    table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{last}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    return ws

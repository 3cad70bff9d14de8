"""The Leads table in a workbook file: find it, read it as a DataFrame, write outputs back.

Columns are found by header, in English or Italian, never by position. Output
columns the table lacks are added at its right edge.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.table import TableColumn

from scoring.defaults import ENROLMENT_COLUMNS, HEADERS, OUTPUT_COLUMNS, header
from scoring.parse import text_key

from .errors import SheetError
from .layout import LEADS_SHEET, LEADS_TABLE

STAMP_FORMAT = "yyyy-mm-dd hh:mm"


class LeadsTable:
    """Where the Leads table sits: its sheet, table object, headers and data rows."""

    def __init__(self, ws, table):
        self.ws, self.table = ws, table
        self.min_col, self.min_row, self.max_col, self.max_row = range_boundaries(table.ref)
        self.max_row -= table.totalsRowCount or 0
        self.headers = [c.value if c.value is not None else f"Column{i + 1}"
                        for i, c in enumerate(ws[self.min_row][self.min_col - 1:self.max_col])]

    @property
    def first_data_row(self) -> int:
        return self.min_row + 1

    def column_of(self, name: str) -> int | None:
        keys = [text_key(h) for h in self.headers]
        key = text_key(name)
        return self.min_col + keys.index(key) if key in keys else None


def find_table(wb) -> LeadsTable:
    """The table named tblLeads, or else the only table on the Leads sheet."""
    for ws in wb.worksheets:
        for table in ws.tables.values():
            if table.name.casefold() == LEADS_TABLE.casefold():
                return LeadsTable(ws, table)
    if LEADS_SHEET in wb.sheetnames and len(wb[LEADS_SHEET].tables) == 1:
        return LeadsTable(wb[LEADS_SHEET], next(iter(wb[LEADS_SHEET].tables.values())))
    where = f"sheet '{LEADS_SHEET}'" if LEADS_SHEET in wb.sheetnames else "the workbook"
    raise SheetError([f"{LEADS_SHEET}!A1: no Excel Table named {LEADS_TABLE} in {where}; "
                      f"select the lead list and use Insert > Table, then name it {LEADS_TABLE}"])


def output_meaning(name: str) -> str | None:
    """'Grade' or 'Grado' -> 'grade'; None for input columns."""
    key = text_key(name)
    for meaning in OUTPUT_COLUMNS + ENROLMENT_COLUMNS:
        if key in (text_key(h) for h in HEADERS[meaning]):
            return meaning
    return None


def read_frame(lt: LeadsTable, values_ws=None, outputs: bool = False) -> tuple[pd.DataFrame, list[int]]:
    """Input columns (and output columns too, if asked) as a DataFrame, and each lead's sheet row.

    Headers are as in the sheet. Rows whose input cells are all blank are left out.
    """
    ws = values_ws or lt.ws
    inputs = [i for i, h in enumerate(lt.headers) if outputs or output_meaning(str(h)) is None]
    rows = ws.iter_rows(min_row=lt.first_data_row, max_row=lt.max_row, min_col=lt.min_col,
                        max_col=lt.max_col, values_only=True)
    data, sheet_rows = [], []
    for r, row in enumerate(rows, start=lt.first_data_row):
        picked = [row[i] for i in inputs]
        if any(v is not None and not (isinstance(v, str) and not v.strip())
               for i, v in zip(inputs, picked) if output_meaning(str(lt.headers[i])) is None):
            data.append(picked)
            sheet_rows.append(r)
    columns = [str(lt.headers[i]) for i in inputs]
    frame = pd.DataFrame(data, columns=columns, dtype=object) if data else \
        pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return frame.infer_objects(), sheet_rows


def has_formulas(lt: LeadsTable) -> bool:
    """True when an input cell holds a formula (then values are read from a data-only copy)."""
    inputs = [lt.min_col + i for i, h in enumerate(lt.headers) if output_meaning(str(h)) is None]
    for row in lt.ws.iter_rows(min_row=lt.first_data_row, max_row=lt.max_row,
                               min_col=lt.min_col, max_col=lt.max_col):
        for cell in row:
            if cell.data_type == "f" and cell.column in inputs:
                return True
    return False


def output_values(outputs: pd.DataFrame, language: str) -> dict:
    """Engine outputs -> {header: list of cell values} in the workbook's language."""
    values = {}
    for meaning in OUTPUT_COLUMNS + ENROLMENT_COLUMNS:
        column = outputs[meaning] if meaning in outputs else pd.Series([None] * len(outputs))
        values[header(meaning, language)] = [None if v == "" else v for v in column.tolist()]
    return values


def _set_text_safe(cell, value) -> None:
    """Set a value; strings stay strings even when they start with '=', '+', '-' or '@'."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def ensure_output_columns(lt: LeadsTable, language: str, meanings=OUTPUT_COLUMNS) -> dict:
    """{meaning: sheet column} for meanings, adding missing ones at the table's right edge."""
    found = {}
    for i, h in enumerate(lt.headers):
        meaning = output_meaning(str(h))
        if meaning and meaning not in found:
            found[meaning] = lt.min_col + i
    found = {m: c for m, c in found.items() if m in meanings}
    missing = [m for m in meanings if m not in found]
    blocked = []
    for k, meaning in enumerate(missing):
        col = lt.max_col + 1 + k
        occupied = [r for r in range(lt.min_row, lt.max_row + 1)
                    if lt.ws.cell(r, col).value not in (None, "")]
        if occupied:
            blocked.append(f"{lt.ws.title}!{get_column_letter(col)}{occupied[0]}: the table needs a "
                           f"column '{header(meaning, language)}' here but the cell is not empty")
    if blocked:
        raise SheetError(blocked)
    for k, meaning in enumerate(missing):
        col = lt.max_col + 1
        name = header(meaning, language)
        _set_text_safe(lt.ws.cell(lt.min_row, col), name)
        ids = [c.id for c in lt.table.tableColumns]
        lt.table.tableColumns.append(TableColumn(id=max(ids, default=0) + 1, name=name))
        lt.max_col = col
        lt.headers.append(name)
        found[meaning] = col
    if missing:
        ref = f"{get_column_letter(lt.min_col)}{lt.min_row}:{get_column_letter(lt.max_col)}" \
              f"{lt.max_row + (lt.table.totalsRowCount or 0)}"
        lt.table.ref = ref
        if lt.table.autoFilter is not None:
            lt.table.autoFilter.ref = f"{get_column_letter(lt.min_col)}{lt.min_row}:" \
                                      f"{get_column_letter(lt.max_col)}{lt.max_row}"
    return found


def read_columns(lt: LeadsTable, meanings, sheet_rows: list[int]) -> pd.DataFrame:
    """Current values of output or enrolment columns (None where the column is missing)."""
    data = {}
    for meaning in meanings:
        col = None
        for i, h in enumerate(lt.headers):
            if output_meaning(str(h)) == meaning:
                col = lt.min_col + i
                break
        data[meaning] = [lt.ws.cell(r, col).value if col else None for r in sheet_rows]
    return pd.DataFrame(data, dtype=object)


def write_outputs(lt: LeadsTable, outputs: pd.DataFrame, sheet_rows: list[int], language: str,
                  meanings=OUTPUT_COLUMNS) -> None:
    """Write engine outputs as values; rows not scored (blank leads) get blank outputs."""
    columns = ensure_output_columns(lt, language, meanings)
    scored = dict(zip(sheet_rows, range(len(sheet_rows))))
    for meaning, col in columns.items():
        source = outputs[meaning].tolist() if meaning in outputs else [None] * len(outputs)
        for r in range(lt.first_data_row, lt.max_row + 1):
            i = scored.get(r)
            value = None if i is None else source[i]
            if isinstance(value, (np.integer, np.floating)):
                value = value.item()
            if value == "":
                value = None
            cell = lt.ws.cell(r, col)
            _set_text_safe(cell, value)
            if isinstance(value, dt.datetime):
                cell.number_format = STAMP_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"

"""The Leads table of a book (see book.py): find it, read it as a DataFrame, write outputs back.

Columns are found by header, in English or Italian, never by position. Output
columns the table lacks are added at its right edge.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.defaults import ENROLMENT_COLUMNS, HEADERS, OUTPUT_COLUMNS, header
from scoring.parse import text_key

from .book import TableSpot
from .errors import LeadsTableError
from .layout import LEADS_SHEET, LEADS_TABLE

HELPER_COLUMN = "LS calc: "  # Native formulas' hidden helper columns start with this (workbook/formulas.py).
# Where output columns compute themselves (formulas), the last run's results are kept in hidden
# columns of ours, so that History logs only real changes.
LAST_COLUMNS = {"last_grade": "LS last: grade", "last_score": "LS last: score", "last_status": "LS last: status"}


# Native books: what formulas cannot check (hygiene, duplicates) is in columns the engine fills.
ENGINE_COLUMN = "LS engine: "


def is_helper_column(name) -> bool:
    return str(name or "").startswith(HELPER_COLUMN)


def is_engine_column(name) -> bool:
    return str(name or "").startswith(ENGINE_COLUMN)


class LeadsTable:
    """Where the Leads table sits (a TableSpot), its headers, and its values as read."""

    def __init__(self, book, spot: TableSpot):
        self.book, self.spot = book, spot
        self.grid = book.table_grid(spot)
        self.headers = [v if v is not None else f"Column{i + 1}"
                        for i, v in enumerate(self.grid.row_values(spot.min_row, spot.min_col, spot.max_col))]

    @property
    def computed(self) -> set[int]:
        """Sheet columns whose cells hold formulas (read once: in live Excel each read is a round trip)."""
        if getattr(self, "_computed", None) is None:
            self._computed = self.book.formula_columns(self.spot)
        return self._computed

    @property
    def title(self) -> str:
        return self.spot.sheet

    @property
    def first_data_row(self) -> int:
        return self.spot.min_row + 1

    def column_of(self, name: str) -> int | None:
        keys = [text_key(h) for h in self.headers]
        key = text_key(name)
        return self.spot.min_col + keys.index(key) if key in keys else None


LEADS_NAME = "LeadScoreLeads"  # A defined name `leadscore init` sets when the lead table has a name of its own.


def find_table(book) -> LeadsTable:
    """The table named tblLeads, or the table the defined name LeadScoreLeads names, or else the
    only table on the Leads sheet."""
    spot = book.table(LEADS_TABLE)
    named = book.defined_name(LEADS_NAME) if spot is None else None
    if named:
        spot = book.table(named.lstrip("=").split("[", 1)[0].strip())
    if spot is None and LEADS_SHEET in book.sheet_names():
        on_sheet = book.tables(LEADS_SHEET)
        spot = on_sheet[0] if len(on_sheet) == 1 else None
    if spot is None:
        where = f"sheet '{LEADS_SHEET}'" if LEADS_SHEET in book.sheet_names() else "the workbook"
        raise LeadsTableError([f"{LEADS_SHEET}!A1: no Excel Table named {LEADS_TABLE} in {where}; "
                          f"select the lead list and use Insert > Table, then name it {LEADS_TABLE}"])
    return LeadsTable(book, spot)


def output_meaning(name: str) -> str | None:
    """'Grade' or 'Grado' -> 'grade'; None for input columns."""
    key = text_key(name)
    for meaning in OUTPUT_COLUMNS + ENROLMENT_COLUMNS:
        if key in (text_key(h) for h in HEADERS[meaning]):
            return meaning
    return next((m for m, h in LAST_COLUMNS.items() if key == text_key(h)), None)


def column_header(meaning: str, language: str) -> str:
    """The header of an output, enrolment or LAST column in a language."""
    return LAST_COLUMNS.get(meaning) or header(meaning, language)


def read_frame(lt: LeadsTable, outputs: bool = False) -> tuple[pd.DataFrame, list[int]]:
    """Input columns (and output columns too, if asked) as a DataFrame, and each lead's sheet row.

    Headers are as in the sheet. Rows whose input cells are all blank are left out.
    """
    is_input = [output_meaning(str(h)) is None and not is_engine_column(h) for h in lt.headers]
    picked_cols = [i for i, inp in enumerate(is_input) if outputs or inp]
    input_cols = [i for i, inp in enumerate(is_input) if inp]
    kept, sheet_rows = [], []
    spot = lt.spot
    grid, width = lt.grid, spot.max_col - spot.min_col + 1
    direct = grid.left == spot.min_col and all(len(row) >= width for row in grid.rows)
    for r in range(spot.first_data_row, spot.max_row + 1):
        if direct:  # The grid holds the table's rows as they are: no copy per row.
            k = r - grid.top
            row = grid.rows[k] if 0 <= k < len(grid.rows) else ()
            if not row:
                continue
        else:
            row = grid.row_values(r, spot.min_col, spot.max_col)
        for i in input_cols:
            v = row[i]
            if v is not None and (type(v) is not str or v.strip()):
                break
        else:
            continue
        kept.append(row)
        sheet_rows.append(r)
    columns = [str(lt.headers[i]) for i in picked_cols]
    if not kept:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}), sheet_rows
    # Column by column (a frame made from rows converts them one by one); keyed by position, so
    # that two headers alike stay two columns.
    frame = pd.DataFrame({k: [row[i] for row in kept] for k, i in enumerate(picked_cols)}, dtype=object)
    frame.columns = columns
    return frame.infer_objects(), sheet_rows


def output_values(outputs: pd.DataFrame, language: str) -> dict:
    """Engine outputs -> {header: list of cell values} in the workbook's language."""
    values = {}
    for meaning in OUTPUT_COLUMNS + ENROLMENT_COLUMNS:
        column = outputs[meaning] if meaning in outputs else pd.Series([None] * len(outputs))
        values[header(meaning, language)] = [None if v == "" else v for v in column.tolist()]
    return values


def columns_of(lt: LeadsTable, meanings) -> dict:
    """{meaning: sheet column} of the output or enrolment columns the table has."""
    found = {}
    for i, h in enumerate(lt.headers):
        meaning = output_meaning(str(h))
        if meaning in meanings and meaning not in found:
            found[meaning] = lt.spot.min_col + i
    return found


def ensure_output_columns(lt: LeadsTable, language: str, meanings=OUTPUT_COLUMNS) -> dict:
    """{meaning: sheet column} for meanings, adding missing ones at the table's right edge."""
    found = columns_of(lt, meanings)
    missing = [m for m in meanings if m not in found]
    if missing:
        first = lt.spot.max_col + 1
        names = [column_header(m, language) for m in missing]
        lt.book.add_table_columns(lt.spot, names)
        lt.headers.extend(names)
        for k, meaning in enumerate(missing):
            found[meaning] = first + k
    return found


def read_columns(lt: LeadsTable, meanings, sheet_rows: list[int]) -> pd.DataFrame:
    """Current values of output or enrolment columns (None where the column is missing)."""
    columns = columns_of(lt, meanings)
    data = {}
    for meaning in meanings:
        col = columns.get(meaning)
        data[meaning] = lt.grid.column(sheet_rows, col) if col else [None] * len(sheet_rows)
    return pd.DataFrame(data, dtype=object)


def write_outputs(lt: LeadsTable, outputs: pd.DataFrame, sheet_rows: list[int], language: str,
                  meanings=OUTPUT_COLUMNS) -> None:
    """Write engine outputs as values; rows not scored (blank leads) get blank outputs.

    Columns that hold formulas (in-cell functions, native formulas) compute
    themselves and are left as they are.
    """
    columns = ensure_output_columns(lt, language, meanings)
    columns = {m: c for m, c in columns.items() if c not in lt.computed}
    first, last = lt.first_data_row, lt.spot.max_row
    positions = np.asarray(sheet_rows, dtype=np.int64) - first
    values = {}
    for meaning, col in columns.items():
        column = np.full(last - first + 1, None, dtype=object)
        if meaning in outputs and len(positions):
            series = outputs[meaning]
            if pd.api.types.is_datetime64_any_dtype(series.dtype):
                # Python datetimes (NaT as None), not pandas Timestamps to be turned one by one.
                stamps = np.array(series.dt.to_pydatetime(), dtype=object)
                stamps[series.isna().to_numpy()] = None
                column[positions] = stamps
            else:
                column[positions] = series.to_numpy(dtype=object)
        values[col] = column.tolist()
    lt.book.write_columns(lt.spot, values, first)


def read_last(lt: LeadsTable, sheet_rows: list[int]) -> pd.DataFrame | None:
    """The last run's grade, score and status from the hidden LAST_COLUMNS (None when absent)."""
    if len(columns_of(lt, LAST_COLUMNS)) < len(LAST_COLUMNS):
        return None
    last = read_columns(lt, tuple(LAST_COLUMNS), sheet_rows)
    return last.rename(columns=lambda m: m.removeprefix("last_"))


def write_last(lt: LeadsTable, outputs: pd.DataFrame, sheet_rows: list[int]) -> None:
    """Keep this run's grade, score and status in the hidden LAST_COLUMNS (added when missing)."""
    last = outputs[["grade", "score", "status"]].rename(columns=lambda m: "last_" + m)
    write_outputs(lt, last, sheet_rows, "en", tuple(LAST_COLUMNS))
    lt.book.hide_columns(lt.spot, sorted(columns_of(lt, LAST_COLUMNS).values()))


def write_engine(lt: LeadsTable, values: dict, sheet_rows: list[int]) -> None:
    """Write the engine columns of a native book (header -> per lead values); blank rows get blanks."""
    first, last = lt.first_data_row, lt.spot.max_row
    positions = np.asarray(sheet_rows, dtype=np.int64) - first
    out = {}
    for name, per_lead in values.items():
        column = np.full(last - first + 1, None, dtype=object)
        if len(positions):
            column[positions] = np.asarray(per_lead, dtype=object)
        out[lt.column_of(name)] = column.tolist()
    if out:
        lt.book.write_columns(lt.spot, out, first)

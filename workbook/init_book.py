"""`leadscore init`: adding Lead Score to a workbook a team already has.

The LeadScore sheet (its tables, names and dropdowns) is built by the template builder
in a scratch workbook, with the default rules pointed at the columns the team's lead
list has (scoring.adapt), and copied into the team's package (xlsx/transplant.py). The
lead list is an Excel Table, or a plain range with a header row, which becomes one;
the output columns are added at its right edge. With no lead list in the book, an empty
Leads sheet with the template's table is added. Everything else stays as it was, and the
new package is checked before it replaces anything (packagebook.py).
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field

import pandas as pd

from scoring import default_model
from scoring.adapt import adapt
from scoring.defaults import LEAD_COLUMNS, OUTPUT_COLUMNS, header
from scoring.parse import is_blank, text_key

from .book import TableSpot
from .errors import SheetError
from .layout import LEADS_SHEET, LEADS_TABLE, MODEL_SHEET
from .leads import LEADS_NAME, LeadsTable, ensure_output_columns, output_meaning
from .packagebook import PackageBook, _Table
from .safety import run_lock
from .xlsx.package import Package
from .xlsx.splice import col_letter, parse_ref, range_ref
from .xlsx.transplant import add_table, copy_sheet


@dataclass
class Initialised:
    """What init did."""

    sheet: str  # The lead list's sheet.
    table: str
    made_table: bool = False  # A plain range became a table.
    added_sheet: bool = False  # The book had no lead list: an empty Leads sheet was added.
    leads: int = 0
    columns: list = field(default_factory=list)  # The lead list's input columns.
    outputs: list = field(default_factory=list)  # Output columns added.
    moved: list = field(default_factory=list)  # (rule, template column, their column)
    left_out: list = field(default_factory=list)  # (rule, template column)


def _plain_range(book: PackageBook, sheet: str):
    """The header row and extent of a plain range: (header row, first col, last row, last col, headers)."""
    from .xlsx import cells as xcells

    part = book._part(sheet)
    dimension = xcells.dimension(book.package, part)
    right = 16_384
    if dimension:
        try:
            right = min(parse_ref(dimension.split(":")[-1])[1], 16_384)
        except ValueError:
            pass
    grid = book.read(sheet, 1, 1, 1_048_576, right)
    top = next((i for i, row in enumerate(grid.rows) if any(not is_blank(v) for v in row)), None)
    if top is None:
        raise SheetError([f"{sheet}!A1: the sheet is empty; put the lead list's headers in its first row"])
    row = grid.rows[top]
    left = next(j for j, v in enumerate(row) if not is_blank(v))
    last_col = left
    while last_col + 1 < len(row) and not is_blank(row[last_col + 1]):
        last_col += 1
    headers = [row[j] for j in range(left, last_col + 1)]
    seen = {}
    for j, h in enumerate(headers):
        cell = f"{sheet}!{col_letter(left + j + 1)}{top + 1}"
        if not isinstance(h, str):
            shown = h.isoformat(sep=" ") if isinstance(h, dt.datetime) else \
                h.isoformat() if isinstance(h, (dt.date, dt.time)) else str(h)
            raise SheetError([f"{cell}: the header {shown} is not text; a lead list's first row holds its "
                              "column names (say where the leads are with --leads SHEET_OR_TABLE)"])
        key = text_key(h)
        if key in seen:
            raise SheetError([f"{cell}: the header {h!r} repeats {seen[key]}; give each column its own name"])
        seen[key] = cell
    last_row = top
    for i in range(top + 1, len(grid.rows)):
        if all(is_blank(v) for v in grid.rows[i][left:last_col + 1]):
            break
        last_row = i
    return top + 1, left + 1, max(last_row + 1, top + 2), last_col + 1, [h.strip() for h in headers]


def _find_leads(book: PackageBook, wanted: str | None):
    """(sheet, TableSpot or None, plain range or None) of the lead list; None when the book has none."""
    sheets = book.sheet_names()
    if wanted is not None:
        spot = book.table(wanted)
        if spot is not None:
            return spot.sheet, spot, None
        sheet = next((s for s in sheets if s.casefold() == wanted.casefold()), None)
        if sheet is None:
            tables = ", ".join(t.name for t in book.tables()) or "none"
            raise SheetError([f"--leads {wanted!r}: the workbook has no table or sheet of that name (sheets: "
                              f"{', '.join(sheets)}; tables: {tables})"])
    else:
        spot = book.table(LEADS_TABLE)
        if spot is not None:
            return spot.sheet, spot, None
        sheet = next((s for s in sheets if s.casefold() == LEADS_SHEET.casefold()), None)
        if sheet is None:
            return None
    if sheet not in book._entries or book._entries[sheet].kind != "worksheet":
        raise SheetError([f"{sheet}: a chart sheet cannot hold a lead list; give --leads a worksheet or table"])
    on_sheet = book.tables(sheet)
    if len(on_sheet) == 1:
        return sheet, on_sheet[0], None
    if len(on_sheet) > 1:
        raise SheetError([f"{sheet}!A1: the sheet has {len(on_sheet)} tables ({', '.join(t.name for t in on_sheet)});"
                          " say which one holds the leads with --leads TABLE"])
    return sheet, None, _plain_range(book, sheet)


def _clashes(sheet: str, first_col: int, row: int, headers) -> list[str]:
    """Columns of theirs named as a column Lead Score writes: scoring would overwrite them."""
    out = []
    for j, h in enumerate(headers):
        if output_meaning(str(h)) is not None:
            out.append(f"{sheet}!{col_letter(first_col + j)}{row}: the column '{h}' has the name of a column "
                       "Lead Score writes, so scoring would overwrite it; rename it (e.g. "
                       f"'{h} (CRM)') and run init again")
    return out


def _scratch(model, headers, language: str, profile: str, folder: str) -> str:
    """A scratch workbook with the LeadScore sheet (and a Leads sheet) for these columns."""
    from .template import build

    path = os.path.join(folder, "leadscore-init.xlsx")
    headers = list(headers)
    stage = header("stage", language)
    if text_key(stage) not in {text_key(h) for h in headers}:
        headers.append(stage)  # The scratch Leads sheet needs one (its dropdown); only LeadScore is copied.
    leads = pd.DataFrame({h: pd.Series(dtype=object) for h in headers})
    build(path, model, leads, None, language, profile)
    return path


def init_book(path, leads: str | None = None, language: str = "en", profile: str = "b2b", out=None) -> Initialised:
    """Add Lead Score to the workbook at path (saved to out when given); see the module docstring.
    Raises SheetError (nothing written) when the book cannot take it, with the cell and what to do."""
    if language not in ("en", "it"):
        raise ValueError(f"language {language!r}: choose en or it")
    if profile not in LEAD_COLUMNS:
        raise ValueError(f"profile {profile!r}: choose one of {', '.join(LEAD_COLUMNS)}")
    with run_lock(path), PackageBook(path) as book:
        name = os.path.basename(os.fspath(path))
        if any(s.casefold() == MODEL_SHEET.casefold() for s in book.sheet_names()):
            raise SheetError([f"{MODEL_SHEET}!A1: {name} already has a LeadScore sheet; edit it there, or check "
                              f"the book with `leadscore check {name}`"])
        found = _find_leads(book, leads)
        model = default_model(profile, language, hygiene=True)
        with tempfile.TemporaryDirectory(prefix="leadscore-init-") as folder:
            if found is None:
                headers = [header(m, language) for m in LEAD_COLUMNS[profile]]
                scratch = Package.open(_scratch(model, headers, language, profile, folder))
                with scratch:
                    names = [n.name for n in scratch.defined_names if n.local_sheet_id is None]
                    copy_sheet(scratch, LEADS_SHEET, book.edit)
                    copy_sheet(scratch, MODEL_SHEET, book.edit, defined_names=names)
                done = Initialised(LEADS_SHEET, LEADS_TABLE, added_sheet=True, columns=headers,
                                   outputs=[header(m, language) for m in OUTPUT_COLUMNS])
                book.save(out)
                return done
            sheet, spot, plain = found
            if spot is not None:
                lt = LeadsTable(book, spot)
                headers = [h for h in lt.headers]
                problems = _clashes(sheet, spot.min_col, spot.min_row, headers)
            else:
                top, left, bottom, right, headers = plain
                problems = _clashes(sheet, left, top, headers)
            if problems:
                raise SheetError(problems)
            adapted = adapt(model, headers)
            scratch = Package.open(_scratch(adapted.model, headers, language, profile, folder))
            with scratch:
                names = [n.name for n in scratch.defined_names if n.local_sheet_id is None]
                try:
                    copy_sheet(scratch, MODEL_SHEET, book.edit, defined_names=names)
                except ValueError as exc:
                    raise SheetError([f"{MODEL_SHEET}: {exc}"]) from None
        made = spot is None
        if made:
            table_name = LEADS_TABLE
            ref = range_ref(top, left, bottom, right)
            try:
                part = add_table(book.edit, book._part(sheet), table_name, ref, headers)
            except ValueError as exc:
                raise SheetError([f"{sheet}!{ref.split(':')[0]}: {exc}"]) from None
            rec = _Table(sheet, part, table_name, top, left, bottom, right, 0, bottom)
            book._all_tables().append(rec)
            spot = rec.spot()
            lt = LeadsTable(book, spot)
        if spot.name != LEADS_TABLE and not (sheet == LEADS_SHEET and len(book.tables(sheet)) == 1):
            book.set_defined_name(LEADS_NAME, f"{spot.name}[#All]")
        before = len(lt.headers)
        ensure_output_columns(lt, language, OUTPUT_COLUMNS)
        leads_count = sum(1 for row in lt.grid.rows[1:] if any(not is_blank(v) for v in row))
        done = Initialised(sheet, spot.name, made_table=made, leads=leads_count, columns=headers,
                           outputs=lt.headers[before:], moved=adapted.moved, left_out=adapted.left_out)
        book.save(out)
        return done


__all__ = ["Initialised", "LEADS_NAME", "TableSpot", "init_book"]

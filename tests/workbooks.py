"""Small workbooks for tests: known leads in a real template file, and cell edits."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import range_boundaries

from scoring import default_model, score
from scoring.defaults import LEAD_COLUMNS, header
from workbook import template

AS_OF = dt.datetime(2026, 11, 23, 8, 30)

# Leads by meaning; the DESIGN §2 worked examples come first.
KNOWN = [
    {"id": "L1", "name": "Anna Rossi", "company": "Alfa Srl", "role": "Purchasing manager", "industry": "IT",
     "employees": 1200, "revenue": 2_500_000, "pricing": 5, "papers": 1},
    {"id": "L2", "name": "Bruno Neri", "company": "Beta Spa", "role": "HR manager", "industry": "Retail",
     "employees": 300, "revenue": 1_500_000, "papers": 1},
    {"id": "L3", "name": "Carla Bianchi", "company": "=HYPERLINK(\"http://evil\",\"x\")", "role": "CEO",
     "industry": "manufacturing ", "employees": "1 200", "revenue": "2.500.000", "pricing": 2,
     "demo": 1, "quote": 1},
    {"id": "L4", "name": "+cmd|' /C calc'!A0", "company": "@SUM(A1)", "role": "Intern", "industry": "Retail",
     "employees": "1.2k", "revenue": "€ 2M", "promo": 1},
    {"id": "L5", "name": "Dario Verdi", "company": "-2+3", "role": "CEO", "industry": "IT", "employees": 80,
     "revenue": 3_000_000, "demo": 2, "stage": "Customer"},
]


ITALIAN = {"Purchasing manager": "Responsabile acquisti", "HR manager": "Responsabile HR",
           "Intern": "Stagista", "manufacturing ": "manifatturiero ", "Customer": "Cliente"}


def known_leads(language: str = "en") -> pd.DataFrame:
    columns = LEAD_COLUMNS["b2b"]
    translate = (lambda v: ITALIAN.get(v, v) if isinstance(v, str) else v) if language == "it" else (lambda v: v)
    rows = [[translate(lead.get(m, 0 if m in ("pricing", "promo", "welcome", "papers", "newsletter", "webinars",
                                     "demo", "quote", "unsubscribed") else None)) for m in columns]
            for lead in KNOWN]
    return pd.DataFrame(rows, columns=[header(m, language) for m in columns], dtype=object)


def known_book(path: Path, language: str = "en", scored: bool = False, button: bool = False) -> Path:
    """A template file holding the KNOWN leads (outputs blank unless scored)."""
    model = default_model("b2b", language)
    leads = known_leads(language)
    outputs = None
    if scored:
        outputs = score(leads, model)
        outputs["scored_at"] = AS_OF
    template.build(path, model, leads, outputs, language, "b2b", buttons=("Rescore",) if button else ())
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def table_cell(ws, table_name: str, row: int, header_text: str):
    """The cell of a table's data row (1-based) under a header."""
    table = ws.tables[table_name]
    min_col, min_row, max_col, _ = range_boundaries(table.ref)
    headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    return ws.cell(min_row + row, min_col + headers.index(header_text))


def edit(path: Path, sheet: str, changes: dict) -> None:
    """Set cells (e.g. {'E5': 12}) the way a person would in Excel, and save."""
    wb = openpyxl.load_workbook(path)
    for ref, value in changes.items():
        wb[sheet][ref] = value
    wb.save(path)


def add_table_row(path: Path, table_name: str, values: list) -> None:
    """Append a row to a LeadScore table, growing the table as Excel does."""
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    table = ws.tables[table_name]
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    for i, value in enumerate(values):
        ws.cell(max_row + 1, min_col + i, value)
    table.ref = f"{table.ref.split(':')[0]}:{openpyxl.utils.get_column_letter(max_col)}{max_row + 1}"
    wb.save(path)


def leads_outputs(path: Path) -> list[dict]:
    """The Leads table read back as dicts by header."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Leads"]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def setting_cell(ws, name):
    """The value cell of a LeadScore setting: the cell right of the one holding its name."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == name:
                return ws.cell(cell.row, cell.column + 1)
    raise AssertionError(f"no setting named {name!r} on {ws.title}")

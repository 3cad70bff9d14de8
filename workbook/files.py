"""Headless workflows on workbook files: read the model and leads, check, rescore.

These are what the command line runs. Nothing is written unless the whole run
succeeded, and then atomically (see safety.py).
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

from scoring import Model, ModelError, score
from scoring.defaults import header
from scoring.parse import text_key

from .errors import SheetError
from .leads import LeadsTable, find_table, has_formulas, output_meaning, read_frame, write_outputs
from .model_sheet import ModelSheet
from .safety import safe_save


def _load(path, data_only: bool = False):
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        return openpyxl.load_workbook(path, data_only=data_only, keep_links=True,
                                      keep_vba=path.suffix.lower() in (".xlsm", ".xltm"))
    except (OSError, KeyError, ValueError) as exc:
        raise SheetError([f"{path.name}: cannot be read as an Excel workbook ({exc})"]) from exc


def read_model(path) -> Model:
    """The model stored on the workbook's LeadScore sheet; SheetError lists every bad cell."""
    sheet = ModelSheet(_load(path, data_only=True))
    found = sheet.problems()
    if found:
        raise SheetError(found)
    return sheet.model


def read_leads(path, outputs: bool = True) -> pd.DataFrame:
    """The Leads table as a DataFrame, headers as in the sheet (inputs only if outputs=False)."""
    wb = _load(path, data_only=True)
    frame, _ = read_frame(find_table(wb), outputs=outputs)
    return frame.reset_index(drop=True)


def _lead_problems(lt: LeadsTable, frame: pd.DataFrame, outputs: pd.DataFrame, rows: list[int]) -> list[str]:
    """Engine problems per lead, each led by the cell it is about (Leads!G12)."""
    from openpyxl.utils import get_column_letter
    out = []
    for row, text in zip(rows, outputs["problems"].tolist()):
        if not text:
            continue
        for part in text.split("; "):
            name, _, message = part.partition(": ")
            col = lt.column_of(name)
            where = f"{lt.ws.title}!{get_column_letter(col)}{row}" if col else f"{lt.ws.title} row {row}"
            out.append(f"{where}: {name} {message}")
    return out


@dataclass
class Report:
    """What a check or rescore found; errors stop a run, warnings do not."""

    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    outputs: pd.DataFrame | None = None
    summary: dict = field(default_factory=dict)
    lost: list = field(default_factory=list)


def _prepare(path) -> tuple:
    """Load, read and score; raises SheetError with every problem found."""
    wb = _load(path)
    errors = []
    try:
        sheet = ModelSheet(_load(path, data_only=True))
    except SheetError as exc:
        sheet, errors = None, list(exc.messages)
    try:
        lt = find_table(wb)
    except SheetError as exc:
        raise SheetError(errors + exc.messages) from None
    values_ws = None
    if has_formulas(lt):
        values_ws = _load(path, data_only=True)[lt.ws.title]
    frame, rows = read_frame(lt, values_ws)
    if sheet is not None:
        errors += sheet.problems(list(frame.columns))
    if errors:
        raise SheetError(errors)
    try:
        outputs = score(frame, sheet.model)
    except ModelError as exc:
        raise SheetError([sheet.locate(p) for p in exc.problems]) from None
    return wb, sheet, lt, frame, rows, outputs


def check(path) -> Report:
    """Validate the LeadScore sheet and the Leads table; lead values that can't be used are warnings."""
    try:
        _, _, lt, frame, rows, outputs = _prepare(path)
    except SheetError as exc:
        return Report(errors=exc.messages)
    return Report(warnings=_lead_problems(lt, frame, outputs, rows), outputs=outputs)


def _summary(frame, outputs, previous, model) -> dict:
    lang = model.settings.language
    id_col = next((c for c in frame.columns if text_key(c) in (text_key(header("id", "en")),
                                                                text_key(header("id", "it")))), None)
    name_col = next((c for c in frame.columns if text_key(c) in (text_key(header("name", "en")),
                                                                  text_key(header("name", "it")))), None)
    became_sql = (outputs["status"] == "SQL") & (previous != "SQL")
    new = []
    for i in outputs.index[became_sql.to_numpy()]:
        who = [str(frame.at[i, c]) for c in (id_col, name_col) if c is not None and pd.notna(frame.at[i, c])]
        new.append((" ".join(who) or f"row {i + 2}", outputs.at[i, "rating"]))
    return {
        "leads": len(outputs),
        "status": outputs["status"].value_counts().to_dict(),
        "grade": outputs["grade"].value_counts().sort_index().to_dict(),
        "new_sql": new,
        "with_problems": int((outputs["problems"] != "").sum()),
        "language": lang,
    }


def rescore(path, out=None, as_of: dt.datetime | None = None) -> Report:
    """Score every lead and write the output columns as values.

    Writes to `out` when given, else in place. On any error nothing is written.
    """
    wb, sheet, lt, frame, rows, outputs = _prepare(path)
    status_col = lt.column_of(header("status", "en")) or lt.column_of(header("status", "it"))
    previous = pd.Series([lt.ws.cell(r, status_col).value if status_col else None for r in rows],
                         index=outputs.index, dtype=object)
    outputs["scored_at"] = as_of or dt.datetime.now().replace(microsecond=0)
    write_outputs(lt, outputs, rows, sheet.model.settings.language)
    lost = safe_save(wb.save, os.fspath(path), None if out is None else os.fspath(out))
    return Report(outputs=outputs, summary=_summary(frame, outputs, previous, sheet.model),
                  warnings=_lead_problems(lt, frame, outputs, rows), lost=lost)

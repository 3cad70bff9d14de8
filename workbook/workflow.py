"""The workflows (check, rescore, tasks, report, native formulas), written once against the book interface.

`run_book(book, ...)` works on any Book (book.py): a file through FileBook (the
command line) or live Excel through XlBook (the macros and xlwings Lite). The
file functions below open a FileBook. Nothing is written unless the whole run
succeeded, and then atomically (see safety.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from openpyxl.utils import get_column_letter

from scoring import ModelError, Model, score
from scoring.defaults import ENROLMENT_COLUMNS, OUTPUT_COLUMNS, header
from scoring.history import COLUMNS as HISTORY_COLUMNS_KEYS
from scoring.history import changes
from scoring.parse import text_key
from scoring.report import funnel
from scoring.tasks import plan_tasks

from . import formulas
from .errors import SheetError
from .filebook import FileBook
from .layout import (HISTORY_COLUMNS, HISTORY_SHEET, HISTORY_TABLE, HISTORY_WIDTHS, MODEL_SHEET,
                     NUMERIC_SETTINGS, TASK_COLUMNS, TASK_WIDTHS, TASKS_SHEET, labels)
from .leads import (LeadsTable, ensure_output_columns, find_table, is_helper_column, output_meaning,
                    read_columns, read_frame, write_outputs)
from .model_sheet import ModelSheet


def read_model(path) -> Model:
    """The model stored on the workbook's LeadScore sheet; SheetError lists every bad cell."""
    sheet = ModelSheet(FileBook(path))
    found = sheet.problems()
    if found:
        raise SheetError(found)
    return sheet.model


def read_leads(path, outputs: bool = True) -> pd.DataFrame:
    """The Leads table as a DataFrame, headers as in the sheet (inputs only if outputs=False)."""
    frame, _ = read_frame(find_table(FileBook(path)), outputs=outputs)
    return frame.reset_index(drop=True)


def _lead_problems(lt: LeadsTable, frame: pd.DataFrame, outputs: pd.DataFrame, rows: list[int]) -> list[str]:
    """Engine problems per lead, each led by the cell it is about (Leads!G12)."""
    out = []
    for row, text in zip(rows, outputs["problems"].tolist()):
        if not text:
            continue
        for part in text.split("; "):
            name, _, message = part.partition(": ")
            col = lt.column_of(name)
            where = f"{lt.title}!{get_column_letter(col)}{row}" if col else f"{lt.title} row {row}"
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
    tasks: pd.DataFrame | None = None
    tasks_sheet: str | None = None
    funnel: object = None


def read_checked(book, more=None) -> tuple:
    """The LeadScore sheet and the Leads table, read and checked: (sheet, table, frame, rows).
    more(sheet) may return further problems. Raises SheetError with every problem found."""
    errors = []
    try:
        sheet = ModelSheet(book)
    except SheetError as exc:
        sheet, errors = None, list(exc.messages)
    try:
        lt = find_table(book)
    except SheetError as exc:
        raise SheetError(errors + exc.messages) from None
    frame, rows = read_frame(lt)
    if sheet is not None:
        errors += sheet.problems([c for c in frame.columns if not is_helper_column(c)])
        errors += more(sheet) if more else []
    if errors:
        raise SheetError(errors)
    return sheet, lt, frame, rows


def _prepare(book) -> tuple:
    """Read and score; raises SheetError with every problem found."""
    sheet, lt, frame, rows = read_checked(book)
    try:
        outputs = score(frame, sheet.model)
    except ModelError as exc:
        raise SheetError([sheet.locate(p) for p in exc.problems]) from None
    return sheet, lt, frame, rows, outputs


def check(path) -> Report:
    """Validate the LeadScore sheet and the Leads table; lead values that can't be used are warnings."""
    return check_book(FileBook(path))


def check_book(book) -> Report:
    """check() on any Book."""
    try:
        _, lt, frame, rows, outputs = _prepare(book)
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


def _history_frame(book, language: str) -> pd.DataFrame:
    """The History sheet's table as a DataFrame with scoring.history.COLUMNS (empty when absent)."""
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS_KEYS})
    title = next((t for t in HISTORY_SHEET.values() if t in book.sheet_names()), None)
    if title is None:
        return empty
    table = next((t for t in book.tables(title) if t.name == HISTORY_TABLE), None)
    if table is None:
        return empty
    width = len(HISTORY_COLUMNS_KEYS)
    grid = book.read(title, table.first_data_row, table.min_col, table.max_row, table.min_col + width - 1)
    rows = [r for r in grid.rows if any(v is not None for v in r)]
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS_KEYS), dtype=object) if rows else empty


def _lead_ids(lt: LeadsTable, frame: pd.DataFrame, rows: list[int]) -> pd.Series:
    col = next((c for c in frame.columns if output_meaning(c) is None and
                text_key(c) in (text_key(header("id", "en")), text_key(header("id", "it")))), None)
    if col is None:
        return pd.Series([f"row {r}" for r in rows], index=frame.index, dtype=object)
    ids = frame[col].astype(object)
    return ids.where(ids.notna(), pd.Series([f"row {r}" for r in rows], index=frame.index))


STEPS = ("rescore", "tasks", "report")


def run(path, out=None, as_of: dt.datetime | None = None, steps=("rescore",)) -> Report:
    """run_book on a workbook file, saved to `out` when given, else in place.

    On any error nothing is written: the file stays byte-for-byte as it was.
    """
    _check_steps(steps)
    book = FileBook(path)
    report = run_book(book, as_of, steps)
    report.lost = book.save(out)
    return report


def _check_steps(steps) -> None:
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise ValueError(f"unknown step(s) {unknown}; steps are {', '.join(STEPS)}")


def run_book(book, as_of: dt.datetime | None = None, steps=("rescore",)) -> Report:
    """Rescore (always), then the other steps asked for, on any Book; the caller saves.

    rescore writes Fit … Scored at and appends changes to History; tasks writes
    the day's Tasks sheet and the Sequence columns; report writes the Report sheet.
    """
    _check_steps(steps)
    sheet, lt, frame, rows, outputs = _prepare(book)
    model = sheet.model
    language = model.settings.language
    when = as_of or dt.datetime.now().replace(microsecond=0)
    previous = read_columns(lt, ("grade", "score", "status"), rows)
    previous.index = outputs.index
    outputs["scored_at"] = when
    write_outputs(lt, outputs, rows, language)
    ids = _lead_ids(lt, frame, rows)
    changed = changes(ids, previous, outputs, when)
    book.append_table_rows(HISTORY_SHEET[language], HISTORY_TABLE, labels(HISTORY_COLUMNS, language),
                           changed.itertuples(index=False, name=None), HISTORY_WIDTHS)
    report = Report(outputs=outputs, summary=_summary(frame, outputs, previous["status"], model),
                    warnings=_lead_problems(lt, frame, outputs, rows))
    report.summary["history_rows"] = len(changed)
    if "tasks" in steps:
        report.tasks, report.tasks_sheet = _tasks(book, lt, frame, rows, outputs, model, when)
    if "report" in steps:
        report.funnel = funnel(frame, outputs, _history_frame(book, language), model, when.date(), ids=ids)
        book.put_report(report.funnel, language, when, report.summary["new_sql"])
    return report


def _tasks(book, lt, frame, rows, outputs, model, when):
    """Plan the day's tasks, record enrolment in the Leads table, write the Tasks sheet."""
    language = model.settings.language
    enrolment = read_columns(lt, ("sequence", "sequence_start"), rows)
    enrolment.index = outputs.index
    enrolment = enrolment.rename(columns={"sequence_start": "start"})
    tasks, enrolled = plan_tasks(frame, outputs, model, enrolment, when.date())
    enrolled = enrolled.rename(columns={"start": "sequence_start"})
    enrolled["sequence"] = enrolled["sequence"].where(enrolled["sequence"].notna(), None)
    write_outputs(lt, enrolled, rows, language, ENROLMENT_COLUMNS)
    title = TASKS_SHEET[language].format(date=when.date().isoformat())
    keys = [k for k, _, _ in TASK_COLUMNS]
    book.put_table_sheet(title, f"tblTasks{when:%Y%m%d}", labels(TASK_COLUMNS, language),
                         tasks[keys].itertuples(index=False, name=None), TASK_WIDTHS)
    return tasks, title


def rescore(path, out=None, as_of: dt.datetime | None = None) -> Report:
    """Score every lead, write the output columns as values and log changes in History."""
    return run(path, out=out, as_of=as_of, steps=("rescore",))


# Native formulas: `leadscore formulas BOOK`.

NUMBER_FIELDS = {"fit": ("points",), "behaviour": ("points", "cap"), "roles": ("level",), "grades": ("min",),
                 "bands": ("min",), "status": ("min",)}


def _text_numbers(sheet) -> list[str]:
    """Model numbers typed as text. The engine reads '15' as 15; a formula computing with it
    could not be trusted to, so a native workbook refuses them."""
    out = []
    why = "is text; type it as a number (native formulas compute with numbers only)"
    for key, fields in NUMBER_FIELDS.items():
        block = sheet.blocks[key]
        for row, values in block.rows:
            for f in fields:
                col = block.columns.get(f)
                value = values.get(col) if col else None
                if isinstance(value, str) and value.strip():
                    out.append(f"{MODEL_SHEET}!{get_column_letter(col)}{row}: {block.display(f)} {value!r} {why}")
    settings = sheet.blocks["settings"]
    rows = dict(settings.rows)
    for key in NUMERIC_SETTINGS:
        (row, col), name = sheet.setting_cells[key]
        value = rows.get(row, {}).get(col)
        if isinstance(value, str) and value.strip():
            out.append(f"{MODEL_SHEET}!{get_column_letter(col)}{row}: {name} {value!r} {why}")
    return out


def write_formulas(path, out=None) -> dict:
    """Give a workbook native formulas: the output columns Fit … Action of its Leads table,
    the helper columns, the helper sheet and the names are (re)written, then the workbook is
    saved atomically, in place or to out, and set to recalculate when opened.

    Refuses (SheetError, nothing written) when the LeadScore sheet or the Leads table has a
    problem; every message names its sheet and cell.
    Returns a summary: rows, fit_rules, behaviour_rules, names, lost (parts a copy lacks).
    """
    book = FileBook(path)
    sheet, lt, _, _ = read_checked(book, more=_text_numbers)
    model = sheet.model
    columns = ensure_output_columns(lt, model.settings.language, OUTPUT_COLUMNS)
    spot = lt.spot

    def current() -> formulas.LeadsSpot:
        return formulas.LeadsSpot(spot.sheet, spot.name, spot.min_col, list(lt.headers))

    leads = current()
    out_headers = {m: leads.headers[columns[m] - spot.min_col] for m in formulas.FORMULA_OUTPUTS}
    cells = formulas.cells_from_sheet(sheet, book)
    try:
        plan = formulas.plan(model, cells, leads, out_headers)
        missing = [c for c in plan.helper_headers if not leads.has(c)]
        if missing:
            book.add_table_columns(spot, missing)
            lt.headers.extend(missing)
            leads = current()
            plan = formulas.plan(model, cells, leads, out_headers)
    except formulas.NativeError as exc:
        raise SheetError(exc.messages) from None
    book.put_native_formulas(spot, leads.headers, plan)
    lost = book.save(out)
    return {"rows": spot.max_row - spot.first_data_row + 1, "fit_rules": len(model.fit_rules),
            "behaviour_rules": len(model.behaviour_rules), "names": len(plan.names), "lost": lost,
            "helper_sheet": formulas.HELPER_SHEET}

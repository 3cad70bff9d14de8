"""The workflows (check, rescore, tasks, report, native formulas), written once against the book interface.

`run_book(book, ...)` works on any Book (book.py): a file through FileBook (the
command line) or live Excel through XlBook (the macros and xlwings Lite). The
file functions below open a FileBook. Nothing is written unless the whole run
succeeded, and then atomically (see safety.py).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from scoring import Model, ModelError
from scoring.columns import by_meaning
from scoring.defaults import ENROLMENT_COLUMNS, OUTPUT_COLUMNS
from scoring.duplicates import duplicates_table
from scoring.engine import Scored, evaluate_leads
from scoring.explain import number_text
from scoring.parse import is_blank, text_key
from scoring.history import COLUMNS as HISTORY_COLUMNS_KEYS
from scoring.history import changed_mask, changes, decay_notes, decayed
from scoring.texts import text
from scoring.report import funnel, score_band_codes
from scoring.tasks import plan_tasks

from . import formulas, progress
from .errors import CellProblem, SheetError
from .exports import csv_bytes, ics_bytes
from .filebook import FileBook
from .layout import HISTORY_NOTE, MODEL_NAME, model_area
from .layout import (DUPLICATE_COLUMNS, DUPLICATE_WIDTHS, DUPLICATES_SHEET, DUPLICATES_TABLE, HISTORY_COLUMNS,
                     HISTORY_SHEET, HISTORY_TABLE, HISTORY_WIDTHS, MODEL_SHEET, NUMERIC_SETTINGS, TASK_COLUMNS,
                     TASK_WIDTHS, TASKS_SHEET, labels)
from .events_sheet import EVENTS_SHEET, EventsSheet
from .importer import bad_key, key_of, keys_of, lead_key_column, parse_maps, plan_columns, read_incoming
from .formulas import engine_columns, engine_header, engine_values
from .leads import (LeadsTable, columns_of, ensure_output_columns, find_table, is_helper_column,
                    output_meaning, read_columns, read_frame, read_last, write_engine, write_last, write_outputs)
from .model_sheet import ModelSheet
from .safety import run_lock, stage
from .sample_team import sample_team_note


def open_book(path):
    """A workbook file as a Book: the package backend (packagebook.py), which reads only what it
    needs and keeps every part it does not own. Imported here, not at the top: the xlwings Lite
    bundle carries the workflow but no file backend."""
    from .packagebook import PackageBook

    return PackageBook(path)


def read_model(path) -> Model:
    """The (checked) model stored on the workbook's LeadScore sheet; SheetError lists every bad cell."""
    with open_book(path) as book:
        sheet = ModelSheet(book)
        found = sheet.problems()
    if found:
        raise SheetError(found)
    return sheet.model


def read_leads(path, outputs: bool = True) -> pd.DataFrame:
    """The Leads table as a DataFrame, headers as in the sheet (inputs only if outputs=False)."""
    with open_book(path) as book:
        frame, _ = read_frame(find_table(book), outputs=outputs)
    return frame.reset_index(drop=True)


def lead_problems(lt: LeadsTable, scored: Scored, rows: list[int]) -> list[CellProblem]:
    """The engine's problems with lead values, each at the cell it is about (Leads!G12), in row order."""
    found = []
    columns: dict = {}  # Column name -> sheet column, looked up once per name.
    for codes, items in scored.problems.parts:
        for position in np.flatnonzero(codes >= 0):
            item = items[codes[position]]
            col = columns.get(item.column, 0)
            if col == 0:
                col = columns[item.column] = lt.column_of(item.column)
            row = rows[position]
            cell = f"{get_column_letter(col)}{row}" if col else None
            where = cell or f"row {row}"
            found.append((row, col or 0, CellProblem(lt.title, where if cell else None,
                                                     f"{item.column} {shown_value(item.value)} {item.message}",
                                                     item.value)))
    found.sort(key=lambda f: (f[0], f[1]))
    return [p if p.cell else CellProblem(p.sheet, None, f"{lt.title} {p.message}", p.value) for _, _, p in found]


def shown_value(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    return repr(str(value))


@dataclass
class Report:
    """What a check or run found; errors stop a run, warnings do not (all as 'Sheet!A1: ...' lines)."""

    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    outputs: pd.DataFrame | None = None
    summary: dict = field(default_factory=dict)
    lost: list = field(default_factory=list)
    tasks: pd.DataFrame | None = None
    tasks_sheet: str | None = None
    funnel: object = None
    problems: list = field(default_factory=list)  # The lead problems as CellProblem data.
    model_warnings: list = field(default_factory=list)  # LeadScore sheet warnings (also in warnings).
    scored: Scored | None = None  # The engine's result, reasons and problems as data.
    imported: dict | None = None  # What `import` did (see import_leads).


def read_checked(book, more=None) -> tuple:
    """The LeadScore sheet and the Leads table, read and checked: (sheet, table, frame, rows).
    more(sheet) may return further problems. Raises SheetError with every problem found."""
    errors = []
    try:
        sheet = ModelSheet(book)
    except SheetError as exc:
        sheet, errors = None, list(exc.problems)
    try:
        lt = find_table(book)
    except SheetError as exc:
        raise SheetError(errors + exc.problems) from None
    frame, rows = read_frame(lt)
    if sheet is not None:
        errors += sheet.problems([c for c in frame.columns if not is_helper_column(c)], frame)
        errors += more(sheet) if more else []
    if errors:
        raise SheetError(errors)
    return sheet, lt, frame, rows


def _prepare(book, as_of=None, events=None) -> tuple:
    """Read and score (as of the run's time: rules over events count events up to it); raises
    SheetError with every problem found. events: the Events sheet as an import left it."""
    sheet, lt, frame, rows = read_checked(book)
    language = sheet.model.settings.language
    if events is None and (sheet.model.event_rules or any(t in book.sheet_names() for t in EVENTS_SHEET.values())):
        events = EventsSheet(book, language)
    progress.step("Scoring", len(frame))
    try:
        scored = evaluate_leads(frame, sheet.checked, events.frame() if events is not None else None, as_of)
    except ModelError as exc:
        raise SheetError([sheet.locate(p) for p in exc.problems]) from None
    return sheet, lt, frame, rows, scored, events


def check(path, as_of: dt.datetime | None = None) -> Report:
    """Validate the LeadScore sheet and the Leads table; lead values that can't be used are warnings.
    Rules over events count the events up to as_of (default now)."""
    with open_book(path) as book:
        report = check_book(book, as_of)
    progress.finish()
    return report


def _engine_only(sheet, lt) -> list[str]:
    """In a native book, each rule over events is said to be the engine's: formulas read its points."""
    if not sheet.model.event_rules or not any(isinstance(k, tuple) for _, k in
                                              engine_columns(lt.headers, sheet.model)):
        return []
    block = sheet.blocks["events"]
    return [f"{MODEL_SHEET}!{get_column_letter(block.columns['name'])}{row}: {rule.name!r} is a rule over events: "
            f"native formulas cannot compute it and read its points from the Leads column "
            f"'{engine_header(rule.name)}', which `leadscore rescore` fills as of its run"
            for (row, _), rule in zip(block.rows, sheet.model.event_rules)]


def check_book(book, as_of: dt.datetime | None = None) -> Report:
    """check() on any Book."""
    try:
        sheet, lt, frame, rows, scored, events = _prepare(book, as_of)
    except SheetError as exc:
        return Report(errors=exc.messages)
    problems = lead_problems(lt, scored, rows)
    more = (events.problems(scored.events) if events is not None else []) + _engine_only(sheet, lt)
    return Report(warnings=[str(p) for p in sheet.warnings + problems] + more + _stale_engine(lt, scored, rows),
                  outputs=scored.frame, problems=problems, model_warnings=[str(p) for p in sheet.warnings])


def _stale_engine(lt, scored: Scored, rows: list[int]) -> list[str]:
    """A native book's engine columns (hygiene, duplicates: formulas cannot check them) that do not
    hold what the engine finds now, cell by cell: rescore fills them."""
    out = []
    for name, values in engine_values(scored, engine_columns(lt.headers, scored.checked.model)).items():
        col = lt.column_of(name)
        for row, want in zip(rows, values):
            have = lt.grid.value(row, col)
            if isinstance(want, str) or want is None:  # The engine's action for junk and duplicates.
                same = text_key("" if is_blank(have) else have) == text_key("" if want is None else want)
            elif isinstance(want, float):  # A rule over events: its points (a blank cell reads as 0).
                number = 0.0 if is_blank(have) else have if isinstance(have, (int, float)) else None
                same = number is not None and not isinstance(have, bool) and round(float(number), 6) == want
            else:  # A hygiene flag: 1, else 0 (a blank cell reads as 0).
                same = (have == 1 and not isinstance(have, bool)) == (want == 1)
            if not same:
                shown = "blank" if is_blank(have) else repr(have)
                found = "blank" if want is None else repr(want) if isinstance(want, str) else number_text(want)
                why = ("native formulas cannot compute rules over events (their points change with time and new "
                       "events)" if isinstance(want, float) else "native formulas cannot check this")
                out.append(f"{lt.title}!{get_column_letter(col)}{row}: {name!r} holds {shown}, the engine finds "
                           f"{found}; {why}, `leadscore rescore` fills it")
    return out


def _who(frame: pd.DataFrame, rows: list[int]) -> pd.Series:
    """Each lead as a summary names it: its ID and name, else its row."""
    parts = [frame[c].astype(object) for c in (by_meaning(frame.columns, "id"), by_meaning(frame.columns, "name"))
             if c is not None]
    who = pd.Series([""] * len(frame), index=frame.index, dtype=object)
    for part in parts:
        text = part.where(part.notna(), "").astype(str).str.strip()
        who = who.where(text == "", (who + " " + text).str.strip())
    return who.where(who != "", pd.Series([f"row {r}" for r in rows], index=frame.index))


def _summary(frame, rows, outputs, previous, model) -> dict:
    """Counts by status and grade, the leads that became SQL, and what moved since the last run."""
    who = _who(frame, rows)
    status, old_status = outputs["status"].astype(object), previous["status"].astype(object)
    became_sql = (status == "SQL") & (old_status != "SQL")
    old_score = pd.to_numeric(previous["score"], errors="coerce")
    new_score = pd.to_numeric(outputs["score"], errors="coerce")
    known = old_score.notna() & previous["grade"].notna()
    old_band = pd.Series(score_band_codes(old_score.to_numpy(), model), index=frame.index)
    new_band = pd.Series(score_band_codes(new_score.to_numpy(), model), index=frame.index)
    moved = (new_score - old_score).where(known)
    biggest = moved[moved.fillna(0) != 0].abs().sort_values(ascending=False, kind="stable").index[:5]
    texts = {x: number_text(x) for x in old_score.dropna().unique()}  # Few distinct scores.
    old_text = pd.Series([texts.get(x, "") for x in old_score.to_numpy()], index=old_score.index, dtype=object)
    old_rating = previous["grade"].astype(str) + old_text
    return {
        "leads": len(outputs),
        "status": status.value_counts().to_dict(),
        "grade": outputs["grade"].value_counts().sort_index().to_dict(),
        "new_sql": [(who[i], outputs.at[i, "rating"]) for i in outputs.index[became_sql.to_numpy()]],
        "sql": int((status == "SQL").sum()),
        "with_problems": int((outputs["problems"] != "").sum()),
        "language": model.settings.language,
        "first": int((~known).sum()),
        "changed_grade": int((known & (previous["grade"].astype(object) != outputs["grade"])).sum()),
        "changed_band": int((known & (old_band != new_band)).sum()),
        "changed_status": int((known & (old_status != status)).sum()),
        "changed_score": int((moved.fillna(0) != 0).sum()),
        "moves": [(who[i], old_rating[i], outputs.at[i, "rating"]) for i in biggest],
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


def _lead_ids(frame: pd.DataFrame, rows: list[int]) -> pd.Series:
    col = next((c for c in frame.columns if output_meaning(c) is None and c == by_meaning([c], "id")), None)
    if col is None:
        return pd.Series([f"row {r}" for r in rows], index=frame.index, dtype=object)
    ids = frame[col].astype(object)
    return ids.where(ids.notna(), pd.Series([f"row {r}" for r in rows], index=frame.index))


def _previous(lt: LeadsTable, rows: list[int], index) -> tuple[pd.DataFrame, bool]:
    """Grade, score and status as the last run left them, and whether they are formulas.

    Values in the output columns are what the last run wrote. Where those columns compute
    themselves (native formulas, in-cell functions), their cells show today's results, not the
    last run's; the last run's are kept in hidden columns of ours (leads.LAST_COLUMNS), read
    here, and the cells' values (as last calculated) only when those columns are not there yet.
    """
    outputs = columns_of(lt, ("grade", "score", "status"))
    formulas = any(outputs.get(m) in lt.computed for m in ("grade", "score", "status"))
    previous = read_columns(lt, ("grade", "score", "status"), rows)
    if formulas:
        last = read_last(lt, rows)
        if last is not None:
            previous = last
    previous.index = index
    return previous, formulas


STEPS = ("rescore", "tasks", "report")


def run(path, out=None, as_of: dt.datetime | None = None, steps=("rescore",), csv=None, ics=None) -> Report:
    """run_book on a workbook file, saved to `out` when given, else in place; with the tasks
    step, the tasks also go to a CSV file and a calendar file when csv and ics name them.

    A run writes all its outputs or none: the exports are built and written beside their
    targets first, the workbook is saved, and only then are the exports moved into place.
    On any error nothing is written: the files stay byte-for-byte as they were.
    """
    _check_steps(steps)
    if (csv or ics) and "tasks" not in steps:
        raise ValueError("csv and ics exports need the tasks step")
    with run_lock(path), open_book(path) as book:  # A second run on this workbook is refused meanwhile.
        report = run_book(book, as_of, steps)
        stamp = as_of or dt.datetime.now().replace(microsecond=0)
        language = report.summary["language"]
        data = [(csv, lambda: csv_bytes(report.tasks, language)), (ics, lambda: ics_bytes(report.tasks, stamp))]
        staged = []
        try:
            for target, build in data:
                if target is not None:
                    staged.append(stage(build(), target))
            report.lost = book.save(out)
        except BaseException:
            for file in staged:
                file.discard()
            raise
        for file in staged:
            file.commit()
    return report


def _check_steps(steps) -> None:
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise ValueError(f"unknown step(s) {unknown}; steps are {', '.join(STEPS)}")


def run_book(book, as_of: dt.datetime | None = None, steps=("rescore",), events=None) -> Report:
    """Rescore (always), then the other steps asked for, on any Book; the caller saves.

    rescore writes Fit … Scored at and appends changes to History; tasks writes
    the day's Tasks sheet and the Sequence columns; report writes the Report sheet.
    Everything is read, checked and worked out before the first write, so a run that
    fails leaves the book as it was (in live Excel too).
    """
    _check_steps(steps)
    when = as_of or dt.datetime.now().replace(microsecond=0)
    sheet, lt, frame, rows, scored, events = _prepare(book, when, events)
    progress.step("Scored; writing the results", len(frame))
    checked = sheet.checked
    model = checked.model
    language = model.settings.language
    outputs = scored.frame.copy()
    previous, formulas = _previous(lt, rows, outputs.index)
    outputs["scored_at"] = when
    ids = _lead_ids(frame, rows)
    changed = changes(ids, previous, outputs, when)
    history_headers = labels(HISTORY_COLUMNS, language)
    moved = None
    if events is not None and model.event_rules:  # Time alone (decay, a window) moved leads down?
        before = read_columns(lt, ("scored_at",), rows)["scored_at"]
        moved = decayed(frame, checked, events.frame(), scored.events, previous, before, outputs)
        notes = decay_notes(np.flatnonzero(changed_mask(previous, outputs)), moved, previous, outputs, model,
                            text(language, "events decay note"))
        if any(notes):
            changed["note"] = notes
            history_headers = history_headers + [HISTORY_NOTE[language]]
    problems = lead_problems(lt, scored, rows)
    report = Report(outputs=outputs, summary=_summary(frame, rows, outputs, previous, model),
                    warnings=[str(p) for p in sheet.warnings + problems], problems=problems,
                    model_warnings=[str(p) for p in sheet.warnings], scored=scored)
    report.summary["history_rows"] = len(changed)
    if events is not None:
        report.warnings += events.problems(scored.events)
        found = scored.events
        report.summary["events"] = {"events": len(found.lead), "counted": int(found.counted.sum()),
                                    "suspect": int((found.marks > 1).sum()), "duplicates": int((found.marks == 1).sum()),
                                    "sheet": events.title}
    if "tasks" in steps:
        enrolment = read_columns(lt, ("sequence", "sequence_start"), rows)
        enrolment.index = outputs.index
        enrolment = enrolment.rename(columns={"sequence_start": "start"})
        leaving = None
        if moved is not None:  # Decayed below the status thresholds: the lead leaves its sequence.
            default = text_key(model.settings.default_status)
            ranked = {text_key(r.status) for r in model.status_rules}
            was = previous["status"].map(lambda v: text_key(v) in ranked if not is_blank(v) else False).to_numpy()
            now = outputs["status"].map(lambda v: text_key(v) == default).to_numpy()
            leaving = moved & was & now
        report.tasks, enrolled = plan_tasks(frame, scored, checked, enrolment, when.date(), leaving=leaving)
        enrolled = enrolled.rename(columns={"start": "sequence_start"})
        enrolled["sequence"] = enrolled["sequence"].where(enrolled["sequence"].notna(), None)
        report.tasks_sheet = TASKS_SHEET[language].format(date=when.date().isoformat())
    if "report" in steps:
        history = pd.concat([_history_frame(book, language), changed], ignore_index=True) if len(changed) \
            else _history_frame(book, language)
        report.funnel = funnel(frame, outputs, history, model, when.date(), ids=ids)

    # Everything is known: now write.
    write_outputs(lt, outputs, rows, language)
    if model.event_rules:
        _widen_model_name(book)
    if formulas:
        write_last(lt, outputs, rows)
        write_engine(lt, engine_values(scored, engine_columns(lt.headers, model)), rows)
    if len(history_headers) > len(HISTORY_COLUMNS):  # A note: the History table gets its Note column.
        old = book.table(HISTORY_TABLE) if any(t in book.sheet_names() for t in HISTORY_SHEET.values()) else None
        if old is not None and old.max_col - old.min_col + 1 == len(HISTORY_COLUMNS):
            book.add_table_columns(old, [HISTORY_NOTE[language]])
    book.append_table_rows(HISTORY_SHEET[language], HISTORY_TABLE, history_headers,
                           changed.itertuples(index=False, name=None),
                           HISTORY_WIDTHS + (40,) * (len(history_headers) - len(HISTORY_WIDTHS)))
    if events is not None:  # The Events sheet: an import's new events, and why events score nothing.
        events.write(scored.events.mark_texts(language, model.settings) if scored.events is not None else None)
    if scored.duplicates is not None:  # The Duplicates setting is on: the sheet is written afresh.
        table = duplicates_table(frame, scored.duplicates, ids, rows, language)
        book.put_table_sheet(DUPLICATES_SHEET[language], DUPLICATES_TABLE, labels(DUPLICATE_COLUMNS, language),
                             table.itertuples(index=False, name=None), DUPLICATE_WIDTHS)
        report.summary["duplicates"] = int(scored.duplicates.dropped.sum())
    else:  # The setting was cleared: a Duplicates sheet of an earlier run would name groups no lead has now.
        title = next((t for t in DUPLICATES_SHEET.values() if t in book.sheet_names()), None)
        if title is not None and any(t.name.casefold() == DUPLICATES_TABLE.casefold() for t in book.tables(title)):
            book.put_table_sheet(title, DUPLICATES_TABLE, labels(DUPLICATE_COLUMNS, language), [], DUPLICATE_WIDTHS)
    if "tasks" in steps:
        write_outputs(lt, enrolled, rows, language, ENROLMENT_COLUMNS)
        keys = [k for k, _, _ in TASK_COLUMNS]
        book.put_table_sheet(report.tasks_sheet, f"tblTasks{when:%Y%m%d}", labels(TASK_COLUMNS, language),
                             report.tasks[keys].itertuples(index=False, name=None), TASK_WIDTHS,
                             note=sample_team_note(report.tasks, model, language))
    if "report" in steps:
        book.put_report(report.funnel, language, when, report.summary["new_sql"])
    return report


def _widen_model_name(book) -> None:
    """In a book made before rules over events, the name LeadScoreModel stops left of their table
    (at BL), so the in-cell functions would score without them: it is widened to this version's
    area. A name that is not the template's (another sheet, another start) is left as it is."""
    text_ = book.defined_name(MODEL_NAME)
    want = model_area()
    if text_ is None or not hasattr(book, "set_defined_name"):
        return
    match = re.fullmatch(r"'?LeadScore'?!\$A\$1:\$([A-Z]{1,3})\$(\d+)", text_.strip())
    last = re.search(r"\$([A-Z]+)\$\d+$", want).group(1)
    if match and (len(match.group(1)), match.group(1)) < (len(last), last):
        book.set_defined_name(MODEL_NAME, want)


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
    """_write_formulas under run_lock: a second run on the same workbook is refused until it is done."""
    with run_lock(path):
        return _write_formulas(path, out)


def _write_formulas(path, out=None) -> dict:
    """Give a workbook native formulas: the output columns Fit … Action of its Leads table,
    the helper columns, the helper sheet and the names are (re)written, then the workbook is
    saved atomically, in place or to out, and set to recalculate when opened.

    Refuses (SheetError, nothing written) when the LeadScore sheet or the Leads table has a
    problem; every message names its sheet and cell.
    Returns a summary: rows, fit_rules, behaviour_rules, names, lost (parts a copy lacks).
    """
    book = FileBook(path)
    sheet, lt, frame, rows = read_checked(book, more=_text_numbers)
    model = sheet.model
    # What the output columns hold now is the last run's result: keep it for History.
    last, _ = _previous(lt, rows, frame.index)
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
    write_last(lt, last, rows)
    if plan.engine:  # What formulas cannot check, the engine fills in now (and at every rescore).
        events = EventsSheet(book, model.settings.language).frame() if model.event_rules else None
        write_engine(lt, engine_values(evaluate_leads(frame, sheet.checked, events), plan.engine), rows)
    lost = book.save(out)
    return {"rows": spot.max_row - spot.first_data_row + 1, "fit_rules": len(model.fit_rules),
            "behaviour_rules": len(model.behaviour_rules), "names": len(plan.names), "lost": lost,
            "helper_sheet": formulas.HELPER_SHEET}


# Importing leads: `leadscore import BOOK FILE`.

def _same_value(current, new) -> bool:
    """A cell already holds this value: equal, or equal numbers, or equal text ignoring surrounding spaces."""
    if is_blank(current):
        return is_blank(new)
    if isinstance(current, (int, float)) and isinstance(new, (int, float)) and not isinstance(current, bool):
        return float(current) == float(new)
    if isinstance(current, dt.datetime) and isinstance(new, dt.date) and not isinstance(new, dt.datetime):
        return current == dt.datetime(new.year, new.month, new.day)
    return str(current).strip() == str(new).strip() if isinstance(current, str) or isinstance(new, str) \
        else current == new


def _merge(book, lt, incoming, columns, key_column) -> dict:
    """Write the export into the Leads table: new columns, updated cells, appended rows. Returns counts."""
    if columns.new:
        book.add_table_columns(lt.spot, columns.new)
        lt.headers.extend(columns.new)
    spot = lt.spot
    col_of = {text_key(h): spot.min_col + i for i, h in enumerate(lt.headers)}
    key_col = col_of.get(text_key(key_column)) if key_column else None
    key_index = next((j for j, t in enumerate(columns.targets) if t and key_col and
                      col_of[text_key(t)] == key_col), None)
    filled, known = [], {}
    for r in range(spot.first_data_row, spot.max_row + 1):
        values = lt.grid.row_values(r, spot.min_col, spot.max_col)
        if any(not is_blank(v) for v in values):
            filled.append(r)
            if key_col is not None:
                known.setdefault(key_of(lt.grid.value(r, key_col)), r)
    known.pop("", None)
    counts = {"added": 0, "updated": 0, "unchanged": 0, "cells": 0, "kept_formulas": 0}
    skipped = list(incoming.skipped)
    updates, appended, seen = {}, [], {}
    target_cols = [(j, col_of[text_key(t)]) for j, t in enumerate(columns.targets) if t is not None]
    # For each column of the table, the export's field that fills it (None: none does).
    source = {col: j for j, col in target_cols}
    slots = [source.get(c) for c in range(spot.min_col, spot.max_col + 1)]
    fields = [j for j, _ in target_cols]
    cols, lines = incoming.columns, incoming.lines
    # Per lead: whether every column the table uses is blank in the export.
    empty = np.ones(len(lines), dtype=bool)
    for j in fields:
        empty &= np.array(incoming.blank(j), dtype=bool)
    keys = keys_of(cols[key_index]) if key_index is not None else None
    for i, line in enumerate(lines):
        key = keys[i] if keys is not None else ""
        if key and key in seen:
            skipped.append((line, f"the same lead as line {seen[key]} ({cols[key_index][i]})"))
            continue
        if key:
            seen[key] = line
        if key and key in known:
            r = known[key]
            changed = {(r, c): cols[j][i] for j, c in target_cols if not is_blank(cols[j][i]) and
                       not _same_value(lt.grid.value(r, c), cols[j][i])}
            if changed:
                updates.update(changed)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        elif empty[i]:
            skipped.append((line, "it has no value in any column the table uses"))
        else:
            appended.append(i)
    formulas = book.formula_cells(spot, list(updates))
    for cell in formulas:  # A cell that computes itself is the user's: an export does not overwrite it.
        del updates[cell]
    counts["kept_formulas"] = len(formulas)
    counts["cells"] = len(updates)
    book.write_cells(spot, updates)
    # New leads fill the blank rows at the end of the table first, then grow it.
    free = list(range((filled[-1] if filled else spot.min_row) + 1, spot.max_row + 1))
    into_free = {r: [None if j is None else cols[j][i] for j in slots] for r, i in zip(free, appended)}
    # (Blank values too: those rows are blank, and whole columns of writes are the fast case.)
    book.write_cells(spot, {(r, spot.min_col + j): v for r, row in into_free.items() for j, v in enumerate(row)})
    below = appended[len(into_free):]
    if below:
        _refuse_filled_below(book, lt, spot, len(below))
    if below:  # Column by column: a table column filled by no field of the export stays blank.
        book.append_columns(spot, [[None] * len(below) if j is None else list(map(cols[j].__getitem__, below))
                                   for j in slots])
    counts["added"] = len(appended)
    counts["skipped"] = skipped
    return counts


def _refuse_filled_below(book, lt, spot, n: int) -> None:
    """The table grows by n rows: refuse (SheetError) when a cell there holds something of the user's."""
    first, last = spot.max_row + 1, spot.max_row + n
    grid = book.read(spot.sheet, first, spot.min_col, last, spot.max_col)
    for i, row in enumerate(grid.rows):
        for j, value in enumerate(row):
            if not is_blank(value):
                cell = f"{get_column_letter(spot.min_col + j)}{first + i}"
                raise SheetError([CellProblem(
                    lt.title, cell, f"holds {str(value)[:40]!r}, below the Leads table, where the {n:,} new "
                                    f"leads go (rows {first:,}–{last:,}); move or clear it, then import again",
                    value)])


def _keep_maps(book, sheet, maps: dict, raw_maps) -> bool:
    """Keep --map mappings in the Import map block (False when the book has none)."""
    spot = next((t for t in book.tables(MODEL_SHEET) if t.name.casefold() == "tblimportmap"), None)
    if spot is None or not maps:
        return spot is not None
    block = sheet.blocks["imports"]
    rows = {text_key(block.get(values, "theirs")): r for r, values in block.rows}
    ours_col, theirs_col = block.columns["ours"], block.columns["theirs"]
    new = []
    for item in raw_maps:
        theirs, _, ours = str(item).partition("=")
        r = rows.get(text_key(theirs))
        if r is not None:
            book.write_cells(spot, {(r, ours_col): ours.strip()})
        else:
            new.append((theirs.strip(), ours.strip()))
    if new:
        headers = [block.headers[c - block.min_col] for c in (theirs_col, ours_col)]
        book.append_table_rows(MODEL_SHEET, spot.name, headers, new)
    return True


def import_events(path, source, maps=(), out=None, as_of: dt.datetime | None = None,
                  steps=("rescore",)) -> Report:
    """Append the events of an activity export (CSV or workbook) to the workbook's Events sheet (made
    when missing), then rescore; saved to out when given, else in place. The same event (lead, time,
    type, detail) is not appended twice. Nothing is written if anything is wrong.
    Report.imported says what happened: rows, added, duplicates, skipped (line, reason), columns used
    and ignored."""
    _check_steps(steps)
    wanted = parse_maps(maps)
    with run_lock(path), open_book(path) as book:
        incoming = read_incoming(source)
        sheet, _, _, _ = read_checked(book)
        events = EventsSheet(book, sheet.model.settings.language)
        counts = events.add(incoming, wanted)
        report = run_book(book, as_of, steps, events=events)
        report.imported = {**counts, "events": True}
        report.lost = book.save(out)
    return report


def import_leads(path, source, key: str | None = None, maps=(), out=None, as_of: dt.datetime | None = None,
                 steps=("rescore",)) -> Report:
    """Bring the leads of an export (CSV or workbook) into the workbook's Leads table, then rescore;
    saved to out when given, else in place. Nothing is written if anything is wrong.
    Report.imported says what happened: added, updated, unchanged, skipped (line, reason),
    new and ignored columns."""
    _check_steps(steps)
    wanted = parse_maps(maps)
    with run_lock(path), open_book(path) as book:
        incoming = read_incoming(source)
        sheet, lt, _, _ = read_checked(book)
        columns = plan_columns(incoming, lt.headers, wanted, sheet.import_map)
        key_column = lead_key_column(lt.headers, key, columns.targets)
        if key and key_column is None:
            raise bad_key(key, lt.headers)
        if key_column is None or text_key(key_column) not in {text_key(t) for t in columns.targets if t}:
            key_column = None  # Without a key in both, every lead of the export is a new one.
        counts = _merge(book, lt, incoming, columns, key_column)
        kept = _keep_maps(book, sheet, wanted, maps)
        report = run_book(book, as_of, steps)
        report.imported = {**counts, "new_columns": columns.new, "ignored": columns.ignored,
                           "key": key_column, "source": incoming.source, "rows": len(incoming.lines),
                           "maps_kept": kept and bool(wanted)}
        report.lost = book.save(out)
    return report

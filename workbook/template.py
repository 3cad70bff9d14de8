"""Building a new Lead Score workbook from scratch with XlsxWriter.

The workbook has a Leads sheet (an Excel Table of inputs and outputs), the
LeadScore sheet (the model as labelled Tables with dropdowns and defined
names) and a short guide. Lead text is always written as text, never as a
formula.
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from scoring import OPERATORS, Model, default_model, evaluate_leads, score
from scoring.defaults import ENROLMENT_COLUMNS, HEADERS, LEAD_COLUMNS, OUTPUT_COLUMNS, header, holiday_name
from scoring.model import (CHANNEL_WORDS, CHANNELS, DECIMAL_CHOICES, DUPLICATE_WORDS, GROUP_MODES, KEEP_WORDS,
                           KIND_WORDS, LANGUAGES, MODE_WORDS, OPERATOR_WORDS, RULE_KINDS, YES_NO_WORDS)

from .guide import add_guide, guide_first, write_guide
from .layout import (BLOCK, BLOCKS, HEADER_ROW, MODEL_NAME, model_area, LEADS_SHEET, LEADS_TABLE, LISTS_COLUMN,
                     MODEL_SHEET, SETTINGS)
from .leads import LAST_COLUMNS, output_values

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
VALIDATION_ROWS = 200  # Dropdowns reach this many rows below a block's last row.
GRADE_COLOURS = {"A": "#63BE7B", "B": "#C6EFCE", "C": "#FFEB9C", "D": "#E7E6E6"}
STATUS_COLOURS = {"SQL": "#F8696B", "MQL": "#FFC000"}
def _cell_value(value):
    """A pandas/numpy value as XlsxWriter should see it; None for blanks."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def _write(ws, row, col, value, fmt=None, date_fmt=None):
    """Write one value by its type; text is always text, even '=1+1'."""
    value = _cell_value(value)
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, (dt.datetime, dt.date)):
        ws.write_datetime(row, col, value, date_fmt or fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _shown(value):
    """A model value as its cell holds it: lists joined by ';', empty text as a blank cell."""
    if isinstance(value, tuple):
        value = ";".join(value)
    return None if value == "" else value


# Settings holding fixed words, and those words per language (written in the book's language).
SETTING_WORDS = {"junk_kinds": KIND_WORDS, "duplicate_keys": DUPLICATE_WORDS, "keep": KEEP_WORDS,
                 "merge_behaviour": YES_NO_WORDS}


def _setting_words(key: str, value, language: str):
    """A setting of fixed words in the book's language ('yes' -> 'sì')."""
    if key not in SETTING_WORDS:
        return value
    words = dict(zip(SETTING_WORDS[key]["en"], SETTING_WORDS[key][language]))
    if isinstance(value, tuple):
        return tuple(words.get(v, v) for v in value)
    return words.get(value, value)


MODEL_WIDTH_CAP = 60  # Longer notes run on into the empty column beside their block.


def _is_big(value) -> bool:
    """A whole number that reads better with thousands separators (1,000,000)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 10_000 \
        and float(value).is_integer()


def _shown_text(value) -> str:
    """A value as a cell shows it, for sizing its column."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return "2026-01-01"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


WIDTH_SAMPLE = 2000  # Leads looked at for a column's width.
LOOKS_MARGIN = 30  # Columns right of the table that the grade and status colours also cover.
MAX_ROWS = 1_048_576


def _most(texts: list[str]) -> list[str]:
    """The shorter nine tenths of texts: a column fits most of its values, not its one longest."""
    if len(texts) < 10:
        return texts
    return sorted(texts, key=len)[: -(len(texts) // 10) or None]


def fitted_width(texts, least: float = 8, most: float = 60) -> float:
    """A column width (Excel's units, about one digit each) for the longest of texts, within [least, most]."""
    longest = max((len(t) for t in texts), default=0)
    return float(min(max(least, longest * 1.1 + 2), most))


def _block_rows(model: Model, block, language: str) -> list[list]:
    """A block's rows, field by field as layout.py declares them (the model attribute of each field)."""
    if block.key == "roles":
        return [[role, level] for role, level in model.roles.items()]
    if block.key == "matrix":
        return [[grade, *actions] for grade, actions in model.matrix.items()]
    if block.key == "holidays":
        return [[day, (holiday_name(day) or None) if language == "it" else None] for day in model.holidays]
    if block.key == "imports":
        return []
    if block.key == "settings":
        return [[en if language == "en" else it, _shown(_setting_words(key, getattr(model.settings, key), language)),
                 note_en if language == "en" else note_it] for key, en, it, note_en, note_it in SETTINGS]
    rows = [[_shown(getattr(record, f.attribute)) for f in block.fields] for record in getattr(model, block.attribute)]
    for key, options, spelt in (("operator", OPERATORS, OPERATOR_WORDS), ("channel", CHANNELS, CHANNEL_WORDS)):
        if key in [f.key for f in block.fields]:  # Fixed words in the book's language ('in' -> 'uno di').
            at = [f.key for f in block.fields].index(key)
            words = dict(zip(options, spelt[language]))
            for row in rows:
                row[at] = words.get(row[at], row[at])
    if block.key == "behaviour":  # A rule's kind in the book's language ('count' -> 'conteggio').
        at = [f.key for f in block.fields].index("kind")
        words = dict(zip(RULE_KINDS, KIND_WORDS[language]))
        for row in rows:
            row[at] = words.get(row[at] or "count", row[at])
    if block.key == "groups":  # A group's mode in the book's language ('max' -> 'massimo').
        at = [f.key for f in block.fields].index("mode")
        words = dict(zip(GROUP_MODES, MODE_WORDS[language]))
        for row in rows:
            row[at] = words.get(row[at] or "sum", row[at])
    return rows


def _block_headers(model: Model, block, language: str) -> list[str]:
    headers = [f.label(language) for f in block.fields]
    if block.key == "matrix":
        headers += [b.label for b in model.score_bands]
    return headers


LIST_TITLES = {"operators": ("Operators", "Operatori"), "columns": ("Lead columns", "Colonne lead"),
               "decimal": ("Decimal separators", "Separatori decimali"), "languages": ("Languages", "Lingue"),
               "channels": ("Channels", "Canali"), "kinds": ("Rule kinds", "Tipi di regola"),
               "modes": ("Group modes", "Modi dei gruppi")}


def _write_lists(ws, formats, lead_headers: list[str], language: str) -> dict:
    """Dropdown sources beside the blocks; returns list name -> absolute range."""
    lists = {
        "operators": list(OPERATOR_WORDS[language]),
        "columns": lead_headers,
        "decimal": list(DECIMAL_CHOICES),
        "languages": list(LANGUAGES),
        "channels": list(CHANNEL_WORDS[language]),
        "kinds": list(KIND_WORDS[language]),
        "modes": list(MODE_WORDS[language]),
    }
    titles = {"en": "Lists (for dropdowns)", "it": "Elenchi (per i menu a tendina)"}
    ws.write_string(HEADER_ROW - 2, LISTS_COLUMN - 1, titles[language], formats["title"])
    ranges = {}
    for i, (name, items) in enumerate(lists.items()):
        col = LISTS_COLUMN - 1 + i
        ws.write_string(HEADER_ROW - 1, col, LIST_TITLES[name][language != "en"], formats["header"])
        for j, item in enumerate(items):
            ws.write_string(HEADER_ROW + j, col, item)
        first = xl_rowcol_to_cell(HEADER_ROW, col, row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(HEADER_ROW + len(items) - 1, col, row_abs=True, col_abs=True)
        ranges[name] = f"={first}:{last}"
        ws.set_column(col, col, 18, None, {"hidden": True})  # Out of the way; the dropdowns still read them.
    return ranges


INDEX_TITLE = {"en": "Tables on this sheet", "it": "Tabelle del foglio"}


def _write_index(ws, formats, language: str) -> None:
    """Column A (frozen): a link to each block's title, so that no table is lost across the sheet."""
    ws.write_string(HEADER_ROW - 1, 0, INDEX_TITLE[language], formats["header"])
    for i, block in enumerate(BLOCKS):
        name = block.title(language).split(" (")[0].split(":")[0]
        target = xl_rowcol_to_cell(HEADER_ROW - 2, block.first_column - 1)
        ws.write_url(HEADER_ROW + i, 0, f"internal:'{MODEL_SHEET}'!{target}", formats["link"], name)
    ws.set_column(0, 0, 24)


def _write_model_sheet(wb, formats, model: Model, language: str, lead_headers: list[str]) -> None:
    ws = wb.add_worksheet(MODEL_SHEET)
    ws.write_string(0, 1, {"en": "Lead Score model — edit the values in the tables, then rescore",
                           "it": "Modello Lead Score — modifica i valori nelle tabelle, poi ricalcola"}[language],
                    formats["heading"])
    lists = _write_lists(ws, formats, lead_headers, language)
    _write_index(ws, formats, language)
    for block in BLOCKS:
        headers = _block_headers(model, block, language)
        rows = _block_rows(model, block, language)
        first_col = block.first_column - 1
        last_col = first_col + len(headers) - 1
        header_row = HEADER_ROW - 1
        last_row = header_row + max(len(rows), 1)
        ws.write_string(header_row - 1, first_col, block.title(language), formats["title"])
        ws.add_table(header_row, first_col, last_row, last_col, {
            "name": block.table, "style": "Table Style Light 9", "autofilter": False,
            "columns": [{"header": h} for h in headers]})
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                _write(ws, header_row + 1 + i, first_col + j, value,
                       formats["input_big"] if _is_big(value) else formats["input"], formats["date"])
        for j, h in enumerate(headers):  # Wide enough for the header and the values, within reason.
            texts = [h] + [_shown_text(row[j]) for row in rows]
            ws.set_column(first_col + j, first_col + j, fitted_width(texts, block.width, MODEL_WIDTH_CAP))
        top = xl_rowcol_to_cell(header_row, first_col, row_abs=True, col_abs=True)
        bottom = xl_rowcol_to_cell(last_row, last_col, row_abs=True, col_abs=True)
        wb.define_name(block.name, f"='{MODEL_SHEET}'!{top}:{bottom}")
        below = last_row + VALIDATION_ROWS
        if block.key in ("fit", "behaviour"):
            col_field = [f.key for f in block.fields].index("column")
            ws.data_validation(header_row + 1, first_col + col_field, below, first_col + col_field, {
                "validate": "list", "source": lists["columns"], "ignore_blank": True,
                "error_type": "warning",
                "error_message": {"en": "Not a column of the Leads table.",
                                  "it": "Non è una colonna della tabella Leads."}[language]})
        if block.key in ("fit", "behaviour"):
            at = first_col + [f.key for f in block.fields].index("operator")
            ws.data_validation(header_row + 1, at, below, at, {
                "validate": "list", "source": lists["operators"], "ignore_blank": True,
                "error_message": ", ".join(OPERATOR_WORDS[language])})
        if block.key == "behaviour":
            at = first_col + [f.key for f in block.fields].index("kind")
            ws.data_validation(header_row + 1, at, below, at, {
                "validate": "list", "source": lists["kinds"], "ignore_blank": True,
                "error_message": ", ".join(KIND_WORDS[language])})
        if block.key in ("fit", "behaviour", "events"):  # A rule's group: one of the Groups table's names.
            at = first_col + [f.key for f in block.fields].index("group")
            groups = BLOCK["groups"]
            names = xl_col_to_name(groups.first_column - 1)
            ws.data_validation(header_row + 1, at, below, at, {
                "validate": "list", "source": f"=${names}${HEADER_ROW + 1}:${names}${HEADER_ROW + VALIDATION_ROWS}",
                "ignore_blank": True, "error_type": "warning",
                "error_message": {"en": "Not a group of the Groups table.",
                                  "it": "Non è un gruppo della tabella Gruppi di regole."}[language]})
        if block.key == "groups":
            at = first_col + [f.key for f in block.fields].index("mode")
            ws.data_validation(header_row + 1, at, below, at, {
                "validate": "list", "source": lists["modes"], "ignore_blank": True,
                "error_message": ", ".join(MODE_WORDS[language])})
        if block.key == "sequences":
            ws.data_validation(header_row + 1, first_col + 3, below, first_col + 3, {
                "validate": "list", "source": lists["channels"], "error_message": ", ".join(CHANNEL_WORDS[language])})
        if block.key == "settings":
            keys = [key for key, *_ in SETTINGS]
            for key, source in (("decimal", "decimal"), ("language", "languages")):
                r = header_row + 1 + keys.index(key)
                ws.data_validation(r, first_col + 1, r, first_col + 1,
                                   {"validate": "list", "source": lists[source]})
    wb.define_name(MODEL_NAME, "=" + model_area())  # All blocks, for the in-cell functions.
    ws.freeze_panes(HEADER_ROW, 1)  # Titles, headers and the index stay in view.


def _leads_formats(wb, language: str) -> dict:
    return {
        "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
        "stamp": wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "money": wb.add_format({"num_format": "#,##0"}),
        "out_header": wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "border_color": "#BFBFBF"}),
        "in_header": wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "border": 1,
                                    "border_color": "#BFBFBF"}),
    }


UDF_OUTPUTS = {"fit": "LEADFIT", "grade": "LEADGRADE", "behaviour": "LEADBEHAVIOUR", "score": "LEADSCORE",
               "rating": "LEADRATING", "status": "LEADSTATUS", "action": "LEADACTION",
               "reasons": "LEADREASONS", "problems": "LEADPROBLEMS"}


def udf_formula(function: str, inputs: list[str]) -> str:
    """=LEADGRADE(this row's input cells, the input headers, LeadScoreModel), structured references."""
    span = f"[{_escape(inputs[0])}]:[{_escape(inputs[-1])}]"
    return f"={function}({LEADS_TABLE}[@{span}],{LEADS_TABLE}[[#Headers],{span}],{MODEL_NAME})"


def _escape(name: str) -> str:
    """A column name inside a structured reference: ' # [ ] @ are escaped with an apostrophe."""
    return "".join("'" + ch if ch in "'#[]@" else ch for ch in name)


def _write_leads_sheet(wb, formats, leads: pd.DataFrame, outputs: pd.DataFrame | None,
                       language: str, profile: str, model: Model, formulas: str = "values",
                       native=None) -> None:
    ws = wb.add_worksheet(LEADS_SHEET)
    if native:
        native.prepare(ws)
    lf = _leads_formats(wb, language)
    inputs = list(leads.columns)
    out_headers = [header(m, language) for m in OUTPUT_COLUMNS + ENROLMENT_COLUMNS]
    last_headers = list(LAST_COLUMNS.values()) if formulas != "values" else []
    headers = inputs + out_headers + (native.helper_headers if native else []) + last_headers
    assert not native or headers[:len(native.headers)] == native.headers
    n = len(leads)
    last_row = max(n, 1)
    udf = {header(m, language): f for m, f in UDF_OUTPUTS.items()} if formulas == "udf" else {}
    columns = []
    for h in headers:
        column = {"header": h}
        column["header_format"] = lf["out_header"] if h in out_headers else lf["in_header"]
        if h in udf:
            column["formula"] = udf_formula(udf[h], inputs)
        columns.append(column)
    ws.add_table(0, 0, last_row, len(headers) - 1, {
        "name": LEADS_TABLE, "style": "Table Style Medium 2", "columns": columns})
    if native:
        native.table_formulas(ws, headers)
    col_format = {header("revenue", language): lf["money"], header("created", language): lf["date"],
                  header("scored_at", language): lf["stamp"], header("sequence_start", language): lf["date"]}
    values = leads.astype(object).to_numpy()
    out_values = output_values(outputs, language) if outputs is not None else None
    engine = {}
    if native and native.engine and n:  # What formulas cannot check: the engine's values.
        from .formulas import engine_values

        engine = engine_values(evaluate_leads(leads, model), native.engine)
    for i in range(n):
        for j, h in enumerate(inputs):
            _write(ws, i + 1, j, values[i, j], date_fmt=col_format.get(h))
        if native:  # Formulas, with the engine's results cached for readers that don't calculate.
            native.write_cells(ws, i + 1, headers, {h: v[i] for h, v in (out_values or {}).items()},
                               first=i == 0)
        elif out_values is not None:
            for j, h in enumerate(out_headers):
                if h not in udf:
                    _write(ws, i + 1, len(inputs) + j, out_values[h][i], date_fmt=col_format.get(h))
        for h, column in engine.items():
            _write(ws, i + 1, headers.index(h), column[i])
        if last_headers and outputs is not None:  # What this build scored, for the first rescore's History.
            for meaning, h in LAST_COLUMNS.items():
                _write(ws, i + 1, headers.index(h), outputs[meaning.removeprefix("last_")].iat[i])
    if native and n == 0:
        native.write_cells(ws, 1, headers)
    caps = {header("reasons", language): 120, header("problems", language): 70}
    shown = {h: [h] + [_shown_text(v) for v in column[:WIDTH_SAMPLE]]
             for h, column in zip(inputs, values[:WIDTH_SAMPLE].T)} if n else {}
    for h, column in (out_values or {}).items():
        shown[h] = [h] + [_shown_text(v) for v in list(column)[:WIDTH_SAMPLE]]
    least = {header("reasons", language): 60, header("problems", language): 30, header("email", language): 26,
             header("company", language): 20, header("name", language): 18, header("scored_at", language): 16,
             header("action", language): 16}
    for j, h in enumerate(headers):  # The header (bold, with its filter button) and most values fit.
        texts = [t for t in shown.get(h, [h]) if t]
        width = max(fitted_width([h], 8, 40) + 2, fitted_width(_most(texts[1:]), least.get(h, 8), caps.get(h, 40)))
        ws.set_column(j, j, width, col_format.get(h))
    if native:
        native.hide_columns(ws, headers)
    for h in last_headers:
        ws.set_column(headers.index(h), headers.index(h), 10, None, {"hidden": True})
    ws.freeze_panes(1, 2)
    # Grade and status colours go by the header above each cell, over every row and beyond the last
    # column: they follow the columns wherever they are moved, and the table however long it grows.
    area = f"A2:{xl_col_to_name(len(headers) - 1 + LOOKS_MARGIN)}{MAX_ROWS}"
    for meaning, colours, bold in (("grade", GRADE_COLOURS, False), ("status", STATUS_COLOURS, True)):
        named = ",".join(f'A$1="{name}"' for name in dict.fromkeys(HEADERS[meaning]))  # Either language.
        for value, colour in colours.items():
            ws.conditional_format(area, {
                "type": "formula", "criteria": f'=AND(OR({named}),A2="{value}")',
                "format": wb.add_format({"bg_color": colour, "bold": bold})})
    stage_col = headers.index(header("stage", language))
    ws.data_validation(1, stage_col, MAX_ROWS - 1, stage_col, {
        "validate": "list", "source": ["Lead", "MQL", "SQL", *model.settings.sales_stages],
        "error_type": "warning"})
    ws.activate()


def build(path, model: Model, leads: pd.DataFrame, outputs: pd.DataFrame | None,
          language: str, profile: str, buttons=(), formulas: str = "values", finish=None) -> None:
    """Write a whole new workbook to path (XlsxWriter; path must be a new file or a temp).

    formulas: "values" (outputs are values a rescore writes), "udf" (outputs are
    in-cell function calls, LEADGRADE and the like, that the xlwings add-in computes) or
    "native" (Fit … Action are plain Excel formulas, workbook/formulas.py; no add-in needed).
    finish: called as finish(wb, language) just before the workbook is closed, to add
    more (the Rescore button workbook adds its VBA project, buttons and settings sheet).
    """
    if formulas not in FORMULAS:
        raise ValueError(f"formulas {formulas!r}: choose one of {', '.join(FORMULAS)}")
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    formats = {
        "heading": wb.add_format({"bold": True, "font_size": 14}),
        "title": wb.add_format({"bold": True, "font_color": "#1F4E79"}),
        "header": wb.add_format({"bold": True, "bg_color": "#D9D9D9"}),
        "link": wb.add_format({"font_color": "#0563C1", "underline": 1}),
        "input": wb.add_format({"font_color": "#1F4E79"}),
        "input_big": wb.add_format({"font_color": "#1F4E79", "num_format": "#,##0"}),
        "date": wb.add_format({"font_color": "#1F4E79", "num_format": "yyyy-mm-dd"}),
    }
    lead_headers = list(leads.columns)
    if model.settings.role_level_column not in lead_headers:
        lead_headers.append(model.settings.role_level_column)
    native = None
    if formulas == "native":
        from .formulas import for_template

        native = for_template(model, list(leads.columns), language)
    _write_leads_sheet(wb, formats, leads, outputs, language, profile, model, formulas, native)
    _write_model_sheet(wb, formats, model, language, lead_headers)
    write_guide(wb, add_guide(wb, language), language, buttons)
    if native is not None:
        native.write(wb)
    if finish is not None:
        finish(wb, language)
    wb.close()
    if native is not None:  # Each formula column stored once (workbook/shared_formulas.py).
        native.share(path, LEADS_SHEET, native.headers, 1, 2, max(len(leads), 1) + 1)
    guide_first(path, language)  # The guide is the first tab; Leads keeps its part (sheet1.xml).


FORMULAS = ("values", "udf", "native")


def new_workbook(path, language: str = "en", profile: str = "b2b", sample: int = 0,
                 seed: int = 0, as_of: dt.datetime | None = None, formulas: str = "values",
                 finish=None) -> pd.DataFrame:
    """Build a template with the default model and `sample` scored sample leads.

    Returns the scored outputs (empty when sample is 0).
    """
    model = default_model(profile, language, hygiene=True)
    columns = [header(m, language) for m in LEAD_COLUMNS[profile]]
    if sample:
        from scoring.sample import sample_leads  # Only templates with samples need it.

        leads = sample_leads(sample, seed=seed, profile=profile, language=language)
    else:
        leads = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    outputs = score(leads, model) if sample else None
    if outputs is not None:
        outputs["scored_at"] = as_of or dt.datetime.now().replace(microsecond=0)
    build(path, model, leads, outputs, language, profile, formulas=formulas, finish=finish)
    return outputs if outputs is not None else pd.DataFrame()

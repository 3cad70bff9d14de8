"""The Report sheet laid out as data: its cells with their style keys, column widths and chart.

`report_layout(funnel, language, as_of, new_sql)` gives a ReportLayout that both Report writers
turn into a sheet: workbook/xlsx/report_xml.py as package parts (the command line), and
workbook/report_sheet.py with openpyxl (files through openpyxl, live Excel and xlwings Lite).
Nothing here writes a file, and nothing needs the package layer, so xlwings Lite's bundle
carries it.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

from .report_words import DAYS, KPIS, LABELS, NONE, outcome_blocks
from .sheets import cell_text

HEADER_FILL = "DDEBF7"
# Heat-map shades, darkest first: cell k of the heat map gets SHADES[k] (priority 1 first, or the
# highest conversion first); a cell that matters least has no fill.
SHADES = ("63BE7B", "A9D08E", "D8EDD0", "F0F7EC")
# The Report's formats by key: number format, bold, font size, fill (RGB) and horizontal alignment.
STYLES = {
    "title": {"bold": True, "size": 16},
    "section": {"bold": True, "size": 12},
    "bold": {"bold": True},
    "header": {"bold": True, "fill": HEADER_FILL},
    "dash": {"horizontal": "right"},
    "int": {"num_format": "0"},
    "percent": {"num_format": "0.0%"},
    "days": {"num_format": "0.0"},
    "date": {"num_format": "yyyy-mm-dd"},
    **{f"shade{k}": {"num_format": "0", "fill": colour} for k, colour in enumerate(SHADES, start=1)},
}


class SheetCell(NamedTuple):
    """A cell of a generated sheet: 1-based row and column, value, key of its style (or None)."""

    row: int
    col: int
    value: object
    style: str | None = None


@dataclass
class Bars:
    """A column chart of one series read from the sheet: its cells as references and their values."""

    categories_ref: str
    categories: Sequence[str]
    values_ref: str
    values: Sequence[float | None]
    name_ref: str | None = None
    name: str | None = None
    title: str | None = None
    x_title: str | None = None
    y_title: str | None = None


@dataclass
class ReportLayout:
    cells: list
    widths: dict  # column -> width
    color_scales: list = field(default_factory=list)
    chart: object = None  # Bars here; the package writer's chart.BarChart once it is turned into parts.
    chart_anchor: tuple = (4, 8)  # (row, col) of the chart's top-left cell
    merged: list = field(default_factory=list)
    sheet_name: str = "Report"


def column_letters(col: int) -> str:
    """1 -> 'A', 28 -> 'AB'."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_range(sheet: str, first_row: int, col: int, last_row: int | None = None) -> str:
    """A formula reference to cells of one column: 'Report'!$B$14 or 'Report'!$A$15:$A$17."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    top = f"${column_letters(col)}${first_row}"
    if last_row is None or last_row == first_row:
        return f"{quoted}!{top}"
    return f"{quoted}!{top}:${column_letters(col)}${last_row}"


def _plain(value):
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalars -> Python numbers
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _shade_keys(funnel) -> tuple[pd.DataFrame | None, str]:
    """Per heat cell, the style key of its count, and which note explains the shading: by conversion
    where outcomes are known, else by the priority of the cell's action."""
    heat = funnel.heat
    rates = funnel.heat_conversion
    if rates is not None and np.isfinite(rates.to_numpy(dtype=float)).any():
        values = rates.to_numpy(dtype=float)
        top = np.nanmax(values)
        level = np.where(np.isfinite(values) & (values > 0), np.ceil((1 - values / top) * 4 + 1e-9), 0)
        level = np.clip(level, 0, len(SHADES)).astype(int)
        level[np.isfinite(values) & (values > 0) & (level == 0)] = 1
        note = "shade_conversion"
    elif funnel.heat_priority is not None:
        priority = funnel.heat_priority.to_numpy(dtype=float)
        level = np.where(np.isfinite(priority) & (priority <= len(SHADES)), priority, 0).astype(int)
        note = "shade_priority"
    else:
        return None, ""
    keys = np.where(level > 0, np.char.add("shade", np.maximum(level, 1).astype(str)), "int")
    return pd.DataFrame(keys, index=heat.index, columns=heat.columns), note


BAR = "\u2588"  # A funnel step's bar: one block per 5 % of all leads, at least one for a step reached.


def report_layout(funnel, language: str, as_of=None, new_sql=None, sheet_name: str = "Report") -> ReportLayout:
    """The Report for a scoring.report.Funnel, block by block, as data: both writers lay it out
    (xlsx/report_xml.py as package parts, report_sheet.py with openpyxl)."""
    lang = 0 if language == "en" else 1

    def label(key):
        return LABELS[key][lang]

    cells: list[SheetCell] = []

    def put(row, col, value, style=None, bold=False):
        value = _plain(value)
        if value is None:
            value = NONE
        if isinstance(value, str):
            value = cell_text(value)
            key = "dash" if value == NONE and not bold else ("bold" if bold else style if style else None)
            if style in ("section", "header") and value != NONE:
                key = style
        else:
            key = style
        cells.append(SheetCell(row, col, value, key))

    def header(row, labels):
        for c, text in enumerate(labels, start=1):
            cells.append(SheetCell(row, c, cell_text(text), "header"))

    if as_of is None:
        as_of = funnel.as_of or dt.date.today()
    day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    customer = funnel.customer_stage or ""
    cells.append(SheetCell(1, 1, cell_text(label("title").format(date=day.strftime("%Y-%m-%d"))), "title"))
    put(2, 1, label("as_of"))
    cells.append(SheetCell(2, 2, day, "date"))

    heat = funnel.heat
    shades, shade_note = _shade_keys(funnel)
    row = 4
    put(row, 1, label("heat"), "section")
    row += 1
    header(row, [label("grade"), *map(str, heat.columns), label("total")])
    for grade, counts in heat.iterrows():
        row += 1
        put(row, 1, str(grade), bold=True)
        for c, (band, value) in enumerate(counts.items(), start=2):
            put(row, c, int(value), "int" if shades is None else shades.at[grade, band])
        put(row, len(heat.columns) + 2, int(counts.sum()), "int")
    row += 1
    put(row, 1, label("total"), bold=True)
    for c, value in enumerate(heat.sum(axis=0).tolist(), start=2):
        put(row, c, int(value), "int")
    put(row, len(heat.columns) + 2, int(funnel.leads), "int")
    if shade_note:
        row += 1
        put(row, 1, label(shade_note))
    heat_cols = len(heat.columns) + 2

    row += 2
    put(row, 1, label("by_status"), "section")
    row += 1
    status_header = row
    header(row, [label("status"), label("leads_col"), label("share")])
    default_status = next(iter(funnel.status_counts), "")
    categories, values, chart_first = [], [], None
    for status, count in funnel.status_counts.items():
        row += 1
        put(row, 1, str(status))
        put(row, 2, int(count), "int")
        put(row, 3, funnel.status_shares.get(status), "percent")
        if status != default_status:  # The chart leaves out the default status, which dwarfs the rest.
            chart_first = chart_first or row
            categories.append(cell_text(str(status)))
            values.append(int(count))
    status_last = row
    row += 1
    put(row, 1, label("total"), bold=True)
    put(row, 2, int(funnel.leads), "int")

    row += 2
    put(row, 1, label("funnel"), "section")
    row += 1
    header(row, [label("step"), label("reached"), label("share_all"), label("from_before")])
    previous = None
    for step, reached in funnel.reached():
        row += 1
        put(row, 1, str(step))
        put(row, 2, int(reached), "int")
        share = reached / funnel.leads if funnel.leads else None
        put(row, 3, share, "percent")
        put(row, 4, None if previous is None else (reached / previous if previous else None), "percent")
        if share:
            cells.append(SheetCell(row, 5, BAR * max(1, round(share * 20)), None))
        previous = reached
    row += 1
    put(row, 1, label("funnel_note").format(first=default_status))

    row += 2
    put(row, 1, label("kpis"), "section")
    row += 1
    header(row, [label("kpi"), label("value"), label("based_on"), label("how")])
    based_on = {"leads": None, "pct_mql": funnel.leads, "pct_sql": funnel.leads,
                "mql_to_sql": funnel.ever_mql,
                "lead_to_customer": funnel.leads if funnel.lead_to_customer is not None else None,
                "median_days_to_sql": funnel.days_to_sql_leads,
                "median_days_to_customer": funnel.days_to_customer_leads}
    formats = {"leads": "int", "median_days_to_sql": "days", "median_days_to_customer": "days"}
    assert DAYS == STYLES["days"]["num_format"]
    for key, texts in KPIS.items():
        row += 1
        put(row, 1, texts[lang])
        put(row, 2, getattr(funnel, key), formats.get(key, "percent"))
        if based_on[key] is not None:
            put(row, 3, int(based_on[key]), "int")
        put(row, 4, texts[2 + lang].format(customer=customer))

    row += 2
    put(row, 1, label("conversion"), "section")
    row += 1
    header(row, [label("band"), label("leads_col"), label("customers"), label("rate")])
    for band, line in funnel.conversion_by_band.iterrows():
        row += 1
        put(row, 1, str(band))
        put(row, 2, int(line["leads"]), "int")
        put(row, 3, None if line["customers"] is None else int(line["customers"]), "int")
        put(row, 4, line["rate"], "percent")

    for i, (title, headers, lines) in enumerate(outcome_blocks(funnel, language)):
        row += 2
        put(row, 1, title, bold=True if i == 0 else False, style=None if i == 0 else "section")
        if headers:
            row += 1
            header(row, headers)
        for line in lines:
            row += 1
            for c, (value, fmt) in enumerate(line, start=1):
                put(row, c, value, fmt)

    if new_sql is not None:
        row += 2
        put(row, 1, label("new_sql").format(n=len(new_sql)), "section")
        row += 1
        header(row, [label("lead"), label("rating")])
        for who, rating in new_sql:
            row += 1
            put(row, 1, str(who))
            put(row, 2, str(rating))

    first = chart_first or status_header + 1
    chart = Bars(
        categories_ref=sheet_range(sheet_name, first, 1, status_last),
        categories=categories,
        values_ref=sheet_range(sheet_name, first, 2, status_last),
        values=values,
        name_ref=sheet_range(sheet_name, status_header, 2),
        name=cell_text(label("leads_col")),
        title=label("chart").format(status=default_status, n=funnel.status_counts.get(default_status, 0)),
        x_title=label("status"), y_title=label("leads_col")) if categories else None
    widths = {1: 36, **{c: 19 for c in range(2, max(heat_cols, 4) + 1)}, 5: 22}
    return ReportLayout(cells, widths, [], chart, (4, max(heat_cols, 5) + 2), sheet_name=sheet_name)

"""The Report sheet (DESIGN §5): funnel figures, a heat map and a chart, written with openpyxl.

write_report(wb, funnel, language, as_of) adds the sheet 'Report' (same name in
Italian), or replaces it at the same position. Every figure is a plain value (no
formulas), so the sheet shows the same numbers in Excel, LibreOffice and pandas;
text is always stored as text, even when it starts with '='.
"""
from __future__ import annotations

import datetime as dt

from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .sheets import cell_text

REPORT_SHEET = "Report"
PERCENT = "0.0%"
DAYS = "0.0"
NONE = "\u2014"  # Shown where a figure cannot be computed.

LABELS = {
    "title": ("Lead funnel report \u2013 {date}", "Report del funnel dei lead \u2013 {date}"),
    "as_of": ("As of", "Dati al"),
    "heat": ("Leads by grade \u00d7 score band", "Lead per grado \u00d7 fascia di punteggio"),
    "grade": ("Grade", "Grado"),
    "total": ("Total", "Totale"),
    "by_status": ("Leads by status", "Lead per stato"),
    "status": ("Status", "Stato"),
    "leads_col": ("Leads", "Lead"),
    "share": ("Share", "Quota"),
    "kpis": ("Key figures", "Indicatori chiave"),
    "kpi": ("Figure", "Indicatore"),
    "value": ("Value", "Valore"),
    "based_on": ("Based on (leads)", "Base (lead)"),
    "how": ("How it is computed", "Come si calcola"),
    "conversion": ("Conversion by score band", "Conversione per fascia di punteggio"),
    "band": ("Score band", "Fascia di punteggio"),
    "customers": ("Customers", "Clienti"),
    "rate": ("Conversion rate", "Tasso di conversione"),
    "chart": ("Leads by status", "Lead per stato"),
    "new_sql": ("New SQLs since the previous run ({n})", "Nuovi SQL dall'ultimo calcolo ({n})"),
    "lead": ("Lead", "Lead"),
    "rating": ("Rating", "Rating"),
    "outcomes": ("Outcomes (column {column}): {known} of {leads} leads with a known outcome, {won} won; "
                 "{unreadable} unreadable cells count as unknown; Status {customer} counts as won; "
                 "conversion = won \u00f7 known",
                 "Esiti (colonna {column}): {known} lead su {leads} con esito noto, {won} vinti; "
                 "{unreadable} celle illeggibili contano come non note; lo Stato {customer} conta come vinto; "
                 "conversione = vinti \u00f7 noti"),
    "by_grade_outcome": ("Conversion by grade", "Conversione per grado"),
    "by_status_outcome": ("Conversion by status", "Conversione per stato"),
    "by_band_outcome": ("Conversion by score band (outcomes)", "Conversione per fascia di punteggio (esiti)"),
    "by_decile": ("Conversion by score decile (1 = highest scores)",
                  "Conversione per decile di punteggio (1 = punteggi più alti)"),
    "decile": ("Decile", "Decile"),
    "max_score": ("Highest score", "Punteggio più alto"),
    "min_score": ("Lowest score", "Punteggio più basso"),
    "known": ("Known outcome", "Esito noto"),
    "won": ("Won", "Vinti"),
    "capture": ("Leads passed to sales vs conversions captured",
                "Lead passati alle vendite e conversioni catturate"),
    "passed": ("Passed to sales", "Passati alle vendite"),
    "share_leads": ("Share of leads", "Quota dei lead"),
    "share_won": ("Share of conversions captured", "Quota delle conversioni catturate"),
    "status_passed": ("Status {statuses}", "Stato {statuses}"),
    "or": (" or ", " o "),
    "top_deciles": ("Top {k}0% by score", "Primo {k}0% per punteggio"),
}

# KPI key -> (English label, Italian label, English definition, Italian definition).
KPIS = {
    "leads": ("Number of leads", "Numero di lead",
              "Rows of the Leads table that were scored",
              "Righe della tabella Leads valutate"),
    "pct_mql": ("% MQL", "% MQL",
                "Leads with Status MQL \u00f7 all leads",
                "Lead con Stato MQL \u00f7 tutti i lead"),
    "pct_sql": ("% SQL", "% SQL",
                "Leads with Status SQL \u00f7 all leads",
                "Lead con Stato SQL \u00f7 tutti i lead"),
    "mql_to_sql": ("MQL \u2192 SQL rate", "Tasso MQL \u2192 SQL",
                   "Of the leads with a History row New status MQL, the share with a later row "
                   "New status SQL",
                   "Dei lead con una riga di Storico con Stato dopo MQL, la quota con una riga "
                   "successiva con Stato dopo SQL"),
    "lead_to_customer": ("Lead \u2192 customer rate", "Tasso lead \u2192 cliente",
                         "Leads with Status {customer} \u00f7 all leads (needs a Stage column)",
                         "Lead con Stato {customer} \u00f7 tutti i lead (serve la colonna Fase)"),
    "median_days_to_sql": ("Median days to SQL", "Giorni mediani fino a SQL",
                           "Median of days from Created to the first History row New status SQL",
                           "Mediana dei giorni da Creato il alla prima riga di Storico con "
                           "Stato dopo SQL"),
    "median_days_to_customer": ("Median days to customer", "Giorni mediani fino a cliente",
                                "Median of days from Created to the first History row New status "
                                "{customer}",
                                "Mediana dei giorni da Creato il alla prima riga di Storico con "
                                "Stato dopo {customer}"),
}

TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
RIGHT = Alignment(horizontal="right")


def _label(key: str, language: str) -> str:
    return LABELS[key][0 if language == "en" else 1]


def _put(ws, row: int, col: int, value, number_format: str | None = None, font=None):
    """Write a value; strings stay text (never a formula); None is shown as '—'."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalars -> Python numbers
    if value is None:
        value = NONE
    if isinstance(value, str):
        value = cell_text(value)
    cell = ws.cell(row, col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value == NONE:
            cell.alignment = RIGHT
    elif number_format:
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def outcome_blocks(funnel, language: str) -> list:
    """The Report's outcome blocks, as data both writers lay out (this module and xlsx/report_xml.py):
    [(title, headers, rows)], each row a list of (value, format: None, 'int' or 'percent'); the
    first block is a note with no table. Empty without an Outcome column setting."""
    o = funnel.outcomes
    if o is None:
        return []
    label = lambda key: _label(key, language)  # noqa: E731
    note = label("outcomes").format(column=o["column"], known=o["known"], leads=o["leads"], won=o["won"],
                                    unreadable=o["unreadable"], customer=funnel.customer_stage or "\u2014")
    blocks = [(note, [], [])]
    counts = [label("leads_col"), label("known"), label("won"), label("rate")]

    def rows(table, first=None):
        return [[(str(k) if first is None else first(k), None), (int(r["leads"]), "int"), (int(r["known"]), "int"),
                 (int(r["won"]), "int"), (r["rate"], "percent")] for k, r in table.iterrows()]

    blocks.append((label("by_grade_outcome"), [label("grade"), *counts], rows(o["by_grade"])))
    blocks.append((label("by_status_outcome"), [label("status"), *counts], rows(o["by_status"])))
    blocks.append((label("by_band_outcome"), [label("band"), *counts], rows(o["by_band"])))
    deciles = [[(int(d), "int"), (r["max_score"], None), (r["min_score"], None), (int(r["leads"]), "int"),
                (int(r["known"]), "int"), (int(r["won"]), "int"), (r["rate"], "percent")]
               for d, r in o["by_decile"].iterrows()]
    blocks.append((label("by_decile"), [label("decile"), label("max_score"), label("min_score"), *counts],
                   deciles))
    capture = []
    for _, r in o["capture"].iterrows():
        kind, what = r["passed"]
        text = (label("status_passed").format(statuses=label("or").join(what)) if kind == "status"
                else label("top_deciles").format(k=what))
        capture.append([(text, None), (int(r["leads"]), "int"), (r["share_leads"], "percent"),
                        (int(r["won"]), "int"), (r["share_won"], "percent")])
    blocks.append((label("capture"), [label("passed"), label("leads_col"), label("share_leads"), label("won"),
                                      label("share_won")], capture))
    return blocks


def _header(ws, row: int, labels) -> None:
    for c, text in enumerate(labels, start=1):
        cell = _put(ws, row, c, text, font=BOLD)
        cell.fill = HEADER_FILL


def _date_text(day: dt.date, language: str) -> str:
    return day.strftime("%Y-%m-%d" if language == "en" else "%d/%m/%Y")


def _new_sheet(wb):
    """A fresh, empty Report sheet where the old one was (or at the end)."""
    existing = next((n for n in wb.sheetnames if n.casefold() == REPORT_SHEET.casefold()), None)
    index = None
    if existing is not None:
        index = wb.sheetnames.index(existing)
        wb.remove(wb[existing])
    return wb.create_sheet(REPORT_SHEET, index)


def write_report(wb, funnel, language: str, as_of=None, new_sql=None):
    """Add (or replace, at the same position) the Report sheet for a scoring.report.Funnel.

    Blocks from the top: title and date; leads by grade x score band with a 3-colour
    scale; leads and shares by status; the key figures, one per row, with what they
    are based on and how they are computed; conversion by score band. A bar chart of
    leads by status sits to the right. `new_sql`, (lead, rating) pairs, lists the leads that
    became SQL in this run. Returns the worksheet.
    """
    lang = 0 if language == "en" else 1
    if as_of is None:
        as_of = funnel.as_of or dt.date.today()
    day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
    customer = funnel.customer_stage or ""
    ws = _new_sheet(wb)

    _put(ws, 1, 1, _label("title", language).format(date=_date_text(day, language)), font=TITLE_FONT)
    _put(ws, 2, 1, _label("as_of", language))
    _put(ws, 2, 2, day, "yyyy-mm-dd" if language == "en" else "dd/mm/yyyy")

    # Heat map.
    heat = funnel.heat
    row = 4
    _put(ws, row, 1, _label("heat", language), font=BOLD)
    row += 1
    _header(ws, row, [_label("grade", language), *map(str, heat.columns), _label("total", language)])
    first = row + 1
    for grade, counts in heat.iterrows():
        row += 1
        _put(ws, row, 1, str(grade), font=BOLD)
        for c, value in enumerate(counts.tolist(), start=2):
            _put(ws, row, c, int(value), "0")
        _put(ws, row, len(heat.columns) + 2, int(counts.sum()), "0")
    row += 1
    _put(ws, row, 1, _label("total", language), font=BOLD)
    for c, value in enumerate(heat.sum(axis=0).tolist(), start=2):
        _put(ws, row, c, int(value), "0")
    _put(ws, row, len(heat.columns) + 2, int(funnel.leads), "0")
    if len(heat.index) and len(heat.columns):
        cells = f"B{first}:{get_column_letter(len(heat.columns) + 1)}{first + len(heat.index) - 1}"
        ws.conditional_formatting.add(cells, ColorScaleRule(
            start_type="min", start_color="FFFFFF", mid_type="percentile", mid_value=50,
            mid_color="FFEB84", end_type="max", end_color="63BE7B"))
    heat_cols = len(heat.columns) + 2

    # Status counts and shares.
    row += 2
    _put(ws, row, 1, _label("by_status", language), font=BOLD)
    row += 1
    status_header = row
    _header(ws, row, [_label("status", language), _label("leads_col", language), _label("share", language)])
    for status, count in funnel.status_counts.items():
        row += 1
        _put(ws, row, 1, str(status))
        _put(ws, row, 2, int(count), "0")
        _put(ws, row, 3, funnel.status_shares.get(status), PERCENT)
    status_last = row
    row += 1
    _put(ws, row, 1, _label("total", language), font=BOLD)
    _put(ws, row, 2, int(funnel.leads), "0")

    # Key figures.
    row += 2
    _put(ws, row, 1, _label("kpis", language), font=BOLD)
    row += 1
    _header(ws, row, [_label("kpi", language), _label("value", language), _label("based_on", language),
                      _label("how", language)])
    based_on = {"leads": None, "pct_mql": funnel.leads, "pct_sql": funnel.leads,
                "mql_to_sql": funnel.ever_mql,
                "lead_to_customer": funnel.leads if funnel.lead_to_customer is not None else None,
                "median_days_to_sql": funnel.days_to_sql_leads,
                "median_days_to_customer": funnel.days_to_customer_leads}
    formats = {"leads": "0", "median_days_to_sql": DAYS, "median_days_to_customer": DAYS}
    for key, texts in KPIS.items():
        row += 1
        _put(ws, row, 1, texts[lang])
        _put(ws, row, 2, getattr(funnel, key), formats.get(key, PERCENT))
        if based_on[key] is not None:
            _put(ws, row, 3, int(based_on[key]), "0")
        _put(ws, row, 4, texts[2 + lang].format(customer=customer))

    # Conversion by score band.
    row += 2
    _put(ws, row, 1, _label("conversion", language), font=BOLD)
    row += 1
    _header(ws, row, [_label("band", language), _label("leads_col", language),
                      _label("customers", language), _label("rate", language)])
    for band, line in funnel.conversion_by_band.iterrows():
        row += 1
        _put(ws, row, 1, str(band))
        _put(ws, row, 2, int(line["leads"]), "0")
        _put(ws, row, 3, None if line["customers"] is None else int(line["customers"]), "0")
        _put(ws, row, 4, line["rate"], PERCENT)

    # Outcomes: conversion by grade, status, band and decile; capture at each hand-over to sales.
    number_formats = {"int": "0", "percent": PERCENT}
    for title, headers, lines in outcome_blocks(funnel, language):
        row += 2
        _put(ws, row, 1, title, font=BOLD)
        if headers:
            row += 1
            _header(ws, row, headers)
        for line in lines:
            row += 1
            for c, (value, fmt) in enumerate(line, start=1):
                _put(ws, row, c, value, number_formats.get(fmt))

    # Leads that became SQL in this run.
    if new_sql is not None:
        row += 2
        _put(ws, row, 1, _label("new_sql", language).format(n=len(new_sql)), font=BOLD)
        row += 1
        _header(ws, row, [_label("lead", language), _label("rating", language)])
        for who, rating in new_sql:
            row += 1
            _put(ws, row, 1, str(who))
            _put(ws, row, 2, str(rating))

    # Chart: leads by status, from the status block above.
    chart = BarChart()
    chart.type = "col"
    chart.title = _label("chart", language)
    chart.y_axis.title = _label("leads_col", language)
    chart.x_axis.title = _label("status", language)
    chart.legend = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.add_data(Reference(ws, min_col=2, min_row=status_header, max_row=status_last),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=status_header + 1, max_row=status_last))
    chart.height, chart.width = 7.5, 15
    ws.add_chart(chart, f"{get_column_letter(max(heat_cols, 4) + 2)}4")

    ws.column_dimensions["A"].width = 30
    for c in range(2, max(heat_cols, 4) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 18
    return ws

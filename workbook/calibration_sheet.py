"""The Calibration sheet: what `leadscore calibrate` measured and suggests, as tables and two charts.

`calibration_layout(found, language, when, ...)` lays a scoring.calibrate.Calibration out as data,
block by block from the top (cells with style keys, column widths, charts with their anchors), in
English or Italian. Both writers use it: the package layer (`put_calibration`, through
PackageBook.put_sheet) and live Excel (xlcalibration.py). Every figure is a plain value, never a
formula; text is always text. Every figure is measured on the held-out leads.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import NamedTuple

from scoring.calibrate import note_text

from .sheets import cell_text

CALIBRATION_SHEET = {"en": "Calibration", "it": "Calibrazione"}
NONE = "\u2014"  # Shown where a figure cannot be computed.
HEADER_FILL = "DDEBF7"
# The sheet's cell formats by key, as xlsx.styles_write.StyleSpec arguments. This module imports nothing
# of workbook/xlsx, which the xlwings Lite bundle leaves out: live Excel lays the sheet out from here too.
STYLES = {
    "title": {"bold": True, "size": 14},
    "bold": {"bold": True},
    "header": {"bold": True, "fill": HEADER_FILL},
    "dash": {"horizontal": "right"},
    "int": {"num_format": "#,##0"},
    "percent": {"num_format": "0.0%"},
    "auc": {"num_format": "0.000"},
    "lift": {"num_format": "0.00"},
    "stamp": {"num_format": "yyyy-mm-dd hh:mm"},
    "stamp_it": {"num_format": "dd/mm/yyyy hh:mm"},
}
CHART_COLUMN = 11  # Column K: the charts sit right of the widest table (A to I).


class SheetCell(NamedTuple):
    """A cell of the sheet: 1-based row and column, value, key of its format in STYLES (or None)."""

    row: int
    col: int
    value: object
    style: str | None = None


@dataclass
class Series:
    """One series of a chart: its name (cell and text) and its values (cells and numbers)."""

    name_ref: str
    name: str
    values_ref: str
    values: list


@dataclass
class Chart:
    """A chart of the sheet: kind 'line' or 'bar', categories (cells and texts), series, titles, the value
    axis' number format and top, and where it sits (top-left cell, size in centimetres)."""

    kind: str
    categories_ref: str
    categories: list
    series: list
    title: str
    x_title: str
    y_title: str
    number_format: str
    row: int
    col: int
    name: str
    maximum: float | None = None
    width_cm: float = 16.0
    height_cm: float = 8.0


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def sheet_range(sheet: str, first_row: int, col: int, last_row: int | None = None) -> str:
    """A formula reference to cells of one column: 'Calibration'!$B$14 or 'Calibration'!$A$15:$A$17."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    top = f"${_letters(col)}${first_row}"
    return f"{quoted}!{top}" if last_row is None or last_row == first_row else \
        f"{quoted}!{top}:${_letters(col)}${last_row}"

LABELS = {
    "title": ("Calibration of the model \u2013 {date}", "Calibrazione del modello \u2013 {date}"),
    "when": ("Run at", "Eseguita il"),
    "outcome": ("Outcome column", "Colonna esito"),
    "split": ("Split", "Suddivisione"),
    "random": ("random, stratified by outcome: {share} held out (seed {seed})",
               "casuale, stratificata per esito: {share} tenuti da parte (seme {seed})"),
    "date": ("by date ({column}): learned before {day}, tested on {day} and after",
             "per data ({column}): appreso sui lead prima del {day}, verificato su quelli dal {day} in poi"),
    "train": ("Learned on (training leads)", "Appreso su (lead di addestramento)"),
    "test": ("Measured on (held-out leads)", "Misurato su (lead di verifica)"),
    "test_won": ("Conversions among the held-out leads", "Conversioni tra i lead di verifica"),
    "changed": ("What changed", "Cosa è cambiato"),
    "nothing": ("Nothing on the LeadScore sheet: run `leadscore calibrate BOOK --apply` to apply the suggestion "
                "(the Changelog on the LeadScore sheet then lists every change)",
                "Niente nel foglio LeadScore: esegui `leadscore calibrate CARTELLA --apply` per applicare il "
                "suggerimento (il Registro modifiche nel foglio LeadScore elenca poi ogni modifica)"),
    "applied": ("The suggestion was applied: {n} changes on the LeadScore sheet, each a row of its Changelog "
                "({where}); rescore to score the leads with it",
                "Il suggerimento è stato applicato: {n} modifiche nel foglio LeadScore, ciascuna una riga del suo "
                "Registro modifiche ({where}); ricalcola per valutare i lead con esso"),
    "no_suggestion": ("No suggestion: {why}", "Nessun suggerimento: {why}"),
    "auc": ("AUC on the holdout (the chance that a won lead scores above a lost one; ties count half)",
            "AUC sui lead di verifica (la probabilità che un lead vinto abbia un punteggio più alto di uno perso; "
            "a pari punteggio conta metà)"),
    "model": ("Model", "Modello"),
    "auc_col": ("AUC", "AUC"),
    "low": ("95% interval from", "Intervallo 95% da"),
    "high": ("to", "a"),
    "current": ("Current model", "Modello attuale"),
    "suggested": ("Suggested model", "Modello suggerito"),
    "by_grade": ("Conversion by grade (holdout)", "Conversione per grado (lead di verifica)"),
    "by_band": ("Conversion by score band (holdout)", "Conversione per fascia di punteggio (lead di verifica)"),
    "by_status": ("Conversion by status (holdout)", "Conversione per stato (lead di verifica)"),
    "by_decile": ("Conversion by score decile (holdout; 1 = highest scores)",
                  "Conversione per decile di punteggio (lead di verifica; 1 = punteggi più alti)"),
    "grade": ("Grade", "Grado"),
    "band": ("Score band", "Fascia di punteggio"),
    "status": ("Status", "Stato"),
    "decile": ("Decile", "Decile"),
    "leads": ("Leads", "Lead"),
    "won": ("Won", "Vinti"),
    "rate": ("Conversion", "Conversione"),
    "scores": ("Scores", "Punteggi"),
    "s_leads": ("Suggested: leads", "Suggerito: lead"),
    "s_won": ("Suggested: won", "Suggerito: vinti"),
    "s_rate": ("Suggested: conversion", "Suggerito: conversione"),
    "s_scores": ("Suggested: scores", "Suggerito: punteggi"),
    "capture": ("Leads passed to sales and conversions captured (holdout)",
                "Lead passati alle vendite e conversioni catturate (lead di verifica)"),
    "passed": ("Passed to sales", "Passati alle vendite"),
    "share_leads": ("Share of the leads", "Quota dei lead"),
    "share_won": ("Share of the conversions", "Quota delle conversioni"),
    "s_share_leads": ("Suggested: share of the leads", "Suggerito: quota dei lead"),
    "s_share_won": ("Suggested: share of the conversions", "Suggerito: quota delle conversioni"),
    "status_passed": ("Status {statuses}", "Stato {statuses}"),
    "or": (" or ", " o "),
    "top": ("Top {k}0% by score", "Primo {k}0% per punteggio"),
    "curve": ("Capture curve: share of the conversions in the top share of the leads by score (holdout)",
              "Curva di cattura: quota delle conversioni nella quota migliore dei lead per punteggio (lead di "
              "verifica)"),
    "top_share": ("Top share of the leads", "Quota migliore dei lead"),
    "random_col": ("At random", "A caso"),
    "curve_chart": ("Capture curve (holdout)", "Curva di cattura (lead di verifica)"),
    "band_chart": ("Conversion by score band (holdout)", "Conversione per fascia di punteggio (lead di verifica)"),
    "band_rates": ("Conversion by score band, current and suggested model (the chart's figures)",
                   "Conversione per fascia di punteggio, modello attuale e suggerito (i dati del grafico)"),
    "rules": ("Rules of the current model: the held-out leads each rule gives points to, and the others",
              "Regole del modello attuale: i lead di verifica a cui ogni regola dà punti, e gli altri"),
    "rule": ("Rule", "Regola"),
    "side": ("Side", "Parte"),
    "points": ("Points", "Punti"),
    "others": ("Others' conversion", "Conversione degli altri"),
    "lift": ("Lift", "Lift"),
    "fit": ("fit", "profilo"),
    "behaviour": ("behaviour", "comportamento"),
    "events": ("behaviour (events)", "comportamento (eventi)"),
    "warnings": ("Warnings", "Avvisi"),
    "no_warnings": ("none", "nessuno"),
    "learned_from": ("Columns learned from", "Colonne da cui si è appreso"),
    "s_rules": ("Suggested rules (learned on the training leads; evidence from the holdout)",
                "Regole suggerite (apprese sui lead di addestramento; evidenza dai lead di verifica)"),
    "old_points": ("Current points", "Punti attuali"),
    "new_points": ("Suggested points", "Punti suggeriti"),
    "s_grades": ("Suggested grade bands (minimum fit points)", "Fasce di grado suggerite (punti profilo minimi)"),
    "s_bands": ("Suggested score bands (they follow the suggested thresholds; the matrix keeps its actions)",
                "Fasce di punteggio suggerite (seguono le soglie suggerite; la matrice mantiene le sue azioni)"),
    "current_band": ("Current band", "Fascia attuale"),
    "suggested_band": ("Suggested band", "Fascia suggerita"),
    "current_min": ("Current", "Attuale"),
    "suggested_min": ("Suggested", "Suggerito"),
    "below": ("below", "sotto"),
    "s_status": ("Suggested status thresholds (from a sales capacity of {capacity} of the leads)",
                 "Soglie di stato suggerite (da una capacità commerciale del {capacity} dei lead)"),
    "min_score": ("Minimum score", "Punteggio minimo"),
    "s_min_score": ("Suggested minimum score", "Punteggio minimo suggerito"),
    "grades": ("Grades (blank = any)", "Gradi (vuoto = tutti)"),
    "pass_leads": ("Passes (share of the held-out leads)", "Passa (quota dei lead di verifica)"),
    "pass_won": ("With (share of their conversions)", "Con (quota delle loro conversioni)"),
    "s_warnings": ("Warnings about the suggested model", "Avvisi sul modello suggerito"),
}


@dataclass
class CalibrationLayout:
    """The sheet as data: cells (SheetCell), column widths, charts (Chart), and the first row of each
    block by key (for readers and tests)."""

    sheet_name: str
    cells: list = field(default_factory=list)
    widths: dict = field(default_factory=dict)
    charts: list = field(default_factory=list)
    blocks: dict = field(default_factory=dict)


def _plain(value):
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalars -> Python numbers
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


class _Writer:
    """Puts cells row by row: put() one cell, line() a row of (value, style) pairs."""

    def __init__(self, language: str, sheet: str):
        self.lang = 0 if language == "en" else 1
        self.language = language
        self.layout = CalibrationLayout(sheet)
        self.row = 1

    def label(self, key: str) -> str:
        return LABELS[key][self.lang]

    def put(self, row: int, col: int, value, style=None) -> None:
        value = _plain(value)
        if value is None:
            value, style = NONE, "dash"
        if isinstance(value, str):
            value = cell_text(value)
            style = style if style in ("title", "bold", "header", "dash") else None
        self.layout.cells.append(SheetCell(row, col, value, style))

    def line(self, items) -> int:
        for col, (value, style) in enumerate(items, start=1):
            if value is not None or style is not None:
                self.put(self.row, col, value, style)
        self.row += 1
        return self.row - 1

    def title(self, key: str, text: str | None = None) -> int:
        """A block's title in bold, one blank row above it."""
        self.row += 1
        self.layout.blocks[key] = self.row
        return self.line([(text or self.label(key), "bold")])

    def header(self, keys) -> int:
        return self.line([(self.label(k) if k in LABELS else k, "header") for k in keys])


def _share(x) -> str:
    return f"{x:.0%}"


def _day(day: dt.date, language: str) -> str:
    return day.strftime("%Y-%m-%d" if language == "en" else "%d/%m/%Y")


def split_text(found, language: str) -> str:
    """The split, in words, in the book's language."""
    i = 0 if language == "en" else 1
    if found.split_kind == "date":
        return LABELS["date"][i].format(column=found.date_column, day=_day(found.since, language))
    return LABELS["random"][i].format(share=_share(found.holdout), seed=found.seed)


def _scores(r) -> str:
    if r["max_score"] is None:
        return NONE
    high, low = float(r["max_score"]), float(r["min_score"])
    number = lambda x: str(int(x)) if x.is_integer() else f"{x:g}"  # noqa: E731
    return number(high) if high == low else f"{number(high)}\u2013{number(low)}"


def _conversion_block(w: _Writer, key: str, what: str, current, suggested, deciles: bool = False) -> None:
    w.title(key)
    keys = [what] + (["scores"] if deciles else []) + ["leads", "won", "rate"]
    if suggested is not None:
        keys += (["s_scores"] if deciles else []) + ["s_leads", "s_won", "s_rate"]
    w.header(keys)
    labels = list(current.index)
    if suggested is not None:
        labels += [x for x in suggested.index if x not in labels]
    for label in labels:
        items = [(str(label), None)]
        for table in [current] + ([suggested] if suggested is not None else []):
            if label in table.index:
                r = table.loc[label]
                items += ([(_scores(r), None)] if deciles else []) + [
                    (int(r["leads"]), "int"), (int(r["won"]), "int"), (r["rate"], "percent")]
            else:
                items += [(None, None)] * (4 if deciles else 3)
        w.line(items)


def _band_block(w: _Writer, current, suggested) -> None:
    """Conversion by score band: the current bands, and beside each the suggested band in its place
    (the suggested bands have other limits, and names that say them)."""
    w.title("by_band")
    keys = ["band", "leads", "won", "rate"] + (["suggested_band", "s_leads", "s_won", "s_rate"]
                                                if suggested is not None else [])
    w.header(keys)
    tables = [current] + ([suggested] if suggested is not None else [])
    for k in range(max(len(t) for t in tables)):
        items = []
        for j, table in enumerate(tables):
            if k < len(table):
                r = table.iloc[k]
                items += [(str(table.index[k]), None), (int(r["leads"]), "int"), (int(r["won"]), "int"),
                          (r["rate"], "percent")]
            else:
                items += [(None, None)] * 4
        w.line(items)


def _capture_rows(table, w: _Writer) -> dict:
    """{label: (share of leads, share of conversions)} of a capture table, statuses first."""
    out = {}
    for _, r in table.iterrows():
        kind, what = r["passed"]
        label = (w.label("status_passed").format(statuses=w.label("or").join(what)) if kind == "status"
                 else w.label("top").format(k=what))
        out[label] = (r["share_leads"], r["share_won"])
    return out


def calibration_layout(found, language: str, when: dt.datetime, applied: int | None = None,
                       changelog: str | None = None, no_suggestion: str | None = None) -> CalibrationLayout:
    """The Calibration sheet for a Calibration. applied: how many changes --apply made (None: it did
    not run); changelog: where the Changelog table is; no_suggestion: why there is no suggestion."""
    sheet = CALIBRATION_SHEET.get(language, CALIBRATION_SHEET["en"])
    w = _Writer(language, sheet)
    label = w.label
    has = found.suggestion is not None
    w.line([(label("title").format(date=_day(when.date(), language)), "title")])
    w.line([(label("when"), None), (when, "stamp" if language == "en" else "stamp_it")])
    w.line([(label("outcome"), None), (found.outcome_column, None)])
    w.line([(label("split"), None), (split_text(found, language), None)])
    w.line([(label("train"), None), (found.train_leads, "int")])
    w.line([(label("test"), None), (found.test_leads, "int")])
    share = found.test_won / found.test_leads if found.test_leads else None
    w.line([(label("test_won"), None), (found.test_won, "int"), (share, "percent")])
    if applied is not None:
        done = label("applied").format(n=applied, where=changelog or "LeadScore")
    elif no_suggestion:
        done = label("no_suggestion").format(why=no_suggestion)
    else:
        done = label("nothing")
    w.layout.blocks["changed"] = w.line([(label("changed"), "bold"), (done, None)])

    w.title("auc")
    w.header(["model", "auc_col", "low", "high"])
    w.line([(label("current"), None), (found.auc, "auc"), (found.auc_low, "auc"), (found.auc_high, "auc")])
    if has:
        w.line([(label("suggested"), None), (found.suggested_auc, "auc"), (found.suggested_low, "auc"),
                (found.suggested_high, "auc")])

    t, s = found.tables, found.suggested_tables if has else None
    _conversion_block(w, "by_grade", "grade", t["by_grade"], s and s["by_grade"])
    _band_block(w, t["by_band"], s and s["by_band"])
    _conversion_block(w, "by_status", "status", t["by_status"], s and s["by_status"])
    _conversion_block(w, "by_decile", "decile", t["by_decile"], s and s["by_decile"], deciles=True)

    # Capture: each hand-over to sales, then the top tenths by score.
    w.title("capture")
    w.header(["passed", "share_leads", "share_won"] + (["s_share_leads", "s_share_won"] if has else []))
    current = _capture_rows(t["capture"], w)
    other = _capture_rows(s["capture"], w) if has else {}
    for name in list(current) + [x for x in other if x not in current]:
        items = [(name, None)]
        for rows in [current] + ([other] if has else []):
            a, b = rows.get(name, (None, None))
            items += [(a, "percent"), (b, "percent")]
        w.line(items)

    # The capture curve, as the line chart draws it.
    w.title("curve")
    head = w.header(["top_share", "current"] + (["suggested"] if has else []) + ["random_col"])
    tops = [0.0] + [r["share_won"] for _, r in t["capture"].iterrows() if r["passed"][0] == "deciles"]
    s_tops = [0.0] + [r["share_won"] for _, r in s["capture"].iterrows() if r["passed"][0] == "deciles"] if has \
        else []
    first = w.row
    for k, top in enumerate(tops):
        w.line([(f"{k * 10}%", None), (top, "percent")] + ([(s_tops[k], "percent")] if has else []) +
               [(k / 10, "percent")])
    last = w.row - 1
    names = [label("current")] + ([label("suggested")] if has else []) + [label("random_col")]
    series = [Series(sheet_range(sheet, head, 2 + j), name, sheet_range(sheet, first, 2 + j, last), values)
              for j, (name, values) in enumerate(zip(names, [tops] + ([s_tops] if has else []) +
                                                     [[k / 10 for k in range(len(tops))]]))]
    w.layout.charts.append(Chart("line", sheet_range(sheet, first, 1, last), [f"{k * 10}%" for k in range(len(tops))],
                                 series, label("curve_chart"), label("top_share"), label("share_won"), "0%", 4,
                                 CHART_COLUMN, "Capture curve", maximum=1))

    # Conversion by score band, as the column chart draws it.
    w.title("band_rates")
    head = w.header(["band", "current"] + (["suggested"] if has else []))
    first = w.row
    # Bands side by side by position (the suggested bands may have other names: "0–49 | 0–27").
    bands = list(t["by_band"].index)
    rates = [t["by_band"].loc[b, "rate"] for b in bands]
    s_rates = []
    if has:
        s_bands = list(s["by_band"].index)
        s_rates = [s["by_band"].loc[b, "rate"] for b in s_bands]
        bands = [a if k >= len(s_bands) or str(a) == str(s_bands[k]) else f"{a} | {s_bands[k]}"
                 for k, a in enumerate(bands)] + [f"\u2014 | {b}" for b in s_bands[len(bands):]]
        rates += [None] * (len(bands) - len(rates))
        s_rates += [None] * (len(bands) - len(s_rates))
    for j, b in enumerate(bands):
        w.line([(str(b), None), (rates[j], "percent")] + ([(s_rates[j], "percent")] if has else []))
    last = w.row - 1
    series = [Series(sheet_range(sheet, head, 2 + j), name, sheet_range(sheet, first, 2 + j, last),
                     [None if v is None else float(v) for v in values])
              for j, (name, values) in enumerate(zip(names[:2 if has else 1], [rates] + ([s_rates] if has else [])))]
    w.layout.charts.append(Chart("bar", sheet_range(sheet, first, 1, last), [str(b) for b in bands], series,
                                 label("band_chart"), label("band"), label("rate"), "0%", 22, CHART_COLUMN,
                                 "Conversion by band"))

    # Each rule's evidence.
    w.title("rules")
    w.header(["rule", "side", "points", "leads", "won", "rate", "others", "lift"])
    rules = {"fit": found.model.fit_rules, "behaviour": found.model.behaviour_rules, "events": found.model.event_rules}
    seen = {"fit": 0, "behaviour": 0, "events": 0}
    for _, r in found.rules.iterrows():
        rule = rules[r["side"]][seen[r["side"]]]
        seen[r["side"]] += 1
        w.line([(r["rule"], None), (label(r["side"]), None), (_number(rule.points), None), (r["leads"], "int"),
                (r["won"], "int"), (r["rate"], "percent"), (r["rate_other"], "percent"), (r["lift"], "lift")])
    w.title("warnings")
    for note in found.notes or [None]:
        w.line([(note_text(note, language) if note else label("no_warnings"), None)])
    if has:
        _suggestion_blocks(w, found)
    w.layout.widths = {1: 48, **{c: 15 for c in range(2, 10)}}
    return w.layout


def _number(x):
    x = _plain(x)
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _suggestion_blocks(w: _Writer, found) -> None:
    label = w.label
    model, suggested = found.model, found.suggestion.model
    w.title("learned_from")
    w.line([(", ".join(f"{c} ({label(side)})" for c, side in found.candidates) or NONE, None)])
    w.title("s_rules")
    w.header(["rule", "side", "old_points", "new_points", "leads", "won", "rate", "others", "lift"])
    for _, r in found.suggested_rules.iterrows():
        old = r["old_points"]
        w.line([(r["rule"], None), (label(r["side"]), None), (None if old is None else _number(old), None),
                (_number(r["points"]), None), (r["leads"], "int"), (r["won"], "int"), (r["rate"], "percent"),
                (r["rate_other"], "percent"), (r["lift"], "lift")])
    w.title("s_grades")
    w.header(["grade", "current_min", "suggested_min"])
    for old, new in zip(model.grade_bands, suggested.grade_bands):
        w.line([(old.grade, None), (label("below") if old.min_fit is None else _number(old.min_fit),
                                    None if old.min_fit is None else "int"),
                (label("below") if new.min_fit is None else _number(new.min_fit), None if new.min_fit is None
                 else "int")])
    w.title("s_bands")
    w.header(["current_band", "current_min", "suggested_band", "suggested_min", "leads", "rate"])
    by_band = found.suggested_tables["by_band"]
    for old, new in zip(model.score_bands, suggested.score_bands):
        held = by_band.loc[new.label] if new.label in by_band.index else None
        w.line([(str(old.label), None), (_number(old.min_score), "int"), (str(new.label), None),
                (_number(new.min_score), "int"), (None if held is None else int(held["leads"]), "int"),
                (None if held is None else held["rate"], "percent")])
    capacity = f"{found.capacity:.0%}"
    w.title("s_status", label("s_status").format(capacity=capacity))
    w.header(["status", "min_score", "s_min_score", "grades", "pass_leads", "pass_won"])
    passed = {r["status"].split(" or ")[-1]: r for _, r in found.capture.iterrows()}
    for old, new in zip(model.status_rules, suggested.status_rules):
        r = passed.get(new.status)
        w.line([(new.status, None), (_number(old.min_score), "int"), (_number(new.min_score), "int"),
                (", ".join(new.grades) if new.grades else None, None),
                (None if r is None else r["share_leads"], "percent"), (None if r is None else r["share_won"],
                                                                      "percent")])
    if found.suggested_notes:
        w.title("s_warnings")
        for note in found.suggested_notes:
            w.line([(note_text(note, w.language), None)])

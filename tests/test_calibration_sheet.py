"""The Calibration sheet and `calibrate --apply` (issue 13, parts 3 and 5): the sheet read back cell by cell in
English and Italian, its charts, the LeadScore sheet untouched without --apply, the suggestion applied with a
Changelog that `check` accepts and `rescore` reproduces, bad input refused with nothing written, the Calibrate
macro and the xlwings Lite script."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import xlstub
from addin import macros
from addin.cli import cli
from libreoffice import SOFFICE, recalculated_sheets
from native_check import with_template_columns
from scoring import default_model, score
from scoring.calibrate import calibrate
from scoring.model import check
from test_calibrate import BANK, hand_leads
from test_rule_kinds import bank_model
from workbook import template, workflow
from workbook.apply_model import CHANGELOG_HEADERS
from workbook.calibration import calibrate_file
from workbook.model_sheet import ModelSheet
from workbook.packagebook import PackageBook
from workbooks import sha256

WHEN = dt.datetime(2026, 11, 23, 9, 0)
AS_OF = ["--as-of", WHEN.isoformat()]
SINCE = ["--since", "2026-06-01"]
ITALIAN = {"Created": "Creato il", "Industry": "Settore", "Demo requests": "Richieste demo", "Outcome": "Esito"}


def run(*args):
    result = CliRunner().invoke(cli, [*map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def model_of(language: str, outcome: str):
    model = default_model("b2b", language)
    model.settings.outcome_column = outcome
    return model


def make_book(path: Path, leads: pd.DataFrame, language="en", outcome="Outcome", model=None) -> Path:
    model = model or model_of(language, outcome)
    template.build(path, model, with_template_columns(leads, language), None, language, "b2b")
    return path


def italian_leads() -> pd.DataFrame:
    leads = hand_leads().rename(columns=ITALIAN)
    leads["Esito"] = leads["Esito"].map({"won": "vinto", "lost": "perso"})
    return leads


def sheet_rows(path, title) -> list[list]:
    ws = openpyxl.load_workbook(path)[title]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def block(rows, title) -> list[list]:
    """The rows of the block under a title (header first), up to the next blank row."""
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    out = []
    for r in rows[start + 1:]:
        if all(v is None for v in r):
            break
        out.append([v for v in r])
    width = max(len([v for v in r if v is not None]) and max(j for j, v in enumerate(r) if v is not None) + 1
                for r in out)
    return [r[:width] for r in out]


def members(path) -> dict:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    """A book of the hand leads, calibrated by date as the command line does (in place), and a copy applied."""
    folder = tmp_path_factory.mktemp("calibration")
    book = make_book(folder / "book.xlsx", hand_leads())
    original = members(book)
    measured = folder / "measured.xlsx"
    shutil.copy(book, measured)
    code, out, err = run("calibrate", measured, *SINCE, *AS_OF)
    assert (code, err) == (0, ""), err
    applied = folder / "applied.xlsx"
    done = calibrate_file(book, out=applied, apply=True, when=WHEN, since="2026-06-01")
    assert members(book) == original  # --out leaves the book as it was.
    frame = workflow.read_leads(book)
    return {"book": book, "original": original, "measured": measured, "out": out, "applied": applied,
            "done": done, "frame": frame, "folder": folder}


@pytest.mark.slow
def test_the_sheet_says_what_was_measured_and_on_which_split(english):
    rows = sheet_rows(english["measured"], "Calibration")
    assert rows[0][0] == "Calibration of the model – 2026-11-23"
    head = {r[0]: r[1:3] for r in rows[1:8]}
    assert head == {"Run at": [WHEN, None], "Outcome column": ["Outcome", None],
                    "Split": ["by date (Created): learned before 2026-06-01, tested on 2026-06-01 and after", None],
                    "Learned on (training leads)": [100, None], "Measured on (held-out leads)": [100, None],
                    "Conversions among the held-out leads": [30, 0.3],
                    "What changed": ["Nothing on the LeadScore sheet: run `leadscore calibrate BOOK --apply` to apply "
                                     "the suggestion (the Changelog on the LeadScore sheet then lists every change)",
                                     None]}
    auc = block(rows, "AUC on the holdout (the chance that a won lead scores above a lost one; ties count half)")
    assert auc[0] == ["Model", "AUC", "95% interval from", "to"]
    # The default model on the holdout: IT + demo 30 points (15 won of 20), Retail + demo 20 (5 of 20), IT 10
    # (10 of 30), Retail 0 (0 of 30): 1700 of the 2100 won-lost pairs ranked right (ties half).
    assert auc[1][:2] == ["Current model", pytest.approx(1700 / 2100, abs=1e-15)]
    assert auc[1][2] < auc[1][1] < auc[1][3]
    found = english["done"].found
    assert auc[2] == ["Suggested model", found.suggested_auc, found.suggested_low, found.suggested_high]


def test_the_sheet_has_conversion_by_grade_band_status_and_decile_for_both_models(english):
    rows = sheet_rows(english["measured"], "Calibration")
    grade = block(rows, "Conversion by grade (holdout)")
    assert grade[0] == ["Grade", "Leads", "Won", "Conversion", "Suggested: leads", "Suggested: won",
                        "Suggested: conversion"]
    # The default model grades every hand lead D: fit is at most 10 (IT) of the 50 an A needs.
    assert [r[:4] for r in grade[1:]] == [["A", 0, 0, "—"], ["B", 0, 0, "—"], ["C", 0, 0, "—"],
                                          ["D", 100, 30, 0.3]]
    s = english["done"].found.suggested_tables["by_grade"]
    assert [r[4:] for r in grade[1:]] == [[int(s.loc[g, "leads"]), int(s.loc[g, "won"]),
                                           "—" if s.loc[g, "rate"] is None else s.loc[g, "rate"]] for g in "ABCD"]
    band = block(rows, "Conversion by score band (holdout)")
    assert [r[:4] for r in band[1:]] == [["0–49", 100, 30, 0.3], ["50–89", 0, 0, "—"], ["90+", 0, 0, "—"]]
    status = block(rows, "Conversion by status (holdout)")
    assert [r[:4] for r in status[1:]] == [["Lead", 100, 30, 0.3], ["MQL", 0, 0, "—"], ["SQL", 0, 0, "—"]]
    decile = block(rows, "Conversion by score decile (holdout; 1 = highest scores)")
    assert decile[0][:5] == ["Decile", "Scores", "Leads", "Won", "Conversion"]
    # Holdout scores, highest first: 20 leads at 30 (15 won), 20 at 20 (5 won), 30 at 10 (10 won), 30 at 0.
    assert [r[:3] for r in decile[1:]] == [["1", "30", 10], ["2", "30", 10], ["3", "20", 10], ["4", "20", 10],
                                           ["5", "10", 10], ["6", "10", 10], ["7", "10", 10], ["8", "0", 10],
                                           ["9", "0", 10], ["10", "0", 10]]
    assert sum(r[3] for r in decile[1:]) == 30


def test_the_capture_table_and_curve_and_the_rule_evidence(english):
    rows = sheet_rows(english["measured"], "Calibration")
    found = english["done"].found
    capture = block(rows, "Leads passed to sales and conversions captured (holdout)")
    assert capture[0] == ["Passed to sales", "Share of the leads", "Share of the conversions",
                          "Suggested: share of the leads", "Suggested: share of the conversions"]
    labels = [r[0] for r in capture[1:]]
    assert labels == ["Status SQL", "Status SQL or MQL"] + [f"Top {k}0% by score" for k in range(1, 11)]
    assert capture[1][1:3] == [0, 0]  # No held-out lead reaches SQL or MQL with the default model.
    assert capture[-1][1:] == [1, 1, 1, 1]
    curve = block(rows, "Capture curve: share of the conversions in the top share of the leads by score (holdout)")
    assert curve[0] == ["Top share of the leads", "Current model", "Suggested model", "At random"]
    assert [r[0] for r in curve[1:]] == [f"{k}0%" if k else "0%" for k in range(11)]
    assert [r[3] for r in curve[1:]] == [k / 10 for k in range(11)]
    tops = {r[0]: r[2] for r in capture[1:]}
    assert [r[1] for r in curve[2:]] == [tops[f"Top {k}0% by score"] for k in range(1, 11)]
    # Top 20%: the 20 leads at 30 points, 15 of the 30 conversions.
    assert curve[3][1] == 0.5
    rules = block(rows, "Rules of the current model: the held-out leads each rule gives points to, and the others")
    assert rules[0] == ["Rule", "Side", "Points", "Leads", "Won", "Conversion", "Others' conversion", "Lift"]
    by_rule = {r[0]: r[1:] for r in rules[1:]}
    role, industry = (_label(r) for r in default_model().fit_rules[:2])
    assert by_rule[industry][:6] == ["fit", 10, 50, 25, 0.5, 0.1]  # The 50 IT leads, 25 won.
    assert by_rule[industry][6] == pytest.approx(0.5 / 0.3)
    assert by_rule["Demo or trial requested"][:5] == ["behaviour", 20, 40, 20, 0.5]
    assert by_rule[role][:5] == ["fit", 15, 0, 0, "—"]
    assert block(rows, "Warnings") == [["none"]]
    suggested = block(rows, "Suggested rules (learned on the training leads; evidence from the holdout)")
    assert suggested[0] == ["Rule", "Side", "Current points", "Suggested points", "Leads", "Won", "Conversion",
                            "Others' conversion", "Lift"]
    model, current = found.suggestion.model, default_model()
    expected = [(r.points, "fit") for r in model.fit_rules] + [(r.points, "behaviour") for r in model.behaviour_rules]
    assert [(r[3], r[1]) for r in suggested[1:]] == expected
    # The existing rules first, with their current points; then the new ones, with none.
    new_fit, new_behaviour = (len(model.fit_rules) - len(current.fit_rules),
                              len(model.behaviour_rules) - len(current.behaviour_rules))
    old = [r.points for r in current.fit_rules] + [None] * new_fit + \
        [r.points for r in current.behaviour_rules] + [None] * new_behaviour
    assert [r[2] for r in suggested[1:]] == old


def test_the_sheet_carries_a_capture_curve_and_a_conversion_chart_drawn_from_its_cells(english):
    parts = members(english["measured"])
    names = lambda xml: re.findall(r'<sheet name="([^"]+)"', xml.decode())  # noqa: E731
    assert names(parts["xl/workbook.xml"]) == names(english["original"]["xl/workbook.xml"]) + ["Calibration"]
    charts = sorted(n for n in parts if n.startswith("xl/charts/"))
    assert len(charts) == 2
    line, bar = (parts[c].decode() for c in charts)
    assert "<c:lineChart>" in line and line.count("<c:ser>") == 3 and "<c:barChart>" in bar
    rows = sheet_rows(english["measured"], "Calibration")
    curve_row = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Capture curve:")) + 3
    assert f"'Calibration'!$B${curve_row}:$B${curve_row + 10}" in line  # The current model's shares.
    cached = [float(v) for v in re.findall(r"<c:v>([0-9.]+)</c:v>", line.split("<c:val>")[1].split("</c:val>")[0])]
    assert cached == [rows[curve_row - 1 + k][1] for k in range(11)]
    assert "Conversion by score band (holdout)" in bar and bar.count("<c:ser>") == 2


@pytest.mark.slow
def test_without_apply_the_leadscore_sheet_and_everything_else_of_the_book_stay_as_they_were(english):
    before, after = english["original"], members(english["measured"])
    changed = {n for n in before if n in after and before[n] != after[n]}
    assert changed == {"[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/workbook.xml", "xl/styles.xml",
                       "docProps/app.xml"}  # The new sheet's entries, and its cell formats appended.
    assert set(before) <= set(after)
    book = PackageBook(english["measured"])
    with book:
        part = book._part("LeadScore")
    assert before[part] == after[part]
    assert english["out"].splitlines()[-1] == (f"The LeadScore sheet was not changed; `leadscore calibrate "
                                               f"{english['measured']} --apply` applies the suggestion.")
    # A second run replaces the sheet in place: still one Calibration sheet, two charts.
    again = english["folder"] / "again.xlsx"
    shutil.copy(english["measured"], again)
    assert run("calibrate", again, *SINCE, *AS_OF)[0] == 0
    names = re.findall(r'<sheet name="([^"]+)"', members(again)["xl/workbook.xml"].decode())
    assert names == re.findall(r'<sheet name="([^"]+)"', after["xl/workbook.xml"].decode())
    assert len([n for n in members(again) if n.startswith("xl/charts/")]) == 2
    assert sheet_rows(again, "Calibration") == sheet_rows(english["measured"], "Calibration")


@pytest.mark.slow
def test_apply_writes_the_suggestion_that_check_accepts_and_rescore_reproduces(english):
    applied, found = english["applied"], english["done"].found
    code, out, err = run("check", applied)
    assert code == 0, out + err
    with PackageBook(applied) as book:
        sheet = ModelSheet(book)
    wanted, _ = check(found.suggestion.model)
    rules = lambda m: [(r.column, r.operator, r.value, r.points) for r in m.fit_rules] + \
        [(r.name, r.column, r.kind, r.operator, r.value, r.points, r.cap) for r in m.behaviour_rules]  # noqa: E731
    assert rules(sheet.model) == rules(wanted.model)
    assert [b.min_fit for b in sheet.model.grade_bands] == [b.min_fit for b in found.suggestion.model.grade_bands]
    assert [r.min_score for r in sheet.model.status_rules] == [r.min_score for r in found.suggestion.model.status_rules]
    # The score bands follow the thresholds; their names say their new scores, and so do the matrix's
    # headers, which are its table's column names too (Excel repairs a file where the two differ).
    bands = found.suggestion.model.score_bands
    sql, mql = sorted(r.min_score for r in found.suggestion.model.status_rules)[::-1][:2]
    assert [b.min_score for b in bands] == [0, mql, sql]
    assert [b.label for b in bands] == [f"0–{mql - 1}", f"{mql}–{sql - 1}" if sql - 1 > mql else f"{mql}", f"{sql}+"]
    assert [(b.label, b.min_score) for b in sheet.model.score_bands] == [(b.label, b.min_score) for b in bands]
    ws = openpyxl.load_workbook(applied)["LeadScore"]
    matrix = ws.tables["tblMatrix"]
    first, last = matrix.ref.split(":")
    header = [c.value for c in ws[f"{first}:{last[:-len(str(ws[last].row))]}{ws[first].row}"][0]]
    assert header == ["Grade"] + [b.label for b in bands] == [c.name for c in matrix.tableColumns]
    assert sheet.model.matrix == found.model.matrix  # Each band keeps its actions.
    rescored = english["folder"] / "rescored.xlsx"
    assert run("rescore", applied, "--out", rescored, *AS_OF)[0] == 0
    leads = workflow.read_leads(rescored)
    assert leads["Score"].astype(float).tolist() == found.suggestion.scores.astype(float).tolist()
    assert leads["Score"].astype(float).tolist() == score(english["frame"], sheet.model)["score"].astype(float).tolist()


def test_the_changelog_has_one_row_per_change_with_old_and_new_values(english):
    applied, done = english["applied"], english["done"]
    found = done.found
    ws = openpyxl.load_workbook(applied)["LeadScore"]
    assert done.changelog == "LeadScore!BW3"
    assert ws["BW2"].value.startswith("Changelog (leadscore calibrate --apply): one row per change")
    header = [ws.cell(3, c).value for c in range(75, 81)]
    assert header == list(CHANGELOG_HEADERS["en"])
    log = [[ws.cell(r, c).value for c in range(75, 81)] for r in range(4, 4 + len(done.changes))]
    assert ws.cell(4 + len(done.changes), 75).value is None
    assert all(r[0] == WHEN for r in log)
    by_cell = {r[2]: r for r in log}
    # Every changed points cell: the old value as the template held it, the suggested one, and why.
    model, suggested = default_model(), found.suggestion.model
    for i, (old, new) in enumerate(zip(model.fit_rules, suggested.fit_rules)):
        cell = f"LeadScore!E{4 + i}"
        if old.points == new.points:
            assert cell not in by_cell
        else:
            assert by_cell[cell][1:5] == [f"Fit rule {new.label or _label(new)!r}: points", cell, old.points,
                                          new.points]
            assert ws[cell[len('LeadScore!'):]].value == new.points
    industry = by_cell["LeadScore!E5"]
    assert industry[5] == ("learned on the training leads; on the holdout 50 leads get it, 50.0% of them converted "
                           "against 10.0% of the others (lift 1.67)")
    # A count rule the bins of its column replace keeps its row with 0 points.
    demo = next(r for r in log if r[1] == "Behaviour rule 'Demo or trial requested': points")
    assert demo[3:5] == [20, 0] and demo[5].startswith("its column 'Demo requests' is learned as bins")
    # Each new rule: the table row it fills, and its points there.
    new_rules = [r for r in log if r[1].startswith("New ")]
    assert len(new_rules) == len(suggested.fit_rules) - 4 + len(suggested.behaviour_rules) - 9
    for r in new_rules:
        first, last = r[2][len("LeadScore!"):].split(":")
        row = int(first[1:])
        values = [ws.cell(row, c).value for c in range(openpyxl.utils.column_index_from_string(first[0]),
                                                       openpyxl.utils.column_index_from_string(last[0]) + 1)]
        assert r[3] is None and r[4] in values
    assert ws.tables["tblChangelog"].ref == f"BW3:CB{3 + len(done.changes)}"
    bands = {r[1]: r[2:5] for r in log if r[1].startswith(("Score band", "Matrix"))}
    old_bands, new_bands = model.score_bands, suggested.score_bands
    assert bands == {
        f"Score band {new_bands[1].label}: minimum score": ["LeadScore!AC5", 50, new_bands[1].min_score],
        f"Score band {new_bands[2].label}: minimum score": ["LeadScore!AC6", 90, new_bands[2].min_score],
        **{f"Score band {o.label}: name": [f"LeadScore!AB{4 + i}", o.label, n.label]
           for i, (o, n) in enumerate(zip(old_bands, new_bands))},
        **{f"Matrix: header of band {o.label}": [f"LeadScore!A{'FGH'[i]}3", o.label, n.label]
           for i, (o, n) in enumerate(zip(old_bands, new_bands))}}
    grades = {r[1]: r[3:5] for r in log if r[1].startswith("Grade band")}
    assert grades == {f"Grade band {b.grade}: minimum fit points": [o.min_fit, b.min_fit]
                      for o, b in zip(model.grade_bands, suggested.grade_bands)
                      if b.min_fit is not None and b.min_fit != o.min_fit}


def _label(rule) -> str:
    from scoring.engine import rule_label

    return rule_label(rule)


@pytest.mark.slow
def test_applying_again_on_the_same_split_changes_nothing_and_another_split_adds_rows_below(english):
    same = english["folder"] / "same.xlsx"
    code, out, _ = run("calibrate", english["applied"], "--apply", *SINCE, *AS_OF, "--out", same)
    assert code == 0 and out.splitlines()[-1] == "The suggestion is the model as it is: nothing to apply."
    later = WHEN + dt.timedelta(days=1)
    second = english["folder"] / "second.xlsx"
    done = calibrate_file(english["applied"], out=second, apply=True, when=later, seed=3)
    first = len(english["done"].changes)
    assert len(done.changes) > 0
    ws = openpyxl.load_workbook(second)["LeadScore"]
    assert ws.tables["tblChangelog"].ref == f"BW3:CB{3 + first + len(done.changes)}"
    assert [ws.cell(r, 75).value for r in (4, 3 + first, 4 + first, 3 + first + len(done.changes))] == \
        [WHEN, WHEN, later, later]
    assert [ws.cell(4 + first + i, 76).value for i in range(len(done.changes))] == [c.what for c in done.changes]


@pytest.mark.slow
def test_the_italian_book_gets_the_sheet_and_the_changelog_in_italian(tmp_path):
    book = make_book(tmp_path / "libro.xlsx", italian_leads(), language="it", outcome="Esito")
    code, out, err = run("calibrate", book, "--apply", *SINCE, *AS_OF)
    assert (code, err) == (0, ""), err
    wb = openpyxl.load_workbook(book)
    assert "Calibrazione" in wb.sheetnames and "Calibration" not in wb.sheetnames
    rows = [list(r) for r in wb["Calibrazione"].iter_rows(values_only=True)]
    assert rows[0][0] == "Calibrazione del modello – 23/11/2026"
    head = {r[0]: r[1] for r in rows[1:8]}
    assert head["Suddivisione"] == ("per data (Creato il): appreso sui lead prima del 01/06/2026, verificato su "
                                    "quelli dal 01/06/2026 in poi")
    assert head["Colonna esito"] == "Esito" and head["Misurato su (lead di verifica)"] == 100
    assert head["Cosa è cambiato"].startswith("Il suggerimento è stato applicato: ")
    grade = block(rows, "Conversione per grado (lead di verifica)")
    assert grade[0][:4] == ["Grado", "Lead", "Vinti", "Conversione"] and grade[4][:4] == ["D", 100, 30, 0.3]
    assert block(rows, "Avvisi") == [["nessuno"]]
    rules = block(rows, "Regole del modello attuale: i lead di verifica a cui ogni regola dà punti, e gli altri")
    assert rules[0][:2] == ["Regola", "Parte"] and {r[1] for r in rules[1:]} == {"profilo", "comportamento"}
    ws = wb["LeadScore"]
    assert [ws.cell(3, c).value for c in range(75, 81)] == ["Quando", "Cosa", "Cella", "Prima", "Dopo", "Perché"]
    assert ws["BW2"].value.startswith("Registro modifiche (leadscore calibrate --apply)")
    whats = [ws.cell(r, 76).value for r in range(4, 40) if ws.cell(r, 76).value]
    points = [w for w in whats if w.endswith("': punti")]
    assert points and all(w.startswith(("Regola di profilo '", "Regola di comportamento '")) for w in points)
    assert "Nuova regola di comportamento 'Richieste demo = 1' (riga 13)" in whats
    new_row = next(r for r in range(4, 40) if str(ws.cell(r, 76).value).startswith("Nuova regola di comportamento"))
    row = int(re.search(r"\(riga (\d+)\)", ws.cell(new_row, 76).value).group(1))
    assert ws.cell(row, 13).value == "condizione"  # The rule's kind, in the book's words (column M).
    assert [ws.cell(row, c).value for c in (10, 14, 15)] == ["Richieste demo", "=", "1"]  # Column, operator, value.
    why = ws.cell(new_row, 80).value
    assert why.startswith("appreso sui lead di addestramento; sui lead di verifica lo ricevono ") and "%" in why
    assert run("check", book)[0] == 0


def test_bad_input_is_one_line_and_nothing_is_written(tmp_path):
    none = make_book(tmp_path / "none.xlsx", hand_leads(), outcome="")
    before = sha256(none)
    assert run("calibrate", none, "--apply") == (
        1, "", f"Error: {none}: no outcome column: set the Outcome column setting on the LeadScore sheet, or name the "
               "column that says what happened to each lead (won / lost) with --outcome\n")
    assert sha256(none) == before
    few = hand_leads().iloc[:139].copy()
    few["Outcome"] = ["won"] * 39 + ["lost"] * 100
    small = make_book(tmp_path / "few.xlsx", few)
    before = sha256(small)
    assert run("calibrate", small, "--out", tmp_path / "copy.xlsx") == (
        1, "", f"Error: {small}: too little data: 39 conversions and 100 non-conversions in 'Outcome'; calibrate "
               "needs at least 40 of each\n")
    assert sha256(small) == before and not (tmp_path / "copy.xlsx").exists()


def test_apply_never_writes_over_a_cell_below_a_rule_table(tmp_path):
    book = make_book(tmp_path / "busy.xlsx", hand_leads())
    wb = openpyxl.load_workbook(book)
    wb["LeadScore"]["J13"] = "my note"  # Just below the Behaviour rules table (I3:P12), where a new rule would go.
    wb.save(book)
    before = sha256(book)
    assert run("calibrate", book, "--apply", *SINCE) == (
        1, "", "Error: 1 problem(s); nothing was written.\n  LeadScore!J13: --apply adds 1 rule to the Behaviour rules "
               "(what the lead does) table, which grows down to row 13, but this cell is not empty; move what is "
               "there\n")
    assert sha256(book) == before


@pytest.mark.slow
def test_the_calibrate_macro_writes_what_the_command_line_writes(english):
    book = xlstub.from_file(english["book"])
    text = macros.calibrate(book, as_of=WHEN, quiet=False)
    assert book.app.alerts == [("Lead Score", text)]
    found = calibrate_found(english)
    assert text.splitlines()[:2] == [
        "Calibration sheet 'Calibration' written: 60 held-out leads (random, stratified by outcome: 30% held out "
        "(seed 0)).", f"AUC on the holdout: current model {found.auc:.3f}, suggested model {found.suggested_auc:.3f}."]
    assert text.splitlines()[-1] == "The LeadScore sheet was not changed; run calibrate_apply to apply the suggestion."
    sheet = book.sheets["Calibration"]
    # Cell for cell what the command line's defaults write to a file (30% held out, seed 0).
    copy = english["folder"] / "by-file.xlsx"
    calibrate_file(english["book"], out=copy, when=WHEN)
    stored = lambda v: float(v) if isinstance(v, int) and not isinstance(v, bool) else v  # noqa: E731
    file_rows = [[stored(v) for v in r] for r in sheet_rows(copy, "Calibration")]
    assert sheet.value_rows(1, 1, len(file_rows), len(file_rows[0])) == file_rows
    assert [c.chart_type for c in sheet.charts] == ["line_markers", "column_clustered"]
    assert book.sheets["LeadScore"].tables[-1].name != "tblChangelog"
    applied = macros.calibrate_apply(book, as_of=WHEN, quiet=True)
    assert "changes on the LeadScore sheet, each a row of its Changelog (LeadScore!BW3)" in applied
    assert book.sheets["LeadScore"].tables[-1].name == "tblChangelog"


def calibrate_found(english):
    """The random split the macro uses (30% held out, seed 0), on the same leads."""
    with PackageBook(english["book"]) as b:
        model = ModelSheet(b).model
    return calibrate(english["frame"], model, holdout=0.3, seed=0)


def test_without_scikit_learn_the_lite_script_says_so_and_still_measures(english, monkeypatch):
    for name in ("sklearn", "sklearn.linear_model"):  # As in xlwings Lite before scikit-learn is added.
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setattr(sys, "platform", "emscripten")
    book = xlstub.from_file(english["book"], lite=True)
    text = macros.calibrate(book, as_of=WHEN, quiet=True)
    assert text.splitlines()[-1] == (
        "The suggestion needs scikit-learn, which xlwings Lite has not loaded: add the line scikit-learn to "
        "requirements.txt in the xlwings Lite editor (Pyodide provides it; it is a large download), then run "
        "calibrate again.")
    rows = book.sheets["Calibration"].value_rows()
    assert ["What changed", "No suggestion: it needs scikit-learn, which this Python lacks"] in [r[:2] for r in rows]
    assert not any(r[0] == "Suggested model" for r in rows)
    refused = macros.calibrate_apply(book, as_of=WHEN, quiet=True)
    assert refused.startswith("Nothing was changed: The suggestion needs scikit-learn")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                    reason="LibreOffice (soffice) is not installed; .ci/run installs it")
def test_libreoffice_opens_the_calibrated_book_and_reads_the_sheet_and_the_changelog(english, tmp_path):
    sheets = recalculated_sheets(english["applied"], tmp_path, timeout=300)
    rows = sheets["Calibration"]
    assert rows[0][0] == "Calibration of the model – 2026-11-23"
    by_label = {r[0]: r for r in rows if r}
    assert by_label["Measured on (held-out leads)"][1] == "100"
    assert float(by_label["Current model"][1]) == pytest.approx(1700 / 2100, abs=1e-12)
    log = sheets["LeadScore"]
    assert log[2][74:80] == list(CHANGELOG_HEADERS["en"])
    assert len([r for r in log[3:] if len(r) > 75 and r[75]]) == len(english["done"].changes)


@pytest.mark.slow
def test_the_bank_leads_applied_check_and_rescore_to_the_suggested_scores(tmp_path):
    leads = pd.read_csv(BANK, sep=";").drop(columns=["duration"])
    model = bank_model()
    model.behaviour_rules = [r for r in model.behaviour_rules if r.column != "duration"]
    model.settings.outcome_column = "y"
    book = tmp_path / "bank.xlsx"
    template.build(book, model, with_template_columns(leads), None, "en", "b2b")
    code, out, err = run("calibrate", book, "--apply", "--seed", 42, *AS_OF)
    assert code == 0, err
    assert "Applied the suggestion: " in out
    assert run("check", book)[0] == 0
    assert run("rescore", book, *AS_OF)[0] == 0
    with PackageBook(book) as b:
        applied = ModelSheet(b).model
    frame = workflow.read_leads(book)
    expected = calibrate(pd.read_csv(BANK, sep=";").drop(columns=["duration"]), model, outcome="y", seed=42)
    assert frame["Score"].astype(float).tolist() == expected.suggestion.scores.astype(float).tolist()
    assert expected.suggested_auc >= 0.73 and np.isfinite(expected.suggested_auc)
    # Conversion rises across the suggested score bands (as across grades), each band holding leads.
    for table in ("by_band", "by_grade"):
        rates = expected.suggested_tables[table]
        assert (rates["leads"] > 0).all() and list(rates["rate"]) == sorted(rates["rate"], reverse=table == "by_grade")
    assert [b.label for b in applied.score_bands] == list(expected.suggested_tables["by_band"].index)
    assert len(applied.fit_rules) == len(expected.suggestion.model.fit_rules)


LITE_RUNNER = r'''
import importlib.abc, importlib.machinery, json, sys
bundle, tests, book_path, block = sys.argv[1:5]
PACKAGES = ("scoring", "workbook", "addin")


class OnlyTheBundle(importlib.abc.MetaPathFinder):
    """Our packages load from the bundle zip or not at all, as in xlwings Lite."""

    def find_spec(self, name, path=None, target=None):
        if block == "yes" and name.partition(".")[0] == "sklearn":
            raise ModuleNotFoundError(f"{name} is blocked in this test")
        if name.partition(".")[0] not in PACKAGES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, [bundle] if path is None else
                                                        [p for p in path if str(p).startswith(bundle)])
        if spec is None:
            raise ModuleNotFoundError(f"{name} is not in the bundle")
        return spec


sys.meta_path.insert(0, OnlyTheBundle())
sys.path.insert(0, bundle)
sys.path.append(tests)
import datetime as dt
import xlstub
from addin import macros
book = xlstub.from_file(book_path, lite=True)
text = macros.calibrate_apply(book, as_of=dt.datetime(2026, 11, 23, 9), quiet=True)
names = sorted(n for n, m in sys.modules.items() if n.partition(".")[0] in PACKAGES and getattr(m, "__file__", ""))
print("RESULT " + json.dumps({"text": text, "sheets": [s.name for s in book.sheets], "modules": names}))
'''


@pytest.mark.slow
@pytest.mark.parametrize("learner", ["scikit-learn", "none"])
def test_the_lite_scripts_run_from_the_bundle_alone(english, tmp_path, learner):
    import json
    import subprocess

    from addin import lite

    bundle = tmp_path / "leadscore-bundle.zip"
    bundle.write_bytes(lite.bundle())
    runner = tmp_path / "runner.py"
    runner.write_text(LITE_RUNNER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, str(runner), str(bundle), str(Path(__file__).parent), str(english["book"]),
                           "yes" if learner == "none" else "no"], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))[len("RESULT "):])
    assert not [m for m in result["modules"] if m.startswith("workbook.xlsx")]
    if learner != "none":  # (Without scikit-learn, calibrate_apply changes nothing, the sheet included.)
        assert "Calibration" in result["sheets"]
    if learner == "none":
        assert result["text"] == ("Nothing was changed: The suggestion needs scikit-learn, which this Python lacks: "
                                  "install it (pip install scikit-learn) and run Calibrate again.")
    else:
        assert "changes on the LeadScore sheet, each a row of its Changelog (LeadScore!BW3)" in result["text"]

"""Issue 12, part 5: outcomes — an Outcome column setting, never changing Status or Action, and the
Report's conversion by grade, status, score band and decile with the capture table.

Reading outcome words (English, Italian, numbers, TRUE/FALSE, placeholders; unreadable cells as
problems), the setting on the LeadScore sheet (and books without its row), the figures computed by
hand, and the Report written by both file paths (the package path of the command line and the
openpyxl FileBook) read back with exact values.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from scoring import default_model, score
from scoring.outcomes import LOST, UNKNOWN, UNREADABLE, WON, outcome_codes
from scoring.report import funnel
from workbook import template, workflow
from workbook.filebook import FileBook
from workbook.layout import SETTINGS
from workbook.model_sheet import ModelSheet
from workbook.report_sheet import LABELS, NONE, REPORT_SHEET

from native_check import with_template_columns

AS_OF = dt.datetime(2026, 11, 23, 9, 0)


def test_outcome_words_numbers_booleans_and_placeholders():
    values = pd.Series(["Won", " converted ", "YES", "1", 1, 1.0, True, "sì", "Vinto", "convertito",
                        "lost", "Not converted", "no", "0", 0, False, "perso", "non convertito",
                        None, "", "n/a", float("nan"), "maybe", 2, "1.0"], dtype=object)
    codes = outcome_codes(values, frozenset({"n/a"}))
    assert codes.tolist() == [WON] * 10 + [LOST] * 8 + [UNKNOWN] * 4 + [UNREADABLE] * 3


def outcome_model(language="en"):
    model = default_model("b2b", language)
    model.settings.outcome_column = "Outcome"
    return model


# Twelve leads of the default model, by hand: (role, industry, employees, revenue, demo, stage, outcome).
# Fit: role level >= 3 +15, IT/Manufacturing +10, > 50 employees +10, revenue > 1M +15; demo +20 each.
HAND = [
    ("CEO", "IT", 100, 2_000_000, 3, None, "won"),          # A, 50 + 50 = 100, SQL
    ("CEO", "IT", 100, 2_000_000, 2, None, "lost"),         # A, 50 + 40 = 90, SQL
    ("CEO", "IT", 100, 2_000_000, 1, None, "yes"),          # A, 70, MQL
    ("CEO", "IT", 100, 500_000, 1, None, None),             # B, 35 + 20 = 55, MQL
    ("CEO", "IT", 100, 500_000, 0, None, "no"),             # B, 35, Lead
    ("Intern", "IT", 100, 2_000_000, 1, "Customer", "lost"),  # B, 35 + 20 = 55, Customer: won
    ("Intern", "Retail", 100, 2_000_000, 2, None, "maybe"),  # C, 25 + 40 = 65, Lead (unreadable)
    ("Intern", "Retail", 100, 2_000_000, 0, None, "0"),     # C, 25, Lead
    ("Intern", "Retail", 10, 500_000, 2, None, "1"),        # D, 0 + 40 = 40, Lead
    ("Intern", "Retail", 10, 500_000, 0, None, "perso"),    # D, 0, Lead
    ("Intern", "Retail", 10, 500_000, 1, "Disqualified", "n/a"),  # D, 20, Disqualified (placeholder)
    ("CEO", "Retail", 10, 500_000, 0, None, "Vinto"),       # C, 15, Lead
]


def hand_leads(language="en") -> pd.DataFrame:
    cols = ("Role", "Industry", "Employees", "Annual revenue", "Demo requests", "Stage", "Outcome")
    if language == "it":
        cols = ("Ruolo", "Settore", "Dipendenti", "Fatturato annuo", "Richieste demo", "Fase", "Outcome")
    leads = pd.DataFrame(HAND, columns=cols, dtype=object)
    leads.insert(0, "Lead ID" if language == "en" else "ID lead", [f"L{i}" for i in range(1, 13)])
    return with_template_columns(leads, language)


def test_outcomes_never_change_the_score_status_or_action_and_bad_ones_are_problems():
    leads = hand_leads()
    with_outcomes, without = score(leads, outcome_model()), score(leads, default_model())
    for column in ("fit", "grade", "behaviour", "score", "rating", "status", "action", "reasons"):
        assert with_outcomes[column].tolist() == without[column].tolist(), column
    assert with_outcomes["score"].tolist() == [100, 90, 70, 55, 35, 55, 65, 25, 40, 0, 20, 15]
    assert with_outcomes["status"].tolist() == ["SQL", "SQL", "MQL", "MQL", "Lead", "Customer", "Lead", "Lead",
                                                "Lead", "Lead", "Disqualified", "Lead"]
    assert with_outcomes["problems"].iat[6] == ("Outcome: 'maybe' is not an outcome (won, converted, yes, 1 or "
                                                "lost, no, 0; blank = unknown), so it counts as unknown")
    assert (with_outcomes["problems"].drop(6) == "").all()
    italian = outcome_model("it")
    assert score(hand_leads("it"), italian)["problems"].iat[6].endswith(
        "Outcome: 'maybe' non è un esito (vinto, convertito, sì, 1 o perso, no, 0; vuoto = non noto), quindi conta "
        "come non noto")


def test_an_outcome_column_the_leads_lack_is_an_error():
    model = outcome_model()
    model.settings.outcome_column = "Outcomes"
    with pytest.raises(Exception) as error:
        score(hand_leads(), model)
    assert str(error.value) == ("settings, outcome_column: 'Outcomes' is not a column of the leads (closest: "
                                "Outcome); name the Leads column that says what happened to each lead, or clear "
                                "the setting")


def hand_funnel():
    leads = hand_leads()
    model = outcome_model()
    return funnel(leads, score(leads, model), pd.DataFrame(), model, AS_OF.date())


def test_conversion_by_grade_status_band_and_decile_by_hand():
    o = hand_funnel().outcomes
    assert (o["column"], o["leads"], o["known"], o["won"], o["unreadable"]) == ("Outcome", 12, 9, 5, 1)
    table = lambda t: [[k, *r] for k, r in zip(t.index, t[["leads", "known", "won", "rate"]].values.tolist())]  # noqa: E731
    assert table(o["by_grade"]) == [["A", 3, 3, 2, 2 / 3], ["B", 3, 2, 1, 0.5], ["C", 3, 2, 1, 0.5],
                                    ["D", 3, 2, 1, 0.5]]
    assert table(o["by_status"]) == [["Lead", 6, 5, 2, 0.4], ["MQL", 2, 1, 1, 1.0], ["SQL", 2, 2, 1, 0.5],
                                     ["Customer", 1, 1, 1, 1.0], ["Disqualified", 1, 0, 0, None]]
    assert table(o["by_band"]) == [["0\u201349", 6, 5, 2, 0.4], ["50\u201389", 4, 2, 2, 1.0],
                                   ["90+", 2, 2, 1, 0.5]]
    # Scores high to low: 100 90 70 65 (55 55) 40 35 25 20 (15 0): the top k tenths end at
    # floor(k*12/10) = 1 2 3 4 6 7 8 9 10 12, the two 55s in decile 5, 15 and 0 in decile 10.
    deciles = o["by_decile"]
    assert deciles["leads"].tolist() == [1, 1, 1, 1, 2, 1, 1, 1, 1, 2]
    assert deciles["max_score"].tolist() == [100, 90, 70, 65, 55, 40, 35, 25, 20, 15]
    assert deciles["min_score"].tolist() == [100, 90, 70, 65, 55, 40, 35, 25, 20, 0]
    assert deciles["known"].tolist() == [1, 1, 1, 0, 1, 1, 1, 1, 0, 2]
    assert deciles["won"].tolist() == [1, 0, 1, 0, 1, 1, 0, 0, 0, 1]
    assert deciles["rate"].tolist() == [1.0, 0.0, 1.0, None, 1.0, 1.0, 0.0, 0.0, None, 0.5]
    capture = o["capture"]
    assert capture["passed"].tolist() == [("status", ("SQL",)), ("status", ("SQL", "MQL"))] + [
        ("deciles", k) for k in range(1, 11)]
    assert capture["leads"].tolist() == [2, 4, 1, 2, 3, 4, 6, 7, 8, 9, 10, 12]
    assert capture["won"].tolist() == [1, 2, 1, 1, 2, 2, 3, 4, 4, 4, 4, 5]  # The deciles' won, added up.
    assert capture["share_leads"].tolist() == [2 / 12, 4 / 12, 1 / 12, 2 / 12, 3 / 12, 4 / 12, 6 / 12, 7 / 12,
                                               8 / 12, 9 / 12, 10 / 12, 1.0]
    assert capture["share_won"].tolist() == [0.2, 0.4, 0.2, 0.2, 0.4, 0.4, 0.6, 0.8, 0.8, 0.8, 0.8, 1.0]


def test_without_the_setting_there_are_no_outcome_figures_and_no_blocks():
    leads = hand_leads()
    f = funnel(leads, score(leads, default_model()), pd.DataFrame(), default_model(), AS_OF.date())
    assert f.outcomes is None
    wb = openpyxl.Workbook()
    from workbook.report_sheet import write_report
    ws = write_report(wb, f, "en", AS_OF)
    assert not [c for row in ws.iter_rows() for c in row if c.value == LABELS["capture"][0]]


# --- the workbook: the setting, and the Report by both file paths ---------------------------

def book(tmp_path, language="en", name="book.xlsx"):
    path = tmp_path / name
    template.build(path, outcome_model(language), hand_leads(language), None, language, "b2b")
    return path


@pytest.mark.slow
def test_the_setting_is_written_and_read_back_and_older_books_lack_it(tmp_path):
    expected = {"en": "is not a column of the leads (closest: Outcome); name the Leads column that says what "
                      "happened to each lead, or clear the setting",
                "it": "non è una colonna dei lead (le più vicine: Outcome); indica la colonna dei lead che dice "
                      "cosa è successo a ogni lead, o svuota l'impostazione"}
    for language, label in (("en", "Outcome column"), ("it", "Colonna esito")):
        path = book(tmp_path, language, f"{language}.xlsx")
        sheet = ModelSheet(FileBook(path))
        assert sheet.errors == [] and sheet.model.settings.outcome_column == "Outcome"
        assert sheet.setting_cells["outcome_column"][1] == label
        (row, col), _ = sheet.setting_cells["outcome_column"]
        wb = openpyxl.load_workbook(path)
        ws = wb["LeadScore"]
        ws.cell(row, col).value = "Outcomes"
        wb.save(path)
        assert workflow.check(path).errors == [
            f"LeadScore!{ws.cell(row, col).coordinate}: {label} 'Outcomes' {expected[language]}"]
    # A book made before the setting: the row is not there, and there are no outcome figures.
    path = book(tmp_path, "en", "old.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    (row, col), _ = ModelSheet(FileBook(path)).setting_cells["outcome_column"]
    table = ws.tables["tblSettings"]
    assert row == int(table.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))  # The last row.
    for c in range(col - 1, col + 2):
        ws.cell(row, c).value = None
    start, end = table.ref.split(":")
    table.ref = f"{start}:{end.rstrip('0123456789')}{row - 1}"
    wb.save(path)
    sheet = ModelSheet(FileBook(path))
    assert sheet.errors == [] and sheet.model.settings.outcome_column == ""
    assert len(sheet.setting_cells) == len(SETTINGS) - 1


def report_rows(path) -> list:
    ws = openpyxl.load_workbook(path)[REPORT_SHEET]
    return [[(c.value, c.number_format if not isinstance(c.value, str) else None) for c in row]
            for row in ws.iter_rows()]


def block(rows, title) -> list:
    """The values of a block's table: the rows after its title and header, up to a blank row."""
    start = next(i for i, r in enumerate(rows) if r[0][0] == title) + 2
    out = []
    for r in rows[start:]:
        if r[0][0] is None:
            break
        out.append([v for v, _ in r if v is not None])
    return out


@pytest.mark.slow
def test_the_report_shows_outcomes_the_same_by_both_file_paths(tmp_path):
    by_package = book(tmp_path, name="package.xlsx")
    workflow.run(by_package, as_of=AS_OF, steps=("rescore", "report"))
    by_openpyxl = book(tmp_path, name="openpyxl.xlsx")
    filebook = FileBook(by_openpyxl)
    workflow.run_book(filebook, AS_OF, ("rescore", "report"))
    filebook.save()
    ours, theirs = report_rows(by_package), report_rows(by_openpyxl)
    width = max(len(r) for r in ours + theirs)
    pad = lambda rows: [r + [(None, None)] * (width - len(r)) for r in rows]  # noqa: E731
    same = lambda rows: [[(round(v, 12) if isinstance(v, float) else v, f) for v, f in r] for r in pad(rows)]  # noqa: E731
    assert same(ours) == same(theirs)

    rows = ours
    note = next(v for r in rows for v, _ in r if isinstance(v, str) and v.startswith("Outcomes (column"))
    assert note == ("Outcomes (column Outcome): 9 of 12 leads with a known outcome, 5 won; 1 unreadable cells "
                    "count as unknown; Status Customer counts as won; conversion = won \u00f7 known")
    assert block(rows, "Conversion by grade") == [["A", 3, 3, 2, 2 / 3], ["B", 3, 2, 1, 0.5],
                                                  ["C", 3, 2, 1, 0.5], ["D", 3, 2, 1, 0.5]]
    assert block(rows, "Conversion by status") == [["Lead", 6, 5, 2, 0.4], ["MQL", 2, 1, 1, 1], ["SQL", 2, 2, 1, 0.5],
                                                   ["Customer", 1, 1, 1, 1], ["Disqualified", 1, 0, 0, NONE]]
    assert block(rows, "Conversion by score band (outcomes)") == [
        ["0\u201349", 6, 5, 2, 0.4], ["50\u201389", 4, 2, 2, 1], ["90+", 2, 2, 1, 0.5]]
    deciles = block(rows, "Conversion by score decile (1 = highest scores)")
    assert deciles[0] == [1, 100, 100, 1, 1, 1, 1] and deciles[3] == [4, 65, 65, 1, 0, 0, NONE]
    assert deciles[9] == [10, 15, 0, 2, 2, 1, 0.5]
    assert [d[0] for d in deciles] == list(range(1, 11))
    capture = block(rows, "Leads passed to sales vs conversions captured")
    assert capture[:3] == [["Status SQL", 2, 2 / 12, 1, 0.2], ["Status SQL or MQL", 4, 4 / 12, 2, 0.4],
                           ["Top 10% by score", 1, 1 / 12, 1, 0.2]]
    assert capture[-1] == ["Top 100% by score", 12, 1, 5, 1]
    formats = {f for r in rows for v, f in r if isinstance(v, float) and 0 < v < 1}
    assert formats == {"0.0%"}
    # The outcome column is read, never written: the Leads sheet still holds what was typed.
    ws = openpyxl.load_workbook(by_package)["Leads"]
    header = [c.value for c in ws[1]]
    assert [ws.cell(r, header.index("Outcome") + 1).value for r in range(2, 14)] == [h[6] for h in HAND]
    assert [ws.cell(r, header.index("Status") + 1).value for r in range(2, 14)][5] == "Customer"


def test_the_italian_report_names_its_outcome_blocks_in_italian(tmp_path):
    path = book(tmp_path, "it")
    workflow.run(path, as_of=AS_OF, steps=("rescore", "report"))
    rows = report_rows(path)
    assert block(rows, "Conversione per grado")[0] == ["A", 3, 3, 2, 2 / 3]
    capture = block(rows, "Lead passati alle vendite e conversioni catturate")
    assert capture[1][0] == "Stato SQL o MQL" and capture[2][0] == "Primo 10% per punteggio"


def test_random_outcomes_add_up_over_every_table():
    rng = np.random.default_rng(3)
    from scoring.sample import sample_leads
    leads = sample_leads(1500, seed=8)
    leads["Outcome"] = rng.choice(["won", "lost", None, "?", 1, 0], len(leads))
    model = outcome_model()
    o = funnel(leads, score(leads, model), pd.DataFrame(), model).outcomes
    for key in ("by_grade", "by_status", "by_band", "by_decile"):
        assert o[key][["leads", "known", "won"]].sum().tolist() == [1500, o["known"], o["won"]], key
    assert o["capture"]["leads"].iat[-1] == 1500 and o["capture"]["won"].iat[-1] == o["won"]
    assert o["by_decile"]["leads"].tolist() == [150] * 10
    assert (np.diff(o["capture"]["won"].to_numpy()[2:]) >= 0).all()


def test_with_outcomes_the_heat_map_is_shaded_by_conversion_and_keeps_its_counts():
    from workbook.report_layout import report_layout

    f = hand_funnel()
    nan = None
    rates = [[None if v != v else v for v in row] for row in f.heat_conversion.to_numpy().tolist()]
    assert rates == [[nan, 1.0, 0.5], [0.0, 1.0, nan], [0.5, nan, nan], [0.5, nan, nan]]  # Won ÷ known per cell.
    layout = report_layout(f, "en", AS_OF)
    top = next(c.row for c in layout.cells if c.value == "Grade" and c.col == 1)
    cells = {(c.row - top, c.col): (c.value, c.style) for c in layout.cells if top < c.row <= top + 4 and 2 <= c.col <= 4}
    assert [[cells[(i, c)] for c in (2, 3, 4)] for i in range(1, 5)] == [
        [(0, "int"), (1, "shade1"), (2, "shade3")], [(1, "int"), (2, "shade1"), (0, "int")],
        [(2, "shade3"), (1, "int"), (0, "int")], [(3, "shade3"), (0, "int"), (0, "int")]]
    assert LABELS["shade_conversion"][0] in [c.value for c in layout.cells]

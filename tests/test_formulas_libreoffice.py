"""Native formulas proven by a real spreadsheet engine: LibreOffice recalculates a native
workbook and every output cell must equal the engine's value.

The workbook holds more than 10,000 generated leads: sample leads (messy), every boundary of
the fit and score bands, blanks, numbers written as text the Italian and English way,
currency, scientific notation, garbage, yes/no words, booleans, negative behaviour, caps,
sales stages; the model uses each of the 12 operators, fractional and negative points and
caps. LibreOffice (headless, with a profile that forces recalculation on load) computes it;
openpyxl reads LibreOffice's results back; the engine scores the same workbook. Then the
LeadScore sheet is edited (weights, a threshold, a matrix label, a cap, a rule value and
operator, the decimal separator) and the comparison is repeated.

Skipped with a reason when LibreOffice is not installed, except under CI, where .ci/run
installs it and a missing soffice is a failure.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest

from scoring import BehaviourRule, FitRule, default_model, score
from scoring.defaults import header
from scoring.sample import sample_leads
from workbook import template
from workbook.files import read_leads, read_model
from workbook.formulas import FORMULA_OUTPUTS, HELPER_SHEET, is_helper_column

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if SOFFICE is None and not os.environ.get("CI"):
    pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it", allow_module_level=True)

from libreoffice import recalculated_sheets  # noqa: E402

SEED = 20261123
LEADS = 10_000
ERRORS = ("#VALUE!", "#NAME?", "#REF!", "#N/A", "#DIV/0!", "#NUM!", "#NULL!", "Err:")

# Text that numbers arrive as (every kind parse_number knows, and what it refuses).
NUMBER_TEXTS = (
    "1.200.000", "1,5", " 12 ", "€ 1.200", "1 200 000", "1,200.50", "1.200,50", "2.5e3", "-5", "+7", "0.500",
    ".5", "5.", "1.2k", "€ 2M", "n/a", "12,5", "1.20.000", "1,2,3", "1'200", "\u00a01 200", "eur 5", "5 euro",
    "euro 5", "$-5", "5 $", "usd 1,000", "GBP 3", "1e", "1e+5", "1.5e-3", "-1.5E+2", "0,500", "00.500",
    "1.000,", "1.000,5", ",5", "-", "--5", "5-", "1.2.3,4", "1,234,567.891", "1.234.567,891", "1\t000",
    "\u202f1\u202f000", "€", "£5", "0", "-0", "1,000", "1.000", "50", "50,0", "49.999", "51", "1.000.001",
    "999.999", "1.000.000", "1,000,001", "2.500.000", "1e6", "1E+6", "1000000,01", "da verificare", "",
    "   ", "tbd", "2024-05-01", "3", "  2 ", "2,0", "4", "5.0", "7",
)
COUNT_TEXTS = (
    "yes", " no ", "YES", "Sì", "si", "x", "X", "TRUE", "false", "vero", "falso", "-", "n", "y", "✓", "✔",
    "1", " 2 ", "2,0", "2.0", "2,5", "1.000", "1,000", "1e2", "1E3", "-1", "+3", "0", "00", "1.000.000",
    "1.000.001", "€ 2", "n/a", "?", "", "  ", "3 volte", "1.5", "0,5", "10", "1000000", "1000001",
)
TEXT_VARIANTS = (lambda v: v, lambda v: f"  {v} ", lambda v: v.upper(), lambda v: v.lower(),
                 lambda v: f"\u00a0{v}", lambda v: v.replace(" ", "  "), lambda v: f"{v}\t")


def every_operator_model(language: str = "en"):
    """The default B2B model plus rules that use each operator, fractional and negative points,
    caps, and a behaviour column of plain points (to set a lead's score exactly)."""
    h = lambda m: header(m, language)  # noqa: E731
    model = default_model("b2b", language)
    model.fit_rules += [
        FitRule(h("country"), "=", "Italy", 3),
        FitRule(h("source"), "<>", "Cold call", 2),
        FitRule(h("industry"), "not in", "Retail; Finance", -4),
        FitRule(h("employees"), "<", 10, -6),
        FitRule(h("employees"), "<=", "1.000", 1),
        FitRule(h("revenue"), "between", "100.000;1.000.000", 4),
        FitRule(h("email"), "contains", "gmail; libero", -2),
        FitRule(h("owner"), "is blank", None, -1),
        FitRule(h("owner"), "not blank", None, 5),
        FitRule("Tier", "=", "1,5", 2.5),
        FitRule("Tier", "in", "4;5; 7", 3),
        FitRule("Tier", ">", 2, 1),
        FitRule("Tier", ">=", 5, -1.5),
        FitRule("Tier", "<>", 3, 1),
    ]
    for rule in model.behaviour_rules:
        if rule.points == 5:
            rule.cap = 20
        if rule.points < 0:
            rule.cap = 15
    model.behaviour_rules.append(BehaviourRule("Bonus points", "Bonus", 1))
    return model


def generated_leads(n: int = LEADS, seed: int = SEED, language: str = "en") -> pd.DataFrame:
    """n sample leads made messier, plus leads built to sit on every band boundary."""
    rng = np.random.default_rng(seed)
    h = lambda m: header(m, language)  # noqa: E731
    leads = sample_leads(n, seed=seed, language=language).astype(object)
    leads["Tier"] = pd.Series(rng.integers(0, 8, n), dtype=object)
    leads["Bonus"] = pd.Series([0] * n, dtype=object)

    def scatter(column, choices, share):
        rows = np.flatnonzero(rng.random(n) < share)
        picks = rng.integers(0, len(choices), len(rows))
        for r, p in zip(rows, picks):
            leads.iat[r, leads.columns.get_loc(column)] = choices[p]

    for m in ("employees", "revenue"):
        scatter(h(m), NUMBER_TEXTS, 0.15)
    scatter("Tier", NUMBER_TEXTS + ("1,5", "1.5", "4", " 5 ", "7,0", True, False, 1.5, 3.0), 0.3)
    for m in ("pricing", "promo", "welcome", "papers", "newsletter", "webinars", "demo", "quote", "unsubscribed"):
        scatter(h(m), COUNT_TEXTS + (True, False, 2.5, -1, 3), 0.06)
    scatter(h(m), (1, "yes", " x ", True, 2), 0.1)  # Unsubscribed: negative behaviour, capped.
    for m in ("role", "industry", "country", "source", "stage", "email", "owner"):
        column = h(m)
        values = leads[column].tolist()
        rows = np.flatnonzero(rng.random(n) < 0.12)
        for r in rows:
            v = values[r]
            if isinstance(v, str) and v.strip():
                leads.iat[r, leads.columns.get_loc(column)] = TEXT_VARIANTS[rng.integers(0, len(TEXT_VARIANTS))](v)
    scatter(h("stage"), ("Opportunity", " customer ", "DISQUALIFIED", "Lead", "MQL", "Won", "", "SQL"), 0.03)
    scatter(h("industry"), ("Retail", " finance", "IT;Retail", "1", "Manufacturing;", "it "), 0.03)
    scatter(h("email"), ("x@GMAIL.com", "libero", "a@libero.it ", "gmail", "", None), 0.03)
    scatter(h("role"), ("ceo", " C E O", "Intern ", "", "CFO", "Chief", 5), 0.02)
    return leads


def with_boundaries(leads: pd.DataFrame, model) -> pd.DataFrame:
    """Set the Bonus column so that leads land on every score band edge, the caps and the floors,
    and add leads whose fit sits on every grade band edge."""
    language = model.settings.language
    h = lambda m: header(m, language)  # noqa: E731
    rng = np.random.default_rng(SEED + 1)
    outputs = score(leads, model)
    behaviour_columns = [r.column for r in model.behaviour_rules if r.column != "Bonus"]
    targets = (0, 1, 49, 50, 51, 89, 90, 91, 99, 100)
    fits = outputs["fit"].to_numpy(dtype=float)
    plain = [i for i in range(len(leads)) if not str(leads.iat[i, leads.columns.get_loc(h("stage"))] or "").strip()]
    chosen = rng.choice(plain, size=min(1500, len(plain)), replace=False)
    for k, i in enumerate(chosen):
        target = targets[k % len(targets)]
        fit_part = min(fits[i], model.settings.fit_max)
        bonus = target - fit_part
        if 0 <= bonus <= model.settings.behaviour_max and float(bonus).is_integer():
            for c in behaviour_columns:
                leads.iat[i, leads.columns.get_loc(c)] = 0
            leads.iat[i, leads.columns.get_loc("Bonus")] = int(bonus)
    # Big bonuses (behaviour cap) and a score above the maximum.
    for i in rng.choice(plain, size=100, replace=False):
        leads.iat[i, leads.columns.get_loc("Bonus")] = int(rng.integers(51, 200))
    # Fit on every grade edge: from a lead of fit f, rules on Tier add up to +3.5 ... search small tweaks.
    extra = []
    base = leads.iloc[:200].copy()
    for tier in (0, 1, "1,5", 3, 4, 5, 6, 7, None):
        block = base.copy()
        block["Tier"] = tier
        extra.append(block)
    extra = pd.concat(extra, ignore_index=True)
    extra[h("id")] = [f"EDGE{i}" for i in range(len(extra))]
    return pd.concat([leads, extra], ignore_index=True)


def test_generated_leads_cover_every_boundary():
    """The generator reaches what the differential test is meant to prove (checked on the engine alone)."""
    model = every_operator_model()
    leads = with_boundaries(generated_leads(), model)
    out = score(leads, model)
    assert len(leads) >= 10_000
    fits = set(out["fit"].astype(float))
    for edge in (14, 15, 16, 29, 30, 31, 44, 45, 46, 49, 50, 51):
        assert edge in fits, edge
    scores = set(out["score"].astype(float))
    for edge in (0, 49, 50, 51, 89, 90, 91, 100):
        assert edge in scores, edge
    assert any(not float(f).is_integer() for f in fits)  # Fractional points: ratings like A87.5.
    assert (out["fit"] < 0).any() and (out["fit"] > 50).any()  # Below nothing, above the fit cap.
    assert set(out["grade"]) == {"A", "B", "C", "D"}
    assert {"Lead", "MQL", "SQL", "Opportunity", "Customer", "Disqualified"} <= set(out["status"])
    assert out["problems"].str.contains("not a number").any() and out["problems"].str.contains("not a count").any()
    reasons = " ".join(out["reasons"].head(3000))
    for word in ("cap", "behaviour cap"):
        assert word in reasons
    operators = {r.operator for r in model.fit_rules}
    assert operators == {"=", "<>", "in", "not in", ">", ">=", "<", "<=", "between", "contains", "is blank",
                         "not blank"}


# ---------------------------------------------------------------------------------------------
# The differential test: LibreOffice's results against the engine's, cell by cell.
# ---------------------------------------------------------------------------------------------

def recalculated_outputs(path, folder) -> tuple[pd.DataFrame, list[str]]:
    """LibreOffice recalculates the workbook; returns its Leads table as LibreOffice computed it
    (cells as text) and every error value found on any sheet, as 'Sheet row 3: #VALUE!'."""
    sheets = recalculated_sheets(path, folder)
    assert {"Leads", "LeadScore", HELPER_SHEET} <= set(sheets), sorted(sheets)
    errors = [f"{name} row {r}: {v}" for name, rows in sheets.items() for r, row in enumerate(rows, 1)
              for v in row if v.startswith(ERRORS)]
    rows = sheets["Leads"]
    return pd.DataFrame(rows[1:], columns=rows[0]), errors


def same(got: str, want) -> bool:
    """A LibreOffice cell (as CSV text) equals the engine's value: numbers to 1e-9 (sums in
    another order), text exactly, a blank output as the empty string."""
    if isinstance(want, (int, float, np.number)) and not isinstance(want, bool):
        try:
            return abs(float(got) - float(want)) <= 1e-9
        except ValueError:
            return False
    return got == ("" if want is None else want)


def differences(path, folder) -> tuple[list[str], int]:
    """Every output cell where LibreOffice and the engine disagree, as 'Leads row 12, Fit: ...',
    and the number of cells compared. The engine scores the workbook's own cells (read back)."""
    model, leads = read_model(path), read_leads(path)
    engine = score(leads, model)
    calc, errors = recalculated_outputs(path, folder)
    assert errors == [], errors[:20]
    assert len(calc) == len(engine)
    language = model.settings.language
    found, compared = [], 0
    for m in FORMULA_OUTPUTS:
        col = header(m, language)
        for i, (got, want) in enumerate(zip(calc[col], engine[m])):
            compared += 1
            if not same(got, want):
                inputs = {c: leads.iat[i, j] for j, c in enumerate(leads.columns)
                          if not is_helper_column(c) and c in {r.column for r in model.fit_rules}
                          | {r.column for r in model.behaviour_rules}}
                found.append(f"Leads row {i + 2}, {col}: LibreOffice {got!r}, engine {want!r}; inputs {inputs}")
    return found, compared


@pytest.fixture(scope="module")
def native_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("native")
    model = every_operator_model()
    leads = with_boundaries(generated_leads(), model)
    path = folder / "native.xlsx"
    # No cached results (outputs=None): every value read back is one LibreOffice computed.
    template.build(path, model, leads, None, "en", "b2b", formulas="native")
    return path


def test_libreoffice_agrees_with_the_engine_on_every_output_cell(native_book, tmp_path):
    found, compared = differences(native_book, tmp_path)
    assert compared >= 10_000 * len(FORMULA_OUTPUTS)
    assert found == [], f"{len(found)} of {compared} cells differ:\n" + "\n".join(found[:30])


def edit_model(path, out) -> None:
    """Edit the LeadScore sheet as a consultant would: weights, a threshold, a matrix label, a cap,
    a rule's value and operator, a grade edge, a score band edge, the decimal separator."""
    from workbook.filebook import FileBook
    from workbook.model_sheet import ModelSheet

    book = FileBook(path)
    sheet = ModelSheet(book)
    ws = book.wb["LeadScore"]
    b = sheet.blocks

    def put(key, index, fld, value):
        row, _ = b[key].rows[index]
        ws.cell(row, b[key].columns[fld]).value = value

    put("fit", 0, "points", 13)  # Weights.
    put("fit", 2, "points", 2.5)
    tier = [i for i, (_, v) in enumerate(b["fit"].rows) if b["fit"].get(v, "column") == "Tier"]
    put("fit", tier[0], "operator", "in")  # A rule's operator and value.
    put("fit", tier[0], "value", "2; 3,5 ;6")
    put("fit", tier[2], "operator", "between")
    put("fit", tier[2], "value", "1,5;4")
    put("behaviour", 0, "points", 7)
    put("behaviour", 0, "cap", 12)  # A cap.
    put("status", 0, "min", 72)  # A threshold (SQL).
    put("status", 1, "min", 45)  # MQL.
    put("grades", 1, "min", 27)  # A grade edge.
    put("bands", 1, "min", 55)  # A score band edge.
    row, _ = b["matrix"].rows[0]
    ws.cell(row, b["matrix"].extra[-1]).value = "Phone them today"  # A matrix label.
    (r, c), _ = sheet.setting_cells["decimal"]
    ws.cell(r, c).value = ","  # Text numbers: ',' decimals.
    (r, c), _ = sheet.setting_cells["behaviour_max"]
    ws.cell(r, c).value = 45
    book.save(out)


def test_libreoffice_agrees_after_the_leadscore_sheet_is_edited(native_book, tmp_path):
    edited = tmp_path / "edited.xlsx"
    edit_model(native_book, edited)
    model = read_model(edited)
    assert model.settings.decimal == "," and model.status_rules[0].min_score == 72
    assert "Phone them today" in score(read_leads(edited), model)["action"].tolist()
    found, compared = differences(edited, tmp_path)
    assert found == [], f"{len(found)} of {compared} cells differ:\n" + "\n".join(found[:30])

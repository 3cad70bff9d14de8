"""The Report: funnel figures (scoring.report) and the Report sheet (workbook.report_sheet).

(a) a small book computed by hand, (b) 2,000 generated leads against plain pandas,
(c) the sheet written, read back with openpyxl and opened by LibreOffice headless.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess

import numpy as np
import openpyxl
import pandas as pd
import pytest

from scoring import default_model, score
from scoring.defaults import LEAD_COLUMNS, SALES_STAGES, header
from scoring.report import Funnel, funnel
from scoring.sample import sample_leads
from workbook import workflow
from workbook.report_sheet import KPIS, LABELS, NONE, REPORT_SHEET, write_report
from workbook.report_layout import SHADES
from workbooks import AS_OF, known_book, table_cell

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
BANDS = ["0\u201349", "50\u201389", "90+"]
HISTORY = ["lead_id", "when", "old_grade", "new_grade", "old_score", "new_score", "old_status", "new_status"]


def leads_frame(rows, language="en") -> pd.DataFrame:
    """Leads given by meaning (id, role, industry, ...), every b2b column present."""
    counts = ("pricing", "promo", "welcome", "papers", "newsletter", "webinars", "demo", "quote", "unsubscribed")
    data = [[row.get(m, 0 if m in counts else None) for m in LEAD_COLUMNS["b2b"]] for row in rows]
    return pd.DataFrame(data, columns=[header(m, language) for m in LEAD_COLUMNS["b2b"]], dtype=object)


def history_frame(rows) -> pd.DataFrame:
    """History rows (lead_id, when, new_status); grades and scores are not used by the funnel."""
    out, last = [], {}
    for lead, when, status in rows:
        out.append([lead, when, None, "A", None, 50, last.get(lead), status])
        last[lead] = status
    return pd.DataFrame(out, columns=HISTORY, dtype=object)


# ---------------------------------------------------------------------------------------------
# (a) By hand.

D = dt.datetime
HAND = [  # Fit: role level >= 3 +15, IT/Manufacturing +10, employees > 50 +10, revenue > 1M +15.
    # L1 CEO IT 100 2M: fit 50 (A); demo x3 = 60, held at 50: score 100 -> SQL, band 90+.
    {"id": "L1", "role": "CEO", "industry": "IT", "employees": 100, "revenue": 2_000_000, "demo": 3,
     "created": D(2026, 1, 5, 17, 30)},
    # L2 fit 50 (A), pricing x2 = 10: score 60 -> MQL, 50-89.
    {"id": "L2", "role": "CEO", "industry": "IT", "employees": 100, "revenue": 2_000_000, "pricing": 2,
     "created": D(2026, 1, 3)},
    # L3 fit 50 (A), no behaviour: score 50 -> MQL, but Stage Customer -> Customer, 50-89.
    {"id": "L3", "role": "CEO", "industry": "IT", "employees": 100, "revenue": 2_000_000,
     "stage": "Customer", "created": dt.date(2026, 1, 2)},
    # L4 Intern (level 1) IT 100 2M: fit 35 (B); demo + pricing = 25: score 60 -> MQL, 50-89.
    {"id": "L4", "role": "Intern", "industry": "IT", "employees": 100, "revenue": 2_000_000, "demo": 1,
     "pricing": 1, "created": "2026-01-10"},
    # L5 Intern Retail 100 2M: fit 25 (C); demo x2 = 40: score 65 -> Lead (MQL needs A or B), 50-89.
    {"id": "L5", "role": "Intern", "industry": "Retail", "employees": 100, "revenue": 2_000_000, "demo": 2,
     "created": D(2026, 1, 4)},
    # L6 Intern Retail 10 500k: fit 0 (D), score 0 -> Lead, 0-49.
    {"id": "L6", "role": "Intern", "industry": "Retail", "employees": 10, "revenue": 500_000},
    # L7 CEO Retail 10 500k: fit 15 (C); quote x2 + demo = 60, held at 50: score 65; Stage Opportunity.
    {"id": "L7", "role": "CEO", "industry": "Retail", "employees": 10, "revenue": 500_000, "quote": 2, "demo": 1,
     "stage": "Opportunity", "created": D(2026, 1, 6)},
    # L8 CEO IT 10 2M: fit 40 (B); quote x2 + demo = 60 -> 50: score 90 -> SQL, 90+; Stage Customer.
    {"id": "L8", "role": "CEO", "industry": "IT", "employees": 10, "revenue": 2_000_000, "quote": 2, "demo": 1,
     "stage": "Customer", "created": D(2026, 1, 1, 9)},
    # L9 Purchasing manager (3) Manufacturing 200 5M: fit 50 (A); paper 10: score 60 -> MQL, 50-89.
    {"id": "L9", "role": "Purchasing manager", "industry": "Manufacturing", "employees": 200,
     "revenue": 5_000_000, "papers": 1, "created": "12/01/2026"},
    # L10 fit 0 (D); pricing 5: score 5 -> Lead, but Stage Disqualified, 0-49.
    {"id": "L10", "role": "Intern", "industry": "Retail", "employees": 10, "revenue": 500_000, "pricing": 1,
     "stage": "Disqualified", "created": "n/a"},
]
HAND_HISTORY = [
    ("L1", D(2026, 1, 10, 9), "Lead"), ("L1", D(2026, 1, 20, 9), "MQL"), ("L1", D(2026, 2, 1, 9), "SQL"),
    ("L2", D(2026, 1, 10, 9), "Lead"), ("L2", D(2026, 1, 20, 9), "MQL"),
    ("L2", D(2026, 12, 31, 9), "SQL"),  # After as_of: left out.
    ("L3", D(2026, 1, 10, 9), "MQL"), ("L3", D(2026, 3, 1, 9), "Customer"),
    ("L4", D(2026, 1, 15, 9), "SQL"), ("L4", D(2026, 1, 25, 9), "MQL"),  # SQL before MQL: no.
    ("L5", D(2026, 1, 10, 9), "Lead"),
    ("L8", D(2026, 1, 10, 9), "Lead"), ("L8", D(2026, 2, 10, 9), "SQL"), ("L8", D(2026, 2, 20, 9), "Customer"),
    ("L9", D(2026, 1, 12, 9), "MQL"), (" l9 ", D(2026, 1, 30, 9), "SQL"),  # IDs match ignoring case/spaces.
    ("L9", D(2026, 2, 15, 9), "MQL"),
    ("L99", D(2026, 1, 5, 9), " mql"), ("L99", D(2026, 1, 6, 9), "SQL"),  # Deleted from the table.
    ("L6", None, "MQL"),  # No When: left out.
    (None, D(2026, 1, 5, 9), "MQL"),  # No Lead ID: left out.
]
HAND_AS_OF = dt.date(2026, 11, 23)


def hand_funnel(language="en") -> tuple[Funnel, pd.DataFrame]:
    model = default_model("b2b", language)
    rows = HAND
    history = HAND_HISTORY
    if language == "it":
        stages = dict(zip(SALES_STAGES["en"], SALES_STAGES["it"]))
        roles = {"Intern": "Stagista", "Purchasing manager": "Responsabile acquisti",
                 "Manufacturing": "Manifatturiero"}
        rows = [{k: stages.get(v, roles.get(v, v)) if isinstance(v, str) else v for k, v in r.items()}
                for r in HAND]
        history = [(i, w, stages.get(s, s)) for i, w, s in HAND_HISTORY]
    leads = leads_frame(rows, language)
    scored = score(leads, model)
    return funnel(leads, scored, history_frame(history), model, HAND_AS_OF), scored


@pytest.mark.parametrize("language", ["en", "it"])
def test_hand_computed_outputs_are_what_the_comments_say(language):
    _, scored = hand_funnel(language)
    customer, opportunity, disqualified = (SALES_STAGES[language][i] for i in (1, 0, 2))
    assert scored["grade"].tolist() == ["A", "A", "A", "B", "C", "D", "C", "B", "A", "D"]
    assert scored["score"].tolist() == [100, 60, 50, 60, 65, 0, 65, 90, 60, 5]
    assert scored["status"].tolist() == ["SQL", "MQL", customer, "MQL", "Lead", "Lead", opportunity,
                                         customer, "MQL", disqualified]


@pytest.mark.parametrize("language", ["en", "it"])
def test_hand_computed_funnel(language):
    f, _ = hand_funnel(language)
    customer, opportunity, disqualified = (SALES_STAGES[language][i] for i in (1, 0, 2))
    assert f.leads == 10
    assert f.heat.index.tolist() == ["A", "B", "C", "D"]
    assert f.heat.columns.tolist() == BANDS
    assert f.heat.to_numpy().tolist() == [[0, 3, 1],   # A: L2 L3 L9 | L1
                                          [0, 1, 1],   # B: L4 | L8
                                          [0, 2, 0],   # C: L5 L7
                                          [2, 0, 0]]   # D: L6 L10
    assert f.status_counts == {"Lead": 2, "MQL": 3, "SQL": 1, opportunity: 1, customer: 2, disqualified: 1}
    assert list(f.status_counts) == ["Lead", "MQL", "SQL", opportunity, customer, disqualified]
    assert f.status_shares == {"Lead": 0.2, "MQL": 0.3, "SQL": 0.1, opportunity: 0.1, customer: 0.2,
                               disqualified: 0.1}
    assert f.pct_mql == pytest.approx(0.3)
    assert f.pct_sql == pytest.approx(0.1)
    # Ever MQL: L1 L2 L3 L4 L9 L99 (6); an SQL row after the first MQL row: L1 L9 L99 (3).
    assert (f.ever_mql, f.mql_then_sql) == (6, 3)
    assert f.mql_to_sql == pytest.approx(0.5)
    assert f.customer_stage == customer
    assert f.customers == 2
    assert f.lead_to_customer == pytest.approx(0.2)
    conv = f.conversion_by_band
    assert conv.index.tolist() == BANDS
    assert conv["leads"].tolist() == [2, 6, 2]
    assert conv["customers"].tolist() == [0, 1, 1]  # L3 in 50-89, L8 in 90+.
    assert conv["rate"].tolist() == pytest.approx([0.0, 1 / 6, 0.5])
    # Days to SQL: L1 5 Jan -> 1 Feb = 27, L4 10 Jan -> 15 Jan = 5, L8 1 Jan -> 10 Feb = 40,
    # L9 12 Jan (text dd/mm/yyyy) -> 30 Jan = 18; median of 5 18 27 40 = 22.5.
    assert f.days_to_sql_leads == 4
    assert f.median_days_to_sql == 22.5
    # Days to customer: L3 2 Jan -> 1 Mar = 58, L8 1 Jan -> 20 Feb = 50; median 54.
    assert f.days_to_customer_leads == 2
    assert f.median_days_to_customer == 54.0
    assert f.as_of == HAND_AS_OF


def test_without_stage_created_or_history_the_figures_that_need_them_are_none():
    model = default_model()
    leads = leads_frame(HAND).drop(columns=["Stage", "Created"])
    scored = score(leads, model)
    f = funnel(leads, scored, pd.DataFrame(), model)
    assert f.lead_to_customer is None and f.customers is None
    assert f.conversion_by_band["customers"].tolist() == [None, None, None]
    assert f.conversion_by_band["rate"].tolist() == [None, None, None]
    assert f.mql_to_sql is None and f.ever_mql == 0
    assert f.median_days_to_sql is None and f.median_days_to_customer is None
    # Without stages: L3 is MQL, L8 SQL, L7 and L10 Lead.
    assert f.status_counts == {"Lead": 4, "MQL": 4, "SQL": 2}
    assert f.heat.to_numpy().sum() == 10


def test_no_leads():
    model = default_model()
    leads = leads_frame([])
    f = funnel(leads, score(leads, model), pd.DataFrame(columns=HISTORY), model)
    assert f.leads == 0
    assert f.heat.shape == (4, 3) and f.heat.to_numpy().sum() == 0
    assert f.status_counts == {"Lead": 0, "MQL": 0, "SQL": 0}
    assert f.pct_mql is None and f.pct_sql is None and f.lead_to_customer is None
    assert f.conversion_by_band["rate"].tolist() == [None, None, None]


def test_ids_can_be_given_when_history_uses_row_names():
    model = default_model()
    leads = leads_frame(HAND).drop(columns=["Lead ID"])
    scored = score(leads, model)
    history = history_frame([(f"row {i + 2}", w, s) for i, w, s in
                             [(0, D(2026, 1, 20), "MQL"), (0, D(2026, 2, 1), "SQL")]])
    assert funnel(leads, scored, history, model).median_days_to_sql is None  # No way to match.
    ids = pd.Series([f"row {i + 2}" for i in range(len(leads))])
    f = funnel(leads, scored, history, model, ids=ids)
    assert (f.median_days_to_sql, f.mql_to_sql) == (27.0, 1.0)


# ---------------------------------------------------------------------------------------------
# (b) Generated leads against plain pandas.

def generated(seed=5, n=2000):
    rng = np.random.default_rng(seed)
    model = default_model()
    leads = sample_leads(n, seed=seed)
    stages = np.array([*SALES_STAGES["en"], None, None, None], dtype=object)
    leads["Stage"] = stages[rng.integers(0, len(stages), n)]
    start = np.datetime64("2025-01-01T00:00")
    created = pd.Series(start + rng.integers(0, 300 * 1440, n).astype("timedelta64[m]")).astype(object)
    created[rng.random(n) < 0.1] = None
    leads["Created"] = [None if v is None else pd.Timestamp(v).to_pydatetime() for v in created]
    scored = score(leads, model)
    ids = leads["Lead ID"].tolist()
    rows = []
    minute = iter(rng.permutation(600 * 1440))  # Distinct times: no ties.
    statuses = ["Lead", "MQL", "SQL", "Customer", "Opportunity", "Disqualified"]
    for i in rng.choice(n, size=n * 3 // 5, replace=False):
        for _ in range(rng.integers(1, 5)):
            when = dt.datetime(2025, 1, 1) + dt.timedelta(minutes=int(next(minute)))
            rows.append((ids[i], when, statuses[rng.integers(0, len(statuses))]))
    for k in range(50):  # Leads no longer in the table.
        rows.append((f"GONE{k % 20}", dt.datetime(2025, 3, 1) + dt.timedelta(days=k),
                     ["MQL", "SQL"][k // 20 % 2]))
    history = history_frame(rows).sample(frac=1, random_state=seed).reset_index(drop=True)
    return model, leads, scored, history


def test_generated_funnel_matches_plain_pandas():
    model, leads, scored, history = generated()
    as_of = dt.date(2026, 6, 30)
    f = funnel(leads, scored, history, model, as_of)
    n = len(leads)

    band = pd.cut(scored["score"].astype(float), [-np.inf, 50, 90, np.inf], right=False, labels=BANDS)
    heat = pd.crosstab(scored["grade"], band).reindex(index=list("ABCD"), columns=BANDS, fill_value=0)
    assert f.heat.to_numpy().tolist() == heat.to_numpy().tolist()
    assert f.heat.to_numpy().sum() == n == f.leads

    counts = scored["status"].value_counts()
    assert f.status_counts == {k: int(v) for k, v in counts.items()} | {
        k: 0 for k in ("Lead", "MQL", "SQL") if k not in counts}
    assert list(f.status_counts)[:3] == ["Lead", "MQL", "SQL"]
    assert f.status_shares == pytest.approx({k: v / n for k, v in f.status_counts.items()})
    assert f.pct_mql == pytest.approx((scored["status"] == "MQL").mean())
    assert f.pct_sql == pytest.approx((scored["status"] == "SQL").mean())
    assert f.lead_to_customer == pytest.approx((leads["Stage"] == "Customer").mean())

    by_band = pd.DataFrame({"band": band, "customer": leads["Stage"] == "Customer"}).groupby(
        "band", observed=False)["customer"].agg(["size", "sum"])
    assert f.conversion_by_band["leads"].tolist() == by_band["size"].tolist()
    assert f.conversion_by_band["customers"].tolist() == by_band["sum"].tolist()
    assert f.conversion_by_band["rate"].tolist() == pytest.approx((by_band["sum"] / by_band["size"]).tolist())

    h = history.copy()
    h["when"] = pd.to_datetime(h["when"])
    h = h[h["when"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)]
    first_mql = h[h["new_status"] == "MQL"].groupby("lead_id")["when"].min()
    last_sql = h[h["new_status"] == "SQL"].groupby("lead_id")["when"].max()
    went_on = (last_sql.reindex(first_mql.index) > first_mql).sum()
    assert f.ever_mql == len(first_mql) and f.mql_then_sql == went_on
    assert f.mql_to_sql == pytest.approx(went_on / len(first_mql))

    created = pd.to_datetime(leads["Created"]).dt.normalize()
    for status, median, based in (("SQL", f.median_days_to_sql, f.days_to_sql_leads),
                                  ("Customer", f.median_days_to_customer, f.days_to_customer_leads)):
        first = h[h["new_status"] == status].groupby("lead_id")["when"].min().dt.normalize()
        days = (leads["Lead ID"].map(first) - created).dt.days.dropna()
        days = days[days >= 0]
        assert based == len(days) > 100
        assert median == days.median()


def test_generated_funnel_in_italian_matches_the_english_one():
    model, leads, scored, history = generated(seed=9, n=500)
    f_en = funnel(leads, scored, history, model)
    it = default_model("b2b", "it")
    to_it = dict(zip(SALES_STAGES["en"], SALES_STAGES["it"]))
    leads_it = leads.rename(columns={header("stage", "en"): "fase", header("created", "en"): "CREATO IL ",
                                     header("id", "en"): header("id", "it")})
    leads_it["fase"] = leads_it["fase"].map(lambda v: to_it.get(v, v))
    scored_it = scored.assign(status=scored["status"].map(lambda v: to_it.get(v, v)))
    history_it = history.assign(new_status=history["new_status"].map(lambda v: to_it.get(v, v)))
    f_it = funnel(leads_it, scored_it, history_it, it)
    assert f_it.customer_stage == "Cliente"
    assert f_it.heat.equals(f_en.heat)
    assert list(f_it.status_counts.values()) == list(f_en.status_counts.values())
    for name in ("pct_mql", "pct_sql", "mql_to_sql", "lead_to_customer", "median_days_to_sql",
                 "median_days_to_customer"):
        assert getattr(f_it, name) == getattr(f_en, name), name


# ---------------------------------------------------------------------------------------------
# (c) The Report sheet.

def find_row(ws, text, column=1) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text!r} not in column {column} of {ws.title}")


def reported_book(tmp_path, language="en", band_label=None):
    """The known book with Created dates, a History, scored and reported; returns (path, funnel)."""
    path = known_book(tmp_path / f"book-{language}.xlsx", language, scored=True)
    wb = openpyxl.load_workbook(path)
    ws = wb["Leads"]
    for row, day in enumerate([dt.date(2026, 10, 1), dt.date(2026, 10, 5), dt.date(2026, 10, 9)], start=1):
        table_cell(ws, "tblLeads", row, header("created", language)).value = day
    wb.save(path)
    model = default_model("b2b", language)
    if band_label:
        model.score_bands[2].label = band_label
    leads = workflow.read_leads(path, outputs=False)
    scored = score(leads, model)
    history = history_frame([("L1", D(2026, 10, 11, 9), "MQL"), ("L3", D(2026, 10, 10, 9), "MQL"),
                             ("L3", D(2026, 10, 20, 9), "SQL")])
    f = funnel(leads, scored, history, model, AS_OF.date())
    wb = openpyxl.load_workbook(path)
    write_report(wb, f, language, AS_OF)
    wb.save(path)
    return path, f


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.slow
def test_report_sheet_read_back(tmp_path, language):
    lang = 0 if language == "en" else 1
    path, f = reported_book(tmp_path, language)
    assert (f.pct_mql, f.pct_sql, f.mql_to_sql, f.lead_to_customer) == (0.4, 0.2, 0.5, 0.2)
    assert (f.median_days_to_sql, f.median_days_to_customer) == (11.0, None)
    ws = openpyxl.load_workbook(path)[REPORT_SHEET]
    assert "2026-11-23" in ws["A1"].value and ws["B2"].number_format == "yyyy-mm-dd"  # One date format.

    top = find_row(ws, LABELS["grade"][lang])
    assert [c.value for c in ws[top]][:5] == ["Grade" if lang == 0 else "Grado", *BANDS, LABELS["total"][lang]]
    for i, grade in enumerate("ABCD", start=1):
        assert [c.value for c in ws[top + i]][:4] == [grade, *f.heat.loc[grade].tolist()]
    assert f.heat.to_numpy().tolist() == [[0, 1, 2], [0, 1, 0], [0, 0, 0], [1, 0, 0]]
    assert ws.cell(top + 5, 5).value == 5  # Grand total.
    # Shaded by the priority of each cell's action (no outcomes): the A 90+ cell (Potential SQL,
    # priority 1) darkest, Priority contact and MQL (2) next, Wait and No action (5) not at all.
    fills = [[ws.cell(top + i, c).fill.fgColor.rgb[-6:] if ws.cell(top + i, c).fill.fill_type else None
              for c in (2, 3, 4)] for i in range(1, 5)]
    assert fills == [[None, SHADES[1], SHADES[0]], [SHADES[2], SHADES[1], SHADES[0]],
                     [None, SHADES[3], SHADES[2]], [None, SHADES[3], SHADES[2]]]
    assert ws.cell(top + 6, 1).value == LABELS["shade_priority"][lang]
    assert not ws.conditional_formatting

    status = find_row(ws, LABELS["status"][lang])
    for i, (name, count) in enumerate(f.status_counts.items(), start=1):
        assert [c.value for c in ws[status + i]][:3] == [name, count, f.status_shares[name]]
        assert ws.cell(status + i, 3).number_format == "0.0%"

    for key, texts in KPIS.items():
        r = find_row(ws, texts[lang])
        value, cell = getattr(f, key), ws.cell(r, 2)
        if value is None:
            assert (cell.value, cell.data_type) == (NONE, "s"), key
        else:
            assert cell.value == value and isinstance(cell.value, (int, float)), key
            assert cell.number_format == {"leads": "0", "median_days_to_sql": "0.0",
                                          "median_days_to_customer": "0.0"}.get(key, "0.0%"), key
        assert isinstance(ws.cell(r, 4).value, str) and ws.cell(r, 4).value

    conv = find_row(ws, LABELS["band"][lang])
    assert [[c.value for c in ws[conv + i]][:4] for i in (1, 2, 3)] == [
        [BANDS[0], 1, 0, 0], [BANDS[1], 2, 0, 0], [BANDS[2], 2, 1, 0.5]]

    assert len(ws._charts) == 1  # Leads by status without Lead (it would dwarf the rest), with data labels.
    chart = ws._charts[0]
    assert chart.tagname == "barChart" and chart.dataLabels.showVal
    ref = chart.series[0].val.numRef.f
    assert ref.replace("'", "") == f"{REPORT_SHEET}!$B${status + 2}:$B${status + len(f.status_counts)}"

    # The funnel: everybody reached Lead; MQL counts MQL and later (SQL, Customer), and so on.
    step = find_row(ws, LABELS["step"][lang])
    customer = "Customer" if lang == 0 else "Cliente"
    opportunity = "Opportunity" if lang == 0 else "Opportunità"
    assert [[c.value for c in ws[step + i]][:4] for i in range(1, 6)] == [
        ["Lead", 5, 1.0, NONE], ["MQL", 4, 0.8, 0.8], ["SQL", 2, 0.4, 0.5], [opportunity, 1, 0.2, 0.5],
        [customer, 1, 0.2, 1.0]]
    assert [ws.cell(step + i, 5).value for i in range(1, 6)] == ["\u2588" * n for n in (20, 16, 8, 4, 4)]


def test_report_replaces_itself_in_place_and_keeps_text_as_text(tmp_path):
    path, f = reported_book(tmp_path, band_label="=90+")
    wb = openpyxl.load_workbook(path)
    wb.move_sheet(REPORT_SHEET, offset=-(wb.sheetnames.index(REPORT_SHEET) - 1))
    wb.create_sheet("After")
    position = wb.sheetnames.index(REPORT_SHEET)
    wb[REPORT_SHEET]["A140"] = "old content"
    write_report(wb, f, "en", AS_OF)
    assert wb.sheetnames.index(REPORT_SHEET) == position
    assert [n.casefold() for n in wb.sheetnames].count("report") == 1
    assert wb[REPORT_SHEET]["A140"].value is None
    wb.save(path)
    ws = openpyxl.load_workbook(path)[REPORT_SHEET]
    cells = [c for row in ws.iter_rows() for c in row if c.value == "=90+"]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)  # Heat header and band row.
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_rescore_with_report_matches_the_leads_sheet(tmp_path):
    path = known_book(tmp_path / "book.xlsx")
    report = workflow.run(path, as_of=AS_OF, steps=("rescore", "report"))
    wb = openpyxl.load_workbook(path)
    rows = list(wb["Leads"].iter_rows(values_only=True))
    status = pd.Series([r[rows[0].index("Status")] for r in rows[1:]])
    assert report.funnel.status_counts == {"Lead": 0, "MQL": 0, "SQL": 0} | status.value_counts().to_dict()
    assert report.funnel.leads == len(status)
    ws = wb[REPORT_SHEET]
    assert ws.cell(find_row(ws, KPIS["leads"][0]), 2).value == len(status)


def export_csv(book, tmp_path) -> dict:
    """Every sheet as CSV rows, converted by LibreOffice headless (as test_libreoffice does)."""
    profile, out = tmp_path / "lo-profile", tmp_path / "csv"
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
         "--outdir", str(out), str(book)],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    sheets = {}
    for path in out.glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as f:
            sheets[path.stem[len(book.stem) + 1:]] = list(csv.reader(f))
    return sheets


@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                    reason="LibreOffice (soffice) is not installed; .ci/run installs it")
@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.slow
def test_libreoffice_reads_the_report(tmp_path, language):
    assert SOFFICE, "CI must have LibreOffice: .ci/run installs libreoffice-calc-nogui"
    lang = 0 if language == "en" else 1
    path, f = reported_book(tmp_path, language)
    sheets = export_csv(path, tmp_path)
    assert REPORT_SHEET in sheets
    rows = [r + [""] * (6 - len(r)) for r in sheets[REPORT_SHEET]]
    by_label = {}
    for r in rows:  # The first row of each label (the funnel's rows repeat the statuses).
        if r and r[0]:
            by_label.setdefault(r[0], r)
    top = next(i for i, r in enumerate(rows) if r[0] == LABELS["grade"][lang])
    assert rows[top][:5] == [LABELS["grade"][lang], *BANDS, LABELS["total"][lang]]
    for i, grade in enumerate("ABCD", start=1):
        assert rows[top + i][:4] == [grade, *map(str, f.heat.loc[grade].tolist())]
    assert by_label[KPIS["leads"][lang]][1] == "5"
    # The export writes values, not as shown ("40%" for 0.4, "11" for 11.0).
    assert by_label[KPIS["pct_mql"][lang]][1] == "40%"
    assert by_label[KPIS["mql_to_sql"][lang]][1] == "50%"
    assert by_label[KPIS["median_days_to_sql"][lang]][1] == "11"
    assert by_label[KPIS["median_days_to_customer"][lang]][1] == NONE
    assert by_label["MQL"][1:3] == ["2", "40%"]
    assert by_label[BANDS[2]][1:4] == ["2", "1", "50%"]
    cells = [c for sheet in sheets.values() for r in sheet for c in r]
    assert not [c for c in cells if c.startswith(("#VALUE", "#NAME", "#REF", "#DIV", "Err:"))]

"""Funnel figures for the Report sheet (DESIGN §5): pure pandas, no Excel and no I/O.

funnel(leads, scored, history, model) counts what the Leads table and the History
sheet hold; every number is defined in Funnel's docstring so that a manager can
recompute it by hand (filters and COUNTIF on the two sheets).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import dates
from .columns import by_meaning, find
from .history import COLUMNS as HISTORY_COLUMNS
from .model import Model
from .outcomes import UNREADABLE, measure, outcome_codes, outcomes
from .parse import text_key

MQL, SQL = "MQL", "SQL"
_TS = "datetime64[us]"


@dataclass
class Funnel:
    """The funnel of one Leads table and its History, as of a date.

    "Leads" are the rows of the Leads table that were scored (`scored`); "Status" is
    the Status column the engine writes (a sales Stage - Opportunity, Customer,
    Disqualified - is copied into Status, so Stage = Customer means Status = Customer).

    heat
        Leads by Grade (rows, in the order of the model's grade bands) and score band
        (columns, in the order of the model's score bands), every cell present, 0 where
        none. A lead is in band k when its Score is at or above band k's minimum and
        below band k+1's minimum; a score below the lowest minimum counts in the lowest
        band (as the engine's action matrix does). Cells add up to `leads`.
    status_counts
        Leads per Status: the default status and the statuses of the status rules first
        (Lead, MQL, SQL for the default models, always shown, 0 included), then the
        sales stages that occur (a stage with no lead is left out), then any other status.
    status_shares
        status_counts[s] / leads, per status (None when there are no leads).
    leads
        Number of leads (rows of the Leads table that were scored).
    pct_mql, pct_sql
        Leads whose Status is MQL (resp. SQL), divided by `leads`. None with no leads.
    mql_to_sql
        From History only (leads deleted from the table still count). A lead "was MQL"
        when some History row of its Lead ID has New status MQL. It "went on to SQL" when
        a History row of the same Lead ID with New status SQL comes after its first MQL
        row, rows taken in order of When (rows with equal When in sheet order).
        mql_to_sql = went on to SQL / was MQL (`mql_then_sql` / `ever_mql`). None when no
        lead was ever MQL.
    lead_to_customer
        Leads whose Status is the customer stage (the second sales stage of the model:
        Customer / Cliente), divided by `leads` (`customers` / `leads`). None when the
        Leads table has no Stage column, or there are no leads.
    conversion_by_band
        Per score band (index, model order): `leads` in the band (the column sums of
        heat), `customers` among them (Status = customer stage) and `rate` = customers /
        leads. customers and rate are None without a Stage column; rate is None for a
        band without leads.
    median_days_to_sql, median_days_to_customer
        For each lead of the Leads table with a Created date and a History row (matched
        by Lead ID) whose New status is SQL (resp. the customer stage): the days from
        the Created date to the date of the first such row (calendar days, times of day
        ignored). Leads whose first such row is dated before Created are left out as
        inconsistent. The figure is the median of those days (the mean of the two middle
        values for an even count, as Excel's MEDIAN); None when no lead has both.
        `days_to_sql_leads` / `days_to_customer_leads` say how many leads it is based on.

    outcomes
        None unless the Outcome column setting names a Leads column. Each lead's outcome is won,
        lost or unknown (scoring.outcomes: a blank, a placeholder or an unreadable cell is unknown;
        Status = the customer stage is won). `column`: the column's header; `leads`, `known`
        (won or lost) and `won` over all leads; `unreadable`: cells that were neither.
        `by_grade`, `by_status` (the rows of status_counts), `by_band`: per row `leads`, `known`,
        `won` and `rate` = won / known (None when no outcome is known). `by_decile`: leads sorted
        by Score from high to low (equal scores in table order) and cut in ten runs, decile d
        (1 = the highest scores) holding positions floor((d-1)·n/10) up to floor(d·n/10); with
        each decile's highest and lowest score. `capture`: the share of leads passed to sales
        against the share of all won leads among them, per row: `passed` (("status", statuses):
        the leads with the first status rules' statuses, from the highest threshold down; or
        ("deciles", k): the k top deciles), `leads`, `share_leads` = leads / all leads, `won`,
        `share_won` = won / all won (None when none is won).

    Reading the sheets: Created and When cells are read by scoring.dates.read_datetime (dates,
    Excel serial days, text as yyyy-mm-dd with an optional time, or day first as dd/mm/yyyy);
    anything else is no date. History rows without a readable When,
    or with a blank Lead ID, are left out, and so are rows dated after `as_of` (when given).
    Lead IDs and statuses match ignoring case and surrounding spaces.
    """

    leads: int
    heat: pd.DataFrame
    status_counts: dict
    status_shares: dict
    pct_mql: float | None
    pct_sql: float | None
    mql_to_sql: float | None
    lead_to_customer: float | None
    conversion_by_band: pd.DataFrame
    median_days_to_sql: float | None
    median_days_to_customer: float | None
    as_of: dt.date | None = None
    customer_stage: str | None = None
    ever_mql: int = 0
    mql_then_sql: int = 0
    customers: int | None = None
    days_to_sql_leads: int = 0
    days_to_customer_leads: int = 0
    has_stage: bool = False
    has_created: bool = False
    grades: list = field(default_factory=list)
    bands: list = field(default_factory=list)
    outcomes: dict | None = None
    heat_priority: pd.DataFrame | None = None  # Per heat cell: the plan priority of its matrix action (NaN: none).
    heat_conversion: pd.DataFrame | None = None  # Per heat cell, with outcomes: won / known (NaN: none known).
    # The funnel's steps: the default status, the status rules' statuses (lowest threshold first), and the
    # sales stages up to the customer stage (Lead, MQL, SQL, Opportunity, Customer).
    steps: list = field(default_factory=list)

    def reached(self) -> list[tuple[str, int]]:
        """(step, leads that reached it): every lead reached the first step; a later one, the leads whose
        Status is that step or a later one (a Disqualified lead reached only the first)."""
        counts = [int(self.status_counts.get(k, 0)) for k in self.steps]
        return [(k, self.leads if i == 0 else sum(counts[i:])) for i, k in enumerate(self.steps)]


_SPLIT_WS = np.array([9, 10, 11, 12, 13, 28, 29, 30, 31, 32], dtype=np.uint32)  # ASCII str.split() blanks.
_FAST_WIDTH = 64


def _keys(values) -> np.ndarray:
    """text_key per value ('' for blanks), computed once per distinct value.

    Short ASCII strings without whitespace (the usual IDs and statuses) take a vectorised
    path, where text_key is plain lower-casing; every other value goes through text_key.
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    keys = np.empty(len(uniques) + 1, dtype=object)
    keys[-1] = ""
    slow = np.ones(len(uniques), dtype=bool)
    is_str = np.fromiter((type(u) is str for u in uniques), dtype=bool, count=len(uniques))
    if is_str.any():
        at = np.flatnonzero(is_str)
        lengths = np.fromiter(map(len, uniques[at]), dtype=np.int64, count=len(at))
        short = (lengths > 0) & (lengths <= _FAST_WIDTH)
        at, lengths = at[short], lengths[short]
        if len(at):
            text = uniques[at].astype(str)
            chars = text.view(np.uint32).reshape(len(text), -1)
            plain = ~(np.isin(chars, _SPLIT_WS) | (chars > 127)).any(axis=1)
            plain &= np.strings.str_len(text) == lengths  # A trailing NUL would be lost.
            text, chars = text[plain], chars[plain]  # ASCII: casefold is lower-casing.
            chars += ((chars >= 65) & (chars <= 90)).astype(np.uint32) * np.uint32(32)
            keys[at[plain]] = chars.reshape(-1).view(text.dtype).astype(object)
            slow[at[plain]] = False
    for i in np.flatnonzero(slow):
        v = uniques[i]
        keys[i] = "" if v is None or (isinstance(v, float) and v != v) else text_key(v)
    return keys[codes]


def _codes(*key_arrays) -> list[np.ndarray]:
    """The same integer code for equal keys across arrays (one factorize over them all)."""
    codes, _ = pd.factorize(np.concatenate([np.asarray(k, dtype=object) for k in key_arrays]))
    out, start = [], 0
    for k in key_arrays:
        out.append(codes[start:start + len(k)])
        start += len(k)
    return out


def timestamps(values) -> pd.Series:
    """Dates and times of cells (scoring.dates.read_datetime), as datetime64; NaT where no date."""
    return dates.timestamps(values).astype(_TS)


def score_band_codes(scores, model: Model) -> np.ndarray:
    """Index of each score's band in model.score_bands (-1 for a blank score)."""
    values = pd.to_numeric(pd.Series(scores, dtype=object), errors="coerce").to_numpy(dtype=float)
    mins = np.array([float(b.min_score) for b in model.score_bands])
    order = np.argsort(mins, kind="stable")
    pos = np.clip(np.searchsorted(mins[order], values, side="right") - 1, 0, None)
    codes = order[pos]
    codes[np.isnan(values)] = -1
    return codes


def _median(days: pd.Series) -> float | None:
    return float(np.median(days.to_numpy(dtype=float))) if len(days) else None


def _share(part, whole) -> float | None:
    return None if not whole else part / whole


def _empty_history() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS})


def _history(history: pd.DataFrame | None, as_of: dt.date | None) -> pd.DataFrame:
    """History rows that count: key, status key, When, order."""
    h = history if history is not None and len(history) else _empty_history()
    for c in ("lead_id", "when", "new_status"):
        if c not in h.columns:
            h = _empty_history()
    h = pd.DataFrame({"id": _keys(h["lead_id"].to_numpy(dtype=object)),
                      "status": _keys(h["new_status"].to_numpy(dtype=object)),
                      "when": timestamps(h["when"].reset_index(drop=True)).to_numpy()})
    h["pos"] = np.arange(len(h))
    keep = h["when"].notna() & (h["id"] != "")
    if as_of is not None:
        day = as_of.date() if isinstance(as_of, dt.datetime) else as_of
        keep &= h["when"].dt.normalize() <= pd.Timestamp(day)
    h = h[keep].sort_values(["when", "pos"], kind="stable")
    h["order"] = np.arange(len(h))
    return h


def _days_to(h: pd.DataFrame, status_key: str, lead_codes, created: pd.Series, n_codes: int) -> pd.Series:
    """Per lead with a Created date and a History row reaching status_key: whole days between."""
    first = h[h["status"] == status_key].groupby("code")["when"].min().dt.normalize()
    if lead_codes is None or not len(first):
        return pd.Series([], dtype=float)
    by_code = np.full(n_codes, np.datetime64("NaT"), dtype=_TS)
    by_code[first.index.to_numpy()] = first.to_numpy(dtype=_TS)
    reached = pd.Series(by_code[lead_codes])
    days = (reached - created.reset_index(drop=True)).dt.days.dropna()
    return days[days >= 0]


def funnel(leads: pd.DataFrame, scored: pd.DataFrame, history: pd.DataFrame, model: Model,
           as_of: dt.date | None = None, ids=None) -> Funnel:
    """The funnel figures (see Funnel) of scored leads and their score history.

    leads: the lead input columns (headers in English or Italian; Stage, Created and
    Lead ID are found by header). scored: scoring.score(leads, model), one row per lead
    in the same order. history: rows with the columns of scoring.history.COLUMNS (may be
    empty). as_of: History rows dated after it are left out. ids: each lead's ID as
    History records it, when that is not the Lead ID column (e.g. 'row 12' for leads
    without an ID); by default the Lead ID column.
    """
    if len(leads) != len(scored):
        raise ValueError(f"leads has {len(leads)} rows but scored has {len(scored)}")
    s = model.settings
    n = len(scored)
    grades = [b.grade for b in model.grade_bands]
    bands = [b.label for b in model.score_bands]
    status = pd.Series(scored["status"].to_numpy(dtype=object))

    # Heat map: grade x score band.
    gcode = pd.Categorical(scored["grade"].to_numpy(dtype=object), categories=grades).codes
    bcode = score_band_codes(scored["score"].to_numpy(dtype=object), model)
    ok = (gcode >= 0) & (bcode >= 0)
    cells = np.bincount(gcode[ok].astype(np.int64) * len(bands) + bcode[ok],
                        minlength=len(grades) * len(bands)).reshape(len(grades), len(bands))
    heat = pd.DataFrame(cells.astype(np.int64), index=pd.Index(grades, name="grade"),
                        columns=pd.Index(bands, name="band"))

    # Status counts: funnel statuses always, sales stages when they occur, then the rest.
    counts = status.value_counts(dropna=True).to_dict()
    rules = [r.status for r in sorted(model.status_rules, key=lambda r: float(r.min_score))]
    order = list(dict.fromkeys([s.default_status, *rules]))
    status_counts = {k: int(counts.get(k, 0)) for k in order}
    for k in list(s.sales_stages) + sorted(map(str, counts)):
        if k not in status_counts and counts.get(k, 0):
            status_counts[k] = int(counts[k])
    status_shares = {k: _share(v, n) for k, v in status_counts.items()}

    # Customers, overall and per band.
    stage_col = by_meaning(leads.columns, "stage", s.stage_column)
    customer = s.sales_stages[1] if len(s.sales_stages) > 1 else None
    has_stage = stage_col is not None and customer is not None
    is_customer = (status == customer).to_numpy() if has_stage else np.zeros(n, dtype=bool)
    customers = int(is_customer.sum()) if has_stage else None
    band_leads = heat.sum(axis=0).to_numpy()
    band_customers = np.bincount(bcode[is_customer & (bcode >= 0)], minlength=len(bands))
    conversion = pd.DataFrame({
        "leads": band_leads.astype(np.int64),
        "customers": pd.Series([int(c) if has_stage else None for c in band_customers], dtype=object).values,
        "rate": pd.Series([_share(int(c), int(t)) if has_stage else None
                           for c, t in zip(band_customers, band_leads)], dtype=object).values,
    }, index=pd.Index(bands, name="band"))

    # History: MQL -> SQL, and time to SQL / customer.
    h = _history(history, as_of)
    mql_key, sql_key = text_key(MQL), text_key(SQL)
    first_mql = h[h["status"] == mql_key].groupby("id")["order"].min()
    last_sql = h[h["status"] == sql_key].groupby("id")["order"].max()
    ever_mql = len(first_mql)
    then_sql = int((last_sql.reindex(first_mql.index) > first_mql).sum())

    created_col = by_meaning(leads.columns, "created")
    id_col = by_meaning(leads.columns, "id")
    id_source = ids if ids is not None else (leads[id_col] if id_col is not None else None)
    if created_col is not None and id_source is not None and len(h):
        lead_keys = _keys(pd.Series(id_source).to_numpy(dtype=object))
        lead_codes, h["code"] = _codes(lead_keys, h["id"].to_numpy())
        n_codes = int(max(lead_codes.max(initial=-1), h["code"].max()) + 1)
        created = timestamps(leads[created_col].reset_index(drop=True)).dt.normalize()
        to_sql = _days_to(h, sql_key, lead_codes, created, n_codes)
        to_customer = _days_to(h, text_key(customer), lead_codes, created, n_codes) if customer \
            else to_sql[:0]
    else:
        to_sql = to_customer = pd.Series([], dtype=float)

    figures = None
    outcome_col = find(leads.columns, s.outcome_column) if s.outcome_column else None
    if outcome_col is not None:
        held = frozenset(text_key(p) for p in s.placeholders)
        values = leads[outcome_col].reset_index(drop=True)
        passed = [r.status for r in sorted(model.status_rules, key=lambda r: -float(r.min_score))]
        figures = measure(outcomes(values, status, customer, held), gcode, grades, status, list(status_counts),
                          bcode, bands, scored["score"].to_numpy(dtype=object), list(dict.fromkeys(passed)))
        figures["column"] = str(outcome_col)
        figures["unreadable"] = int((outcome_codes(values, held) == UNREADABLE).sum())
        codes = outcomes(values, status, customer, held)
        cell = np.where(ok, gcode.astype(np.int64) * len(bands) + bcode, -1)
        won = np.bincount(cell[ok & (codes == 1)], minlength=len(grades) * len(bands))
        known = np.bincount(cell[ok & (codes >= 0)], minlength=len(grades) * len(bands))
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(known > 0, won / np.maximum(known, 1), np.nan)
        heat_conversion = pd.DataFrame(rate.reshape(len(grades), len(bands)), index=heat.index, columns=heat.columns)
    else:
        heat_conversion = None

    return Funnel(
        leads=n, heat=heat, status_counts=status_counts, status_shares=status_shares,
        pct_mql=_share(int((status == MQL).sum()), n), pct_sql=_share(int((status == SQL).sum()), n),
        mql_to_sql=_share(then_sql, ever_mql),
        lead_to_customer=_share(customers, n) if has_stage else None,
        conversion_by_band=conversion,
        median_days_to_sql=_median(to_sql), median_days_to_customer=_median(to_customer),
        as_of=as_of.date() if isinstance(as_of, dt.datetime) else as_of,
        customer_stage=customer, ever_mql=ever_mql, mql_then_sql=then_sql, customers=customers,
        days_to_sql_leads=len(to_sql), days_to_customer_leads=len(to_customer),
        has_stage=has_stage, has_created=created_col is not None, grades=grades, bands=bands,
        outcomes=figures, heat_priority=_heat_priority(model, heat), heat_conversion=heat_conversion,
        steps=list(dict.fromkeys([s.default_status, *rules, *s.sales_stages[:2]])),
    )


def _heat_priority(model: Model, heat: pd.DataFrame) -> pd.DataFrame:
    """Per grade x score band: the priority of the action plan of the matrix's action there (1 = first)."""
    plans = {}
    for plan in model.action_plans:
        plans.setdefault(text_key(plan.action), float(plan.priority))
    rows = []
    for grade in heat.index:
        actions = next((a for g, a in model.matrix.items() if text_key(g) == text_key(grade)), ())
        rows.append([plans.get(text_key(a), np.nan) if a is not None else np.nan
                     for a in list(actions)[:len(heat.columns)]] + [np.nan] * max(0, len(heat.columns) - len(actions)))
    return pd.DataFrame(rows, index=heat.index, columns=heat.columns, dtype=float)

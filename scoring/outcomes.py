"""Outcomes: what happened to a lead, read from the Leads column the Outcome column setting names.

An outcome never changes a lead's score, Status or Action; the Report measures the model with
it. Each cell reads as won, lost or unknown, ignoring case and surrounding spaces:

* won: won, win, converted, yes, y, 1, true (TRUE), sì, si, vinto, convertito;
* lost: lost, not converted, no, n, 0, false (FALSE), perso, non convertito;
* unknown: a blank cell or a placeholder (the Placeholders setting).

Anything else is unreadable: the lead's Problems cell says so and the outcome counts as unknown.
A lead whose Status is the customer stage (Stage = Customer) counts as won whatever the cell says.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .parse import Column, is_blank, text_key

WON_WORDS = ("won", "win", "converted", "yes", "y", "1", "true", "sì", "si", "vinto", "convertito")
LOST_WORDS = ("lost", "not converted", "no", "n", "0", "false", "perso", "non convertito")
WON, LOST, UNKNOWN, UNREADABLE = 1, 0, -1, -2
_WORD = {**{w: WON for w in WON_WORDS}, **{w: LOST for w in LOST_WORDS}}


def _reading(value) -> int:
    if is_blank(value):
        return UNKNOWN
    if isinstance(value, (bool, np.bool_)):
        return WON if value else LOST
    if isinstance(value, (int, float, np.integer, np.floating)):
        return WON if value == 1 else LOST if value == 0 else UNREADABLE
    return _WORD.get(text_key(value), UNREADABLE)


def outcome_codes(values: pd.Series, placeholders: frozenset = frozenset()) -> np.ndarray:
    """Per lead: WON, LOST, UNKNOWN (blank or a placeholder) or UNREADABLE, once per distinct value."""
    column = Column(values.astype(object), placeholders=placeholders)
    codes, uniques = column.factors
    per_unique = np.array([_reading(v) for v in uniques], dtype=np.int8)
    return np.append(per_unique, np.int8(UNKNOWN))[codes]


def outcomes(values: pd.Series, status, customer: str | None, placeholders: frozenset = frozenset()) -> np.ndarray:
    """Per lead: WON, LOST or UNKNOWN, the customer stage counting as won (unreadable is unknown)."""
    codes = outcome_codes(values, placeholders)
    codes = np.where(codes == UNREADABLE, np.int8(UNKNOWN), codes)
    if customer:
        codes = np.where(np.asarray(status, dtype=object) == customer, np.int8(WON), codes)
    return codes


def _table(keys: np.ndarray, labels: list, won: np.ndarray, known: np.ndarray) -> pd.DataFrame:
    """Per label (keys: each lead's label index, -1 for none): leads, known outcomes, won, rate."""
    size = len(labels)
    at = keys >= 0
    leads = np.bincount(keys[at], minlength=size)
    known_n = np.bincount(keys[at & known], minlength=size)
    won_n = np.bincount(keys[at & won], minlength=size)
    rate = [None if k == 0 else int(w) / int(k) for w, k in zip(won_n, known_n)]
    return pd.DataFrame({"leads": leads.astype(np.int64), "known": known_n.astype(np.int64),
                         "won": won_n.astype(np.int64), "rate": pd.Series(rate, dtype=object).values},
                        index=pd.Index(labels))


def measure(codes: np.ndarray, grade_codes, grades: list, status, statuses: list, band_codes, bands: list,
            scores, passed: list) -> dict:
    """The Report's outcome figures (see scoring.report.Funnel.outcomes) from each lead's outcome
    code (outcomes()), grade and band indexes, status, score; passed: the statuses handed to
    sales, best first (their running unions are rows of the capture table)."""
    n = len(codes)
    won, known = codes == WON, codes != UNKNOWN
    status = np.asarray(status, dtype=object)
    position = {s: i for i, s in enumerate(statuses)}
    status_keys = np.array([position.get(s, -1) for s in status], dtype=np.int64) if n else np.zeros(0, np.int64)
    values = pd.to_numeric(pd.Series(scores, dtype=object), errors="coerce").to_numpy(dtype=float)
    # Deciles: leads by Score from high to low (equal scores in table order), cut where the top
    # k tenths end (floor(k·n/10)), so that the first k deciles are the capture table's top k·10%.
    order = np.argsort(-np.nan_to_num(values, nan=-np.inf), kind="stable")
    decile = np.empty(n, dtype=np.int64)
    decile[order] = np.searchsorted([(k * n) // 10 for k in range(1, 11)], np.arange(n), side="right")
    by_decile = _table(decile, list(range(1, 11)), won, known)
    low = [values[decile == d].min() if (decile == d).any() else None for d in range(10)]
    high = [values[decile == d].max() if (decile == d).any() else None for d in range(10)]
    by_decile.insert(0, "max_score", pd.Series(high, dtype=object).values)
    by_decile.insert(1, "min_score", pd.Series(low, dtype=object).values)
    total_won = int(won.sum())
    rows = []
    for k in range(1, len(passed) + 1):
        taken = np.isin(status, passed[:k])
        rows.append({"passed": ("status", tuple(passed[:k])), "leads": int(taken.sum()), "won": int(won[taken].sum())})
    for k in range(1, 11):
        top = (k * n) // 10
        rows.append({"passed": ("deciles", k), "leads": top, "won": int(won[order[:top]].sum())})
    capture = pd.DataFrame(rows)
    capture["share_leads"] = pd.Series([None if not n else r / n for r in capture["leads"]], dtype=object).values
    capture["share_won"] = pd.Series([None if not total_won else w / total_won for w in capture["won"]],
                                     dtype=object).values
    return {"by_grade": _table(np.asarray(grade_codes, dtype=np.int64), grades, won, known),
            "by_status": _table(status_keys, statuses, won, known),
            "by_band": _table(np.asarray(band_codes, dtype=np.int64), bands, won, known),
            "by_decile": by_decile, "capture": capture,
            "leads": n, "known": int(known.sum()), "won": total_won}

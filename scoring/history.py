"""Score history: which leads changed grade, score or status since the previous run."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

COLUMNS = ("lead_id", "when", "old_grade", "new_grade", "old_score", "new_score", "old_status", "new_status")
FIELDS = ("grade", "score", "status")


def _forms(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each value as History compares it: (blank?, as a number or NaN, as text). Worked out once
    per distinct value: output columns hold few (grades, statuses, scores)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    uniques = pd.Series(list(uniques) + [None], dtype=object)  # Code -1 (blank) takes the last.
    text = uniques.astype(str)
    blank = (uniques.isna() | (text.str.strip() == "")).to_numpy()
    number = pd.to_numeric(uniques, errors="coerce").to_numpy(dtype=float)
    return blank[codes], number[codes], text.to_numpy(dtype=object)[codes]


def _same(old: pd.Series, new: pd.Series) -> np.ndarray:
    """Equal values, blanks equal to blanks; 85 equals 85.0."""
    old_blank, old_num, old_text = _forms(old)
    new_blank, new_num, new_text = _forms(new)
    numeric = ~np.isnan(old_num) & ~np.isnan(new_num)
    equal = np.where(numeric, old_num == new_num, old_text == new_text)
    return (old_blank & new_blank) | (~old_blank & ~new_blank & equal)


def changed_mask(previous: pd.DataFrame, current: pd.DataFrame) -> np.ndarray:
    """Per lead: whether its grade, score or status differs from previous (what History logs)."""
    same = np.ones(len(current), dtype=bool)
    for f in FIELDS:
        same &= _same(previous[f].astype(object), current[f].astype(object))
    return ~same


def changes(lead_ids: pd.Series, previous: pd.DataFrame, current: pd.DataFrame, when) -> pd.DataFrame:
    """One row per lead whose grade, score or status differs from `previous`.

    previous and current have columns grade, score, status and the same index as
    lead_ids; a lead scored for the first time (blank before) counts as a change.
    """
    changed = changed_mask(previous, current)
    data = {"lead_id": lead_ids[changed].to_numpy(dtype=object),
            "when": np.array([when] * int(changed.sum()), dtype=object)}
    for f in FIELDS:
        for side, frame in (("old", previous), ("new", current)):
            values = frame[f][changed].to_numpy(dtype=object, copy=True)
            values[pd.isna(values)] = None
            data[f"{side}_{f}"] = values
    return pd.DataFrame({c: data[c] for c in COLUMNS}, dtype=object)


def decayed(leads: pd.DataFrame, checked, events: pd.DataFrame | None, found, previous: pd.DataFrame, before,
            current: pd.DataFrame) -> np.ndarray:
    """Per lead: whether time alone lowered its score since the last run, with rules over events that
    have a window or a half-life. That is, scored again as of the last run's time (`before`, per lead:
    its Scored at) with today's data and events, the lead would have the score it had then; today it
    has less. found: scoring.events.EventResult of today's run (which events are whose)."""
    from .dates import read_date
    from .engine import evaluate_leads

    n = len(leads)
    out = np.zeros(n, dtype=bool)
    model = checked.model
    timed = any(r.window is not None or r.half_life is not None for r in model.event_rules)
    if not timed or events is None or found is None or not n:
        return out
    old = pd.to_numeric(previous["score"].astype(object), errors="coerce").to_numpy(dtype=float)
    new = pd.to_numeric(current["score"].astype(object), errors="coerce").to_numpy(dtype=float)
    when = pd.Series(before, dtype=object).reset_index(drop=True)
    stamps = [v if isinstance(v, dt.datetime) else read_date(v) for v in when]
    lower = np.flatnonzero(~np.isnan(old) & ~np.isnan(new) & (new < old) & np.array([s is not None for s in stamps]))
    if not len(lower):
        return out
    codes, distinct = pd.factorize(pd.Series([stamps[k] for k in lower], dtype=object))
    for code, stamp in enumerate(distinct):  # Usually one: every lead was scored by the same run.
        at = lower[codes == code]
        stamp = pd.Timestamp(stamp).to_pydatetime()
        mine = np.isin(found.lead, at)
        again = evaluate_leads(leads.iloc[at].reset_index(drop=True), checked,
                               events.iloc[np.flatnonzero(mine)].reset_index(drop=True), stamp).frame
        then = pd.to_numeric(again["score"], errors="coerce").to_numpy(dtype=float)
        out[at] = np.isclose(then, old[at])
    return out


def decay_notes(changed_rows: np.ndarray, moved: np.ndarray, previous: pd.DataFrame, current: pd.DataFrame,
                model, note: str) -> list:
    """The History note of each changed row (positions of its lead): note.format(old=band, new=band)
    where time alone moved the lead down a score band, else None."""
    labels = [b.label for b in model.score_bands]
    mins = np.array([float(b.min_score) for b in model.score_bands])
    order = np.argsort(mins, kind="stable")

    def band(scores) -> np.ndarray:  # The index of each score's band (as scoring.report counts them).
        values = pd.to_numeric(pd.Series(scores, dtype=object), errors="coerce").to_numpy(dtype=float)
        return order[np.clip(np.searchsorted(mins[order], values, side="right") - 1, 0, None)]

    old = band(previous["score"].to_numpy(dtype=object)[changed_rows])
    new = band(current["score"].to_numpy(dtype=object)[changed_rows])
    return [note.format(old=labels[o], new=labels[w]) if m and mins[w] < mins[o] else None
            for m, o, w in zip(moved[changed_rows], old, new)]

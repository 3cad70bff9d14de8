"""Score history: which leads changed grade, score or status since the previous run."""
from __future__ import annotations

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


def changes(lead_ids: pd.Series, previous: pd.DataFrame, current: pd.DataFrame, when) -> pd.DataFrame:
    """One row per lead whose grade, score or status differs from `previous`.

    previous and current have columns grade, score, status and the same index as
    lead_ids; a lead scored for the first time (blank before) counts as a change.
    """
    same = np.ones(len(current), dtype=bool)
    for f in FIELDS:
        same &= _same(previous[f].astype(object), current[f].astype(object))
    changed = ~same
    data = {"lead_id": lead_ids[changed].to_numpy(dtype=object),
            "when": np.array([when] * int(changed.sum()), dtype=object)}
    for f in FIELDS:
        for side, frame in (("old", previous), ("new", current)):
            values = frame[f][changed].to_numpy(dtype=object, copy=True)
            values[pd.isna(values)] = None
            data[f"{side}_{f}"] = values
    return pd.DataFrame({c: data[c] for c in COLUMNS}, dtype=object)

"""Score history: which leads changed grade, score or status since the previous run."""
from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ("lead_id", "when", "old_grade", "new_grade", "old_score", "new_score", "old_status", "new_status")
FIELDS = ("grade", "score", "status")


def _same(old: pd.Series, new: pd.Series) -> np.ndarray:
    """Equal values, blanks equal to blanks; 85 equals 85.0."""
    old_blank = old.isna() | (old.astype(str).str.strip() == "")
    new_blank = new.isna() | (new.astype(str).str.strip() == "")
    as_num_old = pd.to_numeric(old, errors="coerce")
    as_num_new = pd.to_numeric(new, errors="coerce")
    numeric = as_num_old.notna() & as_num_new.notna()
    equal = np.where(numeric, as_num_old == as_num_new, old.astype(str) == new.astype(str))
    return ((old_blank & new_blank) | (~old_blank & ~new_blank & equal)).to_numpy()


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

"""The area under the ROC curve of a score, and its confidence interval by bootstrap.

AUC is the chance that a won lead, drawn at random, scores above a lost one (a tie counts half).
It is computed from the average ranks of the scores (Mann-Whitney), so ties are exact.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

BOOTSTRAP_ROUNDS = 200  # Resamples of the leads for the interval.


def auc(won: np.ndarray, scores: np.ndarray) -> float | None:
    """AUC of scores for won (bool) against the rest; None without both won and lost leads."""
    won = np.asarray(won, dtype=bool)
    n_won = int(won.sum())
    n_lost = len(won) - n_won
    if not n_won or not n_lost:
        return None
    ranks = pd.Series(np.asarray(scores, dtype=float)).rank(method="average").to_numpy()
    return float((ranks[won].sum() - n_won * (n_won + 1) / 2) / (n_won * n_lost))


def auc_interval(won: np.ndarray, scores: np.ndarray, seed: int = 0, level: float = 0.95,
                 rounds: int = BOOTSTRAP_ROUNDS) -> tuple[float | None, float | None]:
    """The (low, high) percentile bootstrap interval of the AUC: the leads are resampled with
    replacement `rounds` times with the given seed, keeping only resamples with both outcomes."""
    won = np.asarray(won, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    n = len(won)
    if auc(won, scores) is None:
        return None, None
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(rounds):
        pick = rng.integers(0, n, n)
        value = auc(won[pick], scores[pick])
        if value is not None:
            found.append(value)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(found, [tail, 100 - tail])
    return float(low), float(high)

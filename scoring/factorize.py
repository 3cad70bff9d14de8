"""pandas.factorize for object columns, faster where the same objects repeat.

A column read from a workbook holds few distinct objects many times over: every cell that
shows the same shared string is the same Python str. Hashing a million object references
costs pandas about 50 ns each, hashing their addresses a fifth of that. So the addresses
(machine words, read straight from the array's memory) are factorized first, and only the
distinct objects behind them are factorized as objects: equal objects at different addresses
('Web form' read twice), None and NaN (blank) end where pandas.factorize puts them, and the
codes and uniques are exactly pandas.factorize's (same order: first appearance).

Where the objects are mostly distinct (an ID or e-mail column, numbers made one by one), the
first pass would gain nothing: a sample of the addresses says so, and pandas.factorize is
called as it is.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

SAMPLE = 65_536  # Addresses looked at to decide (spread over the column).
MOSTLY_DISTINCT = 0.5  # Share of distinct addresses in the sample above which objects are hashed at once.


def _addresses(values: np.ndarray) -> np.ndarray | None:
    """The object references of a contiguous object array, as unsigned machine words (no copy:
    valid while `values` lives); None where Python has no ctypes (some builds for the browser)."""
    try:
        import ctypes
    except ImportError:
        return None
    buffer = (ctypes.c_size_t * len(values)).from_address(values.ctypes.data)
    return np.frombuffer(buffer, dtype=np.uintp)


def factorize(values) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize(values, use_na_sentinel=True) with its uniques as an object array; for a
    Series or array of dtype object the objects' addresses are factorized first (see above)."""
    if values.dtype != object or len(values) < 2 * SAMPLE:  # (pandas' own text type is factorized by pyarrow.)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return codes, np.asarray(uniques, dtype=object)
    array = np.ascontiguousarray(values.to_numpy() if isinstance(values, pd.Series) else values)
    addresses = _addresses(array)
    step = len(array) // SAMPLE
    if addresses is None or len(np.unique(addresses[::step])) > MOSTLY_DISTINCT * len(addresses[::step]):
        codes, uniques = pd.factorize(array, use_na_sentinel=True)
        return codes, np.asarray(uniques, dtype=object)
    by_address, distinct = pd.factorize(addresses)
    first = np.full(len(distinct), len(array), dtype=np.intp)
    np.minimum.at(first, by_address, np.arange(len(array), dtype=np.intp))
    codes, uniques = pd.factorize(array[first], use_na_sentinel=True)  # In order of first appearance.
    return codes[by_address], np.asarray(uniques, dtype=object)

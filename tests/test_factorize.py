"""scoring.factorize gives exactly pandas.factorize's codes and uniques, by whichever road it takes."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from scoring import factorize as fz
from scoring.factorize import factorize


def same_as_pandas(values):
    codes, uniques = factorize(values)
    want_codes, want_uniques = pd.factorize(values, use_na_sentinel=True)
    assert codes.tolist() == want_codes.tolist()
    assert uniques.dtype == object
    assert [(type(u), repr(u)) for u in uniques] == [(type(u), repr(u)) for u in np.asarray(want_uniques, object)]
    return codes, uniques


def repeated(pool, n, seed=0):
    """n picks from pool: the same objects many times over, as cells read from shared strings are."""
    pool = np.array(pool, dtype=object)
    return pool[np.random.default_rng(seed).integers(0, len(pool), n)]


def test_shared_objects_take_the_address_road(monkeypatch):
    calls = []
    real = pd.factorize
    monkeypatch.setattr(fz.pd, "factorize", lambda v, **k: calls.append(v.dtype) or real(v, **k))
    values = repeated(["Web form", "Referral", "Event", None, ""], 4 * fz.SAMPLE)
    codes, uniques = same_as_pandas(values)
    assert calls[0] == np.uintp  # The addresses first, then the few objects behind them.
    assert set(uniques) == {"Web form", "Referral", "Event", ""}
    assert (codes[values == None] == -1).all()  # noqa: E711 - None is blank.


def test_equal_objects_at_different_addresses_are_one_value():
    # Each 'Web form' built anew: the same text at many addresses.
    values = np.array(["Web " + w for w in repeated(["form", "site"], 3 * fz.SAMPLE)], dtype=object)
    values[::7] = "Web form"
    codes, uniques = same_as_pandas(values)
    assert sorted(uniques) == ["Web form", "Web site"]


def test_blanks_and_equal_numbers_end_where_pandas_puts_them():
    pool = [1, 1.0, True, 2.5, np.nan, float("nan"), None, pd.NaT, pd.NA, "1", dt.date(2024, 1, 5),
            dt.datetime(2024, 1, 5, 9), 0, False, -0.0]
    same_as_pandas(repeated(pool, 3 * fz.SAMPLE, seed=1))


def test_mostly_distinct_objects_are_hashed_at_once(monkeypatch):
    calls = []
    real = pd.factorize
    monkeypatch.setattr(fz.pd, "factorize", lambda v, **k: calls.append(v.dtype) or real(v, **k))
    values = np.array([f"L{i:06d}" for i in range(3 * fz.SAMPLE)], dtype=object)
    values[5] = values[3]
    codes, _ = same_as_pandas(values)
    assert calls == [object, object]  # Ours, then the check's own: no pass over addresses.
    assert codes[5] == codes[3] == 3


@pytest.mark.parametrize("make", [
    lambda v: pd.Series(v),  # A Series of objects.
    lambda v: pd.DataFrame({"a": v, "b": v})["b"],  # A column of a frame.
    lambda v: v[::2],  # Not contiguous.
    lambda v: pd.Series(v).astype("str"),  # pandas' own text dtype.
    lambda v: v[:100],  # Small: pandas does it.
])
def test_any_column_shape(make):
    values = make(repeated(["a", "b", None, "a ", 3, 3.0], 4 * fz.SAMPLE, seed=2))
    same_as_pandas(values)


def test_pandas_text_type_is_left_to_pandas(monkeypatch):
    values = pd.Series(repeated(["a", "b", None], 4 * fz.SAMPLE)).astype("str")
    monkeypatch.setattr(fz, "_addresses", lambda v: pytest.fail("no objects to look at"))
    same_as_pandas(values)


def test_numbers_and_empty():
    same_as_pandas(np.array([3.0, np.nan, 3.0, 1.5]))
    same_as_pandas(np.array([], dtype=object))
    same_as_pandas(pd.Series([], dtype=object))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=3), st.integers(-3, 3), st.floats(allow_nan=True), st.none(),
                          st.booleans()), min_size=1, max_size=12),
       st.integers(0, 2 ** 32 - 1))
def test_any_values_many_times_over(pool, seed):
    same_as_pandas(repeated(pool, 2 * fz.SAMPLE, seed=seed))


def test_without_ctypes_pandas_does_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ctypes(name, *args, **kwargs):
        if name == "ctypes":
            raise ImportError("no ctypes here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ctypes)
    assert fz._addresses(np.array(["a"], dtype=object)) is None
    same_as_pandas(repeated(["a", "b", None], 4 * fz.SAMPLE))

"""Reading messy cell values: numbers written the Italian or English way, yes/no, blanks.

Each column is parsed once per distinct value (pandas.factorize), so a million
leads with a few thousand distinct spellings cost a few thousand parses.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

_CURRENCY = re.compile(r"^(?:€|\$|£|eur|euro|usd|gbp)\s*|\s*(?:€|\$|£|eur|euro|usd|gbp)$", re.I)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_SHAPE = re.compile(r"[+-]?(?:\d[\d.,]*|[.,]\d+)")
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")
_GROUPED = {".": re.compile(r"\d{1,3}(?:\.\d{3})+"), ",": re.compile(r"\d{1,3}(?:,\d{3})+")}
_YES = {"yes", "y", "true", "x", "si", "sì", "s", "vero", "✓", "✔"}
_NO = {"no", "n", "false", "falso", "-"}

BLANK, OK, BAD = 0, 1, 2


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if value is pd.NaT or (not isinstance(value, str) and pd.isna(value) is True):
        return True
    return isinstance(value, str) and not value.strip()


def _from_digits(body: str, decimal: str) -> float | None:
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        dec = "." if body.rfind(".") > body.rfind(",") else ","
        if decimal != "auto" and dec != decimal:
            return None
        thousands = "," if dec == "." else "."
        whole, _, frac = body.rpartition(dec)
        if thousands in frac or not _GROUPED[thousands].fullmatch(whole) or not frac.isdigit():
            return None
        return float(whole.replace(thousands, "") + "." + frac)
    sep = "." if dots else "," if commas else ""
    if not sep:
        return float(body) if body.isdigit() else None
    if body.count(sep) > 1:
        return float(body.replace(sep, "")) if _GROUPED[sep].fullmatch(body) else None
    whole, _, frac = body.partition(sep)
    grouped = bool(_GROUPED[sep].fullmatch(body)) and whole != "0"
    if decimal == "auto":
        as_thousands = grouped
    else:
        as_thousands = sep != decimal
        if as_thousands and not grouped:
            return None
    if as_thousands:
        return float(whole + frac)
    if not frac.isdigit() or (whole and not whole.isdigit()):
        return None
    return float((whole or "0") + "." + frac)


def parse_number(value, decimal: str = "auto") -> tuple[float | None, int]:
    """Return (number, BLANK|OK|BAD) for one cell value.

    '1.200.000' and '1,5' are read the Italian way, '1,200.50' the English way,
    '€ 1.200' as 1200; '2M', '1.2k', dates and words are BAD.
    """
    if is_blank(value):
        return None, BLANK
    if isinstance(value, bool):
        return float(value), OK
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value), OK
    if isinstance(value, (dt.date, dt.datetime, dt.time, pd.Timestamp)):
        return None, BAD
    text = _SPACES.sub("", _CURRENCY.sub("", str(value).strip()))
    if _SCIENTIFIC.fullmatch(text):
        return float(text), OK
    if not _SHAPE.fullmatch(text):
        return None, BAD
    sign = -1.0 if text[0] == "-" else 1.0
    number = _from_digits(text.lstrip("+-"), decimal)
    return (None, BAD) if number is None else (sign * number, OK)


def parse_count(value, decimal: str = "auto") -> tuple[float | None, int]:
    """Like parse_number, and yes/no words count as 1/0."""
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _YES:
            return 1.0, OK
        if word in _NO:
            return 0.0, OK
    return parse_number(value, decimal)


def text_key(value) -> str:
    """How a cell compares as text: trimmed, case-folded, whole numbers without '.0'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        value = value.date() if value == value.replace(hour=0, minute=0, second=0, microsecond=0) else value
    return " ".join(str(value).split()).casefold()


class Column:
    """One lead column, factorized once and parsed lazily."""

    def __init__(self, series: pd.Series, decimal: str = "auto"):
        self.name = series.name
        self.decimal = decimal
        self.series = series
        self.numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
        if series.dtype == object and pd.api.types.infer_dtype(series.to_numpy(), skipna=True) in (
                "integer", "floating", "mixed-integer-float"):
            self.series = series = pd.to_numeric(series)
            self.numeric = True
        self._factors = None
        self._cache = {}

    @property
    def factors(self):
        if self._factors is None:
            codes, uniques = pd.factorize(self.series, use_na_sentinel=True)
            self._factors = (codes, np.asarray(uniques, dtype=object))
        return self._factors

    def spread(self, per_unique: np.ndarray, blank) -> np.ndarray:
        """Values per unique value -> values per lead; blanks (code -1) get `blank`."""
        codes, _ = self.factors
        table = np.empty(len(per_unique) + 1, dtype=per_unique.dtype)
        table[:-1] = per_unique
        table[-1] = blank
        return table[codes]

    def _parsed(self, parser):
        if parser in self._cache:
            return self._cache[parser]
        if self.numeric:
            values = self.series.to_numpy(dtype=float, na_value=np.nan)
            state = (~np.isnan(values)).view(np.int8)  # OK = 1, BLANK = 0
        else:
            _, uniques = self.factors
            is_num = np.fromiter((type(v) is int or type(v) is float for v in uniques), bool, len(uniques))
            nums = np.full(len(uniques), np.nan)
            states = np.full(len(uniques), BAD, dtype=np.int8)
            nums[is_num] = uniques[is_num].astype(float)
            states[is_num] = np.where(np.isnan(nums[is_num]), BLANK, OK)
            rest = np.flatnonzero(~is_num)
            parsed = [parser(v, self.decimal) for v in uniques[rest]]
            nums[rest] = [np.nan if n is None else n for n, _ in parsed]
            states[rest] = [s for _, s in parsed]
            values, state = self.spread(nums, np.nan), self.spread(states, BLANK)
        self._cache[parser] = (values, state)
        return values, state

    def counts_by_value(self):
        """(codes per lead with -1 for blank, count per distinct value, state per distinct value)."""
        if self.numeric:
            values = self.series.to_numpy(dtype=float, na_value=np.nan)
            codes, uniq = pd.factorize(values, use_na_sentinel=True)
            return codes, np.asarray(uniq, dtype=float), np.full(len(uniq), OK, dtype=np.int8)
        codes, uniques = self.factors
        parsed = [parse_count(v, self.decimal) for v in uniques]
        nums = np.array([np.nan if n is None else n for n, _ in parsed], dtype=float)
        states = np.array([s for _, s in parsed], dtype=np.int8)
        return codes, nums, states

    def numbers(self):
        """(float array with NaN where not a number, state array BLANK/OK/BAD)."""
        return self._parsed(parse_number)

    def counts(self):
        return self._parsed(parse_count)

    def blank(self) -> np.ndarray:
        if self.numeric:
            return self.series.isna().to_numpy()
        _, uniques = self.factors
        return self.spread(np.array([is_blank(v) for v in uniques], dtype=bool), True)

    def unique_keys(self) -> tuple[list, list]:
        """Per unique value: its text key and its number (or None)."""
        if "keys" not in self._cache:
            _, uniques = self.factors
            keys = [text_key(v) for v in uniques]
            nums = [parse_number(v, self.decimal)[0] for v in uniques]
            self._cache["keys"] = (keys, nums)
        return self._cache["keys"]

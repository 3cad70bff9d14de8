"""Reading dates from cells: the one date reader of the engine.

A cell is a date when it holds a date or a date and time (Python, pandas or
numpy), an Excel serial day number (1 = 1900-01-01, up to 9999-12-31; a
fraction is the time of day), or text written as yyyy-mm-dd (optionally with a
time, ISO style) or day first as dd/mm/yyyy, dd.mm.yyyy or dd-mm-yyyy (two-digit
years are 20yy), optionally followed by hh:mm[:ss]. Anything else is no date.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
EXCEL_LAST_SERIAL = 2_958_466  # 9999-12-31 is serial 2,958,465.
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_NS = "datetime64[ns]"


def _build(year, month, day, hour=None, minute=None, second=None) -> dt.datetime | None:
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None


def read_datetime(value) -> dt.datetime | None:
    """A cell value as a datetime (midnight for a plain date); None when it is no date."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.tz_localize(None).to_pydatetime() if value.tz else \
            value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        if not 1 <= value < EXCEL_LAST_SERIAL:  # Also NaN.
            return None
        days = float(value)
        # Excel counts a 29 February 1900 that never was; serials before March 1900 are one day early.
        return EXCEL_EPOCH + dt.timedelta(days=days + (1 if days < 61 else 0))
    if isinstance(value, str):
        text = value.strip()
        match = _ISO.fullmatch(text)
        if match:
            return _build(*match.groups())
        match = _DAY_FIRST.fullmatch(text)
        if match:
            day, month, year, *time = match.groups()
            year = int(year) + (2000 if len(year) == 2 else 0)
            return _build(year, month, day, *time)
    return None


def read_date(value) -> dt.date | None:
    """A cell value as a date (the time of day dropped); None when it is no date."""
    stamp = read_datetime(value)
    return None if stamp is None else stamp.date()


def timestamps(values) -> pd.Series:
    """read_datetime over a column, once per distinct value: datetime64 values, NaT where no date."""
    s = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        return s.astype(_NS)
    codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
    stamps = [read_datetime(u) for u in uniques]
    table = np.array([np.datetime64("NaT") if t is None else np.datetime64(t, "ns") for t in stamps]
                     + [np.datetime64("NaT")], dtype=_NS)
    return pd.Series(table[codes], index=s.index)

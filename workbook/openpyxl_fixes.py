"""Numbers in date-formatted cells that no date can be stay as they are.

openpyxl turns a date-formatted cell whose number is outside Excel's dates (a Unix
time such as 1733011200 pasted into Created) into the error #VALUE!, and would save
it so: the user's value would be lost. Here such a number is read as NotADate (a
float) and written back as the same number; the engine flags it in Problems. This
patches two private names of openpyxl 3.1 (setup.py pins openpyxl below 3.2).
"""
from __future__ import annotations

import openpyxl.cell._writer
import openpyxl.worksheet._reader


class NotADate(float):
    """A number in a date-formatted cell that no date can be."""


_from_excel = openpyxl.worksheet._reader.from_excel
_to_excel = openpyxl.cell._writer.to_excel


def from_excel(value, *args, **kwargs):
    try:
        return _from_excel(value, *args, **kwargs)
    except (OverflowError, ValueError):
        return NotADate(value)


def to_excel(value, *args, **kwargs):
    return float(value) if isinstance(value, NotADate) else _to_excel(value, *args, **kwargs)


openpyxl.worksheet._reader.from_excel = from_excel
openpyxl.cell._writer.to_excel = to_excel

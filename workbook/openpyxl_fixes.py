"""Two ways openpyxl 3.1 reads a cell otherwise than Excel does, corrected.

* A date-formatted cell whose number is outside Excel's dates (a Unix time such as
  1733011200 pasted into Created) becomes the error #VALUE!, and would be saved so:
  the user's value would be lost. Here such a number is read as NotADate (a float) and
  written back as the same number; the engine flags it in Problems.
* Shared strings keep Excel's escapes of control characters ('1_x000B_200' for a
  vertical tab), which Excel and LibreOffice read as the character itself: here they
  are read as Excel reads them (and '_x005F_' as the underscore it stands for).

This patches private names of openpyxl 3.1 (setup.py pins openpyxl below 3.2).
"""
from __future__ import annotations

import re

import openpyxl.cell._writer
import openpyxl.reader.excel
import openpyxl.worksheet._reader
from openpyxl.cell.text import Text
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse


class NotADate(float):
    """A number in a date-formatted cell that no date can be."""


_from_excel = openpyxl.worksheet._reader.from_excel
_to_excel = openpyxl.cell._writer.to_excel
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def from_excel(value, *args, **kwargs):
    try:
        return _from_excel(value, *args, **kwargs)
    except (OverflowError, ValueError):
        return NotADate(value)


def to_excel(value, *args, **kwargs):
    return float(value) if isinstance(value, NotADate) else _to_excel(value, *args, **kwargs)


def unescape(text: str) -> str:
    """'1_x000B_200' -> '1\\x0b200'; '_x005F_x000B_' -> '_x000B_' (an escaped underscore)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def read_string_table(xml_source):
    """The shared strings, read as Excel reads them (openpyxl.reader.strings, with escapes undone)."""
    strings = []
    tag = "{%s}si" % SHEET_MAIN_NS
    for _, node in iterparse(xml_source):
        if node.tag == tag:
            strings.append(unescape(Text.from_tree(node).content))
            node.clear()
    return strings


openpyxl.worksheet._reader.from_excel = from_excel
openpyxl.cell._writer.to_excel = to_excel
openpyxl.reader.excel.read_string_table = read_string_table

"""Shared formulas: a column whose rows all hold the same formula is stored once.

Neither XlsxWriter nor openpyxl writes OOXML shared formulas, so a column of 100,000
identical native formulas would be stored 100,000 times (gigabytes of XML that Excel and
LibreOffice must parse). The writers store the formula in the column's first row and a
placeholder below it; `share()` then rewrites the saved package so that the first row
holds the formula as the master of a shared formula (`<f t="shared" ref="X2:X9" si="0">`)
and every row below refers to it (`<f t="shared" si="0"/>`), as Excel itself saves a
filled-down column. The formulas must not contain relative A1 references (native formulas
use names and absolute references only), so every row computes the same formula.
"""
from __future__ import annotations

import os
import posixpath
import re
import shutil
import zipfile

from defusedxml import ElementTree as ET  # Parses package parts without entity expansion.
import openpyxl.worksheet._reader
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter

PLACEHOLDER = "=0"  # What the writers store below the first row until share() runs.
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FORMULA_CELL = re.compile(rb'(<c r="([A-Z]{1,3})([0-9]+)"[^>]*>)<f>[^<]*</f>')


def sheet_part(zf: zipfile.ZipFile, sheet: str) -> str:
    """The package part (xl/worksheets/sheetN.xml) of the worksheet named sheet."""
    book = "xl/workbook.xml"
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{REL_NS}}}Relationship")}
    for s in ET.fromstring(zf.read(book)).iter(f"{{{MAIN_NS}}}sheet"):
        if s.get("name") == sheet:
            target = targets[s.get(f"{{{DOC_REL_NS}}}id")]
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(posixpath.dirname(book), target))
    raise KeyError(f"the workbook has no sheet {sheet!r}")


def share(path, sheet: str, columns, first_row: int, last_row: int) -> int:
    """Make each of columns (1-based numbers) of sheet, rows first_row to last_row, one shared
    formula whose master is the formula in first_row. Rewrites the package at path in place
    (path is a file being written, not the user's workbook). Returns the cells now shared."""
    if last_row <= first_row or not columns:
        return 0
    index = {get_column_letter(c).encode(): i for i, c in enumerate(sorted(columns))}
    top, bottom = str(first_row).encode(), str(last_row).encode()
    shared = [0]

    def rewrite(match):
        letter, row = match.group(2), match.group(3)
        si = index.get(letter)
        if si is None or not first_row <= int(row) <= last_row:
            return match.group(0)
        if row == top:
            formula = match.group(0)[len(match.group(1)) + 3:]
            ref = b"%s%s:%s%s" % (letter, top, letter, bottom)
            return match.group(1) + b'<f t="shared" ref="%s" si="%d">' % (ref, si) + formula
        shared[0] += 1
        return match.group(1) + b'<f t="shared" si="%d"/>' % si

    temp = os.fspath(path) + ".sharing"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as dst:
        part = sheet_part(src, sheet)
        for item in src.infolist():
            if item.filename == part:
                dst.writestr(item, FORMULA_CELL.sub(rewrite, src.read(item)))
            else:
                with src.open(item) as r, dst.open(item, "w") as w:
                    shutil.copyfileobj(r, w, 1 << 20)
    os.replace(temp, path)
    return shared[0]


def repeated_columns(ws, min_row: int, max_row: int, min_col: int, max_col: int, marker: str) -> list[int]:
    """Columns whose cells from min_row to max_row all hold one formula that mentions marker."""
    found = []
    for col in range(min_col, max_col + 1):
        first = ws.cell(min_row, col).value
        if isinstance(first, str) and first.startswith("=") and marker in first and all(
                ws.cell(r, col).value == first for r in range(min_row + 1, max_row + 1)):
            found.append(col)
    return found


def save(wb, path, runs) -> None:
    """wb.save(path) (openpyxl), storing each run (sheet, columns, first_row, last_row) as shared
    formulas. The workbook in memory is left as it was."""
    held = []
    for sheet, columns, first, last in runs:
        ws = wb[sheet]
        for c in columns:
            for r in range(first + 1, last + 1):
                cell = ws.cell(r, c)
                held.append((cell, cell.value))
                cell.value = PLACEHOLDER
    try:
        wb.save(path)
    finally:
        for cell, value in held:
            cell.value = value
    for run in runs:
        share(path, *run)


class FixedTranslator(Translator):
    """openpyxl's Translator, answering at once for a shared formula that moving leaves as it is.

    openpyxl re-tokenises a shared formula for every cell that refers to it: for the long
    native formulas that is most of the time of loading a big native workbook. A formula
    whose translation one row down and one column right is unchanged has no relative
    reference, so every cell gets the same text: it is worked out once.
    """

    def __init__(self, formula, origin):
        super().__init__(formula, origin)
        here = super().translate_formula(row_delta=0, col_delta=0)
        self._fixed = here if super().translate_formula(row_delta=1, col_delta=1) == here else None

    def translate_formula(self, dest=None, row_delta=0, col_delta=0):
        if self._fixed is not None:
            return self._fixed
        return super().translate_formula(dest, row_delta, col_delta)


# openpyxl's worksheet reader builds a Translator per shared formula: give it this one.
openpyxl.worksheet._reader.Translator = FixedTranslator

"""Errors of the workbook layer: problems that point at cells, and problems with files.

Every class derives from scoring.errors.LeadScoreError, so a face catches one
family and prints `lines()`:

- SheetError: the LeadScore sheet or a table is not usable; `.problems` are
  CellProblem records (sheet, cell, value, message, allowed), `.messages` their
  text ("LeadScore!E5: points 'abc' is not a number").
- LeadsTableError: the Leads table itself (missing, misshapen, too big).
- FileProblem: the file cannot be used (WrongFileType, Unreadable, TooBig,
  Locked, DiskProblem); `.path` names it.
- WriteRefused: a save that would harm the workbook was not made.
"""
from __future__ import annotations

from dataclasses import dataclass

from scoring.errors import LeadScoreError
from scoring.model import NOTHING


@dataclass(frozen=True)
class CellProblem:
    """One bad cell (or a bad sheet, when cell is None): where, what is there, what is allowed."""

    sheet: str
    cell: str | None
    message: str
    value: object = NOTHING
    allowed: str = ""

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def as_problem(item) -> CellProblem:
    """A CellProblem from a CellProblem or from a message already led by its place."""
    if isinstance(item, CellProblem):
        return item
    text = str(item)
    where, sep, message = text.partition(": ")
    sheet, bang, cell = where.partition("!")
    if sep and bang and " " not in cell:
        return CellProblem(sheet.strip("'"), cell, message)
    return CellProblem("", None, text)


class SheetError(LeadScoreError, ValueError):
    """Problems found in a workbook; each names a sheet and cell. Nothing was written."""

    def __init__(self, problems):
        self.problems = [as_problem(p) for p in problems]
        self.messages = [str(p) if p.sheet else p.message for p in self.problems]
        super().__init__("\n".join(self.messages))

    def lines(self) -> list[str]:
        return list(self.messages)


class LeadsTableError(SheetError):
    """The Leads table cannot be read (missing, misshapen, too big)."""


class FileProblem(LeadScoreError):
    """A file that cannot be used as asked; the message says what it is and what to do."""

    def __init__(self, path, message: str):
        self.path = None if path is None else str(path)
        super().__init__(message)


class WrongFileType(FileProblem):
    """Not an Excel workbook Lead Score can open (CSV, .xls, .ods, text, encrypted ...)."""


class Unreadable(FileProblem):
    """Looks like a workbook but cannot be read (truncated, corrupt, no permission)."""


class TooBig(FileProblem):
    """Beyond a size limit (a decompression bomb, an absurd table range)."""


class Locked(FileProblem):
    """Open in Excel, or another Lead Score run holds it."""


class DiskProblem(FileProblem):
    """Writing failed: disk full, read-only folder, missing folder."""


class WriteRefused(LeadScoreError):
    """A save was refused; the message says why and what to do instead."""

    def __init__(self, message: str, lost: list[str] | None = None):
        super().__init__(message)
        self.lost = list(lost or [])

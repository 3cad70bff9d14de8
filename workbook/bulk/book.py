"""The model of a book's LeadScore sheet for the bulk commands, and their problems placed on its cells."""
from __future__ import annotations

from dataclasses import dataclass

from scoring.defaults import HEADERS
from scoring.errors import LeadScoreError
from scoring.model import ModelError
from scoring.sql import NotExpressible

from ..errors import SheetError
from ..leads import find_table, is_engine_column, is_helper_column, output_meaning
from ..model_sheet import ModelSheet
from ..workflow import open_book

OUTPUT_MEANINGS = ("fit", "grade", "behaviour", "score", "rating", "status", "action", "reasons")


class CannotWrite(LeadScoreError):
    """SQL cannot score the model as the engine does: one line naming the rules, by cell."""


@dataclass
class BookModel:
    """The LeadScore sheet read and checked, and the headers of the book's Leads table (inputs only)."""

    sheet: ModelSheet
    lead_headers: list

    @property
    def checked(self):
        return self.sheet.checked

    @property
    def names(self) -> dict:
        """The output columns as the book names them (Fit, Grade ... or Profilo, Grado ...)."""
        language = self.sheet.model.settings.language
        return {m: HEADERS[m][0 if language == "en" else 1] for m in OUTPUT_MEANINGS}

    def located(self, exc: ModelError) -> SheetError:
        """A ModelError (a rule naming a column the leads lack) as problems on the LeadScore sheet's cells."""
        return SheetError([self.sheet.locate(p) for p in exc.problems])

    def cannot(self, exc: NotExpressible, engine: str) -> CannotWrite:
        """One line naming every rule SQL cannot write, by cell, and what to do."""
        where = "; ".join(str(self.sheet.locate(p)) for p in exc.problems)
        hint = ("take these rules out of a copy of the book to print the query without them" if engine == "sql"
                else "score the file with --engine pandas, or take these rules out of a copy of the book")
        return CannotWrite(f"SQL cannot score this model as Lead Score does: {where}; {hint}")


def is_input(header) -> bool:
    """A column of the leads, not one Lead Score writes (outputs, enrolment, helper and engine columns)."""
    return output_meaning(str(header)) is None and not is_engine_column(header) and not is_helper_column(header)


def read_book(path, leads: bool = True) -> BookModel:
    """The checked model of the book at path (SheetError lists every bad cell); with leads, also the
    input headers of its Leads table (for `leadscore sql`)."""
    with open_book(path) as book:
        sheet = ModelSheet(book)
        if sheet.errors:
            raise SheetError(sheet.errors)
        headers = [h for h in find_table(book).headers if is_input(h)] if leads else []
    return BookModel(sheet, headers)

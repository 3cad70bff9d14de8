"""GridBook: a read-only book over the values of the LeadScore sheet, as a function receives them.

An in-cell function gets the sheet's values (the defined name LeadScoreModel),
not its Excel Tables, so each block is found the way the template lays it out:
its title (English or Italian) in the row above HEADER_ROW and its header at
HEADER_ROW, else where this version's layout puts it (a book made by an older
version may have its blocks further left); as wide as its header cells run, as
long as its rows are not blank.
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter

from scoring.parse import is_blank, text_key

from .book import Book, Grid, TableSpot
from .errors import SheetError
from .layout import BLOCKS, HEADER_ROW, MODEL_SHEET


class GridBook(Book):
    def __init__(self, rows):
        self.grid = Grid(1, 1, [list(r) for r in rows])
        self._spots = self._find()

    def _find(self) -> list[TableSpot]:
        spots, errors = [], []
        titles = {}
        for col, value in enumerate(self.grid.row_values(HEADER_ROW - 1, 1, self._width()), start=1):
            if isinstance(value, str):
                titles.setdefault(text_key(value), col)
        for spec in BLOCKS:
            col = titles.get(text_key(spec.title_en), titles.get(text_key(spec.title_it), spec.first_column))
            first = self.grid.value(HEADER_ROW, col)
            if text_key(first or "") not in (text_key(spec.fields[0].en), text_key(spec.fields[0].it)):
                if spec.optional:
                    continue
                errors.append(f"{MODEL_SHEET}!{get_column_letter(col)}{HEADER_ROW}: expected the {spec.title_en} "
                              f"table here (header '{spec.fields[0].en}'), found {first!r}")
                continue
            last_col = col
            while not is_blank(self.grid.value(HEADER_ROW, last_col + 1)):
                last_col += 1
            last_row = HEADER_ROW
            while any(not is_blank(v) for v in self.grid.row_values(last_row + 1, col, last_col)):
                last_row += 1
            spots.append(TableSpot(MODEL_SHEET, spec.table, HEADER_ROW, col, last_row, last_col))
        if errors:
            raise SheetError(errors)
        return spots

    def _width(self) -> int:
        return max((len(r) for r in self.grid.rows), default=0)

    def sheet_names(self) -> list[str]:
        return [MODEL_SHEET]

    def tables(self, sheet=None) -> list[TableSpot]:
        return list(self._spots) if sheet in (None, MODEL_SHEET) else []

    def read(self, sheet, min_row, min_col, max_row, max_col) -> Grid:
        return Grid(min_row, min_col, [self.grid.row_values(r, min_col, max_col)
                                       for r in range(min_row, max_row + 1)])


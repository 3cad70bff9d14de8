"""Reading the model from the LeadScore sheet, with errors that name the cell.

The reader only finds the blocks and turns cells into a scoring.Model; all
rules about what a valid model is live in scoring.model.problems, and each
problem it finds is mapped back to the cell that holds the bad value.
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter

import datetime as dt

from scoring.model import (ActionPlan, BehaviourRule, FitRule, GradeBand, Model, Problem, ScoreBand,
                           SequenceStep, Settings, StatusRule, TeamMember, problems, split_list)
from scoring.parse import is_blank, parse_number, text_key

from .errors import SheetError
from .layout import BLOCKS, LIST_SETTINGS, MODEL_SHEET, NUMERIC_SETTINGS, SETTING_BY_NAME, SETTINGS

# Problem block -> layout block key; Problem field -> layout field key.
_BLOCK_OF = {"fit rule": "fit", "behaviour rule": "behaviour", "grade band": "grades",
             "grade bands": "grades", "score band": "bands", "score bands": "bands",
             "status rule": "status", "sequence step": "sequences", "action plan": "plans",
             "team member": "team", "holiday": "holidays"}
_FIELD_OF = {"behaviour": "name", "minimum fit": "min", "minimum score": "min", "band": "label",
             "owner role": "owner_role"}


def _cell(row: int, col: int) -> str:
    return f"{MODEL_SHEET}!{get_column_letter(col)}{row}"


class _Block:
    """One block as found on the sheet: header cells by field, data rows."""

    def __init__(self, grid, spec, table):
        self.spec = spec
        min_col, min_row, max_col, last = table.min_col, table.min_row, table.max_col, table.max_row
        self.header_row = min_row
        self.min_col = min_col
        self.headers = grid.row_values(min_row, min_col, max_col)
        self.columns = {}  # field key -> sheet column
        for i, h in enumerate(self.headers):
            for f in spec.fields:
                if text_key(h or "") in (text_key(f.en), text_key(f.it)) and f.key not in self.columns:
                    self.columns[f.key] = min_col + i
        self.extra = [min_col + i for i in range(len(self.headers))
                      if min_col + i not in self.columns.values()]
        self.rows = []  # (sheet row, {column: value})
        for r in range(min_row + 1, last + 1):
            values = dict(zip(range(min_col, max_col + 1), grid.row_values(r, min_col, max_col)))
            if not all(is_blank(v) for v in values.values()):
                self.rows.append((r, values))

    def missing(self) -> list[str]:
        out = []
        for f in self.spec.fields:
            if f.required and f.key not in self.columns:
                out.append(f"{_cell(self.header_row, self.min_col)}: the {self.spec.title_en} table "
                           f"has no column '{f.en}' (or '{f.it}')")
        return out

    def get(self, values: dict, key: str):
        col = self.columns.get(key)
        return None if col is None else values.get(col)

    def display(self, key: str) -> str:
        for i, f in enumerate(self.spec.fields):
            if f.key == key:
                col = self.columns.get(key)
                text = str(self.headers[col - self.min_col] if col else f.en)
                return text.split(" (")[0].lower()  # 'Cap (optional)' -> 'cap'.
        return key


def _number(value):
    """A cell as a number when it reads as one; otherwise the raw value, for the error."""
    if is_blank(value):
        return None
    number, _ = parse_number(value)
    if number is None:
        return value
    return int(number) if number.is_integer() and not isinstance(value, float) else number


def _date(value):
    """A holiday cell as a date; text like 2026-12-25 is read too, anything else is kept for the error."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def _text(value):
    if is_blank(value):
        return ""
    return value.strip() if isinstance(value, str) else value


def _rule_value(value):
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return _text(value)


class ModelSheet:
    """The LeadScore sheet read into a Model, remembering where each value came from."""

    def __init__(self, book):
        """book: a Book (see book.py)."""
        names = book.sheet_names()
        if MODEL_SHEET not in names:
            raise SheetError([f"{MODEL_SHEET}!A1: the workbook has no sheet '{MODEL_SHEET}' "
                              f"(sheets: {', '.join(names)}); create one with `leadscore new`"])
        found = book.tables(MODEL_SHEET)
        tables = {t.name.casefold(): t for t in found}
        grid = None
        if found:  # One read covers every block.
            grid = book.read(MODEL_SHEET, min(t.min_row for t in found), min(t.min_col for t in found),
                             max(t.max_row for t in found), max(t.max_col for t in found))
        errors, self.blocks = [], {}
        for spec in BLOCKS:
            table = tables.get(spec.table.casefold())
            if table is None:
                cell = _cell(3, spec.first_column)
                errors.append(f"{cell}: no Excel Table named {spec.table} ({spec.title_en}); "
                              f"tables on the sheet: {', '.join(sorted(t.name for t in found)) or 'none'}")
                continue
            block = _Block(grid, spec, table)
            errors += block.missing()
            self.blocks[spec.key] = block
        if errors:
            raise SheetError(errors)
        self.setting_cells = {}
        self.model = self._model(errors)
        if errors:
            raise SheetError(errors)

    def _model(self, errors) -> Model:
        b = self.blocks
        fit = [FitRule(column=_text(b["fit"].get(v, "column")), operator=_text(b["fit"].get(v, "operator")),
                       value=_rule_value(b["fit"].get(v, "value")), points=_number(b["fit"].get(v, "points")),
                       label=_text(b["fit"].get(v, "label")) or "")
               for _, v in b["fit"].rows]
        fit = [FitRule(**{**r.__dict__, "operator": str(r.operator).lower() if r.operator else r.operator})
               for r in fit]
        behaviour = [BehaviourRule(name=_text(b["behaviour"].get(v, "name")),
                                   column=_text(b["behaviour"].get(v, "column")),
                                   points=_number(b["behaviour"].get(v, "points")),
                                   cap=_number(b["behaviour"].get(v, "cap")))
                     for _, v in b["behaviour"].rows]
        roles = {}
        self.role_rows = {}
        for r, v in b["roles"].rows:
            role = _text(b["roles"].get(v, "role"))
            if role in roles:
                errors.append(f"{_cell(r, b['roles'].columns['role'])}: role {role!r} appears twice")
            roles[role] = _number(b["roles"].get(v, "level"))
            self.role_rows[str(role)] = r
        grades = [GradeBand(_text(b["grades"].get(v, "grade")), _number(b["grades"].get(v, "min")))
                  for _, v in b["grades"].rows]
        bands = [ScoreBand(_text(b["bands"].get(v, "label")), _number(b["bands"].get(v, "min")))
                 for _, v in b["bands"].rows]
        matrix_block = b["matrix"]
        action_cols = [c for c in matrix_block.extra]
        matrix, self.matrix_rows = {}, {}
        for r, v in matrix_block.rows:
            grade = _text(matrix_block.get(v, "grade"))
            matrix[grade] = tuple(_text(v.get(c)) for c in action_cols)
            self.matrix_rows[grade] = r
        if len(action_cols) != len(bands):
            errors.append(f"{_cell(matrix_block.header_row, matrix_block.min_col)}: the matrix has "
                          f"{len(action_cols)} action columns but there are {len(bands)} score bands; "
                          "give it one column per band, in the same order")
        status = [StatusRule(_text(b["status"].get(v, "status")), _number(b["status"].get(v, "min")),
                             tuple(split_list(b["status"].get(v, "grades"))))
                  for _, v in b["status"].rows]
        sq = b["sequences"]
        sequences = [SequenceStep(_text(sq.get(v, "sequence")), _number(sq.get(v, "step")),
                                  _number(sq.get(v, "day")), _text(sq.get(v, "channel")),
                                  _text(sq.get(v, "content")), _text(sq.get(v, "owner_role")))
                     for _, v in sq.rows]
        pl = b["plans"]
        plans = [ActionPlan(_text(pl.get(v, "action")), _text(pl.get(v, "sequence")) or "",
                            _number(pl.get(v, "priority"))) for _, v in pl.rows]
        team = [TeamMember(_text(b["team"].get(v, "name")), _text(b["team"].get(v, "role")))
                for _, v in b["team"].rows]
        holidays = [_date(b["holidays"].get(v, "date")) for _, v in b["holidays"].rows]
        return Model(fit, behaviour, roles, grades, bands, matrix, status, self._settings(errors),
                     sequences, plans, team, holidays)

    def _settings(self, errors) -> Settings:
        block = self.blocks["settings"]
        values = {}
        for r, v in block.rows:
            name = _text(block.get(v, "setting"))
            key = SETTING_BY_NAME.get(str(name).casefold())
            value_cell = (r, block.columns["value"])
            if key is None:
                known = ", ".join(en for _, en, *_ in SETTINGS)
                errors.append(f"{_cell(r, block.columns['setting'])}: {name!r} is not a setting "
                              f"(settings: {known})")
                continue
            self.setting_cells[key] = (value_cell, str(name))
            raw = block.get(v, "value")
            if key in NUMERIC_SETTINGS:
                values[key] = _number(raw)
            elif key in LIST_SETTINGS:
                values[key] = tuple(split_list(raw))
            else:
                values[key] = str(_text(raw))
        for key, en, it, *_ in SETTINGS:
            if key not in values:
                errors.append(f"{_cell(block.header_row, block.min_col)}: the Score settings table has "
                              f"no row '{en}' (or '{it}')")
        return Settings(**values) if not errors else Settings()

    def locate(self, p: Problem) -> str:
        """The message for a model problem, led by the cell that holds the bad value."""
        if p.block == "settings":
            (row, col), name = self.setting_cells.get(p.field, ((3, 1), p.field))
            return f"{_cell(row, col)}: {name} {p.message}"
        if p.block == "roles":
            block = self.blocks["roles"]
            row = self.role_rows.get(p.field, block.header_row)
            return f"{_cell(row, block.columns['level'])}: level of {p.field!r} {p.message}"
        if p.block == "matrix":
            block = self.blocks["matrix"]
            row = self.matrix_rows.get(p.field, block.header_row)
            return f"{_cell(row, block.min_col)}: matrix row {p.field!r} {p.message}"
        block = self.blocks[_BLOCK_OF[p.block]]
        key = _FIELD_OF.get(p.field, p.field)
        col = block.columns.get(key, block.min_col)
        row = block.rows[p.index][0] if p.index is not None else block.header_row
        return f"{_cell(row, col)}: {block.display(key)} {p.message}"

    def problems(self, lead_headers: list[str] | None = None) -> list[str]:
        """Every problem of the model, and of rule columns missing from the leads, by cell."""
        found = problems(self.model)
        if lead_headers is not None:
            found += self.column_problems(lead_headers)
        return [self.locate(p) for p in found]

    def column_problems(self, lead_headers: list[str]) -> list[Problem]:
        keys = {text_key(h) for h in lead_headers}
        s = self.model.settings
        derived = text_key(s.role_column) in keys
        out = []
        listing = ", ".join(map(str, lead_headers))
        for block, rules in (("fit rule", self.model.fit_rules), ("behaviour rule", self.model.behaviour_rules)):
            for i, rule in enumerate(rules):
                key = text_key(rule.column or "")
                if not key or key in keys or (derived and key == text_key(s.role_level_column)):
                    continue
                out.append(Problem(block, i, "column", f"{rule.column!r} is not a column of the Leads "
                                                       f"table (columns: {listing})"))
        return out

"""Reading the model from the LeadScore sheet, with problems that name the cell.

The reader finds the blocks (layout.BLOCKS), takes each row's cells as they are
into a scoring.Model, and lets scoring.model.check read every value by its
declared kind. Each problem it returns (block, entry, attribute) is mapped back
to the cell that holds the bad value, through the same block declarations.
"""
from __future__ import annotations

from dataclasses import replace

from openpyxl.utils import get_column_letter

from scoring.engine import missing_columns
from scoring.model import (NOTHING, ActionPlan, BehaviourRule, EventRule, FitRule, GradeBand, Model, Problem,
                           RuleGroup,
                           ScoreBand, SequenceStep, Settings, StatusRule, TeamMember, check)
from scoring.model import LANGUAGES
from scoring.parse import is_blank, text_key
from scoring.schema import Choice, shown
from scoring.texts import PLACEHOLDERS, in_language

from .errors import CellProblem, SheetError
from .layout import BLOCK_OF_PROBLEM, BLOCKS, MODEL_SHEET, OPTIONAL_SETTINGS, SETTING_BY_NAME, SETTINGS

RECORDS = {"fit": FitRule, "behaviour": BehaviourRule, "grades": GradeBand, "bands": ScoreBand,
           "status": StatusRule, "sequences": SequenceStep, "plans": ActionPlan, "team": TeamMember,
           "groups": RuleGroup, "events": EventRule}


def _cell(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def _problem(row: int, col: int, message: str, value=NOTHING, allowed: str = "") -> CellProblem:
    return CellProblem(MODEL_SHEET, _cell(row, col), message, value, allowed)


class _Block:
    """One block as found on the sheet: header cells by field, data rows, the row just below."""

    def __init__(self, grid, spec, table):
        self.spec = spec
        min_col, min_row, max_col, last = table.min_col, table.min_row, table.max_col, table.max_row
        self.header_row = min_row
        self.min_col, self.max_col, self.last_row = min_col, max_col, last
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
        below = grid.row_values(last + 1 + table.totals, min_col, max_col)
        self.below = next((min_col + i for i, v in enumerate(below) if not is_blank(v)), None)

    def missing(self) -> list[CellProblem]:
        return [_problem(self.header_row, self.min_col,
                         f"the {self.spec.title_en} table has no column '{f.en}' (or '{f.it}')")
                for f in self.spec.fields if f.required and f.key not in self.columns]

    def get(self, values: dict, key: str):
        col = self.columns.get(key)
        return None if col is None else values.get(col)

    def column_of(self, attribute: str) -> int:
        field = next((f for f in self.spec.fields if f.attribute == attribute), None)
        return self.columns.get(field.key, self.min_col) if field else self.min_col

    def display(self, key: str) -> str:
        """How messages name a field: its header as on the sheet, lower case, without '(optional)'."""
        for f in self.spec.fields:
            if f.key == key or f.attribute == key:
                col = self.columns.get(f.key)
                text = str(self.headers[col - self.min_col] if col else f.en)
                return text.split(" (")[0].lower()
        return key


class ModelSheet:
    """The LeadScore sheet read into a Model, remembering where each value came from.

    raw: the Model as the cells hold it; model: the checked model with clean values (what the
    engine scores); checked: scoring.model.CheckedModel; errors and warnings: CellProblems.
    """

    def __init__(self, book):
        names = book.sheet_names()
        if MODEL_SHEET not in names:
            raise SheetError([CellProblem(MODEL_SHEET, "A1", f"the workbook has no sheet '{MODEL_SHEET}' "
                                          f"(sheets: {', '.join(names)}); create one with `leadscore new`")])
        found = book.tables(MODEL_SHEET)
        tables = {t.name.casefold(): t for t in found}
        grid = None
        if found:  # One read covers every block, and the row below each.
            grid = book.read(MODEL_SHEET, min(t.min_row for t in found), min(t.min_col for t in found),
                             max(t.max_row + t.totals for t in found) + 1, max(t.max_col for t in found))
        errors, self.blocks = [], {}
        for spec in BLOCKS:
            table = tables.get(spec.table.casefold())
            if table is None and spec.optional:
                continue
            if table is None:
                listed = ", ".join(sorted(t.name for t in found)) or "none"
                errors.append(_problem(3, spec.first_column, f"no Excel Table named {spec.table} "
                                       f"({spec.title_en}); tables on the sheet: {listed}"))
                continue
            block = _Block(grid, spec, table)
            errors += block.missing()
            self.blocks[spec.key] = block
        if errors:
            raise SheetError(errors)
        self.setting_cells = {}
        self.raw = self._model(errors)
        if errors:
            raise SheetError(errors)
        self.checked, problems = check(self.raw)
        self.model = self.checked.model
        self.errors = [self.locate(p) for p in problems if not p.warning]
        self.warnings = [self.locate(p) for p in problems if p.warning] + self._below()

    @property
    def import_map(self) -> dict:
        """Their header (as a text key) -> our column, from the Import map block (empty without one)."""
        block = self.blocks.get("imports")
        if block is None:
            return {}
        found = {}
        for _, values in block.rows:
            theirs, ours = block.get(values, "theirs"), block.get(values, "ours")
            if not is_blank(theirs) and not is_blank(ours):
                found.setdefault(text_key(theirs), str(ours).strip())
        return found

    def _records(self, key: str) -> list:
        block, record = self.blocks[key], RECORDS[key]
        return [record(**{f.attribute: block.get(values, f.key) for f in block.spec.fields
                          if f.attribute in record.__dataclass_fields__})
                for _, values in block.rows]

    def _model(self, errors) -> Model:
        b = self.blocks
        roles, self.role_rows = {}, []
        for r, values in b["roles"].rows:
            role = b["roles"].get(values, "role")
            key = role.strip() if isinstance(role, str) else role
            if key in roles and not is_blank(key):
                errors.append(_problem(r, b["roles"].columns["role"], f"role {shown(key)} appears twice"))
                continue
            roles[key] = b["roles"].get(values, "level")
            self.role_rows.append(r)
        matrix_block = b["matrix"]
        matrix, self.matrix_rows = {}, []
        for r, values in matrix_block.rows:
            grade = matrix_block.get(values, "grade")
            key = grade.strip() if isinstance(grade, str) else grade
            if key in matrix and not is_blank(key):
                errors.append(_problem(r, matrix_block.columns["grade"], f"grade {shown(key)} has two rows"))
                continue
            matrix[key] = tuple(values.get(c) for c in matrix_block.extra)
            self.matrix_rows.append(r)
        n_bands = len(b["bands"].rows)
        if len(matrix_block.extra) != n_bands:
            errors.append(_problem(matrix_block.header_row, matrix_block.min_col,
                                   f"the matrix has {len(matrix_block.extra)} action columns but there are "
                                   f"{n_bands} score bands; give it one column per band, in the same order"))
        holidays = [b["holidays"].get(values, "date") for _, values in b["holidays"].rows]
        groups = self._records("groups") if "groups" in b else []  # Older books have no Groups table.
        events = self._records("events") if "events" in b else []  # Nor rules over events.
        return Model(self._records("fit"), self._records("behaviour"), roles, self._records("grades"),
                     self._records("bands"), matrix, self._records("status"), self._settings(errors),
                     self._records("sequences"), self._records("plans"), self._records("team"), holidays, groups,
                     events)

    def _settings(self, errors) -> Settings:
        block = self.blocks["settings"]
        values = {}
        for r, v in block.rows:
            name = block.get(v, "setting")
            key = SETTING_BY_NAME.get(" ".join(str(name).split()).casefold()) if not is_blank(name) else None
            if key is None:
                known = ", ".join(en for _, en, *_ in SETTINGS)
                errors.append(_problem(r, block.columns["setting"], f"{shown(name)} is not a setting "
                                       f"(settings: {known})"))
                continue
            if key in values:
                errors.append(_problem(r, block.columns["setting"], f"{shown(name)} appears twice"))
                continue
            self.setting_cells[key] = ((r, block.columns["value"]), str(name).strip())
            values[key] = block.get(v, "value")
        for key, en, it, *_ in SETTINGS:
            if key not in values and key not in OPTIONAL_SETTINGS:
                errors.append(_problem(block.header_row, block.min_col, f"the Score settings table has "
                                       f"no row '{en}' (or '{it}')"))
        if "placeholders" not in values:  # A book made before the setting: its language's defaults.
            language, _ = Choice(LANGUAGES).read(values.get("language"))
            values["placeholders"] = PLACEHOLDERS.get(language, PLACEHOLDERS["en"])
        return Settings(**values) if not errors else Settings()

    def _below(self) -> list[CellProblem]:
        """A row typed just below a table is not part of it (Excel grows a table, a paste does not)."""
        out = []
        for block in self.blocks.values():
            if block.below is not None:
                row = block.last_row + 1
                out.append(_problem(row, block.below, f"this row is just below the {block.spec.title_en} "
                                    "table but not part of it, so it is ignored; make it part of the table "
                                    "(in Excel: Table Design > Resize Table)"))
        return out

    def locate(self, p: Problem) -> CellProblem:
        """A model problem as a CellProblem: the cell that holds the bad value, and the message in the
        book's language."""
        found = self._locate(p)
        return replace(found, message=in_language(found.message, self.model.settings.language))

    def _locate(self, p: Problem) -> CellProblem:
        detail = {"value": p.value, "allowed": p.allowed}
        if p.block == "settings":
            settings = self.blocks["settings"]
            (row, col), name = self.setting_cells.get(p.attribute or p.field,
                                                      ((settings.header_row, settings.min_col), p.field))
            return _problem(row, col, f"{name} {p.message}", **detail)
        block = self.blocks[BLOCK_OF_PROBLEM[p.block].key]
        if p.block == "roles":
            row = self.role_rows[p.index] if p.index is not None else block.header_row
            if p.attribute == "level":
                return _problem(row, block.columns["level"], f"level of {p.subject!r} {p.message}", **detail)
            return _problem(row, block.columns["role"], f"role {p.message}", **detail)
        if p.block == "matrix":
            if p.index is None:
                row = next((r for r, g in zip(self.matrix_rows, self.raw.matrix) if text_key(g) ==
                            text_key(p.subject)), block.header_row)
                return _problem(row, block.min_col, f"matrix row {p.subject!r} {p.message}")
            row = self.matrix_rows[p.index]
            col = block.columns["grade"]
            if p.attribute == "actions" and p.item is not None and p.item < len(block.extra):
                col = block.extra[p.item]
            return _problem(row, col, f"matrix row {p.subject!r} {p.message}", **detail)
        if p.block == "holiday":
            row = block.rows[p.index][0]
            return _problem(row, block.columns["date"], f"holiday {p.message}", **detail)
        col = block.column_of(p.attribute) if p.attribute else block.min_col
        row = block.rows[p.index][0] if p.index is not None else block.header_row
        label = block.display(p.attribute) if p.attribute else p.field
        return _problem(row, col, f"{label} {p.message}", **detail)

    def problems(self, lead_headers: list[str] | None = None, leads=None) -> list[CellProblem]:
        """Every error of the model, and of rule columns missing from the leads, by cell."""
        found = list(self.errors)
        if lead_headers is not None:
            found += [self.locate(p) for p in self.column_problems(lead_headers, leads)]
        return found

    def column_problems(self, lead_headers: list[str], leads=None) -> list[Problem]:
        """Rules naming columns the leads lack (and a Role column setting that names none)."""
        return missing_columns(lead_headers, self.checked, leads)


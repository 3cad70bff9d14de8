"""Reading the model from the LeadScore sheet, with problems that name the cell.

The reader finds the blocks (layout.BLOCKS), takes each row's cells as they are
into a scoring.Model, and lets scoring.model.check read every value by its
declared kind. Each problem it returns (block, entry, attribute) is mapped back
to the cell that holds the bad value, through the same block declarations.

Problems of the sheet's structure (a table or column missing, a row twice, a row
just below a table) are found before the model is checked, so they are written in
the language the sheet shows (ModelSheet.language): its first Language setting when
the Score settings table holds one that reads as en or it, else Italian when more
of the tables' headers are Italian field names than English ones, else English.
Each of these messages is written in both languages where it is made; the model's
own problems are put in the same language (scoring.texts.in_language).
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


def _say(language: str, english: str, italian: str) -> str:
    """A message of the sheet's structure in the book's language."""
    return italian if language == "it" else english


def _setting_key(name):
    """The setting a name in the Setting column stands for (English or Italian), or None."""
    return None if is_blank(name) else SETTING_BY_NAME.get(" ".join(str(name).split()).casefold())


class ModelSheetError(SheetError):
    """A SheetError of the LeadScore sheet that knows the language its messages are written in
    (the in-cell functions lead with 'Errore:' in an Italian book)."""

    def __init__(self, problems, language: str = "en"):
        super().__init__(problems)
        self.language = language


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

    def missing(self, language: str) -> list[CellProblem]:
        return [_problem(self.header_row, self.min_col,
                         _say(language, f"the {self.spec.title_en} table has no column '{f.en}' (or '{f.it}')",
                              f"la tabella {self.spec.title_it} non ha la colonna '{f.it}' (o '{f.en}')"))
                for f in self.spec.fields if f.required and f.key not in self.columns]

    def languages(self) -> tuple[int, int]:
        """(English, Italian): how many headers are a field's name in only that language."""
        english = italian = 0
        for header in self.headers:
            key = text_key(header if header is not None else "")
            english += any(key == text_key(f.en) != text_key(f.it) for f in self.spec.fields)
            italian += any(key == text_key(f.it) != text_key(f.en) for f in self.spec.fields)
        return english, italian

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
    engine scores); checked: scoring.model.CheckedModel; errors and warnings: CellProblems;
    language: the language of the sheet's messages, 'en' or 'it' (the rule of the module's
    docstring; the same as the checked Language setting when that is a language). Raises
    ModelSheetError.
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
        self.blocks = {spec.key: _Block(grid, spec, tables[spec.table.casefold()]) for spec in BLOCKS
                       if spec.table.casefold() in tables}
        self.language = self._language()
        errors = []
        for spec in BLOCKS:
            if spec.key in self.blocks:
                errors += self.blocks[spec.key].missing(self.language)
            elif not spec.optional:
                listed = ", ".join(sorted(t.name for t in found)) or _say(self.language, "none", "nessuna")
                errors.append(_problem(3, spec.first_column, _say(
                    self.language, f"no Excel Table named {spec.table} ({spec.title_en}); tables on the sheet: "
                                   f"{listed}",
                    f"nessuna tabella di Excel chiamata {spec.table} ({spec.title_it}); tabelle nel foglio: "
                    f"{listed}")))
        if errors:
            raise ModelSheetError(errors, self.language)
        self.setting_cells = {}
        self.raw = self._model(errors)
        if errors:
            raise ModelSheetError(errors, self.language)
        self.checked, problems = check(self.raw)
        self.model = self.checked.model
        self.errors = [self.locate(p) for p in problems if not p.warning]
        self.warnings = [self.locate(p) for p in problems if p.warning] + self._below()

    def _language(self) -> str:
        """The language of the sheet before its model is checked: the first Language setting, when the
        Score settings table holds one that reads as en or it; else Italian when more headers of the
        tables found are Italian field names than English ones; else English."""
        settings = self.blocks.get("settings")
        for _, values in settings.rows if settings is not None else ():
            if _setting_key(settings.get(values, "setting")) == "language":
                language, _ = Choice(LANGUAGES).read(settings.get(values, "value"))
                if language:
                    return language
                break
        counts = [block.languages() for block in self.blocks.values()]
        return "it" if sum(it for _, it in counts) > sum(en for en, _ in counts) else "en"

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
                errors.append(_problem(r, b["roles"].columns["role"], _say(
                    self.language, f"role {shown(key)} appears twice", f"il ruolo {shown(key)} compare due volte")))
                continue
            roles[key] = b["roles"].get(values, "level")
            self.role_rows.append(r)
        matrix_block = b["matrix"]
        matrix, self.matrix_rows = {}, []
        for r, values in matrix_block.rows:
            grade = matrix_block.get(values, "grade")
            key = grade.strip() if isinstance(grade, str) else grade
            if key in matrix and not is_blank(key):
                errors.append(_problem(r, matrix_block.columns["grade"], _say(
                    self.language, f"grade {shown(key)} has two rows", f"il grado {shown(key)} ha due righe")))
                continue
            matrix[key] = tuple(values.get(c) for c in matrix_block.extra)
            self.matrix_rows.append(r)
        n_bands = len(b["bands"].rows)
        if len(matrix_block.extra) != n_bands:
            n_actions = len(matrix_block.extra)
            errors.append(_problem(matrix_block.header_row, matrix_block.min_col, _say(
                self.language, f"the matrix has {n_actions} action columns but there are {n_bands} score bands; "
                               "give it one column per band, in the same order",
                f"la matrice ha {n_actions} colonne di azioni ma le fasce di punteggio sono {n_bands}; dalle una "
                "colonna per fascia, nello stesso ordine")))
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
            key = _setting_key(name)
            if key is None:
                known = ", ".join(_say(self.language, en, it) for _, en, it, *_ in SETTINGS)
                errors.append(_problem(r, block.columns["setting"], _say(
                    self.language, f"{shown(name)} is not a setting (settings: {known})",
                    f"{shown(name)} non è un'impostazione (impostazioni: {known})")))
                continue
            if key in values:
                errors.append(_problem(r, block.columns["setting"], _say(
                    self.language, f"{shown(name)} appears twice", f"{shown(name)} compare due volte")))
                continue
            self.setting_cells[key] = ((r, block.columns["value"]), str(name).strip())
            values[key] = block.get(v, "value")
        for key, en, it, *_ in SETTINGS:
            if key not in values and key not in OPTIONAL_SETTINGS:
                errors.append(_problem(block.header_row, block.min_col, _say(
                    self.language, f"the {block.spec.title_en} table has no row '{en}' (or '{it}')",
                    f"la tabella {block.spec.title_it} non ha la riga '{it}' (o '{en}')")))
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
                out.append(_problem(row, block.below, _say(
                    self.language, f"this row is just below the {block.spec.title_en} table but not part of it, "
                                   "so it is ignored; make it part of the table (in Excel: Table Design > Resize "
                                   "Table)",
                    f"questa riga è subito sotto la tabella {block.spec.title_it} ma non ne fa parte, quindi è "
                    "ignorata; includila nella tabella (in Excel: Progettazione tabella > Ridimensiona "
                    "tabella)")))
        return out

    def locate(self, p: Problem) -> CellProblem:
        """A model problem as a CellProblem: the cell that holds the bad value, and the message in the
        book's language."""
        found = self._locate(p)
        return replace(found, message=in_language(found.message, self.language))

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


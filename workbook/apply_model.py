"""`leadscore calibrate --apply`: the suggested model written into the LeadScore tables, with a Changelog.

What changes, and how (the suggested model lists every existing rule first, in its order, then the
new ones: scoring/suggest.py):

* an existing rule's Points cell takes its suggested points (0 where the suggestion does without it,
  e.g. a count rule whose column's bins replace it); its Group cell is cleared (the points were learned
  for each rule alone); no row is moved or deleted, so every change is one cell;
* each new rule is a new row of its table: the blank rows at the table's end first, then the table
  grows down (the cells below it must be empty, else nothing is written and the message names the
  cell), and the block's defined name (FitRules, BehaviourRules) grows with it;
* the Grade bands' minimum fit points and the Status thresholds' minimum scores take the suggested
  ones, and so do the Score bands' minimum scores; a band label that says its numbers ("0–49") takes
  the new ones, and the matrix's header of that band with it (its table column is renamed);
* every change is a row of the Changelog table (tblChangelog, at LeadScore!BW3, made on the first
  apply): when, what, which cell, old value (as the cell held it) → new value, and why (the evidence
  on the held-out leads). Typing the old value back into its cell undoes a change; deleting the row
  of a new rule undoes its addition.

Everything is planned (and checked) before the first write.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from scoring.model import KIND_WORDS, OPERATOR_WORDS, OPERATORS, RULE_KINDS
from scoring.parse import is_blank
from scoring.suggest import GRADE_SHARES

from .errors import SheetError
from .layout import HEADER_ROW, LISTS_COLUMN, MODEL_SHEET

CHANGELOG_TABLE = "tblChangelog"
CHANGELOG_COLUMN = LISTS_COLUMN + 10  # Column BW: right of the dropdown lists.
CHANGELOG_HEADERS = {"en": ("When", "What", "Cell", "Old", "New", "Why"),
                     "it": ("Quando", "Cosa", "Cella", "Prima", "Dopo", "Perché")}
WORDS = {
    "title": ("Changelog (leadscore calibrate --apply): one row per change; to undo one, type the old value "
              "back into its cell, or delete the row of a new rule",
              "Registro modifiche (leadscore calibrate --apply): una riga per modifica; per annullarne una, "
              "riscrivi il valore di prima nella sua cella, o elimina la riga di una regola nuova"),
    "fit": ("Fit rule {rule!r}", "Regola di profilo {rule!r}"),
    "behaviour": ("Behaviour rule {rule!r}", "Regola di comportamento {rule!r}"),
    "new fit": ("New fit rule {rule!r} (row {row})", "Nuova regola di profilo {rule!r} (riga {row})"),
    "new behaviour": ("New behaviour rule {rule!r} (row {row})",
                      "Nuova regola di comportamento {rule!r} (riga {row})"),
    "points": (": points", ": punti"),
    "group": (": group", ": gruppo"),
    "grade": ("Grade band {grade}: minimum fit points", "Fascia di grado {grade}: punti profilo minimi"),
    "band min": ("Score band {band}: minimum score", "Fascia di punteggio {band}: punteggio minimo"),
    "band label": ("Score band {band}: name", "Fascia di punteggio {band}: nome"),
    "matrix band": ("Matrix: header of band {band}", "Matrice: intestazione della fascia {band}"),
    "band why": ("the bands follow the suggested thresholds: on the holdout this band holds {leads} leads, "
                 "{rate} of them converted",
                 "le fasce seguono le soglie suggerite: sui lead di verifica questa fascia ha {leads} lead, "
                 "il {rate} dei quali ha convertito"),
    "label why": ("the name says the band's new scores", "il nome dice i nuovi punteggi della fascia"),
    "status": ("Status threshold {status}: minimum score", "Soglia di stato {status}: punteggio minimo"),
    "evidence": ("learned on the training leads; on the holdout {leads} leads get it, {rate} of them converted "
                 "against {others} of the others (lift {lift})",
                 "appreso sui lead di addestramento; sui lead di verifica lo ricevono {leads} lead, il {rate} dei "
                 "quali ha convertito contro il {others} degli altri (lift {lift})"),
    "no evidence": ("learned on the training leads; on the holdout no lead gets it",
                    "appreso sui lead di addestramento; sui lead di verifica nessun lead lo riceve"),
    "replaced": ("its column {column!r} is learned as bins (new rules) instead; ",
                 "la sua colonna {column!r} è appresa a fasce (regole nuove) al suo posto; "),
    "no group": ("the suggested points were learned for each rule alone",
                 "i punti suggeriti sono stati appresi per ogni regola da sola"),
    "grade why": ("cut where the top {share} of the training leads by fit points end",
                  "tagliata dove finisce il primo {share} dei lead di addestramento per punti profilo"),
    "status why": ("sales capacity {capacity}: on the holdout {statuses} passes {leads} of the leads with {won} "
                   "of their conversions",
                   "capacità commerciale {capacity}: sui lead di verifica {statuses} passa il {leads} dei lead con "
                   "il {won} delle loro conversioni"),
    "or": (" or ", " o "),
}


@dataclass
class Change:
    """One change to the LeadScore sheet, as its Changelog row shows it."""

    what: str
    cell: str
    old: object
    new: object
    why: str


def _word(key: str, language: str) -> str:
    return WORDS[key][0 if language == "en" else 1]


def _pct(x, language: str) -> str:
    if x is None or x != x:
        return "\u2014"
    text = f"{x:.1%}"
    return text.replace(".", ",") if language == "it" else text


def _num(x, language: str, digits: int = 2) -> str:
    if x is None or x != x:
        return "\u2014"
    text = f"{x:,.{digits}f}" if digits else f"{x:,}"
    return text.translate(str.maketrans(",.", ".,")) if language == "it" else text


def _cell(row: int, col: int) -> str:
    return f"{MODEL_SHEET}!{get_column_letter(col)}{row}"


def _plain(value):
    """A model number as a cell should hold it: a whole float as an int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _evidence(r, language: str) -> str:
    if not int(r["leads"]):
        return _word("no evidence", language)
    return _word("evidence", language).format(leads=_num(int(r["leads"]), language, 0),
                                              rate=_pct(r["rate"], language), others=_pct(r["rate_other"], language),
                                              lift=_num(r["lift"], language))


def _operator(op: str, language: str) -> str:
    """An operator as the book's language writes it (either language's is read in any book)."""
    return dict(zip(OPERATORS, OPERATOR_WORDS.get(language, OPERATORS))).get(op, op)


class _Plan:
    """The writes and Changelog rows of one apply, found before anything is written."""

    def __init__(self, book, sheet, found, language: str):
        self.book, self.sheet, self.found, self.language = book, sheet, found, language
        self.cells: dict = {}  # (row, col) -> value, on the LeadScore sheet.
        self.headers: dict = {}  # Matrix header renames: sheet column -> new band label.
        self.appended: list = []  # (table spot, rows to append, old last row, new last row, defined name).
        self.changes: list[Change] = []
        self.spots = {t.name.casefold(): t for t in book.tables(MODEL_SHEET)}

    def write(self, row: int, col: int, old, new, what: str, why: str) -> None:
        self.cells[(row, col)] = new
        self.changes.append(Change(what, _cell(row, col), old, new, why))

    def rules(self, side: str) -> None:
        block = self.sheet.blocks[side]
        current = getattr(self.found.model, f"{side}_rules")
        suggested = getattr(self.found.suggestion.model, f"{side}_rules")
        evidence = self.found.suggested_rules[self.found.suggested_rules["side"] == side].reset_index(drop=True)
        if len(block.rows) != len(current):
            raise SheetError([f"{MODEL_SHEET}!{get_column_letter(block.min_col)}{block.header_row}: the "
                              f"{block.spec.title_en} table changed while calibrate read it; run calibrate again"])
        points_col, group_col = block.columns["points"], block.columns.get("group")
        name = _word(side, self.language)
        for i, ((row, values), old, new) in enumerate(zip(block.rows, current, suggested)):
            label = str(evidence.loc[i, "rule"])
            why = _evidence(evidence.loc[i], self.language)
            if self.found.suggestion.origins_of(side)[i] is None and getattr(old, "kind", "") in ("count", "per unit"):
                why = _word("replaced", self.language).format(column=str(old.column)) + why
            if float(old.points) != float(new.points):
                self.write(row, points_col, values.get(points_col), int(new.points),
                           name.format(rule=label) + _word("points", self.language), why)
            if group_col is not None and not is_blank(values.get(group_col)):
                self.write(row, group_col, values.get(group_col), None,
                           name.format(rule=label) + _word("group", self.language), _word("no group", self.language))
        added = suggested[len(current):]
        if added:
            self._append(side, block, added, evidence.iloc[len(current):].reset_index(drop=True))

    def _append(self, side: str, block, rules: list, evidence) -> None:
        spot = self.spots[block.spec.table.casefold()]
        if spot.totals:
            raise SheetError([f"{MODEL_SHEET}!{get_column_letter(spot.min_col)}{spot.max_row + 1}: the "
                              f"{block.spec.title_en} table has a totals row; turn it off (Table Design > Total "
                              "Row) to let --apply add rules"])
        fields = [f.key for f in block.spec.fields]
        needed = ("column", "operator", "value", "points") + (("name", "kind") if side == "behaviour" else ())
        missing = [f for f in block.spec.fields if f.key in needed and f.key not in block.columns]
        if missing:
            f = missing[0]
            raise SheetError([f"{MODEL_SHEET}!{get_column_letter(block.min_col)}{block.header_row}: the "
                              f"{block.spec.title_en} table has no column '{f.en}' (or '{f.it}'); --apply adds "
                              "condition rules, which need it (add the column to the table)"])
        last_filled = block.rows[-1][0] if block.rows else block.header_row
        free = list(range(last_filled + 1, spot.max_row + 1))  # Blank rows at the table's end.
        grow = len(rules) - len(free)
        if grow > 0:
            below = self.book.read(MODEL_SHEET, spot.max_row + 1, spot.min_col, spot.max_row + grow, spot.max_col)
            for r in range(spot.max_row + 1, spot.max_row + grow + 1):
                for c in range(spot.min_col, spot.max_col + 1):
                    if not is_blank(below.value(r, c)):
                        many = f"{len(rules)} rule{'s' if len(rules) != 1 else ''}"
                        raise SheetError([f"{_cell(r, c)}: --apply adds {many} to the "
                                          f"{block.spec.title_en} table, which grows down to row "
                                          f"{spot.max_row + grow}, but this cell is not empty; move what is there"])
        kinds = dict(zip(RULE_KINDS, KIND_WORDS.get(self.language, RULE_KINDS)))
        rows, name = [], _word(f"new {side}", self.language)
        for i, (rule, r) in enumerate(zip(rules, evidence.itertuples(index=False))):
            values = {"column": rule.column, "operator": _operator(rule.operator, self.language),
                      "value": _plain(rule.value), "points": int(rule.points)}
            if side == "behaviour":
                values.update(name=rule.name, kind=kinds.get(rule.kind, rule.kind))
            row = (free[i] if i < len(free) else spot.max_row + 1 + i - len(free))
            line = [None] * (spot.max_col - spot.min_col + 1)
            for key in fields:
                col = block.columns.get(key)
                if col is not None and key in values:
                    line[col - spot.min_col] = values[key]
            if row <= spot.max_row:
                for j, v in enumerate(line):
                    if v is not None:
                        self.cells[(row, spot.min_col + j)] = v
            else:
                rows.append(line)
            where = f"{_cell(row, spot.min_col)}:{get_column_letter(spot.max_col)}{row}"
            self.changes.append(Change(name.format(rule=str(r.rule), row=row), where, None, int(rule.points),
                                       _evidence(r._asdict(), self.language)))
        if rows:
            self.appended.append((spot, rows, block.spec.name))

    def bands(self) -> None:
        block = self.sheet.blocks["grades"]
        col = block.columns["min"]
        new_bands = self.found.suggestion.model.grade_bands
        numbered = [b for b in new_bands if b.min_fit is not None]
        shares = GRADE_SHARES if len(numbered) == len(GRADE_SHARES) else \
            [(k + 1) / (len(numbered) + 1) for k in range(len(numbered))]
        share_of = {b.grade: s for b, s in zip(numbered, shares)}
        for (row, values), old, new in zip(block.rows, self.found.model.grade_bands, new_bands):
            if new.min_fit is None or (old.min_fit is not None and float(old.min_fit) == float(new.min_fit)):
                continue
            why = _word("grade why", self.language).format(share=f"{share_of[new.grade]:.0%}")
            self.write(row, col, values.get(col), int(new.min_fit),
                       _word("grade", self.language).format(grade=new.grade), why)

    def score_bands(self) -> None:
        block, matrix = self.sheet.blocks["bands"], self.sheet.blocks["matrix"]
        label_col, min_col = block.columns["label"], block.columns["min"]
        new_bands = self.found.suggestion.model.score_bands
        rates = self.found.suggested_tables["by_band"]
        for j, ((row, values), old, new) in enumerate(zip(block.rows, self.found.model.score_bands, new_bands)):
            held = rates.loc[new.label] if new.label in rates.index else None
            why = _word("band why", self.language).format(
                leads=_num(0 if held is None else int(held["leads"]), self.language, 0),
                rate=_pct(None if held is None else held["rate"], self.language))
            if float(old.min_score) != float(new.min_score):
                self.write(row, min_col, values.get(min_col), int(new.min_score),
                           _word("band min", self.language).format(band=new.label), why)
            if str(old.label) != str(new.label):
                self.write(row, label_col, values.get(label_col), new.label,
                           _word("band label", self.language).format(band=old.label), _word("label why", self.language))
                if j < len(matrix.extra):
                    col = matrix.extra[j]
                    self.headers[col] = new.label
                    self.changes.append(Change(_word("matrix band", self.language).format(band=old.label),
                                               _cell(matrix.header_row, col), old.label, new.label,
                                               _word("label why", self.language)))

    def thresholds(self) -> None:
        block = self.sheet.blocks["status"]
        col = block.columns["min"]
        passed = {r["status"].split(" or ")[-1]: r for _, r in self.found.capture.iterrows()}
        capacity = f"{self.found.capacity:.0%}"
        for (row, values), old, new in zip(block.rows, self.found.model.status_rules,
                                           self.found.suggestion.model.status_rules):
            if float(old.min_score) == float(new.min_score):
                continue
            r = passed.get(new.status)
            statuses = _word("or", self.language).join(r["status"].split(" or ")) if r is not None else new.status
            leads, won = (None, None) if r is None else (r["share_leads"], r["share_won"])
            why = _word("status why", self.language).format(capacity=capacity, statuses=statuses,
                                                            leads=_pct(leads, self.language),
                                                            won=_pct(won, self.language))
            self.write(row, col, values.get(col), int(new.min_score),
                       _word("status", self.language).format(status=new.status), why)


def _grown_name(text: str | None, old_last: int, new_last: int) -> str | None:
    """A defined name's range 'LeadScore'!$B$3:$G$7 with its last row moved, if it ends at old_last."""
    if not text:
        return None
    m = re.fullmatch(r"(.*!\$?[A-Z]+\$?\d+:\$?[A-Z]+\$?)(\d+)", text.strip())
    if m is None or int(m.group(2)) != old_last:
        return None
    return f"{m.group(1)}{new_last}"


def plan_changes(book, sheet, found) -> _Plan:
    """The writes and Changelog rows that apply found's suggestion (nothing written yet)."""
    if found.suggestion is None:
        raise SheetError([f"{MODEL_SHEET}!A1: there is no suggestion to apply"])
    plan = _Plan(book, sheet, found, found.model.settings.language)
    plan.rules("fit")
    plan.rules("behaviour")
    plan.bands()
    plan.score_bands()
    plan.thresholds()
    return plan


def apply_suggestion(book, sheet, found, when: dt.datetime) -> tuple[list, str]:
    """Write the suggestion into the LeadScore tables and log each change in the Changelog;
    returns (the changes, where the Changelog table starts)."""
    plan = plan_changes(book, sheet, found)
    language = plan.language
    log = plan.spots.get(CHANGELOG_TABLE.casefold())
    headers = CHANGELOG_HEADERS.get(language, CHANGELOG_HEADERS["en"])
    rows = [(when, c.what, c.cell, c.old, c.new, c.why) for c in plan.changes]
    top, left = (log.min_row, log.min_col) if log is not None else (HEADER_ROW, CHANGELOG_COLUMN)
    where = f"{MODEL_SHEET}!{get_column_letter(left)}{top}"
    if not plan.changes:
        return [], where
    first = next(iter(plan.spots.values()))
    if log is None:  # The table's place (and its title's) must be free; checked before the first write.
        from .xlcalibration import new_table

        title = book.read(MODEL_SHEET, top - 1, left, top - 1, left).value(top - 1, left)
        if not is_blank(title):
            raise SheetError([f"{_cell(top - 1, left)}: Lead Score puts the title of its Changelog here but the "
                              "cell is not empty; move what is there"])
        spot = new_table(book, MODEL_SHEET, CHANGELOG_TABLE, top, left, headers, rows)
        book.write_cells(spot, {(top - 1, left): _word("title", language)})
    else:
        book.append_table_rows(MODEL_SHEET, CHANGELOG_TABLE, headers, rows)
    book.write_cells(first, plan.cells)
    if plan.headers:
        book.rename_table_columns(plan.spots[plan.sheet.blocks["matrix"].spec.table.casefold()], plan.headers)
    for spot, new_rows, name in plan.appended:
        old_last = spot.max_row
        book.append_rows(spot, new_rows)
        grown = _grown_name(book.defined_name(name), old_last, old_last + len(new_rows))
        if grown is not None and hasattr(book, "set_defined_name"):
            book.set_defined_name(name, grown)
    return plan.changes, where

"""Pointing a model's rules at the columns a workbook already has (`leadscore init`).

A default model names the template's columns (Role, Industry, Employees ...). A team's own
lead list calls them otherwise (Job Title, Sector, Company size ...): each rule is pointed at
the column found by its meaning (scoring.columns.guess); a rule whose column the list does not
have is left out, and said so, rather than left to fail.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .columns import guess
from .defaults import HEADERS
from .duplicates import KEY_COLUMNS, needed_columns
from .model import DUPLICATE_KEYS
from .model import Model
from .parse import text_key

_MEANING_OF = {text_key(h): meaning for meaning, names in HEADERS.items() for h in names}


@dataclass
class Adapted:
    """The model for these columns, the rules moved to another column, and the rules left out."""

    model: Model
    moved: list = field(default_factory=list)  # (what, template column, their column)
    left_out: list = field(default_factory=list)  # (what, template column)


def adapt(model: Model, columns) -> Adapted:
    """A copy of model whose rules and column settings name the given columns (see the module docstring)."""
    model = copy.deepcopy(model)
    columns = [str(c) for c in columns]
    out = Adapted(model)
    s = model.settings

    def place(name):
        """Their column for a template column name, or None."""
        meaning = _MEANING_OF.get(text_key(name))
        return guess(columns, meaning) if meaning else next((c for c in columns if text_key(c) == text_key(name)),
                                                            None)

    role = place(s.role_column) if s.role_column else None
    if role is not None and role != s.role_column:
        out.moved.append(("Role column setting", s.role_column, role))
    stage = place(s.stage_column) if s.stage_column else None
    if stage is not None and stage != s.stage_column:
        out.moved.append(("Stage column setting", s.stage_column, stage))
    kept_fit = []
    for rule in model.fit_rules:
        what = f"fit rule {rule.label or rule.column + ' ' + rule.operator}"
        if s.role_level_column and text_key(rule.column) == text_key(s.role_level_column):
            if role is None:
                out.left_out.append((what, rule.column))
                continue
            kept_fit.append(rule)
            continue
        found = place(rule.column)
        if found is None:
            out.left_out.append((what, rule.column))
            continue
        if found != rule.column:
            out.moved.append((what, rule.column, found))
            rule.column = found
        kept_fit.append(rule)
    kept_behaviour = []
    for rule in model.behaviour_rules:
        found = place(rule.column)
        if found is None:
            out.left_out.append((f"behaviour rule {rule.name}", rule.column))
            continue
        if found != rule.column:
            out.moved.append((f"behaviour rule {rule.name}", rule.column, found))
            rule.column = found
        kept_behaviour.append(rule)
    model.fit_rules, model.behaviour_rules = kept_fit, kept_behaviour
    s.role_column = role or s.role_column
    s.stage_column = stage or s.stage_column
    if s.duplicate_keys:  # Duplicates looked for by every key whose columns the table has.
        keys = tuple(k for k in DUPLICATE_KEYS if not needed_columns(columns, (k,)))
        for key in (k for k in s.duplicate_keys if k not in keys):
            out.left_out.append((f"duplicates by {key}", ", ".join(HEADERS[m][0] for m in KEY_COLUMNS[key])))
        s.duplicate_keys = keys
    return out

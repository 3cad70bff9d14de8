"""Fit-rule operators, evaluated on whole columns.

Blank cells match only 'is blank'. Text comparisons ignore case and surrounding
spaces; a value that reads as a number also equals the same number written
another way ('1.200' = 1200). Numeric operators flag cells that are not numbers.
The rule's value arrives parsed (scoring.model.RuleValue): nothing is parsed here.
"""
from __future__ import annotations

import numpy as np

from .model import FitRule, RuleValue
from .parse import OK, Column


def _keys_match(column: Column, value: RuleValue) -> np.ndarray:
    """Per lead: does the cell equal one of the wanted values (text or number)?"""
    keys, nums = column.unique_keys()
    per_unique = np.fromiter(
        ((k in value.keys) or (n is not None and n in value.numbers) for k, n in zip(keys, nums)),
        dtype=bool, count=len(keys))
    return column.spread(per_unique, False)


def _contains(column: Column, needles) -> np.ndarray:
    keys, _ = column.unique_keys()
    per_unique = np.fromiter((any(n in k for n in needles) for k in keys), dtype=bool, count=len(keys))
    return column.spread(per_unique, False)


def evaluate(column: Column, rule: FitRule, value: RuleValue) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (matches, state) for one checked rule on one column: state is the parse state of each
    cell (parse.OK, BAD ...) for numeric operators, None for the others."""
    op = rule.operator
    none = None
    if op == "is blank":
        return column.blank(), none
    if op == "not blank":
        return ~column.blank(), none
    if op in ("=", "<>", "in", "not in"):
        hit = _keys_match(column, value)
        if op in ("<>", "not in"):
            hit = ~hit & ~column.blank()
        return hit, none
    if op == "contains":
        return _contains(column, value.keys), none
    values, state = column.numbers()
    with np.errstate(invalid="ignore"):
        if op == "between":
            hit = (values >= value.low) & (values <= value.high)
        else:
            limit = value.limit
            hit = {">": values > limit, ">=": values >= limit,
                   "<": values < limit, "<=": values <= limit}[op]
    return hit & (state == OK), state

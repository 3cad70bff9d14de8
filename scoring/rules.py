"""Fit-rule operators, evaluated on whole columns.

Blank cells match only 'is blank'. Text comparisons ignore case and surrounding
spaces; a value that reads as a number also equals the same number written
another way ('1.200' = 1200). Numeric operators flag cells that are not numbers.
"""
from __future__ import annotations

import numpy as np

from .model import FitRule, split_list
from .parse import BAD, OK, Column, parse_number, text_key


def _keys_match(column: Column, wanted: list, decimal: str) -> np.ndarray:
    """Per lead: does the cell equal one of the wanted values (text or number)?"""
    wanted_text = {text_key(v) for v in wanted}
    wanted_nums = {n for n in (parse_number(v, decimal)[0] for v in wanted) if n is not None}
    keys, nums = column.unique_keys()
    per_unique = np.fromiter(
        ((k in wanted_text) or (n is not None and n in wanted_nums) for k, n in zip(keys, nums)),
        dtype=bool, count=len(keys))
    return column.spread(per_unique, False)


def _contains(column: Column, parts: list) -> np.ndarray:
    needles = [text_key(p) for p in parts]
    keys, _ = column.unique_keys()
    per_unique = np.fromiter((any(n in k for n in needles) for k in keys), dtype=bool, count=len(keys))
    return column.spread(per_unique, False)


def evaluate(column: Column, rule: FitRule, decimal: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """Return (matches, not_a_number) boolean arrays for one rule on one column."""
    op = rule.operator
    none = np.zeros(len(column.series), dtype=bool)
    if op == "is blank":
        return column.blank(), none
    if op == "not blank":
        return ~column.blank(), none
    if op in ("=", "<>", "in", "not in"):
        items = [rule.value] if op in ("=", "<>") else split_list(rule.value)
        if op in ("=", "<>") and isinstance(rule.value, str):
            items = [rule.value.strip()]
        hit = _keys_match(column, items, decimal)
        if op in ("<>", "not in"):
            hit = ~hit & ~column.blank()
        return hit, none
    if op == "contains":
        return _contains(column, split_list(rule.value)), none
    values, state = column.numbers()
    if op == "between":
        low, high = (parse_number(v, decimal)[0] for v in split_list(rule.value))
        with np.errstate(invalid="ignore"):
            hit = (values >= low) & (values <= high)
    else:
        limit = parse_number(rule.value, decimal)[0]
        with np.errstate(invalid="ignore"):
            hit = {">": values > limit, ">=": values >= limit,
                   "<": values < limit, "<=": values <= limit}[op]
    return hit & (state == OK), state == BAD

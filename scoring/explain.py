"""Reasons and problems as data, and their text.

The engine records, per rule, which leads it touched and how (Parts: codes per
lead into a list of items). Items are Reason (a rule's label and its points) or
LeadProblem (a lead column, the value found, what is wrong). Faces and the task
planner read the items; the Reasons and Problems cells are formatted from them
once per distinct combination, so a million leads cost what their distinct
cases cost. A cell stays within Excel's 32,767 characters: a long list ends in
a summary ("… 12 more +40") that keeps the reasons adding up to the score.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .schema import split_list
from .texts import text

CELL_LIMIT = 32_767  # Characters Excel keeps in a cell.
SEP = "; "


def number_text(x: float, language: str = "en") -> str:
    """15.0 -> '15', 2.5 -> '2.5' ('2,5' in Italian; at most 6 decimals, no thousands separator)."""
    x = round(float(x), 6)
    if x == 0:
        return "0"
    if x.is_integer():
        return str(int(x))
    shown = f"{x:.6f}".rstrip("0")
    return shown.replace(".", ",") if language == "it" else shown


def number_words(x: float, language: str = "en") -> str:
    """A number as the language writes it in a sentence: 1000000 -> '1,000,000' ('1.000.000' in
    Italian), 2.5 -> '2.5' ('2,5'); at most 6 decimals."""
    x = round(float(x), 6)
    whole, _, decimals = f"{abs(x):,.6f}".rstrip("0").partition(".")
    shown = ("-" if x < 0 else "") + whole + ("." + decimals if decimals else "")
    return shown.translate({ord(","): ".", ord("."): ","}) if language == "it" else shown


# How a fit rule's condition reads in reasons, per operator: '{c}' the column, '{v}' the value, '{a}'
# and '{b}' the ends of a between.
CONDITIONS = {
    "en": {"=": "{c}: {v}", "<>": "{c}: not {v}", "in": "{c}: {v}", "not in": "{c}: none of {v}",
           ">": "{c} > {v}", ">=": "{c} \u2265 {v}", "<": "{c} < {v}", "<=": "{c} \u2264 {v}",
           "between": "{c} {a}\u2013{b}", "contains": "{c} contains {v}", "is blank": "{c}: blank",
           "not blank": "{c}: filled in"},
    "it": {"=": "{c}: {v}", "<>": "{c}: non {v}", "in": "{c}: {v}", "not in": "{c}: nessuno di {v}",
           ">": "{c} > {v}", ">=": "{c} \u2265 {v}", "<": "{c} < {v}", "<=": "{c} \u2264 {v}",
           "between": "{c} {a}\u2013{b}", "contains": "{c} contiene {v}", "is blank": "{c}: vuoto",
           "not blank": "{c}: compilato"},
}
OR = {"en": "or", "it": "o"}
NUMERIC = {"=": "{c} = {v}", "<>": "{c} \u2260 {v}"}  # A number compared reads as a formula does.


def _is_number(value) -> bool:
    """A number, or text that is one as typed ('3', '-2.5')."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit()


def _item(value, language: str) -> str:
    """A value of a rule as a reason shows it: numbers as the language writes them, text as typed."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_words(value, language)
    text_value = str(value).strip()
    return number_words(float(text_value), language) if _is_number(text_value) else text_value


def _alternatives(items: list[str], word: str) -> str:
    """'IT or Manufacturing', 'A, B or C'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def rule_label(rule, language: str = "en", parsed=None) -> str:
    """How reasons name a fit rule (or a condition): its Label, else its column and condition in words,
    as a person reads them ('Annual revenue > 1,000,000', 'Industry: IT or Manufacturing'). parsed: the
    rule's model.RuleValue, whose numbers a threshold shows (a '1.000.000' typed as text reads 1,000,000)."""
    if getattr(rule, "label", ""):
        return rule.label
    words = CONDITIONS.get(language, CONDITIONS["en"])
    op = rule.operator
    if op in ("is blank", "not blank"):
        return words[op].format(c=rule.column)
    if parsed is not None and op == "between" and parsed.low is not None:
        items = [_item(parsed.low, language), _item(parsed.high, language)]
    elif parsed is not None and op in (">", ">=", "<", "<=") and parsed.limit is not None:
        items = [_item(parsed.limit, language)]
    elif op in ("in", "not in", "between", "contains") and not isinstance(rule.value, (int, float)):
        items = [_item(v, language) for v in split_list(rule.value)] or [""]
    else:
        items = [_item(rule.value, language)]
    if op == "between":
        return words[op].format(c=rule.column, a=items[0], b=items[-1])
    if op in NUMERIC and _is_number(rule.value):
        return NUMERIC[op].format(c=rule.column, v=items[0])
    joined = ", ".join(items) if op == "not in" else _alternatives(items, OR.get(language, OR["en"]))
    return words[op].format(c=rule.column, v=joined)


def signed(x: float, language: str = "en") -> str:
    """Points as reasons show them: '+15', '−10' (a true minus sign), '+2.5' ('+2,5' in Italian)."""
    x = round(float(x), 6)
    return ("+" if x >= 0 else "\u2212") + number_text(abs(x), language)


@dataclass(frozen=True)
class Reason:
    """Points a lead got: from a rule (kind 'fit' or 'behaviour', its index in its block) or from
    holding a total within its limits (kind 'adjust': caps and floors)."""

    label: str
    points: float
    note: str = ""
    kind: str = "fit"
    rule: int | None = None
    count: float = 1.0

    def text(self, language: str = "en") -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{self.label} {signed(self.points, language)}{note}"


@dataclass(frozen=True)
class LeadProblem:
    """A lead value that could not be used: the lead column, the value in the cell, what is wrong."""

    column: str
    value: object
    message: str

    def text(self, language: str = "en") -> str:
        value = self.value
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
            value = int(value)
        return f"{self.column}: {str(value)!r} {self.message}"


class Parts:
    """Per-lead items kept as parts: each part is (codes, items); a lead's code k means items[k],
    -1 means the part says nothing about that lead."""

    def __init__(self, n: int):
        self.n = n
        self.parts: list[tuple[np.ndarray, list]] = []

    def add(self, mask: np.ndarray, item) -> None:
        """Item for the leads where mask holds."""
        if mask.any():
            self.parts.append((mask.view(np.int8) - np.int8(1), [item]))

    def add_coded(self, codes: np.ndarray, items) -> None:
        """Items for the leads by code (-1: none), kept in the smallest integer type that holds
        their count (a part of a few items costs a byte per lead, not eight)."""
        items = list(items)
        codes = np.asarray(codes)
        small = np.min_scalar_type(-len(items) - 1)
        if codes.dtype.kind != "i" or codes.dtype.itemsize > small.itemsize:
            codes = codes.astype(small)
        if (codes >= 0).any():
            self.parts.append((codes, items))

    def of(self, position: int) -> list:
        """The items of one lead (by position), in the order the parts were added."""
        return [items[codes[position]] for codes, items in self.parts if codes[position] >= 0]

    def groups(self) -> tuple[np.ndarray, np.ndarray]:
        """(per lead: its combination number, per combination: the first lead that has it)."""
        key = np.zeros(self.n, dtype=np.int64)
        for codes, items in self.parts:
            radix = len(items) + 1
            if (int(key.max(initial=0)) + 1) * radix >= 2 ** 62:
                key = pd.factorize(key)[0].astype(np.int64)  # Keep the key dense.
            key *= radix
            key += codes
            key += 1
        inverse, uniques = pd.factorize(key)
        first = np.empty(len(uniques), dtype=np.int64)
        first[inverse[::-1]] = np.arange(self.n - 1, -1, -1)
        return inverse, first

    def texts(self, language: str = "en", limit: int = CELL_LIMIT) -> np.ndarray:
        """One '; '-separated text per lead, within limit characters."""
        texts, inverse = self.coded_texts(language, limit)
        return texts[inverse]

    def coded_texts(self, language: str = "en", limit: int = CELL_LIMIT) -> tuple[np.ndarray, np.ndarray]:
        """texts() as (distinct texts, each lead's index among them)."""
        if not self.parts:
            return np.array([""], dtype=object), np.zeros(self.n, dtype=np.intp)
        inverse, first = self.groups()
        # A grid of combinations x parts holds each part's piece (None where a combination has
        # none: one array operation per part); each row is joined once. The rare combination over
        # the limit is joined again with a summary.
        columns = []
        for codes, items in self.parts:
            pieces = np.array([item.text(language) for item in items] + [None], dtype=object)
            columns.append(pieces[codes[first]])  # (A code of -1 takes the None at the end.)
        rows = np.column_stack(columns).tolist()
        texts = np.array([SEP.join([p for p in row if p is not None]) for row in rows], dtype=object)
        for k in np.flatnonzero(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) > limit):
            i = first[k]
            texts[k] = joined([items[codes[i]] for codes, items in self.parts if codes[i] >= 0], language, limit)
        return texts, inverse


def joined(items: list, language: str = "en", limit: int = CELL_LIMIT) -> str:
    """The items' texts joined by '; ', ending in a summary when they would pass limit characters:
    '… 12 more +40' for reasons (the points of the rest, so the sum still holds), '… 12 more' else."""
    pieces = [item.text(language) for item in items]
    whole = SEP.join(pieces)
    if len(whole) <= limit:
        return whole
    reserve = 80
    kept, size = [], 0
    for piece in pieces:
        if size + len(piece) + len(SEP) > limit - reserve:
            break
        kept.append(piece)
        size += len(piece) + len(SEP)
    rest = items[len(kept):]
    tail = f"\u2026 {len(rest)} {text(language, 'more')}"
    if all(isinstance(item, Reason) for item in rest):
        tail += f" {signed(sum(item.points for item in rest), language)}"
    return SEP.join(kept + [tail])

"""One lead column read in SQL as parse.Column reads it: blank, text key, number and state, count.

Each reading is made a column of the query the first time a rule asks for it, so a column read by
several rules is read once. Plain cells take a short way, and the long one is guarded by CASE so that
it runs only for the cells that need it: a text of tidy ASCII words has its LOWER as text key, and a
text of digits only is its own number.
"""
from __future__ import annotations

import re

from ..parse import YES_WORDS
from . import values as v
from .values import AMBIGUOUS, BAD, BLANK, OK, lit


class Cells:
    """The readings of one lead column of a kind (values.KINDS), for the engine's settings."""

    def __init__(self, layers, column: str, kind: str, decimal: str, placeholders, keys):
        self.layers = layers
        self.column = column  # SQL of the column (a quoted identifier, or a column of the query).
        self.kind = kind
        self.decimal = decimal
        self.placeholders = sorted(placeholders) if kind == v.TEXT else []  # Numbers are never placeholders.
        self.keys = keys  # Every text the query compares keys with (for casefold_fixes).
        self._made = {}

    def _once(self, what: str, make) -> str:
        if what not in self._made:
            self._made[what] = make()
        return self._made[what]

    def _add(self, hint: str, sql: str) -> str:
        return self.layers.add(hint, sql)

    # --- readings -------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self._once("text", lambda: self._add("text", f"CAST({self.column} AS VARCHAR)"))

    @property
    def tidy(self) -> str:
        return self._once("tidy", lambda: self._add("tidy", v.matches(self.text, v.TIDY)))

    @property
    def plain_number(self) -> str:
        return self._once("plain", lambda: self._add("plain", v.matches(self.text, v.DIGITS_ONLY)))

    @property
    def value(self) -> str:
        """A number kind's value as a DOUBLE, NULL for NULL and NaN."""
        def make():
            if self.kind == v.BOOL:
                return self._add("value", f"CASE WHEN {self.column} THEN {v.dbl(1)} "
                                          f"WHEN NOT {self.column} THEN {v.dbl(0)} END")
            as_double = f"CAST({self.column} AS DOUBLE)"
            return self._add("value", f"CASE WHEN ISNAN({as_double}) THEN NULL ELSE {as_double} END")
        return self._once("value", make)

    @property
    def key(self) -> str:
        """parse.text_key of the cell (NULL for NULL)."""
        def make():
            if self.kind == v.TEXT:
                return self._add("key", f"CASE WHEN {self.tidy} THEN LOWER({self.text}) "
                                        f"ELSE {v.text_key(self.text, self.keys)} END")
            if self.kind == v.BOOL:
                return self._add("key", f"CASE WHEN {self.column} THEN 'true' WHEN NOT {self.column} THEN 'false' END")
            if self.kind == v.NUMBER:
                return self._add("key", v.number_key(self.value))
            raise ValueError(f"no text key for a {self.kind} column")
        return self._once("key", make)

    @property
    def blank(self) -> str:
        """parse.is_blank, placeholders included (a TRUE/FALSE column, never NULL)."""
        def make():
            if self.kind == v.TEXT:
                sql = f"CASE WHEN {self.tidy} THEN FALSE ELSE {v.blank_text(self.text)} END"
                if self.placeholders:
                    held = ", ".join(lit(p) for p in self.placeholders)
                    sql = f"({sql} OR COALESCE({self.key} IN ({held}), FALSE))"
                return self._add("blank", sql)
            if self.kind in (v.NUMBER, v.BOOL):
                return self._add("blank", f"({self.value} IS NULL)")
            return self._add("blank", f"({self.column} IS NULL)")
        return self._once("blank", make)

    def _parsed(self) -> tuple[str, str]:
        """(number, state) of a text column: parse._reading, then the column's decimal separator.
        The state tells OK from the rest; a blank cell may read BAD (nothing tells them apart but
        count words, see count)."""
        plain = self.plain_number
        made = {}
        for name, sql in v.number_steps(self.text).items():
            for earlier, column in made.items():
                sql = _replace_word(sql, earlier, column)
            if name == "low":  # The long way only for the cells that are not plain.
                sql = f"CASE WHEN NOT {plain} THEN {sql} END"
            made[name] = self._add(name, sql)

        def on(sql: str) -> str:
            for name, column in made.items():
                sql = _replace_word(sql, name, column)
            return sql

        # Which case a cell is (0: plain, -1: NULL, -2: none of them), each condition tested once.
        cases = v.number_cases(self.decimal)
        which = " ".join(f"WHEN {on(c)} THEN {k}" for k, (c, _, _, _) in enumerate(cases, start=1))
        case = self._add("case", f"CASE WHEN {self.text} IS NULL THEN -1 WHEN {plain} THEN 0 {which} ELSE -2 END")
        numbers = " ".join(f"WHEN {k} THEN {on(n)}" for k, (_, n, _, _) in enumerate(cases, start=1) if n != "NULL")
        states = " ".join(f"WHEN {k} THEN {s}" for k, (_, _, s, _) in enumerate(cases, start=1) if s != BAD)
        shows = " ".join(f"WHEN {k} THEN {lit(sh)}" for k, (_, _, _, sh) in enumerate(cases, start=1) if sh)
        unsigned = self._add("unsigned", f"CASE {case} WHEN 0 THEN CAST({self.text} AS DOUBLE) {numbers} END")
        # Case 1 is scientific notation (number_cases), which carries its sign.
        number = self._add("number0", f"CASE WHEN {case} = 0 THEN {unsigned} "
                                      f"ELSE {on(v.signed_number(unsigned, f'{case} = 1'))} END")
        state = self._add("state0", f"CASE {case} WHEN -1 THEN {BLANK} WHEN 0 THEN {OK} {states} ELSE {BAD} END")
        if self.decimal != "auto":
            return self._add("number", f"CASE WHEN {state} = {OK} THEN {number} END"), state
        shown = self._add("shows", f"CASE {case} {shows} ELSE '' END" if shows else "''")
        dot = self.layers.aggregate("dot", f"COALESCE(BOOL_OR({state} = {OK} AND {shown} = '.'), FALSE)")
        comma = self.layers.aggregate("comma", f"COALESCE(BOOL_OR({state} = {OK} AND {shown} = ','), FALSE)")
        decided = f"({state} = {AMBIGUOUS} AND {dot} <> {comma})"
        as_decimals = f"(({shown} = '.' AND {dot}) OR ({shown} = ',' AND {comma}))"
        final_state = self._add("state", f"CASE WHEN {decided} THEN {OK} ELSE {state} END")
        final = self._add("number", f"CASE WHEN {state} = {OK} THEN {number} WHEN {decided} THEN "
                                    f"CASE WHEN {as_decimals} THEN {number} / 1000 ELSE {number} END END")
        return final, final_state

    def _numbers(self) -> tuple[str, str]:
        def make():
            if self.kind == v.TEXT:
                return self._parsed()
            if self.kind in (v.NUMBER, v.BOOL):
                return self.value, self._add("state", f"CASE WHEN {self.value} IS NULL THEN {BLANK} ELSE {OK} END")
            return "CAST(NULL AS DOUBLE)", self._add("state", f"CASE WHEN {self.column} IS NULL THEN {BLANK} "
                                                              f"ELSE {BAD} END")
        return self._once("numbers", make)

    @property
    def number(self) -> str:
        """The cell as a number (NULL unless its state is OK)."""
        return self._numbers()[0]

    @property
    def state(self) -> str:
        return self._numbers()[1]

    @property
    def count(self) -> str:
        """parse counts: the number, or 1/0 for a yes/no word (NULL otherwise); a placeholder is blank."""
        def make():
            if self.kind != v.TEXT:
                return self.number
            sql = (f"CASE WHEN {self.state} = {OK} THEN {self.number} "
                   f"WHEN {self.state} = {BAD} THEN {v.word_count(self.text)} END")
            if set(self.placeholders) & {w.casefold() for w in YES_WORDS}:  # A no word counts 0, as a blank.
                sql = f"CASE WHEN {self.blank} THEN NULL ELSE {sql} END"
            return self._add("count", sql)
        return self._once("count", make)


def _replace_word(sql: str, word: str, column: str) -> str:
    """Replace the bare name of a step (low, core, digits, body) by its column."""
    return re.sub(rf"(?<![\w\"]){word}(?![\w\"])", column, sql)

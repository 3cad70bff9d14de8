"""Kinds of value a model field holds, declared once on the model's dataclasses.

Each field of a model dataclass (scoring/model.py) carries its Kind in the
field's metadata: what values are allowed, how a cell's value is read into it
(text typed for a number, a list separated by ';'), and the message when it
can't be. The sheet reader, the template writer and validation all go by these
declarations, so any value in any cell either reads as allowed or gives a
message that says what is allowed — never an exception.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, fields

import numpy as np

from .dates import read_date
from .parse import AMBIGUOUS, OK, ambiguous_message, is_blank, parse_number

# Error values a cell can show; a formula that failed on the LeadScore sheet arrives as one of these.
EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!",
                          "#UNKNOWN!", "#PYTHON!", "ERR:502", "ERR:504", "ERR:508", "ERR:511", "ERR:522"})
MAX_DECIMALS = 6  # Reasons print points with up to 6 decimals; more could not add up.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # Characters a cell cannot show.


def shown(value) -> str:
    """A value as a message quotes it: text in quotes, numbers and dates plain, long text cut."""
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def number_words(x: float) -> str:
    """1000000 -> '1,000,000'; 0.5 -> '0.5'."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"


def excel_error(value) -> str | None:
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        return value.strip()
    return None


def decimal_hint(value, decimal: str) -> str:
    """' (the Decimal separator is ','; write 1,5)' when text reads as a number the other way."""
    if not isinstance(value, str) or decimal not in (",", "."):
        return ""
    other = "." if decimal == "," else ","
    number, state = parse_number(value, other)
    if state != OK or number is None:
        return ""
    swapped = value.strip().translate({ord(","): ".", ord("."): ","})
    return f" (the Decimal separator is {decimal!r}; write {swapped})"


class Kind:
    """How one field's value is read and checked; read() returns (value, message or None)."""

    allowed = ""

    def read(self, value, decimal: str = "auto"):
        raise NotImplementedError

    def read_in(self, value, decimal: str = "auto", language: str = "en"):
        """read(), with messages in the book's language where the kind has words for it."""
        return self.read(value, decimal)

    def blank_value(self):
        return None


@dataclass(frozen=True)
class Text(Kind):
    """Text: trimmed; numbers and TRUE/FALSE are taken as their text, dates are refused."""

    required: bool = True
    hint: str = "type a name"
    max_length: int = 255

    @property
    def allowed(self) -> str:
        return f"text of up to {self.max_length} characters"

    def blank_value(self):
        return ""

    def read(self, value, decimal="auto"):
        if is_blank(value):
            return "", (f"is blank; {self.hint}" if self.required else None)
        if isinstance(value, (dt.date, dt.time)):
            return "", f"{shown(value)} is a date; {self.hint}"
        if isinstance(value, (bool, np.bool_)):
            value = "TRUE" if value else "FALSE"
        elif isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = str(int(value))
        text = " ".join(str(value).split()) if not isinstance(value, str) else value.strip()
        if excel_error(text):
            return "", f"holds the error {text}; {self.hint}"
        control = CONTROL.search(text)
        if control:
            return "", f"contains the control character U+{ord(control.group()):04X}; remove it"
        if len(text) > self.max_length:
            return "", f"is {len(text):,} characters long; keep it within {self.max_length}"
        return text, None


@dataclass(frozen=True)
class Number(Kind):
    """A number within [low, high] (low excluded when above_low), optionally whole; text that
    reads as a number is taken; TRUE/FALSE, dates, infinities and errors are refused."""

    low: float = -100_000
    high: float = 100_000
    whole: bool = False
    blank_ok: bool = False
    above_low: bool = False
    explain: str = ""  # Replaces the standard message after the value ("must be ...").

    @property
    def allowed(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        low = f"above {number_words(self.low)}" if self.above_low else f"from {number_words(self.low)}"
        return f"{kind} {low} to {number_words(self.high)}" + (", or blank" if self.blank_ok else "")

    def _bad(self, value, reason: str):
        if self.explain:
            return None, f"{shown(value)} {self.explain}" if not is_blank(value) else f"is blank; {self.explain}"
        return None, reason

    def read(self, value, decimal="auto"):
        if is_blank(value):
            return None, (None if self.blank_ok else
                          self._bad(value, f"is blank; enter {self.allowed}")[1])
        error = excel_error(value)
        if error:
            return self._bad(value, f"holds the error {error}; enter {self.allowed}")
        if isinstance(value, (bool, np.bool_)):
            return self._bad(value, f"{shown(bool(value))} is not a number; enter {self.allowed}")
        if isinstance(value, (dt.date, dt.time)):
            return self._bad(value, f"{shown(value)} is a date, not a number; enter {self.allowed}")
        if isinstance(value, (int, float, np.integer, np.floating)):
            number = float(value)
        elif isinstance(value, str):
            number, state = parse_number(value, decimal)
            if state == AMBIGUOUS:
                return self._bad(value, f"{shown(value)} {ambiguous_message(value)}")
            if state != OK or number is None:
                return self._bad(value, f"{shown(value)} is not a number{decimal_hint(value, decimal)}")
        else:
            return self._bad(value, f"{shown(value)} is not a number")
        if math.isnan(number):
            return self._bad(value, f"{shown(value)} is not a number")
        outside = number <= self.low if self.above_low else number < self.low
        if math.isinf(number) or outside or number > self.high:
            return self._bad(value, f"{shown(value)} is out of range; enter {self.allowed}")
        if self.whole and not number.is_integer():
            return self._bad(value, f"{shown(value)} must be a whole number")
        if round(number, MAX_DECIMALS) != number:
            return self._bad(value, f"{shown(value)} has more than {MAX_DECIMALS} decimals; round it")
        return (int(number) if number.is_integer() else number), None


@dataclass(frozen=True)
class Choice(Kind):
    """One of a few words, ignoring case and spaces; the value becomes the declared spelling.

    words: ((language, words in the order of options), ...): the same choices in another
    language, accepted in any book and listed in messages of a book in that language.
    """

    options: tuple = ()
    blank_ok: bool = False
    words: tuple = ()

    @property
    def allowed(self) -> str:
        return "one of " + ", ".join(self.options)

    def blank_value(self):
        return ""

    def read(self, value, decimal="auto"):
        return self.read_in(value, decimal)

    def read_in(self, value, decimal="auto", language="en"):
        spelt = dict(self.words).get(language, self.options)
        allowed = "one of " + ", ".join(spelt)
        if is_blank(value):
            return "", (None if self.blank_ok else f"is blank; choose {allowed}")
        key = " ".join(str(value).split()).casefold()
        for spelling in (self.options, *(w for _, w in self.words)):
            for option, word in zip(self.options, spelling):
                if key == word.casefold():
                    return option, None
        return "", f"{shown(value)} is not {allowed}"


@dataclass(frozen=True)
class TextList(Kind):
    """Items separated by ';', each trimmed; empty items dropped."""

    max_items: int = 50
    max_length: int = 255

    allowed = "items separated by ;"

    def blank_value(self):
        return ()

    def read(self, value, decimal="auto"):
        if is_blank(value):
            return (), None
        if isinstance(value, tuple):
            items = [str(v).strip() for v in value if not is_blank(v)]
        else:
            if isinstance(value, (dt.date, dt.time)):
                return (), f"{shown(value)} is a date; type items separated by ;"
            if isinstance(value, (float, np.floating)) and float(value).is_integer():
                value = int(value)
            items = split_list(value)
        error = next((excel_error(i) for i in items if excel_error(i)), None)
        if error:
            return (), f"holds the error {error}; type items separated by ;"
        if len(items) > self.max_items:
            return (), f"has {len(items)} items; keep it within {self.max_items}"
        control = next((CONTROL.search(i) for i in items if CONTROL.search(i)), None)
        if control:
            return (), f"contains the control character U+{ord(control.group()):04X}; remove it"
        long = next((i for i in items if len(i) > self.max_length), None)
        if long is not None:
            return (), f"an item is {len(long):,} characters long; keep each within {self.max_length}"
        return tuple(items), None


@dataclass(frozen=True)
class Date(Kind):
    """A date: a date cell, or text as yyyy-mm-dd or dd/mm/yyyy."""

    allowed = "a date (yyyy-mm-dd)"

    def read(self, value, decimal="auto"):
        if is_blank(value):
            return None, "is blank; enter a date (yyyy-mm-dd)"
        day = read_date(value)
        if day is None:
            return None, f"{shown(value)} is not a date; enter a date (yyyy-mm-dd)"
        return day, None


@dataclass(frozen=True)
class Raw(Kind):
    """A value read with the rest of its record (a fit rule's value depends on its operator)."""

    def read(self, value, decimal="auto"):
        return (None if is_blank(value) else value.strip() if isinstance(value, str) else value), None


def split_list(value) -> list[str]:
    """Split a rule value like 'IT; Manufacturing' into its items."""
    if value is None:
        return []
    return [item.strip() for item in str(value).split(";") if item.strip()]


def declare(kind: Kind, label: str = "", **options):
    """A dataclass field holding a value of this kind; label is how messages name it."""
    return field(metadata={"kind": kind, "label": label}, **options)


def kinds(record_type) -> list:
    """[(attribute, Kind, label)] of a dataclass, in declaration order."""
    return [(f.name, f.metadata["kind"], f.metadata.get("label") or f.name)
            for f in fields(record_type) if "kind" in f.metadata]

"""Reading messy cell values: numbers written the Italian or English way, yes/no, blanks.

Each column is parsed once per distinct value (pandas.factorize), so a million
leads with a few thousand distinct spellings cost a few thousand parses.

How a cell reads as a number (parse_number, Column.numbers)
-----------------------------------------------------------
A cell is BLANK (empty, None, NaN, only whitespace), OK (a number), BAD (not a number)
or AMBIGUOUS (a number that could be read two ways; see below). Numbers stored as numbers
are OK as they are (TRUE/FALSE as 1/0) and never ambiguous; dates and times are BAD.
Text is read as follows.

* Whitespace is ignored anywhere: every character str.isspace() accepts (WHITESPACE:
  spaces, tabs, line breaks, no-break and thin spaces, U+2003, U+3000 ...), and so are
  apostrophes ("1'200"). So is one currency sign or code in front, at the end, or both
  (€ $ £ EUR EURO USD GBP, any case): '€ 1.200', '5 euro'.
* A sign may lead: '+', '-', or one of MINUS_SIGNS, the characters people and word
  processors type for a minus: U+2212 MINUS SIGN ('−36.4'), U+2012 FIGURE DASH, U+2013 EN
  DASH (Word turns '-5' into '–5'), U+FE63 SMALL HYPHEN-MINUS and U+FF0D FULLWIDTH
  HYPHEN-MINUS. Hyphens (U+2010, U+2011) and the em dash (often a placeholder for
  "none") are not minus signs.
* Digits are 0-9. Scientific notation has a point: '2.5e3', '1E-2', '-1.5E+2'.
* What is left is digits with '.' and ',' separators, read by its shape:
  1. no separator: a whole number ('1200');
  2. both separators: the last one is the decimal separator and appears once, the other
     groups the whole part in thousands ('1.234,56', '1,234.56', '1.200.000,50');
  3. one separator twice or more: thousands ('1.200.000', '1,200,000');
  4. one separator once, with 1-3 digits before it (not starting with 0) and exactly 3
     after it ('1.200', '4.857', '-1,250'): thousands or decimals, see below;
  5. one separator once otherwise: decimals ('1,5', '0.500', '4.85', '.5', '1234.5');
  anything else is BAD ('1.2.3', '12,34,567', '5.', '1.2k', '€ 2M', 'n/a', '2024-01-05').

The Decimal separator setting decides case 4 and checks the rest:

* ',' or '.': that is the decimal separator and the other one groups thousands. Case 4
  reads by it; a value whose shape shows the other convention is BAD ('1.5' with ',',
  '1,234.56' with ','); case 3 is thousands whatever the setting.
* 'auto': the column decides, as a person reading it would. Each distinct text value
  of the column that is a number shows which decimal separator the column uses, or
  shows nothing:
    - case 2 shows its last separator; case 3 the other one; case 5 its separator;
    - case 4 with a currency sign or code shows the other one: money is not written
      with three decimals, so '€ 1.200' is 1200 (and '$1,250' 1250);
    - cases 1 and 4 without currency, scientific notation, numbers stored as numbers,
      booleans, blanks, yes/no words and BAD values show nothing.
  When the values that show something all show the same separator, the column uses it:
  its case-4 values read as with that setting ('4.857' is 4.857 in a column that also
  holds '0.634'; '1.200' is 1200 in a column that also holds '1.200.000' or '2,5').
  When nothing shows, or both separators show (conflicting evidence: '0.5' and
  '1.200.000' in one column), a case-4 value without currency is AMBIGUOUS: its number
  is None and neither reading is taken (ambiguous_message says what it could mean).
  Every other value reads by its own shape, which has only one reading, so a few BAD
  or conflicting values never change how the rest is read. A value read on its own,
  parse_number(value, 'auto'), is a column of one value.

Counts (parse_count, Column.counts) read like numbers, and yes/no words (YES_WORDS,
NO_WORDS, any case, surrounding whitespace ignored) count as 1 and 0.
"""
from __future__ import annotations

import datetime as dt
import re
from itertools import repeat

import numpy as np
import pandas as pd

from .factorize import factorize
from .texts import text

# The characters str.split() and str.strip() treat as whitespace (str.isspace();
# tests/test_parse.py checks this list against Python's own).
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
MINUS_SIGNS = "\u2212\u2012\u2013\ufe63\uff0d"
YES_WORDS = ("yes", "y", "true", "x", "si", "sì", "s", "vero", "✓", "✔")
NO_WORDS = ("no", "n", "false", "falso", "-")
MAX_COUNT = 1_000_000  # A count is a whole number from 0 to this.
MAX_AMOUNT = 1_000_000_000_000  # A per unit rule reads numbers from -this to this.

BLANK, OK, BAD, AMBIGUOUS = 0, 1, 2, 3

_CURRENCY = re.compile(r"^(?:€|\$|£|eur|euro|usd|gbp)\s*|\s*(?:€|\$|£|eur|euro|usd|gbp)$", re.I)
_SPACES = re.compile("[" + WHITESPACE + "']")
_MINUS = str.maketrans(dict.fromkeys(MINUS_SIGNS, "-"))
_SHAPE = re.compile(r"[+-]?(?:[0-9][0-9.,]*|[.,][0-9]+)")
_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+")
_DIGITS = re.compile(r"[0-9]+")
_GROUPED = {".": re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+"), ",": re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")}
_OTHER = {".": ",", ",": "."}
_YES, _NO = frozenset(YES_WORDS), frozenset(NO_WORDS)
_BAD = (None, BAD, "")


def is_blank(value) -> bool:
    """None, NaN, NaT, pd.NA or text of whitespace only; the common types are told apart first."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float):
        return value != value
    if isinstance(value, (int, dt.date, dt.time)):
        return False
    return pd.isna(value) is True


def filled_values(values, arrow=None) -> np.ndarray:
    """[not is_blank(v) for v in values] as an array; texts (the common case) tested all at once,
    by pyarrow when `arrow` holds them (see arrow_texts)."""
    if arrow is not None:
        import pyarrow.compute as pc

        return pc.greater(pc.utf8_length(pc.utf8_trim(arrow, characters=WHITESPACE)), 0).to_numpy(
            zero_copy_only=False)
    if all(map(str.__instancecheck__, values)):
        return np.fromiter(map(bool, map(str.strip, values)), bool, len(values))
    return np.fromiter((not is_blank(v) for v in values), bool, len(values))


def _from_digits(body: str, decimal: str, money: bool) -> tuple[float | None, int, str]:
    """Read an unsigned run of digits and separators: (number, state, shows).

    shows is the decimal separator the value shows ('' for none). An AMBIGUOUS value comes
    with its thousands reading and the separator that could be either: its decimal reading
    is that number / 1000 (the same float as reading the digits as decimals). The cases are
    those of the module docstring.
    """
    dots, commas = body.count("."), body.count(",")
    if dots and commas:  # Case 2.
        dec = "." if body.rfind(".") > body.rfind(",") else ","
        if decimal != "auto" and dec != decimal:
            return _BAD
        thousands = _OTHER[dec]
        whole, _, frac = body.rpartition(dec)
        if thousands in frac or not _GROUPED[thousands].fullmatch(whole) or not _DIGITS.fullmatch(frac):
            return _BAD
        return float(whole.replace(thousands, "") + "." + frac), OK, dec
    sep = "." if dots else "," if commas else ""
    if not sep:  # Case 1.
        return (float(body), OK, "") if _DIGITS.fullmatch(body) else _BAD
    if body.count(sep) > 1:  # Case 3.
        return (float(body.replace(sep, "")), OK, _OTHER[sep]) if _GROUPED[sep].fullmatch(body) else _BAD
    whole, _, frac = body.partition(sep)
    if _GROUPED[sep].fullmatch(body) and not whole.startswith("0"):  # Case 4.
        if decimal == "auto" and not money:
            return float(whole + frac), AMBIGUOUS, sep
        if decimal == "auto" or decimal != sep:
            return float(whole + frac), OK, _OTHER[sep]
    elif decimal != "auto" and decimal != sep:
        return _BAD
    if not _DIGITS.fullmatch(frac) or (whole and not _DIGITS.fullmatch(whole)):
        return _BAD
    return float((whole or "0") + "." + frac), OK, sep  # Cases 4 and 5 as decimals.


def _reading(value, decimal: str) -> tuple[float | None, int, str]:
    """One cell read on its own: (number, state, shows), see _from_digits (an AMBIGUOUS
    value comes with its thousands reading)."""
    if type(value) is str:
        body = value.strip()
        if not body:
            return None, BLANK, ""
        if body.isdigit() and body.isascii():  # The common case, case 1: a whole number as text.
            return float(body), OK, ""
    elif is_blank(value):
        return None, BLANK, ""
    if isinstance(value, (bool, int, float, np.integer, np.floating)):
        return float(value), OK, ""
    if isinstance(value, (dt.date, dt.datetime, dt.time, pd.Timestamp)):
        return _BAD
    trimmed = str(value).strip().translate(_MINUS)
    core = _CURRENCY.sub("", trimmed)
    digits = _SPACES.sub("", core)
    if _SCIENTIFIC.fullmatch(digits):
        return float(digits), OK, ""
    if not _SHAPE.fullmatch(digits):
        return _BAD
    number, state, shows = _from_digits(digits.lstrip("+-"), decimal, core != trimmed)
    if number is not None and digits[0] == "-":
        number = -number
    return number, state, shows


def parse_number(value, decimal: str = "auto") -> tuple[float | None, int]:
    """Return (number, BLANK|OK|BAD|AMBIGUOUS) for one cell value, read on its own.

    '1.200.000' and '1,5' are read the Italian way, '1,200.50' the English way,
    '€ 1.200' as 1200; '2M', '1.2k', dates and words are BAD; with decimal 'auto',
    '1.200' alone is AMBIGUOUS (number None). See the module docstring.
    """
    number, state, _ = _reading(value, decimal)
    return (None, state) if state == AMBIGUOUS else (number, state)


def _word_count(value) -> float | None:
    """1.0 for a yes word, 0.0 for a no word, else None."""
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _YES:
            return 1.0
        if word in _NO:
            return 0.0
    return None


def parse_count(value, decimal: str = "auto") -> tuple[float | None, int]:
    """Like parse_number, and yes/no words count as 1/0."""
    word = _word_count(value)
    return (word, OK) if word is not None else parse_number(value, decimal)


def ambiguous_message(value, language: str = "en") -> str:
    """What an AMBIGUOUS value could mean and how to fix it, e.g. for '4.857':
    "is ambiguous: 4857 or 4.8570? Type one of them, or set the Decimal separator on
    the LeadScore sheet". Each reading is written so that it is no longer ambiguous. Any
    other value gets a message too (of no use), so callers may build messages for a column."""
    digits = _SPACES.sub("", str(value).strip().translate(_MINUS))
    sign = "-" if digits.startswith("-") else ""
    body = digits.lstrip("+-")
    sep = "." if "." in body else ","
    whole, _, frac = body.partition(sep)
    thousands = sign + whole + frac
    frac = frac.rstrip("0")  # Three digits left get a fourth: '4.857' -> '4.8570'.
    decimal = sign + whole + (sep + frac + "0" * (len(frac) == 3) if frac else "")
    return text(language, "ambiguous number").format(thousands=thousands, decimal=decimal)


def text_key(value) -> str:
    """How a cell compares as text: trimmed, case-folded, whole numbers without '.0'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        value = value.date() if value == value.replace(hour=0, minute=0, second=0, microsecond=0) else value
    return " ".join(str(value).split()).casefold()


def _shrinks(text: str) -> bool:
    """text_key would make the text shorter: spaces around it or two in a row, or whitespace other
    than a plain space (every other whitespace character is not printable)."""
    return text[:1].isspace() or text[-1:].isspace() or "  " in text or not text.isprintable()


_EDGE_SPACE = re.compile(r"(?:^|\x00)\s|\s(?:\x00|$)")


ARROW_FROM = 20_000  # Distinct texts from which pyarrow works on them (converting them costs).
# Anything text_key could shrink: a space at an edge, two in a row, a character that is not printable
# ASCII (every other whitespace character is one: tabs, no-break spaces ...).
_MAY_SHRINK = r"^ | $|  |[^\x20-\x7e]"


def to_arrow(texts):
    """Texts as one pyarrow array (large_string), or None where pyarrow is missing (xlwings Lite)
    or cannot take them (a lone surrogate)."""
    try:
        import pyarrow as pa
    except ImportError:
        return None
    try:
        return pa.array(texts, type=pa.large_string())
    except (pa.ArrowException, UnicodeError, ValueError):
        return None


def arrow_texts(values):
    """Many values that are all texts as one pyarrow array, or None: fewer than ARROW_FROM, not all
    texts, or to_arrow cannot make one."""
    if len(values) < ARROW_FROM or not all(map(str.__instancecheck__, values)):
        return None
    return to_arrow(values)


def _candidates_arrow(arrow, longest: int) -> np.ndarray:
    """Per text: no longer than `longest`, or one _MAY_SHRINK finds in (a few more than _shrinks
    finds: each is keyed after), by pyarrow for all at once."""
    import pyarrow.compute as pc

    short = pc.less_equal(pc.utf8_length(arrow), longest)
    return pc.or_(short, pc.match_substring_regex(arrow, _MAY_SHRINK)).to_numpy(zero_copy_only=False)


def _placeholders_among(values, placeholders: frozenset, arrow=None) -> np.ndarray:
    """Per value: whether it is text whose text_key is one of the placeholders. Only a text no longer
    than the longest placeholder, or one whose spaces shrink, can be one: those are found for all
    values at once (by pyarrow when `arrow` holds them, see arrow_texts), and only they are keyed."""
    n = len(values)
    longest = max(map(len, placeholders))
    if arrow is not None:
        maybe = _candidates_arrow(arrow, longest)
    elif all(map(str.__instancecheck__, values)):
        maybe = _candidates(values, longest)
    else:
        return np.fromiter((isinstance(v, str) and (len(v) <= longest or _shrinks(v)) and
                            text_key(v) in placeholders for v in values), dtype=bool, count=n)
    held = np.zeros(n, dtype=bool)
    at = np.flatnonzero(maybe)
    held[at] = [text_key(values[i]) in placeholders for i in at]
    return held


def _candidates(values, longest: int) -> np.ndarray:
    """Per text: no longer than `longest`, or _shrinks holds."""
    n = len(values)
    lengths = np.fromiter(map(len, values), np.int64, n)
    maybe = lengths <= longest
    # Each test below is made for all values at once first (joined by NUL, which no value holds when
    # the count of NULs says so); only a test that finds something is made value by value.
    joined = "\x00".join(values)
    alone = joined.count("\x00") == n - 1
    if not alone or _EDGE_SPACE.search(joined):  # Spaces around a value.
        maybe |= np.fromiter(map(len, map(str.strip, values)), np.int64, n) != lengths
    if not alone or "  " in joined:  # Two spaces in a row.
        maybe |= np.fromiter(map(str.__contains__, values, repeat("  ")), bool, n)
    if not alone or not joined.replace("\x00", "").isprintable():  # Other whitespace, control characters.
        maybe |= ~np.fromiter(map(str.isprintable, values), bool, n)
    return maybe


class Column:
    """One lead column, factorized once and parsed lazily.

    With decimal 'auto' the column's text values decide its decimal separator (see the
    module docstring): each distinct value is read once, and only the values that stay
    case 4 are read again once the column has shown its separator.
    """

    def __init__(self, series: pd.Series, decimal: str = "auto", placeholders: frozenset = frozenset()):
        self.name = series.name
        self.decimal = decimal
        self.placeholders = placeholders  # Text keys of values read as blank.
        self.series = series
        self.numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
        if series.dtype == object and pd.api.types.infer_dtype(series.to_numpy(), skipna=True) in (
                "integer", "floating", "mixed-integer-float"):
            self.series = series = pd.to_numeric(series)
            self.numeric = True
        self._factors = None
        self._cache = {}

    @property
    def factors(self):
        if self._factors is None:
            codes, uniques = factorize(self.series)
            if self.placeholders and not self.numeric:
                # A placeholder's leads get the blank code: everything reads them as blank.
                held = _placeholders_among(uniques, self.placeholders, self.texts_arrow(uniques))
                if held.any():
                    table = np.append(np.where(held, -1, np.arange(len(uniques))), -1)
                    codes = table[codes]
            self._factors = (codes, uniques)
        return self._factors

    def texts_arrow(self, uniques=None):
        """The distinct values as one pyarrow array when they are many texts, else None (arrow_texts)."""
        if "arrow" not in self._cache:
            self._cache["arrow"] = arrow_texts(self.factors[1] if uniques is None else uniques)
        return self._cache["arrow"]

    def spread(self, per_unique: np.ndarray, blank) -> np.ndarray:
        """Values per unique value -> values per lead; blanks (code -1) get `blank`."""
        codes, _ = self.factors
        table = np.empty(len(per_unique) + 1, dtype=per_unique.dtype)
        table[:-1] = per_unique
        table[-1] = blank
        return table[codes]

    def unique_numbers(self) -> tuple[np.ndarray, np.ndarray]:
        """(number, state) per distinct value (NaN where the state is not OK), the column decided."""
        if "numbers" in self._cache:
            return self._cache["numbers"]
        _, uniques = self.factors
        nums = np.full(len(uniques), np.nan)
        states = np.full(len(uniques), BAD, dtype=np.int8)
        shows = np.full(len(uniques), "", dtype="<U1")
        # Numbers stored as numbers need no parsing.
        is_num = np.fromiter((type(v) is int or type(v) is float for v in uniques), bool, len(uniques))
        nums[is_num] = uniques[is_num].astype(float)
        states[is_num] = np.where(np.isnan(nums[is_num]), BLANK, OK)
        rest = np.flatnonzero(~is_num)
        if len(rest):
            parsed = [_reading(v, self.decimal) for v in uniques[rest]]
            nums[rest] = [np.nan if n is None else n for n, _, _ in parsed]
            states[rest] = [s for _, s, _ in parsed]
            shows[rest] = [s for _, _, s in parsed]
        ambiguous = states == AMBIGUOUS
        if ambiguous.any():
            shown = np.unique(shows[states == OK])
            shown = shown[shown != ""]
            if len(shown) == 1:  # The column shows one decimal separator: read its case-4 values so.
                as_decimals = ambiguous & (shows == shown[0])
                nums[as_decimals] /= 1000
                states[ambiguous] = OK
            else:
                nums[ambiguous] = np.nan
        self._cache["numbers"] = (nums, states)
        return nums, states

    def _unique_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """(count, state) per distinct value: its number, or 1/0 for a yes/no word."""
        if "counts" not in self._cache:
            nums, states = (a.copy() for a in self.unique_numbers())
            _, uniques = self.factors
            for i in np.flatnonzero(states == BAD):
                word = _word_count(uniques[i])
                if word is not None:
                    nums[i], states[i] = word, OK
            self._cache["counts"] = (nums, states)
        return self._cache["counts"]

    def _spread_numbers(self, per_unique) -> tuple[np.ndarray, np.ndarray]:
        if self.numeric:
            values = self.series.to_numpy(dtype=float, na_value=np.nan)
            return values, (~np.isnan(values)).view(np.int8)  # OK = 1, BLANK = 0
        nums, states = per_unique()
        return self.spread(nums, np.nan), self.spread(states, BLANK)

    def numbers(self):
        """(float array with NaN where not a number, state array BLANK/OK/BAD/AMBIGUOUS) per lead."""
        return self._spread_numbers(self.unique_numbers)

    def counts(self):
        """Like numbers(), with yes/no words as 1/0."""
        return self._spread_numbers(self._unique_counts)

    def counts_by_value(self):
        """(codes per lead with -1 for blank, count per distinct value, state per distinct value)."""
        if self.numeric:
            values = self.series.to_numpy(dtype=float, na_value=np.nan)
            codes, uniq = pd.factorize(values, use_na_sentinel=True)
            return codes, np.asarray(uniq, dtype=float), np.full(len(uniq), OK, dtype=np.int8)
        codes, _ = self.factors
        nums, states = self._unique_counts()
        return codes, nums, states

    def blank(self) -> np.ndarray:
        if self.numeric:
            return self.series.isna().to_numpy()
        _, uniques = self.factors
        return self.spread(np.array([is_blank(v) for v in uniques], dtype=bool), True)

    def unique_keys(self) -> tuple[list, list]:
        """Per unique value: its text key and its number (or None when it is not OK)."""
        if "keys" not in self._cache:
            _, uniques = self.factors
            keys = [text_key(v) for v in uniques]
            nums, states = self.unique_numbers()
            numbers = [float(n) if s == OK else None for n, s in zip(nums, states)]
            self._cache["keys"] = (keys, numbers)
        return self._cache["keys"]

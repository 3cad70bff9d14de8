"""SQL expressions that read lead cells as scoring/parse.py reads them: blanks, text keys, numbers, counts.

Everything here is DuckDB SQL text built from plain, portable functions (REPLACE, LOWER, TRIM,
SUBSTRING, LENGTH, STRPOS, anchored REGEXP_MATCHES, REGEXP_REPLACE, CAST), so that sqlglot can carry
it to the other dialects. A pattern never holds a backslash escape a dialect could read differently:
whitespace characters stand in it as themselves. Cells that are plain (a whole number written with
digits only, tidy ASCII words) take a short way; only the others are read step by step.

A lead column arrives in one of four kinds (ColumnKind): text (read as a person would, as the
engine reads a cell of text), number (numbers stored as numbers: NaN and NULL are blank), bool
(TRUE/FALSE read as 1/0 and as the texts 'true'/'false') and date (dates and times: never a number).
"""
from __future__ import annotations

import sys

from ..parse import AMBIGUOUS, BAD, BLANK, MAX_AMOUNT, MAX_COUNT, MINUS_SIGNS, NO_WORDS, OK, WHITESPACE, YES_WORDS

TEXT, NUMBER, BOOL, DATE = "text", "number", "bool", "date"
KINDS = (TEXT, NUMBER, BOOL, DATE)
__all__ = ["AMBIGUOUS", "BAD", "BLANK", "BOOL", "DATE", "KINDS", "NUMBER", "OK", "TEXT", "casefold_fixes",
           "dbl", "ident", "lit", "number_text", "signed"]

# Characters Python's str.casefold() changes beyond str.lower() (ß -> ss, ﬁ -> fi ...): lowered form -> folded.
_FOLDS = {}
for _code in range(sys.maxunicode + 1):
    _c = chr(_code)
    if _c.lower() != _c.casefold():
        _FOLDS.setdefault(_c.lower(), _c.casefold())
del _code, _c

CURRENCY_FRONT = "^(€|[$]|£|eur|usd|gbp) *"  # 'euro' is never reached at the front (parse._CURRENCY tries 'eur' first).
CURRENCY_BACK = " *(€|[$]|£|eur|euro|usd|gbp)$"


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def ident(name) -> str:
    """A quoted SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def dbl(x: float) -> str:
    """A DOUBLE literal (a bare 1.5 is a DECIMAL in several dialects, and points add up as doubles)."""
    return f"CAST({float(x)!r} AS DOUBLE)"


WS_CLASS = "[" + WHITESPACE + "]"  # Every character str.isspace() accepts, as a pattern.
TIDY = "^[!-~]+( [!-~]+)*$"  # Printable ASCII words, one space between them: its text key is its LOWER.
DIGITS_ONLY = "^[0-9]+$"  # A whole number written plainly: it reads as itself.


def _spaces(expr: str) -> str:
    """Every whitespace character (str.isspace) as a plain space."""
    return f"REGEXP_REPLACE({expr}, {lit(WS_CLASS)}, ' ', 'g')"


def casefold_fixes(expr: str, keys) -> str:
    """LOWER(expr) made equal to Python's casefold for the characters that can matter: those whose
    folded form is made of characters the compared keys hold (ß matters for a key with 'ss')."""
    chars = set("".join(keys))
    out = f"LOWER({expr})"
    for lowered, folded in sorted(_FOLDS.items()):
        if set(folded) <= chars:
            out = f"REPLACE({out}, {lit(lowered)}, {lit(folded)})"
    return out


def text_key(expr: str, keys) -> str:
    """parse.text_key of a text: whitespace runs as one space, trimmed, case-folded."""
    collapsed = f"REGEXP_REPLACE(TRIM({_spaces(expr)}), ' +', ' ', 'g')"
    return casefold_fixes(collapsed, keys)


def blank_text(expr: str) -> str:
    """parse.is_blank of a text: NULL or whitespace only."""
    return f"({expr} IS NULL OR {matches(expr, '^' + WS_CLASS + '*$')})"


def number_key(expr: str) -> str:
    """How text_key writes a number stored as a number: whole numbers without '.0'."""
    return (f"CASE WHEN {expr} = FLOOR({expr}) AND ABS({expr}) < 1e18 THEN CAST(CAST({expr} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({expr} AS VARCHAR) END")


def rounded(expr: str) -> str:
    """Python's round(x, 6), for numbers shown in reasons (any dialect's ROUND agrees on them)."""
    return f"ROUND({expr}, 6)"


def round6(column: str) -> str:
    """numpy.round(x, 6), as the engine rounds points and totals: x * 10**6 rounded half to even (as
    numpy's rint), then / 10**6; written with FLOOR, since each dialect's ROUND breaks ties its own way."""
    y = f"({column} * {dbl(1e6)})"
    f = f"FLOOR({y})"
    even = f"CASE WHEN FLOOR({f} / 2) * 2 = {f} THEN {f} ELSE {f} + 1 END"
    return f"(CASE WHEN {y} - {f} = 0.5 THEN {even} WHEN {y} - {f} > 0.5 THEN {f} + 1 ELSE {f} END / {dbl(1e6)})"


def number_text(expr: str, language: str = "en") -> str:
    """explain.number_text of a DOUBLE column (expr must be a plain column: it is used many times);
    '2,5' in Italian."""
    if language == "it":
        return f"REPLACE({number_text(expr)}, '.', ',')"
    r = rounded(expr)
    whole = f"CAST(CAST({r} AS BIGINT) AS VARCHAR)"
    magnitude = f"ABS({r})"
    fraction = f"CAST(CAST(ROUND(({magnitude} - FLOOR({magnitude})) * 1000000) AS BIGINT) AS VARCHAR)"
    decimals = (f"CASE WHEN {r} < 0 THEN '-' ELSE '' END || CAST(CAST(FLOOR({magnitude}) AS BIGINT) AS VARCHAR) || '.' "
                f"|| RTRIM(LPAD({fraction}, 6, '0'), '0')")
    return f"CASE WHEN {r} = 0 THEN '0' WHEN {r} = FLOOR({r}) THEN {whole} ELSE {decimals} END"


def signed(expr: str, language: str = "en") -> str:
    """explain.signed of a DOUBLE column: '+15', '−10' (a true minus sign), '+2,5' in Italian."""
    r = rounded(expr)
    shown = number_text(f"ABS({expr})", language)
    return f"CASE WHEN {r} >= 0 THEN '+' ELSE '\u2212' END || {shown}"


# --- numbers written as text (parse._reading) ---------------------------------------------------

_DIGITS = "^[0-9]+$"
_SCIENTIFIC = "^[+-]?[0-9]+([.][0-9]+)?e[+-]?[0-9]+$"
_SHAPE = "^[+-]?([0-9][0-9.,]*|[.,][0-9]+)$"
_BOTH = {",": "^[0-9]{1,3}([.][0-9]{3})+,[0-9]+$", ".": "^[0-9]{1,3}(,[0-9]{3})+[.][0-9]+$"}  # Case 2, by decimal.
_GROUPS = {".": "^[0-9]{1,3}([.][0-9]{3}){2,}$", ",": "^[0-9]{1,3}(,[0-9]{3}){2,}$"}  # Case 3, by separator.
_ONCE_GROUPED = {".": "^[1-9][0-9]{0,2}[.][0-9]{3}$", ",": "^[1-9][0-9]{0,2},[0-9]{3}$"}  # Case 4.
_DECIMALS = {".": "^[0-9]*[.][0-9]+$", ",": "^[0-9]*,[0-9]+$"}  # Case 5.
_OTHER = {".": ",", ",": "."}


def matches(expr: str, pattern: str) -> str:
    return f"REGEXP_MATCHES({expr}, {lit(pattern)})"


def _cast(expr: str) -> str:
    return f"CAST({expr} AS DOUBLE)"


def _count(expr: str, char: str) -> str:
    return f"(LENGTH({expr}) - LENGTH(REPLACE({expr}, {lit(char)}, '')))"


def number_steps(s: str) -> dict:
    """The steps of reading a text as a number, each an expression of the ones before
    (name -> SQL; the caller makes each a column): see parse._reading."""
    lowered = f"LOWER(REGEXP_REPLACE(TRIM({_spaces(s)}), {lit('[' + MINUS_SIGNS + ']')}, '-', 'g'))"
    return {
        "low": lowered,
        "core": f"REGEXP_REPLACE(REGEXP_REPLACE(low, {lit(CURRENCY_FRONT)}, ''), {lit(CURRENCY_BACK)}, '')",
        "digits": "REPLACE(REPLACE(core, ' ', ''), '''', '')",
        "body": "CASE WHEN SUBSTRING(digits, 1, 1) IN ('+', '-') THEN SUBSTRING(digits, 2) ELSE digits END",
    }


def number_cases(decimal: str) -> list[tuple[str, str, str, str]]:
    """(condition, number, state, shows) on the columns low, core, digits and body of number_steps,
    first match wins; shows is the decimal separator the value shows ('' none; for an AMBIGUOUS value
    the separator that could be either). The number is unsigned, except for scientific notation."""
    money = "LENGTH(core) < LENGTH(low)"
    auto = decimal == "auto"
    cases = [(matches("digits", _SCIENTIFIC), _cast("digits"), OK, ""),
             (f"NOT {matches('digits', _SHAPE)}", "NULL", BAD, ""),
             (matches("body", _DIGITS), _cast("body"), OK, "")]
    for dec, thousands in ((",", "."), (".", ",")):
        if auto or decimal == dec:
            plain = f"REPLACE(REPLACE(body, {lit(thousands)}, ''), ',', '.')"
            cases.append((matches("body", _BOTH[dec]), _cast(plain), OK, dec))
    both = "(STRPOS(body, '.') > 0 AND STRPOS(body, ',') > 0)"
    cases.append((both, "NULL", BAD, ""))
    for sep in (".", ","):
        cases.append((matches("body", _GROUPS[sep]), _cast(f"REPLACE(body, {lit(sep)}, '')"), OK, _OTHER[sep]))
        cases.append((f"{_count('body', sep)} > 1", "NULL", BAD, ""))
    for sep in (".", ","):
        thousands = _cast(f"REPLACE(body, {lit(sep)}, '')")
        grouped = matches("body", _ONCE_GROUPED[sep])
        if auto:
            cases.append((f"{grouped} AND NOT {money}", thousands, AMBIGUOUS, sep))
            cases.append((grouped, thousands, OK, _OTHER[sep]))
        elif decimal != sep:
            cases.append((grouped, thousands, OK, _OTHER[sep]))
        if auto or decimal == sep:
            decimals = _cast("'0' || " + ("body" if sep == "." else "REPLACE(body, ',', '.')"))
            cases.append((matches("body", _DECIMALS[sep]), decimals, OK, sep))
    return cases


def signed_number(number: str, scientific: str) -> str:
    """The number with the sign of digits (scientific notation, where scientific holds, carries its own)."""
    return f"CASE WHEN SUBSTRING(digits, 1, 1) = '-' AND NOT {scientific} THEN -({number}) ELSE {number} END"


def word_count(s: str) -> str:
    """parse._word_count: 1 for a yes word, 0 for a no word, else NULL (whitespace around ignored)."""
    word = f"LOWER(TRIM({_spaces(s)}))"
    yes = ", ".join(lit(w) for w in YES_WORDS)
    no = ", ".join(lit(w) for w in NO_WORDS)
    return f"CASE WHEN {word} IN ({yes}) THEN {dbl(1)} WHEN {word} IN ({no}) THEN {dbl(0)} END"


def usable_count(number: str, per_unit: bool) -> str:
    """engine._amounts: a count is a whole number from 0 to MAX_COUNT; an amount lies within ±MAX_AMOUNT."""
    if per_unit:
        return f"(ABS({number}) <= {dbl(MAX_AMOUNT)})"
    return f"({number} >= 0 AND {number} <= {dbl(MAX_COUNT)} AND {number} = FLOOR({number}))"

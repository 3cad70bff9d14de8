"""Reading messy cells: scoring.parse.parse_number, parse_count, is_blank, text_key and Column.

The case lists at module level are also the input of the native-formula differential test
(tests/test_native_parity_libreoffice.py), so every case here is proven in LibreOffice too.
"""
from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import pandas as pd
import pytest

from scoring.parse import (AMBIGUOUS, BAD, BLANK, MINUS_SIGNS, OK, WHITESPACE, Column, ambiguous_message,
                           is_blank, parse_count, parse_number, text_key)

# --- cells read on their own ---------------------------------------------------------------------

AUTO_NUMBERS = [
    ("1.200.000", 1_200_000), ("1,5", 1.5), ("1.234,56", 1234.56), ("1,234.56", 1234.56),
    ("€ 1.200", 1200), ("1 200 000", 1_200_000), ("-5", -5), ("+7", 7), ("0", 0),
    ("0,500", 0.5), ("0.500", 0.5), (".5", 0.5), ("00.500", 0.5), ("01.234", 1.234),
    ("1.234.567,89", 1_234_567.89), ("1,234,567.89", 1_234_567.89), ("EUR 1.200,50", 1200.5),
    ("1.200 €", 1200), ("$1,234.56", 1234.56), ("$1,250", 1250), ("1.200 eur", 1200), ("1\u00a0200", 1200),
    ("1\u202f200", 1200), ("1'200", 1200), ("  42  ", 42), ("1e3", 1000), ("2.5E-1", 0.25), ("€-5", -5),
    ("4.85", 4.85), ("1234.567", 1234.567), ("0.634", 0.634), ("93.2", 93.2), ("-36.4", -36.4),
    (1200, 1200), (2.5, 2.5), (np.int64(7), 7), (np.float64(2.5), 2.5), (True, 1), (False, 0)]

# One separator once, 1-3 digits before it and 3 after: 1200 or 1.2? Alone, nobody can tell.
AMBIGUOUS_CELLS = ["1.200", "1,200", "4.857", "93.994", "-1.250", "+2.000", "1.000", "999,999", " 5.000 "]

# The minus signs people type (scoring.parse.MINUS_SIGNS), and dashes that are not minus signs.
MINUS_NUMBERS = [("\u221236.4", -36.4), ("\u2013 5", -5), ("\u20121,5", -1.5), ("\ufe632", -2),
                 ("\uff0d3", -3), ("€ \u22125", -5), ("\u22121.200.000", -1_200_000), ("1e\u22123", 0.001),
                 ("\u22122.5E+2", -250)]
NOT_MINUS = ["\u20145", "\u20105", "\u20115", "5\u2212", "\u2212\u22125"]

# Every whitespace character str.split() knows, inside and around numbers and words.
SPACED_NUMBERS = [(f"1{c}200", 1200) for c in WHITESPACE] + [(f"{c}7{c}", 7) for c in WHITESPACE] + [
    ("1\r\n200", 1200), ("\t1.200.000\u3000", 1_200_000), ("€\u20031,5", 1.5)]

BAD_CELLS = [
    "€ 2M", "1.2k", "abc", "nan", "--5", "5.", "1.2.3", "12,34,567", "12,5%", "1-2",
    "2024-01-05", "05/01/2024", "12.03.2024", dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 10, 30),
    pd.Timestamp("2024-01-05"), dt.time(9, 30), "1.234,567.8", "1,2,3.4", "\u0661\u0662", "\uff11\uff12"]

BLANK_CELLS = [None, "", "   ", "\t\n", float("nan"), np.nan, pd.NA, pd.NaT, "\u3000", "\u2003\x0b", "\x85"]

# cell, its number with ',' decimals, with '.' decimals (None: not a number).
DECIMAL_CASES = [
    ("1.200", 1200, 1.2),
    ("1,200", 1.2, 1200),
    ("4.857", 4857, 4.857),
    ("1,5", 1.5, None),
    ("1.5", None, 1.5),
    ("1.234,56", 1234.56, None),
    ("1,234.56", None, 1234.56),
    ("1.200.000", 1_200_000, 1_200_000),
    ("1,200,000", 1_200_000, 1_200_000),
    ("€ 1.200", 1200, 1.2),
    ("0,5", 0.5, None),
    (".5", None, 0.5),
    ("1200", 1200, 1200),
    ("-1,25", -1.25, None),
    ("\u22121,25", -1.25, None),
    ("0.500", None, 0.5),
    ("00,500", 0.5, None)]

YES_CELLS = ["yes", "YES", " Yes ", "y", "true", "TRUE", "x", "X", "si", "sì", "Sì", "s", "vero", "✓", "✔",
             "yes\u3000", "\u2003Y", "\u00a0si\u202f"]
NO_CELLS = ["no", "No ", "n", "false", "FALSE", "falso", "-", "\tno\x0b", "N\u2028"]
COUNT_CASES = [
    ("3", (3.0, OK)), (3, (3.0, OK)), ("1.000", (None, AMBIGUOUS)), ("2,5", (2.5, OK)),
    ("maybe", (None, BAD)), ("", (None, BLANK)), (None, (None, BLANK)), (True, (1.0, OK)),
    ("1.000.000", (1e6, OK)), ("y es", (None, BAD))]

KEY_CASES = [
    ("  IT  ", "it"), ("Purchasing   Manager", "purchasing manager"), (1200.0, "1200"),
    (1200, "1200"), (2.5, "2.5"), ("ÉCOLE", "école"), (dt.datetime(2024, 1, 5), "2024-01-05"),
    (pd.Timestamp("2024-01-05"), "2024-01-05"), ("IT\u2003", "it"), ("IT\u3000", "it"), ("\u00a0IT", "it"),
    ("Purchasing\u2003\u2003Manager", "purchasing manager"), ("I\x0bT", "i t"), ("IT\x85", "it"),
    ("Retail\u2028", "retail"), ("\u202fFinance\u2009", "finance"), ("IT\r\n", "it")]

# --- columns: the column decides how '1.200' reads ------------------------------------------------

# Real values of the UCI Bank Marketing data (bank-additional-full.csv, 41,188 contacts of a Portuguese
# bank, 2008-2010; S. Moro, P. Cortez and P. Rita, Decision Support Systems 62 (2014) 22-31, CC BY 4.0),
# as text: every distinct value of cons.price.idx, cons.conf.idx, emp.var.rate and nr.employed, and the
# 12 commonest and 6 smallest of the 316 values of euribor3m, and how often each occurs in the data.
BANK = {
    "euribor3m": {"4.857": 2868, "4.962": 2613, "4.963": 2487, "4.961": 1902, "4.856": 1210, "4.964": 1175,
                  "1.405": 1169, "4.965": 1071, "4.864": 1044, "4.96": 1013, "4.968": 992, "4.959": 895,
                  "0.634": 8, "0.635": 43, "0.636": 14, "0.637": 6, "0.638": 7, "0.639": 16},
    "cons.price.idx": dict.fromkeys([
        "93.994", "94.465", "93.918", "93.444", "93.798", "93.2", "92.756", "92.843", "93.075", "92.893",
        "92.963", "92.469", "92.201", "92.379", "92.431", "92.649", "92.713", "93.369", "93.749", "93.876",
        "94.055", "94.215", "94.027", "94.199", "94.601", "94.767"], 1),
    "cons.conf.idx": dict.fromkeys([
        "-26.9", "-29.8", "-30.1", "-31.4", "-33", "-33.6", "-34.6", "-34.8", "-36.1", "-36.4", "-37.5",
        "-38.3", "-39.8", "-40", "-40.3", "-40.4", "-40.8", "-41.8", "-42", "-42.7", "-45.9", "-46.2",
        "-47.1", "-49.5", "-50", "-50.8"], 1),
    "emp.var.rate": dict.fromkeys(["-0.1", "-0.2", "-1.1", "-1.7", "-1.8", "-2.9", "-3", "-3.4", "1.1", "1.4"], 1),
    "nr.employed": dict.fromkeys(["4963.6", "4991.6", "5008.7", "5017.5", "5023.5", "5076.2", "5099.1",
                                  "5176.3", "5191", "5195.8", "5228.1"], 1),
}
# The first 2,000 contacts (May 2008) have only these euribor3m values: nothing shows the separator.
BANK_FIRST_ROWS = ["4.857", "4.856", "4.855"]

# name, cells, and what Column(cells, 'auto') reads: a number, or AMBIGUOUS / BAD / BLANK.
COLUMN_CASES = [
    ("shows a point (leading zero)", ["0.5", "1.200", "4.857", "-1,250"], [0.5, 1.2, 4.857, -1250]),
    ("shows a point (two decimals)", ["4.85", "4.857", "93.994"], [4.85, 4.857, 93.994]),
    ("shows a comma", ["1,5", "1.200", "4.857", "1,200"], [1.5, 1200, 4857, 1.2]),
    ("Italian thousands", ["1.200.000", "1.200", "+2.000"], [1_200_000, 1200, 2000]),
    ("English thousands", ["1,200,000", "1,200", "1.200"], [1_200_000, 1200, 1.2]),
    ("English both", ["1,200.50", "1,200", "4.857"], [1200.5, 1200, 4.857]),
    ("Italian both", ["1.200,50", "1.200", "4,857"], [1200.5, 1200, 4.857]),
    ("money shows thousands", ["€ 1.200", "1.500", "2.500 EUR"], [1200, 1500, 2500]),
    ("no evidence", ["4.857", "1200", "2.5e3", 7, 4.5, True, "", None], [
        AMBIGUOUS, 1200, 2500, 7, 4.5, 1, BLANK, BLANK]),
    ("conflict", ["0.5", "1.200.000", "4.857", "1,200.50", "€ 1.200"], [0.5, 1_200_000, AMBIGUOUS, 1200.5, 1200]),
    ("garbage does not count", ["0.634", "n/a", "1.2k", "€ 2M", "4.857", "2024-01-05"], [
        0.634, BAD, BAD, BAD, 4.857, BAD]),
    ("minus signs", ["\u221236.4", "\u22124.857", "\u2013 1.200"], [-36.4, -4.857, -1.2]),
    ("spaces", ["1\u2003200", "0\u3000,5", "4.857\x0b"], [1200, 0.5, 4857]),
    ("scientific shows nothing", ["2.5e3", "1.200"], [2500, AMBIGUOUS]),
    ("numbers stored as numbers show nothing", [0.5, 4.85, "1.200"], [0.5, 4.85, AMBIGUOUS]),
]


def column_read(cells, decimal="auto"):
    """What Column reads per cell: the number where OK, else the state."""
    values, states = Column(pd.Series(cells, dtype=object), decimal).numbers()
    return [float(v) if s == OK else int(s) for v, s in zip(values, states)]


# --- the tests -----------------------------------------------------------------------------------

@pytest.mark.parametrize("cell,number", AUTO_NUMBERS + MINUS_NUMBERS + SPACED_NUMBERS)
def test_numbers_read_automatically(cell, number):
    assert parse_number(cell) == (pytest.approx(number), OK)


@pytest.mark.parametrize("cell", AMBIGUOUS_CELLS)
def test_a_grouped_looking_value_alone_is_ambiguous(cell):
    assert parse_number(cell) == (None, AMBIGUOUS)
    assert parse_count(cell) == (None, AMBIGUOUS)
    assert parse_number(cell, ",")[1] == parse_number(cell, ".")[1] == OK


@pytest.mark.parametrize("cell", BAD_CELLS + NOT_MINUS)
def test_bad_numbers(cell):
    assert parse_number(cell) == (None, BAD)
    assert parse_number(cell, ",") == (None, BAD)
    assert parse_number(cell, ".") == (None, BAD)


@pytest.mark.parametrize("cell", BLANK_CELLS)
def test_blank_numbers(cell):
    assert parse_number(cell) == (None, BLANK)
    assert is_blank(cell)


@pytest.mark.parametrize("cell", ["x", "0", 0, 0.0, "-", False, "\u200b"])
def test_not_blank(cell):
    assert not is_blank(cell)


def test_whitespace_is_what_python_splits_on():
    assert set(WHITESPACE) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}
    assert len(WHITESPACE) == len(set(WHITESPACE))
    assert not any(c.isspace() or c.isalnum() for c in MINUS_SIGNS)


@pytest.mark.parametrize("cell,comma,dot", DECIMAL_CASES)
def test_decimal_setting(cell, comma, dot):
    for decimal, expected in ((",", comma), (".", dot)):
        number, state = parse_number(cell, decimal)
        if expected is None:
            assert (number, state) == (None, BAD), decimal
        else:
            assert state == OK, decimal
            assert number == pytest.approx(expected), decimal


@pytest.mark.parametrize("word", YES_CELLS)
def test_yes_words_count_one(word):
    assert parse_count(word) == (1.0, OK)


@pytest.mark.parametrize("word", NO_CELLS)
def test_no_words_count_zero(word):
    assert parse_count(word) == (0.0, OK)


@pytest.mark.parametrize("cell,expected", COUNT_CASES)
def test_counts_are_numbers_otherwise(cell, expected):
    assert parse_count(cell) == expected


def test_yes_no_words_are_not_numbers():
    assert parse_number("yes") == (None, BAD)
    assert parse_number("-") == (None, BAD)


@pytest.mark.parametrize("cell,key", KEY_CASES)
def test_text_key(cell, key):
    assert text_key(cell) == key


def test_italian_thousands_property_style_cases():
    for n in (0, 7, 999, 1000, 12_345, 1_000_000, 987_654_321):
        italian = f"{n:,}".replace(",", ".")
        english = f"{n:,}"
        # 1.000 to 999.999 alone could be decimals; the column or the setting says which.
        alone = (None, AMBIGUOUS) if 1000 <= n < 1_000_000 else (float(n), OK)
        assert parse_number(italian) == parse_number(english) == alone
        assert column_read([italian, "0,5"]) == [n, 0.5]
        assert column_read([english, "0.5"]) == [n, 0.5]
        assert parse_number(italian, ",") == (float(n), OK)
        assert parse_number(english, ".") == (float(n), OK)
        assert parse_number(f"{n:,}.25".replace(",", " "), ".") == (n + 0.25, OK)
        it_dec = f"{n:,}.75".replace(",", "X").replace(".", ",").replace("X", ".")
        assert parse_number(it_dec) == (n + 0.75, OK)
        assert parse_number(it_dec, ",") == (n + 0.75, OK)


@pytest.mark.parametrize("name,cells,expected", COLUMN_CASES, ids=[c[0] for c in COLUMN_CASES])
def test_the_column_decides_the_separator(name, cells, expected):
    assert column_read(cells) == expected


def test_an_explicit_setting_decides_as_before_whatever_the_column_shows():
    cells = ["0.5", "4.857", "1,5", "€ 1.200", "1.200.000"]
    assert column_read(cells) == [0.5, AMBIGUOUS, 1.5, 1200, 1_200_000]
    assert column_read(cells, ",") == [BAD, 4857, 1.5, 1200, 1_200_000]
    assert column_read(cells, ".") == [0.5, 4.857, BAD, 1.2, 1_200_000]


@pytest.mark.parametrize("name", BANK)
def test_bank_marketing_columns_read_as_a_person_would(name):
    """Every value reads as the number it is (the data is written with a decimal point)."""
    cells = list(BANK[name])
    assert column_read(cells) == [float(c) for c in cells]
    # Old code read '4.857' and '93.994' as 4857 and 93994, without a word.
    assert column_read(cells, ".") == [float(c) for c in cells]


def test_bank_rule_below_1_5_counts_the_leads_it_should():
    """euribor3m < 1.5 on the sample, weighted by how often each value occurs in the data."""
    cells = [c for c, n in BANK["euribor3m"].items() for _ in range(n)]
    values, states = Column(pd.Series(cells, dtype=object)).numbers()
    assert (states == OK).all()
    assert int((values < 1.5).sum()) == 1169 + 8 + 43 + 14 + 6 + 7 + 16
    assert int((values > 4).sum()) == 2868 + 2613 + 2487 + 1902 + 1210 + 1175 + 1071 + 1044 + 1013 + 992 + 895


def test_bank_first_rows_alone_are_ambiguous_not_misread():
    assert column_read(BANK_FIRST_ROWS) == [AMBIGUOUS] * 3
    assert column_read(BANK_FIRST_ROWS, ".") == [4.857, 4.856, 4.855]
    assert ambiguous_message("4.857") == ("is ambiguous: 4857 or 4.8570? Type one of them, or set the Decimal "
                                          "separator on the LeadScore sheet")


@pytest.mark.parametrize("cell,en,it", [
    ("4.857", "4857 or 4.8570", "4857 o 4.8570"),
    ("1,200", "1200 or 1,2", "1200 o 1,2"),
    ("\u22121.000", "-1000 or -1", "-1000 o -1"),
    (" +12.500 ", "12500 or 12.5", "12500 o 12.5")])
def test_ambiguous_message_says_both_readings_unambiguously(cell, en, it):
    assert ambiguous_message(cell).startswith(f"is ambiguous: {en}? ")
    assert ambiguous_message(cell, "it") == (f"è ambiguo: {it}? Scrivi uno dei due, o imposta il Separatore "
                                             "decimale nel foglio LeadScore")
    thousands, decimal = en.split(" or ")
    assert parse_number(thousands) == (float(thousands), OK)
    assert parse_number(decimal)[1] == OK


@pytest.mark.parametrize("cell", BAD_CELLS + BLANK_CELLS + [1200, 4.5, "€ 5"])
def test_ambiguous_message_never_raises(cell):
    """The engine may build the messages of a whole column's distinct values."""
    assert ambiguous_message(cell).startswith("is ambiguous: ")


def test_counts_keys_and_numbers_follow_the_column():
    column = Column(pd.Series(["yes", "1.000", "2,5", "no", "1.000", None, "4.857"], dtype=object))
    counts, states = column.counts()  # '2,5' shows a decimal comma: '1.000' is a thousand.
    assert list(states) == [OK] * 5 + [BLANK, OK]
    assert list(counts[:5]) == [1, 1000, 2.5, 0, 1000] and counts[6] == 4857
    codes, per_value, value_states = column.counts_by_value()
    assert list(codes) == [0, 1, 2, 3, 1, -1, 4]
    assert list(per_value) == [1, 1000, 2.5, 0, 4857] and list(value_states) == [OK] * 5
    keys, numbers = column.unique_keys()
    assert keys == ["yes", "1.000", "2,5", "no", "4.857"]
    assert numbers == [None, 1000.0, 2.5, None, 4857.0]
    ambiguous = Column(pd.Series(["yes", "1.000"], dtype=object))
    assert list(ambiguous.counts()[1]) == [OK, AMBIGUOUS]
    assert ambiguous.unique_keys()[1] == [None, None]


def test_numeric_columns_are_never_ambiguous():
    values, states = Column(pd.Series([4.857, 1200, np.nan])).numbers()
    assert list(states) == [OK, OK, BLANK] and values[0] == 4.857

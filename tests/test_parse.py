"""Reading messy cells: scoring.parse.parse_number, parse_count, is_blank, text_key."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from scoring.parse import BAD, BLANK, OK, is_blank, parse_count, parse_number, text_key


@pytest.mark.parametrize("cell,number", [
    ("1.200.000", 1_200_000), ("1,5", 1.5), ("1.234,56", 1234.56), ("1,234.56", 1234.56),
    ("€ 1.200", 1200), ("1 200 000", 1_200_000), ("-5", -5), ("+7", 7), ("0", 0),
    ("1.200", 1200), ("1,200", 1200), ("0,500", 0.5), ("0.500", 0.5), (".5", 0.5),
    ("1.234.567,89", 1_234_567.89), ("1,234,567.89", 1_234_567.89), ("EUR 1.200,50", 1200.5),
    ("1.200 €", 1200), ("$1,234.56", 1234.56), ("1\u00a0200", 1200), ("1\u202f200", 1200),
    ("1'200", 1200), ("  42  ", 42), ("1e3", 1000), ("2.5E-1", 0.25), ("€-5", -5),
    (1200, 1200), (2.5, 2.5), (np.int64(7), 7), (np.float64(2.5), 2.5), (True, 1), (False, 0)])
def test_numbers_read_automatically(cell, number):
    assert parse_number(cell) == (pytest.approx(number), OK)


@pytest.mark.parametrize("cell", [
    "€ 2M", "1.2k", "abc", "nan", "--5", "5.", "1.2.3", "12,34,567", "12,5%", "1-2",
    "2024-01-05", "05/01/2024", "12.03.2024", dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 10, 30),
    pd.Timestamp("2024-01-05"), dt.time(9, 30), "1.234,567.8", "1,2,3.4"])
def test_bad_numbers(cell):
    assert parse_number(cell) == (None, BAD)
    assert parse_number(cell, ",") == (None, BAD)
    assert parse_number(cell, ".") == (None, BAD)


@pytest.mark.parametrize("cell", [None, "", "   ", "\t\n", float("nan"), np.nan, pd.NA, pd.NaT, None])
def test_blank_numbers(cell):
    assert parse_number(cell) == (None, BLANK)
    assert is_blank(cell)


@pytest.mark.parametrize("cell", ["x", "0", 0, 0.0, "-", False])
def test_not_blank(cell):
    assert not is_blank(cell)


@pytest.mark.parametrize("cell,comma,dot", [
    ("1.200", 1200, 1.2),
    ("1,200", 1.2, 1200),
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
    ("-1,25", -1.25, None)])
def test_decimal_setting(cell, comma, dot):
    for decimal, expected in ((",", comma), (".", dot)):
        number, state = parse_number(cell, decimal)
        if expected is None:
            assert (number, state) == (None, BAD), decimal
        else:
            assert state == OK, decimal
            assert number == pytest.approx(expected), decimal


@pytest.mark.parametrize("word", ["yes", "YES", " Yes ", "y", "true", "TRUE", "x", "X", "si", "sì",
                                  "Sì", "s", "vero", "✓", "✔"])
def test_yes_words_count_one(word):
    assert parse_count(word) == (1.0, OK)


@pytest.mark.parametrize("word", ["no", "No ", "n", "false", "FALSE", "falso", "-"])
def test_no_words_count_zero(word):
    assert parse_count(word) == (0.0, OK)


@pytest.mark.parametrize("cell,expected", [
    ("3", (3.0, OK)), (3, (3.0, OK)), ("1.000", (1000.0, OK)), ("2,5", (2.5, OK)),
    ("maybe", (None, BAD)), ("", (None, BLANK)), (None, (None, BLANK)), (True, (1.0, OK))])
def test_counts_are_numbers_otherwise(cell, expected):
    assert parse_count(cell) == expected


def test_yes_no_words_are_not_numbers():
    assert parse_number("yes") == (None, BAD)
    assert parse_number("-") == (None, BAD)


@pytest.mark.parametrize("cell,key", [
    ("  IT  ", "it"), ("Purchasing   Manager", "purchasing manager"), (1200.0, "1200"),
    (1200, "1200"), (2.5, "2.5"), ("ÉCOLE", "école"), (dt.datetime(2024, 1, 5), "2024-01-05"),
    (pd.Timestamp("2024-01-05"), "2024-01-05")])
def test_text_key(cell, key):
    assert text_key(cell) == key


def test_italian_thousands_property_style_cases():
    for n in (0, 7, 999, 1000, 12_345, 1_000_000, 987_654_321):
        italian = f"{n:,}".replace(",", ".")
        english = f"{n:,}"
        assert parse_number(italian) == (float(n), OK)
        assert parse_number(italian, ",") == (float(n), OK)
        assert parse_number(english, ".") == (float(n), OK)
        assert parse_number(f"{n:,}.25".replace(",", " "), ".") == (n + 0.25, OK)
        it_dec = f"{n:,}.75".replace(",", "X").replace(".", ",").replace("X", ".")
        assert parse_number(it_dec) == (n + 0.75, OK)
        assert parse_number(it_dec, ",") == (n + 0.75, OK)

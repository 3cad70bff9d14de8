"""Checks made for many distinct values at once equal the same checks made one value at a time.

The engine tests a column's distinct values (a million e-mail addresses, names) for placeholders,
blanks and plain address syntax without a Python call per value; these properties pin the fast
forms to the plain ones they replace.
"""
from __future__ import annotations

from unittest import mock

import pytest

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from scoring.hygiene import _PLAIN, _plain_parts
from scoring import parse
from scoring.parse import _placeholders_among, _shrinks, filled_values, is_blank, text_key
from scoring.texts import PLACEHOLDERS

PLACES = frozenset(text_key(p) for p in PLACEHOLDERS["en"] + PLACEHOLDERS["it"])
# Placeholders as people type them, and texts whose spaces or control characters matter.
TRICKY = ["Select", " n/a ", "N/A", "—", "-", "non  noto", "unknown\u00a0", "\tnone", "none\u2028",
          "Seleziona\r\n", "x  y", "abc", "", " ", "\u3000", "nessuno\x00"]
texts = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=14)), max_size=30)


def _placeholders_one_by_one(values) -> list:
    longest = max(map(len, PLACES))
    return [isinstance(v, str) and (len(v) <= longest or _shrinks(v)) and text_key(v) in PLACES for v in values]


@settings(max_examples=200, deadline=None)
@given(texts)
@pytest.mark.slow
def test_placeholders_found_at_once_are_those_found_one_by_one(values):
    array = np.array(values, dtype=object)
    assert _placeholders_among(array, PLACES).tolist() == _placeholders_one_by_one(values)


@settings(max_examples=200, deadline=None)
@given(texts)
@pytest.mark.slow
def test_placeholders_found_by_pyarrow_are_those_found_one_by_one(values):
    array = np.array(values, dtype=object)
    with mock.patch.object(parse, "ARROW_FROM", 0):  # pyarrow finds the candidates however few the values.
        arrow = parse.arrow_texts(array)
    assert _placeholders_among(array, PLACES, arrow).tolist() == _placeholders_one_by_one(values)


def test_placeholders_among_many_texts_by_either_road():
    values = np.array(TRICKY * 2000 + [f"lead{i}@x.com" for i in range(20000)] + ["\ud800 n/a"], dtype=object)
    want = _placeholders_one_by_one(values)
    assert sum(want) == 10 * 2000
    assert parse.arrow_texts(values) is None  # The lone surrogate: Python's road.
    assert _placeholders_among(values, PLACES).tolist() == want
    arrow = parse.arrow_texts(values[:-1])  # pyarrow's.
    assert len(arrow) == len(values) - 1
    assert _placeholders_among(values[:-1], PLACES, arrow).tolist() == want[:-1]


def test_placeholders_among_values_that_are_not_all_text():
    values = np.array(["Select", 3, None, " unknown ", 2.5, "Mario  Rossi"], dtype=object)
    assert _placeholders_among(values, PLACES).tolist() == [True, False, False, True, False, False]


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.lists(st.one_of(st.text(max_size=8), st.none(), st.integers(), st.floats()), max_size=20),
                 st.lists(st.one_of(st.text(max_size=8), st.sampled_from(list(parse.WHITESPACE))), max_size=20)))
def test_filled_values_are_those_not_blank(values):
    assert filled_values(values).tolist() == [not is_blank(v) for v in values]
    with mock.patch.object(parse, "ARROW_FROM", 0):
        arrow = parse.arrow_texts(values)
    if arrow is not None:  # All texts: pyarrow's road too.
        assert filled_values(values, arrow).tolist() == [not is_blank(v) for v in values]


parts = st.text(alphabet="ab9.-_+", min_size=1, max_size=8)
addresses = st.lists(st.one_of(st.tuples(parts, parts).map("@".join), st.text(alphabet="ab.@-_+ \n\r", max_size=12),
                               st.sampled_from(["a@b.com", "x y@z.com", "@x.com", "a@b", "", "a..b@c.com",
                                                "é@x.com", "a@b.c", "info+x@ditta.it"])), max_size=25)


@settings(max_examples=200, deadline=None)
@given(addresses)
def test_addresses_split_at_once_as_one_by_one(values):
    assert _plain_parts(values) == [m.groups() if (m := _PLAIN.fullmatch(t)) else None for t in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=10), st.sampled_from(["A@B.com", " x Y ", "ß@x", "İ", "a\u00a0b"])),
                max_size=20))
def test_lead_keys_made_at_once_as_one_by_one(values):
    from workbook.importer import key_of, keys_of

    assert keys_of(values) == [key_of(v) for v in values]
    assert keys_of(values + [12, None]) == [key_of(v) for v in values + [12, None]]


# Addresses as they come: tags, role accounts, Unicode (the Kelvin sign lowers to k), quotes, long parts,
# labels that break the rules, digits as a top-level label, special-use names, several @, numbers.
ADDRESSES = ["Info+News@Ditta.IT", "sales@x.com", "a@b.com", "x y@z.com", "@x.com", "a@b", "", "a..b@c.com",
             "é@x.com", "\u212a@x.com", "\"q\"@x.com", "a" * 65 + "@x.com", "a" * 64 + "@x.com",
             "b@" + "c" * 250 + ".com", "a@-x.com", "a@x-.com", "a@x..com", "a@1.2.3.4", "a@x.test",
             "a@b@c.com", "noreply+a+b@x.it", " padded@x.com ", "line\nbreak@x.com", 17, 2.5]


def _emails_both_ways(values, monkeypatch):
    import scoring.hygiene as hygiene
    from scoring.parse import Column

    column = lambda: Column(pd.Series(values, dtype=object, name="Email"))  # noqa: E731
    fast = hygiene.Emails(column())  # Lowered by Python, split by pyarrow (few distinct addresses).
    with monkeypatch.context() as m:
        m.setattr(parse, "ARROW_FROM", 0)  # Lowered and split by pyarrow (many: the column's own array).
        faster = hygiene.Emails(column())
    with monkeypatch.context() as m:
        m.setattr(hygiene, "to_arrow", lambda texts: None)
        slow = hygiene.Emails(column())
    return (fast, faster), slow


def _same_emails(fast, slow):
    from scoring.hygiene import ROLE_ACCOUNTS, _listed, disposable_domains

    for each in fast:
        assert each.valid.tolist() == slow.valid.tolist()
        roles = frozenset(ROLE_ACCOUNTS)
        assert each.roles(roles).tolist() == slow.roles(roles).tolist()
        for test in (lambda d: d in {"x.com", "ditta.it", "b"}, lambda d: _listed(d, disposable_domains())):
            assert each.per_domain(test).tolist() == slow.per_domain(test).tolist()


def test_addresses_checked_by_arrow_as_one_by_one(monkeypatch):
    (fast, faster), slow = _emails_both_ways(ADDRESSES, monkeypatch)
    # Arrow's split, and Python's.
    assert isinstance(fast.local, tuple) and isinstance(faster.local, tuple) and isinstance(slow.local, list)
    _same_emails((fast, faster), slow)
    assert fast.roles(frozenset(["info", "sales", "noreply"])).sum() == 3  # info+news@, sales@, noreply+a+b@.


def test_many_addresses_checked_by_arrow_as_one_by_one(monkeypatch):
    many = [f"{w}.{i}@{d}" for i, (w, d) in enumerate(zip(["Anna", "İlker", "Ærø", "info", " x "] * 5000,
                                                         ["X.com", "Ditta.IT", "mailinator.com", "a@b"] * 6250))]
    values = many + ADDRESSES
    assert parse.arrow_texts(np.array(values[:-2], dtype=object)) is not None  # Many texts: the column's array.
    (fast, faster), slow = _emails_both_ways(values, monkeypatch)
    _same_emails((fast, faster), slow)
    # Of the 25,000: 6,250 have two @ (domain 'a@b'), 3,750 more a space inside (' x '): 15,000 valid;
    # and 8 of ADDRESSES (the İ and Æ ones are valid as email-validator sees them).
    assert slow.valid.sum() == 15000 + 8


def test_a_text_arrow_cannot_take_is_checked_by_python(monkeypatch):
    (fast, faster), slow = _emails_both_ways(ADDRESSES + ["\ud800@x.com"], monkeypatch)  # A lone surrogate.
    assert isinstance(fast.local, list) and isinstance(faster.local, list)
    _same_emails((fast, faster), slow)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.tuples(parts, parts).map("@".join), st.sampled_from(ADDRESSES[:-2]),
                          st.text(alphabet="ab.@-_+ \nÉ\u212a", max_size=12)), max_size=25))
@pytest.mark.slow
def test_random_addresses_checked_by_arrow_as_one_by_one(values):
    import pytest

    with pytest.MonkeyPatch.context() as monkeypatch:
        _same_emails(*_emails_both_ways(values, monkeypatch))

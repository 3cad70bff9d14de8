"""The History sheet: one row per lead whose grade, score or status changed, appended, never rewritten."""
from __future__ import annotations

import pytest

import datetime as dt

import openpyxl

from workbook import rescore
from workbooks import AS_OF, edit, known_book, table_cell

LATER = dt.datetime(2026, 11, 24, 9, 0)


def history_rows(path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)["History"]
    rows = list(ws.iter_rows(values_only=True))
    assert ws.tables["tblHistory"].ref == f"A1:H{max(len(rows), 2)}"
    return rows


@pytest.mark.slow
def test_first_rescore_records_every_lead_and_second_only_changes(tmp_path):
    book = known_book(tmp_path / "book.xlsx")
    rescore(book, as_of=AS_OF)
    rows = history_rows(book)
    assert rows[0] == ("Lead ID", "When", "Old grade", "New grade", "Old score", "New score", "Old status",
                       "New status")
    assert rows[1:] == [
        ("L1", AS_OF, None, "A", None, 85, None, "MQL"),
        ("L2", AS_OF, None, "B", None, 50, None, "MQL"),
        ("L3", AS_OF, None, "A", None, 100, None, "SQL"),
        ("L4", AS_OF, None, "D", None, 5, None, "Lead"),
        ("L5", AS_OF, None, "A", None, 90, None, "Customer"),
    ]
    # Nothing changed: a second run adds no row and leaves the first rows as they were.
    report = rescore(book, as_of=LATER)
    assert report.summary["history_rows"] == 0
    assert history_rows(book) == rows

    # Raise the Employees weight: only leads whose score moves get a row.
    ws = openpyxl.load_workbook(book)["LeadScore"]
    edit(book, "LeadScore", {table_cell(ws, "tblFitRules", 3, "Points").coordinate: 5})
    rescore(book, as_of=LATER)
    after = history_rows(book)
    assert after[:6] == rows
    assert after[6:] == [
        ("L1", LATER, "A", "A", 85, 80, "MQL", "MQL"),
        ("L2", LATER, "B", "B", 50, 45, "MQL", "Lead"),
        ("L3", LATER, "A", "A", 100, 95, "SQL", "SQL"),
        ("L5", LATER, "A", "A", 90, 85, "Customer", "Customer"),
    ]


def test_italian_history_sheet(tmp_path):
    book = known_book(tmp_path / "libro.xlsx", language="it")
    rescore(book, as_of=AS_OF)
    ws = openpyxl.load_workbook(book)["Storico"]
    assert [c.value for c in ws[1]] == ["ID lead", "Quando", "Grado prima", "Grado dopo", "Punteggio prima",
                                        "Punteggio dopo", "Stato prima", "Stato dopo"]
    assert ws.max_row == 6


def test_what_counts_as_a_change_value_by_value():
    # Blanks (None, NaN, empty or spaces) equal blanks; numbers equal whatever their type or
    # text (85, 85.0, "85"); anything else compares as text. Every pair of these values, both ways.
    import numpy as np
    import pandas as pd

    from scoring.history import changes

    values = [None, float("nan"), "", "  ", 85, 85.0, "85", " 85 ", 86, "A", "A ", "a", "MQL", 0, "0", "0.0"]

    def same(a, b) -> bool:
        def blank(v):
            return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())

        if blank(a) or blank(b):
            return blank(a) and blank(b)
        try:
            return float(a) == float(b)
        except ValueError:
            return str(a) == str(b)

    old = [a for a in values for _ in values]
    new = [b for _ in values for b in values]
    n = len(old)
    frame = lambda grades: pd.DataFrame({"grade": grades, "score": [1] * n, "status": ["Lead"] * n},
                                        dtype=object)
    found = changes(pd.Series([f"L{i}" for i in range(n)]), frame(old), frame(new), AS_OF)
    expected = [f"L{i}" for i in range(n) if not same(old[i], new[i])]
    assert found["lead_id"].tolist() == expected
    assert len(expected) == 210  # Of 256 pairs, 46 are the same.

"""Full garbage collections wait while a book is open, and the thresholds come back after."""
from __future__ import annotations

import gc

from workbook import collector
from workbook.packagebook import PackageBook
from workbooks import known_book


def test_full_collections_wait_while_books_are_open_and_come_back_after(tmp_path):
    before = gc.get_threshold()
    path = known_book(tmp_path / "book.xlsx")
    with PackageBook(path) as outer:
        assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] == max(collector.RARE, before[2])
        with PackageBook(path):
            pass
        assert gc.get_threshold()[2] == max(collector.RARE, before[2])  # The outer book is still open.
        outer.close()  # Closing twice releases once.
    assert gc.get_threshold() == before

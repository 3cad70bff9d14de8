"""Rules over events in live Excel and xlwings Lite (XlBook on the recording stand-in): the same Leads,
History and Events cells as the command line."""
from __future__ import annotations

import pytest

import xlstub
from test_addin_book import _compare, _written_by_file_run
from test_events_sheet import B_LEAD, CLICK, DAY0, OTHER, WEBINAR, book_with, export, run
from workbook import workflow
from workbook.xlbook import XlBook
from workbooks import AS_OF, edit


@pytest.mark.parametrize("lite", [False, True], ids=["desktop", "lite"])
@pytest.mark.slow
def test_excel_runs_read_the_events_sheet_and_write_what_the_file_run_writes(tmp_path, lite):
    book = book_with(tmp_path / "b.xlsx", [WEBINAR, CLICK], [B_LEAD, OTHER])
    rows = [["anna@alfa.it", "2026-03-01 10:00:00", "webinar attended", "x", "", ""],
            ["anna@alfa.it", "2026-03-01 09:00:00", "email delivered", "", "S", ""],
            ["anna@alfa.it", "2026-03-01 09:00:02", "email clicked", "https://x/a", "S", ""],
            ["bruno@beta.it", "2026-02-01 09:00:00", "email clicked", "https://x/b", "S", "Mimecast"]]
    run("import", book, export(tmp_path / "a.csv", rows), "--events", "--as-of", DAY0.isoformat())
    edit(book, "Events", {"I4": None, "I5": None})  # Suspect cleared by hand: each run writes it again.
    wb = _written_by_file_run(book, tmp_path, steps=("rescore",))
    assert [wb["Events"][f"I{r}"].value for r in (4, 5)] == ["click within 5 s of delivery", "scanner user agent"]
    live = xlstub.from_file(book, lite=lite)
    workflow.run_book(XlBook(live), AS_OF, ("rescore",))
    _compare(wb, live, ["Leads", "Events", "History"])

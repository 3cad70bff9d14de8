"""Native books and rules over events: engine-only, said so in the book and by check; LibreOffice's formulas
take the points rescore wrote."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from scoring import EventRule, default_model, evaluate_leads
from test_events_sheet import B_LEAD, DAY0, OTHER, WEBINAR, export, run
from workbook import workflow

CLICK = EventRule("Email click", ("email clicked",), 3, cap=15, window=90, group="Email")


def native_book(path):
    """book_with, native: a groups table for the click rule too."""
    from scoring.defaults import LEAD_COLUMNS, header
    from workbook import template
    import pandas as pd
    from scoring import RuleGroup

    model = default_model("b2b", "en", hygiene=True)
    model.event_rules = [WEBINAR, CLICK]
    model.groups = [RuleGroup("Email", "max", 12)]
    columns = LEAD_COLUMNS["b2b"]
    rows = [[lead.get(m, 0 if m in ("pricing", "papers", "demo", "webinars") else None) for m in columns]
            for lead in (B_LEAD, OTHER)]
    frame = pd.DataFrame(rows, columns=[header(m, "en") for m in columns], dtype=object)
    template.build(path, model, frame, None, "en", "b2b", formulas="native")
    return path


def imported(tmp_path):
    book = native_book(tmp_path / "native.xlsx")
    rows = [["anna@alfa.it", "2026-03-01 10:00:00", "webinar attended", "Spring webinar", "", ""]]
    rows += [["anna@alfa.it", f"2026-02-2{k} 10:00:00", "email clicked", f"https://x/{k}", "", ""] for k in range(6)]
    run("import", book, export(tmp_path / "a.csv", rows), "--events", "--as-of", DAY0.isoformat())
    return book


@pytest.mark.slow
def test_the_book_and_check_say_rules_over_events_are_the_engine_s(tmp_path):
    book = imported(tmp_path)
    wb = openpyxl.load_workbook(book)
    headers = [c.value for c in wb["Leads"][1]]
    col = headers.index("LS engine: Webinar") + 1
    assert [wb["Leads"].cell(r, col).value for r in (2, 3)] == [19, 0]
    helper = [c.value for c in wb["LeadScoreCalc"]["A"] if c.value]
    assert "15: Webinar (rule over events: its points in 'LS engine: Webinar', written by rescore)" in helper
    code, out, _ = run("check", book, "--as-of", DAY0.isoformat())
    assert code == 0
    assert ("warning: LeadScore!CD4: 'Webinar' is a rule over events: native formulas cannot compute it and read "
            "its points from the Leads column 'LS engine: Webinar', which `leadscore rescore` fills as of its run") \
        in out.splitlines()
    assert not [line for line in out.splitlines() if "holds" in line]
    later = workflow.check(book, as_of=DAY0 + dt.timedelta(days=10))
    letter = get_column_letter(col)
    age = (DAY0 + dt.timedelta(days=10) - dt.datetime(2026, 3, 1, 10)).total_seconds() / 86_400
    now = int(20 * 0.5 ** (age / 10) + 0.5)
    assert now == 9
    assert f"Leads!{letter}2: 'LS engine: Webinar' holds 19, the engine finds {now}; native formulas cannot compute " \
           "rules over events (their points change with time and new events), `leadscore rescore` fills it" \
        in later.warnings


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_computes_behaviour_and_score_from_the_engine_columns(tmp_path):
    from libreoffice import recalculated_sheets

    book = imported(tmp_path)
    sheets = recalculated_sheets(book, tmp_path)
    rows = sheets["Leads"]
    table = [dict(zip(rows[0], r)) for r in rows[1:3]]
    leads = workflow.read_leads(book, outputs=False)
    from workbook.events_sheet import EventsSheet
    from workbook.packagebook import PackageBook

    with PackageBook(book) as pb:
        events = EventsSheet(pb, "en").frame()
    engine = evaluate_leads(leads, workflow.read_model(book), events, DAY0).frame
    assert [t["Behaviour"] for t in table] == [str(v) for v in engine["behaviour"]] == ["31", "0"]
    assert [t["Score"] for t in table] == [str(v) for v in engine["score"]]
    assert [t["Status"] for t in table] == list(engine["status"])


@pytest.mark.slow
def test_leadscore_formulas_fills_the_points_of_rules_over_events(tmp_path):
    from test_events_sheet import book_with

    book = book_with(tmp_path / "values.xlsx", [WEBINAR], [B_LEAD])
    now = dt.datetime.now().replace(microsecond=0)
    run("import", book, export(tmp_path / "a.csv", [["anna@alfa.it", now.isoformat(sep=" "), "webinar attended",
                                                     "x", "", ""]]), "--events", "--as-of", now.isoformat())
    assert run("formulas", book)[0] == 0
    ws = openpyxl.load_workbook(book)["Leads"]
    headers = [c.value for c in ws[1]]
    assert ws.cell(2, headers.index("LS engine: Webinar") + 1).value == 20  # Just now: not decayed yet.
    assert ws.cell(2, headers.index("Behaviour") + 1).value.startswith("=")

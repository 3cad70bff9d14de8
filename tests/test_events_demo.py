"""The demo's example activity export (scoring/sample_events.py) and `leadscore demo --events`."""
from __future__ import annotations

import pytest

import datetime as dt
from collections import Counter

import openpyxl
import pandas as pd
from click.testing import CliRunner

from addin.cli import cli
from scoring import default_model, evaluate_leads
from scoring.sample import sample_leads
from scoring.sample_events import CARRIED, HEADERS, SCANNER, activity_export, demo_event_rules

LAST = dt.datetime(2026, 11, 23, 9, 0)


def test_the_export_is_realistic_deterministic_and_follows_the_leads_columns():
    leads = sample_leads(120, seed=3)
    export = activity_export(leads, LAST, seed=3)
    assert tuple(export.columns) == HEADERS
    assert export.equals(activity_export(leads, LAST, seed=3))
    kinds = Counter(export["Activity"])
    assert set(kinds) == {"email delivered", "email opened", "email clicked", "page view", "download",
                          "webinar attended"}
    stamps = pd.to_datetime(export["Timestamp"])
    assert stamps.is_monotonic_increasing and stamps.max() <= LAST and stamps.min() >= LAST - dt.timedelta(days=120)
    assert len(set(export["Campaign"]) - {""}) == 5
    assert (export["User agent"] == SCANNER).any()
    # Each lead's pricing page visits are that many page views of /pricing (leads with an address).
    views = export[(export["Activity"] == "page view") & (export["URL"] == "https://example.com/pricing")]
    per_lead = views.groupby("Email").size()
    counts = pd.to_numeric(leads.set_index("Email")["Pricing page visits"], errors="coerce")
    with_views = per_lead.index.intersection(counts.index)
    assert len(with_views) > 20
    assert (per_lead[with_views] == counts[with_views].astype(int)).all()


def test_the_demo_rules_score_the_export_with_scanners_ignored():
    leads = sample_leads(150, seed=1)
    export = activity_export(leads, LAST, seed=1)
    model = default_model("b2b", "en", hygiene=True)
    carried = {c for c in leads.columns if any(c == h for h in
                                                 ("Pricing page visits", "Promo emails opened", "Welcome email clicked",
                                                  "White papers downloaded", "Webinars attended"))}
    assert len(carried) == len(CARRIED)
    model.behaviour_rules = [r for r in model.behaviour_rules if r.column not in carried]
    model.event_rules = demo_event_rules("en")
    events = export.rename(columns={"Email": "email", "Timestamp": "time", "Activity": "event", "URL": "detail",
                                    "Campaign": "campaign", "User agent": "user_agent"})
    scored = evaluate_leads(leads, model, events, LAST)
    marks = Counter(scored.events.mark_texts("en", model.settings))
    assert marks["click within 5 s of delivery"] > 0 and marks["scanner user agent"] > 0
    assert marks["prefetched open"] > 0
    assert scored.frame["reasons"].str.contains(", last 90 days, decayed +").any()
    assert scored.frame["reasons"].str.contains("suspect event").any()


@pytest.mark.slow
def test_leadscore_demo_events_builds_the_events_story(tmp_path):
    result = CliRunner().invoke(cli, ["demo", str(tmp_path / "d"), "--events", "--sample", "60", "--as-of",
                                      LAST.isoformat()], catch_exceptions=False)
    assert result.exit_code == 0
    export = pd.read_csv(tmp_path / "d" / "activity-export.csv", keep_default_na=False)
    lines = result.output.splitlines()
    suspect = [line for line in lines if line.startswith("  - Events: the ")]
    assert suspect and suspect[0].startswith(f"  - Events: the {len(export):,} events of activity-export.csv (")
    wb = openpyxl.load_workbook(tmp_path / "d" / "leadscore-demo.xlsx")
    rows = list(wb["Events"].iter_rows(values_only=True))
    assert len(rows) == len(export) + 1
    ls = wb["LeadScore"]
    assert [ls.cell(r, 82).value for r in range(4, 9)] == [r.name for r in demo_event_rules("en")]

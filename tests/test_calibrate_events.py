"""`leadscore calibrate` with rules over events: the events count (as of the run) in every score it
measures, each rule over events has its evidence, and the suggestion keeps their points and says so."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from addin.cli import cli
from scoring import EventRule, FitRule, RuleGroup, default_model, score
from scoring.auc import auc
from scoring.calibrate import calibrate, note_text
from scoring.engine import rule_label
from scoring.suggest import threshold
from workbook import template

from native_check import with_template_columns

AS_OF = dt.datetime(2026, 9, 1)
WEBINAR = EventRule("Webinar", ("webinar attended",), 20, window=90)
# Per half (training: leads of March, holdout: of July): (industry, webinar attended, leads, won), as the
# hand-made leads of test_calibrate.py with a webinar in place of a demo request.
GROUPS = [("IT", 1, 20, 15), ("IT", 0, 30, 10), ("Retail", 1, 20, 5), ("Retail", 0, 30, 0)]


def leads_and_events() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, events = [], []
    for created in (dt.datetime(2026, 3, 1), dt.datetime(2026, 7, 1)):
        for industry, webinar, n, won in GROUPS:
            for i in range(n):
                lead = f"L{len(rows) + 1}"
                rows.append((lead, created, industry, "won" if i < won else "lost"))
                if webinar:  # Ten days before the run: inside the 90-day window.
                    events.append((lead, AS_OF - dt.timedelta(days=10), "webinar attended", "Autumn webinar"))
                elif industry == "IT":  # Outside the window: it counts for nothing.
                    events.append((lead, AS_OF - dt.timedelta(days=200), "webinar attended", "Spring webinar"))
    leads = pd.DataFrame(rows, columns=["Lead ID", "Created", "Industry", "Outcome"])
    return leads, pd.DataFrame(events, columns=["lead_id", "time", "event", "detail"])


def model():
    m = default_model()
    m.fit_rules = [FitRule("Industry", "=", "IT", 30)]
    m.behaviour_rules = []
    m.event_rules = [WEBINAR]
    m.settings.outcome_column = "Outcome"
    return m


def test_the_current_model_is_measured_with_its_rules_over_events():
    leads, events = leads_and_events()
    found = calibrate(leads, model(), since="2026-06-01", events=events, as_of=AS_OF, learn=False)
    # Holdout scores: IT + webinar 50 (15 won of 20), IT 30 (10 of 30), Retail + webinar 20 (5 of 20),
    # Retail 0 (0 of 30): the AUC of test_calibrate's hand-made model, whose demo column gave the 20 points.
    assert found.auc == pytest.approx(1750 / 2100)
    rules = found.rules.set_index("rule")
    assert rules.loc["Webinar"].tolist() == ["events", 40, 20, 0.5, 10 / 60, pytest.approx(0.5 / 0.3)]
    assert rules.loc[rule_label(FitRule("Industry", "=", "IT", 0))].tolist()[:3] == ["fit", 50, 25]
    band = found.tables["by_band"]
    assert band.loc["50–89"].tolist() == [20, 20, 15, 0.75]
    # Without the events the webinar gives nothing, and the model measured is the one the book would score.
    alone = calibrate(leads, model(), since="2026-06-01", as_of=AS_OF, learn=False)
    assert alone.rules.set_index("rule").loc["Webinar", "leads"] == 0
    # Holdout without the webinar: IT 30 (25 won of 50), Retail 0 (5 of 50): (25 x 45 + (625 + 225) / 2) / 2100.
    assert alone.auc == pytest.approx(1550 / 2100)


def test_a_later_run_counts_fewer_events_and_the_same_run_the_same():
    leads, events = leads_and_events()
    later = calibrate(leads, model(), since="2026-06-01", events=events, as_of=AS_OF + dt.timedelta(days=90),
                      learn=False)
    assert later.rules.set_index("rule").loc["Webinar", "leads"] == 0  # 100 days old: out of the window.
    again = calibrate(leads, model(), since="2026-06-01", events=events, as_of=AS_OF, learn=False)
    assert again.auc == calibrate(leads, model(), since="2026-06-01", events=events, as_of=AS_OF,
                                  learn=False).auc


@pytest.mark.slow
def test_the_suggestion_keeps_the_points_of_the_rules_over_events_and_says_so():
    pytest.importorskip("sklearn")
    leads, events = leads_and_events()
    found = calibrate(leads, model(), since="2026-06-01", events=events, as_of=AS_OF)
    suggested = found.suggestion.model
    assert suggested.event_rules == [WEBINAR]
    row = found.suggested_rules.set_index("rule").loc["Webinar"]
    assert row.tolist() == ["events", 20, 20.0, 40, 20, 0.5, 10 / 60, pytest.approx(0.5 / 0.3)]
    # The suggested model's AUC is the engine's, with the events counted as of the same run.
    again = score(leads, suggested, events, AS_OF)
    test = found.test
    assert found.suggested_auc == auc(found.won[test], again["score"].to_numpy(dtype=float)[test])
    # The thresholds and bands are placed on those scores: SQL passes at most the capacity of the training
    # leads (12%), and the suggestion's scores are the engine's with the events.
    scores = again["score"].to_numpy(dtype=float)
    assert found.suggestion.scores.tolist() == scores.tolist()
    sql = max(r.min_score for r in suggested.status_rules)
    assert sql == found.suggestion.sql and suggested.score_bands[-1].min_score == sql
    train = found.train
    assert sql == threshold(scores[train], 0.12)
    # (Placed on the scores without the events, SQL would start elsewhere.)
    assert sql != threshold(score(leads, suggested)["score"].to_numpy(dtype=float)[train], 0.12)
    assert ("events kept", {"rules": 1, "as_of": "2026-09-01 00:00"}) in found.suggested_notes
    assert note_text(found.suggested_notes[-1]) == (
        "The rule over events keeps its current points: the suggestion is learned from the lead columns without "
        "it (its points too; the thresholds and score bands are placed on scores that include it), and every "
        "score measured here includes its points as of 2026-09-01 00:00")
    assert note_text(("events kept", {"rules": 2, "as_of": "2026-09-01 00:00"}), "it") == (
        "Le 2 regole sugli eventi mantengono i loro punti attuali: il suggerimento è appreso dalle colonne dei "
        "lead senza di esse (i suoi punti anche; le soglie e le fasce di punteggio sono poste su punteggi che le "
        "includono), e ogni punteggio misurato qui include i loro punti al 2026-09-01 00:00")


@pytest.mark.slow
def test_a_rule_over_events_keeps_its_decimal_points_in_the_suggestion():
    pytest.importorskip("sklearn")
    from addin.calibration_text import _evidence

    leads, events = leads_and_events()
    m = model()
    m.event_rules = [replace(WEBINAR, points=2.5)]
    found = calibrate(leads, m, since="2026-06-01", events=events, as_of=AS_OF)
    assert found.suggestion.model.event_rules == m.event_rules
    row = found.suggested_rules.set_index("rule").loc["Webinar"]
    assert row[["points", "old_points"]].tolist() == [2.5, 2.5]  # (It showed 2: the points were made whole.)
    events_part = found.suggested_rules[found.suggested_rules["side"] == "events"]
    assert _evidence(events_part, points=True)[1] == "     2.5  Webinar     40       50.0%   16.7%  1.67"


@pytest.mark.slow
def test_rules_over_events_in_a_group_keep_it_in_the_suggestion():
    pytest.importorskip("sklearn")
    leads, events = leads_and_events()
    m = model()
    m.groups = [RuleGroup("Webinars", "max", None)]
    m.event_rules = [replace(WEBINAR, group="Webinars"), EventRule("Any webinar", ("webinar attended",), 5,
                                                                    group="Webinars")]
    found = calibrate(leads, m, since="2026-06-01", events=events, as_of=AS_OF)
    # The group gives the larger of the two: 20 with a webinar of the last 90 days, 5 with an older one.
    assert found.auc == pytest.approx(calibrate(leads, model(), since="2026-06-01", events=events, as_of=AS_OF,
                                                learn=False).auc)
    assert found.rules.set_index("rule").loc["Any webinar", ["side", "leads"]].tolist() == ["events", 70]
    assert found.suggestion.model.event_rules == m.event_rules
    assert found.suggestion.model.groups == m.groups
    again = score(leads, found.suggestion.model, events, AS_OF)
    assert found.suggested_auc == auc(found.won[found.test], again["score"].to_numpy(dtype=float)[found.test])


def _book_with_events(folder, *options):
    """A book of the leads and the model, with the activity export imported to its Events sheet."""
    leads, events = leads_and_events()
    path = folder / "book.xlsx"
    template.build(path, model(), with_template_columns(leads), None, "en", "b2b")
    export = folder / "activity.csv"
    events.rename(columns={"lead_id": "Lead ID", "time": "Time", "event": "Event", "detail": "Detail"}).to_csv(
        export, index=False)
    result = CliRunner().invoke(cli, ["import", str(path), str(export), "--events", *options])
    assert result.exit_code == 0, result.output
    return path


def _sheet_rows(path) -> list[tuple]:
    ws = openpyxl.load_workbook(path, data_only=True)["Calibration"]
    return [tuple(v for v in row) for row in ws.iter_rows(values_only=True)]


@pytest.mark.slow
def test_the_command_reads_the_events_sheet_and_the_calibration_sheet_shows_the_rules_over_events(tmp_path):
    pytest.importorskip("sklearn")
    path = _book_with_events(tmp_path, "--as-of", AS_OF.isoformat())
    runner = CliRunner()
    result = runner.invoke(cli, ["calibrate", str(path), "--since", "2026-06-01", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[3].startswith("Current model — AUC on the holdout: 0.833 (95% interval ")
    assert "  Webinar          40       50.0%   16.7%  1.67" in lines
    at = lines.index("Rules over events:")
    assert lines[at + 1:at + 3] == ["  points  rule     leads  conversion  others  lift",
                                    "      20  Webinar     40       50.0%   16.7%  1.67"]
    assert ("Warning about the suggested model: The rule over events keeps its current points: the suggestion is "
            "learned from the lead columns without it (its points too; the thresholds and score bands are placed on "
            "scores that include it), and every score measured here includes its points as of 2026-09-01 00:00") \
        in lines
    rows = _sheet_rows(path)
    current = [r for r in rows if r[0] == "Webinar"]
    assert current[0][:5] == ("Webinar", "behaviour (events)", 20, 40, 20)
    assert current[1][:6] == ("Webinar", "behaviour (events)", 20, 20, 40, 20)  # Current and suggested points.
    assert any(r[0] and str(r[0]).startswith("The rule over events keeps its current points") for r in rows)


@pytest.mark.slow
def test_the_calibrate_script_in_excel_reads_the_events_sheet_as_the_command_does(tmp_path):
    pytest.importorskip("sklearn")
    import xlstub
    from addin import macros

    path = _book_with_events(tmp_path)
    live = xlstub.from_file(path, lite=True)
    printed = macros.calibrate(live, as_of=AS_OF, quiet=True)
    assert "AUC on the holdout: current model 0.840, suggested model 0.840." in printed
    result = CliRunner().invoke(cli, ["calibrate", str(path), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    by_file = [r for r in _sheet_rows(path) if r[0] == "Webinar"]
    in_excel = [tuple(r[:len(by_file[0])]) for r in live.sheets["Calibration"].value_rows() if r[0] == "Webinar"]
    assert [r[:6] for r in by_file] == [("Webinar", "behaviour (events)", 20, 25, 12, 0.48),
                                        ("Webinar", "behaviour (events)", 20, 20, 25, 12)]
    assert in_excel == [tuple(v for v in r) for r in by_file]

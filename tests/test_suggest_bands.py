"""Suggested score bands (issue 13): they follow the suggested SQL and MQL thresholds, rise strictly,
and a label that says its numbers says the new ones."""
from __future__ import annotations

import numpy as np

from scoring.model import ScoreBand
from scoring.suggest import band_label, score_bands

DEFAULT = [ScoreBand("0–49", 0), ScoreBand("50–89", 50), ScoreBand("90+", 90)]
# 100 leads scoring 0..99: the top 12% score 88 or more, the top 24% 76 or more.
SCORES = np.arange(100, dtype=float)


def bands(given, **kw):
    return [(b.label, b.min_score) for b in score_bands(given, SCORES, 0.12, 100, **kw)]


def test_the_top_bands_start_at_the_sql_and_mql_thresholds_and_numbered_labels_follow():
    assert bands(DEFAULT, thresholds=(88, 76)) == [("0–75", 0), ("76–87", 76), ("88+", 88)]
    # Without thresholds: the capacity and twice it of the leads, the same cuts here.
    assert bands(DEFAULT) == [("0–75", 0), ("76–87", 76), ("88+", 88)]


def test_other_labels_stay_and_a_hyphen_or_a_greater_equal_sign_is_read_as_numbers():
    named = [ScoreBand("Cold", 0), ScoreBand("Warm", 50), ScoreBand("Hot", 90)]
    assert bands(named, thresholds=(30, 20)) == [("Cold", 0), ("Warm", 20), ("Hot", 30)]
    hyphens = [ScoreBand("0-49", 0), ScoreBand("50-89", 50), ScoreBand("≥ 90", 90)]
    assert bands(hyphens, thresholds=(30, 20)) == [("0-19", 0), ("20-29", 20), ("30+", 30)]
    # One label that does not say its numbers keeps every label as it is.
    mixed = [ScoreBand("0–49", 0), ScoreBand("Warm", 50), ScoreBand("90+", 90)]
    assert bands(mixed, thresholds=(30, 20)) == [("0–49", 0), ("Warm", 20), ("90+", 30)]


def test_bands_rise_strictly_within_the_score_range():
    # Thresholds that meet (SQL one point above MQL) give a band of one score, named by it.
    assert bands(DEFAULT, thresholds=(21, 20)) == [("0–19", 0), ("20", 20), ("21+", 21)]
    # An MQL threshold at the lowest band's minimum moves up a point so the lowest band keeps leads.
    assert bands(DEFAULT, thresholds=(5, 0)) == [("0", 0), ("1–4", 1), ("5+", 5)]
    # Four bands: the third from the top at four times the capacity (48% of the leads: 52 or more).
    four = [ScoreBand("0–24", 0), ScoreBand("25–49", 25), ScoreBand("50–74", 50), ScoreBand("75+", 75)]
    assert bands(four, thresholds=(88, 76)) == [("0–51", 0), ("52–75", 52), ("76–87", 76), ("88+", 88)]


def test_one_band_or_no_room_keeps_the_bands():
    assert bands([ScoreBand("All", 0)], thresholds=(88, 76)) == [("All", 0)]
    narrow = [ScoreBand("0", 0), ScoreBand("1", 1), ScoreBand("2+", 2)]
    assert [(b.label, b.min_score) for b in score_bands(narrow, np.zeros(10), 0.12, 1, (0, 0))] == \
        [("0", 0), ("1", 1), ("2+", 2)]


def test_band_labels():
    assert [band_label(0, 27), band_label(28, 28), band_label(32, None), band_label(0, 9, "-")] == \
        ["0–27", "28", "32+", "0-9"]

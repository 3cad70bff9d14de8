"""The 41,188 real bank-marketing leads (UCI, CC BY 4.0: tests/data/uci-bank-marketing) scored with the
rule kinds made for data like theirs: previous success and mobile contact as condition rules, a negative
per-call rule held by a negative behaviour floor. No helper column, every reason adds up."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scoring import score

from test_rule_kinds import bank_model

BANK = Path(__file__).parent / "data" / "uci-bank-marketing" / "bank-additional-full.csv.gz"


def test_the_real_bank_leads_score_with_conditions_per_call_points_and_a_floor():
    leads = pd.read_csv(BANK, sep=";")
    assert len(leads) == 41_188
    out = score(leads, bank_model())
    # The columns are used as they are: no problem, no helper column.
    assert out["problems"].eq("").all()
    success, cellular = leads["poutcome"] == "success", leads["contact"] == "cellular"
    assert (int(success.sum()), int(cellular.sum())) == (1_373, 26_144)
    expected = (np.where(success, 30, 0) + np.where(cellular, 10, 0) + np.where(leads["duration"] > 600, 20, 0)
                - 2 * leads["campaign"])
    assert out["behaviour"].tolist() == np.clip(expected, -20, 50).tolist()
    assert int((out["behaviour"] == -20).sum()) == int((expected <= -20).sum()) > 0  # The floor holds them.
    assert int((out["behaviour"] < 0).sum()) > 1_000  # Negative behaviour takes points from fit.
    assert out["reasons"][success].str.contains("Previous campaign success +30", regex=False).all()
    assert not out["reasons"][~success].str.contains("Previous campaign success", regex=False).any()
    # Each lead's reasons add up to its score.
    points = out["reasons"].str.findall(r"([+−-]\d+(?:\.\d+)?)(?:\)|;|$)")
    totals = points.map(lambda found: sum(float(p.replace("−", "-")) for p in found))
    assert np.allclose(totals, out["score"])

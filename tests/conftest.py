"""Shared helpers for the engine tests.

Helpers are exposed as session-scoped fixtures returning plain functions, so that
hypothesis tests may use them too.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
FAST = False  # Set for a fast local run (-m "not slow"): property tests try fewer examples.


def examples(n: int) -> int:
    """How many examples a property test tries: n, or a quarter of it in a fast run."""
    return max(20, n // 4) if FAST else n
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scoring import BehaviourRule, FitRule, default_model, score  # noqa: E402
from scoring.defaults import LEAD_COLUMNS, header  # noqa: E402


def lead_row(language: str = "en", profile: str = "b2b", **values) -> dict:
    """One lead of a default template, keyed by header; values are given by meaning
    (role=..., industry=..., pricing=...), every other column is left blank (None)."""
    row = {header(m, language): None for m in LEAD_COLUMNS[profile]}
    for meaning, value in values.items():
        row[header(meaning, language)] = value
    return row


def score_leads(rows, model=None, language: str = "en", profile: str = "b2b") -> pd.DataFrame:
    """Score a list of lead_row dicts with a model (default: the default model)."""
    model = model if model is not None else default_model(profile, language)
    return score(pd.DataFrame(rows), model)


def score_lead(model=None, language: str = "en", profile: str = "b2b", **values) -> dict:
    """Score one lead given by meaning; return its output row as a dict."""
    out = score_leads([lead_row(language, profile, **values)], model, language, profile)
    return out.iloc[0].to_dict()


def grid_model(language: str = "en", behaviour_max: float = 100):
    """The default model with fit points chosen freely: a lead whose 'Fit' cell holds
    n (1..50) gets n fit points (rule 'Fit=n'), and 'Points' counts give 1 point each.
    Grade bands, score bands, matrix and status rules are the default ones."""
    model = default_model("b2b", language)
    model.fit_rules = [FitRule("Fit", "=", n, n) for n in range(1, 51)]
    model.behaviour_rules = [BehaviourRule("Points", "Points", 1)]
    model.settings.behaviour_max = behaviour_max
    return model


def score_grid(pairs, language: str = "en", stages=None, behaviour_max: float = 100) -> pd.DataFrame:
    """Score (fit, behaviour) pairs with grid_model; optional Stage cells."""
    data = {"Fit": [f if f else None for f, _ in pairs], "Points": [b for _, b in pairs]}
    if stages is not None:
        data["Stage" if language == "en" else "Fase"] = list(stages)
    return score(pd.DataFrame(data), grid_model(language, behaviour_max))


@pytest.fixture(scope="session")
def make_lead():
    return lead_row


@pytest.fixture(scope="session")
def score_one():
    return score_lead


@pytest.fixture(scope="session")
def score_many():
    return score_leads


@pytest.fixture(scope="session")
def grid():
    return score_grid


@pytest.fixture(scope="session")
def make_grid_model():
    return grid_model


def pytest_configure(config):
    global FAST
    FAST = "not slow" in (config.getoption("markexpr", "") or "")


def pytest_collection_modifyitems(config, items):
    """Tests that open workbooks in LibreOffice get the `libreoffice` marker: the modules named
    so, and tests skipped when soffice is missing."""
    for item in items:
        reasons = [str(m.kwargs.get("reason", "")) for m in item.iter_markers("skipif")]
        if "libreoffice" in item.module.__name__ or any("LibreOffice" in r for r in reasons):
            item.add_marker(pytest.mark.libreoffice)

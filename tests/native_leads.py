"""Messy generated leads and a model using every operator, for the native-formula tests."""
from __future__ import annotations

import numpy as np
import pandas as pd

from scoring import BehaviourRule, FitRule, default_model, score
from scoring.defaults import header
from scoring.sample import sample_leads

SEED = 20261123
LEADS = 2_500  # With the boundary rows: every edge the test must cross, in a book LibreOffice takes a minute for.

# Text that numbers arrive as (every kind parse_number knows, and what it refuses).
NUMBER_TEXTS = (
    "1.200.000", "1,5", " 12 ", "€ 1.200", "1 200 000", "1,200.50", "1.200,50", "2.5e3", "-5", "+7", "0.500",
    ".5", "5.", "1.2k", "€ 2M", "n/a", "12,5", "1.20.000", "1,2,3", "1'200", "\u00a01 200", "eur 5", "5 euro",
    "euro 5", "$-5", "5 $", "usd 1,000", "GBP 3", "1e", "1e+5", "1.5e-3", "-1.5E+2", "0,500", "00.500",
    "1.000,", "1.000,5", ",5", "-", "--5", "5-", "1.2.3,4", "1,234,567.891", "1.234.567,891", "1\t000",
    "\u202f1\u202f000", "€", "£5", "0", "-0", "1,000", "1.000", "50", "50,0", "49.999", "51", "1.000.001",
    "999.999", "1.000.000", "1,000,001", "2.500.000", "1e6", "1E+6", "1000000,01", "da verificare", "",
    "   ", "tbd", "2024-05-01", "3", "  2 ", "2,0", "4", "5.0", "7",
)
COUNT_TEXTS = (
    "yes", " no ", "YES", "Sì", "si", "x", "X", "TRUE", "false", "vero", "falso", "-", "n", "y", "✓", "✔",
    "1", " 2 ", "2,0", "2.0", "2,5", "1.000", "1,000", "1e2", "1E3", "-1", "+3", "0", "00", "1.000.000",
    "1.000.001", "€ 2", "n/a", "?", "", "  ", "3 volte", "1.5", "0,5", "10", "1000000", "1000001",
)
TEXT_VARIANTS = (lambda v: v, lambda v: f"  {v} ", lambda v: v.upper(), lambda v: v.lower(),
                 lambda v: f"\u00a0{v}", lambda v: v.replace(" ", "  "), lambda v: f"{v}\t")


def every_operator_model(language: str = "en"):
    """The default B2B model plus rules that use each operator, fractional and negative points,
    caps, and a behaviour column of plain points (to set a lead's score exactly)."""
    h = lambda m: header(m, language)  # noqa: E731
    model = default_model("b2b", language)
    model.fit_rules += [
        FitRule(h("country"), "=", "Italy", 3),
        FitRule(h("source"), "<>", "Cold call", 2),
        FitRule(h("industry"), "not in", "Retail; Finance", -4),
        FitRule(h("employees"), "<", 10, -6),
        FitRule(h("employees"), "<=", "1 000", 1),  # Alone, '1.000' would be ambiguous (1000 or 1?).
        FitRule(h("revenue"), "between", "100 000;1.000.000", 4),
        FitRule(h("email"), "contains", "gmail; libero", -2),
        FitRule(h("owner"), "is blank", None, -1),
        FitRule(h("owner"), "not blank", None, 5),
        FitRule("Tier", "=", "1,5", 2.5),
        FitRule("Tier", "in", "4;5; 7", 3),
        FitRule("Tier", ">", 2, 1),
        FitRule("Tier", ">=", 5, -1.5),
        FitRule("Tier", "<>", 3, 1),
    ]
    for rule in model.behaviour_rules:
        if rule.points == 5:
            rule.cap = 20
        if rule.points < 0:
            rule.cap = 15
    model.behaviour_rules.append(BehaviourRule("Bonus points", "Bonus", 1))
    return model


def generated_leads(n: int = LEADS, seed: int = SEED, language: str = "en") -> pd.DataFrame:
    """n sample leads made messier, plus leads built to sit on every band boundary."""
    rng = np.random.default_rng(seed)
    h = lambda m: header(m, language)  # noqa: E731
    leads = sample_leads(n, seed=seed, language=language).astype(object)
    leads["Tier"] = pd.Series(rng.integers(0, 8, n), dtype=object)
    leads["Bonus"] = pd.Series([0] * n, dtype=object)

    def scatter(column, choices, share):
        rows = np.flatnonzero(rng.random(n) < share)
        picks = rng.integers(0, len(choices), len(rows))
        for r, p in zip(rows, picks):
            leads.iat[r, leads.columns.get_loc(column)] = choices[p]

    for m in ("employees", "revenue"):
        scatter(h(m), NUMBER_TEXTS, 0.15)
    scatter("Tier", NUMBER_TEXTS + ("1,5", "1.5", "4", " 5 ", "7,0", True, False, 1.5, 3.0), 0.3)
    for m in ("pricing", "promo", "welcome", "papers", "newsletter", "webinars", "demo", "quote", "unsubscribed"):
        scatter(h(m), COUNT_TEXTS + (True, False, 2.5, -1, 3), 0.06)
    scatter(h(m), (1, "yes", " x ", True, 2), 0.1)  # Unsubscribed: negative behaviour, capped.
    for m in ("role", "industry", "country", "source", "stage", "email", "owner"):
        column = h(m)
        values = leads[column].tolist()
        rows = np.flatnonzero(rng.random(n) < 0.12)
        for r in rows:
            v = values[r]
            if isinstance(v, str) and v.strip():
                leads.iat[r, leads.columns.get_loc(column)] = TEXT_VARIANTS[rng.integers(0, len(TEXT_VARIANTS))](v)
    scatter(h("stage"), ("Opportunity", " customer ", "DISQUALIFIED", "Lead", "MQL", "Won", "", "SQL"), 0.03)
    scatter(h("industry"), ("Retail", " finance", "IT;Retail", "1", "Manufacturing;", "it "), 0.03)
    scatter(h("email"), ("x@GMAIL.com", "libero", "a@libero.it ", "gmail", "", None), 0.03)
    scatter(h("role"), ("ceo", " C E O", "Intern ", "", "CFO", "Chief", 5), 0.02)
    return leads


def with_boundaries(leads: pd.DataFrame, model) -> pd.DataFrame:
    """Set the Bonus column so that leads land on every score band edge, the caps and the floors,
    and add leads whose fit sits on every grade band edge."""
    language = model.settings.language
    h = lambda m: header(m, language)  # noqa: E731
    rng = np.random.default_rng(SEED + 1)
    outputs = score(leads, model)
    behaviour_columns = [r.column for r in model.behaviour_rules if r.column != "Bonus"]
    targets = (0, 1, 49, 50, 51, 89, 90, 91, 99, 100)
    fits = outputs["fit"].to_numpy(dtype=float)
    plain = [i for i in range(len(leads)) if not str(leads.iat[i, leads.columns.get_loc(h("stage"))] or "").strip()]
    chosen = rng.choice(plain, size=min(1500, len(plain)), replace=False)
    for k, i in enumerate(chosen):
        target = targets[k % len(targets)]
        fit_part = min(fits[i], model.settings.fit_max)
        bonus = target - fit_part
        if 0 <= bonus <= model.settings.behaviour_max and float(bonus).is_integer():
            for c in behaviour_columns:
                leads.iat[i, leads.columns.get_loc(c)] = 0
            leads.iat[i, leads.columns.get_loc("Bonus")] = int(bonus)
    # Big bonuses (behaviour cap) and a score above the maximum.
    for i in rng.choice(plain, size=100, replace=False):
        leads.iat[i, leads.columns.get_loc("Bonus")] = int(rng.integers(51, 200))
    # Fit on every grade edge: from a lead of fit f, rules on Tier add up to +3.5 ... search small tweaks.
    extra = []
    base = leads.iloc[:200].copy()
    for tier in (0, 1, "1,5", 3, 4, 5, 6, 7, None):
        block = base.copy()
        block["Tier"] = tier
        extra.append(block)
    extra = pd.concat(extra, ignore_index=True)
    extra[h("id")] = [f"EDGE{i}" for i in range(len(extra))]
    return pd.concat([leads, extra], ignore_index=True)

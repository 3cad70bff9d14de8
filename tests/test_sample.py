"""scoring.sample.sample_leads: determinism, columns, the status mix and messy values."""
import re

import numpy as np
import pandas as pd
import pytest

from scoring import default_model, score
from scoring.defaults import LEAD_COLUMNS, ROLES, SALES_STAGES, header
from scoring.sample import FORMULA_TEXTS, INDUSTRIES, UNKNOWN_ROLES, sample_leads

PROFILES = ("b2b", "b2c")
LANGUAGES = ("en", "it")
NUMERIC = {"employees", "revenue", "age", "pricing", "promo", "welcome", "papers", "newsletter",
           "webinars", "demo", "quote", "unsubscribed"}
TEXT = {"name", "email", "company", "role", "industry", "location", "marital", "interests",
        "country", "source", "owner", "stage", "consent"}
FORMULA_START = ("=", "+", "-", "@")


def col(frame, meaning, language="en"):
    return frame[header(meaning, language)]


def strings(series) -> pd.Series:
    return series[series.map(lambda v: isinstance(v, str))]


@pytest.mark.parametrize("messy", [True, False])
def test_same_seed_same_frame(messy):
    a = sample_leads(400, seed=7, messy=messy)
    b = sample_leads(400, seed=7, messy=messy)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("profile", PROFILES)
def test_different_seed_different_frame(profile):
    a = sample_leads(400, seed=1, profile=profile)
    b = sample_leads(400, seed=2, profile=profile)
    assert list(a.columns) == list(b.columns)
    assert not a.equals(b)
    assert (a[header("name", "en")] != b[header("name", "en")]).mean() > 0.5


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("messy", [True, False])
def test_columns_and_headers(profile, language, messy):
    frame = sample_leads(50, seed=3, profile=profile, language=language, messy=messy)
    assert list(frame.columns) == [header(m, language) for m in LEAD_COLUMNS[profile]]
    assert len(frame) == 50
    ids = col(frame, "id", language)
    assert ids.tolist() == [f"L{i:06d}" for i in range(1, 51)]


def test_empty_and_tiny():
    empty = sample_leads(0)
    assert list(empty.columns) == [header(m, "en") for m in LEAD_COLUMNS["b2b"]]
    assert len(empty) == 0
    for n in (1, 2, 3, 11):
        assert len(sample_leads(n, messy=True)) == n


@pytest.mark.slow
def test_ids_grow_past_a_million_digits():
    frame = sample_leads(1_000_001, seed=0, messy=False)
    ids = col(frame, "id")
    assert ids.iloc[0] == "L0000001" and ids.iloc[-1] == "L1000001"
    assert ids.is_unique


def test_bad_arguments():
    with pytest.raises(ValueError):
        sample_leads(10, profile="b2x")
    with pytest.raises(ValueError):
        sample_leads(10, language="fr")
    with pytest.raises(ValueError):
        sample_leads(-1)


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("messy", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2, 42, 2026])
def test_every_status_occurs(profile, language, messy, seed):
    frame = sample_leads(500, seed=seed, profile=profile, language=language, messy=messy)
    out = score(frame, default_model(profile, language))
    assert {"Lead", "MQL", "SQL"} <= set(out["status"])


def test_realistic_mix_at_scale():
    frame = sample_leads(50_000, seed=5)
    out = score(frame, default_model())
    share = out["status"].value_counts(normalize=True)
    assert share["Lead"] > 0.6
    assert 0.03 < share["MQL"] < 0.3
    assert 0.002 < share["SQL"] < 0.06
    assert set(SALES_STAGES["en"]) <= set(share.index)  # A few stages set by sales.
    assert share[list(SALES_STAGES["en"])].sum() < 0.08
    grades = out["grade"].value_counts(normalize=True)
    assert set(grades.index) == {"A", "B", "C", "D"}
    assert grades["A"] < grades["C"]
    # Most leads have done nothing much; some engage heavily.
    pricing = col(sample_leads(50_000, seed=5, messy=False), "pricing")
    assert (pricing == 0).mean() > 0.6 and pricing.max() >= 10


@pytest.mark.parametrize("language", LANGUAGES)
def test_clean_values(language):
    frame = sample_leads(3000, seed=11, profile="b2b", language=language, messy=False)
    for meaning in LEAD_COLUMNS["b2b"]:
        series = col(frame, meaning, language)
        if meaning in NUMERIC:
            assert pd.api.types.is_integer_dtype(series.dtype), meaning
            assert (series >= 0).all(), meaning
        elif meaning == "created":
            assert pd.api.types.is_datetime64_dtype(series.dtype)
            assert series.notna().all()
            assert series.max() - series.min() <= pd.Timedelta(days=731)
            assert series.is_monotonic_increasing  # Lead ids follow creation order.
        else:
            texts = strings(series)
            assert (texts == texts.str.strip()).all(), meaning
            assert not texts.str.startswith(FORMULA_START).any(), meaning
    roles = set(ROLES[language]) | set(UNKNOWN_ROLES[language])
    assert set(col(frame, "role", language)) <= roles
    assert set(col(frame, "industry", language)) == set(INDUSTRIES[language])
    assert set(col(frame, "consent", language)) == ({"yes", "no"} if language == "en" else {"sì", "no"})
    assert col(frame, "stage", language).dropna().isin(SALES_STAGES[language]).all()
    assert col(frame, "employees", language).min() >= 1
    assert (col(frame, "employees", language) > 250).any()  # Some large firms ...
    assert (col(frame, "employees", language) < 10).mean() > 0.3  # ... many small ones.
    assert (col(frame, "revenue", language) > 1_000_000).any()
    country = col(frame, "country", language).value_counts(normalize=True)
    assert country.index[0] == ("Italy" if language == "en" else "Italia") and country.iloc[0] > 0.8
    emails = col(frame, "email", language)
    assert emails.str.fullmatch(r"[a-z.]+@[a-z0-9.]+\.[a-z]+").all()


def test_clean_b2c_values():
    frame = sample_leads(2000, seed=4, profile="b2c", language="it", messy=False)
    for meaning in NUMERIC & set(LEAD_COLUMNS["b2c"]):
        assert pd.api.types.is_integer_dtype(col(frame, meaning, "it").dtype), meaning
    assert col(frame, "age", "it").between(18, 85).all()
    assert set(col(frame, "location", "it")) == {"Nord", "Centro", "Sud", "Isole"}


def test_created_does_not_depend_on_today():
    a = col(sample_leads(100, seed=9, messy=False), "created")
    b = col(sample_leads(100, seed=9, messy=False), "created")
    assert a.equals(b)
    assert a.max() < pd.Timestamp("2026-07-02")


def test_messy_values_present():
    frame = sample_leads(5000, seed=3, profile="b2b", language="en", messy=True)
    for meaning in NUMERIC & set(LEAD_COLUMNS["b2b"]):
        series = col(frame, meaning)
        assert series.dtype == object, meaning
        # Mostly numbers still; a few percent of messy spellings.
        text_share = series.map(lambda v: isinstance(v, str)).mean()
        assert text_share > 0.005, meaning
    revenue = strings(col(frame, "revenue")).str.strip()
    # An English book writes numbers the English way ('1,200', '$1,200,000', '1,200,000.00'),
    # or grouped with spaces; never the Italian way as well, which would make a column ambiguous.
    assert revenue.str.fullmatch(r"\d{1,3}(,\d{3})+").any()         # '1,200'
    assert revenue.str.fullmatch(r"\d{1,3}( \d{3})+").any()         # '1 200 000'
    assert revenue.str.fullmatch(r"\d{1,3}(,\d{3})+\.00").any()     # '1,200,000.00'
    assert not revenue.str.fullmatch(r"\d{1,3}(\.\d{3})+").any()    # not '2.500.000'
    assert revenue.str.fullmatch(r"\d+").any()                      # '1200'
    assert revenue.str.contains("€").any() and revenue.str.contains(r"\$").any()  # '€ 2M', '$1,200,000'
    employees = strings(col(frame, "employees"))
    assert employees.str.fullmatch(r"\d+\.5").any()                 # '12.5'
    assert employees.str.fullmatch(r"[\d.]+k").any()                # '1.2k'
    italian = strings(col(sample_leads(5000, seed=3, language="it"), "revenue", "it")).str.strip()
    assert italian.str.fullmatch(r"\d{1,3}(\.\d{3})+").any()         # '2.500.000'
    assert italian.str.fullmatch(r"\d{1,3}(\.\d{3})+,00").any()      # '1.200.000,00'
    assert not italian.str.fullmatch(r"\d{1,3}(,\d{3})+").any()
    assert (employees != employees.str.strip()).any()                # ' 12'
    everything = pd.concat([strings(frame[c]) for c in frame.columns])
    assert everything.isin(["n/a", "?", "N.D.", "--", "tbd", "da verificare"]).any()
    assert (everything.str.strip() == "").any()                      # blanks written as spaces
    assert frame.isna().any().sum() >= 10                            # and real blanks
    industry = strings(col(frame, "industry"))
    assert (industry != industry.str.strip()).any()                  # '  it '
    assert industry.str.isupper().any() and (industry == "RETAIL").sum() + (industry == "IT").sum() > 0
    created = col(frame, "created")
    assert created.map(lambda v: isinstance(v, str) and bool(re.fullmatch(r"\d\d/\d\d/\d{4}", v))).any()
    yes_no = col(frame, "newsletter")
    assert yes_no.isin(["yes", "no"]).any() and yes_no.isin([0, 1]).any()


def test_messy_share_is_small():
    messy = sample_leads(20_000, seed=8, messy=True)
    clean = sample_leads(20_000, seed=8, messy=False)
    # Same seed: the messy frame is the clean one with a few cells disfigured.
    for meaning in ("name", "company", "role", "industry", "country", "source", "employees",
                    "revenue", "pricing"):
        a, b = col(messy, meaning), col(clean, meaning)
        changed = ~((a == b) | (a.isna() & b.isna()))
        assert 0.01 < changed.mean() < 0.06, (meaning, changed.mean())


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_messy_values_absent_when_clean(profile, language):
    frame = sample_leads(3000, seed=21, profile=profile, language=language, messy=False)
    for meaning in LEAD_COLUMNS[profile]:
        series = col(frame, meaning, language)
        if meaning in NUMERIC:
            assert pd.api.types.is_numeric_dtype(series.dtype), meaning
            assert series.notna().all(), meaning
        elif meaning in TEXT:
            texts = strings(series)
            assert (texts == texts.str.strip()).all(), meaning
            assert (texts != "").all(), meaning
            assert not texts.isin(["n/a", "?", "N.D.", "--", "tbd", "da verificare"]).any(), meaning
            assert not texts.str.startswith(FORMULA_START).any(), meaning
            if meaning not in ("owner", "stage"):
                assert series.notna().all(), meaning


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("seed", [0, 5])
def test_formula_looking_texts_in_messy_data(profile, seed):
    frame = sample_leads(500, seed=seed, profile=profile, messy=True)
    where = "company" if profile == "b2b" else "name"
    texts = strings(col(frame, where))
    assert texts.isin(FORMULA_TEXTS).any()
    assert texts.str.startswith(FORMULA_START).sum() >= 3
    for sample in ('=HYPERLINK("http://x","x")', "+cmd|x", "@SUM(A1)", "-2+3"):
        assert sample in FORMULA_TEXTS


def test_messy_leads_score_without_crashing_and_flag_problems():
    frame = sample_leads(5000, seed=13, language="it")
    out = score(frame, default_model("b2b", "it"))
    assert len(out) == 5000
    assert (out["problems"] != "").mean() > 0.02
    assert out["score"].between(0, 100).all()
    assert np.issubdtype(out["score"].dtype, np.number)

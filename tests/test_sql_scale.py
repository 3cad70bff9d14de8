"""Issue 16 at scale: `leadscore score` with DuckDB equals the pandas engine on Excel's 1,048,576 rows of
messy leads, every output column, reasons included, and in the input's order (also under a memory
limit far below what the leads take in memory); Spark in local mode equals it on 100,000.

The leads are scoring.sample's messy ones written as text, one cell in a hundred replaced by a
spelling of tests/sql_check.TRICKY (Italian and English numbers, currency, scientific notation, minus
signs, every kind of space, placeholders, yes/no words, case). The model is the default one with a
per unit rule, conditions and groups of each mode, so that every part of the query is at work.
"""
from __future__ import annotations

import pandas as pd
import pytest

from scoring import BehaviourRule, FitRule, RuleGroup, default_model
from scoring.defaults import LEAD_COLUMNS, header
from workbook import template
from workbook.bulk import score_file

from sql_check import write_messy_leads


def busy_model():
    """The default model with groups (max, all with a cap, sum with a cap), conditions and a per unit rule."""
    model = default_model("b2b", "en")
    model.groups = [RuleGroup("Size", "max"), RuleGroup("Engaged", "all", 12), RuleGroup("Content", "sum", 15)]
    model.fit_rules[2].group = "Size"
    model.fit_rules += [FitRule("Employees", ">", 250, 12, group="Size"), FitRule("Country", "in", "Italy;San Marino", 3),
                        FitRule("Source", "contains", "web", -2)]
    model.behaviour_rules[1].group = model.behaviour_rules[3].group = "Content"
    model.behaviour_rules += [
        BehaviourRule("Demo and pricing", "Demo requests", 10, kind="condition", operator=">=", value=1, group="Engaged"),
        BehaviourRule("Pricing seen", "Pricing page visits", 6, kind="condition", operator=">", value=2, group="Engaged"),
        BehaviourRule("Revenue per million", "Annual revenue", 0.000001, kind="per unit", cap=8)]
    model.settings.behaviour_min = -15
    return model


def book_with(path, model):
    columns = [header(m, "en") for m in LEAD_COLUMNS["b2b"]]
    template.build(path, model, pd.DataFrame({c: pd.Series(dtype=object) for c in columns}), None, "en", "b2b")
    return path


def assert_same_files(got_path, want_path):
    got, want = pd.read_parquet(got_path), pd.read_parquet(want_path)
    assert list(got.columns) == list(want.columns) and len(got) == len(want)
    for column in got.columns:
        a, b = got[column].to_numpy(), want[column].to_numpy()
        if column in ("Fit", "Behaviour", "Score"):
            same = a.astype(float) == b.astype(float)
        else:
            same = (a == b) | (pd.isna(a) & pd.isna(b))
        if not same.all():
            i = int((~same).argmax())
            raise AssertionError(f"{column} of lead {i} ({want.iloc[i, 0]}): {a[i]!r} here, {b[i]!r} from pandas "
                                 f"({int((~same).sum())} leads differ)")


@pytest.mark.slow
def test_duckdb_equals_the_engine_on_excels_rows_of_messy_leads(tmp_path):
    leads = tmp_path / "leads.parquet"
    write_messy_leads(leads, 1_048_576, seed=16)
    book = book_with(tmp_path / "book.xlsx", busy_model())
    want = score_file(book, leads, tmp_path / "pandas.parquet", engine="pandas")
    got = score_file(book, leads, tmp_path / "duckdb.parquet", engine="duckdb")
    assert got.leads == want.leads == 1_048_576 and got.statuses == want.statuses
    assert set(want.statuses) >= {"Lead", "MQL", "SQL", "Customer"}
    assert_same_files(tmp_path / "duckdb.parquet", tmp_path / "pandas.parquet")
    reasons = pd.read_parquet(tmp_path / "pandas.parquet", columns=["Reasons"])["Reasons"]
    for piece in ("best of 2", "Engaged: group cap", "Revenue per million \u00d7", "behaviour cap", "(cap)"):
        assert reasons.str.contains(piece, regex=False).any(), piece
    # A memory limit far below what the leads take in memory (over 2 GB in pandas): DuckDB spills.
    limited = score_file(book, leads, tmp_path / "limited.parquet", engine="duckdb", memory="500MB", threads=2)
    assert limited.statuses == want.statuses
    assert_same_files(tmp_path / "limited.parquet", tmp_path / "pandas.parquet")


@pytest.mark.slow
def test_spark_in_local_mode_equals_the_engine(tmp_path):
    pytest.importorskip("pyspark")
    leads = tmp_path / "leads.parquet"
    write_messy_leads(leads, 100_000, seed=17)
    book = book_with(tmp_path / "book.xlsx", busy_model())
    want = score_file(book, leads, tmp_path / "pandas.parquet", engine="pandas")
    try:
        got = score_file(book, leads, tmp_path / "spark.parquet", engine="spark")
    finally:
        from pyspark.sql import SparkSession

        if SparkSession.getActiveSession() is not None:
            SparkSession.getActiveSession().stop()
    assert got.statuses == want.statuses and got.leads == 100_000
    assert_same_files(tmp_path / "spark.parquet", tmp_path / "pandas.parquet")

"""Issue 16: `leadscore score` and `leadscore sql` as a person runs them.

A scored file read back holds the engine's results for every engine and for Parquet and CSV inputs;
bad input (no such file, a workbook as input, a name that is not Parquet, a damaged file, a rule naming
a column the file lacks, rules SQL cannot write, a bad size, an unknown --keep or --number column, a bad
table name) is one line saying where and what is allowed, exit code 1, and every file is as it was.
"""
from __future__ import annotations

import os

import pandas as pd
import pytest
from click.testing import CliRunner

from addin.cli import cli
from scoring import BehaviourRule, default_model, score
from scoring.defaults import LEAD_COLUMNS, header
from workbook import template

from sql_check import messy_text_frame
from workbooks import sha256


def book(path, hygiene=False, model=None):
    model = model or default_model("b2b", "en", hygiene=hygiene)
    columns = [header(m, "en") for m in LEAD_COLUMNS["b2b"]]
    template.build(path, model, pd.DataFrame({c: pd.Series(dtype=object) for c in columns}), None, "en", "b2b")
    return path


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture
def folder(tmp_path):
    frame = messy_text_frame(400, seed=4)
    frame.to_parquet(tmp_path / "leads.parquet", index=False)
    frame.to_csv(tmp_path / "leads.csv", index=False)
    book(tmp_path / "book.xlsx")
    return tmp_path


def expected(frame: pd.DataFrame) -> pd.DataFrame:
    """What a scored file holds: the input columns, then the engine's outputs under the book's headers."""
    outputs = score(frame, default_model("b2b", "en"))
    names = {m: header(m, "en") for m in ("fit", "grade", "behaviour", "score", "rating", "status", "action",
                                          "reasons")}
    return pd.concat([frame, outputs[list(names)].rename(columns=names)], axis=1)


def assert_file_holds(path, want: pd.DataFrame):
    got = pd.read_parquet(path)
    assert list(got.columns) == list(want.columns) and len(got) == len(want)
    for column in got.columns:
        a, b = got[column].to_numpy(dtype=object), want[column].to_numpy(dtype=object)
        same = [(x == y) or (pd.isna(x) and pd.isna(y)) for x, y in zip(a, b)]
        assert all(same), (column, [(x, y) for x, y, s in zip(a, b, same) if not s][:3])


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["duckdb", "pandas"])
@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_a_scored_file_holds_the_engines_results(folder, engine, kind):
    code, out = run("score", folder / "book.xlsx", "--input", folder / f"leads.{kind}", "--output",
                    folder / "scored.parquet", "--engine", engine)
    assert code == 0, out
    frame = pd.read_parquet(folder / "leads.parquet")  # The CSV holds the same texts (blanks as blanks).
    want = expected(frame.astype(object).where(frame.notna(), None))
    if kind == "csv":  # A CSV has no NULL: an empty field is an empty text, blank all the same.
        want.iloc[:, :23] = want.iloc[:, :23].where(want.iloc[:, :23].notna(), None)
    statuses = want["Status"].value_counts()
    assert out.startswith(f"Scored 400 leads with {engine} in ")
    assert f"by status: {statuses.index[0]} {statuses.iloc[0]:,}" in out
    got = pd.read_parquet(folder / "scored.parquet")
    assert got["Reasons"].tolist() == want["Reasons"].tolist()
    assert got["Rating"].tolist() == want["Rating"].tolist() and got["Lead ID"].tolist() == want["Lead ID"].tolist()
    if kind == "parquet":
        assert_file_holds(folder / "scored.parquet", want)


@pytest.mark.slow
def test_keep_writes_only_the_columns_asked_for_and_a_scored_file_can_be_scored_again(folder):
    out = folder / "scored.parquet"
    assert run("score", folder / "book.xlsx", "--input", folder / "leads.parquet", "--output", out)[0] == 0
    again = folder / "again.parquet"
    code, text = run("score", folder / "book.xlsx", "--input", out, "--output", again, "--keep", "lead id")
    assert code == 0, text
    got = pd.read_parquet(again)
    assert list(got.columns) == ["Lead ID", "Fit", "Grade", "Behaviour", "Score", "Rating", "Status", "Action",
                                 "Reasons"]
    assert got["Reasons"].tolist() == pd.read_parquet(out)["Reasons"].tolist()


def test_bad_input_is_one_line_and_changes_nothing(folder):
    target = folder / "scored.parquet"
    target.write_bytes(b"an earlier result")
    before = sha256(target)
    (folder / "damaged.parquet").write_bytes(b"PAR1 this is not parquet")
    cases = [
        (["--input", folder / "missing.parquet"], f"Error: {folder / 'missing.parquet'} does not exist; give the "
                                                  "file of leads to score (Parquet (.parquet) or CSV (.csv))"),
        (["--input", folder / "book.xlsx"], "Error: book.xlsx is a workbook: use `leadscore rescore` for the leads in "
                                            "a workbook, or save its lead table as CSV; --input takes Parquet "
                                            "(.parquet) or CSV (.csv)"),
        (["--input", folder / "damaged.parquet"], "Error: damaged.parquet cannot be read as Parquet: "),
        (["--input", folder / "leads.parquet", "--keep", "Lead No"], "Error: --keep 'Lead No': 'Lead No' is not a "
                                                                     "column of the input (closest: Lead ID)"),
    ]
    for args, message in cases:
        code, out = run("score", folder / "book.xlsx", *args, "--output", target)
        assert code == 1 and out.startswith(message) and len(out.strip().splitlines()) == 1, out
        assert sha256(target) == before
    code, out = run("score", folder / "book.xlsx", "--input", folder / "leads.parquet", "--output",
                    folder / "scored.csv")
    assert code == 1 and out == "Error: scored.csv is not a Parquet file name; --output writes Parquet (name it " \
                                ".parquet)\n"
    code, out = run("score", folder / "book.xlsx", "--input", folder / "leads.parquet", "--output", target,
                    "--memory", "lots")
    assert code == 2 and ("'lots' is not a size; write a number and a unit (B, KB, MB, GB, TB (powers of 1000) "
                          "or KiB, MiB, GiB, TiB (of 1024)), e.g. 500MB, 2GB or 1.5GiB") in " ".join(out.split())
    code, out = run("score", folder / "book.xlsx", "--input", folder / "leads.parquet", "--output", target,
                    "--engine", "pandas", "--threads", "2")
    assert code == 2 and ("--threads 2 sets DuckDB's threads; --engine pandas does not use it: leave it out, or "
                          "use --engine duckdb") in " ".join(out.split())
    code, out = run("score", folder / "book.xlsx", "--input", folder / "leads.parquet", "--output", target,
                    "--memory", "10KB")
    assert code == 1 and out.startswith("Error: DuckDB ran out of memory (limit 10KB): ") and \
        out.rstrip().endswith("give --memory more (some 250MB for each of its --threads), or use fewer threads") \
        and len(out.strip().splitlines()) == 1, out
    assert sha256(target) == before
    assert sorted(os.listdir(folder)) == ["book.xlsx", "damaged.parquet", "leads.csv", "leads.parquet",
                                          "scored.parquet"]


def test_rules_sql_cannot_write_are_named_by_cell(folder):
    book(folder / "hygiene.xlsx", hygiene=True)
    target = folder / "scored.parquet"
    code, out = run("score", folder / "hygiene.xlsx", "--input", folder / "leads.parquet", "--output", target)
    assert code == 1 and len(out.strip().splitlines()) == 1 and not target.exists()
    assert out.startswith("Error: SQL cannot score this model as Lead Score does: LeadScore!")
    assert "kind 'disposable email' (lead hygiene) cannot be written in SQL" in out
    assert "Duplicates by looking for duplicate leads" in out and out.rstrip().endswith(
        "score the file with --engine pandas, or take these rules out of a copy of the book")
    code, out = run("sql", folder / "hygiene.xlsx")
    assert code == 1 and "take these rules out of a copy of the book to print the query without them" in out


@pytest.mark.slow
def test_a_rule_on_a_column_the_file_lacks_is_named_on_the_leadscore_sheet(folder):
    model = default_model("b2b", "en")
    model.behaviour_rules.append(BehaviourRule("Calls", "Calls made", 2))
    book(folder / "calls.xlsx", model=model)
    code, out = run("score", folder / "calls.xlsx", "--input", folder / "leads.parquet", "--output",
                    folder / "scored.parquet")
    assert code == 1 and not (folder / "scored.parquet").exists()
    assert out.splitlines()[0] == "Error: 1 problem(s); nothing was written."
    assert "column 'Calls made' is not a column of the leads" in out.splitlines()[1]


@pytest.mark.slow
def test_sql_prints_the_query_in_every_dialect(folder):
    import sqlglot

    for dialect in ("duckdb", "spark", "postgres", "bigquery", "snowflake"):
        code, out = run("sql", folder / "book.xlsx", "--dialect", dialect, "--table", "crm.leads",
                        "--number", "employees")
        assert code == 0, out
        assert sqlglot.parse_one(out, read=dialect).find(sqlglot.exp.Select) is not None
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE SCHEMA crm")
    frame = messy_text_frame(300, seed=9)
    frame["Employees"] = pd.to_numeric(frame["Employees"], errors="coerce")
    con.register("frame", frame)
    con.execute("CREATE TABLE crm.leads AS SELECT * FROM frame")
    code, out = run("sql", folder / "book.xlsx", "--table", "crm.leads", "--number", "Employees")
    got = con.execute(out).df()
    want = score(frame, default_model("b2b", "en"))
    assert sorted(got["Reasons"]) == sorted(want["reasons"]) and sorted(got["Rating"]) == sorted(want["rating"])


def test_sql_names_what_it_cannot_use(folder):
    code, out = run("sql", folder / "book.xlsx", "--number", "Employes")
    assert (code, out) == (1, "Error: --number 'Employes': 'Employes' is not a column of the Leads table (closest: "
                               "Employees)\n")
    code, out = run("sql", folder / "book.xlsx", "--table", "leads; DROP TABLE x")
    assert code == 1 and out.startswith("Error: --table 'leads; DROP TABLE x' is not a table name")


@pytest.mark.slow
def test_typed_columns_and_a_file_of_no_leads(folder):
    """Numbers, TRUE/FALSE, categories (dictionary columns) and dates stored as such score as the pandas
    engine scores them; a file of no leads gives a file of its columns and the outputs, no leads."""
    frame = messy_text_frame(300, seed=6)
    frame["Employees"] = pd.to_numeric(frame["Employees"], errors="coerce")
    frame["Industry"] = frame["Industry"].astype("category")
    frame["Newsletter signup"] = frame["Newsletter signup"].map(
        lambda v: None if v is None else str(v).strip().lower() in ("yes", "1", "true")).astype("boolean")
    frame.to_parquet(folder / "typed.parquet", index=False)
    frame.iloc[:0].to_parquet(folder / "none.parquet", index=False)
    for name, leads in (("typed", 300), ("none", 0)):
        outputs = {}
        for engine in ("duckdb", "pandas"):
            code, out = run("score", folder / "book.xlsx", "--input", folder / f"{name}.parquet", "--output",
                            folder / f"{name}-{engine}.parquet", "--engine", engine)
            assert code == 0 and out.startswith(f"Scored {leads} leads with {engine} in "), out
            outputs[engine] = pd.read_parquet(folder / f"{name}-{engine}.parquet")
        got, want = outputs["duckdb"], outputs["pandas"]
        assert list(got.columns) == list(want.columns) and len(got) == leads
        assert got.iloc[:, -8:].astype(object).equals(want.iloc[:, -8:].astype(object))
    assert set(outputs["duckdb"].columns) >= {"Employees", "Industry", "Reasons"}


@pytest.mark.slow
def test_parts_scored_at_once_come_out_in_the_files_order(folder, monkeypatch):
    """DuckDB scores the file a part at a time, on two threads at once: the parts are written in order."""
    import workbook.bulk.steps as steps

    monkeypatch.setattr(steps, "PART", 150)  # Three parts: 150, 150 and 100 leads.
    code, out = run("score", folder / "book.xlsx", "--input", folder / "leads.parquet", "--output",
                    folder / "scored.parquet", "--threads", "2")
    assert code == 0, out
    frame = pd.read_parquet(folder / "leads.parquet")
    assert_file_holds(folder / "scored.parquet", expected(frame.astype(object).where(frame.notna(), None)))

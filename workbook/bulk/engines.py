"""The three ways `leadscore score` scores a file of leads: DuckDB (the query, embedded, bigger than
memory), Spark (the same query, transpiled) and pandas (scoring.score, in memory).

Each reads the input, scores it with the book's model and writes one Parquet file at `temp` (the
caller moves it into place); each returns the status counts of what it wrote.
"""
from __future__ import annotations

import glob
import os
import shutil
import tempfile
from dataclasses import dataclass

from scoring.errors import LeadScoreError
from scoring.model import ModelError
from scoring.sql import NotExpressible, build

from ..errors import DiskProblem, FileProblem
from .book import BookModel, is_input
from .files import duckdb_kind, reader_sql, spark_kind
from .steps import make_tables, score_in_parts

VIEW = "leadscore_leads"  # The name the input has in the query.
ROW = "leadscore_row"  # Each lead's place in the file: the output is written in that order (joins do not keep it).
ENGINES = ("duckdb", "spark", "pandas")
# The leads stay the probe side of every join (a small table per column is built), whatever the sizes.
DUCKDB_SETTINGS = {"disabled_optimizers": "join_order,build_side_probe_side"}


class EngineProblem(LeadScoreError):
    """The engine cannot run here (not installed, no Java) or ran out of memory."""


@dataclass
class Written:
    leads: int
    statuses: dict  # status -> leads


def _query(model: BookModel, kinds: dict, keep, engine: str):
    try:
        return build(model.checked, kinds, VIEW, model.names, keep)
    except ModelError as exc:
        raise model.located(exc) from None
    except NotExpressible as exc:
        raise model.cannot(exc, engine) from None


def _kept(kinds: dict, keep) -> list | None:
    """The --keep columns as the file spells them; FileProblem for one it lacks."""
    if not keep:
        return None
    from scoring.columns import find, not_a_column

    out = []
    for name in keep:
        found = find(list(kinds), name)
        if found is None:
            raise FileProblem(None, f"--keep {name!r}: {not_a_column(name, list(kinds), 'the input')}")
        out.append(found)
    return list(dict.fromkeys(out))  # A column named twice (Lead ID, lead id) is written once.


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _out_of_memory(exc, memory) -> EngineProblem:
    return EngineProblem(f"DuckDB ran out of memory{f' (limit {memory})' if memory else ''}: "
                         f"{_first_line(exc)}; give --memory more (some 250MB for each of its --threads), "
                         "or use fewer threads")


def _counts(con, path: str, status: str) -> Written:
    quoted = "'" + path.replace("'", "''") + "'"
    rows = con.execute(f'SELECT "{status}", COUNT(*) FROM read_parquet({quoted}) GROUP BY 1 ORDER BY 2 DESC').fetchall()
    return Written(sum(n for _, n in rows), {s: n for s, n in rows})


def run_duckdb(model: BookModel, path, kind: str, temp: str, memory: str | None = None, keep=None,
               threads: int | None = None) -> Written:
    """The query in DuckDB: its small tables made over the whole file, then the leads scored a part at a
    time, in the file's order (workbook/bulk/steps.py). With memory, DuckDB keeps within that limit,
    spilling to a temporary folder."""
    import duckdb
    import pyarrow.parquet as pq

    shown, shown_kind = path, ("CSV" if kind == "csv" else "Parquet")
    spill = tempfile.mkdtemp(prefix="leadscore-duckdb-")
    con = duckdb.connect(config={"temp_directory": spill, **DUCKDB_SETTINGS})
    try:
        con.execute("SET enable_progress_bar = false")
        try:
            if memory:
                con.execute(f"SET memory_limit = '{memory}'")
            if threads:
                con.execute(f"SET threads = {int(threads)}")
            if kind == "csv":  # Read once as text, in order, into Parquet, which pyarrow reads in parts.
                copy = os.path.join(spill, "input.parquet")
                con.execute(f"COPY (SELECT * FROM {reader_sql(path, kind)}) TO '{copy}' (FORMAT parquet)")
                path, kind = copy, "parquet"
            con.execute(f"CREATE VIEW {VIEW} AS SELECT * FROM {reader_sql(path, kind)}")
            described = con.execute(f"DESCRIBE SELECT * FROM {VIEW}").fetchall()
            leads = pq.ParquetFile(path)
        except duckdb.OutOfMemoryException as exc:
            raise _out_of_memory(exc, memory) from None
        except (duckdb.Error, OSError, ValueError) as exc:  # pyarrow's errors are OSError or ValueError.
            raise FileProblem(shown, f"{os.path.basename(shown)} cannot be read as {shown_kind}: "
                                     f"{_first_line(exc)}") from None
        kinds = {name: duckdb_kind(type_name) for name, type_name, *_ in described if is_input(name)}
        kept = _kept(kinds, keep)
        query = _query(model, kinds, [ROW], "duckdb")
        passed = [c for c in (kept or list(kinds)) if c.strip().casefold() not in
                  {o.casefold() for o in query.outputs}]
        try:
            tables = make_tables(con, query)
            con.close()  # Each part is scored by a DuckDB of one thread (steps.py).
            leads_scored, statuses = score_in_parts(query, tables, leads, passed, temp, VIEW, ROW, DUCKDB_SETTINGS,
                                                    threads, memory, spill)
        except duckdb.OutOfMemoryException as exc:
            raise _out_of_memory(exc, memory) from None
        except duckdb.IOException as exc:
            raise DiskProblem(shown, f"Cannot write the scored leads: {_first_line(exc)}. Nothing was changed.") from None
        except duckdb.Error as exc:
            raise FileProblem(shown, f"{os.path.basename(shown)}: DuckDB could not score it: {_first_line(exc)}") from None
        except OSError as exc:
            raise DiskProblem(shown, f"Cannot write the scored leads: {_first_line(exc)}. Nothing was changed.") from None
        return Written(leads_scored, statuses)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def read_frame(path, kind: str):
    """The file as a DataFrame the engine reads as it reads a workbook (text as Python strings, None for
    blanks): Parquet by pyarrow, CSV by DuckDB's reader, every field text."""
    import pandas as pd

    try:
        if kind == "parquet":
            frame = pd.read_parquet(path)
        else:
            import duckdb

            frame = duckdb.connect().execute(f"SELECT * FROM {reader_sql(path, kind)}").df()
    except Exception as exc:  # noqa: BLE001  pyarrow and DuckDB have many errors for a bad file.
        raise FileProblem(path, f"{os.path.basename(path)} cannot be read as {'Parquet' if kind == 'parquet' else 'CSV'}: "
                                f"{_first_line(exc)}") from None
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column].dtype) and frame[column].dtype != object:
            values = frame[column].astype(object)
            frame[column] = values.where(values.notna(), None)
    return frame


def run_pandas(model: BookModel, path, kind: str, temp: str, keep=None) -> Written:
    """scoring.score on the whole file in memory (today's engine)."""
    import pandas as pd

    from scoring import evaluate_leads

    frame = read_frame(path, kind)
    inputs = [c for c in frame.columns if is_input(c)]
    kinds = {c: "text" for c in inputs}
    kept = _kept(kinds, keep)
    try:
        scored = evaluate_leads(frame[inputs], model.checked).frame
    except ModelError as exc:
        raise model.located(exc) from None
    names = model.names
    taken = {n.casefold() for n in names.values()}
    passed = [c for c in (kept or inputs) if str(c).strip().casefold() not in taken]
    out = pd.concat([frame[passed].reset_index(drop=True),
                     scored[list(names)].rename(columns=names).reset_index(drop=True)], axis=1)
    out.to_parquet(temp, index=False)
    statuses = out[names["status"]].value_counts()
    return Written(len(out), {str(k): int(v) for k, v in statuses.items()})


def _spark_session():
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineProblem("Spark is not installed here: pip install 'leadscore-excel[spark]' (PySpark; it needs "
                            "Java 17 or newer)") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    try:
        spark = (SparkSession.builder.master(os.environ.get("LEADSCORE_SPARK_MASTER", "local[*]"))
                 .appName("leadscore").config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    except Exception as exc:  # noqa: BLE001  No Java, or a JVM that would not start.
        raise EngineProblem(f"Spark could not start ({_first_line(exc)}); it needs Java 17 or newer (Debian: "
                            "apt-get install openjdk-17-jre-headless)") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _separator(path) -> str:
    """The separator of a CSV file: the one of , ; tab its header line holds most."""
    with open(path, encoding="utf-8", errors="replace") as f:
        header = f.readline()
    return max(",;\t", key=header.count)


def run_spark(model: BookModel, path, kind: str, temp: str, keep=None) -> Written:
    """The query on Spark (the session running, else local[*], or LEADSCORE_SPARK_MASTER), written as one file."""
    spark = _spark_session()
    try:
        if kind == "parquet":
            frame = spark.read.parquet(os.fspath(path))
        else:
            frame = (spark.read.option("header", True).option("multiLine", True).option("escape", '"')
                     .option("sep", _separator(path)).csv(os.fspath(path)))
        fields = frame.schema.fields
    except Exception as exc:  # noqa: BLE001
        raise FileProblem(path, f"{os.path.basename(path)} cannot be read by Spark: {_first_line(exc)}") from None
    from pyspark.sql.functions import monotonically_increasing_id

    # Each lead's place in the file, to write them in that order (the joins do not keep it).
    frame.withColumn(ROW, monotonically_increasing_id()).createOrReplaceTempView(VIEW)
    kinds = {f.name: spark_kind(f.dataType) for f in fields if is_input(f.name)}
    kept = _kept(kinds, keep)
    kinds[ROW] = "number"
    query = _query(model, kinds, (kept or [c for c in kinds if c != ROW]) + [ROW], "spark")
    folder = temp + ".spark"
    try:
        scored = spark.sql(query.text("spark", pretty=False))
        plan = scored._jdf.queryExecution().executedPlan().toString()
        if "SortMergeJoin" in plan or "ShuffledHashJoin" in plan:  # Joins that mix the leads up: sort them.
            scored = scored.orderBy(ROW)
        else:  # Each part of the file stays in order: only within the parts.
            scored = scored.sortWithinPartitions(ROW)
        scored.drop(ROW).coalesce(1).write.parquet(folder)
        parts = glob.glob(os.path.join(folder, "part-*.parquet"))
        if len(parts) != 1:
            raise EngineProblem(f"Spark wrote {len(parts)} files instead of one")
        os.replace(parts[0], temp)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    import duckdb

    return _counts(duckdb.connect(), temp, query.outputs[5])

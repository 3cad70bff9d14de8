"""Beyond one workbook: a book's model over a file of leads (`leadscore score`) or as SQL (`leadscore sql`).

score_file reads the model from the book's LeadScore sheet, scores a Parquet or CSV file of leads with
DuckDB (default), Spark or pandas, and writes a Parquet file: the input columns (or those of keep)
and Fit, Grade, Behaviour, Score, Rating, Status, Action and Reasons, named as the book names them.
Input columns named like those outputs (a file scored before) are replaced. The output is replaced
only when the whole run has succeeded; a failing run leaves every file as it was.

sql_text gives the model as one query over a table with the book's Leads headers, in a dialect.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass

from scoring.columns import not_a_column
from scoring.model import ModelError
from scoring.sql import DIALECTS, NUMBER, TEXT, NotExpressible, build

from ..errors import FileProblem
from ..safety import atomic_save
from .book import CannotWrite, read_book
from .engines import ENGINES, EngineProblem, Written, run_duckdb, run_pandas, run_spark
from .files import check_input, check_output

__all__ = ["CannotWrite", "DIALECTS", "ENGINES", "EngineProblem", "Scored", "score_file", "sql_text"]
_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,2}")


@dataclass
class Scored:
    output: str
    engine: str
    leads: int
    statuses: dict
    seconds: float


def score_file(book, input_path, output_path, engine: str = "duckdb", memory: str | None = None, keep=(),
               threads: int | None = None) -> Scored:
    """Score the leads of input_path with the model of book into output_path (see the module docstring)."""
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r} is not one of {', '.join(ENGINES)}")
    kind = check_input(input_path)
    check_output(output_path)
    model = read_book(book, leads=False)
    start = time.perf_counter()
    written = {}

    def write(temp):
        if engine == "duckdb":
            written["w"] = run_duckdb(model, os.fspath(input_path), kind, temp, memory, keep, threads)
        elif engine == "pandas":
            written["w"] = run_pandas(model, os.fspath(input_path), kind, temp, keep)
        else:
            written["w"] = run_spark(model, os.fspath(input_path), kind, temp, keep)

    atomic_save(write, os.fspath(output_path))
    w: Written = written["w"]
    return Scored(os.fspath(output_path), engine, w.leads, w.statuses, time.perf_counter() - start)


def sql_text(book, dialect: str = "duckdb", table: str = "leads", numbers=()) -> str:
    """The model of book as one query in dialect over table, whose columns are the book's Leads headers
    (text, except numbers: the columns the table stores as numbers)."""
    if not _TABLE.fullmatch(table):
        raise FileProblem(None, f"--table {table!r} is not a table name; write a name such as leads or "
                                "crm.leads (letters, digits and _, parts joined by .)")
    model = read_book(book)
    headers = model.lead_headers
    keys = {h.strip().casefold(): h for h in headers}
    number_columns = set()
    for name in numbers:
        found = keys.get(str(name).strip().casefold())
        if found is None:
            raise FileProblem(None, f"--number {name!r}: {not_a_column(name, headers, 'the Leads table')}")
        number_columns.add(found)
    kinds = {h: NUMBER if h in number_columns else TEXT for h in headers}
    try:
        query = build(model.checked, kinds, table, model.names)
    except ModelError as exc:
        raise model.located(exc) from None
    except NotExpressible as exc:
        raise model.cannot(exc, "sql") from None
    return query.text(dialect)

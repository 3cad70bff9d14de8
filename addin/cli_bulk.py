"""`leadscore score` and `leadscore sql`: a book's model over millions of leads (workbook/bulk).

The commands are made by commands(friendly), with the error handling of the `leadscore` group, so
that this module does not import addin/cli.py (which registers them).
"""
from __future__ import annotations

import re
from pathlib import Path

import click

from workbook.bulk import DIALECTS, ENGINES, score_file, sql_text

_SIZE = re.compile(r"\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*", re.I)


_UNITS = "B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (of 1024)"


def _memory(ctx, param, value):
    if value is None:
        return None
    if not _SIZE.fullmatch(value):
        raise click.BadParameter(f"{value!r} is not a size; write a number and a unit ({_UNITS}), e.g. 500MB, "
                                 "2GB or 1.5GiB")
    return value.strip()


def _duckdb_only(engine, memory, threads) -> None:
    """--memory and --threads are DuckDB's settings: refused with another engine, not ignored."""
    for name, value in (("--memory", memory), ("--threads", threads)):
        if value is not None and engine != "duckdb":
            raise click.UsageError(f"{name} {value} sets DuckDB's {'memory limit' if name == '--memory' else 'threads'}"
                                   f"; --engine {engine} does not use it: leave it out, or use --engine duckdb")


def _print_scored(done) -> None:
    statuses = ", ".join(f"{status} {n:,}" for status, n in done.statuses.items())
    rate = done.leads / done.seconds if done.seconds else 0
    click.echo(f"Scored {done.leads:,} leads with {done.engine} in {done.seconds:.1f} s ({rate:,.0f} leads/s) "
               f"into {done.output}.")
    if statuses:
        click.echo(f"  by status: {statuses}")


def commands(friendly) -> list:
    """The bulk commands, each wrapped by friendly (addin.cli's messages for errors)."""

    @click.command(name="score")
    @click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--input", "input_path", required=True, type=click.Path(path_type=Path),
                  help="The leads to score: a Parquet (.parquet) or CSV (.csv) file whose headers are the Leads "
                       "table's (a CSV is read as text, UTF-8).")
    @click.option("--output", "output_path", required=True, type=click.Path(path_type=Path),
                  help="The Parquet file to write: the input columns, then Fit, Grade, Behaviour, Score, Rating, "
                       "Status, Action and Reasons. Replaced only when the whole run succeeds.")
    @click.option("--engine", type=click.Choice(ENGINES), default="duckdb", show_default=True,
                  help="duckdb: the model as SQL in embedded DuckDB, streaming files bigger than memory; spark: "
                       "the same SQL on Spark (local, or the session spark-submit starts); pandas: the engine "
                       "of the workbook commands, in memory.")
    @click.option("--memory", callback=_memory, metavar="SIZE",
                  help="duckdb only: its memory limit, a number and a unit (B, KB, MB, GB, TB or KiB, MiB, GiB, "
                       "TiB), e.g. 2GB (default: 80% of RAM), shared by its threads; past it DuckDB spills to a "
                       "temporary folder. It needs some 250MB for each thread (125MB for a million leads).")
    @click.option("--threads", type=click.IntRange(1, 1024), metavar="N",
                  help="duckdb only: the threads it uses, 1 to 1024 (default: one per core).")
    @click.option("--keep", multiple=True, metavar="COLUMN",
                  help="Write only this input column with the results (repeat for more; names as in the input, "
                       "ignoring case), e.g. --keep 'Lead ID'; default: every input column.")
    @friendly
    def score(book, input_path, output_path, engine, memory, threads, keep):
        """Score a file of leads with BOOK's model (its LeadScore sheet) into a Parquet file.

        The same results as `leadscore rescore` gives in a workbook, for files of any size. Rules SQL
        cannot write (lead hygiene, duplicates, rules over events) stop the duckdb and spark engines, naming
        their cells.
        """
        _duckdb_only(engine, memory, threads)
        _print_scored(score_file(book, input_path, output_path, engine, memory, keep, threads))

    @click.command(name="sql")
    @click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--dialect", type=click.Choice(DIALECTS), default="duckdb", show_default=True,
                  help="The SQL dialect to print (DuckDB's query, carried to the others by sqlglot).")
    @click.option("--table", default="leads", show_default=True, metavar="TABLE",
                  help="The table (or view) of leads the query reads, e.g. crm.leads; its columns are the "
                       "book's Leads headers.")
    @click.option("--number", "numbers", multiple=True, metavar="COLUMN",
                  help="A column the table stores as numbers (INTEGER, DOUBLE …), not text (repeat for more); "
                       "the others are read as text, as an export holds them.")
    @friendly
    def sql(book, dialect, table, numbers):
        """Print BOOK's model as one SQL query: the leads' columns and Fit … Reasons, for a view or a dbt model.

        The table's columns are the headers of BOOK's Leads table. Rules SQL cannot write (lead hygiene,
        duplicates, rules over events) stop it, naming their cells.
        """
        click.echo(sql_text(book, dialect, table, numbers))

    return [score, sql]

"""The files of `leadscore score`: which leads file it is, its columns and their kinds, the output's name.

A leads file is Parquet (.parquet, .pq) or CSV (.csv, .tsv, .txt, also compressed .gz or .zst) with the
Leads table's headers. A CSV file is read as text, every field, as an export holds it (DuckDB's reader
finds its separator and quoting; UTF-8 only); a Parquet file keeps its types: text, numbers,
TRUE/FALSE, dates. Every problem is one line saying what the file is and what is accepted.
"""
from __future__ import annotations

import os
from pathlib import Path

from scoring.sql import BOOL, DATE, NUMBER, TEXT

from ..errors import DiskProblem, FileProblem, WrongFileType

PARQUET = (".parquet", ".pq")
CSV = (".csv", ".tsv", ".txt")
COMPRESSED = (".gz", ".zst")
ACCEPTED = "Parquet (.parquet) or CSV (.csv)"
_NUMBERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
            "UHUGEINT", "FLOAT", "DOUBLE", "REAL")
_DATES = ("DATE", "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS",
          "TIME WITH TIME ZONE")


def kind_of(path) -> str:
    """'parquet' or 'csv' by the file's name; WrongFileType for anything else."""
    name = Path(path).name.lower()
    for ending in COMPRESSED:
        if name.endswith(ending):
            name = name[: -len(ending)]
    if name.endswith(PARQUET):
        return "parquet"
    if name.endswith(CSV):
        return "csv"
    what = ("a workbook: use `leadscore rescore` for the leads in a workbook, or save its lead table as CSV"
            if name.endswith((".xlsx", ".xlsm", ".xls", ".ods")) else "neither Parquet nor CSV")
    raise WrongFileType(path, f"{Path(path).name} is {what}; --input takes {ACCEPTED}")


def check_input(path) -> str:
    """The input's kind, once it is known to be a readable file."""
    kind = kind_of(path)
    if not os.path.exists(path):
        raise FileProblem(path, f"{path} does not exist; give the file of leads to score ({ACCEPTED})")
    if os.path.isdir(path):
        raise FileProblem(path, f"{path} is a folder; give one file of leads ({ACCEPTED})")
    if not os.access(path, os.R_OK):
        raise FileProblem(path, f"{path} cannot be read (no permission)")
    return kind


def check_output(path) -> None:
    """The output is a Parquet file in a folder that exists."""
    if not Path(path).name.lower().endswith(PARQUET):
        raise WrongFileType(path, f"{Path(path).name} is not a Parquet file name; --output writes Parquet "
                                  "(name it .parquet)")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise DiskProblem(path, f"Cannot write {path}: the folder {folder} does not exist. Nothing was changed.")
    if os.path.isdir(path):
        raise DiskProblem(path, f"Cannot write {path}: it is a folder. Nothing was changed.")


def reader_sql(path, kind: str) -> str:
    """DuckDB's reader of the file, as a table expression."""
    quoted = "'" + os.fspath(path).replace("'", "''") + "'"
    if kind == "parquet":
        return f"read_parquet({quoted})"
    return f"read_csv({quoted}, header = true, all_varchar = true)"


def duckdb_kind(type_name: str) -> str:
    """The kind (scoring.sql KINDS) of a DuckDB column type; other types keep their name (SQL refuses
    a rule on them)."""
    name = type_name.upper()
    if name in ("VARCHAR", "UUID", '"NULL"', "NULL") or name.startswith("DECIMAL"):
        return TEXT  # A decimal is read as its text, as the engine reads a Decimal; a column of nulls is blank.
    if name == "BOOLEAN":
        return BOOL
    if name in _NUMBERS:
        return NUMBER
    if name in _DATES:
        return DATE
    return type_name


def spark_kind(data_type) -> str:
    """The kind of a Spark column type (pyspark.sql.types)."""
    name = type(data_type).__name__
    if name in ("StringType", "VarcharType", "CharType", "DecimalType"):
        return TEXT
    if name == "BooleanType":
        return BOOL
    if name in ("ByteType", "ShortType", "IntegerType", "LongType", "FloatType", "DoubleType"):
        return NUMBER
    if name in ("DateType", "TimestampType", "TimestampNTZType"):
        return DATE
    return data_type.simpleString()

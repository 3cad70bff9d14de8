"""Helpers for the SQL tests: score a frame with the query in DuckDB and with the engine, and compare."""
from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from scoring import score
from scoring.sql import BOOL, NUMBER, OUTPUTS, TEXT, build
from workbook.bulk.engines import DUCKDB_SETTINGS

# Spellings people and exports put in cells, for columns read as numbers, counts or text.
TRICKY = ("", "   ", "\u00a0", "\t5\n", "n/a", "N/A ", "Select", "-", "—", "none", "1.200", "1,200", "1.200.000",
          "1,200,000", "1.234,56", "1,234.56", "4.857", "4,857", "0.500", "1,5", ".5", ",5", "5.", "1.2.3",
          "12,34,567", "€ 1.200", "1.200 €", "$1,250", "EUR 3", "euro 3", "5 euro", "3 eur", "€", "2.5e3", "1E-2",
          "-1.5E+2", "1e999", "\u22125", "\u20137", "\u2010 7", "+4", "--3", "1'200", "1 200", "1\u202f200", "0",
          "00012", "7", "12", "51", "50", "3", "yes", " Sì ", "SI", "x", "✓", "TRUE", "false", "No", "n", "vero",
          "1.2k", "€ 2M", "2024-01-05", "abc", "IT", " it ", "IT  Services", "it\u00a0services", "Manufacturing",
          "MANUFACTURING", "Straße", "strasse", "ﬁnance", "finance", "Ÿ", "CEO", " ceo", "Purchasing  manager",
          "Intern", "Opportunity", " customer ", "DISQUALIFIED", "Lead", "MQL", "unknown stage")


def as_text(values) -> np.ndarray:
    """Cells as an export writes them: str(value), None for a blank (object array)."""
    values = np.asarray(values, dtype=object)
    blank = pd.isna(values)
    out = values.astype(str).astype(object)
    out[blank] = None
    return out


def messy_text_frame(n: int, seed: int = 0, language: str = "en", tricky: float = 0.01,
                     prefix: str = "") -> pd.DataFrame:
    """scoring.sample's messy leads as text (what a CSV or a Parquet file of text holds), with a share
    `tricky` of every column's cells replaced by TRICKY spellings; Lead IDs start with prefix."""
    from scoring.sample import sample_leads

    leads = sample_leads(n, seed=seed, language=language)
    rng = np.random.default_rng(seed + 1)
    spellings = np.array(TRICKY, dtype=object)
    columns = {}
    for name in leads.columns:
        values = as_text(leads[name].to_numpy(dtype=object))
        if name != leads.columns[0]:
            at = np.flatnonzero(rng.random(n) < tricky)
            values[at] = spellings[rng.integers(0, len(spellings), len(at))]
        else:
            values = (prefix + values.astype(str)).astype(object)
        columns[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(columns)


def write_messy_leads(path, n: int, seed: int = 0, chunk: int = 1_048_576, language: str = "en") -> None:
    """n messy leads (messy_text_frame) as one Parquet file of text, written a chunk at a time (each
    chunk from its own seed), so that ten million leads need the memory of one chunk."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for k, start in enumerate(range(0, n, chunk)):
            frame = messy_text_frame(min(chunk, n - start), seed + k, language, prefix=f"C{k}-" if n > chunk else "")
            table = pa.Table.from_pandas(frame, preserve_index=False,
                                         schema=pa.schema([(c, pa.string()) for c in frame.columns]))
            if writer is None:
                writer = pq.ParquetWriter(str(path), table.schema)
            writer.write_table(table, row_group_size=131_072)  # Row groups are what readers share out.
    finally:
        if writer is not None:
            writer.close()


def kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series.dtype):
        return BOOL
    if pd.api.types.is_numeric_dtype(series.dtype):
        return NUMBER
    return TEXT


def text_frame(columns: dict) -> pd.DataFrame:
    """A frame of text columns (object: str or None), as a CSV or a Parquet file of text gives them."""
    return pd.DataFrame({c: pd.Series(list(v), dtype=object) for c, v in columns.items()})


def sql_scores(frame: pd.DataFrame, model) -> tuple[pd.DataFrame, object]:
    con = duckdb.connect(config=DUCKDB_SETTINGS)
    con.register("leads", frame)
    query = build(model, {c: kind(frame[c]) for c in frame.columns}, "leads")
    return con.execute(query.sql).df(), query


def assert_same(frame: pd.DataFrame, model) -> pd.DataFrame:
    """The query's outputs equal the engine's, lead by lead, for every output column (numbers as
    numbers, texts character for character); returns the engine's outputs."""
    got, query = sql_scores(frame, model)
    want = score(frame, model)
    assert len(got) == len(want)
    assert list(got.columns) == list(query.inputs) + list(OUTPUTS)
    for name in OUTPUTS:
        a, b = got[name].to_numpy(), want[name].to_numpy()
        if name in ("fit", "behaviour", "score"):
            same = np.asarray(a, dtype=float) == np.asarray(b, dtype=float)
        else:
            same = np.asarray(a, dtype=object) == np.asarray(b, dtype=object)
        if not same.all():
            i = int(np.flatnonzero(~same)[0])
            raise AssertionError(f"{name} of lead {i} ({frame.iloc[i].to_dict()}): SQL {a[i]!r}, engine {b[i]!r} "
                                 f"({int((~same).sum())} leads differ)")
    return want

"""DuckDB scores a file of leads a part at a time, so that they come out in the file's order.

DuckDB's joins do not keep the order of the rows when several threads run them, and sorting ten
million scored leads back into it costs more than scoring them. So the small tables of the query
(scoring.sql.Query.tables: the distinct values of every column a rule reads, judged by every rule)
are made once, over the whole file; then the leads are read a part at a time in order (pyarrow), and
each part is scored by the query's main SELECT in a DuckDB of one thread (so in order; a part that
came out of order would be sorted), as many at once as there are threads, each within its share of
the memory limit; the parts are written in order beside their own input columns, by pyarrow, while
the next ones are scored (one part more than threads waits, so that no DuckDB waits for the writer).
"""
from __future__ import annotations

import os
import queue
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

PART = 524_288  # Leads scored at a time by one thread: some 200 MB, whatever the file's size.
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30,
          "tib": 2**40}


def size_bytes(size: str) -> int:
    """A size as DuckDB reads it ('500MB', '1.5GiB') in bytes."""
    number, unit = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*", size.lower()).groups()
    return int(float(number) * _UNITS[unit])


def _plain(array):
    """A column as DuckDB joins it with the small tables: dictionary columns decoded."""
    import pyarrow as pa

    return array.dictionary_decode() if pa.types.is_dictionary(array.type) else array


def make_tables(con, query) -> dict:
    """The query's small tables, made over the whole file (the leads' view), as Arrow tables (but the
    first, every column's distinct values, which only the others read)."""
    tables = {}
    for name, select in query.tables:
        con.execute(f'CREATE TEMP TABLE "{name}" AS {select}')
        if name != "_ls_d":
            tables[name] = _arrow(con.sql(f'SELECT * FROM "{name}"'))
    return tables


def _arrow(relation):
    return relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()


class _Worker:
    """A DuckDB of one thread holding the small tables, scoring one part at a time."""

    def __init__(self, tables: dict, settings: dict, memory: int | None, spill: str):
        import duckdb

        self.con = duckdb.connect(config={"threads": 1, "temp_directory": spill, **settings})
        self.con.execute("SET enable_progress_bar = false")
        if memory:
            self.con.execute(f"SET memory_limit = '{memory}B'")
        for name, table in tables.items():
            self.con.register("_ls_arrow", table)
            self.con.execute(f'CREATE TEMP TABLE "{name}" AS SELECT * FROM _ls_arrow')
            self.con.unregister("_ls_arrow")

    def score(self, select: str, view: str, chunk, row: str):
        import pyarrow.compute as pc

        self.con.register(view, chunk)
        try:
            scored = _arrow(self.con.sql(select))
        finally:
            self.con.unregister(view)
        rows = scored.column(row)
        if len(rows) > 1 and not pc.all(pc.greater(rows[1:], rows[:-1])).as_py():
            scored = scored.take(pc.sort_indices(rows))  # Not seen with one thread; sorted all the same.
        return scored.drop_columns([row])


def score_in_parts(query, tables: dict, leads, passed: list, temp: str, view: str, row: str, settings: dict,
                   threads: int | None = None, memory: str | None = None, spill: str = "",
                   part: int | None = None) -> tuple[int, dict]:
    """Score the leads of leads (a pyarrow.parquet.ParquetFile) part by part with query.main over a
    table named view (the columns the rules read and the row number row), and write into the Parquet
    file temp the passed input columns and the outputs, in the file's order. Returns (leads, statuses)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    keys = list(query.read)
    outputs = ", ".join('"' + o.replace('"', '""') + '"' for o in (row,) + tuple(query.outputs))
    select = f"SELECT {outputs} FROM ({query.main})"
    status = query.outputs[5]
    columns = list(dict.fromkeys(passed + keys))
    part = part or PART
    count = max(1, threads or os.cpu_count() or 1)
    share = size_bytes(memory) // count if memory else None
    if share:  # A part takes some 400 bytes a lead in DuckDB: under a low limit, smaller parts.
        part = max(4096, min(part, share // 1000))
    batches = leads.iter_batches(batch_size=part, columns=columns, use_threads=True)
    if leads.metadata.num_rows == 0:  # No leads: a file of the columns all the same.
        schema = leads.schema_arrow
        batches = [pa.RecordBatch.from_pylist([], schema=pa.schema([schema.field(c) for c in columns]))]
    workers = [_Worker(tables, settings, share, spill) for _ in range(count)]
    free = queue.Queue()
    for worker in workers:
        free.put(worker)
    statuses, start, writer, waiting = Counter(), 0, None, []

    def score(chunk):
        worker = free.get()  # A DuckDB no other thread is using.
        try:
            return worker.score(select, view, chunk, row)
        finally:
            free.put(worker)

    def write(batch, scored):
        nonlocal writer
        out = pa.table([batch.column(c) for c in passed] + scored.columns, names=passed + list(query.outputs))
        for value in pc.value_counts(scored.column(status)).to_pylist():
            statuses[value["values"]] += value["counts"]
        if writer is None:
            writer = pq.ParquetWriter(temp, out.schema)
        writer.write_table(out.cast(writer.schema))

    try:
        with ThreadPoolExecutor(max_workers=count) as pool:
            for batch in batches:
                n = batch.num_rows
                chunk = pa.table([_plain(batch.column(c)) for c in keys] + [pa.array(np.arange(start, start + n))],
                                 names=keys + [row])
                waiting.append((batch, pool.submit(score, chunk)))
                start += n
                if len(waiting) > count:  # Each worker has a part and one more waits: write the oldest.
                    write(waiting[0][0], waiting.pop(0)[1].result())
            while waiting:
                write(waiting[0][0], waiting.pop(0)[1].result())
    finally:
        for _, future in waiting:
            future.cancel()
        if writer is not None:
            writer.close()
        for worker in workers:
            worker.con.close()
    return start, dict(statuses.most_common())

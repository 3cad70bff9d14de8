"""Benchmark: `leadscore score` with DuckDB on ten million messy leads from Parquet, under a memory
limit lower than the leads take in memory, against the pandas engine on a million.

    python benchmarks/bench_sql.py                      # 10,000,000 leads, memory limit 1GB, 2 threads
    python benchmarks/bench_sql.py --n 2000000 --memory 500MB --keep "Lead ID"
    python benchmarks/bench_sql.py --data /big/leads.parquet   # reuse (or make once) the file of leads

The leads are scoring.sample's messy ones as text (tests/sql_check.write_messy_leads: a seed per
million, one cell in a hundred a tricky spelling), made once and kept at --data. Each run is
`leadscore score` in a child process (the book: the default model, without hygiene rules), timed from
outside; its peak memory is the child's (ru_maxrss). Prints seconds, leads per second and peak memory
for DuckDB on --n leads (writing every input column, and writing only the Lead ID), DuckDB and pandas
on a million, and the ratio of their speeds. The target (issue 16): ten million under 30 s on 2 cores.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import pandas as pd  # noqa: E402

from scoring import default_model  # noqa: E402
from scoring.defaults import LEAD_COLUMNS, header  # noqa: E402
from workbook import template  # noqa: E402

MILLION = 1_000_000


def leads_file(path: Path, n: int) -> Path:
    if path.exists():
        import pyarrow.parquet as pq

        if pq.ParquetFile(path).metadata.num_rows == n:
            print(f"leads: {path} ({n:,} leads, {path.stat().st_size / 2**20:,.0f} MiB), made before")
            return path
    start = time.perf_counter()
    # Made in a child process, so that this one stays small (a child inherits its parent's peak memory).
    subprocess.run([sys.executable, "-c", f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'tests')!r}]; "
                    f"from sql_check import write_messy_leads; write_messy_leads({str(path)!r}, {n}, seed=16, "
                    f"chunk={MILLION})"], check=True)
    print(f"leads: {path} ({n:,} leads, {path.stat().st_size / 2**20:,.0f} MiB) made in "
          f"{time.perf_counter() - start:.1f} s")
    return path


def score(book: Path, data: Path, out: Path, engine: str, extra=()) -> tuple[float, float, str, float]:
    """(seconds, peak MiB, output, CPU seconds) of `leadscore score` in a child process."""
    command = [sys.executable, "-c", "from addin.cli import main; main()", "score", str(book), "--input", str(data),
               "--output", str(out), "--engine", engine, *extra]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status:
        raise SystemExit(f"{engine} failed:\n{output}")
    return seconds, usage.ru_maxrss / 1024, output.strip(), usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10 * MILLION, help="leads for DuckDB (default 10,000,000)")
    parser.add_argument("--memory", default="1GB", help="DuckDB's memory limit (default 1GB)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB's threads (default 2)")
    parser.add_argument("--keep", action="append", default=[], help="write only these input columns")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "leadscore-bench",
                        help="folder for the files of leads (kept for the next run)")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    big = leads_file(args.data / f"leads-{args.n}.parquet", args.n)
    million = leads_file(args.data / f"leads-{MILLION}.parquet", MILLION) if args.n != MILLION else big
    work = Path(tempfile.mkdtemp(prefix="bench-sql-"))
    book = work / "book.xlsx"
    columns = [header(m, "en") for m in LEAD_COLUMNS["b2b"]]
    template.build(book, default_model("b2b", "en"), pd.DataFrame({c: pd.Series(dtype=object) for c in columns}),
                   None, "en", "b2b")
    keep = [x for k in args.keep for x in ("--keep", k)]
    duck = ["--memory", args.memory, "--threads", str(args.threads), *keep]
    narrow = ["--memory", args.memory, "--threads", str(args.threads), "--keep", "Lead ID"]
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (other work shares the cores: "
          "a wall time is at least the CPU time over the cores); this process's peak "
          f"{parent:,.0f} MiB (a child's peak is at least that)")
    rows = []
    runs = [("duckdb", big, args.n, "duckdb", duck), ("duckdb", million, MILLION, "duckdb", duck),
            ("pandas", million, MILLION, "pandas", keep)]
    if not args.keep:  # The leads' own columns are most of what is written: also with only the Lead ID.
        runs.insert(1, ("duckdb, --keep 'Lead ID'", big, args.n, "duckdb", narrow))
    for label, data, n, engine, extra in runs:
        out = work / f"{engine}-{n}.parquet"
        seconds, peak, said, cpu = score(book, data, out, engine, extra)
        rows.append((label, n, seconds, peak))
        print(f"{label}, {n:,} leads: {seconds:.1f} s, {n / seconds:,.0f} leads/s, CPU {cpu:.1f} s, peak {peak:,.0f} MiB"
              f"{f' (memory limit {args.memory})' if engine == 'duckdb' else ''}; output "
              f"{out.stat().st_size / 2**20:,.0f} MiB")
        print("        " + said.replace("\n", "\n        "))
        out.unlink()
    duck_rate = rows[-2][1] / rows[-2][2]
    pandas_rate = rows[-1][1] / rows[-1][2]
    print(f"ratio on a million leads: DuckDB {duck_rate / pandas_rate:.1f}x the pandas engine's leads/s")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    for label, n, seconds, _ in rows[:-2]:
        print(f"target, {n:,} leads in 30 s ({label}): {'met' if seconds < 30 else 'NOT met'} ({seconds:.1f} s)")


if __name__ == "__main__":
    main()

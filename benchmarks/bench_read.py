"""Benchmark: read a leads table from a workbook file, with each reader side by side.

    python benchmarks/bench_read.py                       # 100,000 sample leads and the 41,188 bank rows
    python benchmarks/bench_read.py --leads 10000         # a smaller lead book
    python benchmarks/bench_read.py --book my.xlsx        # an existing book (its first table, or first sheet)
    python benchmarks/bench_read.py --openpyxl-full       # also openpyxl's whole-workbook load (slow)

Books are built once and kept in the temporary folder: a Lead Score template with N sample leads
(workbook.template.new_workbook, about 35 s for 100,000), and the UCI bank-marketing contacts
(../shared/data/uci-bank-marketing, 41,188 rows of 21 columns) written as a plain sheet by XlsxWriter,
the way a CSV export saved as a workbook looks.

Each reader runs in a fresh process, from the file's path to the rows' values in memory, and is
timed with its imports done. It prints the seconds, the peak memory the read added to the process
(VmHWM after the read minus before it) and the count of non-empty values read:

  scanner        workbook.xlsx.cells.read_values (the block reader, with the row scanner behind it)
  scanner-rows   the same with the block reader off (every row through the row scanner)
  parser         the defusedxml streaming parser that the scanner falls back to
  calamine       python-calamine's whole-sheet read (when installed)
  openpyxl-ro    openpyxl read-only, values_only (data_only=True)
  openpyxl       openpyxl's whole-workbook load, values_only, as workbook/filebook.py reads (--openpyxl-full)

The target (issue 11): `leadscore check` of 41,188 leads under 3 s in total, so reading the leads
table must take well under 2 s.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BANK = ROOT.parent / "shared" / "data" / "uci-bank-marketing" / "bank-additional-full.csv.gz"
CACHE = Path(tempfile.gettempdir()) / "leadscore-bench-read"
READERS = ("scanner", "scanner-rows", "parser", "calamine", "openpyxl-ro", "openpyxl")


def peak_mb() -> float:
    """Peak resident set size of this process so far, in MB: VmHWM on Linux (ru_maxrss there keeps the
    parent's peak across exec), else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# The books.

def lead_book(n: int) -> Path:
    """A Lead Score template with n sample leads, built once."""
    path = CACHE / f"leads-{n}.xlsx"
    if not path.exists():
        from workbook.template import new_workbook

        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"building {path} ({n:,} sample leads)...", flush=True)
        tmp = path.with_suffix(".tmp.xlsx")
        new_workbook(tmp, sample=n)
        tmp.replace(path)
    return path


def bank_book(csv: Path) -> Path | None:
    """The bank-marketing contacts as one plain sheet (numbers as numbers, text as shared strings)."""
    if not csv.exists():
        return None
    path = CACHE / "bank-additional-full.xlsx"
    if not path.exists():
        import pandas as pd
        import xlsxwriter

        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"building {path}...", flush=True)
        with gzip.open(csv, "rt", encoding="utf-8") as f:
            frame = pd.read_csv(f, sep=";")
        tmp = path.with_suffix(".tmp.xlsx")
        book = xlsxwriter.Workbook(tmp)
        sheet = book.add_worksheet("bank")
        sheet.write_row(0, 0, list(frame.columns))
        for r, row in enumerate(frame.itertuples(index=False), start=1):
            sheet.write_row(r, 0, [v.item() if hasattr(v, "item") else v for v in row])
        book.close()
        tmp.replace(path)
    return path


# The readers, each run in its own process.

def where(path: str):
    """The sheet and rectangle to read: the book's leads table (its first table), else its first sheet."""
    from workbook.xlsx import cells
    from workbook.xlsx.package import Package
    from openpyxl.utils import range_boundaries

    with Package.open(path) as package:
        for sheet in package.sheets:
            if sheet.kind == "worksheet":
                tables = package.tables(sheet.part)
                if tables:
                    return sheet.name, range_boundaries(tables[0].ref)
        sheet = next(s for s in package.sheets if s.kind == "worksheet")
        return sheet.name, range_boundaries(cells.dimension(package, sheet.part) or "A1:A1")


def read(reader: str, path: str, sheet: str, box) -> tuple[list, dict]:
    """Read the rectangle with one reader; returns the rows and a breakdown of the seconds, if any."""
    min_col, min_row, max_col, max_row = box
    parts = {}
    if reader in ("scanner", "scanner-rows", "parser"):
        from workbook.xlsx import cells
        from workbook.xlsx.package import Package

        t0 = time.perf_counter()
        package = Package.open(path)
        entry = package.sheet(sheet)
        package.tables(entry.part)
        t1 = time.perf_counter()
        cells.shared_strings(package)
        t2 = time.perf_counter()
        run = cells._Reader(package, entry.part, min_row, min_col, max_row, max_col, True, None)
        if reader == "scanner":
            rows = run.run()
        elif reader == "scanner-rows":
            run.blocks = False
            rows = run.run()
        else:
            run._slow(None)
            rows = run.rows
        parts = {"open+tables": t1 - t0, "strings": t2 - t1, "cells": time.perf_counter() - t2}
        package.close()
        return rows, parts
    if reader == "calamine":
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_path(path)
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False), parts
    import openpyxl

    from workbook import openpyxl_fixes  # noqa: F401  As FileBook reads.

    book = openpyxl.load_workbook(path, read_only=reader == "openpyxl-ro", data_only=True)
    ws = book[sheet]
    rows = list(ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
                             values_only=True))
    return rows, parts


def worker(reader: str, path: str, sheet: str, box) -> None:
    """Import, then time one read and print it as JSON."""
    if reader == "calamine":
        import python_calamine  # noqa: F401
    else:
        import openpyxl  # noqa: F401

        from workbook.xlsx import cells  # noqa: F401
    before = peak_mb()
    t = time.perf_counter()
    rows, parts = read(reader, path, sheet, box)
    seconds = time.perf_counter() - t
    filled = sum(1 for row in rows for v in row if v is not None and v != "")
    print(json.dumps({"seconds": seconds, "added_mb": peak_mb() - before, "peak_mb": peak_mb(),
                      "rows": len(rows), "values": filled, "parts": parts}))


def run_reader(reader: str, path: Path, sheet: str, box) -> dict | None:
    if reader == "calamine":
        try:
            import python_calamine  # noqa: F401
        except ImportError:
            return None
    out = subprocess.run([sys.executable, __file__, "--worker", reader, str(path), sheet, json.dumps(box)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(label: str, path: Path, readers) -> None:
    sheet, box = where(str(path))
    min_col, min_row, max_col, max_row = box
    print(f"\n{label}: {path.name}, sheet {sheet!r}, rows {min_row}-{max_row}, columns {min_col}-{max_col} "
          f"({(max_row - min_row + 1) * (max_col - min_col + 1):,} cells), "
          f"{path.stat().st_size / 1e6:.1f} MB on disk")
    print(f"  {'reader':<14}{'seconds':>9}{'added MB':>10}{'peak MB':>9}{'rows':>9}{'values':>11}")
    for reader in readers:
        result = run_reader(reader, path, sheet, box)
        if result is None:
            print(f"  {reader:<14}{'(not installed)':>20}")
        elif "error" in result:
            print(f"  {reader:<14}  failed: {result['error'][:80]}")
        else:
            parts = "  " + ", ".join(f"{k} {v:.2f}" for k, v in result["parts"].items()) if result["parts"] else ""
            print(f"  {reader:<14}{result['seconds']:>9.2f}{result['added_mb']:>10.0f}{result['peak_mb']:>9.0f}"
                  f"{result['rows']:>9,}{result['values']:>11,}{parts}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--leads", type=int, default=100_000, help="sample leads in the lead book")
    ap.add_argument("--book", type=Path, help="read this book instead of building a lead book")
    ap.add_argument("--bank", type=Path, default=BANK, help="the bank-marketing CSV (gzipped)")
    ap.add_argument("--no-bank", action="store_true", help="leave out the bank sheet")
    ap.add_argument("--openpyxl-full", action="store_true", help="also openpyxl's whole-workbook load")
    ap.add_argument("--readers", nargs="+", choices=READERS, help="only these readers")
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        reader, path, sheet, box = args.worker
        worker(reader, path, sheet, json.loads(box))
        return 0
    readers = args.readers or [r for r in READERS if r != "openpyxl" or args.openpyxl_full]
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}")
    bench("lead book", args.book or lead_book(args.leads), readers)
    if not args.no_bank:
        bank = bank_book(args.bank)
        if bank is None:
            print(f"\n(no bank data at {args.bank})")
        else:
            bench("bank sheet", bank, readers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

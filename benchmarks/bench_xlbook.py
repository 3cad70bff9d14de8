"""Benchmark: the Rescore button's workflow through the xlwings backend, on the recording stand-in.

    python benchmarks/bench_xlbook.py                 # 10,000 and 100,000 sample leads
    python benchmarks/bench_xlbook.py --n 1000 --n 50000

For each size: builds a sample workbook, loads it into the stand-in of the xlwings
objects (tests/xlstub.py), runs rescore + tasks + report through workbook.xlbook.XlBook,
and prints the seconds the Python side takes, the number of range value reads and
writes (in live Excel each is one round trip) and all other range calls, and peak
memory. Excel's own time to move the values is not included: there is no Excel here.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import xlstub  # noqa: E402
from workbook import template, workflow  # noqa: E402
from workbook.xlbook import XlBook  # noqa: E402

AS_OF = dt.datetime(2026, 11, 23, 9, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="leads (repeatable)")
    sizes = parser.parse_args().n or [10_000, 100_000]
    print(f"{'leads':>8} {'seconds':>8} {'leads/s':>9} {'value reads':>11} {'value writes':>12} "
          f"{'other calls':>11}")
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            path = Path(folder) / f"book{n}.xlsx"
            template.new_workbook(path, sample=n, seed=1, as_of=AS_OF - dt.timedelta(days=7))
            book = xlstub.from_file(path)
            start = time.perf_counter()
            workflow.run_book(XlBook(book), AS_OF, ("rescore", "tasks", "report"))
            seconds = time.perf_counter() - start
            calls = Counter(kind for kind, *_ in book.log)
            other = sum(v for k, v in calls.items() if k not in ("read", "write"))
            print(f"{n:>8,} {seconds:>8.2f} {n / seconds:>9,.0f} {calls['read']:>11} {calls['write']:>12} "
                  f"{other:>11}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB (includes building the sample workbooks and the stand-in)")


if __name__ == "__main__":
    main()

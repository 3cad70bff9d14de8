"""Benchmark: the file layer (issue 11) — rescore, check and import on workbook files, side by side
with openpyxl's bare whole-workbook load + save of the same file (what every headless run cost before).

    python benchmarks/bench_files.py                    # 100,000 leads, the 41,188 bank leads, a 100,000-row CSV
    python benchmarks/bench_files.py --leads 10000      # another size (repeatable)
    python benchmarks/bench_files.py --million          # also 1,048,575 leads (Excel's last row; builds for ~10 min once)
    python benchmarks/bench_files.py --no-openpyxl      # skip the (slow) openpyxl comparison

Books are built once and kept in the temporary folder (benchmarks/bench_read.py builds them the same
way): a Lead Score template with N sample leads, and the UCI bank-marketing contacts as a plain sheet
to which `leadscore init` adds Lead Score. Each job runs in a fresh process on a fresh copy of the
book, from the file's path to the file written, and prints wall seconds and the process's peak memory
(VmHWM), and that of the child process that checks a big sheet as it is written (it shares the
parent's pages, so the two peaks overlap). Targets (2 cores): rescore of 100,000 leads >= 5x faster than openpyxl's load + save and
under 10 s; 1,048,576 leads under 120 s and 4 GB; check of the 41,188 bank leads under 3 s; import
of a 100,000-row CSV under 10 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_read import BANK, CACHE, bank_book, lead_book, peak_mb  # noqa: E402

AS_OF = dt.datetime(2026, 12, 1, 9, 0)


def job(kind: str, path: str, extra: str) -> None:
    """One timed job in this process; prints JSON."""
    if kind == "openpyxl":
        import openpyxl
    else:
        from workbook import workflow
    t = time.perf_counter()
    if kind == "rescore":
        report = workflow.run(path, as_of=AS_OF)
        info = {"leads": report.summary["leads"]}
    elif kind == "rescore+tasks+report":
        report = workflow.run(path, as_of=AS_OF, steps=("rescore", "tasks", "report"))
        info = {"leads": report.summary["leads"], "tasks": len(report.tasks)}
    elif kind == "check":
        report = workflow.check(path)
        info = {"errors": len(report.errors), "warnings": len(report.warnings)}
    elif kind == "import":
        report = workflow.import_leads(path, extra, as_of=AS_OF)
        info = {"added": report.imported["added"], "leads": report.summary["leads"]}
    elif kind == "init":
        from workbook.init_book import init_book

        done = init_book(path, leads=extra)
        info = {"leads": done.leads}
    elif kind == "openpyxl":
        wb = openpyxl.load_workbook(path)
        wb.save(path + ".openpyxl.xlsx")
        info = {}
    else:
        raise SystemExit(f"unknown job {kind}")
    import resource

    # The check of a big sheet runs in a child process (workbook/side_check.py): its peak too.
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": time.perf_counter() - t, "peak_mb": peak_mb(), "check_mb": child, **info}))


def run_job(kind: str, book: Path, extra: str = "", keep: Path | None = None) -> dict:
    """Run a job in a fresh process on a copy of book (or on keep, when given, in place: a rescore
    "again" is the second rescore of one copy, what a team's daily run costs)."""
    work = keep or Path(tempfile.mkdtemp(prefix="bench-files-")) / book.name
    if keep is None:
        shutil.copy(book, work)
    out = subprocess.run([sys.executable, __file__, "--job", kind, str(work), extra], capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["failed"])[-1]}
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if keep is None:
        shutil.rmtree(work.parent, ignore_errors=True)
    return result


def show(label: str, result: dict, base: float | None = None) -> None:
    if "error" in result:
        print(f"  {label:<34} error: {result['error']}")
        return
    ratio = f"  ({base / result['seconds']:.1f}x faster than openpyxl load+save)" if base else ""
    extra = ", ".join(f"{k} {v:,}" for k, v in result.items() if k not in ("seconds", "peak_mb", "check_mb"))
    child = f" (+{result['check_mb']:.0f} MB check)" if result.get("check_mb", 0) > 1 else ""
    print(f"  {label:<34}{result['seconds']:>8.2f} s {result['peak_mb']:>8.0f} MB peak{child}   {extra}{ratio}",
          flush=True)


def csv_of(n: int) -> Path:
    """A CRM export of n leads (the sample leads' input columns), built once."""
    path = CACHE / f"export-{n}.csv"
    if not path.exists():
        from scoring.sample import sample_leads

        CACHE.mkdir(parents=True, exist_ok=True)
        frame = sample_leads(n, seed=7)
        frame["Lead ID"] = [f"X{i:07d}" for i in range(n)]
        frame.to_csv(path, index=False)
    return path


def empty_book() -> Path:
    path = CACHE / "empty-template.xlsx"
    if not path.exists():
        from workbook.template import new_workbook

        CACHE.mkdir(parents=True, exist_ok=True)
        new_workbook(path)
    return path


def bank_scored() -> Path | None:
    """The bank contacts with Lead Score added by `leadscore init`, built once."""
    plain = bank_book(BANK)
    if plain is None:
        return None
    path = CACHE / "bank-initialised.xlsx"
    if not path.exists():
        tmp = CACHE / "bank-initialised.tmp.xlsx"
        shutil.copy(plain, tmp)
        result = run_job("init", tmp, "bank", keep=tmp)
        if "error" in result:
            print("init of the bank book failed:", result["error"])
            return None
        tmp.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, action="append", help="lead counts (default 100000)")
    parser.add_argument("--million", action="store_true", help="also 1,048,575 leads")
    parser.add_argument("--no-openpyxl", action="store_true", help="skip openpyxl's load + save")
    parser.add_argument("--job", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        job(*args.job)
        return
    import platform
    import os

    print(f"Python {platform.python_version()}, {os.cpu_count()} cores; books cached in {CACHE}")
    sizes = args.leads or [100_000]
    if args.million:
        sizes.append(1_048_575)
    for n in sizes:
        book = lead_book(n)
        print(f"\n{n:,} leads: {book.name}, {book.stat().st_size / 1e6:.1f} MB")
        base = None
        if not args.no_openpyxl and n <= 200_000:
            result = run_job("openpyxl", book)
            show("openpyxl load_workbook + save", result)
            base = result.get("seconds")
        work = Path(tempfile.mkdtemp(prefix="bench-files-")) / book.name
        shutil.copy(book, work)
        show("leadscore rescore (first)", run_job("rescore", book, keep=work), base)
        show("leadscore rescore (again)", run_job("rescore", book, keep=work), base)
        shutil.rmtree(work.parent, ignore_errors=True)
        if n <= 200_000:
            show("leadscore rescore --tasks --report", run_job("rescore+tasks+report", book), base)
        show("leadscore check", run_job("check", book))
    bank = bank_scored()
    if bank is not None:
        print(f"\n41,188 bank leads (init added Lead Score): {bank.name}, {bank.stat().st_size / 1e6:.1f} MB")
        show("leadscore check", run_job("check", bank))
        show("leadscore rescore", run_job("rescore", bank))
    export = csv_of(100_000)
    print(f"\nimport: {export.name} ({export.stat().st_size / 1e6:.1f} MB) into an empty template")
    show("leadscore import (then rescore)", run_job("import", empty_book(), str(export)))


if __name__ == "__main__":
    main()

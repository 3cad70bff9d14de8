"""Benchmark: LibreOffice recalculating a native-formula workbook, next to the engine.

    python benchmarks/bench_formulas.py                 # 10,000 and 100,000 messy sample leads
    python benchmarks/bench_formulas.py --n 2000        # a quick look

For each size: the engine scores the leads (scoring.score); a native workbook of those leads
is built with no cached results (workbook.template.build, formulas='native'), and so is a
values workbook of the same leads; LibreOffice headless opens each with a profile that
recalculates on load and writes every sheet as CSV. The native run's time is load +
recalculation + CSV; the values run's is load + CSV, so the difference estimates the
recalculation (formula import included). The native results are then compared with the
engine's, cell by cell. Needs LibreOffice (soffice) on PATH.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from libreoffice import SOFFICE, recalculated_sheets  # noqa: E402
from scoring import default_model, score  # noqa: E402
from scoring.defaults import header  # noqa: E402
from scoring.sample import sample_leads  # noqa: E402
from workbook import template  # noqa: E402
from workbook.formulas import FORMULA_OUTPUTS  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def mismatches(rows, outputs) -> int:
    """Output cells where LibreOffice's value differs from the engine's."""
    head, body = rows[0], rows[1:]
    bad = 0
    for m in FORMULA_OUTPUTS:
        j = head.index(header(m, "en"))
        for row, want in zip(body, outputs[m]):
            got = row[j]
            if isinstance(want, str):
                bad += got != want
            else:
                try:
                    bad += abs(float(got) - float(want)) > 1e-9
                except ValueError:
                    bad += 1
    return bad + abs(len(body) - len(outputs))


def one(n: int, folder: Path, seed: int) -> None:
    model = default_model("b2b", "en")
    leads = sample_leads(n, seed=seed)
    outputs, engine_s = timed(lambda: score(leads, model))
    native, values = folder / f"native{n}.xlsx", folder / f"values{n}.xlsx"
    _, build_native_s = timed(lambda: template.build(native, model, leads, None, "en", "b2b", formulas="native"))
    _, build_values_s = timed(lambda: template.build(values, model, leads, outputs, "en", "b2b"))
    try:
        sheets, lo_native_s = timed(lambda: recalculated_sheets(native, folder / "n", timeout=4 * 3600))
    except AssertionError as exc:  # LibreOffice failed: on 24 GB, 100,000 leads ran out of memory.
        print(f"{n:>8,} leads | engine {engine_s:7.2f} s | LibreOffice failed on the native workbook "
              f"({native.stat().st_size / 1e6:.1f} MB, built in {build_native_s:.1f} s): {str(exc).strip()[:200]}; "
              f"see `dmesg` for an out-of-memory kill", flush=True)
        return
    _, lo_values_s = timed(lambda: recalculated_sheets(values, folder / "v", timeout=4 * 3600))
    bad = mismatches(sheets["Leads"], outputs)
    cells = n * len(FORMULA_OUTPUTS)
    print(f"{n:>8,} leads | engine {engine_s:7.2f} s ({n / engine_s:,.0f} leads/s) | "
          f"LibreOffice native {lo_native_s:7.1f} s, values {lo_values_s:6.1f} s, "
          f"recalculation ~{lo_native_s - lo_values_s:6.1f} s ({n / max(lo_native_s - lo_values_s, 1e-9):,.0f} "
          f"leads/s) | build native {build_native_s:6.1f} s ({native.stat().st_size / 1e6:.1f} MB), "
          f"values {build_values_s:5.1f} s | {bad} of {cells:,} output cells differ", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="leads (repeatable; default 10,000 and 100,000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not SOFFICE:
        sys.exit("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc-nogui")
    for n in args.n or [10_000, 100_000]:
        with tempfile.TemporaryDirectory() as folder:
            one(n, Path(folder), args.seed)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: Python {peak:,.0f} MB, LibreOffice {children:,.0f} MB")


if __name__ == "__main__":
    main()

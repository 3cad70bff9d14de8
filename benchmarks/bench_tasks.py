"""Benchmark: plan the day's nurture tasks for 100,000 synthetic leads with the default model.

    python benchmarks/bench_tasks.py                      # 100,000 messy B2B leads, Italian model
    python benchmarks/bench_tasks.py --n 1048576 --language en --clean
    python benchmarks/bench_tasks.py --as-of 2026-12-04 --repeat 3

Generates leads (scoring.sample.sample_leads, or plain generated leads when that module is
missing), scores them, then times plan_tasks twice: a first run with nobody enrolled (every
lead with a sequence is enrolled, whole plans are listed), and a second run on the next
business day fed with the enrolment the first run returned (only the steps due that day).
Prints tasks, seconds, leads per second and peak resident memory (ru_maxrss).
Target: under 5 s per run for 100,000 leads.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from scoring import default_model, score  # noqa: E402
from scoring.defaults import LEAD_COLUMNS, header  # noqa: E402
from scoring.tasks import plan_tasks  # noqa: E402

try:
    from scoring.sample import sample_leads  # noqa: E402
except ImportError:  # The generator is not in this checkout: plain leads will do.
    sample_leads = None


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (ru_maxrss is KB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def plain_leads(n: int, seed: int, language: str) -> pd.DataFrame:
    """Simple B2B leads when scoring.sample is missing: random firmographics and activity."""
    rng = np.random.default_rng(seed)
    roles = np.array(["CEO", "Purchasing manager", "Specialist", "Intern"] if language == "en" else
                     ["CEO", "Responsabile acquisti", "Specialista", "Stagista"], dtype=object)
    cols = {m: np.full(n, None, dtype=object) for m in LEAD_COLUMNS["b2b"]}
    cols["id"] = np.char.add("L", np.char.zfill(np.arange(1, n + 1).astype(str), 7)).astype(object)
    cols["name"] = np.char.add("Lead ", np.arange(1, n + 1).astype(str)).astype(object)
    cols["email"] = np.where(rng.random(n) < 0.9, np.char.add(cols["id"].astype(str), "@example.it"),
                             None).astype(object)
    cols["company"] = np.char.add("Company ", (np.arange(n) % 5000).astype(str)).astype(object)
    cols["role"] = roles[rng.integers(0, len(roles), n)]
    cols["industry"] = np.array(["IT", "Retail"], dtype=object)[rng.integers(0, 2, n)]
    cols["employees"] = rng.integers(1, 2000, n)
    cols["revenue"] = rng.integers(10_000, 5_000_000, n)
    cols["consent"] = np.array(["yes", "no"], dtype=object)[rng.integers(0, 2, n)]
    cols["source"] = np.array(["Web form", "Trade fair"], dtype=object)[rng.integers(0, 2, n)]
    for m in ("pricing", "promo", "papers", "webinars", "demo", "quote"):
        cols[m] = rng.poisson(0.6, n)
    for m in ("welcome", "newsletter", "unsubscribed"):
        cols[m] = (rng.random(n) < 0.2).astype(np.int64)
    return pd.DataFrame({header(m, language): cols[m] for m in LEAD_COLUMNS["b2b"]})


def next_business_day(day: dt.date, model) -> dt.date:
    cal = np.busdaycalendar(holidays=np.array(model.holidays, dtype="datetime64[D]"))
    return np.busday_offset(np.datetime64(day, "D"), 1, roll="forward", busdaycal=cal).astype(object)


def timed(leads, scored, model, enrolment, as_of, repeat: int):
    times, result = [], None
    for _ in range(max(1, repeat)):
        result = None
        gc.collect()
        t = time.perf_counter()
        result = plan_tasks(leads, scored, model, enrolment, as_of)
        times.append(time.perf_counter() - t)
    return result, times


def report(label: str, n: int, tasks: pd.DataFrame, times: list) -> None:
    best = min(times)
    runs = f"  (runs: {', '.join(f'{x:.2f}' for x in times)})" if len(times) > 1 else ""
    print(f"{label}: {len(tasks):,} tasks in {best:.2f} s{runs}; {n / best:,.0f} leads/s; "
          f"peak RSS {peak_rss_mb():,.0f} MB")
    if len(tasks):
        by_task = tasks["task"].str.rsplit(" ", n=1).str[0].value_counts()
        print("  by sequence: " + ", ".join(f"{k} {v:,}" for k, v in by_task.items()))
        print("  by channel:  " + ", ".join(f"{k} {v:,}" for k, v in tasks["channel"].value_counts().items()))
        print(f"  due from {tasks['due'].min()} to {tasks['due'].max()}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--language", choices=("en", "it"), default="it")
    ap.add_argument("--clean", action="store_true", help="tidy data instead of messy")
    ap.add_argument("--as-of", default="2026-12-04", help="day of the first run (YYYY-MM-DD)")
    ap.add_argument("--repeat", type=int, default=1, help="time each run this many times, report the best")
    args = ap.parse_args(argv)
    as_of = dt.date.fromisoformat(args.as_of)

    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs")
    model = default_model("b2b", args.language, as_of.year)
    t = time.perf_counter()
    if sample_leads is not None:
        leads = sample_leads(args.n, args.seed, "b2b", args.language, messy=not args.clean)
        kind = "sample_leads " + ("clean" if args.clean else "messy")
    else:
        leads = plain_leads(args.n, args.seed, args.language)
        kind = "plain generated leads (scoring.sample missing)"
    generate = time.perf_counter() - t
    t = time.perf_counter()
    scored = score(leads, model)
    scoring = time.perf_counter() - t
    print(f"leads: {args.n:,} ({kind}, language {args.language}); generation {generate:.2f} s, "
          f"scoring {scoring:.2f} s; peak RSS {peak_rss_mb():,.0f} MB")
    print("by action: " + ", ".join(f"{k} {v:,}" for k, v in scored["action"].value_counts().items()))

    empty = pd.DataFrame({"sequence": pd.Series(None, index=leads.index, dtype=object),
                          "start": pd.Series(None, index=leads.index, dtype=object)})
    (tasks, enrolled), times = timed(leads, scored, model, empty, as_of, args.repeat)
    report(f"run 1, {as_of} (nobody enrolled)", args.n, tasks, times)
    print(f"  enrolled: {int(enrolled['sequence'].notna().sum()):,}")

    day2 = next_business_day(as_of, model)
    (tasks2, enrolled2), times2 = timed(leads, scored, model, enrolled, day2, args.repeat)
    report(f"run 2, {day2} (next business day, enrolment of run 1)", args.n, tasks2, times2)
    same = enrolled2["sequence"].equals(enrolled["sequence"]) and enrolled2["start"].equals(enrolled["start"])
    print(f"  enrolment unchanged: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

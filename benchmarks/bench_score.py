"""Benchmark: score a full Excel sheet of synthetic leads (1,048,576 rows) with the default model.

    python benchmarks/bench_score.py                 # messy data, B2B, English
    python benchmarks/bench_score.py --clean         # tidy data (numeric dtypes)
    python benchmarks/bench_score.py --n 200000 --seed 3 --profile b2c --language it
    python benchmarks/bench_score.py --tracemalloc   # adds a second, traced pass (slower)
    python benchmarks/bench_score.py --groups        # rule groups (all, max, sum with caps) and conditions
    python benchmarks/bench_score.py --groups --hygiene           # and the templates' hygiene rules, junk
    python benchmarks/bench_score.py --groups --hygiene --distinct  # every e-mail address and name distinct

Prints generation and scoring seconds, leads per second, peak resident memory
(ru_maxrss) and the count of leads by status and by grade. Targets on a 2-core machine:
scoring under 3 s and peak memory under 2 GB.
"""
from __future__ import annotations

import argparse
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

from scoring import BehaviourRule, RuleGroup, default_model, score  # noqa: E402
from scoring.defaults import hygiene_rules  # noqa: E402
from scoring.sample import sample_leads  # noqa: E402

EXCEL_ROWS = 1_048_576


def with_groups(model):
    """The default model with every group mode and condition rules (issue 12's speed target):
    fit rules in an 'all' group with a cap, behaviour in 'max' and capped 'sum' groups."""
    fit, beh = model.fit_rules, model.behaviour_rules
    for rule in fit[1:3]:
        rule.group = "Enterprise"
    for rule in beh[0:2]:
        rule.group = "Email or pricing"
    for rule in beh[6:8]:
        rule.group = "Sales request"
    beh += [BehaviourRule("Form or referral", "Source", 5, kind="condition", operator="in",
                          value="Web form;Referral", group="Email or pricing"),
            BehaviourRule("Owner known", "Owner", 5, kind="condition", operator="not blank")]
    model.groups = [RuleGroup("Enterprise", "all", cap=18), RuleGroup("Email or pricing", "max"),
                    RuleGroup("Sales request", "sum", cap=30)]
    return model


def with_hygiene(model, profile: str, language: str):
    """The templates' hygiene rules (disposable, free mail, invalid, role account, fake name) and junk."""
    model.behaviour_rules += hygiene_rules(profile, language)
    model.settings.junk_kinds = ("disposable email",)
    return model


def distinct(leads):
    """Every e-mail address and name made distinct (the worst case for checks made per distinct value)."""
    n = len(leads)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"), dtype=object)
    tag = letters[np.arange(n) % 26] + letters[(np.arange(n) // 26) % 26] + letters[(np.arange(n) // 676) % 26] \
        + letters[(np.arange(n) // 17576) % 26] + letters[(np.arange(n) // 456976) % 26]
    for column in ("Email", "Name"):
        values = leads[column].to_numpy(dtype=object)
        text = np.array([v if isinstance(v, str) else "" for v in values], dtype=object)
        made = (tag + "." + text) if column == "Email" else (text + " " + tag)
        leads[column] = np.where([isinstance(v, str) for v in values], made, values)
    return leads


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (ru_maxrss is KB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=EXCEL_ROWS, help="leads (default: Excel's row limit)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--clean", action="store_true", help="tidy data instead of messy")
    ap.add_argument("--profile", choices=("b2b", "b2c"), default="b2b")
    ap.add_argument("--language", choices=("en", "it"), default="en")
    ap.add_argument("--repeat", type=int, default=1, help="score this many times, report the best")
    ap.add_argument("--groups", action="store_true", help="rule groups of every mode and condition rules")
    ap.add_argument("--hygiene", action="store_true", help="the templates' hygiene rules, disposable = junk")
    ap.add_argument("--distinct", action="store_true", help="every e-mail address and name distinct")
    ap.add_argument("--tracemalloc", action="store_true",
                    help="measure Python allocations' peak in a separate, slower pass")
    args = ap.parse_args(argv)

    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs")
    print(f"leads: {args.n:,}  seed {args.seed}  profile {args.profile}  language {args.language}  "
          f"{'clean' if args.clean else 'messy'}{'  with groups and conditions' if args.groups else ''}"
          f"{'  with hygiene checks' if args.hygiene else ''}"
          f"{'  (distinct e-mails and names)' if args.distinct else ''}")
    model = default_model(args.profile, args.language)
    if args.groups:
        model = with_groups(model)
    if args.hygiene:
        model = with_hygiene(model, args.profile, args.language)
    sample_leads(10, args.seed, args.profile, args.language)  # Imports and word tables.
    score(sample_leads(10, args.seed, args.profile, args.language), model)
    rss_before = peak_rss_mb()

    t = time.perf_counter()
    leads = sample_leads(args.n, args.seed, args.profile, args.language, messy=not args.clean)
    if args.distinct:
        leads = distinct(leads)
    generate = time.perf_counter() - t
    rss_leads = peak_rss_mb()

    times = []
    for _ in range(max(1, args.repeat)):
        out = None
        gc.collect()
        t = time.perf_counter()
        out = score(leads, model)
        times.append(time.perf_counter() - t)
    scoring = min(times)
    rss_peak = peak_rss_mb()

    print(f"generation: {generate:.2f} s")
    print(f"scoring:    {scoring:.2f} s" + (f"  (runs: {', '.join(f'{x:.2f}' for x in times)})"
                                             if len(times) > 1 else ""))
    print(f"leads per second: {args.n / scoring:,.0f}")
    print(f"peak memory (ru_maxrss): {rss_peak:,.0f} MB  (before generation {rss_before:,.0f} MB, "
          f"after generation {rss_leads:,.0f} MB)")
    problems = int((out["problems"] != "").sum())
    print(f"leads with problems: {problems:,} ({problems / max(1, args.n):.1%})")
    print("by status:")
    for status, count in out["status"].value_counts().items():
        print(f"  {status:<14}{count:>10,}  {count / args.n:6.1%}")
    print("by grade:")
    for grade, count in out["grade"].value_counts().sort_index().items():
        print(f"  {grade:<14}{count:>10,}  {count / args.n:6.1%}")

    if args.tracemalloc:
        import tracemalloc
        del out, leads
        gc.collect()
        tracemalloc.start()
        leads = sample_leads(args.n, args.seed, args.profile, args.language, messy=not args.clean)
        _, gen_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        t = time.perf_counter()
        score(leads, model)
        traced = time.perf_counter() - t
        _, score_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"tracemalloc: generation peak {gen_peak / 2**20:,.0f} MB; scoring peak "
              f"{score_peak / 2**20:,.0f} MB of which {(score_peak - base) / 2**20:,.0f} MB above "
              f"the leads (traced scoring took {traced:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

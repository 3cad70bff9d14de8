"""Speed of behaviour from activity logs: N events aggregated for M leads (default 10,000,000 and
1,048,576), bot marks included, against the obvious alternative of a pandas groupby per rule
(no bots, no decay rounding: the least it could do).

    python benchmarks/bench_events.py [--events 10000000] [--leads 1048576]
    python benchmarks/bench_events.py --sheet 1000000   # an Events sheet of N rows: import, rescore

Prints seconds, events per second and peak memory (VmHWM).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scoring  # noqa: E402
from scoring import EventRule  # noqa: E402
from scoring.events import seconds_of  # noqa: E402

AS_OF = dt.datetime(2026, 3, 1, 12)
TYPES = np.array(["email delivered", "email opened", "email clicked", "page view", "download", "webinar attended",
                  "form submitted"], dtype=object)
WEIGHTS = np.array([0.3, 0.2, 0.1, 0.3, 0.05, 0.03, 0.02])
DETAILS = np.array(["", "https://example.com/offer", "/pricing", "White paper: pricing guide", "Spring webinar",
                    "Demo request"], dtype=object)
DETAIL_OF = np.array([0, 0, 1, 2, 3, 4, 5])  # Per type: its detail.
RULES = [EventRule("Email click", ("email clicked",), 3, cap=15, window=90, half_life=30),
         EventRule("Pricing page", ("page view",), 5, ("/pricing",), cap=25, window=60, half_life=30),
         EventRule("White paper", ("download",), 10, ("white paper",), cap=30, window=180, half_life=90),
         EventRule("Webinar", ("webinar attended",), 10, window=365, half_life=120),
         EventRule("Demo request", ("form submitted",), 20, ("demo",), window=90),
         EventRule("Email open", ("email opened",), 1, cap=5, window=30)]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make(n_leads: int, n_events: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = pd.Series(np.arange(1, n_leads + 1)).map("L{:07d}".format)
    leads = pd.DataFrame({"Lead ID": ids, "Email": ids.str.lower() + "@example.com", "Role": "Intern",
                          "Industry": "Retail", "Employees": 5, "Annual revenue": 1000})
    for c in ("Pricing page visits", "Promo emails opened", "Welcome email clicked", "White papers downloaded",
              "Newsletter signup", "Webinars attended", "Demo requests", "Quote requests", "Unsubscribed or bounced"):
        leads[c] = 0
    who = rng.integers(0, n_leads, n_events)
    kind = rng.choice(len(TYPES), n_events, p=WEIGHTS)
    seconds = (pd.Timestamp(AS_OF).value // 10**9) - rng.integers(0, 400 * 86_400, n_events)
    agents = np.where(rng.random(n_events) < 0.01, "Mimecast URL protect", "Mozilla/5.0 Chrome/120")
    events = pd.DataFrame({
        "lead_id": ids.to_numpy(dtype=object)[who],
        "time": pd.to_datetime(seconds, unit="s"),
        "event": pd.Categorical.from_codes(kind, TYPES),
        "detail": pd.Categorical.from_codes(DETAIL_OF[kind], DETAILS),
        "campaign": pd.Categorical.from_codes(rng.integers(0, 24, n_events), [f"Campaign {k}" for k in range(24)]),
        "user_agent": pd.Categorical(agents),
    })
    return leads, events


def groupby_alternative(leads, events):
    """Per rule a mask and a groupby sum of decayed points: what one would write by hand."""
    ages = (pd.Timestamp(AS_OF) - events["time"]).dt.total_seconds().to_numpy() / 86_400
    codes = pd.Index(leads["Lead ID"]).get_indexer(events["lead_id"])
    total = np.zeros(len(leads))
    for rule in RULES:
        m = events["event"].isin(rule.event).to_numpy() & (ages >= 0)
        if rule.detail:
            m &= events["detail"].astype(str).str.contains(rule.detail[0], case=False, regex=False).to_numpy()
        if rule.window:
            m &= ages <= rule.window
        w = rule.points * (0.5 ** (ages[m] / rule.half_life) if rule.half_life else np.ones(int(m.sum())))
        s = pd.Series(w).groupby(codes[m]).sum()
        part = np.zeros(len(leads))
        part[s.index.to_numpy()] = s.to_numpy()
        total += np.clip(part, -(rule.cap or 1e9), rule.cap or 1e9)
    return total


def engine(args):
    leads, events = make(args.leads, args.events)
    model = scoring.default_model()
    model.event_rules = RULES
    print(f"{args.events:,} events, {args.leads:,} leads; built in memory, peak {peak_mb():,.0f} MB")
    t = time.perf_counter()
    scored = scoring.evaluate_leads(leads, model, events, AS_OF)
    took = time.perf_counter() - t
    suspect = int((scored.events.marks > 0).sum())
    print(f"engine (score with 6 event rules, bot marks, reasons): {took:.2f} s, {args.events / took:,.0f} events/s, "
          f"{suspect:,} events marked, peak {peak_mb():,.0f} MB")
    t = time.perf_counter()
    plain = scoring.evaluate_leads(leads, scoring.default_model())
    base = time.perf_counter() - t
    print(f"  of which scoring without events: {base:.2f} s")
    t = time.perf_counter()
    groupby_alternative(leads, events)
    alt = time.perf_counter() - t
    print(f"pandas groupby per rule (no bots, no reasons): {alt:.2f} s; engine's event part / groupby "
          f"= {(took - base) / alt:.2f}")
    del plain


def sheet(args):
    """An Events sheet of N rows: `leadscore import --events` of a CSV into a book, then rescore."""
    root = Path(tempfile.mkdtemp(prefix="bench-events-"))
    try:
        book = root / "book.xlsx"
        from scoring.sample import sample_leads
        from workbook import template

        model = scoring.default_model(hygiene=True)
        model.event_rules = RULES
        template.build(book, model, sample_leads(1000, seed=1), None, "en", "b2b")
        rng = np.random.default_rng(1)
        n = args.sheet
        kind = rng.choice(len(TYPES), n, p=WEIGHTS)
        seconds = (pd.Timestamp(AS_OF).value // 10**9) - rng.integers(0, 400 * 86_400, n)
        frame = pd.DataFrame({"Lead ID": [f"L{k:06d}" for k in rng.integers(1, 1001, n)],
                              "Time": pd.to_datetime(seconds, unit="s").strftime("%Y-%m-%d %H:%M:%S"),
                              "Event": TYPES[kind], "Detail": DETAILS[DETAIL_OF[kind]],
                              "Campaign": [f"Campaign {k}" for k in rng.integers(0, 24, n)]})
        csv = root / "activity.csv"
        frame.to_csv(csv, index=False)
        for label, command in (("import --events (new Events sheet)", ["import", str(book), str(csv), "--events",
                                                                       "--as-of", AS_OF.isoformat()]),
                               ("rescore (the sheet read, scored, Suspect kept)", ["rescore", str(book), "--as-of",
                                                                                   AS_OF.isoformat()]),
                               ("rescore a day later (Suspect cells kept)", ["rescore", str(book), "--as-of",
                                                                            (AS_OF + dt.timedelta(days=1)).isoformat()]),
                               ("check", ["check", str(book), "--as-of", AS_OF.isoformat()])):
            t = time.perf_counter()
            done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "addin.cli", *command],
                                  capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
            took = time.perf_counter() - t
            if done.returncode and label != "check":
                print(done.stdout[-2000:], done.stderr[-2000:])
                raise SystemExit(done.returncode)
            peak = int(done.stderr.strip().splitlines()[-1]) / 1024
            print(f"{label}: {n:,} event rows, {took:.1f} s, peak {peak:,.0f} MB, book {os.path.getsize(book) / 1e6:.1f} MB")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--leads", type=int, default=1_048_576)
    parser.add_argument("--sheet", type=int, default=0, help="Time an Events sheet of this many rows instead.")
    args = parser.parse_args()
    if args.sheet:
        sheet(args)
    else:
        engine(args)
    assert seconds_of  # (The times are read as the engine reads them.)


if __name__ == "__main__":
    main()

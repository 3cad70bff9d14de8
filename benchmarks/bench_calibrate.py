"""Benchmark: calibrate on the 41,188 real bank-marketing leads (UCI, tests/data/uci-bank-marketing).

    python benchmarks/bench_calibrate.py            # 70/30 stratified split, seed 42
    python benchmarks/bench_calibrate.py --seed 1
    python benchmarks/bench_calibrate.py --book     # also `leadscore calibrate` on a book of the leads

`duration` is dropped (the call's length is known only after the call: it leaks the outcome). The
model is the bank model of the tests: age 25-60 and admin./management jobs as fit rules, previous
success and mobile contact as conditions, -2 per call this campaign. Prints the seconds calibrate
takes, then on the same holdout the AUC of the current model, of the suggested model (scored by the
engine), of a logistic regression on the same columns (one-hot categories, standardised numbers) and of
scikit-learn's HistGradientBoostingClassifier. Target on a 2-core machine: under 20 s.

With --book it builds a workbook of the leads (the model's Outcome column set to y) and times the command
line, each run a child process (seconds and peak memory): `leadscore rescore` (the everyday run, for the
ratio), `leadscore calibrate` (the Calibration sheet) and `leadscore calibrate --apply` (the LeadScore
tables and the Changelog too), each from the same book to its own --out copy.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from scoring import BehaviourRule, FitRule, default_model, score  # noqa: E402
from scoring.auc import auc  # noqa: E402
from scoring.calibrate import calibrate  # noqa: E402

BANK = Path(__file__).resolve().parents[1] / "tests" / "data" / "uci-bank-marketing" / "bank-additional-full.csv.gz"


def bank_model():
    model = default_model()
    model.fit_rules = [FitRule("age", "between", "25;60", 20), FitRule("job", "in", "admin.;management", 25)]
    model.behaviour_rules = [
        BehaviourRule("Previous campaign success", "poutcome", 30, kind="condition", operator="=", value="success"),
        BehaviourRule("Mobile contact", "contact", 10, kind="condition", operator="=", value="cellular"),
        BehaviourRule("Calls this campaign", "campaign", -2, kind="per unit")]
    model.settings.behaviour_min = -20
    return model


def baselines(leads: pd.DataFrame, columns: list, won, train, test, seed: int) -> dict:
    """Holdout AUC of a logistic regression and of gradient boosting on the same columns."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    frame = leads[columns]
    text = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c])]
    numbers = [c for c in columns if c not in text]
    onehot = pd.get_dummies(frame[text].astype(object), dtype=float)
    scaled = StandardScaler().fit(frame.loc[train, numbers]).transform(frame[numbers])
    x = np.hstack([onehot.to_numpy(), scaled])
    lr = LogisticRegression(max_iter=5000).fit(x[train], won[train])
    boosted = frame.copy()
    for c in text:
        boosted[c] = boosted[c].astype("category")
    hgb = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=seed)
    hgb.fit(boosted[train], won[train])
    return {"logistic regression": auc(won[test], lr.predict_proba(x[test])[:, 1]),
            "HistGradientBoosting": auc(won[test], hgb.predict_proba(boosted[test])[:, 1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42, help="Seed of the split (default 42).")
    parser.add_argument("--book", action="store_true", help="Also time the command line on a book of the leads.")
    args = parser.parse_args()
    leads = pd.read_csv(BANK, sep=";").drop(columns=["duration"])
    start = time.perf_counter()
    found = calibrate(leads, bank_model(), outcome="y", holdout=0.3, seed=args.seed)
    seconds = time.perf_counter() - start
    suggested = score(leads, found.suggestion.model)["score"].to_numpy(dtype=float)
    assert np.array_equal(suggested, found.suggestion.scores.astype(float)), "the engine does not reproduce the points"
    columns = [c for c, _ in found.candidates]
    other = baselines(leads, columns, found.won, found.train, found.test, args.seed)
    print(f"calibrate on {len(leads):,} leads: {seconds:.1f} s on {os.cpu_count()} cores "
          f"({found.train_leads:,} to learn, {found.test_leads:,} held out; {found.split})")
    print(f"holdout AUC, current model:        {found.auc:.4f}")
    print(f"holdout AUC, suggested model:      {found.suggested_auc:.4f} "
          f"(95% interval {found.suggested_low:.4f}-{found.suggested_high:.4f}; "
          f"{len(found.suggestion.model.fit_rules)} fit and {len(found.suggestion.model.behaviour_rules)} behaviour "
          "rules, integer points)")
    for name, value in other.items():
        print(f"holdout AUC, {name + ':':<22}{value:.4f} (same columns, same split)")
    for _, r in found.capture.iterrows():
        grades = f" (grades {r['grades']})" if r["grades"] else ""
        print(f"suggested {r['status']} from score {int(r['min_score'])}{grades}: {r['share_leads']:.1%} of the "
              f"held-out leads, {r['share_won']:.1%} of their conversions")
    for name, table in (("grade", "by_grade"), ("score band", "by_band")):
        rows = found.suggested_tables[table]
        print(f"suggested model, conversion by {name} (holdout): " + ", ".join(
            f"{label} {int(r['won'])}/{int(r['leads'])} = {r['rate']:.1%}" for label, r in rows.iterrows()))
    if args.book:
        bench_book(leads, args.seed)


# The child writes its peak resident memory (VmHWM, its own since exec; ru_maxrss would include this
# process's, inherited at fork) to a file when it exits.
CHILD = """import atexit, os
def peak():
    with open('/proc/self/status') as f:
        kb = next(line.split()[1] for line in f if line.startswith('VmHWM:'))
    with open(os.environ['BENCH_PEAK'], 'w') as out:
        out.write(kb)
atexit.register(peak)
from addin.cli import main
main()
"""


def command(args: list, folder: Path) -> tuple[float, float]:
    """Seconds and peak memory (MB) of `leadscore ARGS` in a child process."""
    peak = folder / "peak.txt"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "BENCH_PEAK": str(peak)})
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"leadscore {' '.join(map(str, args))} failed: {done.stderr[-2000:]}")
    return seconds, int(peak.read_text()) / 1024


def bench_book(leads: pd.DataFrame, seed: int) -> None:
    """The command line on a book of the leads: rescore, calibrate, calibrate --apply."""
    from workbook import template

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from native_check import with_template_columns

    model = bank_model()
    model.settings.outcome_column = "y"
    with tempfile.TemporaryDirectory(prefix="bench-calibrate-") as folder:
        book = Path(folder) / "bank.xlsx"
        start = time.perf_counter()
        template.build(book, model, with_template_columns(leads), None, "en", "b2b")
        print(f"book of {len(leads):,} leads built in {time.perf_counter() - start:.1f} s "
              f"({book.stat().st_size / 1e6:.1f} MB)")
        runs = {"rescore": ["rescore", book, "--out", Path(folder) / "rescored.xlsx"],
                "calibrate": ["calibrate", book, "--seed", seed, "--out", Path(folder) / "measured.xlsx"],
                "calibrate --apply": ["calibrate", book, "--seed", seed, "--apply", "--out",
                                      Path(folder) / "applied.xlsx"]}
        figures = {name: command(args, Path(folder)) for name, args in runs.items()}
        base = figures["rescore"][0]
        for name, (seconds, peak) in figures.items():
            print(f"leadscore {name + ':':<19}{seconds:5.1f} s, peak {peak:,.0f} MB"
                  + ("" if name == "rescore" else f" ({seconds / base:.1f}x a rescore of the same book)"))


if __name__ == "__main__":
    main()

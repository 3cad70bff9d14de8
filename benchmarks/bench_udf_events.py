"""Speed of the in-cell functions over rules over events: one call for one row (the template's formulas)
and one spilled call for the whole table, given an Events table of N events (values shaped as xlwings
delivers them). Excel's own cost of handing the ranges to Python is not in these figures.

    python benchmarks/bench_udf_events.py [--events 100000] [--leads 5000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from addin import udf_core  # noqa: E402
from scoring import EventRule, default_model  # noqa: E402
from scoring.defaults import LEAD_COLUMNS, header  # noqa: E402
from workbook import template  # noqa: E402
from workbook.events_sheet import labels  # noqa: E402
from workbook.layout import MODEL_ROWS  # noqa: E402

AS_OF = dt.datetime(2026, 3, 2, 12, 0)
RULES = [EventRule("Webinar", ("webinar attended",), 20, half_life=10),
         EventRule("Email click", ("email clicked",), 3, cap=15, window=90)]
EVENTS = ("email delivered", "email clicked", "webinar attended", "page view")


def _inputs(n_leads: int):
    """The leads' rows and headers, and the LeadScoreModel values, of a template with the rules."""
    model = default_model("b2b", "en")
    model.event_rules = list(RULES)
    columns = [header(m, "en") for m in LEAD_COLUMNS["b2b"]]
    frame = pd.DataFrame([[None] * len(columns)] * 2, columns=columns)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.xlsx"
        template.build(path, model, frame, None, "en", "b2b")
        ws = openpyxl.load_workbook(path, data_only=True)["LeadScore"]
        values = [list(r) for r in ws.iter_rows(min_row=1, max_row=MODEL_ROWS, max_col=89, values_only=True)]
    rows = [[f"L{k}" if c == "Lead ID" else f"lead{k}@example.com" if c == "Email" else
             "IT" if c == "Industry" else 200.0 if c == "Employees" else None for c in columns]
            for k in range(n_leads)]
    return rows, [columns], values


def _events(n: int, n_leads: int) -> list[list]:
    rng = np.random.default_rng(7)
    lead = rng.integers(0, n_leads, n)
    ages = rng.integers(0, 200 * 86_400, n)
    kinds = rng.integers(0, len(EVENTS), n)
    rows = [labels("en")]
    for k, a, e in zip(lead.tolist(), ages.tolist(), kinds.tolist()):
        rows.append([None, f"lead{k}@example.com", AS_OF - dt.timedelta(seconds=a), EVENTS[e],
                     f"https://example.com/{e}", f"Campaign {k % 5}", None, None, None])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--leads", type=int, default=5_000)
    args = parser.parse_args()
    rows, headers, model = _inputs(args.leads)
    events = _events(args.events, args.leads)
    first = udf_core.call("SCORE", [rows[0]], headers, model, events, AS_OF)  # The model parsed and cached once.
    assert isinstance(first, int), first
    start = time.perf_counter()
    for row in rows[:20]:
        udf_core.call("SCORE", [row], headers, model, events, AS_OF)
    one = (time.perf_counter() - start) / 20
    start = time.perf_counter()
    column = udf_core.call("SCORE", rows, headers, model, events, AS_OF)
    spilled = time.perf_counter() - start
    assert isinstance(column, list), column
    print(f"{args.events:,} events, {args.leads:,} leads: one row {one * 1000:.0f} ms per call; "
          f"the whole table spilled {spilled:.2f} s")


if __name__ == "__main__":
    main()

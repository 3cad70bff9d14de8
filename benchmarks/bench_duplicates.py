"""Benchmark: find duplicate leads among a full Excel sheet (1,048,576 rows).

    python benchmarks/bench_duplicates.py                  # e-mail, phone, name and company
    python benchmarks/bench_duplicates.py --n 200000 --threshold 95

The leads are people at 150,000 companies; about one in ten is entered again: the same address
written another way (case, gmail dots or a +tag), the same phone written in another format,
or the same name with a typo at the same company. Prints the seconds find_duplicates takes,
the groups and the duplicates found, and peak memory. Target on a 2-core machine: under 30 s.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from scoring import default_model  # noqa: E402
from scoring.duplicates import find_duplicates  # noqa: E402

FIRST = ("Mario", "Luca", "Giulia", "Anna", "Marco", "Sara", "Paolo", "Elena", "Andrea", "Chiara", "Davide",
         "Francesca", "Simone", "Laura", "Matteo", "Silvia", "Stefano", "Valentina", "Giorgio", "Federica")
LAST = ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
        "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti")


def leads(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    companies = np.array([f"Azienda {i:06d} S.r.l." for i in range(150_000)], dtype=object)
    company = rng.integers(0, len(companies), n)
    first = np.array(FIRST, dtype=object)[rng.integers(0, len(FIRST), n)]
    last = np.array(LAST, dtype=object)[rng.integers(0, len(LAST), n)]
    name = first + " " + last + " " + pd.Series(np.arange(n) % 997).astype(str).to_numpy(dtype=object)
    email = np.char.add(np.char.add("p", np.arange(n).astype(str)), "@").astype(object) + \
        np.where(rng.random(n) < 0.3, "gmail.com", "azienda" + pd.Series(company).astype(str).to_numpy(dtype=object)
                 + ".it")
    phone = np.array([f"02 {x:08d}" for x in rng.integers(0, 10**8, n)], dtype=object)
    # One lead in ten repeats an earlier one, a third each by e-mail, phone, name and company.
    again = np.flatnonzero(rng.random(n) < 0.1)
    source = (again * rng.random(len(again))).astype(np.int64)
    how = rng.integers(0, 3, len(again))
    for k, (i, j) in enumerate(zip(again, source)):
        if how[k] == 0:
            email[i] = email[j].upper().replace("@", "+fair@") if "gmail" in email[j] else email[j].upper()
        elif how[k] == 1:
            phone[i] = "+39 " + phone[j]
        else:
            company[i] = company[j]
            name[i] = name[j][:-1] + "x" if len(name[j]) > 12 else name[j]
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    return pd.DataFrame({"Lead ID": [f"L{i + 1:07d}" for i in range(n)], "Name": name, "Email": email,
                         "Phone": phone, "Company": companies[company], "Created": created.date})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_048_576)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threshold", type=float, default=90)
    args = ap.parse_args(argv)
    print(f"python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs")
    t = time.perf_counter()
    frame = leads(args.n, args.seed)
    print(f"leads: {args.n:,}  generation {time.perf_counter() - t:.2f} s")
    settings = default_model("b2b", "it", hygiene=True).settings
    settings.duplicate_keys = ("email", "phone", "name and company")
    settings.name_threshold = args.threshold
    t = time.perf_counter()
    found = find_duplicates(frame, settings)
    took = time.perf_counter() - t
    groups = int(found.group.max() + 1) if (found.group >= 0).any() else 0
    print(f"duplicates: {took:.2f} s  ({args.n / took:,.0f} leads per second)")
    print(f"groups: {groups:,}; duplicates (not kept): {int(found.dropped.sum()):,}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (ru_maxrss): {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

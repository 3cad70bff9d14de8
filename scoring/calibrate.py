"""Calibration: measure a model on the leads' outcomes and suggest integer points and thresholds.

Holdout discipline: the leads with a known outcome are split once, at random and stratified by
outcome with a seed (a share goes to the holdout), or by date (learned before `since`, tested on
and after it). The suggestion is learned on the training part only; every figure reported (AUC,
conversion, capture, per-rule evidence, warnings, leaks) is measured on the holdout.

Rules of thumb, each a constant below:

* too little data: fewer than MIN_OUTCOMES conversions or MIN_OUTCOMES non-conversions among the
  leads with a known outcome, and calibrate refuses (vendors ask for about 40 of each);
* a leak: a candidate column whose categories or bins, with the conversion each had in training,
  rank the holdout with an AUC above LEAK_AUC (or below 1 - LEAK_AUC) predicts the outcome almost
  perfectly, which a column filled by sales after the contact does; it is left out of the
  suggestion and named in the warnings;
* an order warning: a better grade (or a higher score band) that converts less than the next one.

Rules over events (scoring/events.py) count the events as of the run's time in every score measured
here, the current model's and the suggested one's, and each has its evidence like any rule (the
leads it gives points to). The suggestion learns from lead columns only: each rule over events keeps
its current points, and a note says so.
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .auc import auc, auc_interval
from .columns import by_meaning, find, not_a_column
from .dates import timestamps
from .defaults import ENROLMENT_COLUMNS, HEADERS, OUTPUT_COLUMNS
from .engine import evaluate_leads, rule_label
from .errors import LeadScoreError
from .events import as_of_time
from .model import Model
from .outcomes import LOST, WON, measure, outcomes
from .parse import Column, text_key
from .report import score_band_codes
from .suggest import Piece, column_pieces, piece_hits, place_thresholds, suggest
from .texts import text

MIN_OUTCOMES = 40
LEAK_AUC = 0.95
HOLDOUT = 0.3
CAPACITY = 0.12
# Columns that say who a lead is, when it came or what sales did: never candidates.
NOT_CANDIDATES = ("id", "name", "email", "phone", "company", "created", "stage", "owner", "consent")
FREE_TEXT_SHARE = 0.5  # A text column with more distinct values than this share of its leads is free text.


class CalibrationError(LeadScoreError, ValueError):
    """Calibration cannot run on these leads (no outcome column, too little data ...)."""


@dataclass
class Calibration:
    """What calibrate found, every figure on the holdout (see the module docstring)."""

    split: str  # Which split, in words (English; split_kind and the fields after it say it as data).
    outcome_column: str
    train_leads: int
    test_leads: int
    test_won: int
    auc: float | None
    auc_low: float | None
    auc_high: float | None
    tables: dict  # outcomes.measure on the holdout: by_grade, by_status, by_band, by_decile, capture.
    rules: pd.DataFrame  # Per existing rule: side, rule, leads, matched conversion, other conversion, lift.
    warnings: list = field(default_factory=list)
    leaks: list = field(default_factory=list)  # (column, AUC) of leaking columns.
    candidates: list = field(default_factory=list)  # (column, side) learned from.
    suggestion: object = None  # suggest.Suggestion
    suggested_auc: float | None = None
    suggested_low: float | None = None
    suggested_high: float | None = None
    suggested_rules: pd.DataFrame | None = None  # Per suggested rule: side, rule, points, evidence.
    capture: pd.DataFrame | None = None  # The suggested thresholds' share of leads and of conversions.
    train: np.ndarray | None = field(default=None, repr=False)  # Per lead: in the training part.
    test: np.ndarray | None = field(default=None, repr=False)  # Per lead: in the holdout.
    won: np.ndarray | None = field(default=None, repr=False)  # Per lead: its outcome is won.
    split_kind: str = "random"  # 'random' (holdout, seed) or 'date' (since, date_column).
    holdout: float | None = None
    seed: int = 0
    since: dt.date | None = None
    date_column: str | None = None
    notes: list = field(default_factory=list)  # The warnings as data: (key, params); see note_text.
    suggested_tables: dict | None = None  # As tables, for the suggested model on the holdout.
    suggested_notes: list = field(default_factory=list)  # Order warnings of the suggested model.
    capacity: float = CAPACITY
    model: object = field(default=None, repr=False)  # The checked current model.


def _outcome_column(leads: pd.DataFrame, model: Model, outcome: str | None):
    name = outcome or model.settings.outcome_column
    if not name:
        raise CalibrationError("no outcome column: set the Outcome column setting on the LeadScore sheet, or name "
                               "the column that says what happened to each lead (won / lost) with --outcome")
    found = find(leads.columns, name)
    if found is None:
        raise CalibrationError(f"outcome column {not_a_column(name, leads.columns)}")
    return found


def _split(known: np.ndarray, won: np.ndarray, leads, holdout, since, date_column, seed):
    """(train, test, description, date column) over the leads with a known outcome."""
    n = len(known)
    if since is None:
        rng = np.random.default_rng(seed)
        test = np.zeros(n, dtype=bool)
        for part in (known & won, known & ~won):
            where = np.flatnonzero(part)
            test[rng.permutation(where)[:int(round(holdout * len(where)))]] = True
        return known & ~test, test, f"random, stratified by outcome: {holdout:.0%} held out (seed {seed})", None
    column = find(leads.columns, date_column) if date_column else by_meaning(leads.columns, "created")
    if column is None:
        wanted = date_column or HEADERS["created"][0]
        raise CalibrationError(f"date column {not_a_column(wanted, leads.columns)}; a split by date reads "
                               "when each lead came in")
    stamps = timestamps(leads[column].reset_index(drop=True)).to_numpy()
    cut = np.datetime64(pd.Timestamp(since).to_datetime64(), "ns")
    dated = ~np.isnat(stamps)
    train, test = known & dated & (stamps < cut), known & dated & (stamps >= cut)
    day = pd.Timestamp(since).date().isoformat()
    return train, test, f"by date ({column}): learned before {day}, tested on {day} and after", str(column)


def _counted(part: str, won: np.ndarray, mask: np.ndarray) -> None:
    w, lost = int((won & mask).sum()), int((~won & mask).sum())
    if not w or not lost:
        raise CalibrationError(f"the {part} has {w} conversions and {lost} non-conversions; it needs both "
                               "(move --since, or change --holdout)")


def _rate(won: np.ndarray, mask: np.ndarray) -> float | None:
    return float(won[mask].mean()) if mask.any() else None


def _order_notes(table: pd.DataFrame, what: str, best_first: bool) -> list[tuple]:
    """A better label that converts less than the next one down, as notes ('grade order' or
    'band order', params)."""
    rows = [(label, r["rate"], int(r["won"]), int(r["known"])) for label, r in table.iterrows()
            if r["rate"] is not None]
    if not best_first:
        rows = rows[::-1]
    out = []
    for (hi, hr, hw, hk), (lo, lr, lw, lk) in zip(rows, rows[1:]):
        if hr < lr:
            out.append((f"{what} order", {"better": hi, "worse": lo, "rate": hr, "won": hw, "leads": hk,
                                          "rate_next": lr, "won_next": lw, "leads_next": lk}))
    return out


def _pct(x: float, language: str) -> str:
    text = f"{x:.1%}"
    return text.replace(".", ",") if language == "it" else text


def _count(n: int, language: str) -> str:
    text = f"{n:,}"
    return text.replace(",", ".") if language == "it" else text


# The suggestion's note on rules over events: (one rule, several), per language.
EVENTS_KEPT = {
    "en": ("The rule over events keeps its current points: the suggestion is learned from the lead columns "
           "without it (its points too; the thresholds and score bands are placed on scores that include it), and "
           "every score measured here includes its points as of {date}",
           "The {n} rules over events keep their current points: the suggestion is learned from the lead columns "
           "without them (its points too; the thresholds and score bands are placed on scores that include them), "
           "and every score measured here includes their points as of {date}"),
    "it": ("La regola sugli eventi mantiene i suoi punti attuali: il suggerimento è appreso dalle colonne dei lead "
           "senza di essa (i suoi punti anche; le soglie e le fasce di punteggio sono poste su punteggi che la "
           "includono), e ogni punteggio misurato qui include i suoi punti al {date}",
           "Le {n} regole sugli eventi mantengono i loro punti attuali: il suggerimento è appreso dalle colonne dei "
           "lead senza di esse (i suoi punti anche; le soglie e le fasce di punteggio sono poste su punteggi che le "
           "includono), e ogni punteggio misurato qui include i loro punti al {date}"),
}


def note_text(note: tuple, language: str = "en") -> str:
    """A calibration note (a warning as data) in words, in English or Italian."""
    key, p = note
    if key == "events kept":
        return EVENTS_KEPT[language if language in EVENTS_KEPT else "en"][p["rules"] != 1].format(
            n=p["rules"], date=p["as_of"])
    if key == "leak":
        value = f"{p['auc']:.3f}"
        return text(language, "calibrate leak").format(column=repr(p["column"]),
                                                       auc=value.replace(".", ",") if language == "it" else value)
    return text(language, f"calibrate {key}").format(
        better=p["better"], worse=p["worse"], rate=_pct(p["rate"], language), won=_count(p["won"], language),
        leads=_count(p["leads"], language), rate_next=_pct(p["rate_next"], language),
        won_next=_count(p["won_next"], language), leads_next=_count(p["leads_next"], language))


def is_candidate(leads: pd.DataFrame, name, outcome_col) -> bool:
    """An input column to learn from: not an identifier, name, email, phone, company, date,
    stage, owner or consent column, not an output column, not the outcome, not free text."""
    if name == outcome_col:
        return False
    keys = {text_key(h) for m in NOT_CANDIDATES + OUTPUT_COLUMNS + ENROLMENT_COLUMNS if m in HEADERS
            for h in HEADERS[m]}
    if text_key(name) in keys:
        return False
    values = leads[name]
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return False
    sample = values.dropna().head(1000).to_numpy(dtype=object)
    if len(sample) and np.mean([isinstance(v, (dt.date, dt.datetime, pd.Timestamp)) for v in sample]) > 0.5:
        return False
    if not pd.api.types.is_numeric_dtype(values.dtype):
        keys_, _ = Column(values).unique_keys()
        filled = int(values.notna().sum())
        if len(keys_) > 20 and len(keys_) > FREE_TEXT_SHARE * filled:
            return False
    return True


def _probe_settings(model: Model):
    s = copy.deepcopy(model.settings)
    s.duplicate_keys, s.junk_kinds, s.merge_behaviour, s.behaviour_min = (), (), "no", -100_000
    s.fit_max, s.behaviour_max, s.score_min, s.score_max = 100_000, 100_000, -100_000, 100_000
    return s


def rule_hits(leads: pd.DataFrame, model: Model) -> tuple[list, np.ndarray]:
    """Per existing rule: (side, index, rule) and whether it gives points to each lead, each rule
    scored alone by the engine with 1 point (a count or per unit rule: a count or amount not 0)."""
    found, columns = [], []
    settings = _probe_settings(model)
    for side, rules in (("fit", model.fit_rules), ("behaviour", model.behaviour_rules)):
        for i, rule in enumerate(rules):
            alone = copy.deepcopy(model)
            alone.settings, alone.groups, alone.event_rules = settings, [], []
            one = replace(rule, points=1, group="")
            if side == "behaviour":
                one.cap = None
            alone.fit_rules, alone.behaviour_rules = ([one], []) if side == "fit" else ([], [one])
            frame = evaluate_leads(leads, alone).frame
            found.append((side, i, rule))
            columns.append(frame[side].to_numpy(dtype=float) != 0)
    return found, (np.column_stack(columns) if columns else np.zeros((len(leads), 0), dtype=bool))


def event_hits(model: Model, scored) -> tuple[list, np.ndarray]:
    """Per rule over events: ("events", index, rule) and whether it gives points to each lead, as the
    engine counted the events for `scored` (a Scored; as of its run's time)."""
    found = [("events", j, rule) for j, rule in enumerate(model.event_rules)]
    points = scored.events.points if scored.events is not None else []
    n = len(scored.frame)
    columns = [np.asarray(points[j], dtype=float) != 0 if j < len(points) else np.zeros(n, dtype=bool)
               for j in range(len(found))]
    return found, (np.column_stack(columns) if columns else np.zeros((n, 0), dtype=bool))


def _evidence(label_rows, hits: np.ndarray, won: np.ndarray, test: np.ndarray) -> pd.DataFrame:
    """Per rule on the holdout: leads matched, their conversion, the others' conversion, lift."""
    overall = _rate(won, test)
    rows = []
    for (side, label), hit in zip(label_rows, hits.T):
        matched, other = test & hit, test & ~hit
        rate = _rate(won, matched)
        rows.append({"side": side, "rule": label, "leads": int(matched.sum()), "won": int((won & matched).sum()),
                     "rate": rate, "rate_other": _rate(won, other),
                     "lift": None if rate is None or not overall else rate / overall})
    return pd.DataFrame(rows, columns=["side", "rule", "leads", "won", "rate", "rate_other", "lift"])


def _rule_text(rule, language: str = "en") -> str:
    """A rule as the evidence names it: a behaviour rule by its name, a fit rule as reasons do."""
    return rule.name if hasattr(rule, "name") else rule_label(rule, language)


def _leak(hits: np.ndarray, won: np.ndarray, train: np.ndarray, test: np.ndarray) -> float | None:
    """A column's holdout AUC when each lead is scored with its bin's training conversion."""
    keys = hits.astype(np.int64) @ (1 << np.arange(hits.shape[1], dtype=np.int64)) if hits.shape[1] < 60 else None
    if keys is None:
        return None
    codes, _ = pd.factorize(keys)
    n = codes.max() + 1
    seen = np.bincount(codes[train], minlength=n)
    wins = np.bincount(codes[train], weights=won[train].astype(float), minlength=n)
    rate = np.where(seen > 0, wins / np.maximum(seen, 1), won[train].mean())
    return auc(won[test], rate[codes[test]])


def calibrate(leads: pd.DataFrame, model: Model, outcome: str | None = None, holdout: float = HOLDOUT,
              since=None, date_column: str | None = None, capacity: float = CAPACITY, seed: int = 0,
              columns: list | None = None, exclude: tuple = (), behaviour: tuple = (),
              learn: bool = True, events: pd.DataFrame | None = None, as_of=None) -> Calibration:
    """Measure `model` on the leads' outcomes and suggest a model (see the module docstring).
    columns: the candidate columns (default: every input column that can be one); exclude: columns
    never to learn from; behaviour: columns no rule uses yet that go to the behaviour side (not fit);
    learn=False measures the current model only (no suggestion: where scikit-learn is missing);
    events and as_of: the events the rules over events count, and the time they count as of.
    Raises CalibrationError when it cannot run, ModelError for a bad model."""
    leads = leads.reset_index(drop=True)
    checked = model.validate()
    model = checked.model
    s = model.settings
    outcome_col = _outcome_column(leads, model, outcome)
    for name in list(columns or []) + list(exclude) + list(behaviour):
        if find(leads.columns, name) is None:
            raise CalibrationError(f"column {not_a_column(name, leads.columns)}")
    as_of = as_of_time(as_of)
    result = evaluate_leads(leads, checked, events, as_of)
    scored = result.frame
    held = frozenset(text_key(p) for p in s.placeholders)
    customer = s.sales_stages[1] if len(s.sales_stages) > 1 else None
    codes = outcomes(leads[outcome_col], scored["status"].to_numpy(dtype=object), customer, held)
    known, won = codes != -1, codes == WON
    n_won, n_lost = int(won.sum()), int((codes == LOST).sum())
    if n_won < MIN_OUTCOMES or n_lost < MIN_OUTCOMES:
        raise CalibrationError(f"too little data: {n_won} conversions and {n_lost} non-conversions in "
                               f"{str(outcome_col)!r}; calibrate needs at least {MIN_OUTCOMES} of each")
    train, test, split, date_column = _split(known, won, leads, holdout, since, date_column, seed)
    _counted("training part", won, train)
    _counted("holdout", won, test)

    # The current model on the holdout.
    score = pd.to_numeric(scored["score"], errors="coerce").to_numpy(dtype=float)
    low, high = auc_interval(won[test], score[test], seed)
    tables = _tables(model, scored, codes, test)
    notes = _order_notes(tables["by_grade"], "grade", True) + _order_notes(tables["by_band"], "band", False)
    existing, existing_hits = rule_hits(leads, model)
    on_events, event_columns = event_hits(model, result)
    existing, existing_hits = existing + on_events, np.column_stack([existing_hits, event_columns])
    rules = _evidence([(side, _rule_text(r, model.settings.language)) for side, _, r in existing], existing_hits, won, test)

    # Candidate columns and their side, leaks left out.
    sides = {find(leads.columns, c): "behaviour" for c in behaviour}
    for side, rules_ in (("behaviour", model.behaviour_rules), ("fit", model.fit_rules)):
        for r in rules_:
            found = find(leads.columns, r.column)
            if found is not None:
                sides[found] = side
    names = [find(leads.columns, c) for c in columns] if columns else \
        [c for c in leads.columns if is_candidate(leads, c, outcome_col)]
    names = [c for c in names if c != outcome_col and text_key(c) not in {text_key(e) for e in exclude}]
    pieces, hit_parts, leaks, candidates = [], [], [], []
    for g, name in enumerate(names):
        found = column_pieces(leads, name, sides.get(name, "fit"), g, train, s.decimal, held)
        kept, hits = piece_hits(leads, found, s)
        varies = hits[train].any(axis=0) & ~hits[train].all(axis=0)  # A piece that holds for all or none says nothing.
        kept, hits = [p for p, v in zip(kept, varies) if v], hits[:, varies]
        if not kept:
            continue
        leak = _leak(hits, won, train, test)
        if leak is not None and max(leak, 1 - leak) > LEAK_AUC:
            leaks.append((str(name), leak))
            notes.append(("leak", {"column": str(name), "auc": leak}))
            continue
        pieces += kept
        hit_parts.append(hits)
        candidates.append((str(name), sides.get(name, "fit")))
    # Existing rules that keep their condition: fit rules, behaviour conditions and hygiene rules.
    g = len(names)
    same = {(text_key(p.column), p.operator, text_key(p.value), p.side): k for k, p in enumerate(pieces)}
    for (side, i, rule), hit in zip(existing, existing_hits.T):
        if side == "events" or (side == "behaviour" and rule.kind in ("count", "per unit")):
            continue  # Rules over events keep their points; count and per unit rules give way to their column's bins.
        key = (text_key(rule.column), getattr(rule, "operator", ""), text_key(getattr(rule, "value", None)), side)
        if key in same and pieces[same[key]].rule is None:
            pieces[same[key]].rule = i  # A category of its column says the same: its points are the rule's.
            continue
        pieces.append(Piece(rule.column, getattr(rule, "operator", ""), getattr(rule, "value", None), side, "rule",
                            g, rule=i, original=rule))
        hit_parts.append(hit[:, None])
        g += 1
    hits = np.column_stack(hit_parts) if hit_parts else np.zeros((len(leads), 0), dtype=bool)
    found = Calibration(split=split, outcome_column=str(outcome_col), train_leads=int(train.sum()),
                        test_leads=int(test.sum()), test_won=int(won[test].sum()), auc=auc(won[test], score[test]),
                        auc_low=low, auc_high=high, tables=tables, rules=rules, leaks=leaks, candidates=candidates,
                        train=train, test=test, won=won, split_kind="random" if since is None else "date",
                        holdout=holdout if since is None else None, seed=seed,
                        since=None if since is None else pd.Timestamp(since).date(), date_column=date_column,
                        notes=notes, capacity=capacity, model=model)
    found.warnings = [note_text(n) for n in notes]
    if not learn:
        return found
    suggestion = suggest(model, pieces, hits, won, train, capacity, seed)
    if any(r.group for r in model.event_rules):  # Their groups stay, as applying leaves them.
        suggestion.model.groups = copy.deepcopy(model.groups)
    if model.event_rules:  # The thresholds and bands are placed by the scores the events add to.
        real = evaluate_leads(leads, suggestion.model, events, as_of).frame["score"]
        place_thresholds(suggestion, model, pd.to_numeric(real).to_numpy(dtype=float), train, capacity)
    _measure_suggestion(found, leads, codes, suggestion, existing, existing_hits, hits, events, as_of)
    if model.event_rules:
        found.suggested_notes.append(("events kept", {"rules": len(model.event_rules),
                                                      "as_of": as_of.isoformat(sep=" ", timespec="minutes")}))
    return found


def _measure_suggestion(found: Calibration, leads, codes, suggestion, existing, existing_hits, hits, events=None,
                        as_of=None) -> None:
    """The suggested model on the holdout (the rules over events counted as of the same time): its AUC,
    tables, order notes, each rule's evidence and what its status rules pass to sales."""
    won, test, seed = found.won, found.test, found.seed
    again = evaluate_leads(leads, suggestion.model, events, as_of).frame
    suggested = pd.to_numeric(again["score"]).to_numpy(dtype=float)
    new_status = again["status"].to_numpy(dtype=object)
    s_low, s_high = auc_interval(won[test], suggested[test], seed)
    model = suggestion.model
    found.suggested_tables = _tables(model, again, codes, test)
    found.suggested_notes = (_order_notes(found.suggested_tables["by_grade"], "grade", True) +
                             _order_notes(found.suggested_tables["by_band"], "band", False))
    # Each suggested rule's leads: its piece's, or (an existing rule no piece keeps) the rule's own.
    column_of = {(side, i): j for j, (side, i, _) in enumerate(existing)}
    rules = [("fit", r) for r in model.fit_rules] + [("behaviour", r) for r in model.behaviour_rules]
    current = {"fit": found.model.fit_rules, "behaviour": found.model.behaviour_rules}
    columns, old, seen = [], [], {"fit": 0, "behaviour": 0}
    for (side, rule), k in zip(rules, suggestion.origins):
        i = seen[side]
        seen[side] += 1
        is_old = i < len(current[side])
        columns.append(hits[:, k] if k is not None else existing_hits[:, column_of[(side, i)]])
        old.append(float(current[side][i].points) if is_old else None)
    for j, rule in enumerate(model.event_rules):  # Kept as they are, after the rules of lead columns.
        rules.append(("events", rule))
        columns.append(existing_hits[:, column_of[("events", j)]])
        old.append(float(rule.points))
    matrix = np.column_stack(columns) if columns else np.zeros((len(leads), 0), dtype=bool)
    evidence = _evidence([(side, _rule_text(r, model.settings.language)) for side, r in rules], matrix, won, test)
    # Learned points are whole; a rule kept as it is (over events) keeps its decimals (2.5).
    evidence.insert(2, "points", np.array([float(r.points) for _, r in rules], dtype=float))
    evidence.insert(3, "old_points", pd.Series(old, dtype=object).values)
    total_won = max(int(won[test].sum()), 1)
    # What the suggested model passes to sales on the holdout: its status rules from the highest down.
    rows, taken = [], []
    for rule in sorted(suggestion.model.status_rules, key=lambda r: -float(r.min_score)):
        taken.append(rule.status)
        passed_ = test & np.isin(new_status, taken)
        rows.append({"status": " or ".join(taken), "min_score": float(rule.min_score),
                     "grades": ", ".join(rule.grades), "share_leads": float(passed_.sum() / max(int(test.sum()), 1)),
                     "share_won": float((won & passed_).sum() / total_won)})
    found.suggestion, found.suggested_rules, found.capture = suggestion, evidence, pd.DataFrame(rows)
    found.suggested_auc, found.suggested_low, found.suggested_high = auc(won[test], suggested[test]), s_low, s_high


def _tables(model: Model, scored: pd.DataFrame, codes: np.ndarray, test: np.ndarray) -> dict:
    """outcomes.measure of a model's results on the holdout leads."""
    grades = [b.grade for b in model.grade_bands]
    bands = [b.label for b in model.score_bands]
    t = np.flatnonzero(test)
    status = scored["status"].to_numpy(dtype=object)
    score = pd.to_numeric(scored["score"], errors="coerce").to_numpy(dtype=float)
    gcode = pd.Categorical(scored["grade"].to_numpy(dtype=object), categories=grades).codes
    bcode = score_band_codes(scored["score"].to_numpy(dtype=object), model)
    rising = sorted(model.status_rules, key=lambda r: float(r.min_score))
    statuses = list(dict.fromkeys([model.settings.default_status] + [r.status for r in rising] +
                                  sorted(map(str, set(status[t])))))
    passed = list(dict.fromkeys(r.status for r in sorted(model.status_rules, key=lambda r: -float(r.min_score))))
    return measure(codes[t], gcode[t], grades, status[t], statuses, bcode[t], bands, score[t], passed)

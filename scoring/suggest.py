"""A suggested model: integer points learned from outcomes, written as ordinary LeadScore rules.

Every suggested point is a rule the engine already knows, so `scoring.score` with the suggested
model gives exactly the points that were learned:

* a number column (more than MAX_LEVELS distinct numbers) is cut at its training quantiles
  e1 < e2 < ... (at most BINS bins); the rules are `< e1`, `>= e1`, `>= e2` ..., each step adding
  its points to the one before, so that a lead gets the points of its bin;
* any other column keeps its categories held by at least RARE_SHARE of the training leads and
  at least RARE_LEADS leads (`= value`); the rest are grouped as `not in` the kept ones;
* a blank cell (or a placeholder) is a piece of its own (`is blank`) in both; blanks, or the rest
  of the categories, held by fewer than RARE_LEADS training leads get no rule (0 points);
* existing fit rules, and behaviour conditions and hygiene rules, keep their condition and get
  new points; count and per unit rules are replaced by the bins of their column (they stay, with
  0 points). The suggested model lists every existing rule first, in its order, then the new ones,
  so that applying it changes points and adds rows, and never moves or deletes one.

A regularised logistic regression (scikit-learn, L2) learns one weight per piece on the training
leads. A number column's bins are made monotone where that fits (MONOTONE_FIT). Each column's bins are
shifted so that its lowest bin has 0 points, then every weight is
multiplied by one factor, the largest that keeps the best possible fit points within the fit
maximum and the best behaviour points within the behaviour maximum, and rounded to a whole number.
Grade bands are cut at shares of the training leads' fit points
(GRADE_SHARES), the SQL and MQL thresholds at the capacity and twice it (MQL at least a point below SQL).
Score bands follow the thresholds (the top band starts at the SQL threshold, the next at the MQL one,
further ones at twice the share again), so that each band holds leads of its own; a band labelled by
its numbers ("0–49", "90+") is labelled by its new ones, any other label stays.
"""
from __future__ import annotations

import copy
import re
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .model import BehaviourRule, FitRule, GradeBand, Model, ScoreBand, StatusRule, check
from .parse import OK, Column, text_key
from .rules import evaluate

BINS = 10  # At most this many quantile bins for a number column.
MAX_LEVELS = 12  # A number column with at most this many distinct numbers is read as categories.
RARE_SHARE = 0.01  # A category held by fewer training leads than this share is grouped with the rest...
RARE_LEADS = 10  # ... as is one held by fewer than this many leads.
MAX_CATEGORIES = 30  # At most this many categories of one column are kept (the most frequent).
STRENGTH = 1.0  # The inverse of the L2 penalty (scikit-learn's C).
MQL_FACTOR = 2  # The MQL threshold passes twice the capacity share of the training leads.
# With three graded bands (A, B, C above the lowest), the best grades take the top 10%, 30% and 60%
# of the training leads by fit points; with another number of bands, shares evenly spaced.
GRADE_SHARES = (0.1, 0.3, 0.6)
# A number column's bins are made monotone (rising or falling with the number, by isotonic
# regression weighted by the bins' training leads) when a monotone line keeps this share of the
# spread of their learned points; a column whose conversion rises and falls again keeps its shape.
MONOTONE_FIT = 0.8


@dataclass
class Piece:
    """One candidate rule: a condition on a lead column, on the fit or behaviour side. kind is
    'blank', 'low' or 'step' (a number column), 'category' or 'other', or 'rule' (an existing rule).
    `rule` is the index on its side of the existing rule whose condition the piece is (kind 'rule',
    or a category that says the same). column_group ties the pieces of one column together."""

    column: str
    operator: str
    value: object
    side: str
    kind: str
    column_group: int
    rule: int | None = None
    original: object = None  # The existing rule (kind 'rule').

    def text(self) -> str:
        if self.original is not None and getattr(self.original, "name", ""):
            return str(self.original.name)
        value = "" if self.value is None else f" {self.value}"
        return f"{self.column} {self.operator}{value}"


@dataclass
class Suggestion:
    """The suggested model, its rules' points and each lead's suggested points (as the engine
    computes them: behaviour held within the floor and maximum, the total within the score range)."""

    model: Model
    pieces: list
    points: np.ndarray  # Integer points per piece.
    scores: np.ndarray  # Per lead.
    scale: float
    mql: float
    sql: float
    hits: np.ndarray = field(repr=False, default=None)  # Leads x pieces, bool.
    # Per rule of the suggested model (fit rules, then behaviour rules): the piece it comes from, or
    # None for an existing rule that no piece keeps (a count or per unit rule, replaced by its column's bins).
    origins: list = field(default_factory=list)
    monotone: list = field(default_factory=list)  # The number columns whose bins were made monotone.

    def origins_of(self, side: str) -> list:
        """The origins of one side's rules ('fit' or 'behaviour')."""
        n = len(self.model.fit_rules)
        return self.origins[:n] if side == "fit" else self.origins[n:]


def _category_pieces(column: Column, name, side, group, train: np.ndarray) -> list[Piece]:
    codes, uniques = column.factors
    keys, _ = column.unique_keys()
    counts = np.bincount(codes[train & (codes >= 0)], minlength=len(uniques))
    by_key: dict = {}
    for key, value, count in zip(keys, uniques, counts):
        shown, total, best = by_key.get(key, (value, 0, -1))
        by_key[key] = (value if count > best else shown, total + int(count), max(best, int(count)))
    filled = int(sum(t for _, t, _ in by_key.values()))
    least = max(RARE_LEADS, RARE_SHARE * int(train.sum()))
    kept = sorted(((t, k, v) for k, (v, t, _) in by_key.items() if t >= least and ";" not in k),
                  key=lambda x: (-x[0], x[1]))[:MAX_CATEGORIES]
    shown = [_shown(v) for _, _, v in kept]
    pieces = [Piece(name, "=", s, side, "category", group) for s in shown]
    if filled - sum(t for t, _, _ in kept) >= RARE_LEADS:
        pieces.append(Piece(name, "not in", ";".join(shown), side, "other", group))
    return pieces


def _shown(value) -> str:
    """A category as a rule's value: a whole float without its '.0'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number_pieces(name, side, group, values: np.ndarray) -> list[Piece]:
    edges = np.unique(np.quantile(values, np.arange(1, BINS) / BINS, method="higher"))
    edges = [float(e) for e in edges if e > values.min()]
    if not edges:
        return []
    value = [int(e) if float(e).is_integer() else e for e in edges]
    return ([Piece(name, "<", value[0], side, "low", group)] +
            [Piece(name, ">=", v, side, "step", group) for v in value])


def column_pieces(leads: pd.DataFrame, name, side: str, group: int, train: np.ndarray, decimal: str,
                  held: frozenset) -> list[Piece]:
    """The candidate pieces of one lead column, cut on the training leads."""
    column = Column(leads[name], decimal, held)
    blank = column.blank()
    nums, states = column.numbers()
    filled = train & ~blank
    pieces = [Piece(name, "is blank", None, side, "blank", group)] if (train & blank).sum() >= RARE_LEADS else []
    ok = filled & (states == OK)
    if filled.any() and ok.sum() >= 0.95 * filled.sum() and len(np.unique(nums[ok])) > MAX_LEVELS:
        return pieces + _number_pieces(name, side, group, nums[ok])
    return pieces + _category_pieces(column, name, side, group, train)


def piece_hits(leads: pd.DataFrame, pieces: list, settings) -> tuple[list, np.ndarray]:
    """Which leads each new piece holds for, evaluated by the engine's own operators; pieces whose
    value the model would refuse are left out. Returns (pieces kept, leads x pieces)."""
    rules = [FitRule(p.column, p.operator, p.value, 1) for p in pieces]
    probe = Model(fit_rules=rules, settings=copy.deepcopy(settings))
    checked, found = check(probe)
    bad = {p.index for p in found if not p.warning and p.block == "fit rule"}
    kept, columns, cache = [], [], {}
    held = frozenset(text_key(x) for x in settings.placeholders)
    for i, (piece, rule, value) in enumerate(zip(pieces, checked.model.fit_rules, checked.values)):
        if i in bad:
            continue
        column = cache.setdefault(piece.column, Column(leads[piece.column], settings.decimal, held))
        hit, _ = evaluate(column, rule, value)
        kept.append(piece)
        columns.append(hit)
    return kept, (np.column_stack(columns) if columns else np.zeros((len(leads), 0), dtype=bool))


def _monotone(bins: np.ndarray, leads: np.ndarray) -> np.ndarray | None:
    """The bins' points made monotone in the bins' order (weighted by their training leads), or None
    when that would lose more than 1 - MONOTONE_FIT of their spread (or there is nothing to smooth)."""
    from sklearn.isotonic import IsotonicRegression

    weights = leads.astype(float)
    if len(bins) < 3 or weights.sum() <= 0:
        return None
    spread = np.average((bins - np.average(bins, weights=weights)) ** 2, weights=weights)
    if spread <= 0:
        return None
    with warnings.catch_warnings():  # (Its note that the direction is uncertain: the fit test decides.)
        warnings.simplefilter("ignore", UserWarning)
        fitted = IsotonicRegression(increasing="auto").fit_transform(np.arange(len(bins)), bins,
                                                                     sample_weight=np.maximum(weights, 1e-9))
    lost = np.average((bins - fitted) ** 2, weights=weights)
    return fitted if lost <= (1 - MONOTONE_FIT) * spread and not np.allclose(fitted, bins) else None


def _totals(pieces: list, weights: np.ndarray, counts: np.ndarray | None = None) -> tuple[list, dict, list]:
    """Per column group: the indexes of its pieces and each piece's points as a bin total (a step's
    total is its bin's: the weights of the steps up to it), made monotone where that fits (counts:
    the training leads each piece holds for), shifted so the lowest bin has 0. Also the columns
    made monotone."""
    groups: dict = {}
    for i, p in enumerate(pieces):
        groups.setdefault(p.column_group, []).append(i)
    totals = np.zeros(len(pieces))
    monotone: list = []
    for members in groups.values():
        kinds = [pieces[i].kind for i in members]
        if kinds == ["rule"]:
            totals[members[0]] = weights[members[0]]
            continue
        running = 0.0
        for i in members:
            if pieces[i].kind == "step":
                running += weights[i]
                totals[i] = running
            else:
                totals[i] = weights[i]
        ordered = [i for i in members if pieces[i].kind in ("low", "step")]  # A number column's bins.
        if counts is not None and len(ordered) >= 3:
            # The lowest bin's leads are its own; a step's, those at or above its edge less the next one's.
            above = counts[ordered].astype(float)
            leads = np.append(above[0], above[1:] - np.append(above[2:], 0.0))
            smooth = _monotone(totals[ordered], leads)
            if smooth is not None:
                totals[ordered] = smooth
                monotone.append(pieces[ordered[0]].column)
        totals[members] -= totals[members].min()
    return totals, groups, monotone


def _points(pieces, totals, groups, scale) -> np.ndarray:
    """Whole points per rule from the scaled bin totals: a step rule gets the difference between
    its bin's rounded total and the bin before (so every bin's total is rounded once)."""
    rounded = np.round(totals * scale)
    points = rounded.copy()
    for members in groups.values():
        before = None
        for i in members:
            if pieces[i].kind == "step":
                points[i] = rounded[i] - (before if before is not None else 0)
                before = rounded[i]
            elif pieces[i].kind == "low":
                before = None
    return points.astype(np.int64)


def held_points(fit: np.ndarray, behaviour: np.ndarray, settings) -> np.ndarray:
    """The engine's score from raw fit and behaviour points (fit cap, behaviour floor and cap,
    the total held within the score range)."""
    fit = np.minimum(fit, float(settings.fit_max))
    behaviour = np.clip(behaviour, float(settings.behaviour_min), float(settings.behaviour_max))
    return np.clip(fit + behaviour, float(settings.score_min), float(settings.score_max))


def threshold(scores: np.ndarray, share: float) -> float:
    """The lowest score that at most `share` of the leads reach (the highest score if none)."""
    values = np.unique(scores)
    for v in values:
        if (scores >= v).mean() <= share:
            return float(v)
    return float(values[-1]) if len(values) else 0.0


def _rule_of(piece: Piece, points: int):
    if piece.side == "fit":
        return FitRule(piece.column, piece.operator, piece.value, points)
    return BehaviourRule(piece.text()[:100], piece.column, points, kind="condition", operator=piece.operator,
                         value=piece.value)


def suggest(model: Model, pieces: list, hits: np.ndarray, won: np.ndarray, train: np.ndarray,
            capacity: float, seed: int = 0) -> Suggestion:
    """Learn the pieces' weights on the training leads (won: bool per lead) and make the model."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    s = model.settings
    weights = np.zeros(len(pieces))
    if len(pieces):
        # The pieces hold for few leads each: a sparse matrix makes each of the solver's steps cheap
        # (41,188 bank leads x 119 pieces: 4.0 s dense, 1.0 s sparse, the same weights). The steps of a
        # number column are nested, so the solver converges slowly: at its default tolerance (1e-4) it
        # stops far enough from the optimum to cost holdout AUC (0.797 against 0.801 at 1e-5, in 4 s).
        x = sparse.csr_matrix(hits[train], dtype=np.float64)
        fitted = LogisticRegression(C=STRENGTH, max_iter=2000, tol=1e-5, random_state=seed).fit(x, won[train])
        weights = fitted.coef_[0]
    counts = hits[train].sum(axis=0) if len(pieces) else np.zeros(0)
    totals, groups, monotone = _totals(pieces, weights, counts)
    best = {"fit": 0.0, "behaviour": 0.0}
    for members in groups.values():
        best[pieces[members[0]].side] += max(0.0, float(totals[members].max()))
    room = {"fit": float(s.fit_max), "behaviour": float(s.behaviour_max)}
    factors = [room[side] / best[side] for side in best if best[side] > 0]
    scale = min(factors) if factors else 0.0
    points = _points(pieces, totals, groups, scale)
    side = np.array([p.side == "fit" for p in pieces], dtype=bool)
    raw = hits.astype(np.int64) * points if len(pieces) else np.zeros((len(hits), 0), np.int64)
    fit = np.minimum(raw[:, side].sum(axis=1), float(s.fit_max))
    scores = held_points(raw[:, side].sum(axis=1), raw[:, ~side].sum(axis=1), s)
    suggested = copy.deepcopy(model)
    rules, origins = _rules(model, pieces, points)
    suggested.fit_rules, suggested.behaviour_rules = rules["fit"], rules["behaviour"]
    suggested.groups = []
    suggested.grade_bands = _grade_bands(model.grade_bands, fit[train])
    found = Suggestion(suggested, pieces, points, scores, scale, 0.0, 0.0, hits, origins["fit"] + origins["behaviour"],
                       monotone)
    place_thresholds(found, model, scores, train, capacity)
    return found


def place_thresholds(found: Suggestion, model: Model, scores: np.ndarray, train: np.ndarray, capacity: float) -> None:
    """Set the suggestion's SQL and MQL thresholds and score bands from the leads' scores (the
    training part's) and the capacity; scores become the suggestion's. calibrate calls it again
    with the scores that rules over events add to."""
    s = model.settings
    sql = threshold(scores[train], capacity)
    # MQL below SQL, so that it takes leads of its own (an equal threshold would never be reached).
    mql = min(threshold(scores[train], MQL_FACTOR * capacity), max(sql - 1, float(s.score_min)))
    found.model.status_rules = _thresholds(model.status_rules, mql, sql)
    found.model.score_bands = score_bands(model.score_bands, scores[train], capacity, s.score_max, (sql, mql))
    found.scores, found.mql, found.sql = scores, mql, sql


def _rules(model: Model, pieces: list, points: np.ndarray) -> tuple[dict, dict]:
    """Per side, the suggested rules and the piece each comes from: first every existing rule in
    its order, with the points of the piece that keeps its condition (0 when none does), no group;
    then a new rule for each other piece with points."""
    kept = {(p.side, p.rule): k for k, p in enumerate(pieces) if p.rule is not None}
    rules, origins = {"fit": [], "behaviour": []}, {"fit": [], "behaviour": []}
    for side, existing in (("fit", model.fit_rules), ("behaviour", model.behaviour_rules)):
        for i, rule in enumerate(existing):
            k = kept.get((side, i))
            rules[side].append(replace(rule, points=0 if k is None else int(points[k]), group=""))
            origins[side].append(k)
    for k, (piece, value) in enumerate(zip(pieces, points)):
        if piece.rule is None and value != 0:
            rules[piece.side].append(_rule_of(piece, int(value)))
            origins[piece.side].append(k)
    return rules, origins


def _thresholds(rules: list, mql: float, sql: float) -> list:
    """The status rules with the highest threshold moved to sql and the next one to mql."""
    order = sorted(range(len(rules)), key=lambda i: -float(rules[i].min_score))
    out = [StatusRule(r.status, r.min_score, tuple(r.grades)) for r in rules]
    for rank, i in enumerate(order[:2]):
        out[i].min_score = int(sql if rank == 0 else mql)
    return out


def _grade_bands(bands: list, fit: np.ndarray) -> list:
    """The grade bands with minimums cut at the GRADE_SHARES of the training leads' fit points,
    falling strictly from the best grade down (the lowest grade keeps its blank minimum)."""
    out = [GradeBand(b.grade, b.min_fit) for b in bands]
    numbered = [i for i, b in enumerate(bands) if b.min_fit is not None]
    n = len(numbered)
    shares = GRADE_SHARES if n == len(GRADE_SHARES) else [(k + 1) / (n + 1) for k in range(n)]
    last = None
    for i, share in zip(numbered, shares):
        cut = threshold(fit, share)
        if last is not None and cut >= last:
            cut = last - 1
        out[i].min_fit = int(cut)
        last = cut
    return out


# A band label that says its numbers: "0–49", "0-49", "90+", "≥ 90".
_RANGE_LABEL = re.compile(r"\s*(\d+)\s*([\u2013\u2014-])\s*(\d+)\s*")
_TOP_LABEL = re.compile(r"\s*(?:(\d+)\s*\+|(?:\u2265|>=)\s*(\d+))\s*")


def _numbered_labels(bands: list) -> str | None:
    """The dash of labels like "0–49", "50–89", "90+" when every band's label says its own numbers
    (range labels below the top one, an open label on top), else None."""
    dash = "\u2013"
    for i, b in enumerate(bands):
        text = str(b.label)
        if i == len(bands) - 1 and len(bands) > 1:
            if _TOP_LABEL.fullmatch(text) is None:
                return None
            continue
        m = _RANGE_LABEL.fullmatch(text)
        if m is None:
            return None
        dash = m.group(2)
    return dash


def band_label(low: int, high: int | None, dash: str = "\u2013") -> str:
    """A score band's label from its numbers: "30–44", "45" (a band of one score), or "46+" for the top band."""
    if high is None:
        return f"{low}+"
    return str(low) if high == low else f"{low}{dash}{high}"


def score_bands(bands: list, scores: np.ndarray, capacity: float, score_max, thresholds=()) -> list:
    """The score bands with minimums at the SQL threshold (top band), the MQL threshold (the next)
    and twice the share again below, rising strictly; the lowest band keeps its minimum. Labels
    that say their numbers are made from the new ones; other labels stay. thresholds: the
    suggested (SQL, MQL) thresholds, which the top bands take."""
    out = [ScoreBand(b.label, b.min_score) for b in bands]
    if len(out) < 2 or not len(scores) or isinstance(out[0].min_score, bool) or \
            not isinstance(out[0].min_score, (int, float)):
        return out
    share, cuts = capacity, []
    for _ in range(len(out) - 1):
        cuts.append(threshold(scores, min(share, 1.0)))
        share *= MQL_FACTOR
    cuts[:len(thresholds)] = list(thresholds)[:len(cuts)]
    mins = [float(out[0].min_score)] + cuts[::-1]
    top = float(score_max)
    for k in range(1, len(mins)):  # Strictly rising from the lowest band, within the score range.
        mins[k] = max(mins[k], mins[k - 1] + 1)
    for k in range(len(mins) - 1, 0, -1):
        mins[k] = min(mins[k], top - (len(mins) - 1 - k))
    if any(b <= a for a, b in zip(mins, mins[1:])):
        return out  # No room for the bands (a score range narrower than the bands): keep them.
    dash = _numbered_labels(bands)
    for k, band in enumerate(out):
        band.min_score = int(mins[k])
        if dash is not None:
            high = None if k == len(out) - 1 else int(mins[k + 1]) - 1
            band.label = band_label(int(mins[k]), high, dash)
    return out

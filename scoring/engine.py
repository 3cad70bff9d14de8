"""score(leads, model): grades, scores, statuses, actions, reasons and problems.

Everything works on whole columns; the only Python loops run over rules and
over the distinct values of a column, never over leads.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .model import NUMERIC_OPERATORS, Model, ModelError, Problem, split_list
from .parse import BAD, OK, Column, text_key
from .rules import evaluate
from .texts import text

OUTPUTS = ("fit", "grade", "behaviour", "score", "rating", "status", "action", "reasons", "problems")
LEAD_STATUSES = ("Lead", "MQL", "SQL")
MAX_COUNT = 1_000_000


def number_text(x: float) -> str:
    """15.0 -> '15', 2.5 -> '2.5'."""
    x = round(float(x), 6)
    return str(int(x)) if x.is_integer() else f"{x:.6f}".rstrip("0")


def signed(x: float) -> str:
    """Points as reasons show them: '+15', '−10' (a true minus sign)."""
    return ("+" if x >= 0 else "\u2212") + number_text(abs(x))


def rule_label(rule) -> str:
    if rule.label:
        return rule.label
    value = rule.value
    if rule.operator in ("is blank", "not blank"):
        return f"{rule.column} {rule.operator}"
    if rule.operator in ("in", "not in", "between", "contains"):
        value = ";".join(split_list(value))
    elif isinstance(value, float):
        value = number_text(value)
    sep = " " if rule.operator[0].isalpha() else ""
    return f"{rule.column}{sep}{rule.operator}{sep}{value}"


class _Text:
    """Builds one '; '-separated text per lead from coded pieces.

    Each part is (codes, pieces): per lead a code k shows pieces[k], -1 shows
    nothing. Texts are joined once per distinct combination of codes and then
    spread to the leads, so a million leads cost what their distinct cases cost.
    """

    def __init__(self, n: int):
        self.n = n
        self.parts = []

    def add(self, mask: np.ndarray, piece: str) -> None:
        """Show piece where mask holds."""
        if mask.any():
            self.parts.append((mask.view(np.int8) - np.int8(1), np.array([piece], dtype=object)))

    def add_coded(self, codes: np.ndarray, pieces) -> None:
        if (codes >= 0).any():
            self.parts.append((codes, np.asarray(pieces, dtype=object)))

    def result(self) -> np.ndarray:
        if not self.parts:
            return np.full(self.n, "", dtype=object)
        key = np.zeros(self.n, dtype=np.int64)
        for codes, pieces in self.parts:
            radix = len(pieces) + 1
            if (int(key.max()) + 1) * radix >= 2 ** 62:
                key = pd.factorize(key)[0].astype(np.int64)  # Keep the key dense.
            key *= radix
            key += codes
            key += 1
        inverse, uniques = pd.factorize(key)
        first = np.empty(len(uniques), dtype=np.int64)
        first[inverse[::-1]] = np.arange(self.n - 1, -1, -1)
        texts = np.full(len(uniques), "", dtype=object)
        for codes, pieces in self.parts:
            shown = codes[first]
            at = np.flatnonzero(shown >= 0)
            with_sep = np.array([p + "; " for p in pieces], dtype=object)
            texts[at] = texts[at] + with_sep[shown[at]]
        texts = np.array([t[:-2] for t in texts], dtype=object)
        return texts[inverse]


def _find_columns(leads: pd.DataFrame, model: Model) -> tuple[dict, list]:
    """Map every column a rule names to a lead column; list the ones missing."""
    by_key = {text_key(c): c for c in leads.columns}
    role_key = text_key(model.settings.role_level_column)
    found, missing = {}, []
    wanted = [("fit rule", i, r.column) for i, r in enumerate(model.fit_rules)]
    wanted += [("behaviour rule", i, r.column) for i, r in enumerate(model.behaviour_rules)]
    for block, i, name in wanted:
        key = text_key(name)
        if key in by_key:
            found[name] = by_key[key]
        elif key == role_key and text_key(model.settings.role_column) in by_key:
            found[name] = None  # Derived from the role text through the Roles table.
        else:
            missing.append(Problem(block, i, "column", f"{name!r} is not a column of the leads "
                                   f"(columns: {', '.join(map(str, leads.columns))})"))
    return found, missing


def _flag(problems: "_Text", column: Column, bad: np.ndarray, message: str) -> None:
    """Add "Column: 'value' message" to the problems of leads where bad holds."""
    codes, uniques = column.factors
    pieces = [f"{column.name}: {str(v)!r} {message}" for v in uniques]
    problems.add_coded(np.where(bad, codes, -1), pieces)


def _role_levels(leads, model, problems: _Text, language: str) -> np.ndarray:
    by_key = {text_key(c): c for c in leads.columns}
    column = Column(leads[by_key[text_key(model.settings.role_column)]])
    levels = {text_key(k): float(v) for k, v in model.roles.items()}
    keys, _ = column.unique_keys()
    per_unique = np.array([levels.get(k, np.nan) for k in keys], dtype=float)
    values = column.spread(per_unique, np.nan)
    unknown = np.isnan(values) & ~column.blank()
    _flag(problems, column, unknown, text(language, "not a role"))
    return values


def _fit(leads, model, columns, reasons, problems) -> np.ndarray:
    s = model.settings
    n = len(leads)
    fit = np.zeros(n)
    cache, flagged = {}, set()
    for rule in model.fit_rules:
        source = columns[rule.column]
        if source is None:
            if "__role__" not in cache:
                levels = _role_levels(leads, model, problems, s.language)
                cache["__role__"] = Column(pd.Series(levels, index=leads.index, name=rule.column), s.decimal)
            column = cache["__role__"]
        else:
            column = cache.setdefault(source, Column(leads[source], s.decimal))
        hit, bad = evaluate(column, rule, s.decimal)
        fit += np.where(hit, float(rule.points), 0.0)
        reasons.add(hit, f"{rule_label(rule)} {signed(rule.points)}")
        if rule.operator in NUMERIC_OPERATORS and source not in flagged and bad.any():
            flagged.add(source)
            _flag(problems, column, bad, text(s.language, "not a number"))
    return fit


def _behaviour(leads, model, columns, reasons, problems) -> np.ndarray:
    s = model.settings
    total = np.zeros(len(leads))
    cache, flagged = {}, set()
    for rule in model.behaviour_rules:
        source = columns[rule.column]
        column = cache.setdefault(source, Column(leads[source], s.decimal))
        # Work per distinct value of the column, then spread to the leads.
        codes_l, ucounts, ustate = column.counts_by_value()
        with np.errstate(invalid="ignore"):
            # A count is a whole number from 0 to a million; anything else is a typo.
            uusable = (ustate == OK) & (ucounts >= 0) & (ucounts <= MAX_COUNT) & (np.mod(ucounts, 1) == 0)
        ubad = (ustate == BAD) | ((ustate == OK) & ~uusable)
        if ubad.any() and source not in flagged:
            flagged.add(source)
            _flag(problems, column, np.append(ubad, False)[codes_l], text(s.language, "not a count"))
        uc = np.where(uusable, ucounts, 0.0)
        up = uc * float(rule.points)
        if rule.cap is not None:
            up = np.clip(up, -abs(float(rule.cap)), abs(float(rule.cap)))
        total += np.append(up, 0.0)[codes_l]
        pieces, piece_of = [], np.full(len(uc) + 1, -1, dtype=np.int64)
        seen = {}
        for i, (c, p) in enumerate(zip(uc, up)):
            if c == 0 or p == 0:
                continue
            capped = rule.cap is not None and abs(c * float(rule.points)) > abs(float(rule.cap))
            times = "" if c == 1 else f" \u00d7{number_text(c)}"
            note = f" ({text(s.language, 'cap')})" if capped else ""
            piece = f"{rule.name}{times} {signed(p)}{note}"
            if piece not in seen:
                seen[piece] = len(pieces)
                pieces.append(piece)
            piece_of[i] = seen[piece]
        reasons.add_coded(piece_of[codes_l], pieces)
    return total


def _adjust(reasons, value, low, high, cap_word, floor_word, language):
    """Hold value within [low, high]; note the difference as a reason."""
    held = np.clip(value, low, high) if low is not None else np.minimum(value, high)
    diff = held - value
    for mask, word in ((diff < 0, cap_word), (diff > 0, floor_word)):
        if word and mask.any():
            codes, uniq = pd.factorize(diff)
            pieces = [f"{text(language, word)} {signed(d)}" for d in uniq]
            reasons.add_coded(np.where(mask, codes, -1), pieces)
    return held


def _stages(leads, model, status, action, problems) -> None:
    """Keep a stage set by sales: its status is the stage, its action says so."""
    s = model.settings
    by_key = {text_key(c): c for c in leads.columns}
    if text_key(s.stage_column) not in by_key:
        return
    column = Column(leads[by_key[text_key(s.stage_column)]])
    sales = {text_key(x): x for x in s.sales_stages}
    allowed = {text_key(x) for x in LEAD_STATUSES} | {text_key(r.status) for r in model.status_rules}
    allowed.add(text_key(s.default_status))
    keys, _ = column.unique_keys()
    kept = column.spread(np.array([sales.get(k, "") for k in keys], dtype=object), "")
    unknown = column.spread(np.array([bool(k) and k not in sales and k not in allowed for k in keys]), False)
    owned = kept != ""
    status[owned] = kept[owned]
    action[owned] = text(s.language, "owned by sales")
    if unknown.any():
        names = list(dict.fromkeys([*LEAD_STATUSES, *s.sales_stages]))
        _flag(problems, column, unknown, f"{text(s.language, 'not a stage')} ({', '.join(names)})")


def _as_int_if_whole(values: np.ndarray):
    return values.astype(np.int64) if np.all(np.mod(values, 1) == 0) else values


def score(leads: pd.DataFrame, model: Model) -> pd.DataFrame:
    """Score every lead; returns one row per lead with the OUTPUTS columns.

    Raises ModelError when the model is invalid or names columns the leads lack.
    Bad lead values never raise: they are listed in the 'problems' column.
    """
    model.validate()
    columns, missing = _find_columns(leads, model)
    if missing:
        raise ModelError(missing)
    s = model.settings
    n = len(leads)
    reasons, problems = _Text(n), _Text(n)

    fit = _fit(leads, model, columns, reasons, problems)
    behaviour = _behaviour(leads, model, columns, reasons, problems)
    behaviour = _adjust(reasons, behaviour, 0.0, float(s.behaviour_max),
                        "behaviour cap", "behaviour floor", s.language)
    fit_part = _adjust(reasons, fit, None, float(s.fit_max), "fit cap", None, s.language)
    total = _adjust(reasons, fit_part + behaviour, float(s.score_min), float(s.score_max),
                    "score cap", "score floor", s.language)

    bands = sorted(model.grade_bands, key=lambda b: -np.inf if b.min_fit is None else b.min_fit)
    mins = np.array([-np.inf if b.min_fit is None else float(b.min_fit) for b in bands])
    letters = [b.grade for b in bands]
    gidx = np.clip(np.searchsorted(mins, fit, side="right") - 1, 0, None)
    grade = np.array(letters, dtype=object)[gidx]
    band_mins = np.array([float(b.min_score) for b in model.score_bands])
    band = np.clip(np.searchsorted(band_mins, total, side="right") - 1, 0, None)
    nb = len(band_mins)
    action_table = np.array([model.matrix[g][b] for g in letters for b in range(nb)], dtype=object)
    action = action_table[gidx * nb + band]
    # Status: code 0 = default, k = k-th status rule (first match wins).
    scode = np.zeros(n, dtype=np.int8)
    for k, rule in reversed(list(enumerate(model.status_rules, start=1))):
        hit = total >= float(rule.min_score)
        if rule.grades:
            hit &= np.isin(gidx, [i for i, g in enumerate(letters) if g in rule.grades])
        scode[hit] = k
    status = np.array([s.default_status] + [r.status for r in model.status_rules], dtype=object)[scode]
    _stages(leads, model, status, action, problems)

    codes, uniq = pd.factorize(total)
    texts = [number_text(u) for u in uniq]
    rating = np.array([g + t for g in letters for t in texts], dtype=object)[gidx * len(uniq) + codes]
    return pd.DataFrame({
        "fit": _as_int_if_whole(fit),
        "grade": grade,
        "behaviour": _as_int_if_whole(behaviour),
        "score": _as_int_if_whole(total),
        "rating": rating,
        "status": status,
        "action": action,
        "reasons": reasons.result(),
        "problems": problems.result(),
    }, index=leads.index, copy=False)

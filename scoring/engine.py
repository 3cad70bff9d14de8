"""score(leads, model): grades, scores, statuses, actions, reasons and problems.

Everything works on whole columns; the only Python loops run over rules and
over the distinct values of a column, never over leads. Reasons and problems
are kept as data (explain.Parts: which rule gave how many points, which cell
value could not be used) and formatted as text only at the end, once per
distinct combination.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .columns import by_meaning, find, not_a_column
from .defaults import HEADERS
from .dates import read_date
from .events import evaluate_events
from .explain import LeadProblem, Parts, Reason, number_text, signed
from .explain import rule_label as explain_label
from .factorize import factorize
from .duplicates import Duplicates, find_duplicates, needed_columns
from .groups import RulePoints, Tally
from .hygiene import HYGIENE_KINDS, hygiene_hits
from .outcomes import UNREADABLE, outcome_codes
from .model import NUMERIC_OPERATORS, CheckedModel, Model, ModelError, Problem, in_sheet_order
from .parse import AMBIGUOUS, BAD, MAX_AMOUNT, MAX_COUNT, OK, Column, ambiguous_message, is_blank, text_key
from .rules import evaluate
from .texts import text

OUTPUTS = ("fit", "grade", "behaviour", "score", "rating", "status", "action", "reasons", "problems")
LEAD_STATUSES = ("Lead", "MQL", "SQL")

__all__ = ["OUTPUTS", "Scored", "evaluate_leads", "missing_columns", "number_text", "rule_label", "score",
           "signed"]


def rule_label(rule, language: str = "en", parsed=None) -> str:
    """How reasons name a fit rule: its Label, else its column and condition in words (explain.rule_label)."""
    return explain_label(rule, language, parsed)


@dataclass
class Scored:
    """What scoring found: the output columns, and the reasons and problems as data."""

    frame: pd.DataFrame
    reasons: Parts
    problems: Parts
    checked: CheckedModel
    duplicates: Duplicates | None = None  # The duplicate groups, when the Duplicates by setting asks.
    set_aside: np.ndarray | None = None  # Per lead: junk or a duplicate, so it gets no tasks.
    hygiene: dict | None = None  # Behaviour rule index -> per lead, whether its hygiene check flags it.
    events: object = None  # scoring.events.EventResult: the events' leads, marks and the event rules' points.


def _role_hint(leads: pd.DataFrame | None, model: Model) -> str:
    """Where the job titles seem to be: the lead column whose values are most often in the Roles table."""
    if leads is None or not model.roles or not len(leads):
        return ""
    roles = {text_key(r) for r in model.roles}
    best, share = None, 0.0
    for name in leads.columns:
        keys, _ = Column(leads[name]).unique_keys()
        codes, _ = Column(leads[name]).factors
        known = np.array([k in roles for k in keys] + [False])[codes]
        filled = int((codes >= 0).sum())
        if filled and known.sum() / filled > share:
            best, share = name, known.sum() / filled
    if best is None or share < 0.5:
        return ""
    return f"; the job titles seem to be in {str(best)!r} ({share:.0%} of its values are in the Roles table)"


def _find_columns(columns, checked: CheckedModel, leads: pd.DataFrame | None = None) -> tuple[dict, list]:
    """Map every column a rule names to a lead column; list the ones missing."""
    columns = list(columns)
    model = checked.model
    s = model.settings
    role_key = text_key(s.role_level_column) if s.role_level_column else None
    role_column = find(columns, s.role_column) if s.role_column else None
    found, missing, role_missing = {}, [], False
    wanted = [("fit rule", i, r.column) for i, r in enumerate(model.fit_rules)]
    wanted += [("behaviour rule", i, r.column) for i, r in enumerate(model.behaviour_rules)]
    for block, i, name in wanted:
        if not name:
            continue  # A blank column name is a problem of the rule itself (model.check).
        column = find(columns, name)
        if column is not None:
            found[name] = column
        elif block == "fit rule" and role_key and text_key(name) == role_key:
            if role_column is not None:
                found[name] = None  # Derived from the role text through the Roles table.
            elif not role_missing:
                role_missing = True
                missing.append(Problem(
                    "settings", None, "role_column",
                    f"{not_a_column(s.role_column, columns)}; the {s.role_level_column!r} rules read "
                    f"the job title from it{_role_hint(leads, model)}", attribute="role_column",
                    value=s.role_column))
        else:
            missing.append(Problem(block, i, "column", not_a_column(name, columns),
                                   attribute="column", value=name))
    for key, meaning in needed_columns(columns, s.duplicate_keys):
        missing.append(Problem("settings", None, "duplicate_keys", f"{key!r} needs a {HEADERS[meaning][0]!r} "
                               f"column ({not_a_column(HEADERS[meaning][0], columns)}); add it, or take {key!r} "
                               "out of the setting", attribute="duplicate_keys", value=";".join(s.duplicate_keys)))
    if s.outcome_column and find(columns, s.outcome_column) is None:
        missing.append(Problem("settings", None, "outcome_column", f"{not_a_column(s.outcome_column, columns)}; "
                               "name the Leads column that says what happened to each lead, or clear the setting",
                               attribute="outcome_column", value=s.outcome_column))
    return found, in_sheet_order(missing)


def missing_columns(columns, model: Model | CheckedModel, leads: pd.DataFrame | None = None) -> list[Problem]:
    """The problems of rules naming columns the leads lack, in sheet order (leads, when given,
    help to say where the job titles seem to be)."""
    return _find_columns(columns, checked_model(model), leads)[1]


def _flag(problems: Parts, column: Column, bad: np.ndarray, message) -> None:
    """Add "Column: 'value' message" to the problems of leads where bad holds; message is a text,
    or a function of the value."""
    codes, uniques = column.factors
    flagged = np.unique(codes[bad & (codes >= 0)])  # Only the distinct values that are flagged.
    position = np.full(len(uniques) + 1, -1, dtype=np.int64)
    position[flagged] = np.arange(len(flagged))
    items = [LeadProblem(str(column.name), uniques[k], message(uniques[k]) if callable(message) else message)
             for k in flagged]
    problems.add_coded(np.where(bad, position[codes], -1), items)


def _flag_states(problems: Parts, column: Column, state: np.ndarray, language: str, count: bool = False) -> None:
    """Flag the cells of a column that are not numbers (or counts), or are ambiguous numbers."""
    bad = state == BAD
    if bad.any():
        _flag(problems, column, bad, text(language, "not a count" if count else "not a number"))
    unclear = state == AMBIGUOUS
    if unclear.any():
        _flag(problems, column, unclear, lambda value: ambiguous_message(value, language))


def _role_levels(leads, model, problems: Parts, language: str) -> np.ndarray:
    column = Column(leads[find(leads.columns, model.settings.role_column)], placeholders=_held(model))
    levels = {text_key(k): float(v) for k, v in model.roles.items()}
    keys, _ = column.unique_keys()
    per_unique = np.array([levels.get(k, np.nan) for k in keys], dtype=float)
    values = column.spread(per_unique, np.nan)
    unknown = np.isnan(values) & ~column.blank()
    _flag(problems, column, unknown, text(language, "not a role"))
    return values


def _fit(leads, checked, columns, reasons, problems, flagged) -> np.ndarray:
    """Fit points; flagged: (lead column, reading) whose bad cells are already among the problems."""
    model = checked.model
    s = model.settings
    tally = Tally(len(leads), model.fit_rules, model.groups, reasons, s.language)
    cache = {}
    for i, (rule, value) in enumerate(zip(model.fit_rules, checked.values)):
        source = columns[rule.column]
        if source is None:
            if "__role__" not in cache:
                levels = _role_levels(leads, model, problems, s.language)
                cache["__role__"] = Column(pd.Series(levels, index=leads.index, name=rule.column), s.decimal)
            column = cache["__role__"]
        else:
            column = cache.setdefault(source, Column(leads[source], s.decimal, _held(model)))
        hit, state = evaluate(column, rule, value)
        tally.add(i, rule, RulePoints(np.where(hit, float(rule.points), 0.0), hit, hit.view(np.int8) - np.int8(1),
                                      [Reason(rule_label(rule, s.language, value), float(rule.points), kind="fit", rule=i)]))
        if rule.operator in NUMERIC_OPERATORS and (source, "number") not in flagged and state is not None:
            flagged.add((source, "number"))
            _flag_states(problems, column, state, s.language)
    return tally.total


def _behaviour(leads, checked, columns, reasons, problems, flagged, events=None, as_of=None) -> np.ndarray:
    model = checked.model
    s = model.settings
    # Rules over the Events sheet come after the behaviour rules, in the same tally (groups, caps).
    tally = Tally(len(leads), model.behaviour_rules + model.event_rules, model.groups, reasons, s.language)
    cache, emails, hits = {}, {}, {}
    junk = np.zeros(len(leads), dtype=bool)
    values = checked.behaviour_values or [None] * len(model.behaviour_rules)
    for r, (rule, value) in enumerate(zip(model.behaviour_rules, values)):
        source = columns[rule.column]
        column = cache.setdefault(source, Column(leads[source], s.decimal, _held(model)))
        if rule.kind == "condition":
            part = _condition(column, rule, r, value, problems, flagged, s.language)
        elif rule.kind in HYGIENE_KINDS:
            hit = hits[r] = hygiene_hits(rule.kind, column, s, emails)
            if rule.kind in s.junk_kinds:
                junk |= hit
            part = RulePoints(np.where(hit, float(rule.points), 0.0), hit, hit.view(np.int8) - np.int8(1),
                              [Reason(rule.name, float(rule.points), kind="behaviour", rule=r)])
        else:
            part = _amounts(column, rule, r, problems, flagged, s.language)
        tally.add(r, rule, part)
    found = None
    if model.event_rules or events is not None:
        parts, note, found = evaluate_events(leads, events, model, as_of, s.language)
        first = len(model.behaviour_rules)
        for j, (rule, part) in enumerate(zip(model.event_rules, parts)):
            tally.add(first + j, rule, part)
        if note is not None:
            reasons.add_coded(*note)
    return tally.total, junk, hits, found


def _lead_names(leads: pd.DataFrame, positions: np.ndarray, language: str) -> np.ndarray:
    """How 'Duplicate of …' names a lead: its Lead ID, else its place in the table."""
    column = by_meaning(leads.columns, "id")
    values = leads[column].to_numpy(dtype=object)[positions] if column is not None else [None] * len(positions)
    out = []
    for position, value in zip(positions, values):
        if is_blank(value):
            out.append(text(language, "lead n").format(n=int(position) + 1))
        else:
            out.append(text_key(value) if isinstance(value, float) else str(value).strip())
    return np.array(out, dtype=object)


def _merged(dups: Duplicates, behaviour: np.ndarray, reasons: Parts, language: str) -> np.ndarray:
    """The kept leads' behaviour plus their duplicates' (the Add duplicates' behaviour setting)."""
    dropped = dups.dropped
    extra = np.bincount(dups.kept[dropped], weights=behaviour[dropped], minlength=len(behaviour))
    extra = np.round(extra, 6)
    gets = extra != 0
    if gets.any():
        codes, uniq = pd.factorize(extra)
        items = [Reason(text(language, "duplicates' behaviour"), float(u), kind="behaviour") for u in uniq]
        reasons.add_coded(np.where(gets, codes, -1), items)
    return behaviour + extra


def _condition(column, rule, r, value, problems, flagged, language) -> RulePoints:
    """A condition rule: its points once for the leads where operator and value hold."""
    hit, state = evaluate(column, rule, value)
    if rule.operator in NUMERIC_OPERATORS and (column.name, "number") not in flagged and state is not None:
        flagged.add((column.name, "number"))
        _flag_states(problems, column, state, language)
    return RulePoints(np.where(hit, float(rule.points), 0.0), hit, hit.view(np.int8) - np.int8(1),
                      [Reason(rule.name, float(rule.points), kind="behaviour", rule=r)])


def _amounts(column, rule, r, problems, flagged, language) -> RulePoints:
    """A count rule (points per occurrence: whole numbers from 0 to MAX_COUNT, yes/no) or a per unit
    rule (points per unit of a number, decimals and negatives allowed, within ±MAX_AMOUNT), capped.
    It holds (for rule groups) where the count or amount is not 0."""
    per_unit = rule.kind == "per unit"
    # Work per distinct value of the column, then spread to the leads.
    codes_l, ucounts, ustate = column.counts_by_value()
    with np.errstate(invalid="ignore"):
        if per_unit:
            uusable = (ustate == OK) & (np.abs(ucounts) <= MAX_AMOUNT)
        else:  # A count is a whole number from 0 to a million; anything else is a typo.
            uusable = (ustate == OK) & (ucounts >= 0) & (ucounts <= MAX_COUNT) & (np.mod(ucounts, 1) == 0)
    ustate = np.where((ustate == OK) & ~uusable, BAD, ustate)
    reading = "amount" if per_unit else "count"
    if (column.name, reading) not in flagged and (ustate != OK).any():
        flagged.add((column.name, reading))
        state = np.append(ustate, OK)[codes_l]
        bad = state == BAD
        if bad.any():
            _flag(problems, column, bad, text(language, "not an amount" if per_unit else "not a count"))
        unclear = state == AMBIGUOUS
        if unclear.any():
            _flag(problems, column, unclear, lambda v: ambiguous_message(v, language))
    uc = np.where(uusable, ucounts, 0.0)
    points = float(rule.points)
    # Per unit points keep 6 decimals, as points do, so that the reasons add up to the score.
    up = np.round(uc * points, 6) if per_unit else uc * points
    if rule.cap is not None:
        up = np.clip(up, -abs(float(rule.cap)), abs(float(rule.cap)))
    items, item_of = [], np.full(len(uc) + 1, -1, dtype=np.int64)
    seen = {}
    for i, (c, p) in enumerate(zip(uc, up)):
        if c == 0 or p == 0:
            continue
        capped = rule.cap is not None and abs(round(c * points, 6)) > abs(float(rule.cap))
        label = f"{rule.name} \u00d7{number_text(c, language)}" if per_unit or c != 1 else rule.name
        item = Reason(label, float(p), text(language, "cap") if capped else "", kind="behaviour", rule=r,
                      count=float(c))
        if item not in seen:
            seen[item] = len(items)
            items.append(item)
        item_of[i] = seen[item]
    holds = np.append(uc != 0, False)[codes_l] if rule.group else None
    return RulePoints(np.append(up, 0.0)[codes_l], holds, item_of[codes_l], items)


def _adjust(reasons, value, low, high, cap_word, floor_word, language):
    """Hold value within [low, high]; note the difference as a reason."""
    held = np.clip(value, low, high) if low is not None else np.minimum(value, high)
    diff = held - value
    for mask, word in ((diff < 0, cap_word), (diff > 0, floor_word)):
        if word and mask.any():
            codes, uniq = pd.factorize(diff)
            items = [Reason(text(language, word), float(d), kind="adjust") for d in uniq]
            reasons.add_coded(np.where(mask, codes, -1), items)
    return held


def _stages(leads, model, status, action, problems) -> None:
    """Keep a stage set by sales: its status is the stage, its action says so."""
    s = model.settings
    stage = find(leads.columns, s.stage_column) if s.stage_column else None
    if stage is None:
        return
    column = Column(leads[stage], placeholders=_held(model))
    sales = {text_key(x): x for x in s.sales_stages}
    allowed = {text_key(x) for x in LEAD_STATUSES} | {text_key(r.status) for r in model.status_rules}
    allowed.add(text_key(s.default_status))
    keys, _ = column.unique_keys()
    kept = column.spread(np.array([sales.get(k, "") for k in keys], dtype=object), "")
    unknown = column.spread(np.array([bool(k) and k not in sales and k not in allowed for k in keys],
                                     dtype=bool), False)
    owned = kept != ""
    status[owned] = kept[owned]
    action[owned] = text(s.language, "owned by sales")
    if unknown.any():
        names = list(dict.fromkeys([*LEAD_STATUSES, *s.sales_stages]))
        _flag(problems, column, unknown, f"{text(s.language, 'not a stage')} ({', '.join(names)})")


_DATE_TYPES = frozenset({dt.date, dt.datetime, pd.Timestamp, type(None)})


def _held(model) -> frozenset:
    """The text keys of the Placeholders setting: cells holding them read as blank."""
    return frozenset(text_key(p) for p in model.settings.placeholders)


def _dates(leads, problems: Parts, language: str, held: frozenset = frozenset()) -> None:
    """Flag Created cells that hold no date (a Unix time pasted there says what it looks like)."""
    created = by_meaning(leads.columns, "created")
    if created is None or pd.api.types.is_datetime64_any_dtype(leads[created].dtype):
        return
    values = leads[created].to_numpy(dtype=object)
    # Dates are dates: only the other cells (text, numbers) are read, once per distinct value.
    is_date = np.fromiter(map(_DATE_TYPES.__contains__, map(type, values)), dtype=bool, count=len(values))
    other = np.flatnonzero(~is_date)
    if not len(other):
        return
    codes, uniques = pd.factorize(values[other], use_na_sentinel=True)
    items, position = [], np.full(len(uniques) + 1, -1, dtype=np.int64)
    for i, value in enumerate(uniques):
        if is_blank(value) or read_date(value) is not None or (isinstance(value, str) and text_key(value) in held):
            continue
        message = text(language, "not a date")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 1e9 <= value < 4e12:
            seconds = value / 1000 if value >= 1e11 else value
            stamp = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=float(seconds))
            message = text(language, "unix time").format(date=f"{stamp:%Y-%m-%d %H:%M} UTC")
        position[i] = len(items)
        items.append(LeadProblem(str(created), value, message))
    if items:
        lead_codes = np.full(len(values), -1, dtype=np.int64)
        lead_codes[other] = position[codes]
        problems.add_coded(lead_codes, items)


def _outcomes(values: pd.Series, problems: Parts, language: str, held: frozenset) -> None:
    """Flag outcome cells that read as neither won nor lost (they count as unknown)."""
    bad = outcome_codes(values, held) == UNREADABLE
    if bad.any():
        _flag(problems, Column(values.astype(object), placeholders=held), bad, text(language, "not an outcome"))


def _as_int_if_whole(values: np.ndarray):
    return values.astype(np.int64) if np.all(np.mod(values, 1) == 0) else values


def checked_model(model) -> CheckedModel:
    """A CheckedModel as it is, or a Model checked now (ModelError when it has errors)."""
    return model if isinstance(model, CheckedModel) else model.validate()


def _taken(distinct: np.ndarray, codes: np.ndarray):
    """distinct[codes] as a frame holds it (text as pandas' text type where that is the default),
    made from the distinct values: pandas then looks at each distinct text once, not at every lead's."""
    return pd.Series(distinct, dtype=object).infer_objects().take(codes).array


def _coded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, each lead's index among them): what _taken takes (a blank is kept as it is)."""
    codes, uniques = factorize(values)
    if len(codes) and codes.min() < 0:
        blank = np.flatnonzero(codes < 0)[0]
        uniques, codes = np.append(uniques, values[blank:blank + 1]), np.where(codes < 0, len(uniques), codes)
    return uniques, codes


def evaluate_leads(leads: pd.DataFrame, model: Model | CheckedModel, events: pd.DataFrame | None = None,
                   as_of=None) -> Scored:
    """Score every lead, keeping reasons and problems as data (see Scored).

    events: the activity the event rules read (columns of scoring.events.FIELDS), counted as of
    as_of (a datetime; default now): see scoring/events.py.

    Raises ModelError when the model is invalid or names columns the leads lack.
    Bad lead values never raise: they are listed among the problems.
    """
    checked = checked_model(model)
    columns, missing = _find_columns(leads.columns, checked, leads)
    if missing:
        raise ModelError(missing)
    model = checked.model
    s = model.settings
    n = len(leads)
    reasons, problems = Parts(n), Parts(n)

    flagged = set()
    fit = _fit(leads, checked, columns, reasons, problems, flagged)
    behaviour, junk, hits, found = _behaviour(leads, checked, columns, reasons, problems, flagged, events, as_of)
    dups = find_duplicates(leads, s, _held(model)) if s.duplicate_keys else None
    if dups is not None and s.merge_behaviour == "yes":
        behaviour = _merged(dups, behaviour, reasons, s.language)
    behaviour = _adjust(reasons, behaviour, float(s.behaviour_min), float(s.behaviour_max),
                        "behaviour cap", "behaviour floor", s.language)
    fit_part = _adjust(reasons, fit, None, float(s.fit_max), "fit cap", None, s.language)
    total = _adjust(reasons, fit_part + behaviour, float(s.score_min), float(s.score_max),
                    "score cap", "score floor", s.language)
    total = np.round(total, 6)  # The points have at most 6 decimals; drop the float noise of sums.

    bands = sorted(model.grade_bands, key=lambda b: -np.inf if b.min_fit is None else b.min_fit)
    mins = np.array([-np.inf if b.min_fit is None else float(b.min_fit) for b in bands])
    letters = [b.grade for b in bands]
    gidx = np.clip(np.searchsorted(mins, fit, side="right") - 1, 0, None)
    grade_letters = np.array(letters, dtype=object)
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
    set_aside = junk.copy()
    if junk.any():
        action[junk] = s.junk_action or text(s.language, "junk")
    if dups is not None and dups.dropped.any():
        dropped = np.flatnonzero(dups.dropped)
        names = _lead_names(leads, dups.kept[dropped], s.language)
        action[dropped] = [text(s.language, "duplicate of").format(lead=name) for name in names]
        set_aside[dropped] = True
    _stages(leads, model, status, action, problems)
    _dates(leads, problems, s.language, _held(model))
    if s.outcome_column:
        _outcomes(leads[find(leads.columns, s.outcome_column)], problems, s.language, _held(model))

    codes, uniq = pd.factorize(total)
    texts = [number_text(u) for u in uniq]
    ratings = np.array([g + t for g in letters for t in texts], dtype=object)
    frame = pd.DataFrame({
        "fit": _as_int_if_whole(np.round(fit, 6)),
        "grade": _taken(grade_letters, gidx),
        "behaviour": _as_int_if_whole(np.round(behaviour, 6)),
        "score": _as_int_if_whole(total),
        "rating": _taken(ratings, gidx * len(uniq) + codes),
        "status": _taken(*_coded(status)),  # (Sales stages have changed some: coded again.)
        "action": _taken(*_coded(action)),
        "reasons": _taken(*reasons.coded_texts(s.language)),
        "problems": _taken(*problems.coded_texts(s.language)),
    }, index=leads.index, copy=False)
    return Scored(frame, reasons, problems, checked, dups, set_aside, hits, found)


def score(leads: pd.DataFrame, model: Model | CheckedModel, events: pd.DataFrame | None = None,
          as_of=None) -> pd.DataFrame:
    """Score every lead; returns one row per lead with the OUTPUTS columns (events and as_of: as for
    evaluate_leads).

    Raises ModelError when the model is invalid or names columns the leads lack.
    Bad lead values never raise: they are listed in the 'problems' column.
    """
    return evaluate_leads(leads, model, events, as_of).frame

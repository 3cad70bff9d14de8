"""Behaviour from activity logs: the points of the event rules, per lead, from a table of events.

An event is one row of an activity export: the lead (its Lead ID, else its e-mail address), when,
what (the event type: 'download', 'email clicked' ...), a detail (a page, a file, a link), and
optionally the campaign, the user agent and the IP address. An event rule (scoring.model.EventRule)
gives points for each event whose type is one of its types and whose detail or campaign contains
one of its details; only events of its window (the last N days before the run) count, each worth
points × 0.5 ** (age in days / half-life) with a half-life; then the rule's points per lead are
held within its cap. Everything is computed as of the run's time: events after it do not exist yet.

The same event twice (same lead, time, type and detail) counts once; suspect events (scoring/bots.py)
count for nothing, and the lead's reasons say how many were ignored and why. Decayed points are
rounded to whole points per rule and lead, so that reasons stay readable and add up.

Work is on whole arrays: event types, details and keys are factorized once and matched per distinct
value; each rule is a mask, and its points per lead one np.bincount.
"""
from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from . import bots
from .columns import by_meaning
from .explain import Reason, number_text, number_words
from .groups import RulePoints
from .parse import is_blank, text_key
from .texts import text

# The columns of an events table as the engine reads it (workbook/events_sheet.py maps the sheet's).
FIELDS = ("lead_id", "email", "time", "event", "detail", "campaign", "user_agent", "ip")
DAY = 86_400
EPOCH = np.datetime64("1970-01-01T00:00:00", "s")
NO_TIME = np.iinfo(np.int64).min


@dataclass
class EventResult:
    """What the events gave: per event row its lead (position, -1: none), its mark (scoring.bots:
    0 none), whether its time could be read and whether some rule counted it; per event rule the
    points per lead (after decay, rounding and cap)."""

    lead: np.ndarray
    marks: np.ndarray
    timed: np.ndarray
    counted: np.ndarray
    points: list = field(default_factory=list)
    counts: list = field(default_factory=list)  # Per rule: events counted per lead.
    as_of: dt.datetime | None = None

    def mark_texts(self, language: str, settings) -> np.ndarray:
        """Per event row: why it is suspect, in words ('' when it is not)."""
        seconds = number_text(float(settings.scanner_seconds or 0))
        words = [""] + [text(language, f"suspect: {m}").format(seconds=seconds) for m in bots.MARKS[1:]]
        return np.array(words, dtype=object)[self.marks]


@dataclass(frozen=True)
class Ignored(Reason):
    """A reason without points: how many suspect events of a lead were ignored, and why."""

    def text(self, language: str = "en") -> str:
        return self.label


def seconds_of(values) -> tuple[np.ndarray, np.ndarray]:
    """Times as whole seconds since 1970 (time zones made UTC, then dropped) and whether each could be
    read: datetimes, ISO text ('2026-03-01 10:15:00', '2026-03-01T10:15Z'), day-first text
    ('01/03/2026 10:15'), Excel serial numbers (days since 1899-12-30) and Unix times (seconds or
    milliseconds)."""
    series = pd.Series(values)
    n = len(series)
    out = np.full(n, NO_TIME, dtype=np.int64)
    if not n:
        return out, np.zeros(0, dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        stamps = series.dt.tz_convert(None) if getattr(series.dtype, "tz", None) is not None else series
        ok = stamps.notna().to_numpy()
        out[ok] = stamps[ok].to_numpy(dtype="datetime64[s]").astype(np.int64)
        return out, ok
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return _numbers(series.to_numpy(dtype=float), out)
    objects = series.to_numpy(dtype=object)
    kinds = pd.Series(objects).map(type)
    is_number = kinds.isin([int, float, np.int64, np.float64]).to_numpy()
    if is_number.any():
        _numbers(pd.to_numeric(pd.Series(objects[is_number]), errors="coerce").to_numpy(dtype=float),
                 out, np.flatnonzero(is_number))
    rest = np.flatnonzero(~is_number & ~kinds.isin([dt.time, bool, np.bool_]).to_numpy())  # A time alone is no moment.
    if len(rest):
        parsed = pd.to_datetime(pd.Series(objects[rest], dtype=object), errors="coerce", format="ISO8601", utc=True)
        _put(out, rest, parsed)
        missed = parsed.isna().to_numpy()
        if missed.any():  # Day-first text, as Italian and British exports write it.
            texts = pd.Series(objects[rest][missed], dtype=object).astype(str).str.strip()
            _put(out, rest[missed], pd.to_datetime(texts, errors="coerce", dayfirst=True, format="mixed", utc=True))
    return out, out != NO_TIME


def _put(out: np.ndarray, at: np.ndarray, parsed: pd.Series) -> None:
    """The times read (UTC, made naive) as seconds into out at these rows; the others are left."""
    ok = parsed.notna().to_numpy()
    if ok.any():
        out[at[ok]] = parsed[ok].dt.tz_convert(None).to_numpy(dtype="datetime64[s]").astype(np.int64)


def _numbers(numbers: np.ndarray, out: np.ndarray, at: np.ndarray | None = None):
    """Excel serial days (below 1,000,000), Unix seconds (from 1e9) and milliseconds (from 1e11)."""
    with np.errstate(invalid="ignore"):
        serial = (numbers > 0) & (numbers < 1_000_000)
        unix = (numbers >= 1e9) & (numbers < 1e11)
        millis = (numbers >= 1e11) & (numbers < 1e14)
    seconds = np.where(serial, np.round((numbers - 25_569) * DAY), np.where(unix, numbers, numbers / 1000))
    ok = serial | unix | millis
    values = np.where(ok, seconds, 0).astype(np.int64)
    if at is None:
        out[ok] = values[ok]
        return out, ok
    out[at[ok]] = values[ok]
    return out, out != NO_TIME


def as_seconds(when) -> int:
    """A run's time (datetime, date or Timestamp) as seconds since 1970, as event times are read."""
    if isinstance(when, dt.date) and not isinstance(when, dt.datetime):
        when = dt.datetime(when.year, when.month, when.day)
    stamp = pd.Timestamp(when)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(None)
    return int(stamp.value // 1_000_000_000)


def lead_key(value) -> str:
    """A lead key as workbook.importer.key_of compares it: without case and any space ('' for a blank)."""
    if isinstance(value, str) and value.isascii() and value.isprintable() and " " not in value:
        return value.lower()  # The usual case, quickly: nothing to drop, and ASCII's casefold is lower.
    return "" if is_blank(value) else text_key(value).replace(" ", "")


def _first_of(codes: np.ndarray, size: int) -> np.ndarray:
    """Per code 0 … size-1: the first row that has it (-1: none)."""
    first = np.full(size + 1, -1, dtype=np.int64)
    rows = np.arange(len(codes), dtype=np.int64)
    first[codes[::-1]] = rows[::-1]
    return first[:size]


def _blank_texts(values: np.ndarray) -> np.ndarray:
    """Per value: whether it is text of spaces only (or empty)."""
    if all(map(str.__instancecheck__, values)):
        return np.fromiter(map(operator.not_, map(str.strip, values)), dtype=bool, count=len(values))
    return np.fromiter((isinstance(v, str) and not v.strip() for v in values), dtype=bool, count=len(values))


def _match(lead_values: pd.Series, event_values: pd.Series) -> np.ndarray:
    """Per event: the position of the first lead with the same key, or -1. Values written the same
    way match at once (one factorize of both columns); only the others are compared as keys (case
    and spaces ignored)."""
    n = len(lead_values)
    both = pd.concat([lead_values.reset_index(drop=True), event_values.reset_index(drop=True)], ignore_index=True)
    codes, uniques = pd.factorize(both, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    lcodes, ecodes = codes[:n], codes[n:]
    first = _first_of(lcodes, len(uniques))  # Per distinct value: its first lead (-1: only events have it).
    first[_blank_texts(uniques)] = -1
    used = np.zeros(len(uniques) + 1, dtype=bool)
    used[ecodes] = True
    missed = np.flatnonzero(used[:-1] & (first < 0))
    if len(missed):
        held = np.flatnonzero(first >= 0)
        lkeys = np.array([lead_key(u) for u in uniques[held]], dtype=object)
        kcodes, kuniques = pd.factorize(lkeys)
        kfirst = np.full(len(kuniques), n, dtype=np.int64)
        np.minimum.at(kfirst, kcodes, first[held])  # The first lead of each key.
        wanted = np.array([lead_key(u) for u in uniques[missed]], dtype=object)
        at = pd.Index(kuniques, dtype=object).get_indexer(wanted) if len(kuniques) else np.full(len(missed), -1)
        first[missed] = np.where((at >= 0) & (wanted != ""), kfirst[np.maximum(at, 0)] if len(kfirst) else -1, -1)
    return np.append(first, -1)[ecodes]


def lead_positions(leads: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    """Per event: the position of its lead (same Lead ID, else the same e-mail address), or -1."""
    found = np.full(len(events), -1, dtype=np.int64)
    for meaning, field_ in (("email", "email"), ("id", "lead_id")):  # The ID wins: it is written last.
        column = by_meaning(leads.columns, meaning)
        if column is None or field_ not in events.columns or not len(leads):
            continue
        mapped = _match(leads[column], events[field_])
        found = np.where(mapped >= 0, mapped, found)
    return found


def _codes(events: pd.DataFrame, name: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A column's codes per row (-1: blank or missing) and its distinct values."""
    if name not in events.columns:
        return np.full(n, -1, dtype=np.int64), np.array([], dtype=object)
    codes, uniques = pd.factorize(events[name], use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    blank = np.array([is_blank(u) for u in uniques] + [True])
    if blank[:-1].any():
        codes = np.where(blank[codes], -1, codes)
    return codes.astype(np.int64), uniques


def _in_types(keys: np.ndarray, wanted) -> np.ndarray:
    want = {text_key(w) for w in wanted}
    return np.array([k in want for k in keys] + [False], dtype=bool)


def _duplicates(lead, seconds, event_code, detail_code, live) -> np.ndarray:
    """Per event: whether an earlier row is the same event (same lead, time, type and detail)."""
    at = np.flatnonzero(live)
    dup = np.zeros(len(lead), dtype=bool)
    if len(at) < 2:
        return dup
    e, d = event_code[at] + 1, detail_code[at] + 1
    ed = e * (int(d.max()) + 1) + d
    s = seconds[at] - int(seconds[at].min())
    width_s, width_ed = int(s.max()) + 1, int(ed.max()) + 1
    if int(lead[at].max()) + 1 < (1 << 62) // (width_s * width_ed):
        key = (lead[at] * width_ed + ed) * width_s + s
        ordered = np.sort(key)  # A sort of numbers is quick; most logs have no duplicate to find.
        if (ordered[1:] == ordered[:-1]).any():
            dup[at] = pd.Series(key).duplicated().to_numpy()
    else:
        frame = pd.DataFrame({"l": lead[at], "s": s, "ed": ed})
        dup[at] = frame.duplicated().to_numpy()
    return dup


def _label(rule, count: float, language: str) -> str:
    """'White paper ×3, last 90 days, decayed'."""
    label = rule.name if count == 1 else f"{rule.name} \u00d7{number_text(count)}"
    if rule.window is not None:
        label += ", " + text(language, "events last days").format(days=number_words(rule.window, language))
    if rule.half_life is not None:
        label += ", " + text(language, "events decayed")
    return label


def _whole(x: np.ndarray) -> np.ndarray:
    """Rounded to whole points, halves away from zero."""
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _rule_points(rule, r: int, n: int, lead, age_days, hit, language) -> tuple[RulePoints, np.ndarray, np.ndarray]:
    """One event rule over the counted events where hit holds: (RulePoints, points per lead, count)."""
    points = float(rule.points)
    lead_hit = lead[hit]
    count = np.bincount(lead_hit, minlength=n).astype(np.int64)
    if rule.half_life is not None:
        weights = points * np.exp2(-age_days[hit] / float(rule.half_life))
        raw = _whole(np.bincount(lead_hit, weights=weights, minlength=n))
    else:
        raw = np.round(count * points, 6)
    total = raw
    capped = np.zeros(n, dtype=bool)
    if rule.cap is not None:
        cap = abs(float(rule.cap))
        total = np.clip(raw, -cap, cap)
        capped = total != raw
    shown = (count > 0) & (total != 0)
    codes = np.full(n, -1, dtype=np.int64)
    items = []
    if shown.any():  # One item per distinct (count, points, capped), numbered in order of appearance.
        tcodes, tuniques = pd.factorize(total[shown])
        key = (count[shown] * len(tuniques) + tcodes) * 2 + capped[shown]
        local, uniques = pd.factorize(key)
        codes[shown] = local
        for k in uniques:
            (c, t), bites = divmod(int(k) // 2, len(tuniques)), bool(k % 2)
            p = tuniques[t]
            items.append(Reason(_label(rule, float(c), language), float(p), text(language, "cap") if bites else "",
                                kind="behaviour", rule=r, count=float(c)))
    holds = count > 0 if rule.group else None
    return RulePoints(total.astype(float), holds, codes, items), total, count


def _ignored(n: int, lead, marks, relevant, language, settings) -> tuple[np.ndarray, list] | None:
    """Per lead, the note on its suspect events that a rule would have counted (None: no such event)."""
    at = np.flatnonzero(relevant & (marks > bots.DUPLICATE))
    if not len(at):
        return None
    kinds = len(bots.MARKS)
    table = np.bincount(lead[at] * kinds + marks[at], minlength=n * kinds).reshape(n, kinds)
    some = np.flatnonzero(table.sum(axis=1) > 0)
    rows, inverse = np.unique(table[some], axis=0, return_inverse=True)
    seconds = number_text(float(settings.scanner_seconds or 0))
    items = []
    for row in rows:
        why = ", ".join(f"{text(language, 'suspect: ' + bots.MARKS[k]).format(seconds=seconds)} \u00d7{int(row[k])}"
                        for k in range(bots.AGENT, kinds) if row[k])
        total = int(row.sum())
        label = (text(language, "events ignored one") if total == 1 else text(language, "events ignored")).format(
            n=f"{total:,}" if language == "en" else f"{total:,}".replace(",", "."), why=why)
        items.append(Ignored(label, 0.0, kind="note"))
    codes = np.full(n, -1, dtype=np.int64)
    codes[some] = inverse.ravel()
    return codes, items


def evaluate_events(leads: pd.DataFrame, events: pd.DataFrame | None, model, as_of,
                    language: str = "en") -> tuple[list, tuple | None, EventResult]:
    """The event rules over events as of a time: (a RulePoints per event rule, the ignored-events
    note as (codes, items) or None, the EventResult). Without events every rule gives 0."""
    n = len(leads)
    rules = list(model.event_rules)
    s = model.settings
    when = as_of_time(as_of)
    if events is None or not len(events):
        empty = np.zeros(0, dtype=np.int64)
        result = EventResult(empty, empty.astype(np.int8), empty.astype(bool), empty.astype(bool),
                             [np.zeros(n) for _ in rules], [np.zeros(n, dtype=np.int64) for _ in rules], when)
        parts = [RulePoints(np.zeros(n), np.zeros(n, dtype=bool) if rule.group else None,
                            np.full(n, -1, dtype=np.int64), []) for rule in rules]
        return parts, None, result
    m = len(events)
    lead = lead_positions(leads, events)
    seconds, timed = seconds_of(events["time"]) if "time" in events.columns else \
        (np.full(m, NO_TIME, dtype=np.int64), np.zeros(m, dtype=bool))
    now = as_seconds(when)
    event_code, event_values = _codes(events, "event", m)
    event_keys = np.array([text_key(v) for v in event_values], dtype=object)
    # Codes by text key, so that 'Download' and 'download ' are one type.
    key_code, key_uniques = pd.factorize(pd.Series(event_keys, dtype=object)) if len(event_keys) else \
        (np.zeros(0, dtype=np.int64), np.array([], dtype=object))
    type_code = np.append(key_code, -1)[event_code]
    detail_code, detail_values = _codes(events, "detail", m)
    campaign_code, campaign_values = _codes(events, "campaign", m)
    live = (lead >= 0) & timed & (seconds <= now) & (type_code >= 0)
    marks = np.zeros(m, dtype=np.int8)
    marks[_duplicates(lead, seconds, type_code, detail_code, live)] = bots.DUPLICATE
    kind_of_type = np.zeros(len(key_uniques) + 1, dtype=np.int8)
    for kind, wanted in ((bots.DELIVERY, s.delivery_events), (bots.OPEN, s.open_events), (bots.CLICK, s.click_events)):
        kind_of_type[_in_types(np.asarray(key_uniques, dtype=object), wanted)] = kind
    kind_of_type[-1] = bots.OTHER
    agents_code, agents = _codes(events, "user_agent", m)
    scanner = np.append(bots.contains_any(agents, s.scanner_agents), False)[agents_code]
    prefetch = np.append(bots.contains_any(agents, s.prefetch_agents), False)[agents_code]
    marks = np.where(live, marks, bots.NONE).astype(np.int8)
    marks = bots.mark(np.where(live, lead, -1), seconds, kind_of_type[type_code], campaign_code, detail_code,
                      scanner, prefetch, marks, s)
    age_days = (now - seconds) / DAY
    counted = np.zeros(m, dtype=bool)
    relevant = np.zeros(m, dtype=bool)
    usable = live & (marks == bots.NONE)
    parts, totals, counts = [], [], []
    keys_of_type = np.asarray(key_uniques, dtype=object)
    for r, rule in enumerate(rules):
        wanted = np.append(_in_types(keys_of_type, rule.event), False)[type_code]
        if rule.detail:
            wanted &= (np.append(bots.contains_any(detail_values, rule.detail), False)[detail_code]
                       | np.append(bots.contains_any(campaign_values, rule.detail), False)[campaign_code])
        if rule.window is not None:
            wanted &= age_days <= float(rule.window)
        wanted &= live
        relevant |= wanted
        hit = wanted & usable
        counted |= hit
        part, total, count = _rule_points(rule, r, n, lead, age_days, hit, language)
        parts.append(part)
        totals.append(total)
        counts.append(count)
    note = _ignored(n, lead, marks, relevant, language, s)
    marks = np.where(timed & (lead >= 0) & (seconds <= now), marks, bots.NONE).astype(np.int8)
    result = EventResult(lead, marks, timed, counted, totals, counts, when)
    return parts, note, result


def as_of_time(as_of) -> dt.datetime:
    """The run's time as a datetime (now, to the second, when not given)."""
    if as_of is None:
        return dt.datetime.now().replace(microsecond=0)
    if isinstance(as_of, dt.datetime):
        return as_of
    if isinstance(as_of, dt.date):
        return dt.datetime(as_of.year, as_of.month, as_of.day)
    return pd.Timestamp(as_of).to_pydatetime()


def with_event_rules(model, rules):
    """A copy of a model with these event rules (for building models in code and in tests)."""
    return replace(model, event_rules=list(rules))

"""The report `leadscore calibrate` prints: a Calibration (scoring.calibrate) as lines of text."""
from __future__ import annotations

import pandas as pd

from scoring.calibrate import note_text


def _pct(x) -> str:
    return "—" if x is None or x != x else f"{x:.1%}"


def _lift(x) -> str:
    return "—" if x is None or x != x else f"{x:.2f}"


def _table(headers: list, rows: list, indent: str = "  ") -> list[str]:
    """Columns padded to their widest cell; the first column to the left, the others to the right."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    return [indent + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
            .rstrip() for row in cells]


def _conversion(title: str, table: pd.DataFrame) -> list[str]:
    rows = [[label, f"{int(r['leads']):,}", f"{int(r['won']):,}", _pct(r["rate"])] for label, r in table.iterrows()]
    return [f"Conversion by {title}:"] + _table([title, "leads", "won", "conversion"], rows)


def _number(x) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _interval(value, low, high) -> str:
    if value is None:
        return "—"
    return f"{value:.3f} (95% interval {low:.3f}–{high:.3f})"


def _evidence(table: pd.DataFrame, points: bool) -> list[str]:
    headers = (["points"] if points else []) + ["rule", "leads", "conversion", "others", "lift"]
    rows = [([_number(r["points"])] if points else []) +
            [r["rule"], f"{int(r['leads']):,}", _pct(r["rate"]), _pct(r["rate_other"]), _lift(r["lift"])]
            for _, r in table.iterrows()]
    if points:  # The points column first, to the right; the rule text to the left.
        lines = _table(headers[1:], [row[1:] for row in rows])
        width = max(len(h) for h in [headers[0]] + [row[0] for row in rows])
        marks = [headers[0]] + [row[0] for row in rows]
        return [f"  {m.rjust(width)}{line}" for m, line in zip(marks, lines)]
    return _table(headers, rows)


def report_lines(done, book, out=None) -> list[str]:
    """The calibration report of a workbook.calibration.Calibrated, every figure measured on the holdout,
    then what was written."""
    found = done.found
    won_share = found.test_won / found.test_leads if found.test_leads else None
    lines = [f"Calibration of {book} on the outcome column {found.outcome_column!r}: learned on "
             f"{found.train_leads:,} leads, measured on {found.test_leads:,} held-out leads "
             f"({found.test_won:,} conversions, {_pct(won_share)}).",
             f"Split: {found.split}.", "",
             f"Current model — AUC on the holdout: {_interval(found.auc, found.auc_low, found.auc_high)}"]
    t = found.tables
    for title, key in (("grade", "by_grade"), ("score band", "by_band"), ("status", "by_status")):
        lines += _conversion(title, t[key])
    deciles = t["by_decile"]
    rows = [[str(d), f"{_number(r['max_score'])}–{_number(r['min_score'])}" if r["max_score"] is not None else "—",
             f"{int(r['leads']):,}", f"{int(r['won']):,}", _pct(r["rate"])] for d, r in deciles.iterrows()]
    lines += ["Conversion by score decile (1 = highest scores):"] + _table(["decile", "scores", "leads", "won",
                                                                             "conversion"], rows)
    rows = []
    for _, r in t["capture"].iterrows():
        kind, what = r["passed"]
        name = " or ".join(what) if kind == "status" else f"top {what * 10}% by score"
        rows.append([name, _pct(r["share_leads"]), _pct(r["share_won"])])
    lines += ["Leads passed to sales against conversions captured:"] + _table(["passed", "of the leads",
                                                                               "of the conversions"], rows)
    lines += ["Rules of the current model (conversion of the leads each rule gives points to, and of the others):"]
    lines += _evidence(found.rules, points=False)
    lines += [""] + (["Warnings:"] + [f"  {w}" for w in found.warnings] if found.warnings else ["Warnings: none."])
    if found.suggestion is not None:
        lines += _suggestion_lines(found)
    target = book if out is None else out
    where = "in place" if out is None else f"to {out}"
    lines += ["", f"Wrote the sheet '{done.sheet}' ({where})."]
    if done.changes is None:
        lines.append(f"The LeadScore sheet was not changed; `leadscore calibrate {target} --apply` applies the "
                     "suggestion.")
    elif not done.changes:
        lines.append("The suggestion is the model as it is: nothing to apply.")
    else:
        lines.append(f"Applied the suggestion: {len(done.changes)} changes on the LeadScore sheet, each a row of its "
                     f"Changelog ({done.changelog}). Next: `leadscore rescore {target}` scores the leads with it.")
    lines += [f"Note: {n}." for n in done.notes]
    return lines


def _suggestion_lines(found) -> list[str]:
    """The suggested model: its AUC, rules with their evidence, grade bands and status thresholds."""
    lines = ["", f"Suggested model — learned on the training part; AUC on the holdout: "
                 f"{_interval(found.suggested_auc, found.suggested_low, found.suggested_high)}",
             "Columns learned from: " + (", ".join(f"{c} ({side})" for c, side in found.candidates) or "none")]
    if found.suggestion.monotone:
        lines.append("Bins made to rise or fall steadily with the number (the data mostly does): " +
                     ", ".join(found.suggestion.monotone))
    rules = found.suggested_rules
    for side, title in (("fit", "Fit rules"), ("behaviour", "Behaviour rules"), ("events", "Rules over events")):
        part = rules[rules["side"] == side]
        if side != "events" or len(part):  # Rules over events keep their points (a note below says so).
            lines += [f"{title}:"] + (_evidence(part, points=True) if len(part) else ["  none"])
    bands = found.suggestion.model.grade_bands
    lines.append("Suggested grade bands (fit points): " + ", ".join(
        f"{b.grade} below" if b.min_fit is None else f"{b.grade} ≥ {b.min_fit}" for b in bands))
    by_band = found.suggested_tables["by_band"]
    lines.append("Suggested score bands (held-out leads, conversion): " + ", ".join(
        f"{b.label} from {b.min_score}" + (f" ({int(by_band.loc[b.label, 'leads']):,}, "
                                           f"{_pct(by_band.loc[b.label, 'rate'])})" if b.label in by_band.index else "")
        for b in found.suggestion.model.score_bands))
    for _, r in found.capture.iterrows():
        last = r["status"].split(" or ")[-1]
        grades = f" and grade {r['grades']}" if r["grades"] else ""
        lines.append(f"Suggested {last}: score ≥ {int(r['min_score'])}{grades}; {r['status']} would pass "
                     f"{_pct(r['share_leads'])} of the held-out leads with {_pct(r['share_won'])} of their "
                     "conversions")
    for note in found.suggested_notes:
        lines.append(f"Warning about the suggested model: {note_text(note)}")
    return lines

"""plan_tasks(leads, scored, model, enrolment, as_of): the day's nurture tasks (DESIGN §4).

Pure pandas/numpy: no I/O, no Excel. Every step works on whole columns; the Python loops
run over sequences, roles, channels and distinct cell values, never over leads.

Inputs
------
- ``leads``: the Leads table as read (English or Italian headers). The columns used are found
  by meaning through ``scoring.defaults.HEADERS`` (either language, case and spaces ignored):
  id, name, company, email, owner, consent, stage, source. Any of them may be missing.
- ``scored``: ``scoring.score(leads, model)`` for the same rows (same length and order).
- ``enrolment``: same rows, columns ``sequence`` (sequence name; '' / None / NaN = not
  enrolled) and ``start`` (date, datetime, Timestamp, ISO text '2026-12-04', day-first text
  '04/12/2026' or an Excel serial number; anything else counts as blank).
- ``as_of``: the day of the run (a date; a datetime counts by its date).

Outputs
-------
``(tasks, new_enrolment)``. ``tasks`` has exactly TASK_COLUMNS: lead_id, lead, company, task
("<sequence> <n>/<steps>", e.g. "Standard 2/5"), channel, content, owner, due
(datetime.date), priority (int), reason; today's work first: the tasks due by the next business
day (today's steps, the SQL calls) by priority, due, lead id (then step); then the later steps
by due, priority, lead id (then step); index reset. ``new_enrolment`` is ``enrolment`` (same index, other columns kept) with ``sequence``
(the model's spelling of the name, or None) and ``start`` (datetime.date or None) replaced.

Rules
-----
1. Target. A lead's target sequence is the sequence of the ActionPlan of its action (actions
   compared ignoring case and spaces; an action without a plan, a plan with a blank sequence
   or a sequence the model does not have means no sequence: Wait / No action give no task).
   A lead whose status is a sales stage (``model.settings.sales_stages``), or whose Stage
   cell holds one, gets no task and its enrolment is cleared; so does a junk lead or a
   duplicate of another lead (``Scored.set_aside``).
2. Enrolment. A lead already in its target sequence stays in it with its start date (it is
   never enrolled again, even when the sequence has run out: a lead that stays MQL gets the
   standard sequence once). A lead in another sequence switches to its target, starting on
   as_of, only when the target's plan priority is better (a lower number) than the current
   sequence's (the best priority of the plans that use it; a sequence no plan uses gives way
   to any target). Otherwise it finishes its current sequence: once the due date of the
   sequence's last step is before as_of, it is enrolled in its target starting on as_of, or
   its enrolment is cleared when it has none. A lead not enrolled whose target is a
   sequence is enrolled on as_of. Sequence names in the enrolment are matched ignoring case
   and spaces; a name the model does not know counts as not enrolled. A sequence without a
   (readable) start date counts as started on as_of. A start date after as_of is kept.
3. Due date of a step = ``numpy.busday_offset(start, day, roll='forward', holidays=model.holidays)``:
   weekends and holidays are skipped, day 0 on a weekend or holiday rolls to the next
   business day.
4. The day's list. Enrolments that start on as_of list their whole plan (every step, with
   its future due date): that is the plan a person can put in a calendar. Earlier
   enrolments list the steps due on as_of, nothing else: a step whose due day had no run is
   not carried over (it was on the list of the enrolment day, with its date). So a step
   appears on the enrolment day's list and again, as that day's to-do, on its due day when
   that is later (same lead id, task and due date: calendar imports update instead of
   duplicating). The list depends only on the inputs, so a second run on the same day, with
   the same enrolment or with the enrolment the first run returned, gives the same tasks.
5. Channel. SMS and WhatsApp steps only for leads whose consent cell says yes (yes, y,
   true, 1, x, sì, si; any case); without consent the step goes by Email when the lead has
   an email address, else by Phone. An Email step for a lead whose Email cell holds no
   address ('@') goes by Phone. When the leads have no Email column, every lead counts as
   having an address (it is kept elsewhere); without a consent column nobody has consent.
   A change of channel is noted at the end of the reason.
6. Owner. The lead's Owner cell when set (a team member's name typed in another case gets
   the team's spelling; placeholders such as '-', 'n/a', 'N.D.', 'tbd' count as blank). Otherwise a member of ``model.team`` whose role is
   the step's owner role (ignoring case), taken in turn by the lead's place among all the
   leads in lead id order (numeric ids by number, then text ids, blank ids last, ties by
   row): the spread is even over the table, and a lead gets the same person on every
   day's list and for every step of that role. With no member of that role, the owner is
   the role's name.
7. Priority. The plan priority of the lead's action when the task belongs to its target
   sequence; for a sequence it is finishing, the best priority of the plans using that
   sequence (the worst plan priority when no plan uses it).
8. Reason. "<status> · <rating> · new in <sequence>" or "… · day N of <sequence>" (N =
   business days since the start), then the lead's three reasons with the most points,
   positive points only, caps and floors left out ("Demo or trial requested +20; Pricing
   page visit ×3 +15; Role level>=3 +15"), then any channel change.
9. Content. Every task that ends up as a Phone call (the SQL call, the standard sequence's
   closing call, and messages that fell back to the phone) carries what the caller needs:
   "<step content> — Source: <source>; seen: <behaviours, e.g. Demo or trial requested,
   Pricing page visit ×3>; score <rating>", missing parts left out.
10. Lead. The Name cell, else the Email cell; lead_id is the id cell as it is ('' when blank).
Words follow ``model.settings.language`` (English or Italian).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .columns import by_meaning
from .dates import read_date as _as_date
from .engine import Scored, checked_model, evaluate_leads
from .model import CHANNEL_WORDS, CHANNELS, CheckedModel, Model
from .parse import text_key

TASK_COLUMNS = ("lead_id", "lead", "company", "task", "channel", "content", "owner", "due",
                "priority", "reason")
LEAD_FIELDS = ("id", "name", "company", "email", "owner", "consent", "stage", "source")
CONSENT_YES = frozenset({"yes", "y", "true", "1", "1.0", "x", "sì", "si"})
MESSAGING = ("SMS", "WhatsApp")
# Owner cells that mean nobody: the lead goes round-robin to the team.
NO_OWNER = frozenset({"", "-", "--", "?", "n/a", "na", "n.a.", "n.d.", "nd", "tbd", "none", "nobody",
                      "unassigned", "nessuno", "da assegnare", "da verificare"})
SEP = " \u00b7 "
NAT = np.datetime64("NaT", "D")

WORDS = {
    "en": {"new": "new in {seq}", "day": "day {n} of {seq}", "source": "Source", "seen": "seen",
           "score": "score", "no consent": "no consent for {old}: {new} instead",
           "no consent no email": "no consent for {old} and no email: {new} instead",
           "no email": "no email address: {new} instead of {old}"},
    "it": {"new": "nuovo in {seq}", "day": "giorno {n} di {seq}", "source": "Fonte", "seen": "visto",
           "score": "punteggio", "no consent": "senza consenso per {old}: {new}",
           "no consent no email": "senza consenso per {old} né email: {new}",
           "no email": "senza indirizzo email: {new} invece di {old}"},
}



# --- Reading cells ----------------------------------------------------------------------

def _per_value(values, fn, dtype, blank):
    """fn applied once per distinct value of a column (blank cells get `blank`), spread to rows."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    table = np.array([fn(u) for u in uniques] + [blank], dtype=dtype)
    return table[codes]


def _texts(values) -> np.ndarray:
    """Cell values as trimmed text ('' for blanks), vectorised."""
    s = pd.Series(np.asarray(values, dtype=object), dtype=object)
    blank = s.isna().to_numpy()
    out = s.where(~blank, "").astype(str).str.strip().to_numpy(dtype=object)
    return out


def _columns(leads: pd.DataFrame, model: Model) -> dict:
    """Meaning -> lead column, by either language's header (case and spaces ignored)."""
    found = {}
    for meaning in LEAD_FIELDS:
        extra = (model.settings.stage_column,) if meaning == "stage" else ()
        column = by_meaning(leads.columns, meaning, *extra)
        if column is not None and column not in found.values():
            found[meaning] = column
    return found


def _id_rank(ids, n: int) -> np.ndarray:
    """Each lead's place in lead-id order: numbers by value, then text, blanks last, ties by row."""
    if ids is None:
        return np.arange(n)
    s = pd.Series(np.asarray(ids, dtype=object), dtype=object)
    txt = _texts(s)
    blank = txt == ""
    num = pd.to_numeric(s.where(~blank), errors="coerce").to_numpy(dtype=float)
    kind = np.where(blank, 2, np.where(np.isnan(num), 1, 0))
    text_rank = pd.factorize(np.char.lower(txt.astype(str)) if n else txt, sort=True)[0]
    order = np.lexsort((np.arange(n), text_rank, np.nan_to_num(num, nan=0.0), kind))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank


# --- The model's sequences and plans ----------------------------------------------------

class _Sequences:
    """Sequences of the model as arrays: one global row per step, in sequence then step order."""

    def __init__(self, model: Model):
        names = list(dict.fromkeys(str(st.sequence).strip() for st in model.sequences
                                   if str(st.sequence or "").strip()))
        self.names = names
        self.code = {}
        for i, name in enumerate(names):
            self.code.setdefault(text_key(name), i)
        channels = {c.casefold(): c for c in CHANNELS}
        rows = []
        self.first, self.count, self.last_day = [], [], []
        for i, name in enumerate(names):
            steps = sorted((st for st in model.sequences if str(st.sequence).strip() == name),
                           key=lambda st: (st.step, st.day))
            self.first.append(len(rows))
            self.count.append(len(steps))
            self.last_day.append(max(int(st.day) for st in steps))
            for k, st in enumerate(steps, start=1):
                channel = str(st.channel or "").strip()
                rows.append((i, k, f"{name} {k}/{len(steps)}", int(st.day),
                             channels.get(channel.casefold(), channel), str(st.content or "").strip(),
                             str(st.owner_role or "").strip()))
        cols = list(zip(*rows)) if rows else [()] * 7
        self.seq = np.array(cols[0], dtype=np.int64)
        self.pos = np.array(cols[1], dtype=np.int64)
        self.task = np.array(cols[2], dtype=object)
        self.day = np.array(cols[3], dtype=np.int64)
        self.channel = np.array(cols[4], dtype=object)
        self.content = np.array(cols[5], dtype=object)
        self.role = np.array(cols[6], dtype=object)
        self.first = np.array(self.first, dtype=np.int64)
        self.count = np.array(self.count, dtype=np.int64)
        self.last_day = np.array(self.last_day, dtype=np.int64)

        # Plans: action -> (sequence code, priority); a sequence's priority is its best plan's.
        self.plan = {}
        self.priority = np.full(len(names), np.inf)
        priorities = [float(p.priority) for p in model.action_plans] or [3.0]
        for p in model.action_plans:
            code = self.code.get(text_key(p.sequence), -1) if str(p.sequence or "").strip() else -1
            self.plan.setdefault(text_key(p.action), (code, float(p.priority)))
            if code >= 0:
                self.priority[code] = min(self.priority[code], float(p.priority))
        self.unplanned_priority = max(priorities)


def _busdaycal(model: Model) -> np.busdaycalendar:
    days = [d for d in (_as_date(h) for h in model.holidays) if d is not None]
    return np.busdaycalendar(holidays=np.array(days, dtype="datetime64[D]"))


# --- Reasons ----------------------------------------------------------------------------

def _top_reasons(reasons, P: np.ndarray, top: int = 3, language: str = "en") -> tuple[np.ndarray, np.ndarray]:
    """For the leads at positions P: their `top` rule reasons with the most points (positive only,
    caps and floors left out; ties keep the engine's order), '; '-joined, and the behaviours seen
    (labels without points, e.g. 'Pricing page visit ×3'), ', '-joined. Read from the engine's
    reasons as data, never from their text."""
    rule_parts = [(codes[P], items) for codes, items in reasons.parts
                  if items and items[0].kind in ("fit", "behaviour")]
    n = len(P)
    if not rule_parts or not n:
        return np.full(n, "", dtype=object), np.full(n, "", dtype=object)
    points = np.zeros((n, len(rule_parts)))
    pieces = np.full((n, len(rule_parts)), "", dtype=object)
    seen = np.full((n, len(rule_parts)), "", dtype=object)
    for j, (codes, items) in enumerate(rule_parts):
        at = codes >= 0
        points[at, j] = np.array([item.points for item in items])[codes[at]]
        pieces[at, j] = np.array([item.text(language) for item in items], dtype=object)[codes[at]]
        if items[0].kind == "behaviour":
            seen[at, j] = np.array([item.label for item in items], dtype=object)[codes[at]]
    order = np.argsort(-points, axis=1, kind="stable")[:, :top]
    rows = np.arange(n)[:, None]
    best = np.where(points[rows, order] > 0, pieces[rows, order], "")
    return _join([best[:, k] for k in range(best.shape[1])], "; "), _join(list(seen.T), ", ")


def _join(parts, sep: str) -> np.ndarray:
    """Elementwise join of object arrays of text, leaving out the empty ones."""
    out = None
    for part in parts:
        part = np.asarray(part, dtype=object)
        if out is None:
            out = part.copy()
            continue
        both = (out != "") & (part != "")
        out = np.where(both, out + sep + part, out + part)
    return out


# --- The plan ---------------------------------------------------------------------------

def plan_tasks(leads: pd.DataFrame, scored: Scored | pd.DataFrame, model: Model | CheckedModel,
               enrolment: pd.DataFrame, as_of: dt.date, leaving=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The day's tasks and the enrolment after this run; see the module docstring for the rules.

    scored: the engine's scoring.engine.evaluate_leads(leads, model) (reasons read as data), or its
    output frame (then the reasons are worked out again from leads and model). leaving: per lead,
    whether it leaves its sequence now instead of finishing it (a lead whose behaviour decayed below
    the status thresholds: it starts its target's sequence, if any, today)."""
    model = checked_model(model)
    # Junk and duplicate leads get no task, as sales-owned leads do.
    found = scored if isinstance(scored, Scored) else evaluate_leads(leads, model)
    reasons, set_aside = found.reasons, found.set_aside
    scored = scored.frame if isinstance(scored, Scored) else scored
    model = model.model
    day = _as_date(as_of)
    if day is None:
        raise ValueError(f"as_of {as_of!r} is not a date")
    n = len(scored)
    if len(leads) != n:
        raise ValueError(f"leads has {len(leads)} rows but scored has {n}")
    language = model.settings.language if model.settings.language in WORDS else "en"
    words = WORDS[language]
    today = np.datetime64(day, "D")
    cal = _busdaycal(model)
    seqs = _Sequences(model)
    cols = _columns(leads, model)

    def column(meaning):
        return leads[cols[meaning]].to_numpy(dtype=object) if meaning in cols else None

    # 1. Target sequence and sales-owned leads.
    codes, uniques = pd.factorize(np.asarray(scored["action"], dtype=object))
    table = [seqs.plan.get(text_key(u), (-1, np.inf)) for u in uniques] + [(-1, np.inf)]
    target = np.array([t[0] for t in table], dtype=np.int64)[codes]
    target_priority = np.array([t[1] for t in table], dtype=float)[codes]
    sales_keys = {text_key(s) for s in model.settings.sales_stages}
    sales = _per_value(scored["status"], lambda v: text_key(v) in sales_keys, bool, False)
    if "stage" in cols:
        sales |= _per_value(column("stage"), lambda v: text_key(v) in sales_keys, bool, False)
    if set_aside is not None:
        sales |= set_aside

    # 2. Enrolment.
    enrolment = pd.DataFrame(index=scored.index) if enrolment is None else enrolment
    if len(enrolment) != n or not enrolment.index.equals(scored.index):
        enrolment = enrolment.reindex(scored.index)
    current = (_per_value(enrolment["sequence"], lambda v: seqs.code.get(text_key(v), -1), np.int64, -1)
               if "sequence" in enrolment else np.full(n, -1, dtype=np.int64))
    start = (_per_value(enrolment["start"], lambda v: np.datetime64(_as_date(v) or "NaT", "D"),
                        "datetime64[D]", NAT)
             if "start" in enrolment else np.full(n, NAT))
    enrolled = current >= 0
    start = np.where(enrolled & np.isnat(start), today, start)
    start[~enrolled] = NAT
    running = np.zeros(n, dtype=bool)
    if enrolled.any():
        ends = np.busday_offset(start[enrolled], seqs.last_day[current[enrolled]], roll="forward",
                                busdaycal=cal)
        running[enrolled] = ends >= today
    current_priority = np.append(seqs.priority, np.inf)[current]  # Code -1 (none) reads the inf.
    has_target = target >= 0
    other = target != current
    switch = enrolled & has_target & other & (target_priority < current_priority)
    finished = enrolled & other & (~running if leaving is None else ~running | np.asarray(leaving, dtype=bool))
    restart = switch | finished | (~enrolled & has_target)
    new = np.where(restart, target, current)
    new_start = np.where(restart, today, start)
    new[sales] = -1
    new_start[new < 0] = NAT
    is_new = new_start == today

    # 3-4. The day's steps: whole plans of today's enrolments, due steps of earlier ones.
    lead_parts, step_parts, due_parts = [], [], []
    for s in range(len(seqs.names)):
        idx = np.flatnonzero(new == s)
        if not len(idx):
            continue
        steps = np.arange(seqs.first[s], seqs.first[s] + seqs.count[s])
        due = np.busday_offset(new_start[idx][:, None], seqs.day[steps][None, :], roll="forward",
                               busdaycal=cal)
        r, c = np.nonzero(is_new[idx][:, None] | (due == today))
        lead_parts.append(idx[r])
        step_parts.append(steps[c])
        due_parts.append(due[r, c])
    pos = np.concatenate(lead_parts) if lead_parts else np.zeros(0, dtype=np.int64)
    step = np.concatenate(step_parts) if step_parts else np.zeros(0, dtype=np.int64)
    due = np.concatenate(due_parts) if due_parts else np.zeros(0, dtype="datetime64[D]")

    new_enrolment = enrolment.copy()
    names = np.array(seqs.names + [None], dtype=object)
    new_enrolment["sequence"] = pd.Series(names[new], index=enrolment.index, dtype=object)
    new_enrolment["start"] = pd.Series(new_start.astype(object), index=enrolment.index, dtype=object)
    if not len(pos):
        return _empty(), new_enrolment

    # Lead-level facts, for the leads with a task only (P sorted; `at` maps tasks to P).
    P = np.unique(pos)
    at = np.searchsorted(P, pos)
    rank = _id_rank(column("id"), n)

    def subset(meaning):
        values = column(meaning)
        return _texts(values[P]) if values is not None else np.full(len(P), "", dtype=object)

    # 5. Channel.
    consent = (np.isin(np.char.lower(subset("consent").astype(str)), list(CONSENT_YES))
               if "consent" in cols else np.zeros(len(P), dtype=bool))
    has_email = (np.char.find(subset("email").astype(str), "@") >= 0 if "email" in cols
                 else np.ones(len(P), dtype=bool))
    step_channel = seqs.channel[step]
    channel = step_channel.copy()
    no_consent = np.isin(step_channel, MESSAGING) & ~consent[at]
    email_ok = has_email[at]
    channel[no_consent] = np.where(email_ok[no_consent], "Email", "Phone")
    no_email = (step_channel == "Email") & ~email_ok
    channel[no_email] = "Phone"
    note = np.full(len(pos), "", dtype=object)
    spelt = dict(zip(CHANNELS, CHANNEL_WORDS.get(language, CHANNELS)))  # Channels in the book's language.
    for mask, key in ((no_consent & email_ok, "no consent"), (no_consent & ~email_ok, "no consent no email"),
                      (no_email, "no email")):
        for old in np.unique(step_channel[mask]):
            hit = mask & (step_channel == old)
            for new_channel in np.unique(channel[hit]):
                note[hit & (channel == new_channel)] = words[key].format(old=spelt.get(old, old),
                                                                         new=spelt.get(new_channel, new_channel))

    # 6. Owner.
    team, spelling = {}, {}
    for member in model.team:
        team.setdefault(text_key(member.role), []).append(str(member.name).strip())
        spelling.setdefault(text_key(member.name), str(member.name).strip())
    owner = _per_value(subset("owner"), lambda v: "" if text_key(v) in NO_OWNER else
                       spelling.get(text_key(v), v), object, "")[at]
    free = owner == ""
    role = seqs.role[step]
    role_key = np.array([text_key(r) for r in seqs.role], dtype=object)[step]
    for key in pd.unique(role_key[free]):
        need = free & (role_key == key)
        members = team.get(key)
        if not members:
            owner[need] = role[need]
            continue
        # The lead's place among all leads (by id) picks the member: even over the table,
        # and the same person on every day's list, since it does not depend on the day.
        owner[need] = np.array(members, dtype=object)[rank[pos[need]] % len(members)]

    # 7. Priority.
    lead_new = new[P]
    sequence_priority = np.where(np.isinf(seqs.priority), seqs.unplanned_priority, seqs.priority)
    lead_priority = np.where(lead_new == target[P], target_priority[P], sequence_priority[lead_new])
    priority = np.rint(lead_priority[at]).astype(np.int64)

    # 8. Reason.
    status = _texts(np.asarray(scored["status"], dtype=object)[P])
    rating = _texts(np.asarray(scored["rating"], dtype=object)[P])
    days_in = np.zeros(len(P), dtype=np.int64)
    old = ~is_new[P]
    if old.any():
        days_in[old] = np.busday_count(new_start[P][old], today, busdaycal=cal)
    label = np.full(len(P), "", dtype=object)
    combo, combos = pd.factorize(np.where(is_new[P], -1, days_in) * (len(seqs.names) + 1) + lead_new)
    for k, value in enumerate(combos):
        d, s = divmod(int(value), len(seqs.names) + 1)
        label[combo == k] = (words["new"].format(seq=seqs.names[s]) if d < 0 else
                             words["day"].format(n=d, seq=seqs.names[s]))
    top, seen = _top_reasons(reasons, P, language=language)
    seen = np.where(seen != "", f"{words['seen']}: " + seen, "")
    lead_reason = _join([status, rating, label, top], SEP)
    reason = _join([lead_reason[at], note], SEP)

    # 9. Content: calls carry the facts a caller needs.
    source = subset("source")
    facts = _join([np.where(source != "", f"{words['source']}: " + source, ""), seen,
                   np.where(rating != "", f"{words['score']} " + rating, "")], "; ")
    facts = np.where(facts != "", " \u2014 " + facts, "")
    content = seqs.content[step].copy()
    call = channel == "Phone"
    content[call] = content[call] + facts[at[call]]

    # 10. Lead, company, id.
    name = subset("name")
    lead = np.where(name != "", name, subset("email"))
    ids = column("id")
    if ids is None:
        lead_id = np.full(len(P), "", dtype=object)
    else:  # The id as it is (a number stays a number), text trimmed, blanks ''.
        raw = ids[P]
        trimmed = _texts(raw)
        is_text = pd.Series(raw, dtype=object).map(type).to_numpy() == str
        lead_id = np.where(is_text | (trimmed == ""), trimmed, raw)

    # Today's work first, by priority: what is due by the next business day (today's steps and the SQL
    # calls, whose day is 1); then the later steps of today's enrolments, by due date and priority.
    soon = due <= np.busday_offset(today, 1, roll="forward", busdaycal=cal)
    days = due.astype(np.int64)
    order = np.lexsort((seqs.pos[step], rank[pos], np.where(soon, days, priority), np.where(soon, priority, days),
                        ~soon))
    tasks = pd.DataFrame({
        "lead_id": pd.Series(lead_id[at][order], dtype=object),
        "lead": pd.Series(lead[at][order], dtype=object),
        "company": pd.Series(subset("company")[at][order], dtype=object),
        "task": pd.Series(seqs.task[step][order], dtype=object),
        "channel": pd.Series(_per_value(channel[order], lambda c: spelt.get(c, c), object, ""), dtype=object),
        "content": pd.Series(content[order], dtype=object),
        "owner": pd.Series(owner[order], dtype=object),
        "due": pd.Series(due[order].astype(object), dtype=object),
        "priority": priority[order],
        "reason": pd.Series(reason[order], dtype=object),
    })
    return tasks, new_enrolment


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in TASK_COLUMNS})
    frame["priority"] = frame["priority"].astype(np.int64)
    return frame

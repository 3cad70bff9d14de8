"""Nurture tasks (DESIGN §4): enrolment, due dates over weekends and Italian holidays, channels
and consent, owners, reasons, idempotency, sales stages. Leads are built by meaning with the
template headers and scored by the engine, so every value asserted is one a user sees."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from scoring import default_model, score
from scoring.defaults import LEAD_COLUMNS, header
from scoring.tasks import TASK_COLUMNS, plan_tasks

D = dt.date
FRI = D(2026, 12, 4)  # Friday before the Immacolata (Tuesday 8 December 2026).

# Profiles by meaning (default B2B model).
A90_SQL = dict(role="CEO", industry="IT", employees=200, revenue=2_000_000, pricing=3, promo=1,
               demo=1, source="Web form")  # fit 50 + 15 + 5 + 20 = A90: SQL, Potential SQL.
B90_SQL = dict(role="HR manager", industry="Retail", employees=200, revenue=2_000_000, demo=1,
               quote=1, papers=1)  # fit 40 + 50 = B90: SQL, action SQL.
B50_MQL = dict(role="HR manager", industry="Retail", employees=1200, revenue=2_000_000,
               papers=1)  # DESIGN's B50: MQL, action MQL.
B40_NURTURE = dict(role="HR manager", industry="Retail", employees=1200, revenue=2_000_000)
C65_WATCH = dict(role="CEO", demo=1, quote=1, papers=1)  # fit 15 + 50: Lead, Watch.
D0_NO_ACTION = dict(role="Intern")

STANDARD_EN = ("Deliver the resource and where to start", "A common mistake and its fix",
               "Social proof: a customer case or testimonial", "Choice criteria: checklist and comparison",
               "Strong call to action: demo, quote or consultation; who it is and isn't for")
CALL_EN = "Call within 1 business day: qualify need, budget and timing"


IT_ROLES = {"HR manager": "Responsabile HR", "Intern": "Stagista", "Retail": "Commercio"}


def lead(language="en", profile="b2b", **values) -> dict:
    if language == "it":  # The same lead on the Italian template.
        values = {k: IT_ROLES.get(v, v) if isinstance(v, str) else v for k, v in values.items()}
    row = {header(m, language): None for m in LEAD_COLUMNS[profile]}
    for meaning, value in values.items():
        row[header(meaning, language)] = value
    return row


def frame(rows, language="en"):
    """Leads with ids L001, L002, … unless given, emails and names by default."""
    out = []
    for i, values in enumerate(rows, start=1):
        values = dict(values)
        values.setdefault("id", f"L{i:03d}")
        values.setdefault("name", f"Lead {i}")
        values.setdefault("company", f"Company {i}")
        values.setdefault("email", f"lead{i}@example.com")
        out.append(lead(language, **values))
    return pd.DataFrame(out, columns=[header(m, language) for m in LEAD_COLUMNS["b2b"]])


def enrol(leads, entries=None):
    """Enrolment for leads: {row position: (sequence, start)}; everybody else not enrolled."""
    seq = pd.Series([None] * len(leads), index=leads.index, dtype=object)
    start = pd.Series([None] * len(leads), index=leads.index, dtype=object)
    for i, (name, day) in (entries or {}).items():
        seq.iloc[i], start.iloc[i] = name, day
    return pd.DataFrame({"sequence": seq, "start": start})


def run(rows, as_of, entries=None, model=None, language="en"):
    model = model or default_model("b2b", language)
    leads = frame(rows, language)
    scored = score(leads, model)
    tasks, enrolled = plan_tasks(leads, scored, model, enrol(leads, entries), as_of)
    return tasks, enrolled, scored


def rows_of(tasks, *columns):
    return [tuple(r) for r in tasks[list(columns)].itertuples(index=False, name=None)]


# --- Shape ------------------------------------------------------------------------------

def test_columns_types_and_the_full_sql_call_row():
    tasks, enrolled, scored = run([A90_SQL], FRI)
    assert (scored.loc[0, "rating"], scored.loc[0, "status"], scored.loc[0, "action"]) == \
        ("A90", "SQL", "Potential SQL")
    assert list(tasks.columns) == list(TASK_COLUMNS)
    assert tasks.to_dict("records") == [{
        "lead_id": "L001", "lead": "Lead 1", "company": "Company 1", "task": "SQL call 1/1",
        "channel": "Phone",
        "content": CALL_EN + " — Source: Web form; seen: Pricing page visit ×3, Promotional email "
                             "opened, Demo or trial requested; score A90",
        "owner": "Marco Bianchi", "due": D(2026, 12, 7), "priority": 1,
        "reason": "SQL · A90 · new in SQL call · Demo or trial requested +20; Role level ≥ 3 +15; "
                  "Annual revenue > 1,000,000 +15",
    }]
    assert type(tasks.loc[0, "due"]) is dt.date
    assert tasks["priority"].dtype == np.int64
    assert enrolled.to_dict("list") == {"sequence": ["SQL call"], "start": [FRI]}


def test_no_leads_gives_an_empty_list_with_the_columns():
    model = default_model()
    leads = frame([])
    tasks, enrolled = plan_tasks(leads, score(leads, model), model, enrol(leads), FRI)
    assert list(tasks.columns) == list(TASK_COLUMNS) and len(tasks) == 0 and len(enrolled) == 0


def test_todays_work_first_by_priority_then_later_steps_by_due_date():
    tasks, _, _ = run([B50_MQL, A90_SQL, B90_SQL, dict(B50_MQL, id="L000")], FRI)
    # Due by the next business day (Monday 7 December): the SQL calls first, then today's emails.
    assert rows_of(tasks, "due", "priority", "lead_id", "task")[:6] == [
        (D(2026, 12, 7), 1, "L002", "SQL call 1/1"),
        (D(2026, 12, 7), 1, "L003", "SQL call 1/1"),
        (D(2026, 12, 4), 2, "L000", "Standard 1/5"),
        (D(2026, 12, 4), 2, "L001", "Standard 1/5"),
        (D(2026, 12, 8), 2, "L000", "Standard 2/5"),  # Then the later steps, by due date.
        (D(2026, 12, 8), 2, "L001", "Standard 2/5"),
    ]
    assert len(tasks) == 12
    later = tasks.iloc[4:]
    assert list(later["due"]) == sorted(later["due"])


def test_a_later_step_of_better_priority_waits_for_its_day():
    nurture = dict(B40_NURTURE, id="L001")  # Nurture: priority 3, its first step today.
    tasks, _, _ = run([nurture, dict(B50_MQL, id="L002")], FRI)
    assert rows_of(tasks, "lead_id", "task", "priority")[:3] == [
        ("L002", "Standard 1/5", 2), ("L001", "Nurture 1/3", 3), ("L002", "Standard 2/5", 2)]


# --- Due dates: weekends and Italian holidays --------------------------------------------

def test_due_dates_across_a_weekend_and_the_immacolata():
    model = default_model("b2b", "it", 2026)
    tasks, enrolled, scored = run([B50_MQL, A90_SQL], FRI, model=model, language="it")
    assert list(scored["action"]) == ["MQL", "SQL potenziale"]
    # Standard from Friday 4 Dec: day 2 skips the weekend and Tuesday 8 Dec (Immacolata).
    assert rows_of(tasks[tasks["lead_id"] == "L001"], "task", "due") == [
        ("Standard 1/5", D(2026, 12, 4)),   # day 0: Friday
        ("Standard 2/5", D(2026, 12, 9)),   # day 2: Mon 7, (Tue 8 holiday), Wed 9
        ("Standard 3/5", D(2026, 12, 14)),  # day 5: Thu 10, Fri 11, Mon 14
        ("Standard 4/5", D(2026, 12, 17)),  # day 8
        ("Standard 5/5", D(2026, 12, 23)),  # day 12
    ]
    # Sales round-robin by lead id: L001's closing call to Marco, L002's SQL call to Laura.
    assert rows_of(tasks[tasks["lead_id"] == "L002"], "task", "due", "owner") == [
        ("Chiamata SQL 1/1", D(2026, 12, 7), "Laura Conti")]
    assert tasks.loc[tasks["task"] == "Standard 5/5", "owner"].item() == "Marco Bianchi"
    assert list(enrolled["sequence"]) == ["Standard", "Chiamata SQL"]


@pytest.mark.parametrize("as_of, call_due, first_step_due", [
    (D(2026, 12, 5), D(2026, 12, 9), D(2026, 12, 7)),     # Saturday: day 0 rolls to Monday.
    (D(2026, 12, 7), D(2026, 12, 9), D(2026, 12, 7)),     # Monday: the call skips the Immacolata.
    (D(2026, 12, 8), D(2026, 12, 10), D(2026, 12, 9)),    # On the holiday itself.
    (D(2026, 12, 24), D(2026, 12, 28), D(2026, 12, 24)),  # Christmas, Santo Stefano, weekend.
])
def test_sql_call_within_one_business_day(as_of, call_due, first_step_due):
    model = default_model("b2b", "it", 2026)
    tasks, enrolled, _ = run([A90_SQL, B50_MQL], as_of, model=model, language="it")
    call = tasks[tasks["task"] == "Chiamata SQL 1/1"]
    assert list(call["due"]) == [call_due]
    assert list(tasks.loc[tasks["task"] == "Standard 1/5", "due"]) == [first_step_due]
    assert list(enrolled["start"]) == [as_of, as_of]  # The start is the run's day, as it is.


def test_english_model_has_no_holidays():
    tasks, _, _ = run([B50_MQL], FRI)
    assert list(tasks["due"]) == [D(2026, 12, 4), D(2026, 12, 8), D(2026, 12, 11), D(2026, 12, 16),
                                  D(2026, 12, 22)]


# --- Channels and consent ------------------------------------------------------------------

def test_whatsapp_only_with_consent_else_email_else_phone():
    rows = [dict(B50_MQL, consent=c) for c in ("yes", " Sì ", "X", 1, True, "si", "Y", "TRUE")]
    rows += [dict(B50_MQL, consent="no"), dict(B50_MQL, consent=None),
             dict(B50_MQL, consent="no", email=None), dict(B50_MQL, consent="n/a", email="  ")]
    tasks, _, _ = run(rows, FRI)
    step3 = tasks[tasks["task"] == "Standard 3/5"].set_index("lead_id")
    assert list(step3["channel"]) == ["WhatsApp"] * 8 + ["Email", "Email", "Phone", "Phone"]
    assert step3.loc["L001", "reason"] == ("MQL · B50 · new in Standard · Role level ≥ 3 +15; "
                                           "Annual revenue > 1,000,000 +15; Employees > 50 +10")
    assert step3.loc["L001", "content"] == STANDARD_EN[2]
    assert step3.loc["L009", "reason"].endswith(" · no consent for WhatsApp: Email instead")
    assert step3.loc["L009", "content"] == STANDARD_EN[2]
    assert step3.loc["L011", "reason"].endswith(" · no consent for WhatsApp and no email: Phone instead")
    # A phone call carries the facts a caller needs.
    assert step3.loc["L011", "content"] == (STANDARD_EN[2] + " — seen: White paper / case study "
                                            "downloaded; score B50")
    assert step3.loc["L012", "channel"] == "Phone"


def test_email_step_without_an_address_goes_by_phone():
    tasks, _, _ = run([dict(B50_MQL, email=None, consent="yes"), dict(B50_MQL, email="not an address")], FRI)
    first = tasks[tasks["task"] == "Standard 1/5"]
    assert list(first["channel"]) == ["Phone", "Phone"]
    assert all(r.endswith(" · no email address: Phone instead of Email") for r in first["reason"])
    # With consent the WhatsApp step stays WhatsApp, without an address too.
    assert tasks.loc[(tasks["task"] == "Standard 3/5") & (tasks["lead_id"] == "L001"), "channel"].item() \
        == "WhatsApp"


def test_without_consent_or_email_columns():
    model = default_model()
    leads = frame([B50_MQL]).drop(columns=[header("consent", "en"), header("email", "en")])
    tasks, _ = plan_tasks(leads, score(leads, model), model, enrol(leads), FRI)
    # Nobody has consent; addresses are kept elsewhere, so Email stays Email.
    assert list(tasks["channel"]) == ["Email", "Email", "Email", "Email", "Phone"]


# --- Owners ----------------------------------------------------------------------------------

def test_unowned_sql_leads_spread_over_sales_round_robin_by_lead_id():
    rows = [dict(A90_SQL, id="L3"), dict(A90_SQL, id="L1"), dict(B90_SQL, id="L2"),
            dict(A90_SQL, id="L4", owner="Giulia Rossi")]
    tasks, _, _ = run(rows, FRI)
    assert rows_of(tasks, "lead_id", "owner") == [
        ("L1", "Marco Bianchi"), ("L2", "Laura Conti"), ("L3", "Marco Bianchi"), ("L4", "Giulia Rossi")]
    unowned = tasks[tasks["lead_id"] != "L4"]
    assert unowned["owner"].value_counts().to_dict() == {"Marco Bianchi": 2, "Laura Conti": 1}
    again, _, _ = run(rows[::-1], FRI)  # Same leads, other row order: same owners.
    assert rows_of(again, "lead_id", "owner") == rows_of(tasks, "lead_id", "owner")


def test_owner_cells_and_roles():
    rows = [dict(B50_MQL, owner="  laura CONTI "), dict(B50_MQL, owner="N.D."), dict(B50_MQL)]
    tasks, _, _ = run(rows, FRI)
    owners = tasks.groupby("lead_id")["owner"].agg(lambda s: tuple(s))
    # A member's name in another case gets the team's spelling; every step keeps the owner.
    assert owners["L001"] == ("Laura Conti",) * 5
    # Unowned: Marketing steps to the only Marketing member; the Sales step goes by the
    # lead's place among all leads (L002 is 2nd, L003 3rd) over the two Sales members.
    assert owners["L002"] == ("Sara Ferri",) * 4 + ("Laura Conti",)
    assert owners["L003"] == ("Sara Ferri",) * 4 + ("Marco Bianchi",)


def test_an_unowned_lead_keeps_its_owner_from_day_to_day():
    """The owner of a step on its due day is the owner shown when the lead was enrolled,
    even when other leads have joined or left the day's list."""
    rows = [dict(B50_MQL), dict(B50_MQL), dict(B50_MQL)]
    first, enrolled, _ = run(rows, FRI)
    call = first[(first["lead_id"] == "L003") & (first["task"] == "Standard 5/5")]
    due = call["due"].iloc[0]
    state = {i: (enrolled["sequence"][i], enrolled["start"][i]) for i in range(3)}
    state[0] = (None, None)  # L001 left its sequence meanwhile: the day's list is different.
    later, _, _ = run(rows, due, state)
    again = later[(later["lead_id"] == "L003") & (later["task"] == "Standard 5/5")]
    assert again["owner"].tolist() == call["owner"].tolist() == ["Marco Bianchi"]


def test_without_a_team_the_owner_is_the_role():
    model = default_model()
    model.team = []  # (With a team, the model must name a member for every step's role.)
    tasks, _, _ = run([A90_SQL, B50_MQL], FRI, model=model)
    assert list(tasks.groupby("lead_id")["owner"].agg(tuple)) == [
        ("Sales",), ("Marketing",) * 4 + ("Sales",)]


# --- Enrolment ---------------------------------------------------------------------------

def test_sql_upgrade_leaves_the_nurture_sequence():
    mon, as_of = D(2026, 11, 30), D(2026, 12, 3)  # Standard since Monday; Thursday, 3 days on.
    tasks, enrolled, scored = run([A90_SQL, B50_MQL], as_of, {0: ("Standard", mon), 1: ("Standard", mon)})
    assert list(scored["status"]) == ["SQL", "MQL"]
    assert enrolled.to_dict("list") == {"sequence": ["SQL call", "Standard"], "start": [as_of, mon]}
    assert rows_of(tasks, "lead_id", "task", "due", "priority") == [
        ("L001", "SQL call 1/1", D(2026, 12, 4), 1)]
    assert tasks.loc[0, "reason"].startswith("SQL · A90 · new in SQL call · ")


def test_due_steps_of_an_earlier_enrolment_and_day_n():
    mon = D(2026, 11, 30)
    tasks, enrolled, _ = run([B50_MQL], D(2026, 12, 7), {0: ("Standard", mon)})  # Day 5: step 3.
    assert rows_of(tasks, "task", "due", "channel") == [("Standard 3/5", D(2026, 12, 7), "Email")]
    assert tasks.loc[0, "reason"] == ("MQL · B50 · day 5 of Standard · Role level ≥ 3 +15; "
                                      "Annual revenue > 1,000,000 +15; Employees > 50 +10 · no consent for "
                                      "WhatsApp: Email instead")
    assert enrolled.to_dict("list") == {"sequence": ["Standard"], "start": [mon]}


def test_lead_already_in_its_sequence_is_not_enrolled_again():
    wed = D(2026, 12, 2)
    entries = {0: ("standard ", wed), 1: ("Standard", D(2026, 10, 1)), 2: ("Nurture", wed)}
    tasks, enrolled, _ = run([B50_MQL, B50_MQL, B40_NURTURE], D(2026, 12, 7), entries)
    # Day 3 of Standard and of Nurture: no step due; a finished Standard is not restarted.
    assert len(tasks) == 0
    assert enrolled.to_dict("list") == {"sequence": ["Standard", "Standard", "Nurture"],
                                        "start": [wed, D(2026, 10, 1), wed]}


def test_a_worse_target_waits_for_the_current_sequence_to_end():
    mon, thu = D(2026, 11, 30), D(2026, 12, 3)
    entries = {0: ("SQL call", D(2026, 12, 2)), 1: ("SQL call", D(2026, 12, 1)),
               2: ("Standard", mon), 3: ("Standard", D(2026, 10, 1)), 4: ("Standard", D(2026, 10, 1))}
    rows = [B50_MQL, B50_MQL, B40_NURTURE, B40_NURTURE, D0_NO_ACTION]
    tasks, enrolled, _ = run(rows, thu, entries)
    assert enrolled.to_dict("list") == {
        "sequence": ["SQL call", "Standard", "Standard", "Nurture", None],
        "start": [D(2026, 12, 2), thu, mon, thu, None]}
    # L001: MQL now, but its call (priority 1) is due today: still listed, as priority 1.
    # L002: its call was yesterday: now enrolled in Standard, whole plan.
    # L003: in Standard (better than Nurture): nothing due on day 3.
    # L004: Standard ended long ago: enrolled in Nurture, whole plan. L005: cleared, no task.
    assert rows_of(tasks, "lead_id", "task", "due", "priority") == [
        ("L001", "SQL call 1/1", thu, 1),
        ("L002", "Standard 1/5", thu, 2),
        ("L004", "Nurture 1/3", thu, 3),
        ("L002", "Standard 2/5", D(2026, 12, 7), 2),
        ("L002", "Standard 3/5", D(2026, 12, 10), 2),
        ("L002", "Standard 4/5", D(2026, 12, 15), 2),
        ("L004", "Nurture 2/3", D(2026, 12, 17), 3),
        ("L002", "Standard 5/5", D(2026, 12, 21), 2),
        ("L004", "Nurture 3/3", D(2026, 12, 31), 3),
    ]
    assert tasks.loc[0, "reason"].startswith("MQL · B50 · day 1 of SQL call · ")


@pytest.mark.parametrize("stage", ["Customer", "Opportunity", "Disqualified", " customer "])
def test_sales_stage_gets_no_tasks_and_leaves_its_sequence(stage):
    entries = {0: ("Standard", D(2026, 12, 2)), 1: ("SQL call", FRI)}
    tasks, enrolled, scored = run([dict(B50_MQL, stage=stage), dict(A90_SQL, stage=stage)], FRI, entries)
    assert list(scored["status"]) == [stage.strip().capitalize()] * 2
    assert len(tasks) == 0
    assert enrolled.to_dict("list") == {"sequence": [None, None], "start": [None, None]}


def test_sales_status_without_stage_column_counts_too():
    model = default_model()
    leads = frame([B50_MQL])
    scored = score(leads, model)
    scored.loc[0, "status"] = "Customer"  # E.g. a status column kept from a CRM export.
    tasks, enrolled = plan_tasks(leads, scored, model, enrol(leads, {0: ("Standard", FRI)}), FRI)
    assert len(tasks) == 0 and enrolled["sequence"].tolist() == [None]


def test_italian_sales_stage():
    model = default_model("b2b", "it", 2026)
    tasks, enrolled, _ = run([dict(A90_SQL, stage="Cliente")], FRI, {0: ("Chiamata SQL", FRI)},
                             model=model, language="it")
    assert len(tasks) == 0 and enrolled["sequence"].tolist() == [None]


def test_wait_and_no_action_give_no_tasks():
    model = default_model("b2c")
    wait = lead(profile="b2c", id="C1", age=30, location="North", marital="Married", pricing=1)
    leads = pd.DataFrame([wait, lead(profile="b2c", id="C2")])
    scored = score(leads, model)
    assert list(scored["action"]) == ["Wait", "No action"]
    tasks, enrolled = plan_tasks(leads, scored, model, enrol(leads), FRI)
    assert len(tasks) == 0
    assert enrolled.to_dict("list") == {"sequence": [None, None], "start": [None, None]}


def test_watch_and_nurture_sequences():
    tasks, enrolled, scored = run([C65_WATCH, B40_NURTURE], FRI)
    assert list(scored["action"]) == ["Watch", "Nurture"]
    assert rows_of(tasks, "lead_id", "task", "content", "due", "priority") == [
        ("L002", "Nurture 1/3", "Educational article on the lead's topic", FRI, 3),
        ("L001", "Watch 1/1", "Add to the monthly newsletter", FRI, 4),
        ("L002", "Nurture 2/3", "Guide or white paper", D(2026, 12, 18), 3),
        ("L002", "Nurture 3/3", "Webinar or event invitation", D(2027, 1, 1), 3),
    ]
    assert list(enrolled["sequence"]) == ["Watch", "Nurture"]


@pytest.mark.parametrize("start", [D(2026, 11, 30), dt.datetime(2026, 11, 30, 9, 15),
                                   pd.Timestamp("2026-11-30"), "2026-11-30", "30/11/2026", 46356])
def test_start_dates_as_cells_hold_them(start):
    tasks, enrolled, _ = run([B50_MQL], D(2026, 12, 7), {0: ("Standard", start)})
    assert rows_of(tasks, "task") == [("Standard 3/5",)]
    assert enrolled["start"].tolist() == [D(2026, 11, 30)]


def test_unknown_sequence_or_missing_start():
    tasks, enrolled, _ = run([B50_MQL, B50_MQL], FRI, {0: ("Old campaign", D(2026, 1, 5)),
                                                       1: ("Standard", None)})
    assert enrolled.to_dict("list") == {"sequence": ["Standard", "Standard"], "start": [FRI, FRI]}
    assert len(tasks) == 10


# --- Reasons ---------------------------------------------------------------------------------

def test_reason_text_top_three_positive_and_caps():
    model = default_model()
    model.behaviour_rules[0].cap = 20  # Pricing page visit: at most +20.
    rows = [dict(B50_MQL, pricing=6, unsubscribed="yes", consent="yes")]
    tasks, _, scored = run(rows, FRI, model=model)
    assert "Pricing page visit ×6 +20 (cap)" in scored.loc[0, "reasons"]
    assert "Unsubscribed or bounced \u221210" in scored.loc[0, "reasons"]
    assert tasks.loc[0, "reason"] == ("MQL · B60 · new in Standard · Pricing page visit ×6 +20 (cap); "
                                      "Role level ≥ 3 +15; Annual revenue > 1,000,000 +15")
    last = tasks[tasks["task"] == "Standard 5/5"]["content"].item()
    assert last == (STANDARD_EN[4] + " — seen: Pricing page visit ×6, White paper / case study "
                                     "downloaded, Unsubscribed or bounced; score B60")


def test_italian_words():
    model = default_model("b2b", "it", 2026)
    tasks, _, _ = run([dict(A90_SQL, source="Fiera")], FRI, model=model, language="it")
    assert tasks.loc[0, "content"] == (
        "Chiamare entro 1 giorno lavorativo: bisogno, budget e tempi — Fonte: Fiera; visto: "
        "Visita pagina prezzi ×3, Email promozionale aperta, Demo o prova richiesta; punteggio A90")
    assert tasks.loc[0, "reason"] == ("SQL · A90 · nuovo in Chiamata SQL · Demo o prova richiesta +20; "
                                      "Livello ruolo ≥ 3 +15; Fatturato annuo > 1.000.000 +15")


# --- Idempotency --------------------------------------------------------------------------

def _sample(n=400):
    from scoring.sample import sample_leads

    return sample_leads(n, 7, "b2b", "it")


def test_same_day_twice_gives_the_same_list():
    model = default_model("b2b", "it", 2026)
    leads = _sample()
    scored = score(leads, model)
    # Half the leads were enrolled on Friday 27 November; a week on, the others are new.
    _, earlier = plan_tasks(leads, scored, model, enrol(leads), D(2026, 11, 27))
    earlier.iloc[len(leads) // 2:] = None
    first, enrolled1 = plan_tasks(leads, scored, model, earlier, FRI)
    second, enrolled2 = plan_tasks(leads, scored, model, earlier, FRI)
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(enrolled1, enrolled2)
    # Feeding the returned enrolment back on the same day changes nothing either.
    third, enrolled3 = plan_tasks(leads, scored, model, enrolled1, FRI)
    pd.testing.assert_frame_equal(first, third)
    pd.testing.assert_frame_equal(enrolled1, enrolled3)
    assert len(first) > 0
    assert not first.duplicated(["lead_id", "task", "due"]).any()


@pytest.mark.slow
def test_same_day_twice_with_any_enrolment():
    """Random enrolments (every sequence, unknown names, blanks, past and future starts)."""
    model = default_model("b2b", "it", 2026)
    leads = _sample(600)
    scored = score(leads, model)
    rng = np.random.default_rng(3)
    names = np.array(["Chiamata SQL", "Standard", "standard", "Coltivazione", "Osservazione",
                      "Rivalutazione", "Vecchia campagna", "", None], dtype=object)
    starts = np.array([None, *(D(2026, 11, 1) + dt.timedelta(days=int(d)) for d in range(0, 60))],
                      dtype=object)
    earlier = pd.DataFrame({"sequence": names[rng.integers(0, len(names), len(leads))],
                            "start": starts[rng.integers(0, len(starts), len(leads))]}, index=leads.index)
    for as_of in (D(2026, 12, 4), D(2026, 12, 5), D(2026, 12, 8), D(2026, 12, 9)):
        first, enrolled1 = plan_tasks(leads, scored, model, earlier, as_of)
        second, enrolled2 = plan_tasks(leads, scored, model, earlier, as_of)
        third, enrolled3 = plan_tasks(leads, scored, model, enrolled1, as_of)
        pd.testing.assert_frame_equal(first, second)
        pd.testing.assert_frame_equal(first, third)
        pd.testing.assert_frame_equal(enrolled1, enrolled3)
        assert not first.duplicated(["lead_id", "task", "due"]).any()
        assert (first["due"] >= as_of).all()
        # Every task belongs to the lead's sequence after the run.
        by_id = dict(zip(leads[header("id", "it")], enrolled1["sequence"]))
        assert all(t.rsplit(" ", 1)[0] == by_id[i] for i, t in zip(first["lead_id"], first["task"]))


def test_first_run_on_a_sample_enrols_by_action():
    model = default_model("b2b", "it", 2026)
    leads = _sample()
    scored = score(leads, model)
    tasks, enrolled = plan_tasks(leads, scored, model, enrol(leads), FRI)
    expected = scored["action"].map({"SQL potenziale": "Chiamata SQL", "SQL": "Chiamata SQL",
                                     "Contatto prioritario": "Standard", "MQL": "Standard",
                                     "Coltivazione": "Coltivazione", "Osservazione": "Osservazione",
                                     "Rivalutazione": "Rivalutazione"})
    expected = pd.Series([None if pd.isna(x) else x for x in expected], index=leads.index, dtype=object)
    pd.testing.assert_series_equal(enrolled["sequence"], expected, check_names=False)
    steps = {"Chiamata SQL": 1, "Standard": 5, "Coltivazione": 3, "Osservazione": 1, "Rivalutazione": 1}
    assert len(tasks) == int(expected.map(steps).fillna(0).sum())
    assert set(tasks["channel"]) <= {"Email", "Telefono", "WhatsApp", "SMS", "Attività"}  # The book's language.
    assert "Telefono" in set(tasks["channel"])

"""DESIGN §2 and §3 worked examples, the action matrix, statuses, sales stages,
behaviour points and caps, and a large run."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring import BehaviourRule, FitRule, StatusRule, default_model, score
from scoring.defaults import ACTIONS

A85_REASONS = ("Role level ≥ 3 +15; Industry: IT or Manufacturing +10; Employees > 50 +10; "
               "Annual revenue > 1,000,000 +15; Pricing page visit ×5 +25; "
               "White paper / case study downloaded +10")
GRADE_FIT = {"A": 45, "B": 30, "C": 15, "D": 0}
BAND_SCORES = ((0, 49), (50, 89), (90,))  # scores tried in each matrix column


# --- Worked examples (DESIGN §2) -------------------------------------------------------

def test_a85_purchasing_manager(score_one):
    row = score_one(role="Purchasing manager", industry="IT", employees=1200,
                    revenue=1_500_000, pricing=5, papers=1)
    assert row["fit"] == 50
    assert row["grade"] == "A"
    assert row["behaviour"] == 35
    assert row["score"] == 85
    assert row["rating"] == "A85"
    assert row["status"] == "MQL"
    assert row["action"] == "Priority contact"
    assert row["reasons"] == A85_REASONS
    assert row["problems"] == ""


def test_a85_with_messy_cells(score_one):
    """The same lead typed the way people type: spaces, case, thousands grouped, text counts."""
    row = score_one(role="  purchasing MANAGER ", industry=" it", employees="1 200",
                    revenue="€ 1.500.000", pricing="5", papers="yes")
    assert (row["rating"], row["status"], row["action"]) == ("A85", "MQL", "Priority contact")
    assert row["reasons"] == A85_REASONS
    assert row["problems"] == ""


def test_a85_italian_template(score_one):
    row = score_one(language="it", role="Responsabile acquisti", industry="IT",
                    employees="1.200", revenue="1.500.000,00", pricing=5, papers=1)
    assert (row["fit"], row["grade"], row["behaviour"], row["score"]) == (50, "A", 35, 85)
    assert row["rating"] == "A85"
    assert row["status"] == "MQL"
    assert row["action"] == "Contatto prioritario"
    assert row["reasons"] == (
        "Livello ruolo ≥ 3 +15; Settore: IT o Manifatturiero +10; Dipendenti > 50 +10; "
        "Fatturato annuo > 1.000.000 +15; Visita pagina prezzi ×5 +25; "
        "White paper / caso studio scaricato +10")
    assert row["problems"] == ""


def test_b50_hr_manager(score_one):
    row = score_one(role="HR manager", industry="Retail", employees=1200,
                    revenue=2_000_000, papers=1)
    assert row["fit"] == 40
    assert row["grade"] == "B"
    assert row["behaviour"] == 10
    assert row["score"] == 50
    assert row["rating"] == "B50"
    assert row["status"] == "MQL"
    assert row["action"] == "MQL"
    assert row["reasons"] == ("Role level ≥ 3 +15; Employees > 50 +10; Annual revenue > 1,000,000 +15; "
                              "White paper / case study downloaded +10")
    assert row["problems"] == ""


def test_role_level_column_used_when_present(make_lead):
    """A Leads table with its own 'Role level' column does not need the Roles table."""
    row = make_lead(industry="IT", employees=60, revenue=2_000_000, pricing=5, papers=1)
    row["Role level"] = "3"
    out = score(pd.DataFrame([row]), default_model())
    assert out.loc[0, "rating"] == "A85"
    assert out.loc[0, "reasons"] == A85_REASONS


def test_unknown_role_is_a_problem(score_one):
    row = score_one(role="Wizard", industry="IT", employees=1200, revenue=2_000_000)
    assert row["fit"] == 35
    assert row["rating"] == "B35"
    assert row["reasons"] == "Industry: IT or Manufacturing +10; Employees > 50 +10; Annual revenue > 1,000,000 +15"
    assert row["problems"] == "Role: 'Wizard' is not in the Roles table"


def test_unknown_role_is_a_problem_in_italian(score_one):
    row = score_one(language="it", role="Mago")
    assert row["problems"] == "Ruolo: 'Mago' non è nella tabella Ruoli"
    assert row["rating"] == "D0"
    assert row["action"] == "Nessuna azione"


def test_blank_role_is_not_a_problem(score_one):
    row = score_one(role="   ", industry="IT")
    assert row["problems"] == ""
    assert row["reasons"] == "Industry: IT or Manufacturing +10"


def test_b2c_default_model(score_one):
    row = score_one(profile="b2c", age="30", location="north", marital="Married",
                    interests="Travel, cooking", newsletter="yes", webinars=2)
    assert (row["fit"], row["grade"], row["behaviour"], row["score"]) == (40, "A", 30, 70)
    assert row["reasons"] == ("Age 25–45 +10; Location: North or Centre +10; "
                              "Marital status: Married or Cohabiting +10; "
                              "Interests contains Travel, Wellness or Home +10; "
                              "Newsletter signup +10; Webinar attended ×2 +20")
    assert (row["status"], row["action"]) == ("MQL", "Priority contact")


@pytest.mark.parametrize("grade,fit", [("A", 45), ("A", 50), ("B", 30), ("B", 44),
                                       ("C", 15), ("C", 29), ("D", 0), ("D", 14)])
def test_score_92_is_sql_whatever_the_grade(grid, grade, fit):
    out = grid([(fit, 92 - fit)])
    assert out.loc[0, "score"] == 92
    assert out.loc[0, "grade"] == grade
    assert out.loc[0, "rating"] == f"{grade}92"
    assert out.loc[0, "status"] == "SQL"
    assert out.loc[0, "action"] == ACTIONS["en"][grade][2]


def test_score_92_in_default_model_is_sql(make_lead):
    """B92 in the default model plus one fit rule worth 2 points (the defaults step by 5)."""
    model = default_model()
    model.fit_rules.append(FitRule("Country", "=", "Italy", 2))
    row = make_lead(role="CEO", employees=51, revenue=1_000_001, country=" ITALY ", pricing=2, demo=2)
    out = score(pd.DataFrame([row]), model).iloc[0]
    assert (out["fit"], out["grade"], out["behaviour"], out["score"]) == (42, "B", 50, 92)
    assert out["rating"] == "B92"
    assert out["status"] == "SQL"
    assert out["action"] == "SQL"
    assert out["reasons"] == ("Role level ≥ 3 +15; Employees > 50 +10; Annual revenue > 1,000,000 +15; "
                              "Country: Italy +2; Pricing page visit ×2 +10; Demo or trial requested ×2 +40")


# --- Matrix (DESIGN §2, default matrix) ------------------------------------------------

@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("grade", ["A", "B", "C", "D"])
@pytest.mark.parametrize("band", [0, 1, 2])
def test_every_matrix_cell(grid, language, grade, band):
    fit = GRADE_FIT[grade]
    pairs = [(fit, s - fit) for s in BAND_SCORES[band] if s >= fit]
    out = grid(pairs, language=language)
    expected = ACTIONS[language][grade][band]
    assert list(out["grade"]) == [grade] * len(pairs)
    assert list(out["action"]) == [expected] * len(pairs)


def test_matrix_text_is_the_designed_one():
    assert ACTIONS["en"] == {"A": ("Wait", "Priority contact", "Potential SQL"),
                             "B": ("Nurture", "MQL", "SQL"),
                             "C": ("No action", "Watch", "Re-evaluate"),
                             "D": ("No action", "Watch", "Re-evaluate")}
    assert ACTIONS["it"] == {"A": ("Attesa", "Contatto prioritario", "SQL potenziale"),
                             "B": ("Coltivazione", "MQL", "SQL"),
                             "C": ("Nessuna azione", "Osservazione", "Rivalutazione"),
                             "D": ("Nessuna azione", "Osservazione", "Rivalutazione")}


@pytest.mark.parametrize("score_,action,status", [
    (45, "Wait", "Lead"), (49, "Wait", "Lead"), (50, "Priority contact", "MQL"),
    (89, "Priority contact", "MQL"), (90, "Potential SQL", "SQL"), (95, "Potential SQL", "SQL")])
def test_band_edges_for_grade_a(grid, score_, action, status):
    out = grid([(45, score_ - 45)]).iloc[0]
    assert (out["grade"], out["score"], out["rating"]) == ("A", score_, f"A{score_}")
    assert (out["action"], out["status"]) == (action, status)


@pytest.mark.parametrize("score_,action", [(0, "No action"), (49, "No action"), (50, "Watch"),
                                           (89, "Watch"), (90, "Re-evaluate"), (100, "Re-evaluate")])
def test_band_edges_for_grade_d(grid, score_, action):
    out = grid([(0, score_)]).iloc[0]
    assert (out["grade"], out["score"], out["action"], out["status"]) == (
        "D", score_, action, "SQL" if score_ >= 90 else "Lead")


@pytest.mark.parametrize("score_,action", [(49, "Nurture"), (50, "MQL"), (89, "MQL"), (90, "SQL")])
def test_band_edges_for_grade_b(grid, score_, action):
    out = grid([(30, score_ - 30)]).iloc[0]
    assert (out["grade"], out["score"], out["action"]) == ("B", score_, action)
    assert out["rating"] == f"B{score_}"


@pytest.mark.parametrize("fit,grade", [(50, "A"), (45, "A"), (44, "B"), (30, "B"), (29, "C"),
                                       (15, "C"), (14, "D"), (1, "D"), (0, "D")])
def test_grade_edges(grid, fit, grade):
    out = grid([(fit, 0)]).iloc[0]
    assert (out["fit"], out["grade"], out["rating"]) == (fit, grade, f"{grade}{fit}")
    assert out["reasons"] == ("" if fit == 0 else f"Fit = {fit} +{fit}")


def test_grade_edges_with_negative_fit(make_grid_model):
    model = make_grid_model()
    model.fit_rules.append(FitRule("Red flag", "not blank", None, -5))
    out = score(pd.DataFrame({"Fit": [None, 20], "Points": [60, 60], "Red flag": ["x", "x"]}), model)
    assert list(out["fit"]) == [-5, 15]
    assert list(out["grade"]) == ["D", "C"]
    assert list(out["score"]) == [55, 75]
    assert list(out["reasons"]) == ["Red flag: filled in −5; Points ×60 +60",
                                    "Fit = 20 +20; Red flag: filled in −5; Points ×60 +60"]


# --- Statuses (DESIGN §2, thresholds) -------------------------------------------------

@pytest.mark.parametrize("fit,total,status", [
    (45, 90, "SQL"), (30, 90, "SQL"), (15, 90, "SQL"), (0, 90, "SQL"), (0, 100, "SQL"),
    (45, 89, "MQL"), (30, 89, "MQL"), (45, 50, "MQL"), (30, 50, "MQL"),
    (45, 49, "Lead"), (30, 49, "Lead"),
    (29, 60, "Lead"), (15, 60, "Lead"), (15, 89, "Lead"), (14, 60, "Lead"), (0, 89, "Lead"),
    (0, 0, "Lead")])
def test_status_thresholds(grid, fit, total, status):
    out = grid([(fit, total - fit)]).iloc[0]
    assert out["score"] == total
    assert out["status"] == status


def test_c_at_60_is_lead_with_watch(grid):
    out = grid([(15, 45)]).iloc[0]
    assert (out["rating"], out["status"], out["action"]) == ("C60", "Lead", "Watch")


def test_status_rules_come_from_the_model(make_grid_model):
    model = make_grid_model()
    model.status_rules = [StatusRule("Hot", 80, ()), StatusRule("Warm", 40, ("A", "B", "C"))]
    model.settings.default_status = "Cold"
    out = score(pd.DataFrame({"Fit": [None, 15, None, 45], "Points": [85, 30, 40, 0]}), model)
    assert list(out["status"]) == ["Hot", "Warm", "Cold", "Warm"]


@pytest.mark.parametrize("stage,kept", [
    ("Opportunity", "Opportunity"), ("opportunity", "Opportunity"), ("  CUSTOMER  ", "Customer"),
    ("Customer", "Customer"), ("disqualified", "Disqualified"), ("DisQualified ", "Disqualified")])
def test_sales_stages_are_kept(grid, stage, kept):
    out = grid([(45, 50), (0, 0), (30, 20)], stages=[stage] * 3)
    assert list(out["status"]) == [kept] * 3
    assert list(out["action"]) == ["Owned by sales"] * 3
    assert list(out["problems"]) == [""] * 3
    # The score itself is still computed and explained.
    assert list(out["rating"]) == ["A95", "D0", "B50"]
    assert out.loc[0, "reasons"] == "Fit = 45 +45; Points ×50 +50"


def test_sales_stages_italian(grid):
    out = grid([(45, 50), (0, 10)], language="it", stages=[" opportunità", "CLIENTE"])
    assert list(out["status"]) == ["Opportunità", "Cliente"]
    assert list(out["action"]) == ["Gestito dalle vendite"] * 2
    assert list(out["problems"]) == ["", ""]


@pytest.mark.parametrize("stage", ["Lead", "MQL", "SQL", " sql ", "mql", "lead"])
def test_lead_statuses_in_stage_column_are_ignored(grid, stage):
    out = grid([(45, 50), (30, 20), (10, 0)], stages=[stage] * 3)
    assert list(out["status"]) == ["SQL", "MQL", "Lead"]
    assert list(out["action"]) == ["Potential SQL", "MQL", "No action"]
    assert list(out["problems"]) == ["", "", ""]


def test_unknown_stage_is_a_problem(grid):
    out = grid([(45, 50), (30, 20)], stages=["Won", "Negotiation"])
    assert list(out["status"]) == ["SQL", "MQL"]
    assert list(out["action"]) == ["Potential SQL", "MQL"]
    assert list(out["problems"]) == [
        "Stage: 'Won' is not a stage (Lead, MQL, SQL, Opportunity, Customer, Disqualified)",
        "Stage: 'Negotiation' is not a stage (Lead, MQL, SQL, Opportunity, Customer, Disqualified)"]


def test_unknown_stage_is_a_problem_in_italian(grid):
    out = grid([(0, 0)], language="it", stages=["Vinto"])
    assert out.loc[0, "problems"] == ("Fase: 'Vinto' non è una fase "
                                      "(Lead, MQL, SQL, Opportunità, Cliente, Squalificato)")


@pytest.mark.parametrize("blank", [None, np.nan, "", "   "])
def test_blank_stage_is_not_a_problem(grid, blank):
    """A blank Stage cell (None, NaN, '' or spaces, as readers deliver it) is no stage at all."""
    out = grid([(45, 50), (30, 20)], stages=[blank, "Customer"])
    assert list(out["status"]) == ["SQL", "Customer"]
    assert list(out["action"]) == ["Potential SQL", "Owned by sales"]
    assert list(out["problems"]) == ["", ""]


# --- Behaviour (DESIGN §2 part 2) -----------------------------------------------------

def test_points_per_occurrence(score_one):
    row = score_one(pricing=3, promo=2, welcome="yes", newsletter="sì", webinars=0, quote="1")
    assert row["reasons"] == ("Pricing page visit ×3 +15; Promotional email opened ×2 +10; "
                              "Welcome email opened and clicked +10; Newsletter signup +10; "
                              "Quote requested +20; behaviour cap −15")
    assert (row["behaviour"], row["score"], row["rating"]) == (50, 50, "D50")
    assert row["problems"] == ""


def test_behaviour_below_cap_is_the_plain_sum(score_one):
    row = score_one(pricing=2, promo="no", webinars="2", demo=1)
    assert (row["behaviour"], row["score"]) == (50, 50)
    assert row["reasons"] == "Pricing page visit ×2 +10; Webinar attended ×2 +20; Demo or trial requested +20"
    row = score_one(pricing=1, webinars=1)
    assert (row["behaviour"], row["reasons"]) == (15, "Pricing page visit +5; Webinar attended +10")


def test_behaviour_cap(score_one):
    row = score_one(demo=2, quote=1)
    assert row["behaviour"] == 50
    assert row["reasons"] == "Demo or trial requested ×2 +40; Quote requested +20; behaviour cap −10"
    assert (row["rating"], row["status"], row["action"]) == ("D50", "Lead", "Watch")


def test_behaviour_cap_in_italian(score_one):
    row = score_one(language="it", demo=2, quote=1)
    assert row["reasons"] == ("Demo o prova richiesta ×2 +40; Preventivo richiesto +20; "
                              "tetto comportamento −10")
    assert row["action"] == "Osservazione"


def test_negative_points_use_true_minus(score_one):
    row = score_one(pricing=4, unsubscribed=1)
    assert row["behaviour"] == 10
    assert row["reasons"] == "Pricing page visit ×4 +20; Unsubscribed or bounced \u221210"
    assert "-" not in row["reasons"]


def test_behaviour_floor(score_one):
    row = score_one(industry="IT", unsubscribed="yes")
    assert (row["fit"], row["behaviour"], row["score"]) == (10, 0, 10)
    assert row["reasons"] == ("Industry: IT or Manufacturing +10; Unsubscribed or bounced \u221210; "
                              "behaviour floor +10")


def test_behaviour_floor_with_several_bounces(score_one):
    row = score_one(pricing=1, unsubscribed=3)
    assert (row["behaviour"], row["score"]) == (0, 0)
    assert row["reasons"] == ("Pricing page visit +5; Unsubscribed or bounced ×3 \u221230; "
                              "behaviour floor +25")


def _capped_model(cap):
    model = default_model()
    model.behaviour_rules[0] = BehaviourRule("Pricing page visit", "Pricing page visits", 5, cap=cap)
    model.behaviour_rules[-1] = BehaviourRule("Unsubscribed or bounced", "Unsubscribed or bounced",
                                              -10, cap=cap)
    return model


@pytest.mark.parametrize("visits,points,reason", [
    (1, 5, "Pricing page visit +5"),
    (2, 10, "Pricing page visit ×2 +10"),
    (3, 15, "Pricing page visit ×3 +15"),
    (4, 15, "Pricing page visit ×4 +15 (cap)"),
    (20, 15, "Pricing page visit ×20 +15 (cap)")])
def test_per_rule_cap(score_one, visits, points, reason):
    row = score_one(model=_capped_model(15), pricing=visits)
    assert row["behaviour"] == points
    assert row["reasons"] == reason


def test_per_rule_cap_on_negative_points(score_one):
    row = score_one(model=_capped_model(15), pricing=10, demo=1, unsubscribed=3)
    assert row["behaviour"] == 15 + 20 - 15
    assert row["reasons"] == ("Pricing page visit ×10 +15 (cap); Demo or trial requested +20; "
                              "Unsubscribed or bounced ×3 \u221215 (cap)")


def test_per_rule_cap_in_italian(score_one):
    model = default_model(language="it")
    model.behaviour_rules[0] = BehaviourRule("Visita pagina prezzi", "Visite pagina prezzi", 5, cap=15)
    row = score_one(model=model, language="it", pricing=4)
    assert row["reasons"] == "Visita pagina prezzi ×4 +15 (tetto)"


def test_score_floor_with_red_flags(score_one):
    model = default_model()
    model.fit_rules.append(FitRule("Email", "contains", "@gmail.;@hotmail.", -20))
    row = score_one(model=model, email="Mario.Rossi@GMAIL.com", industry="IT", pricing=1)
    assert (row["fit"], row["grade"], row["behaviour"], row["score"]) == (-10, "D", 5, 0)
    assert row["rating"] == "D0"
    assert row["reasons"] == ("Industry: IT or Manufacturing +10; Email contains @gmail. or @hotmail. \u221220; "
                              "Pricing page visit +5; score floor +5")
    row = score_one(model=model, email="x@hotmail.it")
    assert row["reasons"] == "Email contains @gmail. or @hotmail. \u221220; score floor +20"
    assert (row["fit"], row["score"], row["rating"]) == (-20, 0, "D0")


def test_fit_cap(score_one):
    model = default_model()
    model.settings.fit_max = 40
    row = score_one(model=model, role="CEO", industry="IT", employees=100, revenue=2e6, pricing=1)
    assert (row["fit"], row["grade"], row["behaviour"], row["score"]) == (50, "A", 5, 45)
    assert row["reasons"] == ("Role level ≥ 3 +15; Industry: IT or Manufacturing +10; Employees > 50 +10; "
                              "Annual revenue > 1,000,000 +15; Pricing page visit +5; fit cap \u221210")


def test_score_cap(score_one):
    model = default_model()
    model.settings.score_max = 80
    row = score_one(model=model, role="CEO", industry="IT", employees=100, revenue=2e6, demo=2)
    assert (row["fit"], row["behaviour"], row["score"], row["rating"]) == (50, 40, 80, "A80")
    assert row["reasons"].endswith("; Demo or trial requested ×2 +40; score cap \u221210")


@pytest.mark.parametrize("cell,shown", [("-1", "'-1'"), ("2,5", "'2,5'"), ("1.5", "'1.5'"),
                                        ("many", "'many'"), ("2024-01-05", "'2024-01-05'"),
                                        ("1.2k", "'1.2k'")])
def test_bad_counts_are_problems_and_count_zero(score_one, cell, shown):
    row = score_one(pricing=cell, papers=1)
    assert row["behaviour"] == 10
    assert row["reasons"] == "White paper / case study downloaded +10"
    assert row["problems"] == (f"Pricing page visits: {shown} is not a count "
                               "(a whole number from 0 to 1000000, or yes/no)")


def test_bad_counts_in_numeric_columns(make_lead):
    rows = [make_lead(pricing=v, promo=1) for v in (-2, 2.5, 3)]
    out = score(pd.DataFrame(rows).astype({"Pricing page visits": float}), default_model())
    assert list(out["behaviour"]) == [5, 5, 20]
    assert list(out["problems"]) == [
        "Pricing page visits: '-2' is not a count (a whole number from 0 to 1000000, or yes/no)",
        "Pricing page visits: '2.5' is not a count (a whole number from 0 to 1000000, or yes/no)", ""]


def test_bad_count_in_italian(score_one):
    row = score_one(language="it", pricing="tante")
    assert row["problems"] == ("Visite pagina prezzi: 'tante' non è un conteggio "
                               "(numero intero da 0 a 1000000, o sì/no)")


def test_count_words(make_lead, score_many):
    words = ["yes", "YES ", "y", "x", "true", "sì", "si", "vero", "✓", "no", "n", "false", "-", "falso", ""]
    out = score_many([make_lead(newsletter=w) for w in words])
    assert list(out["behaviour"]) == [10] * 9 + [0] * 6
    assert list(out["problems"]) == [""] * len(words)


def test_problems_in_order_and_once_per_cell(score_one):
    row = score_one(role="Wizard", employees="1.2k", revenue="€ 2M", pricing="-1", papers="many",
                    unsubscribed=1, industry=" it ")
    assert row["problems"] == (
        "Role: 'Wizard' is not in the Roles table; Employees: '1.2k' is not a number; "
        "Annual revenue: '€ 2M' is not a number; "
        "Pricing page visits: '-1' is not a count (a whole number from 0 to 1000000, or yes/no); "
        "White papers downloaded: 'many' is not a count (a whole number from 0 to 1000000, or yes/no)")
    assert row["reasons"] == ("Industry: IT or Manufacturing +10; Unsubscribed or bounced \u221210; "
                              "behaviour floor +10")
    assert (row["rating"], row["status"], row["action"]) == ("D10", "Lead", "No action")


def test_fractional_points(make_grid_model):
    model = make_grid_model()
    model.behaviour_rules = [BehaviourRule("Half", "Points", 2.5)]
    out = score(pd.DataFrame({"Fit": [45, 45], "Points": [3, 2]}), model)
    assert list(out["score"]) == [52.5, 50.0]
    assert list(out["rating"]) == ["A52.5", "A50"]
    assert list(out["reasons"]) == ["Fit = 45 +45; Half ×3 +7.5", "Fit = 45 +45; Half ×2 +5"]


def test_reason_shows_fit_threshold_exactly(score_one):
    """A threshold typed with decimals must be shown as typed, not rounded to 6 digits."""
    model = default_model()
    model.fit_rules[3] = FitRule("Annual revenue", ">", 1234567.5, 15)
    row = score_one(model=model, revenue=2_000_000)
    assert row["reasons"] == "Annual revenue > 1,234,567.5 +15"


def test_custom_label_in_reasons(score_one):
    model = default_model()
    model.fit_rules[2] = FitRule("Employees", ">", 50, 10, label="More than 50 employees")
    row = score_one(model=model, employees="1 200")
    assert row["reasons"] == "More than 50 employees +10"


def test_a_number_that_reads_two_ways_is_flagged_not_guessed(score_one):
    """'1.200' employees alone in an English book: 1200 or 1.2? Neither: the cell is flagged."""
    row = score_one(role="Purchasing manager", industry="IT", employees="1.200", revenue=1_500_000,
                    pricing=5, papers=1)
    assert (row["fit"], row["rating"]) == (40, "B75")
    assert row["problems"] == ("Employees: '1.200' is ambiguous: 1200 or 1.2? Type one of them, or set the "
                               "Decimal separator on the LeadScore sheet")
    model = default_model()
    model.settings.decimal = ","  # The book says how it writes numbers: then it reads the Italian way.
    assert score_one(model=model, role="Purchasing manager", industry="IT", employees="1.200",
                     revenue=1_500_000, pricing=5, papers=1)["rating"] == "A85"


def test_no_leads():
    model = default_model()
    leads = pd.DataFrame({c: [] for c in ("Role", "Industry", "Employees", "Annual revenue",
                                          "Pricing page visits", "Promo emails opened",
                                          "Welcome email clicked", "White papers downloaded",
                                          "Newsletter signup", "Webinars attended", "Demo requests",
                                          "Quote requests", "Unsubscribed or bounced")})
    out = score(leads, model)
    assert len(out) == 0
    assert list(out.columns) == ["fit", "grade", "behaviour", "score", "rating", "status", "action",
                                 "reasons", "problems"]


def test_leads_are_not_modified(make_lead):
    rows = [make_lead(role="CEO", employees="1.200", pricing="yes", stage="customer")]
    leads = pd.DataFrame(rows)
    before = leads.copy()
    score(leads, default_model())
    pd.testing.assert_frame_equal(leads, before)


# --- A large run ----------------------------------------------------------------------

@pytest.mark.slow
def test_hundred_thousand_leads(make_lead):
    n = 100_000
    known = [
        make_lead(role="Purchasing manager", industry="IT", employees=1200, revenue=1_500_000,
                  pricing=5, papers=1),
        make_lead(role="HR manager", industry="Retail", employees="1.200", revenue="2.000.000",
                  papers="1"),
        make_lead(role="Intern", industry="manufacturing", employees="12", unsubscribed="yes"),
        make_lead(role="CEO", industry="IT", employees="1.2k", revenue="€ 2M", demo=3,
                  stage="Customer"),
    ]
    expected = [("A85", "MQL", "Priority contact", A85_REASONS, ""),
                ("B50", "MQL", "MQL", "Role level ≥ 3 +15; Employees > 50 +10; Annual revenue > 1,000,000 +15; "
                                      "White paper / case study downloaded +10", ""),
                ("D10", "Lead", "No action", "Industry: IT or Manufacturing +10; "
                                             "Unsubscribed or bounced −10; behaviour floor +10", ""),
                ("C75", "Customer", "Owned by sales",
                 "Role level ≥ 3 +15; Industry: IT or Manufacturing +10; "
                 "Demo or trial requested ×3 +60; behaviour cap −10",
                 "Employees: '1.2k' is not a number; Annual revenue: '€ 2M' is not a number")]
    cycle = pd.DataFrame(known)
    data = cycle.iloc[np.arange(n) % 4].reset_index(drop=True).astype(object)
    # Rows 1000 .. n-1001 get random values; the first and last 1000 rows stay known.
    rng = np.random.default_rng(7)
    free = np.zeros(n, dtype=bool)
    free[1000:n - 1000] = True
    k = int(free.sum())
    pick = lambda values: np.array(values, dtype=object)[rng.integers(0, len(values), k)]  # noqa: E731
    data.loc[free, "Role"] = pick(["CEO", "Specialist", "Intern", "Wizard", None, "HR manager"])
    data.loc[free, "Industry"] = pick(["IT", "Retail", "Manufacturing", " it ", None])
    data.loc[free, "Employees"] = pick([10, 1200, "1.200", "60", "abc", None, "1,5"])
    data.loc[free, "Pricing page visits"] = pick(list(range(21)) + ["yes", "-1", None])
    data.loc[free, "Stage"] = pick([None, "Lead", "Opportunity"])
    data.index = pd.RangeIndex(1000, 1000 + n)

    out = score(data, default_model())

    assert len(out) == n
    assert out.index.equals(data.index)
    cols = ["rating", "status", "action", "reasons", "problems"]
    for pos in [0, 1, 2, 3, 996, 997, 998, 999, n - 4, n - 3, n - 2, n - 1]:
        assert tuple(out.iloc[pos][cols]) == expected[pos % 4], pos
    assert out["score"].between(0, 100).all()
    assert (out["rating"] == out["grade"] + out["score"].astype(str)).all()
    assert set(out["status"]) == {"Lead", "MQL", "SQL", "Customer", "Opportunity"}


def test_absurd_counts_still_give_a_consistent_score(make_lead, score_many):
    """A count so large that points would overflow (1e308 × 20 = inf) is a typo: it is
    flagged and counts as 0, and every lead keeps a score in 0–100 that its rating and
    action agree with."""
    out = score_many([make_lead(demo=1e308, unsubscribed=1e308, industry="IT"),
                      make_lead(demo=1e308, industry="IT"),
                      make_lead(demo=1_000_001, industry="IT"),
                      make_lead(demo=1_000_000, industry="IT")])
    for i in range(4):
        row = out.iloc[i]
        assert 0 <= row["score"] <= 100, row.to_dict()
        assert row["rating"] == f"{row['grade']}{row['score']:g}", row.to_dict()
        band = 2 if row["score"] >= 90 else 1 if row["score"] >= 50 else 0
        assert row["action"] == ACTIONS["en"]["D"][band], row.to_dict()
    assert out["rating"].tolist() == ["D10", "D10", "D10", "D60"]
    assert out.iloc[1]["problems"] == ("Demo requests: '1e+308' is not a count "
                                       "(a whole number from 0 to 1000000, or yes/no)")
    assert out.iloc[3]["reasons"] == ("Industry: IT or Manufacturing +10; Demo or trial requested "
                                      "×1000000 +20000000; behaviour cap −19999950")
"""Issue 12, part 1: behaviour rules have a kind — count (the default), condition, per unit.

Engine results and reasons, boundaries, the messages of bad rules (in code and by cell on the
LeadScore sheet, English and Italian), a template read back, a book made before the Kind column
existed, the in-cell functions, native formulas recalculated by LibreOffice, and the bank-marketing
style of model (conditions and a negative per-call rule with a floor, no helper column).
"""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from addin import udf_core
from scoring import BehaviourRule, FitRule, default_model, score
from scoring.model import problems
from workbook import template
from workbook.filebook import FileBook
from workbook.layout import LISTS_COLUMN, MODEL_ROWS
from workbook.model_sheet import ModelSheet
from workbook.workflow import check

from native_check import in_cell_inputs, assert_same_as_engine, native_outputs, with_template_columns

OPS = "=, <>, in, not in, >, >=, <, <=, between, contains, is blank, not blank"
OPS_IT = "=, <>, uno di, nessuno di, >, >=, <, <=, tra, contiene, è vuoto, non è vuoto"  # An Italian book's words.


def kinds_model(language="en"):
    model = default_model("b2b", language)
    model.fit_rules = [FitRule("Industry", "=", "IT", 30)]
    model.behaviour_rules = [
        BehaviourRule("Previous success", "poutcome", 20, kind="condition", operator="=", value="success"),
        BehaviourRule("Long visit", "Seconds", 10, kind="condition", operator=">", value=600),
        BehaviourRule("Pages per visit", "Pages", 2, kind="per unit"),
        BehaviourRule("Calls", "campaign", -2, kind="per unit", cap=10),
        BehaviourRule("Demo", "Demos", 15),
    ]
    model.settings.behaviour_min = -20
    return model


LEADS = pd.DataFrame({
    "Industry": ["IT", "IT", "Retail", "IT", "IT"],
    "poutcome": ["success", " SUCCESS ", "failure", None, "nonexistent"],
    "Seconds": [601, 600, "n/a?", 600.5, None],
    "Pages": [1.5, "2,5", "abc", 0.333333, 0],
    "campaign": [1, 7, 3, "2.5", 0],
    "Demos": [0, 1, 2.5, 0, 1],
})


def points(reasons: str) -> float:
    """The points of a reasons text, summed."""
    total = 0.0
    for piece in filter(None, reasons.split("; ")):
        number = piece.split(" (")[0].rsplit(" ", 1)[1]
        total += float(number.replace("\u2212", "-"))
    return total


def test_each_kind_gives_its_points_with_exact_reasons():
    out = score(LEADS, kinds_model())
    assert out["reasons"].tolist() == [
        "Industry: IT +30; Previous success +20; Long visit +10; Pages per visit ×1.5 +3; Calls ×1 −2",
        "Industry: IT +30; Previous success +20; Pages per visit ×2.5 +5; Calls ×7 −10 (cap); Demo +15",
        "Calls ×3 −6; score floor +6",
        "Industry: IT +30; Long visit +10; Pages per visit ×0.333333 +0.666666; Calls ×2.5 −5",
        "Industry: IT +30; Demo +15",
    ]
    assert out["behaviour"].tolist() == [31, 30, -6, 5.666666, 15]
    assert out["score"].tolist() == [61, 60, 0, 35.666666, 45]
    assert out["problems"].tolist() == [
        "", "",
        "Seconds: 'n/a?' is not a number; Pages: 'abc' is not an amount (a number from -1000000000000 to "
        "1000000000000, or yes/no); Demos: '2.5' is not a count (a whole number from 0 to 1000000, or yes/no)",
        "", ""]
    for reasons, total in zip(out["reasons"], out["score"]):
        assert points(reasons) == pytest.approx(total, abs=1e-9)


def test_condition_boundaries_and_operators():
    model = default_model()
    model.fit_rules = []
    model.behaviour_rules = [
        BehaviourRule("Over 600", "Seconds", 1, kind="condition", operator=">", value=600),
        BehaviourRule("600 or more", "Seconds", 2, kind="condition", operator=">=", value="600"),
        BehaviourRule("Short", "Seconds", 4, kind="condition", operator="between", value="0;59,5"),
        BehaviourRule("No call yet", "Last activity", 8, kind="condition", operator="is blank"),
        BehaviourRule("Called", "Last activity", 16, kind="condition", operator="in", value="call; phone call"),
        BehaviourRule("Not a call", "Last activity", 32, kind="condition", operator="<>", value="call"),
    ]
    model.settings.behaviour_max = 100
    leads = pd.DataFrame({"Seconds": [599.99, 600, 600.01, 59.5, 59.6],
                          "Last activity": ["Call", None, "Phone  call", "email", "  "]})
    out = score(leads, model)
    assert out["behaviour"].tolist() == [16, 10, 51, 36, 8]
    assert out["reasons"].tolist() == [
        "Called +16", "600 or more +2; No call yet +8", "Over 600 +1; 600 or more +2; Called +16; Not a call +32",
        "Short +4; Not a call +32", "No call yet +8"]


def test_per_unit_reads_decimals_negatives_and_keeps_six_decimals():
    model = default_model()
    model.fit_rules = []
    model.behaviour_rules = [BehaviourRule("Minutes", "Minutes", 0.5, kind="per unit", cap=20)]
    model.settings.behaviour_min = -50
    leads = pd.DataFrame({"Minutes": [2.5, "1.234,5", -3, 0.1234567, "yes", "1e13", 39.999998, 40.000002]})
    model.settings.decimal = ","
    out = score(leads, model)
    assert out["behaviour"].tolist() == [1.25, 20, -1.5, 0.061728, 0.5, 0, 19.999999, 20]
    assert out["reasons"].tolist() == [
        "Minutes ×2.5 +1.25", "Minutes ×1234.5 +20 (cap)", "Minutes ×-3 −1.5; score floor +1.5",
        "Minutes ×0.123457 +0.061728",
        "Minutes ×1 +0.5", "", "Minutes ×39.999998 +19.999999", "Minutes ×40.000002 +20 (cap)"]
    assert out["problems"].iat[5] == ("Minutes: '1e13' is not an amount (a number from -1000000000000 to "
                                      "1000000000000, or yes/no)")


def test_blank_kind_is_count_and_counts_stay_as_they_were():
    model = default_model()
    model.fit_rules = []
    model.behaviour_rules = [BehaviourRule("Visit", "Visits", 5, kind=""), BehaviourRule("Visit2", "Visits", 1)]
    out = score(pd.DataFrame({"Visits": [3, "yes", 1.5]}), model)
    assert out["reasons"].tolist() == ["Visit ×3 +15; Visit2 ×3 +3", "Visit +5; Visit2 +1", ""]
    assert out["problems"].iat[2] == "Visits: '1.5' is not a count (a whole number from 0 to 1000000, or yes/no)"
    assert [r.kind for r in model.validate().model.behaviour_rules] == ["count", "count"]


def test_italian_kind_words_are_read_in_any_book():
    model = kinds_model()
    model.behaviour_rules[0].kind = "Condizione"
    model.behaviour_rules[2].kind = " PER UNITÀ "
    model.behaviour_rules[4].kind = "conteggio"
    assert [r.kind for r in model.validate().model.behaviour_rules] == [
        "condition", "condition", "per unit", "per unit", "count"]
    assert score(LEADS, model)["reasons"].tolist() == score(LEADS, kinds_model())["reasons"].tolist()


def bad_rules_model(language):
    model = kinds_model(language)
    model.behaviour_rules = [
        BehaviourRule("A", "Pages", 1, kind="sometimes"),
        BehaviourRule("B", "Pages", 1, kind="condition"),
        BehaviourRule("C", "Pages", 1, kind="condition", operator=">", value="lots"),
        BehaviourRule("D", "Pages", 1, kind="condition", operator="=", value="x", cap=5),
        BehaviourRule("E", "Pages", 1, operator="="),
        BehaviourRule("F", "Pages", 1, kind="per unit", value=3),
        BehaviourRule("G", "Pages", 1, kind="condition", operator="like", value=3),
    ]
    return model


def test_bad_rules_are_named_with_what_is_allowed():
    assert [str(p) for p in problems(bad_rules_model("en"))] == [
        "behaviour rule 1, kind: 'sometimes' is not one of count, condition, per unit, disposable e"
        "mail, free mail, invalid email, role account, fake name",
        f"behaviour rule 2, operator: is blank; a 'condition' rule needs one of {OPS}",
        "behaviour rule 3, value: 'lots' is not a number (needed for >)",
        "behaviour rule 4, cap: 5 must be blank for a 'condition' rule: its points count once",
        "behaviour rule 5, operator: '=' is only for 'condition' rules (this one is 'count'); set the kind to "
        "'condition', or clear it",
        "behaviour rule 6, value: 3 is only for 'condition' rules (this one is 'per unit'); set the kind to "
        "'condition', or clear it",
        f"behaviour rule 7, operator: 'like' is not one of {OPS}",
    ]


def test_bad_rules_in_an_italian_model_list_the_italian_kinds():
    assert [str(p) for p in problems(bad_rules_model("it"))][:2] == [
        "behaviour rule 1, kind: 'sometimes' is not one of conteggio, condizione, per unità, email "
        "usa e getta, email gratuita, email non valida, casella di ruolo, nome fittizio",
        f"behaviour rule 2, operator: is blank; a 'condizione' rule needs one of {OPS_IT}",
    ]


# --- the LeadScore sheet -----------------------------------------------------------------------

def book(tmp_path, language="en", model=None, name="book.xlsx"):
    model = model or kinds_model(language)
    path = tmp_path / name
    template.build(path, model, with_template_columns(LEADS, language), None, language, "b2b")
    return path


def behaviour_table(ws):
    table = ws.tables["tblBehaviourRules"]
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    return table, min_col, min_row, headers


def test_the_template_writes_each_kind_and_reads_back_the_same_model(tmp_path):
    for language, words in (("en", ["condition", "condition", "per unit", "per unit", "count"]),
                            ("it", ["condizione", "condizione", "per unità", "per unità", "conteggio"])):
        path = book(tmp_path, language, name=f"{language}.xlsx")
        ws = openpyxl.load_workbook(path)["LeadScore"]
        _, min_col, min_row, headers = behaviour_table(ws)
        kind_header = {"en": "Kind (blank = count)", "it": "Tipo (vuoto = conteggio)"}[language]
        assert headers[4:7] == {"en": [kind_header, "Operator (condition)", "Value (condition)"],
                               "it": [kind_header, "Operatore (condizione)", "Valore (condizione)"]}[language]
        kind_col = min_col + headers.index(kind_header)
        assert [ws.cell(min_row + 1 + i, kind_col).value for i in range(5)] == words
        letter = get_column_letter(kind_col)
        lists = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(f"{letter}4")]
        assert len(lists) == 1 and lists[0].type == "list"
        sheet = ModelSheet(FileBook(path))
        assert sheet.errors == []
        assert sheet.model.behaviour_rules == kinds_model(language).validate().model.behaviour_rules
        assert check(path).errors == []


def test_bad_kind_cells_are_named_by_cell_in_the_books_language(tmp_path):
    for language, kind_word, message in (
            ("en", "sometimes", "kind 'sometimes' is not one of count, condition, per unit, disposable email, "
                                "free mail, invalid email, role account, fake name"),
            ("it", "a volte", "tipo 'a volte' non è uno di conteggio, condizione, per unità, email usa e getta, "
                              "email gratuita, email non valida, casella di ruolo, nome fittizio")):
        path = book(tmp_path, language, name=f"{language}.xlsx")
        wb = openpyxl.load_workbook(path)
        ws = wb["LeadScore"]
        _, min_col, min_row, headers = behaviour_table(ws)
        kind_col = min_col + 4
        ws.cell(min_row + 1, kind_col).value = kind_word  # Rule 1.
        ws.cell(min_row + 2, kind_col + 1).value = None  # Rule 2: a condition with no operator.
        ws.cell(min_row + 5, kind_col + 1).value = ">"  # Rule 5 counts: an operator is not for it.
        wb.save(path)
        kind, operator = get_column_letter(kind_col), get_column_letter(kind_col + 1)
        op_label = {"en": "operator", "it": "operatore"}[language]
        condition = {"en": "'condition'", "it": "'condizione'"}[language]
        count = {"en": "'count'", "it": "'conteggio'"}[language]
        expected = [
            f"LeadScore!{kind}4: {message}",
            f"LeadScore!{operator}5: {op_label} is blank; a {condition} rule needs one of {OPS}",
            f"LeadScore!{operator}8: {op_label} '>' is only for {condition} rules (this one is {count}); set the "
            f"kind to {condition}, or clear it",
        ] if language == "en" else [  # An Italian book says it in Italian.
            f"LeadScore!{kind}4: {message}",
            f"LeadScore!{operator}5: {op_label} è vuoto; una regola {condition} richiede uno di {OPS_IT}",
            f"LeadScore!{operator}8: {op_label} '>' vale solo per le regole {condition} (questa è {count}); imposta "
            f"il tipo a {condition}, o svuotalo",
        ]
        assert check(path).errors == expected


def test_a_book_made_before_rule_kinds_reads_its_behaviour_rules_as_counts(tmp_path):
    """A behaviour table of four columns (Behaviour, Lead column, Points each, Cap) is still valid."""
    path = tmp_path / "old.xlsx"
    template.new_workbook(path, sample=5, seed=1)
    wb = openpyxl.load_workbook(path)
    ws = wb["LeadScore"]
    table, min_col, min_row, headers = behaviour_table(ws)
    _, _, max_col, max_row = range_boundaries(table.ref)
    for row in range(min_row, max_row + 1):
        for col in range(min_col + 4, max_col + 1):
            ws.cell(row, col).value = None
    table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(min_col + 3)}{max_row}"
    table.tableColumns = table.tableColumns[:4]
    wb.save(path)
    sheet = ModelSheet(FileBook(path))
    assert sheet.errors == []
    assert {r.kind for r in sheet.model.behaviour_rules} == {"count"}
    # The template's hygiene rules are counts too in such a book (the first nine are the old defaults).
    assert sheet.model.behaviour_rules[:9] == default_model().validate().model.behaviour_rules


@pytest.mark.slow
def test_in_cell_functions_follow_the_kinds(tmp_path):
    rows, headers, model = in_cell_inputs(book(tmp_path), LEADS)
    got = udf_core.call("LEADREASONS", rows, headers, model)
    assert [r[0] for r in got] == score(LEADS, kinds_model())["reasons"].tolist()
    assert udf_core.call("LEADBEHAVIOUR", [rows[3]], headers, model) == 5.666666


def test_a_book_of_an_older_layout_is_found_by_its_titles_for_in_cell_functions(tmp_path):
    """In-cell functions find each block by its title, so a LeadScore sheet whose blocks sit further
    left (books made before behaviour rules had a kind and rules a group) still works."""
    path = book(tmp_path, model=default_model())
    ws = openpyxl.load_workbook(path, data_only=True)["LeadScore"]
    model = [list(r) for r in ws.iter_rows(min_row=1, max_row=MODEL_ROWS, max_col=LISTS_COLUMN - 1,
                                           values_only=True)]
    _, min_col, _, _ = behaviour_table(ws)
    cut = min_col - 1 + 4  # Without the Kind, Operator, Value and Group columns and the Groups table
    groups = range_boundaries(ws.tables["tblGroups"].ref)[2]  # every later block moves left.
    older = [r[:6] + r[7:cut] + r[groups:] for r in model]
    assert older[1][13 - 1] == "Role levels"  # Where books of the older layout hold it (column M).
    leads = with_template_columns(LEADS)
    rows = [[None if v is None or v != v else v for v in r] for r in leads.itertuples(index=False)]
    got = udf_core.call("LEADRATING", rows, [list(leads.columns)], older)
    assert [r[0] for r in got] == score(leads, default_model())["rating"].tolist()


# --- native formulas ---------------------------------------------------------------------------

@pytest.mark.libreoffice
@pytest.mark.slow  # LibreOffice recalculates a native book: CI runs it.
def test_native_formulas_compute_every_kind_as_the_engine(tmp_path):
    model = kinds_model()
    model.behaviour_rules += [
        BehaviourRule("Not failure", "poutcome", 3, kind="condition", operator="not in", value="failure;other"),
        BehaviourRule("Blank secs", "Seconds", -1, kind="condition", operator="is blank"),
        BehaviourRule("Some pages", "Pages", 1.5, kind="condition", operator="between", value="1;2,5"),
        BehaviourRule("Sessions", "Pages", 0.25, kind="per unit"),
    ]
    got = native_outputs(model, LEADS, tmp_path)
    assert got["Behaviour"] == ["35.875", "35.125", "-6", "5.749999", "17"]
    assert_same_as_engine(model, LEADS, got)


# --- the bank-marketing style of model ---------------------------------------------------------

def bank_leads(n=400, seed=12):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.integers(18, 90, n),
        "job": rng.choice(["admin.", "technician", "blue-collar", "management", "unknown"], n),
        "contact": rng.choice(["cellular", "telephone"], n, p=[0.63, 0.37]),
        "campaign": rng.integers(1, 30, n),
        "poutcome": rng.choice(["nonexistent", "failure", "success"], n, p=[0.86, 0.1, 0.04]),
        "duration": rng.integers(0, 1500, n),
    })


def bank_model():
    model = default_model()
    model.fit_rules = [FitRule("age", "between", "25;60", 20), FitRule("job", "in", "admin.;management", 25)]
    model.behaviour_rules = [
        BehaviourRule("Previous campaign success", "poutcome", 30, kind="condition", operator="=",
                      value="success"),
        BehaviourRule("Mobile contact", "contact", 10, kind="condition", operator="=", value="cellular"),
        BehaviourRule("Long call", "duration", 20, kind="condition", operator=">", value=600),
        BehaviourRule("Calls this campaign", "campaign", -2, kind="per unit"),
    ]
    model.settings.behaviour_min = -20
    return model


def test_bank_leads_score_with_conditions_and_a_negative_floor_and_no_helper_column():
    leads = bank_leads()
    out = score(leads, bank_model())
    assert out["problems"].eq("").all()
    expected = (np.where(leads["poutcome"] == "success", 30, 0) + np.where(leads["contact"] == "cellular", 10, 0)
                + np.where(leads["duration"] > 600, 20, 0) - 2 * leads["campaign"])
    assert out["behaviour"].tolist() == np.clip(expected, -20, 50).tolist()
    fit = np.where(leads["age"].between(25, 60), 20, 0) + np.where(leads["job"].isin(["admin.", "management"]), 25, 0)
    assert out["score"].tolist() == np.clip(fit + np.clip(expected, -20, 50), 0, 100).tolist()
    assert (out["behaviour"] < 0).sum() > 50  # Negative behaviour takes points from fit.
    for reasons, total in zip(out["reasons"], out["score"]):
        assert points(reasons) == pytest.approx(total, abs=1e-9)


def test_bank_style_reasons_name_each_rule_cap_and_floor():
    leads = pd.DataFrame({"age": [40, 30], "job": ["admin.", "blue-collar"], "contact": ["cellular", "telephone"],
                          "campaign": [3, 25], "poutcome": ["success", "failure"], "duration": [700, 100]})
    out = score(leads, bank_model())
    assert out["reasons"].tolist() == [
        "age 25–60 +20; job: admin. or management +25; Previous campaign success +30; Mobile contact +10; "
        "Long call +20; Calls this campaign ×3 −6; behaviour cap −4",
        "age 25–60 +20; Calls this campaign ×25 −50; behaviour floor +30"]
    assert out["behaviour"].tolist() == [50, -20]
    assert out["score"].tolist() == [95, 0]
